"""Rate-limit store down (issue 16, ASVS 4.0 V2.2.1 anti-automation, V7.4.1 error handling, V11.1.4): when the
Redis behind FAIRDUE_REDIS_URL does not answer, the login and code-request routes refuse (fail closed: no
unlimited guessing) with 503, Retry-After and a zh/en message — never a 500 — and log a structured event; the
API-wide limit lets signed-in work go on. Before, the Redis error escaped as an internal error (500)."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from web_testing import STAFF_PASSWORD, add_borrower_row, add_staff, borrower_session, make_app

from fairdue.service.staff.auth_events import LOGGER_NAME
from fairdue.web.ratelimit import REDIS_URL_ENV, STORE_DOWN_RETRY_AFTER_S


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A 127.0.0.1 port bound by no listener (connections are refused), held for the test."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    try:
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def app(engine, clock, closed_port, monkeypatch):
    monkeypatch.setenv(REDIS_URL_ENV, f"redis://127.0.0.1:{closed_port}/0")
    app = make_app(engine, clock)
    app.state.deliver_code = lambda uow, bid, e164, code: None
    add_staff(app, "ada", "agent")
    return app


def _store_down_events(caplog) -> list[dict]:
    return [
        json.loads(r.getMessage())
        for r in caplog.records
        if r.name == LOGGER_NAME and "ratelimit.store_down" in r.getMessage()
    ]


@pytest.mark.parametrize(
    "path,body,budget",
    [
        ("/api/v1/auth/staff/sessions", {"username": "ada", "password": STAFF_PASSWORD}, "staff_login"),
        ("/api/v1/auth/borrower/codes", {"phone": "+8613800138000"}, "code_request"),
        ("/api/v1/auth/borrower/sessions", {"phone": "+8613800138000", "code": "123456"}, "code_login"),
    ],
)
def test_v2_2_1_login_routes_fail_closed_with_503_when_redis_is_down(app, caplog, path, body, budget):
    """Even the right password opens no session while the limits cannot be counted; the answer is a 503 problem
    with Retry-After, quickly (no hanging on the dead store), and the outage is logged as an auth event."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    client = TestClient(app, raise_server_exceptions=False)
    started = time.monotonic()
    r = client.post(path, json=body)
    assert time.monotonic() - started < 5
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == str(STORE_DOWN_RETRY_AFTER_S)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("rate-limit-unavailable") and "token" not in r.json()
    assert "fairdue_session" not in r.headers.get("set-cookie", "")
    (event,) = _store_down_events(caplog)
    assert event["reason"] == budget and event["outcome"] == "failure"


@pytest.mark.parametrize("lang,expected", [("zh", "登录暂时不可用"), ("en", "Sign-in is briefly unavailable")])
def test_v2_2_1_login_pages_say_so_in_the_persons_language(app, lang, expected):
    """The console and portal forms show the outage as a page in zh or en, 503 with Retry-After."""
    client = TestClient(app, raise_server_exceptions=False, headers={"accept-language": lang})
    pages = [
        client.post("/console/login", data={"username": "ada", "password": STAFF_PASSWORD}),
        client.post("/portal/login/code", data={"phone": "+8613800138000"}),
        client.post("/portal/login", data={"phone": "+8613800138000", "code": "123456"}),
    ]
    for r in pages:
        assert r.status_code == 503 and expected in r.text and int(r.headers["retry-after"]) >= 1


def test_v11_1_4_signed_in_api_work_goes_on_while_redis_is_down(app, engine, caplog):
    """The API-wide limit cannot be counted either; it lets sessions through (logged once, not per request)
    rather than take every route down."""
    caplog.set_level(logging.INFO, logger=LOGGER_NAME)
    app.state.web.api_rate_limit = "1200 per minute"
    header = borrower_session(app, add_borrower_row(engine))
    client = TestClient(app, raise_server_exceptions=False)
    assert [client.get("/api/v1/auth/me", headers=header).status_code for _ in range(3)] == [200] * 3
    assert [e["reason"] for e in _store_down_events(caplog)] == ["api"]


def test_v2_2_1_after_a_store_failure_the_store_is_not_asked_again_for_a_few_seconds(app, monkeypatch):
    """A Redis that hangs must not hold every request for the store timeout: after one failure the limiter answers
    503 at once for STORE_DOWN_SKIP_S (before: every request waited for the store again)."""
    from fairdue.web.ratelimit import limiter_of

    client = TestClient(app, raise_server_exceptions=False)
    body = {"username": "ada", "password": STAFF_PASSWORD}
    assert client.post("/api/v1/auth/staff/sessions", json=body).status_code == 503
    limiter = limiter_of(app)
    asked = []
    monkeypatch.setattr(limiter.strategy, "hit", lambda *a, **k: asked.append(a) or True)
    assert client.post("/api/v1/auth/staff/sessions", json=body).status_code == 503
    assert asked == []
