"""outbox by debt and status: the index a gate request's history read needs.

Every gate request reads the debt's sent messages (`debt_id = ? AND status = 'sent'`). With an index on debt_id
alone beside ix_outbox_messages_due (status, next_attempt_at), SQLite picks the status index and walks every sent
message of every debt for each request, a cost that grows with the whole outbox. One index on (debt_id, status)
serves that read and every lookup by debt alone, so it replaces ix_outbox_messages_debt_id.

Revision ID: 0010
Revises: 0009
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_messages_debt_status", "outbox_messages", ["debt_id", "status"])
    op.drop_index("ix_outbox_messages_debt_id", table_name="outbox_messages")


def downgrade() -> None:
    op.create_index("ix_outbox_messages_debt_id", "outbox_messages", ["debt_id"])
    op.drop_index("ix_outbox_messages_debt_status", table_name="outbox_messages")
