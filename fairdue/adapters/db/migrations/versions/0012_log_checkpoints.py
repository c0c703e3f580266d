"""decision-log checkpoints (issue 16 item 5): signed (seq, head hash) rows, append-only.

Table mirrors fairdue/adapters/db/schema/audit_checkpoints.py; triggers refuse UPDATE and DELETE on both engines
(and TRUNCATE on PostgreSQL), as on decision_log since 0004. An existing log gets no checkpoint here (a
migration holds no signing key): run `fairdue audit checkpoint --adopt` once after upgrading a log of
CHECKPOINT_INTERVAL_ENTRIES decisions or more.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    from fairdue.adapters.db.schema.audit_checkpoints import append_only_ddl

    op.create_table(
        "decision_log_checkpoints",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("seq", ID, nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("entry_count", ID, nullable=False),
        sa.Column("signed_at", UTC_AT, nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
        sa.PrimaryKeyConstraint("id", name="pk_decision_log_checkpoints"),
    )
    op.create_index("ix_decision_log_checkpoints_seq", "decision_log_checkpoints", ["seq"])
    for statement in append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    from fairdue.adapters.db.schema.audit_checkpoints import drop_append_only_ddl

    for statement in drop_append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_index("ix_decision_log_checkpoints_seq", table_name="decision_log_checkpoints")
    op.drop_table("decision_log_checkpoints")
