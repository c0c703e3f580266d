"""Migration 0004 builds exactly the tables schema/collections.py describes, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fairdue.adapters.db.schema import metadata

MINE = {"decision_log", "decision_log_head", "outbox_messages", "delivery_attempts", "delivery_receipts",
        "channel_sent_ledger"}


def _table_of(diff) -> str | None:
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item if isinstance(item, tuple) else (item,):
            table = getattr(part, "table", None)
            name = getattr(table, "name", None) or getattr(part, "name", None)
            if isinstance(name, str) and name in MINE:
                return name
            if isinstance(part, str) and part in MINE:
                return part
    return None


def test_migrated_collections_tables_match_the_metadata(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, metadata) if _table_of(d)]
    assert diffs == []


def test_contact_history_view_exists(engine):
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM contact_history").scalar_one() == 0
