"""web (issue 7: staff users, sessions, borrower login codes, complaints, access log).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)
# Check-constraint names are short: the shared naming convention prefixes them (ck_<table>_<name>).


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(256), nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", _UTC, nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_users"),
        sa.UniqueConstraint("username", name="uq_staff_users_username"),
    )
    op.create_table(
        "staff_roles",
        sa.Column("staff_id", sa.Integer, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("staff_id", "role", name="pk_staff_roles"),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], ondelete="CASCADE", name="fk_staff_roles_staff_id_staff_users"
        ),
        sa.CheckConstraint("role IN ('agent','supervisor','compliance','admin')", name="role"),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("staff_id", sa.Integer, nullable=True),
        sa.Column("borrower_id", sa.String(64), nullable=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("expires_at", _UTC, nullable=False),
        sa.Column("revoked_at", _UTC, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name="pk_web_sessions"),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff_users.id"], ondelete="CASCADE", name="fk_web_sessions_staff_id_staff_users"
        ),
        sa.CheckConstraint(
            "(kind = 'staff' AND staff_id IS NOT NULL AND borrower_id IS NULL) OR "
            "(kind = 'borrower' AND borrower_id IS NOT NULL AND staff_id IS NULL)",
            name="subject",
        ),
    )
    op.create_table(
        "login_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("phone_hmac", sa.String(64), nullable=False),
        sa.Column("borrower_id", sa.String(64), nullable=False),
        sa.Column("code_hmac", sa.String(64), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("expires_at", _UTC, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("used_at", _UTC, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_login_codes"),
    )
    op.create_index("ix_login_codes_phone_hmac", "login_codes", ["phone_hmac"])
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("borrower_id", sa.String(64), nullable=False),
        sa.Column("account_id", sa.String(64), nullable=True),
        sa.Column("jurisdiction", sa.String(2), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("complexity", sa.String(16), nullable=False),
        sa.Column("received_at", _UTC, nullable=False),
        sa.Column("due_at", _UTC, nullable=False),
        sa.Column("extension_notice", sa.Text, nullable=True),
        sa.Column("assigned_staff_id", sa.Integer, nullable=True),
        sa.Column("decided_at", _UTC, nullable=True),
        sa.Column("decision", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_complaints"),
        sa.ForeignKeyConstraint(
            ["assigned_staff_id"], ["staff_users.id"], name="fk_complaints_assigned_staff_id_staff_users"
        ),
        sa.CheckConstraint("status IN ('received','in_progress','decided','closed')", name="status"),
        sa.CheckConstraint("complexity IN ('standard','complex','extended')", name="complexity"),
    )
    op.create_index("ix_complaints_borrower_id", "complaints", ["borrower_id"])
    op.create_table(
        "complaint_evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("complaint_id", sa.Integer, nullable=False),
        sa.Column("filename", sa.String(255), nullable=False),
        sa.Column("media_type", sa.String(127), nullable=False),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_complaint_evidence"),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            ondelete="CASCADE",
            name="fk_complaint_evidence_complaint_id_complaints",
        ),
    )
    op.create_index("ix_complaint_evidence_complaint_id", "complaint_evidence", ["complaint_id"])
    op.create_table(
        "complaint_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("complaint_id", sa.Integer, nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_complaint_events"),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], ondelete="CASCADE", name="fk_complaint_events_complaint_id_complaints"
        ),
    )
    op.create_index("ix_complaint_events_complaint_id", "complaint_events", ["complaint_id"])
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("staff_id", sa.Integer, nullable=False),
        sa.Column("borrower_id", sa.String(64), nullable=False),
        sa.Column("fields", sa.String(255), nullable=False),
        sa.Column("purpose", sa.String(255), nullable=False),
        sa.Column("route", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_access_log"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"], name="fk_access_log_staff_id_staff_users"),
    )
    op.create_index("ix_access_log_borrower_id", "access_log", ["borrower_id"])
    op.create_table(
        "data_rights_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("borrower_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", _UTC, nullable=False),
        sa.Column("due_at", _UTC, nullable=False),
        sa.Column("decided_at", _UTC, nullable=True),
        sa.Column("outcome", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_data_rights_requests"),
        sa.CheckConstraint("kind IN ('copy','correction','deletion','consent_withdrawal')", name="kind"),
        sa.CheckConstraint("status IN ('received','done','refused','partially_done')", name="status"),
    )
    op.create_index("ix_data_rights_requests_borrower_id", "data_rights_requests", ["borrower_id"])
    op.create_table(
        "plan_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("borrower_id", sa.String(64), nullable=False),
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
        sa.Column("requested_at", _UTC, nullable=False),
        sa.Column("decided_at", _UTC, nullable=True),
        sa.Column("decided_by", sa.String(80), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_plan_requests"),
        sa.CheckConstraint("status IN ('requested','approved','declined','withdrawn')", name="status"),
    )
    op.create_index("ix_plan_requests_borrower_id", "plan_requests", ["borrower_id"])
    op.create_table(
        "api_idempotency",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(200), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("response_status", sa.Integer, nullable=True),
        sa.Column("response_body", sa.Text, nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("key", "scope", name="pk_api_idempotency"),
        sa.CheckConstraint("status IN ('in_progress','done')", name="status"),
    )


def downgrade() -> None:
    for table in (
        "api_idempotency",
        "plan_requests",
        "data_rights_requests",
        "access_log",
        "complaint_events",
        "complaint_evidence",
        "complaints",
        "login_codes",
        "web_sessions",
        "staff_roles",
        "staff_users",
    ):
        op.drop_table(table)
