"""collections delivery (issue 6 items 5-7): decision log, message outbox, attempts, receipts.

Tables mirror fairdue/adapters/db/schema/collections.py. The decision log is
append-only in the database itself (triggers refuse UPDATE/DELETE, and
TRUNCATE on PostgreSQL); its head row starts at seq 0 with the genesis hash.
Outbox personal data (address, subject, text, letter fields) is stored only
as field-cipher tokens (*_enc). `contact_history` is a plain SQL view for the borrower's contact log.

Strategies' assignments, cases, work queues, promises to pay and negotiated
plans come in a later revision.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC_AT = sa.DateTime(timezone=True)
GENESIS_HASH = "0" * 64


def upgrade() -> None:
    from fairdue.adapters.db.schema.collections import CONTACT_HISTORY_VIEW, append_only_ddl

    op.create_table(
        "decision_log",
        sa.Column("seq", ID, autoincrement=False, nullable=False),
        sa.Column("decided_at", UTC_AT, nullable=False),
        sa.Column("debt_id", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(16), nullable=True),
        sa.Column("purpose", sa.String(16), nullable=True),
        sa.Column("recipient_role", sa.String(32), nullable=True),
        sa.Column("address_masked", sa.String(320), nullable=True),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=True),
        sa.Column("violation_rules", sa.Text(), nullable=False),
        sa.Column("violation_categories", sa.Text(), nullable=False),
        sa.Column("next_allowed_at", UTC_AT, nullable=True),
        sa.Column("record", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_decision_log"),
        sa.UniqueConstraint("hash", name="uq_decision_log_hash"),
        sa.CheckConstraint("seq >= 1", name="seq_positive"),
    )
    op.create_index("ix_decision_log_debt_id", "decision_log", ["debt_id"])

    op.create_table(
        "decision_log_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", ID, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_decision_log_head"),
        sa.CheckConstraint("id = 1", name="single_row"),
    )
    op.execute(
        sa.text("INSERT INTO decision_log_head (id, last_seq, last_hash) VALUES (1, 0, :h)").bindparams(h=GENESIS_HASH)
    )

    op.create_table(
        "outbox_messages",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("decision_seq", ID, nullable=False),
        sa.Column("debt_id", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("recipient_role", sa.String(32), nullable=False),
        sa.Column("recipient_address_enc", sa.Text(), nullable=False),
        sa.Column("address_masked", sa.String(320), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("subject_enc", sa.Text(), nullable=True),
        sa.Column("body_enc", sa.Text(), nullable=False),
        sa.Column("payload_enc", sa.Text(), nullable=True),
        sa.Column("text_sha256", sa.String(64), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("attempts_max", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_AT, nullable=False),
        sa.Column("send_by", UTC_AT, nullable=False),
        sa.Column("lease_owner", sa.String(80), nullable=True),
        sa.Column("lease_until", UTC_AT, nullable=True),
        sa.Column("provider_message_id", sa.String(200), nullable=True),
        sa.Column("delivery_status", sa.String(32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_AT, nullable=False),
        sa.Column("sent_at", UTC_AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox_messages"),
        sa.UniqueConstraint("decision_seq", name="uq_outbox_messages_decision_seq"),
        sa.ForeignKeyConstraint(
            ["decision_seq"], ["decision_log.seq"], name="fk_outbox_messages_decision_seq_decision_log"
        ),
        sa.CheckConstraint("status IN ('pending','sending','sent','dead','refused','expired')", name="status"),
        sa.CheckConstraint("attempts >= 0 AND attempts_max >= 1", name="attempts"),
    )
    op.create_index("ix_outbox_messages_debt_id", "outbox_messages", ["debt_id"])
    op.create_index("ix_outbox_messages_provider_message_id", "outbox_messages", ["provider_message_id"])
    op.create_index("ix_outbox_messages_due", "outbox_messages", ["status", "next_attempt_at"])

    op.create_table(
        "delivery_attempts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("outbox_id", ID, nullable=False),
        sa.Column("attempt_no", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(80), nullable=False),
        sa.Column("started_at", UTC_AT, nullable=False),
        sa.Column("finished_at", UTC_AT, nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("provider_message_id", sa.String(200), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_attempts"),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox_messages.id"], name="fk_delivery_attempts_outbox_id_outbox_messages"
        ),
        sa.CheckConstraint("outcome IN ('sent','retry','dead','refused','expired')", name="outcome"),
    )
    op.create_index("ix_delivery_attempts_outbox_id", "delivery_attempts", ["outbox_id"])

    op.create_table(
        "delivery_receipts",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("outbox_id", ID, nullable=True),
        sa.Column("provider_message_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("occurred_at", UTC_AT, nullable=True),
        sa.Column("received_at", UTC_AT, nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_receipts"),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox_messages.id"], name="fk_delivery_receipts_outbox_id_outbox_messages"
        ),
        sa.UniqueConstraint("provider_message_id", "status", name="uq_delivery_receipts_message_status"),
    )
    op.create_index("ix_delivery_receipts_outbox_id", "delivery_receipts", ["outbox_id"])

    op.create_table(
        "channel_sent_ledger",
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("provider_message_id", sa.String(200), nullable=False),
        sa.Column("sent_at", UTC_AT, nullable=False),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_channel_sent_ledger"),
    )

    dialect = op.get_bind().dialect.name
    for statement in append_only_ddl(dialect):
        op.execute(statement)
    op.execute(CONTACT_HISTORY_VIEW)


def downgrade() -> None:
    from fairdue.adapters.db.schema.collections import drop_append_only_ddl

    op.execute("DROP VIEW IF EXISTS contact_history")
    for statement in drop_append_only_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    for table in (
        "channel_sent_ledger",
        "delivery_receipts",
        "delivery_attempts",
        "outbox_messages",
        "decision_log_head",
        "decision_log",
    ):
        op.drop_table(table)
