"""The staff audit trail as the staff context uses it (issue 16, ASVS V7.1.3, V7.2.2): record an action, list
the trail for compliance.

Rows are written through fairdue.adapters.db.repos.staff_audit in the transaction of the action itself;
servicing, collections and portal (below this context) write through the same repository. Reading is for
compliance and admin (AUDIT_READERS), on the console page /console/staff-audit and the API's
/api/v1/audit/staff-actions.
"""

from __future__ import annotations

from typing import Any, Protocol

from fairdue.adapters.db.repos.staff_audit import (
    ACTIONS,
    ENTRIES_LISTED_MAX,
    AuditDetailsInvalid,
    StaffActor,
    staff_audit_of,
)
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.errors import Invalid

__all__ = [
    "ACTIONS",
    "AUDIT_READERS",
    "AuditDetailsInvalid",
    "AuditFilterInvalid",
    "StaffActor",
    "actor_of",
    "entries",
    "record",
    "staff_filter",
]

AUDIT_READERS = ("compliance", "admin")


class AuditFilterInvalid(Invalid):
    """A filter of the trail names an action that does not exist."""


class _StaffPrincipal(Protocol):
    @property
    def staff_id(self) -> int | None: ...


def actor_of(who: _StaffPrincipal, *, via: str) -> StaffActor:
    """The staff member behind a request (a staff Principal), as the trail records them."""
    if who.staff_id is None:  # only staff routes ask: a borrower principal here is a wiring bug
        raise AuditDetailsInvalid("a staff action needs a staff principal")
    return StaffActor(staff_id=who.staff_id, via=via)


def record(
    uow: UnitOfWork,
    *,
    actor: StaffActor,
    action: str,
    subject_kind: str,
    subject_id: int | str,
    details: dict[str, Any],
) -> int:
    """Append one staff action to the trail, in this transaction; returns its id."""
    return staff_audit_of(uow).append(
        actor=actor, action=action, subject_kind=subject_kind, subject_id=subject_id, details=details
    )


def entries(
    uow: UnitOfWork, *, staff_id: int | None = None, action: str | None = None, limit: int = 200
) -> list[dict[str, Any]]:
    """The trail, newest first, filtered by staff member and/or action; at most ENTRIES_LISTED_MAX rows."""
    if action is not None and action not in ACTIONS:
        raise AuditFilterInvalid(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    return staff_audit_of(uow).entries(staff_id=staff_id, action=action, limit=min(limit, ENTRIES_LISTED_MAX))


def staff_filter(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The staff members who appear in the trail ({staff_id, username}): the choices of the page's filter."""
    return staff_audit_of(uow).staff_seen()
