"""contact facts (issue 6 item 5): stored borrower facts the gate reads (attorney, bankruptcy, breathing space,
inconvenient hours); and (item 6) SMTP handovers in flight with the outbox status `unknown`.

The outbox's status and the attempts' outcome gain the value 'unknown'. PostgreSQL swaps the CHECK
constraints; SQLite cannot alter a constraint, so its stored table SQL is rewritten in place
(the documented procedure for loosening a CHECK: writable_schema, schema_version + 1; the rows'
on-disk format does not change), which keeps the contact_history view and the foreign keys intact.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = sa.DateTime(timezone=True)
# Frozen copies of the closed sets at this revision (a later change adds a migration, never edits this one).
_KINDS = "('attorney','bankruptcy','breathing_space','inconvenient_hours')"
_SOURCES = (
    "('borrower_oral','borrower_written','attorney_notice','court_notice','insolvency_service',"
    "'debt_advice_agency','public_record')"
)


_OUTBOX_OLD = "status IN ('pending','sending','sent','dead','refused','expired')"
_OUTBOX_NEW = "status IN ('pending','sending','sent','dead','refused','expired','unknown')"
_OUTCOME_OLD = "outcome IN ('sent','retry','dead','refused','expired')"
_OUTCOME_NEW = "outcome IN ('sent','retry','dead','refused','expired','unknown')"
_CHECKS = (("outbox_messages", "ck_outbox_messages_status"), ("delivery_attempts", "ck_delivery_attempts_outcome"))


def _swap_checks(forward: bool) -> None:
    bind = op.get_bind()
    pairs = ((_OUTBOX_OLD, _OUTBOX_NEW), (_OUTCOME_OLD, _OUTCOME_NEW))
    if bind.dialect.name == "postgresql":
        for (table, name), (old, new) in zip(_CHECKS, pairs, strict=True):
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
            op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} CHECK ({new if forward else old})")
        return
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema=ON")
    try:
        for (table, _name), (old, new) in zip(_CHECKS, pairs, strict=True):
            source, target = (old, new) if forward else (new, old)
            sql = bind.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (table,)
            ).scalar_one()
            if sql.count(source) != 1:
                raise RuntimeError(f"{table}: expected the constraint text {source!r} once in {sql!r}")
            bind.exec_driver_sql(
                "UPDATE sqlite_master SET sql=? WHERE type='table' AND name=?", (sql.replace(source, target), table)
            )
        bind.exec_driver_sql(f"PRAGMA schema_version={int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema=OFF")


def upgrade() -> None:
    _swap_checks(forward=True)
    op.create_table(
        "channel_handovers",
        sa.Column("idempotency_key", sa.String(200), nullable=False),
        sa.Column("outbox_id", ID, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("started_at", _UTC, nullable=False),
        sa.Column("updated_at", _UTC, nullable=False),
        sa.Column("resolved_by", sa.String(64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("idempotency_key", name="pk_channel_handovers"),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox_messages.id"], name="fk_channel_handovers_outbox_id_outbox_messages"
        ),
        sa.CheckConstraint("state IN ('in_flight','accepted','failed','unknown','confirmed','resend')", name="state"),
        sa.CheckConstraint("attempts >= 1", name="attempts"),
    )
    op.create_index("ix_channel_handovers_outbox_id", "channel_handovers", ["outbox_id"])
    op.create_table(
        "contact_facts",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("borrower_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(24), nullable=False),
        sa.Column("effective_from", _UTC, nullable=False),
        sa.Column("effective_until", _UTC, nullable=True),
        sa.Column("hours_start", sa.String(5), nullable=True),
        sa.Column("hours_end", sa.String(5), nullable=True),
        sa.Column("attorney_name_ct", sa.Text(), nullable=True),
        sa.Column("attorney_contact_ct", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", _UTC, nullable=False),
        sa.Column("ended_at", _UTC, nullable=True),
        sa.Column("ended_by", sa.String(64), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_contact_facts"),
        sa.ForeignKeyConstraint(["borrower_id"], ["borrowers.id"], name="fk_contact_facts_borrower_id_borrowers"),
        sa.ForeignKeyConstraint(["account_id"], ["credit_lines.id"], name="fk_contact_facts_account_id_credit_lines"),
        sa.CheckConstraint(f"kind IN {_KINDS}", name="kind"),
        sa.CheckConstraint(f"source IN {_SOURCES}", name="source"),
        sa.CheckConstraint(
            "(kind = 'inconvenient_hours' AND hours_start IS NOT NULL AND hours_end IS NOT NULL AND account_id IS NULL)"
            " OR (kind <> 'inconvenient_hours' AND hours_start IS NULL AND hours_end IS NULL)",
            name="hours",
        ),
        sa.CheckConstraint(
            "(kind = 'attorney' AND attorney_name_ct IS NOT NULL) OR "
            "(kind <> 'attorney' AND attorney_name_ct IS NULL AND attorney_contact_ct IS NULL)",
            name="attorney",
        ),
        sa.CheckConstraint("effective_until IS NULL OR effective_until > effective_from", name="period"),
        sa.CheckConstraint(
            "(ended_at IS NULL AND ended_by IS NULL) OR (ended_at IS NOT NULL AND ended_by IS NOT NULL)", name="ended"
        ),
    )
    op.create_index("ix_contact_facts_borrower_id", "contact_facts", ["borrower_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_facts_borrower_id", table_name="contact_facts")
    op.drop_table("contact_facts")
    op.drop_index("ix_channel_handovers_outbox_id", table_name="channel_handovers")
    op.drop_table("channel_handovers")
    bind = op.get_bind()
    left = bind.exec_driver_sql("SELECT count(*) FROM outbox_messages WHERE status = 'unknown'").scalar_one()
    if left:
        raise RuntimeError(f"{left} outbox messages are 'unknown': resolve them before downgrading")
    if bind.exec_driver_sql("SELECT count(*) FROM delivery_attempts WHERE outcome = 'unknown'").scalar_one():
        raise RuntimeError("delivery attempts record 'unknown' outcomes: the older schema cannot hold them")
    _swap_checks(forward=False)
