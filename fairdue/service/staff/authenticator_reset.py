"""An admin resets a staff member's lost authenticator (issue 16, ASVS V2.5.x, V2.8): the second factor and its
recovery codes are forgotten, every session of the person ends, and their next login must enrol a new
authenticator before any role-checked route (staff_users.totp_reset_at).

Only an admin may do it, never for their own account (another admin must: one person alone cannot remove their
own second factor), and only with a reason from RESET_REASONS. The reset is a `staff.authenticator_reset` row of
the staff audit trail (the reason's code and how many sessions ended: the trail takes no free text), in the
same transaction, and an auth event.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.errors import Conflict, Forbidden, Invalid, NotFound
from fairdue.service.staff import audit_trail
from fairdue.service.staff.auth_events import record_auth_event

RESET_ROLE = "admin"
# Why an authenticator is reset: the stable codes the form offers (labels in messages.toml under
# authenticator_reset.reason.<code>).
RESET_REASONS = ("device_lost", "device_replaced", "app_reinstalled", "suspected_compromise")
AUDIT_ACTION = "staff.authenticator_reset"


class ResetNotAllowed(Forbidden):
    """Refused: `reason` is "not_admin" or "own_account"."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class UnknownResetReason(Invalid):
    def __init__(self) -> None:
        super().__init__(f"choose why the authenticator is reset: one of {', '.join(RESET_REASONS)}")


class UnknownStaff(NotFound):
    def __init__(self) -> None:
        super().__init__("no staff member has this username")


class NothingToReset(Conflict):
    def __init__(self) -> None:
        super().__init__("this staff member has no authenticator to reset")


@dataclass(frozen=True, slots=True)
class ResetDone:
    """The reset: whose (staff_id, username) and how many of their sessions ended."""

    staff_id: int
    username: str
    sessions_ended: int


def reset_authenticator(
    uow: UnitOfWork, *, actor: audit_trail.StaffActor, username: str, reason: str, now: dt.datetime
) -> ResetDone:
    """Reset the authenticator of the staff member `username` on behalf of `actor` (an admin, not them), for
    `reason` (a RESET_REASONS code); the caller commits. Refused: ResetNotAllowed, UnknownResetReason,
    UnknownStaff, NothingToReset (nothing is written then)."""
    if RESET_ROLE not in uow.staff.roles_of(actor.staff_id):
        raise ResetNotAllowed("not_admin", "only an admin may reset an authenticator")
    if reason not in RESET_REASONS:
        raise UnknownResetReason()
    target = uow.staff.user_by_username(username)
    if target is None:
        raise UnknownStaff()
    if target.id == actor.staff_id:
        raise ResetNotAllowed("own_account", "you cannot reset your own authenticator: ask another admin")
    if not uow.staff.reset_totp(target.id, at=now):
        raise NothingToReset()
    ended = uow.staff.revoke_other_sessions(target.id, keep_token_hash=None, at=now)
    audit_trail.record(
        uow,
        actor=actor,
        action=AUDIT_ACTION,
        subject_kind="staff",
        subject_id=target.id,
        details={"cause": reason, "sessions_ended": ended},
    )
    record_auth_event("staff.second_factor.reset", at=now, staff_id=target.id, username=target.username, reason=reason)
    return ResetDone(staff_id=target.id, username=target.username, sessions_ended=ended)
