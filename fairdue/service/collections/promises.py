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

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import credit_lines, payments
from fairdue.adapters.db.schema.collections_engine import coll_cases, coll_promises
from fairdue.domain.money import Money
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


# Built once: what a line (or, for day-end's pending promises, each of many lines) has paid.
_PAID_TOTALS_OF_MANY = (
    sa.select(payments.c.credit_line_id, sa.func.sum(payments.c.amount_minor).label("paid"))
    .where(payments.c.credit_line_id.in_(sa.bindparam("ids", expanding=True)), payments.c.status == "posted")
    .group_by(payments.c.credit_line_id)
)
_PENDING_PROMISES = sa.select(coll_promises).where(coll_promises.c.status == "pending")


def record_promise(
    uow: Any, *, account_id: int, amount: Money, promised_on: date, business_on: date, staff_id: int | None = None
) -> int:
    """Record a promise to pay `amount` by `promised_on`; a pending promise on the line is replaced."""
    currency = uow.connection.execute(
        sa.select(credit_lines.c.currency).where(credit_lines.c.id == account_id)
    ).scalar_one_or_none()
    if currency is None:
        raise PromiseInvalid(f"no credit line {account_id}")
    if amount.currency != currency:
        raise PromiseInvalid(f"promise in {amount.currency} on a {currency} line")
    if amount.amount_minor <= 0:
        raise PromiseInvalid("a promise must be for a positive amount")
    if not business_on <= promised_on <= date.fromordinal(business_on.toordinal() + PROMISE_DAYS_MAX):
        raise PromiseInvalid(f"the promised date must be within {PROMISE_DAYS_MAX} days from {business_on}")
    conn = uow.connection
    conn.execute(
        coll_promises.update()
        .where(coll_promises.c.account_id == account_id, coll_promises.c.status == "pending")
        .values(status="cancelled", resolved_on=business_on)
    )
    case_id = conn.execute(
        sa.select(coll_cases.c.id).where(coll_cases.c.account_id == account_id, coll_cases.c.status == "open")
    ).scalar_one_or_none()
    return conn.execute(
        coll_promises.insert()
        .values(
            account_id=account_id,
            case_id=case_id,
            amount_minor=amount.amount_minor,
            currency=currency,
            promised_on=promised_on,
            paid_before_minor=paid_total_minor(uow, account_id=account_id),
            status="pending",
            recorded_at=uow.clock(),
            recorded_by=staff_id,
            resolved_on=None,
        )
        .returning(coll_promises.c.id)
    ).scalar_one()


def promises_of(uow: Any, *, account_id: int) -> list[Promise]:
    """The line's promises, oldest first."""
    rows = uow.connection.execute(
        sa.select(coll_promises).where(coll_promises.c.account_id == account_id).order_by(coll_promises.c.id)
    )
    return [
        Promise(r.id, r.account_id, r.amount_minor, r.currency, r.promised_on, r.status, r.resolved_on) for r in rows
    ]


def settle_promises(uow: Any, *, business_on: date) -> tuple[int, int]:
    """Pending promises: kept as soon as enough is paid; broken when their date has passed unpaid. (kept, broken)."""
    kept = broken = 0
    conn = uow.connection
    rows = conn.execute(_PENDING_PROMISES).all()
    # What each line has paid, read once for all (settling a promise pays nothing).
    ids = sorted({r.account_id for r in rows})
    totals = {line: int(paid) for line, paid in conn.execute(_PAID_TOTALS_OF_MANY, {"ids": ids})} if ids else {}
    for r in rows:
        paid = totals.get(r.account_id, 0) - r.paid_before_minor
        if paid >= r.amount_minor:
            status, kept = "kept", kept + 1
        elif r.promised_on < business_on:
            status, broken = "broken", broken + 1
        else:
            continue
        uow.connection.execute(_PROMISE_SETTLE, {"promise_id": r.id, "status": status, "resolved_on": business_on})
    return kept, broken


_PROMISE_SETTLE = coll_promises.update().where(coll_promises.c.id == sa.bindparam("promise_id"))
