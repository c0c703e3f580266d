"""data-rights answers: who answered a borrower's data-rights request.

The request already holds its answer: status (received → done / partially_done / refused), decided_at (when)
and outcome (the note the borrower reads). This adds decided_by, the staff member who answered, so an answer
is attributable like a plan request's decision. Nullable: requests answered before this revision, and
consent withdrawals (recorded done by the borrower's own act), have no staff member.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("data_rights_requests", sa.Column("decided_by", sa.String(80), nullable=True))


def downgrade() -> None:
    op.drop_column("data_rights_requests", "decided_by")  # SQLite >= 3.35 drops a column in place, as 0007 does
