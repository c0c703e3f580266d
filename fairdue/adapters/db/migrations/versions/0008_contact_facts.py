"""contact facts (issue 6 item 5): stored borrower facts the gate reads (attorney, bankruptcy, breathing space,
inconvenient hours).

Revision ID: 0008
Revises: 0007
"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
