"""The staff context's rows: the access log of unmasked reads (who saw a borrower's personal data, when, why)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.web import access_log, staff_users

FIELDS_CHARS_MAX = 255  # the column's width: the sorted field names, comma-separated
ROUTE_CHARS_MAX = 255


class StaffRepository:
    """Named reads and writes of the staff context, on one unit of work's connection."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock

    def add_access(
        self, *, at: datetime, staff_id: int, borrower_id: str, fields: list[str], purpose: str, route: str
    ) -> int:
        """One unmasked read, written in the reading transaction; returns its id."""
        access_id: int = self.conn.execute(
            sa.insert(access_log)
            .values(
                at=at,
                staff_id=staff_id,
                borrower_id=borrower_id,
                fields=",".join(sorted(fields))[:FIELDS_CHARS_MAX],
                purpose=purpose,
                route=route[:ROUTE_CHARS_MAX],
            )
            .returning(access_log.c.id)
        ).scalar_one()
        return access_id

    def access_entries(self, *, borrower_id: str | None, limit: int) -> list[dict[str, Any]]:
        """The newest unmasked reads first (of one borrower, or of all), each with the staff member's username."""
        q = (
            sa.select(access_log, staff_users.c.username)
            .join(staff_users, staff_users.c.id == access_log.c.staff_id)
            .order_by(access_log.c.id.desc())
            .limit(limit)
        )
        if borrower_id is not None:
            q = q.where(access_log.c.borrower_id == borrower_id)
        return [dict(r._mapping) for r in self.conn.execute(q)]
