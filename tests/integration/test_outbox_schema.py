"""Migration 0004 builds exactly the tables schema/collections.py describes, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fairdue.adapters.db.schema import metadata

MINE = {
    "decision_log",
    "decision_log_head",
    "outbox_messages",
    "delivery_attempts",
    "delivery_receipts",
    "channel_sent_ledger",
}


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


def test_a_gate_requests_sent_history_is_read_by_debt_not_by_status(tmp_path):
    """SQLite's plan for the debt's sent messages (contacts.history_for_debt) uses the (debt_id, status) index,
    not the dispatcher's (status, next_attempt_at) one, which would walk every sent message of every debt."""
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.migrate import migrate
    from fairdue.adapters.db.repos.contact import HISTORY_OF_DEBT

    engine = make_engine(f"sqlite:///{tmp_path / 'plan.db'}")
    try:
        migrate(engine)
        compiled = HISTORY_OF_DEBT.compile(dialect=engine.dialect)
        params = compiled.construct_params({"debt_id": "cl:1"})
        with engine.connect() as conn:
            plan = [
                row[-1]
                for row in conn.exec_driver_sql(
                    "EXPLAIN QUERY PLAN " + str(compiled), tuple(params[name] for name in compiled.positiontup)
                )
            ]
    finally:
        engine.dispose()
    outbox_steps = [step for step in plan if "outbox_messages" in step]
    assert outbox_steps and all("ix_outbox_messages_debt_status" in step for step in outbox_steps), plan
