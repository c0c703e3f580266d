"""A signed-in person's own live web sessions (the sessions pages and GET /api/v1/auth/sessions).

Read-only SQL over web_sessions. A session is named by the first SESSION_HANDLE_CHARS hex characters of its
token's hash: enough to tell one's sessions apart, never the token (which is not stored) nor the full hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.web import web_sessions
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.instants import aware

SESSION_HANDLE_CHARS = 12
SESSIONS_LISTED_MAX = 100


@dataclass(frozen=True, slots=True)
class LiveSession:
    """handle: the short public name of the session; last_seen_at: its last use (to the minute); current: the
    one this request authenticated with."""

    handle: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_seen_at: dt.datetime
    current: bool


def live_sessions(
    conn: Connection,
    *,
    staff_id: int | None = None,
    borrower_id: BorrowerId | None = None,
    now: dt.datetime,
    current_token_hash: str | None,
    idle_s: int | None = None,
) -> list[LiveSession]:
    """The staff member's or borrower's (exactly one of the two) sessions neither revoked, expired nor idle for
    `idle_s` seconds, newest first."""
    if (staff_id is None) == (borrower_id is None):
        raise ValueError("name exactly one of staff_id and borrower_id")
    owner = (
        web_sessions.c.staff_id == staff_id
        if staff_id is not None
        else sa.and_(web_sessions.c.kind == "borrower", web_sessions.c.borrower_id == borrower_id)
    )
    q = (
        sa.select(
            web_sessions.c.token_hash,
            web_sessions.c.created_at,
            web_sessions.c.expires_at,
            web_sessions.c.last_seen_at,
        )
        .where(owner)
        .where(web_sessions.c.revoked_at.is_(None))
        .where(web_sessions.c.expires_at > now)
        .order_by(web_sessions.c.created_at.desc())
        .limit(SESSIONS_LISTED_MAX)
    )
    if idle_s is not None:
        q = q.where(web_sessions.c.last_seen_at > now - dt.timedelta(seconds=idle_s))
    return [
        LiveSession(
            handle=row.token_hash[:SESSION_HANDLE_CHARS],
            created_at=aware(row.created_at),
            expires_at=aware(row.expires_at),
            last_seen_at=aware(row.last_seen_at),
            current=row.token_hash == current_token_hash,
        )
        for row in conn.execute(q).all()
    ]


def live_staff_sessions(
    conn: Connection, *, staff_id: int, now: dt.datetime, current_token_hash: str | None, idle_s: int | None = None
) -> list[LiveSession]:
    """The staff member's live sessions (`live_sessions` for staff)."""
    return live_sessions(conn, staff_id=staff_id, now=now, current_token_hash=current_token_hash, idle_s=idle_s)
