"""Promises to pay: recorded with amount and date; settled at day-end as kept or broken.

A pending promise pauses the account's collection cadence (run_due_steps leaves its steps
planned); once the promised date has passed, `settle_promises` compares what was paid on the line
since the promise was recorded with the promised amount: enough → kept, otherwise broken — and a
broken promise lets the paused steps run again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.domain.money import Money
from fairdue.domain.statuses import PromiseStatus
from fairdue.errors import Invalid
from fairdue.service.servicing.posting import paid_total_minor

PROMISE_DAYS_MAX = 30  # a promise further out than this is a plan, not a promise


class PromiseInvalid(Invalid, ValueError):
    """A promise to pay that cannot be recorded (the message says why)."""


@dataclass(frozen=True, slots=True)
class Promise:
    """A promise to pay. resolved_on: None while pending."""

    id: int
    account_id: int
    amount_minor: int
    currency: str
    promised_on: date
    status: str
    resolved_on: date | None


def record_promise(
    uow: Any,
    *,
    account_id: int,
    amount: Money,
    promised_on: date,
    business_on: date,
    staff_id: int | None = None,
    actor: StaffActor | None = None,
) -> int:
    """Record a promise to pay `amount` by `promised_on`; a pending promise on the line is replaced. A staff
    member's promise (`actor`) is a `promise.recorded` row of the staff audit trail, in this transaction."""
    repo = uow.actions
    currency = repo.currency_of_line(account_id)
    if currency is None:
        raise PromiseInvalid(f"no credit line {account_id}")
    if amount.currency != currency:
        raise PromiseInvalid(f"promise in {amount.currency} on a {currency} line")
    if amount.amount_minor <= 0:
        raise PromiseInvalid("a promise must be for a positive amount")
    if not business_on <= promised_on <= date.fromordinal(business_on.toordinal() + PROMISE_DAYS_MAX):
        raise PromiseInvalid(f"the promised date must be within {PROMISE_DAYS_MAX} days from {business_on}")
    repo.cancel_pending_promises(account_id=account_id, resolved_on=business_on)
    case_id = uow.plans.open_case_id_of(account_id)
    promise_id: int = repo.add_promise(
        account_id=account_id,
        case_id=case_id,
        amount_minor=amount.amount_minor,
        currency=currency,
        promised_on=promised_on,
        paid_before_minor=paid_total_minor(uow, account_id=account_id),
        recorded_by=staff_id if actor is None else actor.staff_id,
    )
    if actor is not None:
        staff_audit_of(uow).append(
            actor=actor,
            action="promise.recorded",
            subject_kind="account",
            subject_id=account_id,
            details={
                "promise_id": promise_id,
                "case_id": case_id,
                "amount_minor": amount.amount_minor,
                "currency": currency,
                "promised_on": promised_on.isoformat(),
            },
        )
    return promise_id


def promises_of(uow: Any, *, account_id: int) -> list[Promise]:
    """The line's promises, oldest first."""
    return [
        Promise(r.id, r.account_id, r.amount_minor, r.currency, r.promised_on, r.status, r.resolved_on)
        for r in uow.actions.promises_of(account_id)
    ]


def settle_promises(uow: Any, *, business_on: date) -> tuple[int, int]:
    """Pending promises: kept as soon as enough is paid; broken when their date has passed unpaid. (kept, broken)."""
    kept = broken = 0
    repo = uow.actions
    rows = repo.pending_promises()
    # What each line has paid, read once for all (settling a promise pays nothing).
    ids = sorted({r.account_id for r in rows})
    totals = repo.paid_totals(ids) if ids else {}
    for r in rows:
        paid = totals.get(r.account_id, 0) - r.paid_before_minor
        if paid >= r.amount_minor:
            status, kept = PromiseStatus.KEPT, kept + 1
        elif r.promised_on < business_on:
            status, broken = PromiseStatus.BROKEN, broken + 1
        else:
            continue
        repo.settle_promise(r.id, status=status, resolved_on=business_on)
    return kept, broken
