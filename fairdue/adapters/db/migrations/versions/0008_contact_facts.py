"""contact facts (issue 6 item 5): stored borrower facts the gate reads (attorney, bankruptcy, breathing space,
inconvenient hours).

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_UTC = sa.DateTime(timezone=True)
# Frozen copies of the closed sets at this revision (a later change adds a migration, never edits this one).
_KINDS = "('attorney','bankruptcy','breathing_space','inconvenient_hours')"
_SOURCES = ("('borrower_oral','borrower_written','attorney_notice','court_notice','insolvency_service',"
            "'debt_advice_agency','public_record')")


def upgrade() -> None:
    op.create_table(
        "contact_facts",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("borrower_id", ID, nullable=False),
        sa.Column("account_id", ID, nullable=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("source", sa.String(24), nullable=False),
        sa.Column("effective_from", _UTC, nullable=False),
        sa.Column("effective_until", _UTC, nullable=True),
        sa.Column("hours_start", sa.String(5), nullable=True),
        sa.Column("hours_end", sa.String(5), nullable=True),
        sa.Column("attorney_name_ct", sa.Text(), nullable=True),
        sa.Column("attorney_contact_ct", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", _UTC, nullable=False),
        sa.Column("ended_at", _UTC, nullable=True),
        sa.Column("ended_by", sa.String(64), nullable=True),
        sa.Column("end_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_contact_facts"),
        sa.ForeignKeyConstraint(["borrower_id"], ["borrowers.id"], name="fk_contact_facts_borrower_id_borrowers"),
        sa.ForeignKeyConstraint(["account_id"], ["credit_lines.id"], name="fk_contact_facts_account_id_credit_lines"),
        sa.CheckConstraint(f"kind IN {_KINDS}", name="kind"),
        sa.CheckConstraint(f"source IN {_SOURCES}", name="source"),
        sa.CheckConstraint(
            "(kind = 'inconvenient_hours' AND hours_start IS NOT NULL AND hours_end IS NOT NULL AND account_id IS NULL)"
            " OR (kind <> 'inconvenient_hours' AND hours_start IS NULL AND hours_end IS NULL)", name="hours"),
        sa.CheckConstraint("(kind = 'attorney' AND attorney_name_ct IS NOT NULL) OR "
                           "(kind <> 'attorney' AND attorney_name_ct IS NULL AND attorney_contact_ct IS NULL)",
                           name="attorney"),
        sa.CheckConstraint("effective_until IS NULL OR effective_until > effective_from", name="period"),
        sa.CheckConstraint("(ended_at IS NULL AND ended_by IS NULL) OR (ended_at IS NOT NULL AND ended_by IS NOT NULL)",
                           name="ended"),
    )
    op.create_index("ix_contact_facts_borrower_id", "contact_facts", ["borrower_id"])


def downgrade() -> None:
    op.drop_index("ix_contact_facts_borrower_id", table_name="contact_facts")
    op.drop_table("contact_facts")
