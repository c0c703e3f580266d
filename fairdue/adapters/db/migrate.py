"""Schema migrations: Alembic `upgrade head`, run programmatically.

The hand-written revisions live in ./migrations/versions (one reserved file per
area, a linear chain). `migrate(engine)` is what `fairdue init-db` and every
test database use; nothing calls `metadata.create_all` on a production path.
Running it twice is a no-op. On PostgreSQL an advisory lock serialises
concurrent migrators (two `init-db` at once do not race).
"""

from __future__ import annotations

import pathlib

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS_DIR = pathlib.Path(__file__).resolve().parent / "migrations"
# Arbitrary constant key for pg_advisory_xact_lock: "fairdue migrate".
_PG_MIGRATE_LOCK_KEY = 0x0FA1_D0E0_0001


def alembic_config() -> Config:
    """An Alembic Config pointing at fairdue's migrations (no alembic.ini needed)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest revision in the migration scripts."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:  # the scripts directory is part of the package
        raise RuntimeError(f"no migration revisions found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database never migrated."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> str | None:
    """Upgrade the database to `revision` (default: head) in one transaction; return the new revision."""
    cfg = alembic_config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATE_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return current_revision(engine)
