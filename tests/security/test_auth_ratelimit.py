"""Rate limits on the login routes (issue 16, ASVS 4.0 V2.2.1 anti-automation, V11.1.4): per client address,
per account and overall, for staff login, one-time-code requests (each may send an SMS) and code login — in
memory and in Redis (FAIRDUE_REDIS_URL), each attack a test that failed before the limits existed."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from fastapi.testclient import TestClient
from web_testing import STAFF_PASSWORD, add_staff, make_app, register_cn_borrower

from fairdue.web import ratelimit
from fairdue.web.ratelimit import Budget, RateLimiter

PHONE = "+8613800138000"
REDIS_URL = "redis://127.0.0.1:6379"
STORAGES = [
    pytest.param("memory://", id="memory"),
    pytest.param(REDIS_URL, id="redis"),
]
TIGHT = {
    "staff_login": Budget("staff_login", per_ip="3 per minute", per_account="2 per minute", overall="5 per minute"),
    "code_request": Budget("code_request", per_ip="3 per minute", per_account="2 per minute", overall="5 per minute"),
    "code_login": Budget("code_login", per_ip="3 per minute", per_account="2 per minute", overall="5 per minute"),
}


@pytest.fixture(params=STORAGES)
def storage(request) -> str:
    if request.param.startswith("redis"):
        import redis

        try:
            redis.Redis.from_url(request.param, socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError as err:
            pytest.fail(f"Redis at {request.param} did not answer: {err}")
    return request.param


@pytest.fixture
def app(engine, clock, storage):
    sent: list[tuple[Any, str, str]] = []
    app = make_app(engine, clock)
    app.state.deliver_code = lambda uow, bid, e164, code: sent.append((bid, e164, code))
    # A namespace of its own, so runs sharing one Redis never share counters.
    app.state.rate_limiter = RateLimiter(storage, namespace="t-" + secrets.token_hex(6), budgets=TIGHT)
    app.state.sent = sent
    add_staff(app, "ada", "agent")
    add_staff(app, "bea", "agent")
    register_cn_borrower(app, name="张伟", mobile=PHONE)
    return app


def _from(app: Any, ip: str) -> TestClient:
    return TestClient(app, client=(ip, 40000))


def _staff(client: TestClient, username: str, password: str = "wrong password, surely") -> Any:
    return client.post("/api/v1/auth/staff/sessions", json={"username": username, "password": password})


def test_v2_2_1_staff_login_is_limited_per_address(app):
    """One address guessing across many usernames hits its own limit (429 + retry_after_s); another address
    is not affected."""
    attacker = _from(app, "203.0.113.7")
    answers = [_staff(attacker, f"user{i}").status_code for i in range(4)]
    assert answers == [401, 401, 401, 429]
    r = _staff(attacker, "ada", STAFF_PASSWORD)
    assert r.status_code == 429 and r.json()["retry_after_s"] >= 1 and r.json()["scope"] == "ip"
    assert _staff(_from(app, "198.51.100.1"), "ada", STAFF_PASSWORD).status_code == 201


def test_v2_2_1_staff_login_is_limited_per_account_across_addresses(app):
    """Many addresses guessing one username's password hit that account's limit, unknown usernames alike (the
    429 says nothing about who exists)."""
    for name in ("ada", "no-such-user"):
        answers = [_staff(_from(app, f"198.51.100.{i}"), name).status_code for i in range(3)]
        assert answers == [401, 401, 429], name


def test_v2_2_1_staff_login_has_an_overall_limit(app):
    """A botnet (a new address and a new username each time) still meets the overall limit."""
    answers = [_staff(_from(app, f"192.0.2.{i}"), f"user{i}").status_code for i in range(6)]
    assert answers == [401] * 5 + [429]


def test_v2_2_1_code_requests_are_limited_per_address_whatever_the_number(app):
    """SMS pumping: one address asking codes for many numbers is stopped by the per-address limit (before:
    only the per-number limit existed, so every new number got a code at any hour)."""
    client = _from(app, "203.0.113.9")
    numbers = ["+8613800138000", "+8613900139000", "+8613700137000", "+8613600136000"]
    answers = [client.post("/api/v1/auth/borrower/codes", json={"phone": n}).status_code for n in numbers]
    assert answers == [202, 202, 202, 429]


def test_v2_2_1_code_requests_are_limited_per_number_in_any_spelling(app):
    """One number written three ways is one account for the limit."""
    spellings = ["+8613800138000", "138 0013 8000", "+86 138-0013-8000"]
    answers = [
        _from(app, f"198.51.100.{i}").post("/api/v1/auth/borrower/codes", json={"phone": p}).status_code
        for i, p in enumerate(spellings)
    ]
    assert answers == [202, 202, 429]
    assert len(app.state.sent) == 2


def test_v2_2_1_code_login_is_limited_per_number_across_addresses(app):
    """Guessing a borrower's code from many addresses meets the per-number limit before the code's own."""
    answers = [
        _from(app, f"198.51.100.{i}")
        .post("/api/v1/auth/borrower/sessions", json={"phone": PHONE, "code": "123456"})
        .status_code
        for i in range(3)
    ]
    assert answers == [401, 401, 429]


def test_v2_2_1_portal_and_console_forms_answer_429_as_a_page(app):
    """The login pages show the refusal in the person's language, with Retry-After."""
    client = _from(app, "203.0.113.11")
    for _ in range(3):
        client.post("/console/login", data={"username": "ada", "password": "nope nope nope"})
    r = client.post("/console/login", data={"username": "ada", "password": STAFF_PASSWORD})
    assert r.status_code == 429 and "尝试次数过多" in r.text and int(r.headers["retry-after"]) >= 1
    portal = _from(app, "203.0.113.12")
    for _ in range(2):
        portal.post("/portal/login/code", data={"phone": "+8613900139000"})
    r = portal.post("/portal/login/code", data={"phone": "+8613900139000"}, headers={"accept-language": "en"})
    assert r.status_code == 429 and "Too many attempts" in r.text


def test_the_limiter_uses_redis_when_fairdue_redis_url_is_set():
    """FAIRDUE_REDIS_URL picks the shared Redis store (counters survive a restart and are shared by workers);
    without it, memory."""
    assert ratelimit.limiter_for_env({}).storage_uri == "memory://"
    limiter = ratelimit.limiter_for_env({"FAIRDUE_REDIS_URL": REDIS_URL})
    assert limiter.storage_uri == REDIS_URL and limiter.storage.check()
    one = Budget("probe-" + secrets.token_hex(4), per_ip="1 per minute", per_account=None, overall="9 per minute")
    limiter.check(one, ip="192.0.2.1", account=None)
    again = ratelimit.limiter_for_env({"FAIRDUE_REDIS_URL": REDIS_URL})  # a restarted process, same store
    with pytest.raises(ratelimit.TooManyAttempts):
        again.check(one, ip="192.0.2.1", account=None)
