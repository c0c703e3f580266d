"""The staff audit trail (issue 16, ASVS V7.1/V7.2): one row per state-changing staff action.

Append-only: the code has no update or delete path (fairdue.adapters.db.repos.staff_audit), and migration 0013
adds triggers that refuse UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) in the database itself. A row names
who (staff_id), how (via: api, console or cli), what (action, a stable code) and on what (subject kind and
id); `details` is JSON without personal data (ids, amounts in minor units, codes), checked on write.
"""

from __future__ import annotations

import sqlalchemy as sa

from fairdue.adapters.db.schema.base import metadata
from fairdue.adapters.db.schema.types import ID, UtcDateTime

STAFF_AUDIT_VIAS = ("api", "console", "cli")

staff_audit = sa.Table(
    "staff_audit",
    metadata,
    sa.Column("id", ID, primary_key=True, autoincrement=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("staff_id", sa.Integer, sa.ForeignKey("staff_users.id"), nullable=False),
    sa.Column("via", sa.String(8), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("subject_kind", sa.String(24), nullable=False),
    sa.Column("subject_id", sa.String(64), nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.CheckConstraint("via IN ('api','console','cli')", name="via"),
    sa.Index("ix_staff_audit_staff_id_id", "staff_id", "id"),
    sa.Index("ix_staff_audit_action_id", "action", "id"),
)
