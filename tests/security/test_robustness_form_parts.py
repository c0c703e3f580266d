"""A form with thousands of parts is refused before anything parses it for a route (issue 16, OWASP ASVS 4.0
V13.1.x, V5.1.x; Starlette's `request.form(max_files=…, max_fields=…)`), on SQLite and PostgreSQL.

Before the fix every form was parsed with Starlette's defaults (1000 fields, 1000 files): the CSRF check of a
cookie session (fairdue.web.auth._csrf_ok) and FastAPI's own form parsing turned a 1 MiB body of tiny fields into
tens of thousands of objects, and the upload form into up to 1000 spooled files; an over-limit form got a bare 400
"There was an error parsing the body" at best. Each test below failed on that code (a 200, 303, 400 or 403).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_testing import STAFF_PASSWORD, add_borrower_row, add_staff, borrower_session, make_app, staff_token

from fairdue.web.form_limits import FORM_FIELDS_MAX, FORM_FILES_MAX

MANY = 5000


@pytest.fixture
def ctx(engine, clock):
    app = make_app(engine, clock)
    add_staff(app, "sup", "supervisor")
    borrower = add_borrower_row(engine, region="CN", now=clock())
    with TestClient(app) as client:
        yield {"app": app, "client": client, "sup": staff_token(client, "sup"), "b": borrower_session(app, borrower)}


def _many_fields(n: int) -> str:
    return "&".join(f"f{i}=x" for i in range(n))


def _problem(r, lang: str = "en") -> None:
    assert r.status_code == 413, (r.status_code, r.text[:300])
    assert ("too many fields or files" if lang == "en" else "字段或文件过多") in r.text


def test_v13_1_x_thousands_of_urlencoded_fields_are_refused_413_on_an_api_authenticated_form(ctx):
    c = ctx["client"]
    headers = {**ctx["sup"], "Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en"}
    r = c.post("/console/compose/verdict", content=_many_fields(MANY), headers=headers)
    _problem(r)
    assert r.headers["content-type"].startswith("application/problem+json")
    zh = c.post("/console/compose/verdict", content=_many_fields(MANY), headers={**headers, "Accept-Language": "zh"})
    _problem(zh, "zh")


def test_v13_1_x_the_csrf_check_of_a_cookie_session_never_parses_an_oversized_form(ctx):
    """A cookie-session post to a route without form fields (logout): the CSRF check reads the form, so before
    the fix 5000 fields were parsed to find `csrf`; now the form is refused (413), the session stays."""
    c = ctx["client"]
    login = c.post("/console/login", data={"username": "sup", "password": STAFF_PASSWORD}, follow_redirects=False)
    assert login.status_code == 303, login.text
    r = c.post(
        "/console/logout",
        content=_many_fields(MANY),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "en", "Accept": "text/html"},
    )
    _problem(r)
    assert c.get("/console", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 200


def test_v13_1_x_a_multipart_form_with_thousands_of_parts_or_too_many_files_is_refused(ctx):
    c = ctx["client"]
    fields = {f"f{i}": "x" for i in range(MANY)}
    r = c.post(
        "/portal/complaints",
        data=fields,
        files={"evidence": ("a.pdf", b"%PDF-1.4", "application/pdf")},
        headers={**ctx["b"], "Accept-Language": "en"},
    )
    _problem(r)
    files = [("evidence", (f"{i}.pdf", b"%PDF-1.4", "application/pdf")) for i in range(FORM_FILES_MAX + 1)]
    r = c.post(
        "/portal/complaints", data={"category": "other"}, files=files, headers={**ctx["b"], "Accept-Language": "en"}
    )
    _problem(r)


def test_v13_1_x_a_form_within_the_bounds_reaches_its_route_unchanged(ctx):
    """The bounds are not a new refusal of ordinary forms: FORM_FIELDS_MAX fields still reach the route."""
    c = ctx["client"]
    body = _many_fields(FORM_FIELDS_MAX - 8) + "&channel=sms&purpose=collection&address=%2B8613800138000&debt_id=X"
    headers = {**ctx["sup"], "Content-Type": "application/x-www-form-urlencoded"}
    r = c.post("/console/compose/verdict", content=body, headers=headers)
    assert r.status_code == 200, r.text[:300]
