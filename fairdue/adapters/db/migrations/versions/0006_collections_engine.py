"""collections engine (issue 6 items 1-4): cases, strategy assignments, actions, teams, promises, plans,
disputes, cease requests, the day-end event cursor.

The tables are created from their definitions in
fairdue/adapters/db/schema/collections_engine.py (copied onto a private MetaData at upgrade
time), so this revision and the schema module cannot disagree about them.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _tables():
    from fairdue.adapters.db.schema import metadata
    from fairdue.adapters.db.schema.collections_engine import TABLES

    private = sa.MetaData(naming_convention=metadata.naming_convention)
    # Referenced tables must exist on the private MetaData for the foreign keys to resolve.
    for name in ("credit_lines", "borrowers", "staff_users", "decision_log"):
        metadata.tables[name].to_metadata(private)
    return [t.to_metadata(private) for t in TABLES]


def upgrade() -> None:
    bind = op.get_bind()
    for table in _tables():
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(_tables()):
        table.drop(bind)
