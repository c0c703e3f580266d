"""One's own sessions, staff member or borrower: end one, all of them, or all but the one in use (the console
and portal sessions pages and the API). Exactly one of `staff_id` / `borrower_id` names whose sessions."""

from __future__ import annotations

import datetime as dt
import re

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import BorrowerId
from fairdue.errors import NotFound
from fairdue.service.staff.auth import hash_token
from fairdue.service.staff.auth_events import record_auth_event

# A session's public name: the first SESSION_HANDLE_CHARS hex characters of its token's hash (views.sessions).
SESSION_HANDLE_CHARS = 12
_HANDLE = re.compile(rf"^[0-9a-f]{{{SESSION_HANDLE_CHARS}}}$")


class UnknownSession(NotFound):
    def __init__(self) -> None:
        super().__init__("no live session of yours has this name")


def revoke_all(
    uow: UnitOfWork,
    *,
    staff_id: int | None = None,
    borrower_id: BorrowerId | None = None,
    current_token: str | None,
    keep_current: bool,
    now: dt.datetime,
) -> int:
    """End every live session of the staff member or borrower (all but `current_token`'s when `keep_current`);
    returns how many."""
    _one_owner(staff_id, borrower_id)
    keep = hash_token(current_token) if keep_current and current_token else None
    n = uow.staff.revoke_sessions_of(staff_id=staff_id, borrower_id=borrower_id, keep_token_hash=keep, at=now)
    _log(staff_id, borrower_id, now=now, reason="others" if keep_current else "all")
    return n


def revoke_one(
    uow: UnitOfWork,
    *,
    handle: str,
    staff_id: int | None = None,
    borrower_id: BorrowerId | None = None,
    now: dt.datetime,
) -> None:
    """End the one live session of the staff member or borrower named `handle`; UnknownSession when none is
    (another person's session is unknown too)."""
    _one_owner(staff_id, borrower_id)
    text = (handle or "").strip().lower()
    if not _HANDLE.match(text):
        raise UnknownSession()
    if not uow.staff.revoke_session_by_handle(text, staff_id=staff_id, borrower_id=borrower_id, at=now):
        raise UnknownSession()
    _log(staff_id, borrower_id, now=now, reason="one")


def _one_owner(staff_id: int | None, borrower_id: BorrowerId | None) -> None:
    if (staff_id is None) == (borrower_id is None):
        raise ValueError("name exactly one of staff_id and borrower_id")  # a wiring bug, not the caller's input


def _log(staff_id: int | None, borrower_id: BorrowerId | None, *, now: dt.datetime, reason: str) -> None:
    record_auth_event(
        "sessions.revoked",
        at=now,
        staff_id=staff_id,
        borrower_id=None if borrower_id is None else int(borrower_id),
        reason=reason,
    )
