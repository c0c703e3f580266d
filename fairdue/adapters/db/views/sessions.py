"""A signed-in person's own live web sessions (the sessions page and GET /api/v1/auth/sessions).

Read-only SQL over web_sessions. A session is named by the first SESSION_HANDLE_CHARS hex characters of its
token's hash: enough to tell one's sessions apart, never the token (which is not stored) nor the full hash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.web import web_sessions
from fairdue.domain.instants import aware

SESSION_HANDLE_CHARS = 12
SESSIONS_LISTED_MAX = 100


@dataclass(frozen=True, slots=True)
class LiveSession:
    """handle: the short public name of the session; current: the one this request authenticated with."""

    handle: str
    created_at: dt.datetime
    expires_at: dt.datetime
    current: bool


def live_staff_sessions(
    conn: Connection, *, staff_id: int, now: dt.datetime, current_token_hash: str | None
) -> list[LiveSession]:
    """The staff member's sessions neither revoked nor expired, newest first."""
    rows = conn.execute(
        sa.select(web_sessions.c.token_hash, web_sessions.c.created_at, web_sessions.c.expires_at)
        .where(web_sessions.c.staff_id == staff_id)
        .where(web_sessions.c.revoked_at.is_(None))
        .where(web_sessions.c.expires_at > now)
        .order_by(web_sessions.c.created_at.desc())
        .limit(SESSIONS_LISTED_MAX)
    ).all()
    return [
        LiveSession(
            handle=row.token_hash[:SESSION_HANDLE_CHARS],
            created_at=aware(row.created_at),
            expires_at=aware(row.expires_at),
            current=row.token_hash == current_token_hash,
        )
        for row in rows
    ]
