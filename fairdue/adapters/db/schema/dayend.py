"""Day-end tables (issue 4): closed business dates, finished partitions, per-account day-end
state, per-installment flags, bucket history and the event outbox.

* `dayend_business_date` — one row per closed date, written in the same
  transaction as the date's last partition; a closed date is never re-run.
* `dayend_partition` — (business date, partition number) written in the same
  transaction as that partition's postings, state and events: after a crash
  the rerun skips exactly the partitions that committed.
* `dayend_account` — the kernel's per-account state (fairdue.domain.dayend
  ACCOUNT_SCHEMA), keyed by the credit line id; `last_closed_on` and
  `next_event_on` make the batch event-driven and let a payment close its
  account inline first.
* `dayend_installment` — the day-end's own flags on the servicing
  `installments` rows (billed, overdue occurrence, late fee assessed, DPD).
* `dayend_bucket_history` — every bucket change, with the DPD that caused it.
* `dayend_event_outbox` — events for collections and channels, written in
  the same transaction as their postings; consumers set `consumed_at`.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.types import ID, DateTimeTz

KEY_LEN_MAX = 200
BUCKET_LEN_MAX = 20
EVENT_KIND_LEN_MAX = 40

dayend_business_date = sa.Table(
    "dayend_business_date",
    metadata,
    sa.Column("business_on", sa.Date, primary_key=True),
    sa.Column("closed_at", DateTimeTz, nullable=False),
    sa.Column("partitions", sa.Integer, nullable=False),
    sa.Column("accounts_touched", sa.BigInteger, nullable=False),
    sa.Column("entries", sa.BigInteger, nullable=False),
    sa.Column("events", sa.BigInteger, nullable=False),
)

dayend_partition = sa.Table(
    "dayend_partition",
    metadata,
    sa.Column("business_on", sa.Date, primary_key=True),
    sa.Column("partition_no", sa.BigInteger, primary_key=True),
    sa.Column("account_id_min", sa.BigInteger, nullable=False),
    sa.Column("account_id_max", sa.BigInteger, nullable=False),
    sa.Column("accounts_touched", sa.BigInteger, nullable=False),
    sa.Column("entries", sa.BigInteger, nullable=False),
    sa.Column("events", sa.BigInteger, nullable=False),
    sa.Column("done_at", DateTimeTz, nullable=False),
)

dayend_account = sa.Table(
    "dayend_account",
    metadata,
    sa.Column("account_id", ID, primary_key=True, autoincrement=False),  # credit_lines.id
    sa.Column("product_id", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("cycle_day", sa.Integer, nullable=False),
    sa.Column("last_closed_on", sa.Date, nullable=False),
    sa.Column("next_event_on", sa.Date, nullable=True),
    sa.Column("bucket", sa.String(BUCKET_LEN_MAX), nullable=False),
    sa.Column("oldest_overdue_on", sa.Date, nullable=True),
    sa.Column("dpd", sa.Integer, nullable=False),
    sa.Column("charged_off", sa.Boolean, nullable=False),
    sa.Column("revolving_principal_minor", sa.BigInteger, nullable=False),
    sa.Column("accrual_remainder", sa.BigInteger, nullable=False),
    sa.Column("interest_unbilled_minor", sa.BigInteger, nullable=False),
    sa.Column("accrued_through_on", sa.Date, nullable=False),
    sa.Column("principal_days_minor", sa.BigInteger, nullable=False),
    sa.Column("cost_charged_minor", sa.BigInteger, nullable=False),
    sa.Index("ix_dayend_account_next_event_on", "next_event_on", "account_id"),
    sa.CheckConstraint("cycle_day BETWEEN 1 AND 28", name="cycle_day"),
    sa.CheckConstraint("dpd >= 0", name="dpd"),
    sa.CheckConstraint(
        "revolving_principal_minor >= 0 AND accrual_remainder >= 0 AND interest_unbilled_minor >= 0 "
        "AND principal_days_minor >= 0 AND cost_charged_minor >= 0",
        name="amounts",
    ),
)

dayend_installment = sa.Table(
    "dayend_installment",
    metadata,
    sa.Column("installment_id", ID, primary_key=True, autoincrement=False),  # installments.id
    sa.Column("account_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("billed", sa.Boolean, nullable=False),
    sa.Column("overdue", sa.Boolean, nullable=False),
    sa.Column("late_fee_minor", sa.BigInteger, nullable=False),
    sa.Column("dpd", sa.Integer, nullable=False),
    sa.CheckConstraint("late_fee_minor >= 0 AND dpd >= 0", name="amounts"),
)

dayend_bucket_history = sa.Table(
    "dayend_bucket_history",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.BigInteger, nullable=False),
    sa.Column("business_on", sa.Date, nullable=False),
    sa.Column("bucket_from", sa.String(BUCKET_LEN_MAX), nullable=False),
    sa.Column("bucket_to", sa.String(BUCKET_LEN_MAX), nullable=False),
    sa.Column("dpd", sa.Integer, nullable=False),
    sa.UniqueConstraint("account_id", "business_on", name="uq_dayend_bucket_history_account_id"),
)

dayend_event_outbox = sa.Table(
    "dayend_event_outbox",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("event_key", sa.String(KEY_LEN_MAX), nullable=False, unique=True),
    sa.Column("account_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("kind", sa.String(EVENT_KIND_LEN_MAX), nullable=False),
    sa.Column("business_on", sa.Date, nullable=False),
    sa.Column("payload", sa.Text, nullable=False),  # JSON object
    sa.Column("created_at", DateTimeTz, nullable=False),
    sa.Column("consumed_at", DateTimeTz, nullable=True),
    sa.Index("ix_dayend_event_outbox_pending", "consumed_at", "id"),
)

TABLES = (
    dayend_business_date,
    dayend_partition,
    dayend_account,
    dayend_installment,
    dayend_bucket_history,
    dayend_event_outbox,
)
