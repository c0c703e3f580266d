"""staff audit trail: who did what to which record, append-only (issue 16, ASVS V7.1.3, V7.2.x, V8.3.x).

One row per state-changing staff action (plans and fee waivers, plan requests, disputes, payments entered
through the API or the CLI, console sends, reveals of personal data, data-rights answers). The table refuses
UPDATE and DELETE in the database itself (triggers on PostgreSQL and SQLite; on PostgreSQL TRUNCATE too), so a
row cannot be rewritten or removed through any path, fairdue's code has none.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = sa.DateTime(timezone=True)
_REFUSED = "staff_audit is append-only: % refused"


def upgrade() -> None:
    op.create_table(
        "staff_audit",
        sa.Column("id", _ID, primary_key=True, autoincrement=True),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("staff_id", sa.Integer, nullable=False),
        sa.Column("via", sa.String(8), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject_kind", sa.String(24), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_staff_audit"),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"], name="fk_staff_audit_staff_id_staff_users"),
        sa.CheckConstraint("via IN ('api','console','cli')", name="via"),
    )
    op.create_index("ix_staff_audit_staff_id_id", "staff_audit", ["staff_id", "id"])
    op.create_index("ix_staff_audit_action_id", "staff_audit", ["action", "id"])
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def _postgres_triggers() -> None:
    op.execute(
        f"""
        CREATE FUNCTION staff_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{_REFUSED}', TG_OP USING ERRCODE = 'restrict_violation';
        END $$;
        """
    )
    op.execute(
        "CREATE TRIGGER staff_audit_append_only BEFORE UPDATE OR DELETE ON staff_audit "
        "FOR EACH ROW EXECUTE FUNCTION staff_audit_refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER staff_audit_no_truncate BEFORE TRUNCATE ON staff_audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION staff_audit_refuse_change()"
    )


def _sqlite_triggers() -> None:
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER staff_audit_no_{action.lower()} BEFORE {action} ON staff_audit "
            f"BEGIN SELECT RAISE(ABORT, '{_REFUSED.replace('%', action)}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS staff_audit_append_only ON staff_audit")
        op.execute("DROP TRIGGER IF EXISTS staff_audit_no_truncate ON staff_audit")
        op.execute("DROP FUNCTION IF EXISTS staff_audit_refuse_change()")
    op.drop_index("ix_staff_audit_action_id", table_name="staff_audit")
    op.drop_index("ix_staff_audit_staff_id_id", table_name="staff_audit")
    op.drop_table("staff_audit")
