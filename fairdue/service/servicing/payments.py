"""Payment use cases: pay (idempotent, by the product's waterfall), early payoff, reversal.

A payment posts Dr book:C:cash and credits the line's components the
waterfall chose (`fairdue.domain.allocation`): billed installments and open
charges, oldest due first, fees → interest → principal within each item by
default. What is left after everything billed is paid becomes the borrower's
credit (cl:N:credit), applied automatically on the next statement.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.money import Money
from fairdue.domain.statements import PayoffQuote, ScheduledRow, payoff_quote, prorate_minor
from fairdue.domain.statuses import CreditLineStatus, InstallmentPlanStatus, InstallmentStatus, PaymentStatus
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import (
    AccountNotActive,
    IdempotencyKeyReused,
    InvalidAccountRequest,
    book,
    code,
    get_account,
    product_of,
)
from fairdue.service.servicing.close import close_inline
from fairdue.service.servicing.plans import (
    RESTRUCTURED,
    DebtRestructured,
    complete_if_paid,
    live_plan_of,
    own_interest_by_seq,
)
from fairdue.service.servicing.posting import (
    NotReversible,
    PaymentResult,
    UnknownPayment,
    UnknownPlan,
    open_items,
    payment_result,
    post_payment,
    replay_payment,
    settle_plans,
)


def pay(
    uow: UnitOfWork, *, line_id: int, amount: Money, received_on: date, key: str, actor: StaffActor | None = None
) -> PaymentResult:
    """Take a payment once per idempotency key and spread it by the product's waterfall. `actor`: the staff
    member who enters it (API, CLI), recorded in the staff audit trail with the payment (a replay adds nothing)."""
    close_inline(uow, [line_id], received_on)
    # Lock the line first, then look for the key: a concurrent twin waits here and then sees the first payment.
    line = get_account(uow, line_id=line_id, lock=True)
    replay = replay_payment(uow, key, line_id, amount, "payment")
    if replay is not None:
        return replay
    if line.status == CreditLineStatus.CLOSED:
        raise AccountNotActive(line_id, line.status, "take a payment")
    if amount.currency != line.currency:
        raise InvalidAccountRequest(f"account {line_id} is in {line.currency}; the payment is in {amount.currency}")
    if amount.amount_minor <= 0:
        raise InvalidAccountRequest(f"a payment must be positive, got {amount}")
    rule = product_of(uow, line).allocation
    items = open_items(uow, line_id=line_id)
    result = post_payment(
        uow,
        line_id=line_id,
        currency=line.currency,
        amount_minor=amount.amount_minor,
        received_on=received_on,
        key=key,
        kind="payment",
        items=items,
        rule=rule,
    )
    if actor is not None:
        staff_audit_of(uow).append(
            actor=actor,
            action="payment.entered",
            subject_kind="payment",
            subject_id=result.payment_id,
            details={
                "account_id": line_id,
                "amount_minor": amount.amount_minor,
                "currency": result.currency,
                "received_on": received_on.isoformat(),
            },
        )
    return result


@dataclass(frozen=True, slots=True)
class PayoffResult:
    """The quote the payoff used, what was waived on a billed current period, and the payment that settled the plan."""

    plan_id: int
    quote: PayoffQuote
    billed_unpaid_minor: int
    payment: PaymentResult
    waived_interest_minor: int = 0
    waived_fees_minor: int = 0


def _own_interest(uow: UnitOfWork, plan) -> dict[int, int] | None:
    """For a negotiated plan's installments: each row's own (extension) interest by seq; None for a purchase's plan.

    The rest of a negotiated row's interest, and all its fees, are carried charges the line already owed:
    an early payoff bills them in full and pro-rates only the plan's own interest.
    """
    if plan.kind != "negotiated":
        return None

    return own_interest_by_seq(uow, plan_id=plan.negotiated_plan_id)


def _refuse_restructured(uow: UnitOfWork, plan_id: int, rows) -> None:
    """A plan whose installments a negotiated plan restructured cannot be paid off by itself: name the plan that can."""
    restructured = [i.id for i in rows if i.status == RESTRUCTURED]
    if restructured:
        live, live_rows = live_plan_of(uow, installment_ids=restructured)
        raise DebtRestructured(
            f"plan {plan_id}'s installments were restructured by negotiated plan #{live.id}; pay off that plan's "
            f"installments (installment plan {live_rows[0].plan_id}) instead"
        )


def payoff_amount(uow: UnitOfWork, *, plan_id: int, payoff_on: date) -> tuple[PayoffQuote, int]:
    """What paying a plan off on `payoff_on` costs: (quote for the unbilled part, billed and unpaid).

    For a negotiated plan the quote pro-rates the plan's own interest only; the second figure adds the carried
    interest and fees of its unbilled rows (owed in full).
    """
    r = uow.accounts
    plan = r.plan(plan_id)
    if plan is None:
        raise UnknownPlan(plan_id)
    rows = r.installments_of_plan(plan_id)
    _refuse_restructured(uow, plan_id, rows)
    own = _own_interest(uow, plan)
    if own is not None:
        open_rows = [i for i in rows if i.status == InstallmentStatus.SCHEDULED]
        scheduled = [
            ScheduledRow(i.seq, i.period_start_on, i.due_on, i.principal_due_minor, own.get(i.seq, 0), 0)
            for i in open_rows
        ]
        carried = sum(i.interest_due_minor - own.get(i.seq, 0) + i.fee_due_minor for i in open_rows)
    else:
        scheduled = [
            ScheduledRow(
                i.seq, i.period_start_on, i.due_on, i.principal_due_minor, i.interest_due_minor, i.fee_due_minor
            )
            for i in rows
            if i.status == InstallmentStatus.SCHEDULED and i.seq > 0
        ]
        carried = 0
    upfront = carried + sum(i.fee_due_minor for i in rows if i.status == InstallmentStatus.SCHEDULED and i.seq == 0)
    billed = sum(
        (i.principal_due_minor - i.principal_paid_minor)
        + (i.interest_due_minor - i.interest_paid_minor)
        + (i.fee_due_minor - i.fee_paid_minor)
        for i in rows
        if i.status == InstallmentStatus.BILLED
    )
    return payoff_quote(scheduled, payoff_on), billed + upfront


def early_payoff(uow: UnitOfWork, *, plan_id: int, paid_on: date, key: str) -> PayoffResult:
    """Pay an installment plan off today: interest and fees only for the days used in the current period.

    The current period's interest and periodic fee are pro-rated by days, later
    periods' are dropped; everything billed and unpaid on the plan is paid too.
    Same key again: the first result.

    A negotiated plan's installments (the line's whole restructured debt) are paid off the same way, but
    only the plan's own interest is pro-rated: carried interest and fees were owed before the plan and are
    not time-based, so they are owed in full; the negotiated plan is then completed. A purchase's
    plan whose installments a negotiated plan restructured is refused (DebtRestructured names the plan).
    """
    r = uow.accounts
    plan = r.plan(plan_id)
    if plan is None:
        raise UnknownPlan(plan_id)
    close_inline(uow, [plan.credit_line_id], paid_on)
    line = get_account(uow, line_id=plan.credit_line_id, lock=True)
    existing = r.payment_by_idempotency_key(key)
    if existing is not None:
        if existing.kind != "early_payoff" or existing.credit_line_id != plan.credit_line_id:
            raise IdempotencyKeyReused(f"payment key {key!r} was already used for a different payment (#{existing.id})")
        quote, _ = payoff_amount(uow, plan_id=plan_id, payoff_on=paid_on)
        return PayoffResult(plan_id, quote, 0, payment_result(existing, r.allocations_of(existing.id), created=False))
    plan = r.plan(plan_id)  # re-read under the lock
    _refuse_restructured(uow, plan_id, r.installments_of_plan(plan_id))
    if plan.status != InstallmentPlanStatus.ACTIVE:
        raise InvalidAccountRequest(f"plan {plan_id} is {plan.status}; nothing to pay off")
    if paid_on < plan.start_on:
        raise InvalidAccountRequest(f"payoff date {paid_on} is before the plan started on {plan.start_on}")
    quote, billed_unpaid = payoff_amount(uow, plan_id=plan_id, payoff_on=paid_on)
    rows = r.installments_of_plan(plan_id)
    own = _own_interest(uow, plan)
    negotiated = own is not None
    scheduled = sorted(
        (i for i in rows if i.status == InstallmentStatus.SCHEDULED and (negotiated or i.seq > 0)), key=lambda i: i.seq
    )
    upfront_rows = [i for i in rows if i.status == InstallmentStatus.SCHEDULED and i.seq == 0 and not negotiated]
    # A negotiated row's carried interest and fees (everything but the plan's own interest) are owed in full.
    carried_interest = sum(i.interest_due_minor - own.get(i.seq, 0) for i in scheduled) if negotiated else 0
    carried_fees = sum(i.fee_due_minor for i in scheduled) if negotiated else 0
    cur = line.currency
    # A billed period the payoff falls inside: its unpaid interest/fee for the unused days is waived
    # (on a negotiated row, only the plan's own interest: carried charges are not time-based).
    waive_interest = waive_fees = 0
    for i in rows:
        if i.status == InstallmentStatus.BILLED and i.period_start_on <= paid_on < i.due_on:
            base_i = own.get(i.seq, 0) if negotiated else i.interest_due_minor
            base_f = 0 if negotiated else i.fee_due_minor
            keep_i = prorate_minor(base_i, i.period_start_on, i.due_on, paid_on)
            keep_f = prorate_minor(base_f, i.period_start_on, i.due_on, paid_on)
            wi = max(0, min(base_i - keep_i, i.interest_due_minor - i.interest_paid_minor))
            wf = max(0, min(base_f - keep_f, i.fee_due_minor - i.fee_paid_minor))
            if wi or wf:
                r.set_installment_due(
                    i.id, interest_due_minor=i.interest_due_minor - wi, fee_due_minor=i.fee_due_minor - wf
                )
                waive_interest += wi
                waive_fees += wf
    bill_interest = quote.interest_minor + carried_interest
    bill_fees = quote.fee_minor + carried_fees + sum(i.fee_due_minor for i in upfront_rows)
    for i in upfront_rows:
        r.bill_installment_on(i.id, due_on=paid_on)
    if scheduled:
        first, rest = scheduled[0], scheduled[1:]
        r.bill_installment_as(
            first.id,
            principal_due_minor=quote.principal_minor,
            interest_due_minor=quote.interest_minor + carried_interest,
            fee_due_minor=quote.fee_minor + carried_fees,
            due_on=paid_on,
        )
        for i in rest:
            r.cancel_installment(i.id)
    postings = []
    if waive_interest:
        postings += [
            (book(cur, "interest_income"), Money(waive_interest, cur)),
            (code(line.id, "interest"), Money(-waive_interest, cur)),
        ]
    if waive_fees:
        postings += [
            (book(cur, "fee_income"), Money(waive_fees, cur)),
            (code(line.id, "fees"), Money(-waive_fees, cur)),
        ]
    if bill_interest:
        postings += [
            (code(line.id, "interest"), Money(bill_interest, cur)),
            (book(cur, "interest_income"), Money(-bill_interest, cur)),
        ]
    if bill_fees:
        postings += [(code(line.id, "fees"), Money(bill_fees, cur)), (book(cur, "fee_income"), Money(-bill_fees, cur))]
    if postings:
        ledger.post_entry(
            uow,
            key=f"payoff-bill:{key}",
            kind="payoff_billing",
            business_on=paid_on,
            postings=postings,
            description=f"early payoff of plan {plan_id}: {quote.days_used}/{quote.days_in_period} days of the current period",
        )
    items = open_items(uow, line_id=line.id, plan_id=plan_id)
    total = sum(i.total_minor for i, _k, _t in items)
    if total <= 0:
        raise InvalidAccountRequest(f"plan {plan_id} has nothing left to pay")
    payment = post_payment(
        uow,
        line_id=line.id,
        currency=cur,
        amount_minor=total,
        received_on=paid_on,
        key=key,
        kind="early_payoff",
        items=items,
        rule=product_of(uow, line).allocation,
    )
    r.mark_plan_paid_off(plan_id, closed_on=paid_on)
    if negotiated:
        complete_if_paid(uow, plan_id=plan.negotiated_plan_id, on=paid_on)
    return PayoffResult(plan_id, quote, billed_unpaid, payment, waive_interest, waive_fees)


def reverse_payment(uow: UnitOfWork, *, payment_id: int, reversed_on: date, key: str) -> int:
    """Reverse a payment (e.g. it bounced) with a reversing entry; what it paid is owed again. Returns the entry id."""
    r = uow.accounts
    row = r.payment(payment_id)
    if row is None:
        raise UnknownPayment(payment_id)
    close_inline(uow, [row.credit_line_id], reversed_on)
    get_account(uow, line_id=row.credit_line_id, lock=True)
    rev_key = f"payment-reversal:{key}"
    if row.status == PaymentStatus.REVERSED:
        stored = ledger.get_entry(uow, entry_id=row.reversal_entry_id)
        if stored.key == rev_key:
            return stored.id
        raise NotReversible(f"payment {payment_id} was already reversed (entry #{row.reversal_entry_id})")
    if row.kind != "payment":
        raise NotReversible(f"payment {payment_id} is a {row.kind}; only ordinary payments can be reversed")
    entry = ledger.reverse_entry(
        uow,
        entry_id=row.ledger_entry_id,
        key=rev_key,
        business_on=reversed_on,
        description=f"reversal of payment {payment_id}",
    )
    allocs = r.allocations_of(payment_id)
    r.add_paid((a.target_kind, a.target_id, a.component, -a.amount_minor) for a in allocs)
    r.mark_payment_reversed(payment_id, reversal_entry_id=entry.id)
    settle_plans(uow, [a.target_id for a in allocs if a.target_kind == "installment"])
    return entry.id
