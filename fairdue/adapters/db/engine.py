"""Database engines: the embedded SQLite default and PostgreSQL via psycopg 3.

`make_engine(url)` is the only place an Engine is built. SQLite gets what it
needs to behave like a database: foreign keys on, WAL, a busy timeout, and
`BEGIN IMMEDIATE` for every transaction (so a unit of work holds the write lock
from its first statement and two writers never deadlock on a lock upgrade;
check-then-insert is therefore safe on SQLite). PostgreSQL runs at READ
COMMITTED; code that must be safe under concurrency there uses
`INSERT … ON CONFLICT` and row locks, never check-then-insert.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from fairdue.errors import FairdueError

# How long a SQLite writer waits for the lock before failing, in milliseconds.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option a read-only unit of work sets on its connection: SQLite then begins DEFERRED.
READ_ONLY_OPTION = "fairdue_read_only"
# How long connecting to PostgreSQL may take before failing, in seconds.
PG_CONNECT_TIMEOUT_S = 10

SUPPORTED = "sqlite:///PATH or postgresql+psycopg://USER@HOST:PORT/DB"


class UnsupportedDatabaseUrl(FairdueError):
    """The URL names an engine or driver fairdue does not run on."""

    def __init__(self, url: str, why: str):
        super().__init__(f"unsupported database URL {url!r}: {why}; use {SUPPORTED}")
        self.url = url


def normalize_url(url: str) -> str:
    """Return `url` with the driver fairdue uses; raise UnsupportedDatabaseUrl otherwise.

    `postgresql://` and `postgres://` are taken to mean psycopg 3; any other
    PostgreSQL driver, and any other engine, is refused.
    """
    if not isinstance(url, str) or not url.strip():
        raise UnsupportedDatabaseUrl(str(url), "empty URL")
    try:
        parsed = make_url(url.strip())
    except ArgumentError:
        raise UnsupportedDatabaseUrl(url, "not a URL") from None
    # From the name itself: asking SQLAlchemy would load (or fail to load) the dialect.
    backend, _, driver = parsed.drivername.partition("+")
    if backend == "sqlite":
        if parsed.drivername not in ("sqlite", "sqlite+pysqlite"):
            raise UnsupportedDatabaseUrl(url, f"SQLite driver {driver!r} is not supported")
        return parsed.render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg"):
            return parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        raise UnsupportedDatabaseUrl(url, f"PostgreSQL driver {driver!r} is not supported (use psycopg)")
    raise UnsupportedDatabaseUrl(url, f"engine {backend!r} is not supported")


def make_engine(url: str, *, echo: bool = False, **pool_options: int) -> Engine:
    """Build an Engine for `url` (SQLite file/memory or PostgreSQL via psycopg 3).

    pool_options (PostgreSQL only): pool_size, max_overflow… passed to create_engine.
    """
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S},
        **pool_options,
    )


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    in_memory = make_url(url).database in (None, "", ":memory:")
    kwargs: dict = {"echo": echo}
    if in_memory:
        # One shared connection, or every checkout would see a different empty database.
        from sqlalchemy.pool import StaticPool

        kwargs.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
    engine = create_engine(url, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # pragma: no branch
        # Take transaction control away from the sqlite3 module: we emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # A read-only unit of work (fairdue.adapters.db.uow) reads a WAL snapshot without the write lock.
        deferred = conn.get_execution_options().get(READ_ONLY_OPTION, False)
        conn.exec_driver_sql("BEGIN DEFERRED" if deferred else "BEGIN IMMEDIATE")

    return engine


def is_postgres(engine_or_conn) -> bool:
    """True when the Engine/Connection talks to PostgreSQL."""
    return engine_or_conn.dialect.name == "postgresql"


def is_sqlite(engine_or_conn) -> bool:
    """True when the Engine/Connection talks to SQLite."""
    return engine_or_conn.dialect.name == "sqlite"
