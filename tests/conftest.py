"""Shared fixtures: a migrated, empty database on SQLite and on PostgreSQL, per test.

Use them in any integration test:

    def test_something(uow_factory):          # runs twice: [sqlite] and [postgresql]
        with uow_factory() as uow:
            ...
            uow.commit()

* `backend` — "sqlite" or "postgresql"; parametrizes every test that uses
  (directly or not) `database_url`. The PostgreSQL case carries the
  `postgres` marker (`-m "not postgres"` deselects it).
* `database_url` — a migrated (head), empty database for this test.
  SQLite: a copy of a template file migrated once per session, in tmp_path.
  PostgreSQL: one database per test session (and xdist worker) named
  `fairdue_t_<pid>_<random>`, created from the `postgres` database on
  127.0.0.1:5432, migrated once, emptied before each test (every table's rows
  deleted with triggers off, sequences restarted), dropped at the end.
* `engine` — make_engine(database_url), disposed after the test.
* `clock` — a settable aware-UTC clock (`clock.now`, `clock.set(...)`,
  `clock.advance(...)`) that units of work built here read.
* `uow_factory` — `() -> UnitOfWork` on `engine` with `clock`; `uow` — one of them.
* `postgres_url` — like database_url but PostgreSQL only (no sqlite case);
  mark such tests `@pytest.mark.postgres`.
* `blank_database_url` — parametrized like database_url but NOT migrated
  (for init-db/migration tests); the PostgreSQL one is a fresh database.

PostgreSQL that does not answer: the test is skipped with a one-line reason,
except when CI=true, where it fails. FAIRDUE_TEST_PG_ADMIN_URL overrides the
server (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres).
"""

from __future__ import annotations

import os
import secrets
import shutil
from datetime import UTC, datetime, timedelta

import pytest

PG_ADMIN_URL = os.environ.get("FAIRDUE_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# PostgreSQL tables the per-test cleanup must never empty.
PG_KEEP_TABLES = {"alembic_version"}

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres),
]


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _pg_unavailable(reason: str):
    if _ci():
        pytest.fail(f"PostgreSQL is mandatory under CI=true but {reason}", pytrace=False)
    pytest.skip(f"PostgreSQL not available ({reason})")


def _db_url(admin_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


# -- PostgreSQL server and per-session database ----------------------------------
@pytest.fixture(scope="session")
def _pg_admin_engine():
    """An AUTOCOMMIT engine on the `postgres` database; skip (or fail under CI) if down."""
    from fairdue.adapters.db.engine import make_engine

    try:
        import psycopg  # noqa: F401
    except ImportError:  # pragma: no cover - psycopg is a pinned dependency
        _pg_unavailable("psycopg is not installed")
    engine = make_engine(PG_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except Exception as err:  # any connection failure means "no server here"
        engine.dispose()
        _pg_unavailable(f"{PG_ADMIN_URL.split('@')[-1]} did not answer: {type(err).__name__}")
    yield engine
    engine.dispose()


def _create_pg_database(admin, suffix: str = "") -> str:
    name = f"fairdue_t_{os.getpid()}_{secrets.token_hex(4)}{suffix}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return name


def _drop_pg_database(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _pg_session_url(_pg_admin_engine):
    """One migrated PostgreSQL database for this test session (xdist worker)."""
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.migrate import migrate

    name = _create_pg_database(_pg_admin_engine)
    url = _db_url(PG_ADMIN_URL, name)
    try:
        engine = make_engine(url)
        try:
            migrate(engine)
        finally:
            engine.dispose()
        yield url
    finally:
        _drop_pg_database(_pg_admin_engine, name)


# One round-trip: DELETE every table's rows (user triggers and FK checks off for this
# transaction — needs superuser) and restart every sequence. Far cheaper than TRUNCATE,
# which rewrites each of the dozens of (mostly empty) tables.
_PG_EMPTY_ALL = """
DO $$
DECLARE
    t record;
BEGIN
    SET LOCAL session_replication_role = replica;
    FOR t IN SELECT tablename FROM pg_tables
              WHERE schemaname = current_schema() AND tablename <> ALL(%(keep)s) LOOP
        EXECUTE format('DELETE FROM %%I', t.tablename);
    END LOOP;
    FOR t IN SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema() LOOP
        EXECUTE format('ALTER SEQUENCE %%I RESTART', t.sequencename);
    END LOOP;
END $$;
"""


def _empty_pg_database(url: str) -> None:
    """Delete every row but alembic_version's and restart sequences, so each test starts empty."""
    import sqlalchemy as sa

    keep = "ARRAY[" + ", ".join(f"'{t}'" for t in sorted(PG_KEEP_TABLES)) + "]::name[]"
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(_PG_EMPTY_ALL.replace("%(keep)s", keep))  # %% reaches plpgsql as %
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url(_pg_session_url):
    """The session's PostgreSQL database, emptied for this test (mark the test `postgres`)."""
    _empty_pg_database(_pg_session_url)
    return _pg_session_url


# -- SQLite template ----------------------------------------------------------------
@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    """A SQLite file migrated to head once per session; tests get copies."""
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.migrate import migrate

    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        migrate(engine)
        raw = engine.raw_connection()  # outside a transaction: a checkpoint cannot run inside one
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    finally:
        engine.dispose()
    return path


# -- the fixtures tests use --------------------------------------------------------
@pytest.fixture(params=BACKENDS)
def backend(request) -> str:
    """'sqlite' or 'postgresql' (the latter marked `postgres`)."""
    return request.param


@pytest.fixture
def database_url(backend, request, tmp_path) -> str:
    """A migrated, empty database for this test, on `backend`."""
    if backend == "sqlite":
        path = tmp_path / "fairdue.db"
        shutil.copyfile(request.getfixturevalue("_sqlite_template"), path)
        return f"sqlite:///{path}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def blank_database_url(backend, request, tmp_path):
    """An empty, never-migrated database on `backend`."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    admin = request.getfixturevalue("_pg_admin_engine")
    name = _create_pg_database(admin, suffix="_blank")
    try:
        yield _db_url(PG_ADMIN_URL, name)
    finally:
        _drop_pg_database(admin, name)


@pytest.fixture
def engine(database_url):
    """make_engine(database_url), disposed after the test."""
    from fairdue.adapters.db.engine import make_engine

    eng = make_engine(database_url)
    yield eng
    eng.dispose()


class TestClock:
    """A settable clock returning aware UTC instants; call it like the real one."""

    __test__ = False  # not a test class

    def __init__(self, now: datetime):
        self.set(now)

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("TestClock needs an aware datetime")
        self.now = now.astimezone(UTC)

    def advance(self, **delta: float) -> datetime:
        self.now = self.now + timedelta(**delta)
        return self.now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> TestClock:
    """Starts at 2026-01-15 02:00 UTC; units of work from `uow_factory` read it."""
    return TestClock(datetime(2026, 1, 15, 2, 0, tzinfo=UTC))


@pytest.fixture
def uow_factory(engine, clock):
    """() -> UnitOfWork on the test's database and clock."""
    from fairdue.adapters.db.uow import UnitOfWork
    from fairdue.bootstrap import EVENT_HANDLERS

    return lambda: UnitOfWork(engine, clock=clock, handlers=EVENT_HANDLERS)


@pytest.fixture
def uow(uow_factory):
    """One unit of work (use it as `with uow: ...`)."""
    return uow_factory()
