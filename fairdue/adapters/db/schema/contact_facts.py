"""Contact facts (issue 6 item 5): stored facts that limit contact and that every gate request carries.

`contact_facts` holds one row per fact (fairdue.domain.contact_facts): an attorney representing the
borrower, a bankruptcy, a breathing-space moratorium, or one inconvenient local time range. A row is
about one debt (`account_id`) or every debt of the borrower (NULL). It says who recorded it and when,
where the lender learnt it (`source`), when it takes effect and, if known, when it stops; ending a fact
early sets `ended_at`/`ended_by`/`end_reason` (the row is kept: it is the record of why contact stopped).
The attorney's name and contact are personal data, stored only as field-cipher tokens (`*_ct`,
contexts FACT_CONTEXTS).
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.types import ID, UtcDateTime
from fairdue.domain.contact_facts import KINDS, SOURCES

FACT_CONTEXTS = {
    "attorney_name_ct": "contact_fact.attorney_name",
    "attorney_contact_ct": "contact_fact.attorney_contact",
}
KINDS_SQL = "(" + ",".join(f"'{k}'" for k in KINDS) + ")"
SOURCES_SQL = "(" + ",".join(f"'{s}'" for s in SOURCES) + ")"

contact_facts = sa.Table(
    "contact_facts",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("borrower_id", ID, sa.ForeignKey("borrowers.id"), nullable=False, index=True),
    sa.Column("account_id", ID, sa.ForeignKey("credit_lines.id"), nullable=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("source", sa.String(24), nullable=False),
    sa.Column("effective_from", UtcDateTime(), nullable=False),
    sa.Column("effective_until", UtcDateTime(), nullable=True),
    sa.Column("hours_start", sa.String(5), nullable=True),
    sa.Column("hours_end", sa.String(5), nullable=True),
    sa.Column("attorney_name_ct", sa.Text(), nullable=True),
    sa.Column("attorney_contact_ct", sa.Text(), nullable=True),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", UtcDateTime(), nullable=False),
    sa.Column("ended_at", UtcDateTime(), nullable=True),
    sa.Column("ended_by", sa.String(64), nullable=True),
    sa.Column("end_reason", sa.Text(), nullable=True),
    sa.CheckConstraint(f"kind IN {KINDS_SQL}", name="kind"),
    sa.CheckConstraint(f"source IN {SOURCES_SQL}", name="source"),
    sa.CheckConstraint(
        "(kind = 'inconvenient_hours' AND hours_start IS NOT NULL AND hours_end IS NOT NULL AND account_id IS NULL)"
        " OR (kind <> 'inconvenient_hours' AND hours_start IS NULL AND hours_end IS NULL)",
        name="hours",
    ),
    sa.CheckConstraint(
        "(kind = 'attorney' AND attorney_name_ct IS NOT NULL) OR "
        "(kind <> 'attorney' AND attorney_name_ct IS NULL AND attorney_contact_ct IS NULL)",
        name="attorney",
    ),
    sa.CheckConstraint("effective_until IS NULL OR effective_until > effective_from", name="period"),
    sa.CheckConstraint(
        "(ended_at IS NULL AND ended_by IS NULL) OR (ended_at IS NOT NULL AND ended_by IS NOT NULL)", name="ended"
    ),
)

TABLES = (contact_facts,)
