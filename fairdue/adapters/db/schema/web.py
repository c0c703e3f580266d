"""Web tables (issue 7): staff users and roles, sessions, borrower one-time
codes, complaints and their evidence, the PII access log, data-rights requests.

Secrets are never stored in clear: passwords as argon2 hashes, session tokens
and one-time codes as keyed HMAC-SHA256, phone numbers used for login as a
keyed HMAC (the number itself lives encrypted with the borrower).
Borrower ids are strings here so this module does not depend on the
borrower table's key type; services check ownership on every read.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.types import BorrowerIdText, DateTimeTz, sql_in
from fairdue.domain.statuses import ComplaintStatus, DataRightsStatus, PlanRequestStatus

STAFF_ROLES = ("agent", "supervisor", "compliance", "admin")
COMPLAINT_STATUSES = ("received", "in_progress", "decided", "closed")
COMPLAINT_COMPLEXITIES = ("standard", "complex", "extended")
DATA_RIGHTS_KINDS = ("copy", "correction", "deletion", "consent_withdrawal")
DATA_RIGHTS_STATUSES = ("received", "done", "refused", "partially_done")
PLAN_REQUEST_STATUSES = ("requested", "approved", "declined", "withdrawn")

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(64), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("password_hash", sa.String(256), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("locked_until", DateTimeTz, nullable=True),
    sa.Column("created_at", DateTimeTz, nullable=False),
    # migration 0011: password change, and the TOTP second factor (secret encrypted through the field cipher;
    # enabled once a first code confirmed it; the last time step accepted, so a code is never accepted twice)
    sa.Column("password_changed_at", DateTimeTz, nullable=True),
    sa.Column("totp_secret_ct", sa.String(255), nullable=True),
    sa.Column("totp_enabled_at", DateTimeTz, nullable=True),
    sa.Column("totp_last_step", sa.BigInteger, nullable=True),
    # migration 0014: when an admin last reset a lost authenticator (the user must enrol a new one)
    sa.Column("totp_reset_at", DateTimeTz, nullable=True),
)

# migration 0011: a staff member's one-time recovery codes (second factor), stored as keyed HMAC-SHA256.
staff_recovery_codes = sa.Table(
    "staff_recovery_codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("code_hash", sa.String(64), nullable=False),
    sa.Column("created_at", DateTimeTz, nullable=False),
    sa.Column("used_at", DateTimeTz, nullable=True),
)

# migration 0011: attempt counters over a fixed window (one-time-code requests per phone), counted by one
# atomic upsert so concurrent requests cannot read the same count. key: a keyed HMAC, never a phone in clear.
auth_counters = sa.Table(
    "auth_counters",
    metadata,
    sa.Column("key", sa.String(96), primary_key=True),
    sa.Column("window_started_at", DateTimeTz, nullable=False),
    sa.Column("hits", sa.Integer, nullable=False),
)

staff_roles = sa.Table(
    "staff_roles",
    metadata,
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role", sa.String(16), primary_key=True),
    sa.CheckConstraint("role IN ('agent','supervisor','compliance','admin')", name="role"),
)

web_sessions = sa.Table(
    "web_sessions",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=True),
    sa.Column("borrower_id", BorrowerIdText, nullable=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", DateTimeTz, nullable=False),
    sa.Column("expires_at", DateTimeTz, nullable=False),
    sa.Column("revoked_at", DateTimeTz, nullable=True),
    # migration 0014: last use, refreshed at most once a minute (idle timeout, ASVS V3.3.2)
    sa.Column("last_seen_at", DateTimeTz, nullable=False),
    sa.CheckConstraint(
        "(kind = 'staff' AND staff_id IS NOT NULL AND borrower_id IS NULL) OR "
        "(kind = 'borrower' AND borrower_id IS NOT NULL AND staff_id IS NULL)",
        name="subject",
    ),
)

login_codes = sa.Table(
    "login_codes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("phone_hmac", sa.String(64), nullable=False, index=True),
    sa.Column("borrower_id", BorrowerIdText, nullable=False),
    sa.Column("code_hmac", sa.String(64), nullable=False),
    sa.Column("created_at", DateTimeTz, nullable=False),
    sa.Column("expires_at", DateTimeTz, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("used_at", DateTimeTz, nullable=True),
)

complaints = sa.Table(
    "complaints",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", BorrowerIdText, nullable=False, index=True),
    sa.Column("account_id", sa.String(64), nullable=True),
    sa.Column("jurisdiction", sa.String(2), nullable=False),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("complexity", sa.String(16), nullable=False),
    sa.Column("received_at", DateTimeTz, nullable=False),
    sa.Column("due_at", DateTimeTz, nullable=False),
    sa.Column("extension_notice", sa.Text, nullable=True),
    sa.Column("assigned_staff_id", sa.Integer, sa.ForeignKey("staff_users.id"), nullable=True),
    sa.Column("decided_at", DateTimeTz, nullable=True),
    sa.Column("decision", sa.Text, nullable=True),
    sa.CheckConstraint(f"status IN {sql_in(ComplaintStatus)}", name="status"),
    sa.CheckConstraint("complexity IN ('standard','complex','extended')", name="complexity"),
)

complaint_evidence = sa.Table(
    "complaint_evidence",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "complaint_id", sa.Integer, sa.ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("filename", sa.String(255), nullable=False),
    sa.Column("media_type", sa.String(127), nullable=False),
    sa.Column("size_bytes", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)

complaint_events = sa.Table(
    "complaint_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "complaint_id", sa.Integer, sa.ForeignKey("complaints.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    sa.Column("at", DateTimeTz, nullable=False),
    sa.Column("actor", sa.String(80), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("note", sa.Text, nullable=True),
)

access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", DateTimeTz, nullable=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_users.id"), nullable=False),
    sa.Column("borrower_id", BorrowerIdText, nullable=False, index=True),
    sa.Column("fields", sa.String(255), nullable=False),
    sa.Column("purpose", sa.String(255), nullable=False),
    sa.Column("route", sa.String(255), nullable=False),
)

data_rights_requests = sa.Table(
    "data_rights_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", BorrowerIdText, nullable=False, index=True),
    sa.Column("kind", sa.String(24), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("received_at", DateTimeTz, nullable=False),
    sa.Column("due_at", DateTimeTz, nullable=False),
    sa.Column("decided_at", DateTimeTz, nullable=True),
    sa.Column("outcome", sa.Text, nullable=True),
    sa.Column("decided_by", sa.String(80), nullable=True),  # migration 0009: the staff member who answered
    sa.CheckConstraint("kind IN ('copy','correction','deletion','consent_withdrawal')", name="kind"),
    sa.CheckConstraint(f"status IN {sql_in(DataRightsStatus)}", name="status"),
)

plan_requests = sa.Table(
    "plan_requests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", BorrowerIdText, nullable=False, index=True),
    sa.Column("line_id", sa.String(64), nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("income_minor", sa.BigInteger, nullable=False),
    sa.Column("expenses_minor", sa.BigInteger, nullable=False),
    sa.Column("balance_minor", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("periods", sa.Integer, nullable=False),
    sa.Column("rate", sa.String(40), nullable=False),
    sa.Column("installment_minor", sa.BigInteger, nullable=False),
    sa.Column("apr", sa.String(40), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("requested_at", DateTimeTz, nullable=False),
    sa.Column("decided_at", DateTimeTz, nullable=True),
    sa.Column("decided_by", sa.String(80), nullable=True),
    sa.CheckConstraint(f"status IN {sql_in(PlanRequestStatus)}", name="status"),
)

# Idempotency-Key of unsafe API requests: the first response is replayed; a twin arriving while the
# first is still running gets 409. request_sha256 binds the key to one request body.
api_idempotency = sa.Table(
    "api_idempotency",
    metadata,
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("scope", sa.String(200), primary_key=True),
    sa.Column("request_sha256", sa.String(64), nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("response_body", sa.Text, nullable=True),
    sa.Column("created_at", DateTimeTz, nullable=False),
    sa.CheckConstraint("status IN ('in_progress','done')", name="status"),
)
