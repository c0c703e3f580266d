"""Collections delivery tables: the decision log, the message outbox, attempts, receipts.

- `decision_log` is the hash-chained, append-only record of every gate
  decision (fairdue.domain.audit); triggers refuse UPDATE and DELETE on both
  engines (see `append_only_ddl`). Its query columns (debt, channel, masked
  address, allowed, rules) are copies of fields of the hashed record, and
  `fairdue audit verify` checks they still agree with it.
- `decision_log_head` is one row: the last seq and hash. Appenders lock it
  (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE) so the chain
  never forks; verification uses it to detect a truncated tail.
- `outbox_messages` holds messages an allowing decision let through, written in
  the same transaction as the decision; the dispatcher claims rows with a
  lease and marks them sent. A decision holds for the instant it judged: a
  message not handed over by `send_by` (the request's `at` plus a short send
  window) expires unsent and must be decided again. The recipient's address, the subject, the text
  and a letter's fields are personal data: stored only as field-cipher tokens
  (`*_enc`, fairdue.adapters.crypto, contexts OUTBOX_CONTEXTS); the masked
  address sits beside them for display. `unknown` (migration 0008): an e-mail was in the SMTP
  server's hands when a dispatcher died or the line dropped, and nothing tells whether it was
  accepted; it waits for reconciliation or an operator's decision (fairdue.service.contact.dispatcher).
- `delivery_attempts` one row per finished attempt; `delivery_receipts` the
  provider's receipts (webhooks), deduplicated; `channel_sent_ledger` is what
  the SMTP and letter adapters have handed over, by idempotency key.
- `contact_history` (a view) is the borrower-visible contact log.

Not here yet (later work on issue 6): strategies' assignments, cases, work
queues, promises to pay, negotiated plans.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.types import ID, UtcDateTime, sql_in
from fairdue.domain.statuses import OutboxStatus

HASH_LEN = 64
ADDRESS_LEN_MAX = 320
DEBT_ID_LEN_MAX = 64
OWNER_LEN_MAX = 80
PROVIDER_ID_LEN_MAX = 200
KEY_LEN_MAX = 200

OUTBOX_STATUSES = ("pending", "sending", "sent", "dead", "refused", "expired", "unknown")
# Field-cipher contexts of the encrypted outbox columns (bound as AES-GCM associated data).
OUTBOX_CONTEXTS = {
    "recipient_address_enc": "outbox.recipient_address",
    "subject_enc": "outbox.subject",
    "body_enc": "outbox.body",
    "payload_enc": "outbox.payload",
}


decision_log = sa.Table(
    "decision_log",
    metadata,
    sa.Column("seq", ID, primary_key=True, autoincrement=False),
    sa.Column("decided_at", UtcDateTime(), nullable=False),
    sa.Column("debt_id", sa.String(DEBT_ID_LEN_MAX), nullable=True, index=True),
    sa.Column("channel", sa.String(16), nullable=True),
    sa.Column("purpose", sa.String(16), nullable=True),
    sa.Column("recipient_role", sa.String(32), nullable=True),
    sa.Column("address_masked", sa.String(ADDRESS_LEN_MAX), nullable=True),
    sa.Column("allowed", sa.Boolean(), nullable=False),
    sa.Column("fingerprint", sa.String(HASH_LEN), nullable=True),
    sa.Column("violation_rules", sa.Text(), nullable=False),
    sa.Column("violation_categories", sa.Text(), nullable=False),
    sa.Column("next_allowed_at", UtcDateTime(), nullable=True),
    sa.Column("record", sa.Text(), nullable=False),
    sa.Column("prev_hash", sa.String(HASH_LEN), nullable=False),
    sa.Column("hash", sa.String(HASH_LEN), nullable=False, unique=True),
    sa.CheckConstraint("seq >= 1", name="seq_positive"),
)

decision_log_head = sa.Table(
    "decision_log_head",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("last_seq", ID, nullable=False),
    sa.Column("last_hash", sa.String(HASH_LEN), nullable=False),
    sa.CheckConstraint("id = 1", name="single_row"),
)

outbox_messages = sa.Table(
    "outbox_messages",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("decision_seq", ID, sa.ForeignKey("decision_log.seq"), nullable=False, unique=True),
    sa.Column("debt_id", sa.String(DEBT_ID_LEN_MAX), nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("recipient_role", sa.String(32), nullable=False),
    sa.Column("recipient_address_enc", sa.Text(), nullable=False),
    sa.Column("address_masked", sa.String(ADDRESS_LEN_MAX), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("subject_enc", sa.Text(), nullable=True),
    sa.Column("body_enc", sa.Text(), nullable=False),
    sa.Column("payload_enc", sa.Text(), nullable=True),
    sa.Column("text_sha256", sa.String(HASH_LEN), nullable=False),
    sa.Column("fingerprint", sa.String(HASH_LEN), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False),
    sa.Column("attempts_max", sa.Integer(), nullable=False),
    sa.Column("next_attempt_at", UtcDateTime(), nullable=False),
    sa.Column("send_by", UtcDateTime(), nullable=False),
    sa.Column("lease_owner", sa.String(OWNER_LEN_MAX), nullable=True),
    sa.Column("lease_until", UtcDateTime(), nullable=True),
    sa.Column("provider_message_id", sa.String(PROVIDER_ID_LEN_MAX), nullable=True, index=True),
    sa.Column("delivery_status", sa.String(32), nullable=True),
    sa.Column("last_error", sa.Text(), nullable=True),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=True),
    sa.CheckConstraint(f"status IN {sql_in(OutboxStatus)}", name="status"),
    sa.CheckConstraint("attempts >= 0 AND attempts_max >= 1", name="attempts"),
    sa.Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    # A gate request reads the debt's sent messages (contacts.history_for_debt): by debt and status, not by status
    # alone, which would walk every sent message of every debt.
    sa.Index("ix_outbox_messages_debt_status", "debt_id", "status"),
)

delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("outbox_id", ID, sa.ForeignKey("outbox_messages.id"), nullable=False, index=True),
    sa.Column("attempt_no", sa.Integer(), nullable=False),
    sa.Column("owner", sa.String(OWNER_LEN_MAX), nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("finished_at", UtcDateTime(), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    sa.Column("provider_message_id", sa.String(PROVIDER_ID_LEN_MAX), nullable=True),
    sa.Column("error", sa.Text(), nullable=True),
    sa.CheckConstraint("outcome IN ('sent','retry','dead','refused','expired','unknown')", name="outcome"),
)

delivery_receipts = sa.Table(
    "delivery_receipts",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("outbox_id", ID, sa.ForeignKey("outbox_messages.id"), nullable=True, index=True),
    sa.Column("provider_message_id", sa.String(PROVIDER_ID_LEN_MAX), nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("occurred_at", UtcDateTime(), nullable=True),
    sa.Column("received_at", UtcDateTime(), nullable=False),
    sa.Column("detail", sa.Text(), nullable=True),
    sa.UniqueConstraint("provider_message_id", "status", name="uq_delivery_receipts_message_status"),
)

channel_sent_ledger = sa.Table(
    "channel_sent_ledger",
    metadata,
    sa.Column("idempotency_key", sa.String(KEY_LEN_MAX), primary_key=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("provider_message_id", sa.String(PROVIDER_ID_LEN_MAX), nullable=False),
    sa.Column("sent_at", UtcDateTime(), nullable=False),
)

APPEND_ONLY_TABLES = ("decision_log",)

CONTACT_HISTORY_VIEW = """
CREATE VIEW contact_history AS
SELECT d.seq AS decision_seq,
       d.decided_at AS decided_at,
       d.debt_id AS debt_id,
       d.channel AS channel,
       d.purpose AS purpose,
       d.recipient_role AS recipient_role,
       d.address_masked AS address_masked,
       d.allowed AS allowed,
       d.violation_rules AS violation_rules,
       d.violation_categories AS violation_categories,
       d.next_allowed_at AS next_allowed_at,
       o.id AS outbox_id,
       o.status AS outbox_status,
       o.sent_at AS sent_at,
       o.delivery_status AS delivery_status
FROM decision_log d
LEFT JOIN outbox_messages o ON o.decision_seq = d.seq
"""

contact_history = sa.Table(
    "contact_history",
    sa.MetaData(),  # a view: kept off the shared metadata so nothing ever creates it as a table
    sa.Column("decision_seq", ID),
    sa.Column("decided_at", UtcDateTime()),
    sa.Column("debt_id", sa.String(DEBT_ID_LEN_MAX)),
    sa.Column("channel", sa.String(16)),
    sa.Column("purpose", sa.String(16)),
    sa.Column("recipient_role", sa.String(32)),
    sa.Column("address_masked", sa.String(ADDRESS_LEN_MAX)),
    sa.Column("allowed", sa.Boolean()),
    sa.Column("violation_rules", sa.Text()),
    sa.Column("violation_categories", sa.Text()),
    sa.Column("next_allowed_at", UtcDateTime()),
    sa.Column("outbox_id", ID),
    sa.Column("outbox_status", sa.String(16)),
    sa.Column("sent_at", UtcDateTime()),
    sa.Column("delivery_status", sa.String(32)),
)


def append_only_ddl(dialect: str) -> list[str]:
    """Statements that make APPEND_ONLY_TABLES refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL)."""
    statements: list[str] = []
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            for op in ("UPDATE", "DELETE"):
                statements.append(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
                )
        elif dialect == "postgresql":
            statements.append(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{table} is append-only: % refused', TG_OP; END $$"
            )
            statements.append(
                f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
            statements.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )
        else:
            raise ValueError(f"no append-only triggers for dialect {dialect!r}")
    return statements


def drop_append_only_ddl(dialect: str) -> list[str]:
    statements: list[str] = []
    for table in APPEND_ONLY_TABLES:
        if dialect == "sqlite":
            statements += [f"DROP TRIGGER IF EXISTS {table}_no_update", f"DROP TRIGGER IF EXISTS {table}_no_delete"]
        else:
            statements += [
                f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
                f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
                f"DROP FUNCTION IF EXISTS {table}_append_only()",
            ]
    return statements
