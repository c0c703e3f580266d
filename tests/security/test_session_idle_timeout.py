"""Idle timeout (issue 16, ASVS 4.0 V3.3.2): a session unused longer than the configured limit — cookie or
Bearer, staff or borrower — is refused like an expired one and revoked; use keeps it alive; its last use is
written at most once a minute (the API read path stays write-free); the migration backfills last_seen_at."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import STAFF_PASSWORD, add_borrower_row, add_staff, borrower_session, make_app

from fairdue.adapters.db.schema.web import web_sessions
from fairdue.config import ConfigurationRefused
from fairdue.service.staff.auth import hash_token
from fairdue.web.app import WebConfig

IDLE = dt.timedelta(minutes=30)


@pytest.fixture
def app(engine, clock):
    app = make_app(engine, clock)
    add_staff(app, "ada", "agent")
    return app


def _staff_token(client: TestClient) -> str:
    r = client.post("/api/v1/auth/staff/sessions", json={"username": "ada", "password": STAFF_PASSWORD})
    assert r.status_code == 201, r.text
    client.cookies.clear()
    return str(r.json()["token"])


def _borrower_token(app, engine) -> str:
    return borrower_session(app, add_borrower_row(engine))["Authorization"].removeprefix("Bearer ")


def _ask(client: TestClient, app, token: str, *, via: str):
    """GET /api/v1/auth/me with the token as a Bearer header or as the session cookie."""
    client.cookies.clear()
    if via == "cookie":
        client.cookies.set(app.state.web.session_cookie, token)
        return client.get("/api/v1/auth/me")
    return client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})


def _row(engine, token: str):
    with engine.connect() as conn:
        return conn.execute(sa.select(web_sessions).where(web_sessions.c.token_hash == hash_token(token))).one()


@pytest.mark.parametrize("via", ["bearer", "cookie"])
@pytest.mark.parametrize("kind", ["staff", "borrower"])
def test_v3_3_2_an_idle_session_is_refused_and_revoked(app, engine, clock, kind, via):
    """Unused for the idle limit, the session answers 401 like an expired one, and it stays dead: it is revoked
    in the database, so even a clock turned back cannot revive it. Before: alive until its 8-hour expiry."""
    client = TestClient(app)
    token = _staff_token(client) if kind == "staff" else _borrower_token(app, engine)
    assert _ask(client, app, token, via=via).status_code == 200
    clock.advance(seconds=IDLE.total_seconds() - 1)
    assert _ask(client, app, token, via=via).status_code == 200  # used just in time: alive again for 30 minutes
    clock.advance(seconds=IDLE.total_seconds())
    assert _ask(client, app, token, via=via).status_code == 401
    assert _row(engine, token).revoked_at is not None
    clock.advance(minutes=-40)
    assert _ask(client, app, token, via=via).status_code == 401


def test_v3_3_2_use_keeps_a_session_alive_past_the_idle_limit(app, clock):
    """A request every 20 minutes for three hours: never idle 30 minutes, never refused."""
    client = TestClient(app)
    token = _staff_token(client)
    for _ in range(9):
        clock.advance(minutes=20)
        assert _ask(client, app, token, via="bearer").status_code == 200


def test_v3_3_2_a_one_minute_limit_keeps_a_session_used_every_35_seconds(app, clock):
    """With the shortest limit (1 minute) the last use is written often enough: before, it was written at most once
    a minute, so a session used every 35 s was refused at the second request as 'idle'."""
    app.state.web.session_idle_s = 60
    client = TestClient(app)
    token = _staff_token(client)
    for _ in range(6):
        clock.advance(seconds=35)
        assert _ask(client, app, token, via="bearer").status_code == 200


def test_v3_3_2_the_idle_portal_page_sends_the_borrower_to_login(app, engine, clock):
    """The portal, by cookie: an idle session's page redirects to the login page, as an expired one does."""
    client = TestClient(app)
    client.cookies.set(app.state.web.session_cookie, _borrower_token(app, engine))
    assert client.get("/portal/sessions").status_code == 200
    clock.advance(minutes=31)
    r = client.get("/portal/sessions", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/portal/login"


def test_v3_3_2_last_use_is_written_at_most_once_a_minute(app, engine, clock):
    """Fifty reads within a minute write nothing; the first read a minute after the last recorded use writes it
    once (one conditional UPDATE, so it holds however requests race)."""
    client = TestClient(app)
    token = _staff_token(client)
    logged_in_at = clock()
    writes: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE WEB_SESSIONS"):
            writes.append(statement)

    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        for _ in range(50):
            clock.advance(seconds=1)
            assert _ask(client, app, token, via="bearer").status_code == 200
        assert writes == [] and _row(engine, token).last_seen_at.replace(tzinfo=dt.UTC) == logged_in_at
        clock.advance(seconds=10)  # 60 s after the login
        assert _ask(client, app, token, via="bearer").status_code == 200
        assert len(writes) == 1
        assert _row(engine, token).last_seen_at.replace(tzinfo=dt.UTC) == clock()
        for _ in range(5):
            clock.advance(seconds=5)
            _ask(client, app, token, via="bearer")
        assert len(writes) == 1
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)


def test_v3_3_2_the_limit_is_configurable(engine, clock):
    """FAIRDUE_SESSION_IDLE_MINUTES sets the limit (default 30); nonsense is refused at start."""
    assert WebConfig.from_env({}, database_url="sqlite://").session_idle_s == 30 * 60
    env = {"FAIRDUE_SESSION_IDLE_MINUTES": "5"}
    assert WebConfig.from_env(env, database_url="sqlite://").session_idle_s == 300
    for bad in ("0", "-3", "ten", "100000"):
        with pytest.raises(ConfigurationRefused):
            WebConfig.from_env({"FAIRDUE_SESSION_IDLE_MINUTES": bad}, database_url="sqlite://")


def test_v3_3_2_idle_sessions_are_not_listed(app, clock):
    """The sessions list shows live sessions only: an idle one (revoked at its next use, or never used again)
    is gone from it."""
    client = TestClient(app)
    idle = _staff_token(client)
    clock.advance(minutes=20)
    current = _staff_token(client)
    clock.advance(minutes=15)  # `idle` unused for 35 minutes, `current` for 15
    r = client.get("/api/v1/auth/sessions", headers={"Authorization": f"Bearer {current}"})
    assert [s["current"] for s in r.json()["items"]] == [True]
    assert _ask(client, app, idle, via="bearer").status_code == 401


def test_v3_3_2_migration_0014_backfills_last_seen_at(blank_database_url):
    """Sessions open before the upgrade get last_seen_at = created_at, and the column is NOT NULL after it."""
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.migrate import migrate

    engine = make_engine(blank_database_url)
    try:
        migrate(engine, "0013")
        created = dt.datetime(2026, 1, 15, 1, 0, tzinfo=dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO web_sessions (token_hash, kind, borrower_id, csrf_token, created_at, expires_at) "
                    "VALUES ('h1', 'borrower', '7', 'c', :c, :e)"
                ),
                {"c": created, "e": created + dt.timedelta(hours=8)},
            )
        assert migrate(engine) == "0014"
        with engine.connect() as conn:
            row = conn.execute(sa.select(web_sessions).where(web_sessions.c.token_hash == "h1")).one()
        assert row.last_seen_at.replace(tzinfo=dt.UTC) == created
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO web_sessions (token_hash, kind, borrower_id, csrf_token, created_at, expires_at) "
                    "VALUES ('h2', 'borrower', '7', 'c', :c, :e)"
                ),
                {"c": created, "e": created + dt.timedelta(hours=8)},
            )
    finally:
        engine.dispose()
