"""auth hardening: concurrency-safe limits, password change, and the staff second factor.

* `auth_counters`: fixed-window attempt counters (one-time-code requests per phone, known or not) counted
  by one atomic upsert, so concurrent requests cannot all read the same count.
* `staff_users.password_changed_at`: when the password was last changed.
* `staff_users.totp_secret_ct` / `totp_enabled_at` / `totp_last_step`: the TOTP secret, encrypted through the
  field cipher; enabled once a first code confirms it; the last time step accepted (no code is accepted twice).
* `staff_recovery_codes`: one-time recovery codes for the second factor, stored as keyed HMAC-SHA256.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DateTimeTz = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "auth_counters",
        sa.Column("key", sa.String(96), primary_key=True),
        sa.Column("window_started_at", DateTimeTz, nullable=False),
        sa.Column("hits", sa.Integer, nullable=False),
    )
    op.add_column("staff_users", sa.Column("password_changed_at", DateTimeTz, nullable=True))
    op.add_column("staff_users", sa.Column("totp_secret_ct", sa.String(255), nullable=True))
    op.add_column("staff_users", sa.Column("totp_enabled_at", DateTimeTz, nullable=True))
    op.add_column("staff_users", sa.Column("totp_last_step", sa.BigInteger, nullable=True))
    op.create_table(
        "staff_recovery_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("code_hash", sa.String(64), nullable=False),
        sa.Column("created_at", DateTimeTz, nullable=False),
        sa.Column("used_at", DateTimeTz, nullable=True),
    )
    op.create_index("ix_staff_recovery_codes_staff_id", "staff_recovery_codes", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_staff_recovery_codes_staff_id", table_name="staff_recovery_codes")
    op.drop_table("staff_recovery_codes")
    # SQLite >= 3.35 drops a column in place, as 0007 does
    op.drop_column("staff_users", "totp_last_step")
    op.drop_column("staff_users", "totp_enabled_at")
    op.drop_column("staff_users", "totp_secret_ct")
    op.drop_column("staff_users", "password_changed_at")
    op.drop_table("auth_counters")
