"""session idle timeout and authenticator reset (issue 16, ASVS V3.3.2, V2.5, V2.8).

web_sessions.last_seen_at: when the session was last used (refreshed at most once a minute), backfilled from
created_at, then NOT NULL; a session idle longer than the configured limit is refused and revoked.
staff_users.totp_reset_at: when an admin last reset the user's lost authenticator; while it is set and no new
authenticator is confirmed, the user must enrol one before any role-checked route.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("web_sessions", sa.Column("last_seen_at", _UTC, nullable=True))
    op.execute("UPDATE web_sessions SET last_seen_at = created_at")
    with op.batch_alter_table("web_sessions") as batch:
        batch.alter_column("last_seen_at", existing_type=_UTC, nullable=False)
    op.add_column("staff_users", sa.Column("totp_reset_at", _UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("totp_reset_at")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("last_seen_at")
