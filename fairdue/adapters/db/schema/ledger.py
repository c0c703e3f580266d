"""Ledger tables: chart of accounts, journal entries, postings, stored balances.

Sign convention: `amount_minor` > 0 is a debit, < 0 a credit; every entry's
postings sum to zero per currency. Entries and postings are append-only
(triggers refuse UPDATE/DELETE, see migration 0001); `ledger_balance` is the
one mutable table, kept equal to the sum of postings in the same transaction
and checked by `fairdue ledger verify`.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.types import ID, DateTimeTz

ACCOUNT_KINDS = ("asset", "liability", "income", "expense", "equity")
CODE_LEN_MAX = 120
OWNER_LEN_MAX = 80
KEY_LEN_MAX = 200
KIND_LEN_MAX = 60

ledger_account = sa.Table(
    "ledger_account",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("code", sa.String(CODE_LEN_MAX), nullable=False, unique=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("owner", sa.String(OWNER_LEN_MAX), nullable=True, index=True),
    sa.Column("name", sa.String(200), nullable=True),
    sa.Column("created_at", DateTimeTz, nullable=False),
    sa.CheckConstraint("kind IN ('asset','liability','income','expense','equity')", name="kind"),
    sa.CheckConstraint("length(currency) = 3", name="currency"),
    # Target of the postings' (account_id, currency) foreign key.
    sa.UniqueConstraint("id", "currency", name="uq_ledger_account_id_currency"),
)

ledger_entry = sa.Table(
    "ledger_entry",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("idempotency_key", sa.String(KEY_LEN_MAX), nullable=False, unique=True),
    sa.Column("kind", sa.String(KIND_LEN_MAX), nullable=False),
    sa.Column("business_on", sa.Date, nullable=False, index=True),
    sa.Column("created_at", DateTimeTz, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column(
        "reverses_entry_id",
        ID,
        sa.ForeignKey("ledger_entry.id"),
        nullable=True,
        unique=True,  # an entry is reversed at most once
    ),
    sa.CheckConstraint("reverses_entry_id IS NULL OR reverses_entry_id <> id", name="not_self_reversal"),
)

ledger_posting = sa.Table(
    "ledger_posting",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    # Deferred: on SQLite the postings are written before their entry (see migration 0001).
    sa.Column(
        "entry_id",
        ID,
        sa.ForeignKey("ledger_entry.id", deferrable=True, initially="DEFERRED"),
        nullable=False,
        index=True,
    ),
    sa.Column("account_id", ID, nullable=False, index=True),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.CheckConstraint("amount_minor <> 0", name="nonzero"),
    sa.ForeignKeyConstraint(
        ["account_id", "currency"],
        ["ledger_account.id", "ledger_account.currency"],
        name="fk_ledger_posting_account_currency",
    ),
)

ledger_balance = sa.Table(
    "ledger_balance",
    metadata,
    sa.Column("account_id", ID, primary_key=True),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("posting_count", sa.BigInteger, nullable=False),
    sa.ForeignKeyConstraint(
        ["account_id", "currency"],
        ["ledger_account.id", "ledger_account.currency"],
        name="fk_ledger_balance_account_currency",
    ),
)
