"""Signed checkpoints of the decision log (issue 16 item 5; fairdue.domain.audit_checkpoint).

- `decision_log_checkpoints`: one row per signed checkpoint — (seq, head_hash, entry_count, signed_at, key_id,
  signature) — written every CHECKPOINT_INTERVAL_ENTRIES appends, on every `fairdue audit verify` / API verify
  that finds the log intact, and by `fairdue audit checkpoint`. Append-only like the log itself: nothing in the
  code updates or deletes a row, and triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) in the
  database (see `append_only_ddl`). Several rows may sign the same seq (two verifies of an idle log). The
  rows are trusted for nothing but what their signatures prove: a deleted row is caught by the cadence rule, an
  edited or inserted one by its signature.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.collections import HASH_LEN
from fairdue.adapters.db.schema.types import ID, UtcDateTime

KEY_ID_LEN_MAX = 32
SIGNATURE_LEN_MAX = 128
CHECKPOINT_TABLE = "decision_log_checkpoints"

decision_log_checkpoints = sa.Table(
    CHECKPOINT_TABLE,
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("seq", ID, nullable=False, index=True),
    sa.Column("head_hash", sa.String(HASH_LEN), nullable=False),
    sa.Column("entry_count", ID, nullable=False),
    sa.Column("signed_at", UtcDateTime(), nullable=False),
    sa.Column("key_id", sa.String(KEY_ID_LEN_MAX), nullable=False),
    sa.Column("signature", sa.String(SIGNATURE_LEN_MAX), nullable=False),
    sa.CheckConstraint("seq >= 1", name="seq_positive"),
)


def append_only_ddl(dialect: str) -> list[str]:
    """Statements that make the checkpoint table refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL)."""
    table = CHECKPOINT_TABLE
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
            for op in ("UPDATE", "DELETE")
        ]
    if dialect == "postgresql":
        return [
            f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{table} is append-only: % refused', TG_OP; END $$",
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()",
        ]
    raise ValueError(f"no append-only triggers for dialect {dialect!r}")


def drop_append_only_ddl(dialect: str) -> list[str]:
    table = CHECKPOINT_TABLE
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"DROP FUNCTION IF EXISTS {table}_append_only()",
    ]
