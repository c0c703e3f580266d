"""Who may work an account (issue 16, OWASP ASVS 4.0 V4.1.x "access control enforced on a trusted service layer",
V4.2.1 "no insecure direct object references"): the one check every console page and API route calls before an
agent composes or sends a message, judges or logs a call, or records a promise. Recording a dispute or a cease is
open to every staff member (it only restricts contact: 12 CFR 1006.6(c), 1006.34(c)(5); CONC 7.14.1R).

    require_account(uow, who=principal, account_id=12)   # raises NotYourCase, or returns
    require_debt(uow, who=principal, debt_id="cl:12")

Supervisors, compliance and admin keep their reach (CASE_ANY_ROLES: each route's own role check still decides
what they may do). A staff member who is only an agent may act on an account only while its open collection case
(coll_cases.agent_id) is assigned to them; a borrower-wide action (a service message `borrower:<id>`)
needs an open case of one of the borrower's accounts assigned to them. Anything else is refused, with the same
answer whether the account exists or not (so the check tells nobody which accounts are someone else's).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, Protocol

from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.errors import Conflict, Forbidden, Invalid
from fairdue.service.servicing.debts import SERVICE_DEBT_ID_FORMAT, line_id_of_debt

CASE_ANY_ROLES = frozenset({"supervisor", "compliance", "admin"})
_SERVICE_DEBT_PREFIX = SERVICE_DEBT_ID_FORMAT.split("{", 1)[0]
_BORROWER_ID_DIGITS_MAX = 18


class NotYourCase(Forbidden):
    """The account's open case is not assigned to this agent (or there is none). `message_key` names the zh/en
    sentence the web answers with (fairdue/web/messages.toml); `reason` is the problem's stable code."""

    reason = "not_your_case"
    message_key = "case.not_yours"


class _Staff(Protocol):
    @property
    def staff_id(self) -> int | None: ...

    @property
    def roles(self) -> Collection[str]: ...


def reaches_every_case(who: _Staff) -> bool:
    """Whether the staff member works every account (a supervisor, compliance or admin role)."""
    return bool(set(who.roles) & CASE_ANY_ROLES)


def may_work_account(uow: Any, *, who: _Staff, account_id: int | None) -> bool:
    """Whether `who` may act on the account: any role of CASE_ANY_ROLES, or the agent of its open case."""
    if reaches_every_case(who):
        return True
    if "agent" not in who.roles or who.staff_id is None or account_id is None or account_id < 1:
        return False
    return who.staff_id in uow.collections.open_case_agents(account_id=account_id)


def may_work_borrower(uow: Any, *, who: _Staff, borrower_id: int | None) -> bool:
    """Whether `who` may act on the borrower as a whole: CASE_ANY_ROLES, or the agent of an open case of theirs."""
    if reaches_every_case(who):
        return True
    if "agent" not in who.roles or who.staff_id is None or borrower_id is None or borrower_id < 1:
        return False
    return who.staff_id in uow.collections.open_case_agents(borrower_id=borrower_id)


REFUSED_DETAIL = "this account's collection case is not assigned to you"


def require_account(uow: Any, *, who: _Staff, account_id: int | None) -> None:
    """Refuse (NotYourCase, a 403) an agent acting on an account whose open case is not theirs."""
    if not may_work_account(uow, who=who, account_id=account_id):
        raise NotYourCase(REFUSED_DETAIL)


def require_borrower(uow: Any, *, who: _Staff, borrower_id: int | None) -> None:
    """Refuse (NotYourCase) an agent acting on a borrower none of whose open cases is theirs."""
    if not may_work_borrower(uow, who=who, borrower_id=borrower_id):
        raise NotYourCase(REFUSED_DETAIL)


def _borrower_of_service_debt(debt_id: str) -> int | None:
    digits = debt_id[len(_SERVICE_DEBT_PREFIX) :]
    if not digits.isascii() or not digits.isdigit() or len(digits) > _BORROWER_ID_DIGITS_MAX:
        return None
    return int(digits)


def require_debt(uow: Any, *, who: _Staff, debt_id: str) -> None:
    """The check for a debt id as the composer names it: `cl:<line>` is the line's case; `borrower:<id>` (service
    messages) any open case of the borrower's; any other id (a debt not on file) only for CASE_ANY_ROLES."""
    if reaches_every_case(who):
        return
    if debt_id.startswith(_SERVICE_DEBT_PREFIX):
        require_borrower(uow, who=who, borrower_id=_borrower_of_service_debt(debt_id))
        return
    require_account(uow, who=who, account_id=line_id_of_debt(debt_id))


class AssigneeInvalid(Invalid):
    """The staff member a case is given to is not an active agent."""


class CaseNotOpen(Conflict):
    """No open collection case has that id (closed cases keep their agent)."""


def assign_case(uow: Any, *, case_id: int, agent_id: int, actor: StaffActor) -> int | None:
    """Give an open case to another agent (a supervisor's or admin's decision, checked by the caller's route);
    a `case.assigned` row of the staff audit trail names who did it, from and to whom, in this transaction.
    Returns the previous agent (None: unassigned)."""
    user = uow.staff.user(agent_id)
    if user is None or not user.active or "agent" not in uow.staff.roles_of(agent_id):
        raise AssigneeInvalid(f"staff member {agent_id} is not an active agent")
    before = uow.collections.reassign_open_case(case_id, agent_id=agent_id)
    if before is None:
        raise CaseNotOpen(f"no open collection case {case_id}")
    staff_audit_of(uow).append(
        actor=actor,
        action="case.assigned",
        subject_kind="case",
        subject_id=case_id,
        details={"account_id": before.account_id, "from_agent_id": before.agent_id, "to_agent_id": agent_id},
    )
    previous: int | None = before.agent_id
    return previous
