"""Servicing tables (issue 2): products, borrowers and their PII, consent, credit lines,
purchases, installment plans, installments, charges, statements, payments.

Privacy by construction: personal data lives only in `*_ct` columns (AES-GCM
tokens from fairdue.adapters.crypto) with `*_bidx` HMAC blind indexes for
lookup; every number's `source` is checked against the lawful sources, and
there is no table or column that could hold a device address book (a test
scans the migrated schema). Emergency contacts carry their consent in the
same row: a contact cannot exist without `consent_granted_at`, and once the
consent is withdrawn its name and number are erased.

Money columns are BIGINT minor units with the line's currency.

For the day-end area: `installments` has one row per scheduled installment
(`due_on`, `*_due_minor`, `*_paid_minor`, `status`); `charges` holds late fees
and revolving interest (post them with fairdue.service.servicing.accounts.post_charge);
`credit_lines.status` is active / closed / charged_off.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.types import ID, DateTimeTz, sql_in
from fairdue.domain.statuses import (
    ChargeStatus,
    CreditLineStatus,
    InstallmentPlanStatus,
    InstallmentStatus,
    PaymentStatus,
    PurchaseStatus,
)

CT_LEN_MAX = 1024  # an encrypted field token
BIDX_LEN = 64  # hex HMAC-SHA256
KEY_LEN_MAX = 200
SOURCES_SQL = "('contract','self_provided','registration','credit_bureau','public_record')"
LINE_STATUSES_SQL = sql_in(CreditLineStatus)
PLAN_KINDS_SQL = "('full','annuity','equal_principal','flat_fee','zero_fee','upfront_fee','negotiated')"
COMPONENTS_SQL = "('fees','interest','principal')"


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, DateTimeTz, nullable=nullable)


products = sa.Table(
    "products",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("jurisdiction", sa.String(2), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("definition", sa.Text, nullable=False),  # canonical JSON of product_to_mapping
    sa.Column("definition_sha256", sa.String(64), nullable=False),
    _ts("loaded_at"),
    sa.UniqueConstraint("code", "version", name="uq_products_code_version"),
    sa.CheckConstraint("jurisdiction IN ('CN','US','UK')", name="jurisdiction"),
)

borrowers = sa.Table(
    "borrowers",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("name_ct", sa.String(CT_LEN_MAX), nullable=False),
    sa.Column("id_kind", sa.String(16), nullable=False),
    sa.Column("id_number_ct", sa.String(CT_LEN_MAX), nullable=False),
    sa.Column("id_number_bidx", sa.String(BIDX_LEN), nullable=False, unique=True),
    sa.Column("postal_region", sa.String(10), nullable=False),
    sa.Column("address_ct", sa.String(CT_LEN_MAX), nullable=True),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("time_zones", sa.String(200), nullable=False),  # space-separated IANA names
    _ts("created_at"),
    sa.CheckConstraint("id_kind IN ('cn_ric','us_ssn','uk_nino')", name="id_kind"),
)

borrower_phones = sa.Table(
    "borrower_phones",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", ID, sa.ForeignKey("borrowers.id"), nullable=False, index=True),
    sa.Column("phone_ct", sa.String(CT_LEN_MAX), nullable=False),
    sa.Column("phone_bidx", sa.String(BIDX_LEN), nullable=False, index=True),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    _ts("created_at"),
    sa.UniqueConstraint("borrower_id", "phone_bidx", name="uq_borrower_phones_borrower_id"),
    sa.CheckConstraint(f"source IN {SOURCES_SQL}", name="source"),
)

borrower_emails = sa.Table(
    "borrower_emails",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", ID, sa.ForeignKey("borrowers.id"), nullable=False, index=True),
    sa.Column("email_ct", sa.String(CT_LEN_MAX), nullable=False),
    sa.Column("email_bidx", sa.String(BIDX_LEN), nullable=False, index=True),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    _ts("created_at"),
    sa.CheckConstraint(f"source IN {SOURCES_SQL}", name="source"),
)

emergency_contacts = sa.Table(
    "emergency_contacts",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", ID, sa.ForeignKey("borrowers.id"), nullable=False, index=True),
    sa.Column("name_ct", sa.String(CT_LEN_MAX), nullable=True),
    sa.Column("phone_ct", sa.String(CT_LEN_MAX), nullable=True),
    sa.Column("phone_bidx", sa.String(BIDX_LEN), nullable=True, index=True),
    sa.Column("relationship", sa.String(16), nullable=False),
    sa.Column("consent_scope", sa.String(16), nullable=False),
    _ts("consent_granted_at"),
    _ts("consent_withdrawn_at", nullable=True),
    _ts("created_at"),
    sa.CheckConstraint("consent_scope = 'locate_only'", name="consent_scope"),
    # In force: the contact's details are present; withdrawn: they are erased.
    sa.CheckConstraint(
        "(consent_withdrawn_at IS NULL AND name_ct IS NOT NULL AND phone_ct IS NOT NULL AND phone_bidx IS NOT NULL) OR "
        "(consent_withdrawn_at IS NOT NULL AND name_ct IS NULL AND phone_ct IS NULL AND phone_bidx IS NULL)",
        name="consent_or_erased",
    ),
)

credit_lines = sa.Table(
    "credit_lines",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", ID, sa.ForeignKey("borrowers.id"), nullable=False, index=True),
    sa.Column("product_id", ID, sa.ForeignKey("products.id"), nullable=False, index=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("limit_minor", sa.BigInteger, nullable=False),
    sa.Column("cycle_day", sa.Integer, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("opened_on", sa.Date, nullable=False),
    sa.Column("closed_on", sa.Date, nullable=True),
    sa.Column("charged_off_on", sa.Date, nullable=True),
    sa.Column("open_key", sa.String(KEY_LEN_MAX), nullable=False, unique=True),
    _ts("created_at"),
    sa.CheckConstraint("limit_minor > 0", name="limit_positive"),
    sa.CheckConstraint("cycle_day BETWEEN 1 AND 28", name="cycle_day"),
    sa.CheckConstraint(f"status IN {LINE_STATUSES_SQL}", name="status"),
)

purchases = sa.Table(
    "purchases",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("credit_line_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False, index=True),
    sa.Column("idempotency_key", sa.String(KEY_LEN_MAX), nullable=False, unique=True),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("merchant", sa.String(200), nullable=True),
    sa.Column("purchased_on", sa.Date, nullable=False),
    sa.Column("ledger_entry_id", ID, sa.ForeignKey("ledger_entry.id"), nullable=False),
    sa.Column("refund_entry_id", ID, sa.ForeignKey("ledger_entry.id"), nullable=True),
    sa.Column("status", sa.String(12), nullable=False),
    _ts("created_at"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint(f"status IN {sql_in(PurchaseStatus)}", name="status"),
)

installment_plans = sa.Table(
    "installment_plans",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("credit_line_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False, index=True),
    # NULL only for a negotiated plan (kind 'negotiated'), which carries out coll_plans row negotiated_plan_id.
    sa.Column("purchase_id", ID, sa.ForeignKey("purchases.id"), nullable=True, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("periods", sa.Integer, nullable=False),
    sa.Column("rate", sa.String(40), nullable=False),  # Decimal as text: exact on every engine
    sa.Column("principal_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("start_on", sa.Date, nullable=False),
    sa.Column("first_due_on", sa.Date, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("closed_on", sa.Date, nullable=True),
    _ts("created_at"),
    sa.CheckConstraint(f"kind IN {PLAN_KINDS_SQL}", name="kind"),
    sa.CheckConstraint("periods >= 1", name="periods"),
    sa.CheckConstraint(f"status IN {sql_in(InstallmentPlanStatus)}", name="status"),
    sa.Column("negotiated_plan_id", ID, sa.ForeignKey("coll_plans.id"), nullable=True, unique=True),
    sa.CheckConstraint(
        "(kind = 'negotiated' AND purchase_id IS NULL AND negotiated_plan_id IS NOT NULL) OR "
        "(kind <> 'negotiated' AND purchase_id IS NOT NULL AND negotiated_plan_id IS NULL)",
        name="origin",
    ),
)

statements = sa.Table(
    "statements",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("credit_line_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False),
    sa.Column("statement_on", sa.Date, nullable=False),
    sa.Column("period_start_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("opening_balance_minor", sa.BigInteger, nullable=False),
    sa.Column("closing_balance_minor", sa.BigInteger, nullable=False),
    sa.Column("amount_due_minor", sa.BigInteger, nullable=False),
    sa.Column("minimum_due_minor", sa.BigInteger, nullable=False),
    sa.Column("ledger_entry_id", ID, sa.ForeignKey("ledger_entry.id"), nullable=True),
    _ts("created_at"),
    sa.UniqueConstraint("credit_line_id", "statement_on", name="uq_statements_credit_line_id"),
    sa.CheckConstraint("minimum_due_minor >= 0 AND minimum_due_minor <= amount_due_minor", name="minimum_due"),
)

statement_lines = sa.Table(
    "statement_lines",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("statement_id", ID, sa.ForeignKey("statements.id"), nullable=False, index=True),
    sa.Column("credit_line_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("posted_on", sa.Date, nullable=False),
    sa.Column("description", sa.String(300), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    # The ledger entry a movement line shows (each entry on one statement of the line); NULL for "due" lines.
    sa.Column("ledger_entry_id", ID, sa.ForeignKey("ledger_entry.id"), nullable=True),
    sa.UniqueConstraint("statement_id", "seq", name="uq_statement_lines_statement_id"),
    sa.UniqueConstraint("credit_line_id", "ledger_entry_id", name="uq_statement_lines_credit_line_id"),
)

installments = sa.Table(
    "installments",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("plan_id", ID, sa.ForeignKey("installment_plans.id"), nullable=False),
    sa.Column("credit_line_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("period_start_on", sa.Date, nullable=False),
    sa.Column("statement_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("principal_due_minor", sa.BigInteger, nullable=False),
    sa.Column("interest_due_minor", sa.BigInteger, nullable=False),
    sa.Column("fee_due_minor", sa.BigInteger, nullable=False),
    sa.Column("principal_paid_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("interest_paid_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("fee_paid_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("billed_statement_id", ID, sa.ForeignKey("statements.id"), nullable=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.UniqueConstraint("plan_id", "seq", name="uq_installments_plan_id"),
    sa.Index("ix_installments_line_due", "credit_line_id", "due_on"),
    sa.Index("ix_installments_due_status", "due_on", "status"),
    # restructured: replaced by a negotiated plan's installments (see plan_restructured_items)
    sa.CheckConstraint(f"status IN {sql_in(InstallmentStatus)}", name="status"),
    sa.CheckConstraint(
        "principal_paid_minor BETWEEN 0 AND principal_due_minor AND interest_paid_minor BETWEEN 0 AND interest_due_minor "
        "AND fee_paid_minor BETWEEN 0 AND fee_due_minor",
        name="paid_within_due",
    ),
)


def installment_unpaid() -> sa.ColumnElement[int]:
    """SQL for what is still owed on an installment row: principal, interest and fees due, less what is paid."""
    t = installments.c
    return (
        t.principal_due_minor
        + t.interest_due_minor
        + t.fee_due_minor
        - t.principal_paid_minor
        - t.interest_paid_minor
        - t.fee_paid_minor
    )


charges = sa.Table(
    "charges",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("credit_line_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False, index=True),
    sa.Column("idempotency_key", sa.String(KEY_LEN_MAX), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("component", sa.String(10), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("paid_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("charged_on", sa.Date, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),
    sa.Column("description", sa.String(300), nullable=True),
    sa.Column("ledger_entry_id", ID, sa.ForeignKey("ledger_entry.id"), nullable=False),
    sa.Column("billed_statement_id", ID, sa.ForeignKey("statements.id"), nullable=True),
    sa.Column("status", sa.String(12), nullable=False),
    sa.CheckConstraint("kind IN ('late_fee','interest','fee')", name="kind"),
    sa.CheckConstraint("component IN ('fees','interest')", name="component"),
    sa.CheckConstraint("amount_minor > 0 AND paid_minor BETWEEN 0 AND amount_minor", name="paid_within_amount"),
    sa.CheckConstraint(f"status IN {sql_in(ChargeStatus)}", name="status"),
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("credit_line_id", ID, sa.ForeignKey("credit_lines.id"), nullable=False, index=True),
    sa.Column("idempotency_key", sa.String(KEY_LEN_MAX), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("received_on", sa.Date, nullable=False),
    sa.Column("unapplied_minor", sa.BigInteger, nullable=False),
    sa.Column("ledger_entry_id", ID, sa.ForeignKey("ledger_entry.id"), nullable=False),
    sa.Column("reversal_entry_id", ID, sa.ForeignKey("ledger_entry.id"), nullable=True),
    sa.Column("status", sa.String(12), nullable=False),
    _ts("created_at"),
    sa.CheckConstraint("amount_minor > 0 AND unapplied_minor BETWEEN 0 AND amount_minor", name="amounts"),
    sa.CheckConstraint("kind IN ('payment','early_payoff','credit_applied')", name="kind"),
    sa.CheckConstraint(f"status IN {sql_in(PaymentStatus)}", name="status"),
)

payment_allocations = sa.Table(
    "payment_allocations",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("payment_id", ID, sa.ForeignKey("payments.id"), nullable=False, index=True),
    sa.Column("target_kind", sa.String(12), nullable=False),
    sa.Column("target_id", ID, nullable=False),
    sa.Column("component", sa.String(10), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.CheckConstraint("target_kind IN ('installment','charge')", name="target_kind"),
    sa.CheckConstraint(f"component IN {COMPONENTS_SQL}", name="component"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
)

# Which installments and charges a negotiated plan (coll_plans) closed as 'restructured', and the status each
# had before, so reverting the plan restores them exactly (fairdue.service.servicing.plans).
plan_restructured_items = sa.Table(
    "plan_restructured_items",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("plan_id", ID, sa.ForeignKey("coll_plans.id"), nullable=False, index=True),
    sa.Column("target_kind", sa.String(12), nullable=False),
    sa.Column("target_id", ID, nullable=False),
    sa.Column("status_before", sa.String(12), nullable=False),
    sa.UniqueConstraint("plan_id", "target_kind", "target_id", name="uq_plan_restructured_items_plan_id"),
    sa.CheckConstraint("target_kind IN ('installment','charge')", name="target_kind"),
)

TABLES = (
    products,
    borrowers,
    borrower_phones,
    borrower_emails,
    emergency_contacts,
    credit_lines,
    purchases,
    installment_plans,
    statements,
    statement_lines,
    installments,
    charges,
    payments,
    payment_allocations,
    plan_restructured_items,
)
