"""Migration 0008 builds exactly the contact_facts table schema/contact_facts.py describes, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fairdue.adapters.db.schema import metadata


def _mentions(diff, name: str) -> bool:
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item if isinstance(item, tuple) else (item,):
            table = getattr(part, "table", None)
            if getattr(table, "name", None) == name or getattr(part, "name", None) == name or part == name:
                return True
    return False


def test_migrated_contact_facts_match_the_metadata(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, metadata) if _mentions(d, "contact_facts")]
    assert diffs == []


def test_0008_goes_down_and_up_again_and_sqlite_stays_intact(blank_database_url):
    """The outbox's 'unknown' status comes with 0008 and goes with it; SQLite's rewritten schema passes its checks."""
    import pytest
    import sqlalchemy as sa
    from alembic import command

    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.migrate import alembic_config, current_revision, migrate

    engine = make_engine(blank_database_url)
    try:
        assert migrate(engine, "0008") == "0008"
        probe = (
            "INSERT INTO outbox_messages (id, decision_seq, channel, recipient_role, recipient_address_enc, "
            "address_masked, language, body_enc, text_sha256, fingerprint, status, attempts, attempts_max, "
            "next_attempt_at, send_by, created_at) VALUES (1, 1, 'email', 'borrower', 'x', 'x', 'zh', 'x', 'h', "
            "'f', '{status}', 0, 1, '2026-01-01 00:00:00', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
        )
        with engine.connect() as conn:
            trans = conn.begin()
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA defer_foreign_keys=ON")  # the probe row names no decision; rolled back
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
            else:
                conn.exec_driver_sql("SET CONSTRAINTS ALL DEFERRED")
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.exec_driver_sql(probe.format(status="unknown"))
            with pytest.raises(sa.exc.IntegrityError), conn.begin_nested():
                conn.exec_driver_sql(probe.format(status="lost").replace("(1, 1,", "(2, 2,"))
            trans.rollback()
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0007")
        assert current_revision(engine) == "0007"
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
            assert "contact_facts" not in tables and "channel_handovers" not in tables
            if conn.dialect.name == "sqlite":
                sql = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'outbox_messages'").scalar_one()
                assert "'unknown'" not in sql
        assert migrate(engine, "0008") == "0008"
    finally:
        engine.dispose()
