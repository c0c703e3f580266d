"""Who saw a borrower's personal data unmasked, when, and why.

Staff see PII masked (name 张*, phone 138****8000, ID last 4). A role that
needs the clear data (supervisor, compliance, admin) may reveal it with a
stated purpose; every reveal is a row here, in the same transaction as the
read, and the borrower's data export does not hide it from compliance.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from fairdue.adapters.db.schema.web import access_log, staff_users
from fairdue.errors import Invalid

REVEAL_ROLES = ("supervisor", "compliance", "admin")
PURPOSE_LENGTH_MIN = 5
PURPOSE_LENGTH_MAX = 255


class PurposeRequired(Invalid):
    def __init__(self) -> None:
        super().__init__(f"state why you need the unmasked data ({PURPOSE_LENGTH_MIN}–{PURPOSE_LENGTH_MAX} characters)")


def record(
    conn: sa.Connection,
    *,
    staff_id: int,
    borrower_id: str,
    fields: list[str],
    purpose: str,
    route: str,
    now: dt.datetime,
) -> int:
    purpose = (purpose or "").strip()
    if not PURPOSE_LENGTH_MIN <= len(purpose) <= PURPOSE_LENGTH_MAX:
        raise PurposeRequired()
    return conn.execute(
        sa.insert(access_log)
        .values(
            at=now,
            staff_id=staff_id,
            borrower_id=str(borrower_id),
            fields=",".join(sorted(fields))[:255],
            purpose=purpose,
            route=route[:255],
        )
        .returning(access_log.c.id)
    ).scalar_one()


def entries(conn: sa.Connection, *, borrower_id: str | None = None, limit: int = 200) -> list[dict]:
    q = (
        sa.select(access_log, staff_users.c.username)
        .join(staff_users, staff_users.c.id == access_log.c.staff_id)
        .order_by(access_log.c.id.desc())
        .limit(limit)
    )
    if borrower_id is not None:
        q = q.where(access_log.c.borrower_id == str(borrower_id))
    return [dict(r._mapping) for r in conn.execute(q)]
