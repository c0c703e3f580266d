"""dayend (issue 4: business dates, partitions, account state, bucket history, event outbox).

Tables mirror fairdue/adapters/db/schema/dayend.py (frozen here: later
changes get their own revision).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "dayend_business_date",
        sa.Column("business_on", sa.Date, nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("partitions", sa.Integer, nullable=False),
        sa.Column("accounts_touched", sa.BigInteger, nullable=False),
        sa.Column("entries", sa.BigInteger, nullable=False),
        sa.Column("events", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("business_on", name="pk_dayend_business_date"),
    )
    op.create_table(
        "dayend_partition",
        sa.Column("business_on", sa.Date, nullable=False),
        sa.Column("partition_no", sa.BigInteger, nullable=False),
        sa.Column("account_id_min", sa.BigInteger, nullable=False),
        sa.Column("account_id_max", sa.BigInteger, nullable=False),
        sa.Column("accounts_touched", sa.BigInteger, nullable=False),
        sa.Column("entries", sa.BigInteger, nullable=False),
        sa.Column("events", sa.BigInteger, nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("business_on", "partition_no", name="pk_dayend_partition"),
    )
    op.create_table(
        "dayend_account",
        sa.Column("account_id", ID, autoincrement=False, nullable=False),
        sa.Column("product_id", sa.BigInteger, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("cycle_day", sa.Integer, nullable=False),
        sa.Column("last_closed_on", sa.Date, nullable=False),
        sa.Column("next_event_on", sa.Date, nullable=True),
        sa.Column("bucket", sa.String(20), nullable=False),
        sa.Column("oldest_overdue_on", sa.Date, nullable=True),
        sa.Column("dpd", sa.Integer, nullable=False),
        sa.Column("charged_off", sa.Boolean, nullable=False),
        sa.Column("revolving_principal_minor", sa.BigInteger, nullable=False),
        sa.Column("accrual_remainder", sa.BigInteger, nullable=False),
        sa.Column("interest_unbilled_minor", sa.BigInteger, nullable=False),
        sa.Column("accrued_through_on", sa.Date, nullable=False),
        sa.Column("principal_days_minor", sa.BigInteger, nullable=False),
        sa.Column("cost_charged_minor", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("account_id", name="pk_dayend_account"),
        sa.CheckConstraint("cycle_day BETWEEN 1 AND 28", name="cycle_day"),
        sa.CheckConstraint("dpd >= 0", name="dpd"),
        sa.CheckConstraint(
            "revolving_principal_minor >= 0 AND accrual_remainder >= 0 AND interest_unbilled_minor >= 0 "
            "AND principal_days_minor >= 0 AND cost_charged_minor >= 0",
            name="amounts",
        ),
    )
    op.create_index("ix_dayend_account_next_event_on", "dayend_account", ["next_event_on", "account_id"])
    op.create_table(
        "dayend_installment",
        sa.Column("installment_id", ID, autoincrement=False, nullable=False),
        sa.Column("account_id", sa.BigInteger, nullable=False),
        sa.Column("billed", sa.Boolean, nullable=False),
        sa.Column("overdue", sa.Boolean, nullable=False),
        sa.Column("late_fee_minor", sa.BigInteger, nullable=False),
        sa.Column("dpd", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("installment_id", name="pk_dayend_installment"),
        sa.CheckConstraint("late_fee_minor >= 0 AND dpd >= 0", name="amounts"),
    )
    op.create_index("ix_dayend_installment_account_id", "dayend_installment", ["account_id"])
    op.create_table(
        "dayend_bucket_history",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("account_id", sa.BigInteger, nullable=False),
        sa.Column("business_on", sa.Date, nullable=False),
        sa.Column("bucket_from", sa.String(20), nullable=False),
        sa.Column("bucket_to", sa.String(20), nullable=False),
        sa.Column("dpd", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_dayend_bucket_history"),
        sa.UniqueConstraint("account_id", "business_on", name="uq_dayend_bucket_history_account_id"),
    )
    op.create_table(
        "dayend_event_outbox",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("event_key", sa.String(200), nullable=False),
        sa.Column("account_id", sa.BigInteger, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("business_on", sa.Date, nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consumed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_dayend_event_outbox"),
        sa.UniqueConstraint("event_key", name="uq_dayend_event_outbox_event_key"),
    )
    op.create_index("ix_dayend_event_outbox_account_id", "dayend_event_outbox", ["account_id"])
    op.create_index("ix_dayend_event_outbox_pending", "dayend_event_outbox", ["consumed_at", "id"])


def downgrade() -> None:
    for table in (
        "dayend_event_outbox",
        "dayend_bucket_history",
        "dayend_installment",
        "dayend_account",
        "dayend_partition",
        "dayend_business_date",
    ):
        op.drop_table(table)
