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

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import installment_plans, installments, payment_allocations, payments
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.allocation import AllocationResult, DueItem, allocate
from fairdue.domain.money import Money
from fairdue.domain.products import AllocationRule
from fairdue.domain.statements import PayoffQuote, ScheduledRow, payoff_quote, prorate_minor
from fairdue.errors import FairdueError
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
from fairdue.service.servicing.products import repo

_COMPONENT_ACCOUNT = {"fees": "fees", "interest": "interest", "principal": "principal"}
# Target kind by the `part` of a row of AccountsRepository.open_items.
_OPEN_ITEM_KIND = ("installment", "charge")


class UnknownPayment(FairdueError):
    def __init__(self, ref: object):
        super().__init__(f"unknown payment {ref!r}")


class NotReversible(FairdueError):
    pass


class UnknownPlan(FairdueError):
    def __init__(self, ref: object):
        super().__init__(f"unknown installment plan {ref!r}")


@dataclass(frozen=True, slots=True)
class PaymentResult:
    """payment_id, ledger_entry_id; amount_minor applied per component; unapplied_minor went to credit.

    created: False when the idempotency key was seen before (nothing new written).
    """

    payment_id: int
    ledger_entry_id: int
    currency: str
    amount_minor: int
    fees_minor: int
    interest_minor: int
    principal_minor: int
    unapplied_minor: int
    created: bool


def open_items(uow: UnitOfWork, *, line_id: int, plan_id: int | None = None) -> list[tuple[DueItem, str, int]]:
    """(DueItem, target_kind, target_id) for what is billed and unpaid (and, without plan_id, open charges)."""
    r = repo(uow)
    if plan_id is None:  # the whole line: installments and charges in one query
        rows = [(_OPEN_ITEM_KIND[o.part], o) for o in r.open_items(line_id) if o.fees + o.interest + o.principal]
        return [(DueItem(f"{kind}:{o.id}", o.due_on, o.seq, o.fees, o.interest, o.principal), kind, o.id)
                for kind, o in rows]
    out = []
    for i in r.open_billed_installments(line_id, plan_id):
        item = DueItem(
            f"installment:{i.id}", i.due_on, i.seq, i.fee_due_minor - i.fee_paid_minor,
            i.interest_due_minor - i.interest_paid_minor, i.principal_due_minor - i.principal_paid_minor,
        )
        if item.total_minor:
            out.append((item, "installment", i.id))
    return out


def _apply(uow: UnitOfWork, *, payment_id: int, items: list[tuple[DueItem, str, int]], result: AllocationResult) -> None:
    r = repo(uow)
    target = {item.item_id: (kind, tid) for item, kind, tid in items}
    rows = []
    for a in result.allocations:
        kind, tid = target[a.item_id]
        rows.append({"payment_id": payment_id, "target_kind": kind, "target_id": tid, "component": a.component,
                     "amount_minor": a.amount_minor})
    r.add_paid((row["target_kind"], row["target_id"], row["component"], row["amount_minor"]) for row in rows)
    r.insert_many(payment_allocations, rows)
    _settle_plans(uow, sorted(_settled_installments(items, result)))


def _settled_installments(items: list[tuple[DueItem, str, int]], result: AllocationResult) -> set[int]:
    """The billed installments this allocation pays in full (now 'paid').

    Only their plans can change status: an installment the payment leaves part-unpaid is still billed, so its
    plan (active, as a plan with a billed row always is) stays active and need not be read back.
    """
    paid: dict[str, int] = {}
    for a in result.allocations:
        paid[a.item_id] = paid.get(a.item_id, 0) + a.amount_minor
    return {tid for item, kind, tid in items if kind == "installment" and item.item_id in paid
            and paid[item.item_id] == item.total_minor}


def _plans_to_settle() -> sa.Select:
    """(plan id, status, installments not paid or cancelled) of the plans of the installments :ids (not refunded)."""
    p, i = installment_plans.c, installments.c
    still_open = (sa.select(sa.func.count()).where(i.plan_id == p.id, i.status.not_in(("paid", "cancelled")))
                  .scalar_subquery())
    return sa.select(p.id, p.status, still_open).where(
        p.id.in_(sa.select(i.plan_id).where(i.id.in_(sa.bindparam("ids", expanding=True)))), p.status != "refunded")


# Built once: run after every payment that pays an installment off.
_PLANS_TO_SETTLE = _plans_to_settle()


def _settle_plans(uow: UnitOfWork, installment_ids: list[int]) -> None:
    """Mark plans whose every installment is paid or cancelled as paid_off (and back to active if not)."""
    if not installment_ids:
        return
    r = repo(uow)
    for pid, status, open_rows in uow.connection.execute(_PLANS_TO_SETTLE, {"ids": list(installment_ids)}):
        want = "active" if open_rows else "paid_off"
        if status != want:
            r.update(installment_plans, pid, status=want)


def _result(row, alloc_rows, created: bool) -> PaymentResult:
    by = {"fees": 0, "interest": 0, "principal": 0}
    for a in alloc_rows:
        by[a.component] += a.amount_minor
    return PaymentResult(row.id, row.ledger_entry_id, row.currency, row.amount_minor, by["fees"], by["interest"],
                         by["principal"], row.unapplied_minor, created)


def _replay(uow: UnitOfWork, key: str, line_id: int, amount: Money, kind: str) -> PaymentResult | None:
    r = repo(uow)
    row = r.one(payments, idempotency_key=key)
    if row is None:
        return None
    if (row.credit_line_id, row.currency, row.kind) != (line_id, amount.currency, kind) or (
        kind == "payment" and row.amount_minor != amount.amount_minor
    ):
        raise IdempotencyKeyReused(f"payment key {key!r} was already used for a different payment (#{row.id})")
    return _result(row, r.allocations_of(row.id), created=False)


def _post_payment(
    uow: UnitOfWork, *, line_id: int, currency: str, amount_minor: int, received_on: date, key: str, kind: str,
    items: list[tuple[DueItem, str, int]], rule: AllocationRule, from_credit: bool = False,
) -> PaymentResult:
    result = allocate(amount_minor, [i for i, _k, _t in items], rule)
    by = result.by_component()
    source = code(line_id, "credit") if from_credit else book(currency, "cash")
    postings = [(source, Money(amount_minor, currency))]
    for component, part in _COMPONENT_ACCOUNT.items():
        if by[component]:
            postings.append((code(line_id, part), Money(-by[component], currency)))
    if result.unapplied_minor:
        if from_credit:
            raise InvalidAccountRequest("credit applied beyond what is billed")  # callers apply at most what is owed
        postings.append((code(line_id, "credit"), Money(-result.unapplied_minor, currency)))
    entry = ledger.post_entry(uow, key=f"{kind}:{key}", kind=kind, business_on=received_on, postings=postings)
    r = repo(uow)
    pid = r.insert(
        payments, credit_line_id=line_id, idempotency_key=key, kind=kind, amount_minor=amount_minor, currency=currency,
        received_on=received_on, unapplied_minor=result.unapplied_minor, ledger_entry_id=entry.id, status="posted",
        created_at=uow.clock(),
    )
    _apply(uow, payment_id=pid, items=items, result=result)
    return PaymentResult(pid, entry.id, currency, amount_minor, by["fees"], by["interest"], by["principal"],
                         result.unapplied_minor, True)


def _close_inline(uow: UnitOfWork, line_id: int, on: date) -> None:
    """Inline close-of-business before a write (day-end's `before_write`), imported late: day-end imports servicing."""
    from fairdue.service.dayend.runner import before_write

    before_write(uow, line_id, on)


def pay(uow: UnitOfWork, *, line_id: int, amount: Money, received_on: date, key: str) -> PaymentResult:
    """Take a payment once per idempotency key and spread it by the product's waterfall."""
    _close_inline(uow, line_id, received_on)
    # Lock the line first, then look for the key: a concurrent twin waits here and then sees the first payment.
    line = get_account(uow, line_id=line_id, lock=True)
    replay = _replay(uow, key, line_id, amount, "payment")
    if replay is not None:
        return replay
    if line.status == "closed":
        raise AccountNotActive(line_id, line.status, "take a payment")
    if amount.currency != line.currency:
        raise InvalidAccountRequest(f"account {line_id} is in {line.currency}; the payment is in {amount.currency}")
    if amount.amount_minor <= 0:
        raise InvalidAccountRequest(f"a payment must be positive, got {amount}")
    rule = product_of(uow, line).allocation
    items = open_items(uow, line_id=line_id)
    return _post_payment(uow, line_id=line_id, currency=line.currency, amount_minor=amount.amount_minor,
                         received_on=received_on, key=key, kind="payment", items=items, rule=rule)


def apply_credit(uow: UnitOfWork, *, line_id: int, on: date, key: str) -> PaymentResult | None:
    """Use the borrower's credit balance to pay what is billed (statement time); None when there is nothing to do."""
    line = get_account(uow, line_id=line_id, lock=True)
    credit = -repo(uow).ledger_balances([code(line_id, "credit")]).get(code(line_id, "credit"), 0)
    items = open_items(uow, line_id=line_id)
    owed = sum(i.total_minor for i, _k, _t in items)
    amount = min(credit, owed)
    if amount <= 0:
        return None
    replay = _replay(uow, key, line_id, Money(amount, line.currency), "credit_applied")
    if replay is not None:
        return replay
    return _post_payment(uow, line_id=line_id, currency=line.currency, amount_minor=amount, received_on=on, key=key,
                         kind="credit_applied", items=items, rule=product_of(uow, line).allocation, from_credit=True)


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
    from fairdue.service.servicing.plans import own_interest_by_seq

    return own_interest_by_seq(uow, plan_id=plan.negotiated_plan_id)


def _refuse_restructured(uow: UnitOfWork, plan_id: int, rows) -> None:
    """A plan whose installments a negotiated plan restructured cannot be paid off by itself: name the plan that can."""
    from fairdue.service.servicing.plans import RESTRUCTURED, DebtRestructured, live_plan_of

    restructured = [i.id for i in rows if i.status == RESTRUCTURED]
    if restructured:
        live, live_rows = live_plan_of(uow, installment_ids=restructured)
        raise DebtRestructured(
            f"plan {plan_id}'s installments were restructured by negotiated plan #{live.id}; pay off that plan's "
            f"installments (installment plan {live_rows[0].plan_id}) instead")


def payoff_amount(uow: UnitOfWork, *, plan_id: int, payoff_on: date) -> tuple[PayoffQuote, int]:
    """What paying a plan off on `payoff_on` costs: (quote for the unbilled part, billed and unpaid).

    For a negotiated plan the quote pro-rates the plan's own interest only; the second figure adds the carried
    interest and fees of its unbilled rows (owed in full).
    """
    r = repo(uow)
    plan = r.one(installment_plans, id=plan_id)
    if plan is None:
        raise UnknownPlan(plan_id)
    rows = r.installments_of_plan(plan_id)
    _refuse_restructured(uow, plan_id, rows)
    own = _own_interest(uow, plan)
    if own is not None:
        open_rows = [i for i in rows if i.status == "scheduled"]
        scheduled = [ScheduledRow(i.seq, i.period_start_on, i.due_on, i.principal_due_minor, own.get(i.seq, 0), 0)
                     for i in open_rows]
        carried = sum(i.interest_due_minor - own.get(i.seq, 0) + i.fee_due_minor for i in open_rows)
    else:
        scheduled = [ScheduledRow(i.seq, i.period_start_on, i.due_on, i.principal_due_minor, i.interest_due_minor,
                                  i.fee_due_minor) for i in rows if i.status == "scheduled" and i.seq > 0]
        carried = 0
    upfront = carried + sum(i.fee_due_minor for i in rows if i.status == "scheduled" and i.seq == 0)
    billed = sum(
        (i.principal_due_minor - i.principal_paid_minor) + (i.interest_due_minor - i.interest_paid_minor)
        + (i.fee_due_minor - i.fee_paid_minor)
        for i in rows if i.status == "billed"
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
    r = repo(uow)
    plan = r.one(installment_plans, id=plan_id)
    if plan is None:
        raise UnknownPlan(plan_id)
    _close_inline(uow, plan.credit_line_id, paid_on)
    line = get_account(uow, line_id=plan.credit_line_id, lock=True)
    existing = r.one(payments, idempotency_key=key)
    if existing is not None:
        if existing.kind != "early_payoff" or existing.credit_line_id != plan.credit_line_id:
            raise IdempotencyKeyReused(f"payment key {key!r} was already used for a different payment (#{existing.id})")
        quote, _ = payoff_amount(uow, plan_id=plan_id, payoff_on=paid_on)
        return PayoffResult(plan_id, quote, 0, _result(existing, r.allocations_of(existing.id), created=False))
    plan = r.one(installment_plans, id=plan_id)  # re-read under the lock
    _refuse_restructured(uow, plan_id, r.installments_of_plan(plan_id))
    if plan.status != "active":
        raise InvalidAccountRequest(f"plan {plan_id} is {plan.status}; nothing to pay off")
    if paid_on < plan.start_on:
        raise InvalidAccountRequest(f"payoff date {paid_on} is before the plan started on {plan.start_on}")
    quote, billed_unpaid = payoff_amount(uow, plan_id=plan_id, payoff_on=paid_on)
    rows = r.installments_of_plan(plan_id)
    own = _own_interest(uow, plan)
    negotiated = own is not None
    scheduled = sorted((i for i in rows if i.status == "scheduled" and (negotiated or i.seq > 0)), key=lambda i: i.seq)
    upfront_rows = [i for i in rows if i.status == "scheduled" and i.seq == 0 and not negotiated]
    # A negotiated row's carried interest and fees (everything but the plan's own interest) are owed in full.
    carried_interest = sum(i.interest_due_minor - own.get(i.seq, 0) for i in scheduled) if negotiated else 0
    carried_fees = sum(i.fee_due_minor for i in scheduled) if negotiated else 0
    cur = line.currency
    # A billed period the payoff falls inside: its unpaid interest/fee for the unused days is waived
    # (on a negotiated row, only the plan's own interest: carried charges are not time-based).
    waive_interest = waive_fees = 0
    for i in rows:
        if i.status == "billed" and i.period_start_on <= paid_on < i.due_on:
            base_i = own.get(i.seq, 0) if negotiated else i.interest_due_minor
            base_f = 0 if negotiated else i.fee_due_minor
            keep_i = prorate_minor(base_i, i.period_start_on, i.due_on, paid_on)
            keep_f = prorate_minor(base_f, i.period_start_on, i.due_on, paid_on)
            wi = max(0, min(base_i - keep_i, i.interest_due_minor - i.interest_paid_minor))
            wf = max(0, min(base_f - keep_f, i.fee_due_minor - i.fee_paid_minor))
            if wi or wf:
                r.update(installments, i.id, interest_due_minor=i.interest_due_minor - wi, fee_due_minor=i.fee_due_minor - wf)
                waive_interest += wi
                waive_fees += wf
    bill_interest = quote.interest_minor + carried_interest
    bill_fees = quote.fee_minor + carried_fees + sum(i.fee_due_minor for i in upfront_rows)
    for i in upfront_rows:
        r.update(installments, i.id, status="billed", due_on=paid_on)
    if scheduled:
        first, rest = scheduled[0], scheduled[1:]
        r.update(installments, first.id, principal_due_minor=quote.principal_minor,
                 interest_due_minor=quote.interest_minor + carried_interest, fee_due_minor=quote.fee_minor + carried_fees,
                 due_on=paid_on, status="billed")
        for i in rest:
            r.update(installments, i.id, principal_due_minor=0, interest_due_minor=0, fee_due_minor=0, status="cancelled")
    postings = []
    if waive_interest:
        postings += [(book(cur, "interest_income"), Money(waive_interest, cur)), (code(line.id, "interest"), Money(-waive_interest, cur))]
    if waive_fees:
        postings += [(book(cur, "fee_income"), Money(waive_fees, cur)), (code(line.id, "fees"), Money(-waive_fees, cur))]
    if bill_interest:
        postings += [(code(line.id, "interest"), Money(bill_interest, cur)), (book(cur, "interest_income"), Money(-bill_interest, cur))]
    if bill_fees:
        postings += [(code(line.id, "fees"), Money(bill_fees, cur)), (book(cur, "fee_income"), Money(-bill_fees, cur))]
    if postings:
        ledger.post_entry(uow, key=f"payoff-bill:{key}", kind="payoff_billing", business_on=paid_on, postings=postings,
                          description=f"early payoff of plan {plan_id}: {quote.days_used}/{quote.days_in_period} days of the current period")
    items = open_items(uow, line_id=line.id, plan_id=plan_id)
    total = sum(i.total_minor for i, _k, _t in items)
    if total <= 0:
        raise InvalidAccountRequest(f"plan {plan_id} has nothing left to pay")
    payment = _post_payment(uow, line_id=line.id, currency=cur, amount_minor=total, received_on=paid_on, key=key,
                            kind="early_payoff", items=items, rule=product_of(uow, line).allocation)
    r.update(installment_plans, plan_id, status="paid_off", closed_on=paid_on)
    if negotiated:
        from fairdue.service.servicing.plans import complete_if_paid

        complete_if_paid(uow, plan_id=plan.negotiated_plan_id, on=paid_on)
    return PayoffResult(plan_id, quote, billed_unpaid, payment, waive_interest, waive_fees)


def reverse_payment(uow: UnitOfWork, *, payment_id: int, reversed_on: date, key: str) -> int:
    """Reverse a payment (e.g. it bounced) with a reversing entry; what it paid is owed again. Returns the entry id."""
    r = repo(uow)
    row = r.one(payments, id=payment_id)
    if row is None:
        raise UnknownPayment(payment_id)
    _close_inline(uow, row.credit_line_id, reversed_on)
    get_account(uow, line_id=row.credit_line_id, lock=True)
    rev_key = f"payment-reversal:{key}"
    if row.status == "reversed":
        stored = ledger.get_entry(uow, entry_id=row.reversal_entry_id)
        if stored.key == rev_key:
            return stored.id
        raise NotReversible(f"payment {payment_id} was already reversed (entry #{row.reversal_entry_id})")
    if row.kind != "payment":
        raise NotReversible(f"payment {payment_id} is a {row.kind}; only ordinary payments can be reversed")
    entry = ledger.reverse_entry(uow, entry_id=row.ledger_entry_id, key=rev_key, business_on=reversed_on,
                                 description=f"reversal of payment {payment_id}")
    allocs = r.allocations_of(payment_id)
    r.add_paid((a.target_kind, a.target_id, a.component, -a.amount_minor) for a in allocs)
    r.update(payments, payment_id, status="reversed", reversal_entry_id=entry.id)
    _settle_plans(uow, [a.target_id for a in allocs if a.target_kind == "installment"])
    return entry.id
