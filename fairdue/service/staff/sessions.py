"""A staff member's own sessions: end all of them, or all but the one in use (the sessions page and API)."""

from __future__ import annotations

import datetime as dt

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.service.staff.auth import hash_token


def revoke_all(
    uow: UnitOfWork, *, staff_id: int, current_token: str | None, keep_current: bool, now: dt.datetime
) -> int:
    """End every live session of `staff_id` (all but `current_token`'s when `keep_current`); returns how many."""
    keep = hash_token(current_token) if keep_current and current_token else None
    return uow.staff.revoke_other_sessions(staff_id, keep_token_hash=keep, at=now)
