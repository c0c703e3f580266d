"""Repayment-plan requests from the portal (个性化分期 / forbearance): proposals from the borrower's
stated income and expenses, each with its true APR, and the request a borrower accepts.

A request is what the borrower asked for; the negotiated plan itself (stopping
collection while it is honoured, rescheduling the ledger) is made by staff in
the collections workflow. Proposal numbers are this lender's policy:
- affordable instalment = AFFORDABLE_SHARE of (income − expenses);
- terms up to the product's negotiated_plan_months_max (CN: 60 months, RULES.md);
- terms up to INTEREST_FREE_MONTHS_MAX carry no interest; longer ones LONG_TERM_MONTHLY_RATE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.money import Money
from fairdue.domain.statuses import PlanRequestStatus
from fairdue.errors import Conflict, FairdueError, Invalid, NotFound
from fairdue.loanmath import add_months, convention_for, schedule, schedule_apr

AFFORDABLE_SHARE = Decimal("0.5")
TERMS_MONTHS = (3, 6, 12, 24, 36, 60)
INTEREST_FREE_MONTHS_MAX = 12
LONG_TERM_MONTHLY_RATE = Decimal("0.005")
INCOME_MINOR_MAX = 10**12


class PlanRequestError(FairdueError):
    """Any refused plan request (the context base; raise a subclass)."""


class PlanRequestInvalid(PlanRequestError, Invalid):
    """Income or expenses out of range, or nothing owed to plan."""

    slug = "plan-request-error"  # the problem type clients saw before this class was split off


class PlanRequestNotFound(PlanRequestError, NotFound):
    """No plan request with that id."""


class PlanRequestDecided(PlanRequestError, Conflict):
    """The plan request was approved or declined already."""

    slug = "plan-request-error"  # the problem type clients saw before this class was split off


@dataclass(frozen=True, slots=True)
class Proposal:
    """kind/periods/rate as loanmath schedules take them; installment_minor: the regular payment
    (the first, which is the largest for these kinds); total_minor: everything paid; apr: true annual rate."""

    kind: str
    periods: int
    rate: Decimal
    installment_minor: int
    total_minor: int
    apr: Decimal
    affordable: bool
    first_due_on: dt.date


def proposals(
    *,
    balance_minor: int,
    currency: str,
    income_minor: int,
    expenses_minor: int,
    today: dt.date,
    jurisdiction: str,
    months_max: int,
) -> list[Proposal]:
    """Plans for `balance_minor`, shortest first; `affordable` when the instalment fits the stated budget."""
    for name, value in (("income", income_minor), ("expenses", expenses_minor)):
        if not 0 <= value <= INCOME_MINOR_MAX:
            raise PlanRequestInvalid(f"{name} must be between 0 and {INCOME_MINOR_MAX // 100:,}")
    if balance_minor <= 0:
        raise PlanRequestInvalid("nothing is owed on this account; no plan is needed")
    budget = int((Decimal(max(0, income_minor - expenses_minor)) * AFFORDABLE_SHARE).to_integral_value())
    first_due_on = add_months(today, 1)
    out = []
    for periods in TERMS_MONTHS:
        if periods > months_max:
            break
        kind, rate = (
            ("zero_fee", Decimal(0)) if periods <= INTEREST_FREE_MONTHS_MAX else ("annuity", LONG_TERM_MONTHLY_RATE)
        )
        plan = schedule(kind, Money(balance_minor, currency), periods, rate, first_due_on, start_on=today)
        installment = max(row.total_minor for row in plan.rows)
        out.append(
            Proposal(
                kind=kind,
                periods=periods,
                rate=rate,
                installment_minor=installment,
                total_minor=sum(row.total_minor for row in plan.rows),
                apr=schedule_apr(plan, today, convention_for(jurisdiction)),
                affordable=installment <= budget,
                first_due_on=first_due_on,
            )
        )
    return out


def request_plan(
    uow: Any,
    *,
    borrower_id: BorrowerId,
    line_id: int,
    currency: str,
    income_minor: int,
    expenses_minor: int,
    balance_minor: int,
    proposal: Proposal,
    now: dt.datetime,
) -> int:
    """Record the plan the borrower accepted; staff confirm it in collections."""
    request_id: int = uow.plans.add_plan_request(
        borrower_id=borrower_id,
        line_id=str(line_id),
        currency=currency,
        income_minor=income_minor,
        expenses_minor=expenses_minor,
        balance_minor=balance_minor,
        kind=proposal.kind,
        periods=proposal.periods,
        rate=str(proposal.rate),
        installment_minor=proposal.installment_minor,
        apr=str(proposal.apr),
        requested_at=now,
    )
    return request_id


def requests_of(uow: Any, *, borrower_id: BorrowerId) -> list[Any]:
    """The borrower's plan requests, newest first."""
    return uow.plans.plan_requests_of(borrower_id)


def pending(uow: Any, *, limit: int = 200) -> list[Any]:
    """Plan requests waiting for a decision, oldest first."""
    return uow.plans.pending_plan_requests(limit=limit)


def decide(
    uow: Any, *, request_id: int, approve: bool, actor: str, now: dt.datetime, staff: StaffActor | None = None
) -> None:
    """Approve or decline a requested plan (the negotiated plan itself is set up in collections). `staff`: who
    decides, recorded in the staff audit trail (plan_request.approved / plan_request.declined)."""
    row = uow.plans.plan_request(request_id)
    if row is None:
        raise PlanRequestNotFound(f"plan request {request_id} not found")
    if row.status != PlanRequestStatus.REQUESTED:
        raise PlanRequestDecided(f"plan request {request_id} is already {row.status}")
    uow.plans.decide_plan_request(
        request_id,
        status=PlanRequestStatus.APPROVED if approve else PlanRequestStatus.DECLINED,
        decided_at=now,
        decided_by=actor[:80],
    )
    if staff is not None:
        staff_audit_of(uow).append(
            actor=staff,
            action="plan_request.approved" if approve else "plan_request.declined",
            subject_kind="plan_request",
            subject_id=request_id,
            details={"line_id": str(row.line_id), "periods": row.periods, "installment_minor": row.installment_minor},
        )
