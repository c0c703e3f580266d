"""Borrower login by phone and one-time code: the code reaches only the channel, is stored as an HMAC,
expires, allows a bounded number of guesses, and an unknown number gets the same answer as a known one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import make_app, register_cn_borrower

from fairdue.service.staff import auth as auth_service

PHONE = "+8613800138000"


@pytest.fixture
def ctx(engine, clock):
    sent: list[tuple[str, str, str]] = []
    app = make_app(engine, clock)
    app.state.deliver_code = lambda uow, bid, e164, code: sent.append((bid, e164, code))
    bid = register_cn_borrower(app, name="张伟", mobile=PHONE)
    with TestClient(app) as client:
        yield {"app": app, "client": client, "sent": sent, "bid": bid, "engine": engine}


def _ask(ctx, phone=PHONE):
    return ctx["client"].post("/api/v1/auth/borrower/codes", json={"phone": phone})


def test_code_logs_the_borrower_in_once(ctx):
    assert _ask(ctx).status_code == 202
    ((bid, e164, code),) = ctx["sent"]
    assert bid == int(ctx["bid"]) and e164 == PHONE and len(code) == 6  # one BorrowerId (an int) everywhere
    r = ctx["client"].post("/api/v1/auth/borrower/sessions", json={"phone": "138 0013 8000", "code": code})
    assert r.status_code == 201 and r.json()["kind"] == "borrower"
    again = ctx["client"].post("/api/v1/auth/borrower/sessions", json={"phone": PHONE, "code": code})
    assert again.status_code == 401


def test_code_is_not_stored_in_clear(ctx):
    _ask(ctx)
    code = ctx["sent"][0][2]
    with ctx["engine"].connect() as conn:
        rows = [tuple(str(v) for v in r) for r in conn.execute(sa.text("SELECT * FROM login_codes"))]
    assert rows and not any(code in v or PHONE in v or "13800138000" in v for row in rows for v in row)


def test_unknown_number_gets_the_same_answer_and_no_code(ctx):
    r = _ask(ctx, "+8613900139000")
    assert r.status_code == 202 and r.json() == _ask(ctx).json()
    assert [s[1] for s in ctx["sent"]] == [PHONE]


def test_expired_code_is_refused(ctx, clock):
    _ask(ctx)
    clock.advance(seconds=301)
    r = ctx["client"].post("/api/v1/auth/borrower/sessions", json={"phone": PHONE, "code": ctx["sent"][0][2]})
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


def test_guesses_are_bounded_even_for_the_right_code(ctx):
    _ask(ctx)
    code = ctx["sent"][0][2]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(auth_service.CODE_ATTEMPTS_MAX):
        assert (
            ctx["client"].post("/api/v1/auth/borrower/sessions", json={"phone": PHONE, "code": wrong}).status_code
            == 401
        )
    r = ctx["client"].post("/api/v1/auth/borrower/sessions", json={"phone": PHONE, "code": code})
    assert r.status_code == 401


def test_codes_per_hour_are_limited(ctx):
    for _ in range(auth_service.CODES_PER_PHONE_PER_HOUR_MAX):
        assert _ask(ctx).status_code == 202
    r = _ask(ctx)
    assert r.status_code == 429 and r.headers["content-type"] == "application/problem+json"


def test_portal_login_form_flow(ctx):
    c = ctx["client"]
    page = c.post("/portal/login/code", data={"phone": PHONE})
    assert page.status_code == 200 and 'id="code-sent"' in page.text
    code = ctx["sent"][-1][2]
    r = c.post("/portal/login", data={"phone": PHONE, "code": code}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/portal"
    assert c.get("/portal").status_code == 200


@pytest.fixture
def wired(engine, clock):
    """The default wiring: the code goes through the gate, the decision log and the outbox."""
    from datetime import UTC, datetime

    clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # 23:00 in Shanghai: outside the collection window
    app = make_app(engine, clock)
    register_cn_borrower(app, name="张伟", mobile=PHONE)
    with TestClient(app) as client:
        yield {"app": app, "client": client, "engine": engine}


def test_a_code_asked_for_at_2300_is_sent_and_never_logged_in_clear(wired):
    from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
    from fairdue.service.contact.enforcement import open_outbox_fields

    assert _ask(wired).status_code == 202
    with wired["engine"].connect() as conn:
        logged = conn.execute(sa.select(decision_log.c.record)).scalars().all()
        outbox = conn.execute(sa.select(outbox_messages)).all()
    assert len(logged) == 1 and len(outbox) == 1
    import json

    record = json.loads(logged[0])
    assert record["purpose"] == "authentication" and record["decision"]["allowed"] is True
    body = open_outbox_fields(wired["app"].state.cipher, outbox[0])["body"]
    code = body.split("验证码是 ")[1][:6]
    assert code.isdigit()
    assert code not in logged[0] and code[0] + "*****" not in logged[0]
    r = wired["client"].post("/api/v1/auth/borrower/sessions", json={"phone": PHONE, "code": code})
    assert r.status_code == 201
