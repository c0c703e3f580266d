"""API-wide request limit (issue 16, ASVS 4.0 V11.1.4 anti-automation, V13.2): every /api/v1 route counts
requests per session (per client address when anonymous) and answers 429 with Retry-After past the limit;
made-up tokens buy no fresh budget; the check adds no database query; the shared test app is not throttled.
Before, only the login routes had a limit: a script with one session could call the API without bound."""

from __future__ import annotations

import secrets

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import add_borrower_row, borrower_session, make_app

from fairdue.config import ConfigurationRefused
from fairdue.web.app import WebConfig
from fairdue.web.ratelimit import RateLimiter

TIGHT = "5 per minute"


@pytest.fixture
def app(engine, clock):
    app = make_app(engine, clock)
    app.state.web.api_rate_limit = TIGHT
    app.state.rate_limiter = RateLimiter("memory://", namespace="t-" + secrets.token_hex(4))
    return app


def _from(app, ip: str) -> TestClient:
    return TestClient(app, client=(ip, 40000))


def test_v11_1_4_each_session_has_its_own_budget(app, engine):
    """The sixth request of a session in a minute is 429 with Retry-After; another session behind the same
    address is not affected."""
    one = borrower_session(app, add_borrower_row(engine))
    two = borrower_session(app, add_borrower_row(engine))
    client = _from(app, "198.51.100.4")
    answers = [client.get("/api/v1/auth/me", headers=one).status_code for _ in range(6)]
    assert answers == [200] * 5 + [429]
    r = client.get("/api/v1/auth/me", headers=one)
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
    assert r.json()["retry_after_s"] == int(r.headers["retry-after"]) and r.json()["scope"] == "session"
    assert client.get("/api/v1/auth/me", headers=two).status_code == 200


def test_v11_1_4_anonymous_requests_are_counted_per_address(app):
    """Without a session, the client address is the key: one address is stopped, another is not."""
    attacker = _from(app, "203.0.113.50")
    answers = [attacker.get("/api/v1/auth/me").status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]
    assert _from(app, "203.0.113.51").get("/api/v1/auth/me").status_code == 401


def test_v11_1_4_made_up_tokens_buy_no_fresh_budget(app):
    """A new random Bearer token on each request is no session: it is charged to the address as well."""
    attacker = _from(app, "203.0.113.60")
    answers = [
        attacker.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}).status_code
        for _ in range(7)
    ]
    assert answers[:5] == [401] * 5 and set(answers[5:]) == {429}


def test_v11_1_4_the_check_adds_no_database_query(app, engine):
    """The limit keys on the token's keyed hash, not on a lookup: the same statements run with it as without."""
    header = borrower_session(app, add_borrower_row(engine))
    client = _from(app, "198.51.100.9")
    client.get("/api/v1/auth/me", headers=header)

    def statements(limit: str | None) -> int:
        app.state.web.api_rate_limit = limit
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731  # (conn, cursor, statement, ...)
        sa.event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/api/v1/auth/me", headers=header).status_code == 200
        finally:
            sa.event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    assert statements("1000 per minute") == statements(None)


def test_v11_1_4_the_limit_is_configured_and_off_in_the_shared_test_app(engine, clock):
    """FAIRDUE_API_RATE_LIMIT sets it (default 1200 a minute); a value that does not read is refused at start;
    tests/web_testing.make_app turns it off, so suites making thousands of requests as one client pass."""
    assert WebConfig().api_rate_limit == "1200 per minute"
    assert WebConfig.from_env({}, database_url="sqlite://").api_rate_limit == "1200 per minute"
    env = {"FAIRDUE_API_RATE_LIMIT": "300 per minute"}
    assert WebConfig.from_env(env, database_url="sqlite://").api_rate_limit == "300 per minute"
    with pytest.raises(ConfigurationRefused):
        WebConfig.from_env({"FAIRDUE_API_RATE_LIMIT": "lots"}, database_url="sqlite://")
    assert make_app(engine, clock).state.web.api_rate_limit is None


def test_v11_1_4_pages_are_not_counted_against_the_api(app):
    """The limit is the API's: the console's login page stays reachable."""
    client = _from(app, "198.51.100.77")
    assert {client.get("/console/login").status_code for _ in range(8)} == {200}
