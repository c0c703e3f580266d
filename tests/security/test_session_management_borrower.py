"""A borrower's own sessions (issue 16, ASVS 4.0 V3.3.4, V3.3.1): the portal lists them, ends one, or all but the
one in use — through the same service as the staff page — in zh and en, CSRF-checked, and never touches
another borrower's sessions."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from web_testing import add_borrower_row, make_app

from fairdue.service.staff.auth import _open_session, hash_token


@pytest.fixture
def app(engine, clock):
    return make_app(engine, clock)


def _session(app, borrower_id: str) -> tuple[str, str]:
    """(token, csrf) of a new borrower session."""
    with app.state.core.uow_factory() as uow:
        new = _open_session(
            uow, kind="borrower", staff_id=None, borrower_id=int(borrower_id), now=uow.clock(), ttl_s=3600
        )
        uow.commit()
    return new.token, new.principal.csrf


def _browser(app, token: str, lang: str = "zh") -> TestClient:
    client = TestClient(app, headers={"accept": "text/html", "accept-language": lang})
    client.cookies.set(app.state.web.session_cookie, token)
    return client


def _alive(app, token: str) -> bool:
    return TestClient(app).get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def _handles(page: str) -> list[str]:
    return re.findall(r'name="handle" value="([0-9a-f]{12})"', page)


def test_v3_3_4_the_portal_lists_ones_sessions_in_zh_and_en(app, engine):
    """Two sessions of the borrower are listed (the one in use marked), another borrower's are not."""
    me, other = add_borrower_row(engine), add_borrower_row(engine)
    phone_token, _ = _session(app, me)
    laptop_token, _ = _session(app, me)
    _session(app, other)
    zh = _browser(app, laptop_token).get("/portal/sessions")
    assert zh.status_code == 200 and "我的登录会话" in zh.text and "当前" in zh.text
    assert sorted(_handles(zh.text)) == sorted(hash_token(t)[:12] for t in (phone_token, laptop_token))
    en = _browser(app, laptop_token, "en").get("/portal/sessions")
    assert "My sessions" in en.text and "Log out my other sessions" in en.text


def test_v3_3_4_a_borrower_ends_one_session_and_not_another_borrowers(app, engine):
    """Ending the lost phone's session by its handle kills it; the handle of another borrower's session is
    unknown to me (404) and that session lives on."""
    me, other = add_borrower_row(engine), add_borrower_row(engine)
    phone_token, _ = _session(app, me)
    laptop_token, csrf = _session(app, me)
    theirs, _ = _session(app, other)
    client = _browser(app, laptop_token)
    r = client.post(
        "/portal/sessions/revoke",
        data={"csrf": csrf, "handle": hash_token(phone_token)[:12]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/portal/sessions"
    assert not _alive(app, phone_token) and _alive(app, laptop_token)
    r = client.post("/portal/sessions/revoke", data={"csrf": csrf, "handle": hash_token(theirs)[:12]})
    assert r.status_code == 404 and _alive(app, theirs)
    r = client.post("/portal/sessions/revoke", data={"csrf": csrf, "handle": "%"})
    assert r.status_code == 404 and _alive(app, theirs)


def test_v3_3_4_a_borrower_ends_all_other_sessions_or_all(app, engine):
    """ "Log out my other sessions" keeps this one; "log out everywhere" ends this one too and clears the cookie."""
    me = add_borrower_row(engine)
    others = [_session(app, me)[0] for _ in range(3)]
    token, csrf = _session(app, me)
    client = _browser(app, token)
    r = client.post("/portal/sessions/revoke-all", data={"csrf": csrf, "keep_current": "true"}, follow_redirects=False)
    assert r.status_code == 303 and not any(_alive(app, t) for t in others) and _alive(app, token)
    r = client.post("/portal/sessions/revoke-all", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/portal/login" and not _alive(app, token)


def test_v3_3_4_ending_sessions_needs_the_csrf_token(app, engine):
    """A form posted from another site (no CSRF token) ends nothing."""
    me = add_borrower_row(engine)
    phone_token, _ = _session(app, me)
    token, _csrf = _session(app, me)
    client = _browser(app, token)
    r = client.post("/portal/sessions/revoke", data={"handle": hash_token(phone_token)[:12]})
    assert r.status_code == 403 and _alive(app, phone_token)
    assert client.post("/portal/sessions/revoke-all", data={"keep_current": "true"}).status_code == 403
    assert _alive(app, phone_token)


def test_v3_3_4_staff_end_one_of_their_sessions_through_the_same_service(app, engine):
    """The console page offers the same "end this one" (the service is shared, staff and borrowers)."""
    from web_testing import add_staff

    staff_id = add_staff(app, "ada", "agent")
    with app.state.core.uow_factory() as uow:
        a = _open_session(uow, kind="staff", staff_id=staff_id, borrower_id=None, now=uow.clock(), ttl_s=3600)
        b = _open_session(uow, kind="staff", staff_id=staff_id, borrower_id=None, now=uow.clock(), ttl_s=3600)
        uow.commit()
    client = _browser(app, b.token)
    r = client.post("/console/sessions/revoke", data={"csrf": b.principal.csrf, "handle": hash_token(a.token)[:12]})
    assert r.status_code == 200 and not _alive(app, a.token) and _alive(app, b.token)
    assert "/portal/sessions" not in r.text
    assert client.get("/portal/sessions").status_code == 403
