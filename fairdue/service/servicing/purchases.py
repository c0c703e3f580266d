"""Purchase use cases: buy on the line (optionally as an installment plan), refund a purchase.

A purchase posts Dr cl:N:principal / Cr book:C:cash and stores a plan: either
"full" (one item, billed on the next statement, the minimum-due percentage
applies to it) or one of the product's installment options, scheduled with
`fairdue.loanmath.schedule` and placed on the line's statement cycles (row k is
billed on the k-th statement from the purchase and due on that statement's due
date, business-day adjusted). Interest and fees are posted when billed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.money import Money
from fairdue.domain.products import InstallmentOption, Product
from fairdue.domain.statements import cycle_due_dates, statement_on_or_after
from fairdue.domain.statuses import CreditLineStatus, InstallmentStatus, PurchaseStatus
from fairdue.errors import Invalid
from fairdue.loanmath import schedule
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import (
    AccountNotActive,
    IdempotencyKeyReused,
    InvalidAccountRequest,
    balances,
    book,
    code,
    get_account,
    product_of,
)
from fairdue.service.servicing.close import close_inline
from fairdue.service.servicing.plans import RESTRUCTURED, credit_refund_to_plan, late_fee_installment_id

MERCHANT_LEN_MAX = 200


class OverLimit(Invalid):
    def __init__(self, line_id: int, amount: Money, available: Money):
        super().__init__(f"purchase of {amount} on account {line_id} exceeds the available credit {available}")
        self.line_id, self.amount, self.available = line_id, amount, available


class UnknownPurchase(Invalid):
    def __init__(self, ref: object):
        super().__init__(f"unknown purchase {ref!r}")


class AlreadyRefunded(Invalid):
    """The purchase was refunded before."""


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One installment as scheduled: seq, period start, statement and due dates, parts in minor units."""

    seq: int
    period_start_on: date
    statement_on: date
    due_on: date
    principal_minor: int
    interest_minor: int
    fee_minor: int


@dataclass(frozen=True, slots=True)
class PurchaseResult:
    """purchase_id, plan_id, ledger_entry_id; kind/periods of the plan; rows as scheduled; created: False on a replay."""

    purchase_id: int
    plan_id: int
    ledger_entry_id: int
    kind: str
    periods: int
    rows: tuple[PlanRow, ...]
    created: bool


def parse_plan(product: Product, plan: str | None) -> InstallmentOption | None:
    """'12' or '12-annuity' → the product's option; None/'full' → pay in full on the statement."""
    if plan is None or plan.strip().lower() in ("", "full", "none"):
        return None
    text = plan.strip()
    periods_text, _, kind = text.partition("-")
    try:
        periods = int(periods_text)
    except ValueError:
        raise InvalidAccountRequest(f"plan must look like 12 or 12-annuity, got {plan!r}") from None
    return product.option(periods, kind or None)


def schedule_rows(
    product: Product, option: InstallmentOption | None, amount: Money, purchased_on: date, cycle_day: int
) -> list[PlanRow]:
    """The installments of a purchase on the line's cycles (pure given the product)."""
    first_statement = statement_on_or_after(purchased_on, cycle_day)
    if option is None:
        ((st, due),) = cycle_due_dates(first_statement, 1, product)
        return [PlanRow(1, purchased_on, st, due, amount.amount_minor, 0, 0)]

    cycles = cycle_due_dates(first_statement, option.periods, product)
    sched = schedule(option.kind, amount, option.periods, option.rate, cycles[0][1], start_on=purchased_on)
    rows = []
    for row in sched.rows:
        k = max(row.seq, 1)
        st, due = cycles[k - 1]
        start = purchased_on if k == 1 else cycles[k - 2][1]
        rows.append(PlanRow(row.seq, start, st, due, row.principal_minor, row.interest_minor, row.fee_minor))
    return rows


def purchase(
    uow: UnitOfWork,
    *,
    line_id: int,
    amount: Money,
    purchased_on: date,
    key: str,
    plan: str | None = None,
    merchant: str | None = None,
) -> PurchaseResult:
    """Buy on the line; `plan` converts it to an installment plan. Same key again: the first result."""
    r = uow.accounts
    close_inline(uow, [line_id], purchased_on)
    # Lock the line first, then look for the key: a concurrent twin waits here and then sees the first purchase.
    line = get_account(uow, line_id=line_id, lock=True)
    existing = r.purchase_by_idempotency_key(key)
    if existing is not None:
        if (existing.credit_line_id, existing.amount_minor, existing.currency) != (
            line_id,
            amount.amount_minor,
            amount.currency,
        ):
            raise IdempotencyKeyReused(
                f"purchase key {key!r} was already used for a different purchase (#{existing.id})"
            )
        return _result(uow, existing, created=False)
    if line.status != CreditLineStatus.ACTIVE:
        raise AccountNotActive(line_id, line.status, "make a purchase")
    if amount.currency != line.currency:
        raise InvalidAccountRequest(f"account {line_id} is in {line.currency}; the purchase is in {amount.currency}")
    if amount.amount_minor <= 0:
        raise InvalidAccountRequest(f"a purchase must be positive, got {amount}")
    if merchant is not None and len(merchant) > MERCHANT_LEN_MAX:
        raise InvalidAccountRequest(f"merchant is longer than {MERCHANT_LEN_MAX} characters")
    if purchased_on < line.opened_on:
        raise InvalidAccountRequest(f"purchase date {purchased_on} is before the account opened on {line.opened_on}")
    last = r.latest_statement(line_id)
    if last is not None and purchased_on <= last.statement_on:
        raise InvalidAccountRequest(
            f"purchase date {purchased_on} falls in a closed cycle (last statement {last.statement_on}); date it after that"
        )
    product = product_of(uow, line)
    option = parse_plan(product, plan)
    bal = balances(uow, line_id=line_id, line=line)
    if amount.amount_minor > bal.available_minor:
        raise OverLimit(line_id, amount, Money(bal.available_minor, line.currency))
    rows = schedule_rows(product, option, amount, purchased_on, line.cycle_day)
    entry = ledger.post_entry(
        uow,
        key=f"purchase:{key}",
        kind="purchase",
        business_on=purchased_on,
        postings=[(code(line_id, "principal"), amount), (book(line.currency, "cash"), -amount)],
        description=merchant,
    )
    pid = r.add_purchase(
        line_id=line_id,
        key=key,
        amount_minor=amount.amount_minor,
        currency=amount.currency,
        merchant=merchant,
        purchased_on=purchased_on,
        ledger_entry_id=entry.id,
        created_at=uow.clock(),
    )
    plan_id = r.add_purchase_plan(
        line_id=line_id,
        purchase_id=pid,
        kind=option.kind if option else "full",
        periods=option.periods if option else 1,
        rate=str(option.rate) if option else "0",
        principal_minor=amount.amount_minor,
        currency=amount.currency,
        start_on=purchased_on,
        first_due_on=rows[0].due_on,
        created_at=uow.clock(),
    )
    r.add_installments(
        [
            {
                "plan_id": plan_id,
                "credit_line_id": line_id,
                "seq": row.seq,
                "period_start_on": row.period_start_on,
                "statement_on": row.statement_on,
                "due_on": row.due_on,
                "currency": amount.currency,
                "principal_due_minor": row.principal_minor,
                "interest_due_minor": row.interest_minor,
                "fee_due_minor": row.fee_minor,
                "principal_paid_minor": 0,
                "interest_paid_minor": 0,
                "fee_paid_minor": 0,
                "status": InstallmentStatus.SCHEDULED,
            }
            for row in rows
        ],
    )
    return PurchaseResult(
        pid,
        plan_id,
        entry.id,
        option.kind if option else "full",
        option.periods if option else 1,
        tuple(rows),
        created=True,
    )


def _result(uow: UnitOfWork, prow, *, created: bool) -> PurchaseResult:
    r = uow.accounts
    plan = r.plan_of_purchase(prow.id)
    rows = tuple(
        PlanRow(
            i.seq,
            i.period_start_on,
            i.statement_on,
            i.due_on,
            i.principal_due_minor,
            i.interest_due_minor,
            i.fee_due_minor,
        )
        for i in r.installments_of_plan(plan.id)
    )
    return PurchaseResult(prow.id, plan.id, prow.ledger_entry_id, plan.kind, plan.periods, rows, created)


def refund_purchase(uow: UnitOfWork, *, purchase_id: int, refunded_on: date, key: str) -> int:
    """Refund a purchase by reversing entries; returns the reversal entry id.

    The purchase entry is reversed (the principal leaves the line); principal the
    borrower already repaid on it becomes the borrower's credit; interest and
    fees billed on it and still unpaid are waived, and so are the unpaid late fees
    (违约金) day-end assessed on its installments (the goods went back); unbilled
    installments are cancelled. Interest and fees already paid stay paid. Same key
    again: a no-op.

    When a negotiated plan restructured the purchase's installments, what the purchase still owed then
    comes off the plan's rows instead, newest first, the excess to credit
    (`fairdue.service.servicing.plans.credit_refund_to_plan`; an extension plan is refused).
    """
    r = uow.accounts
    prow = r.purchase(purchase_id)
    if prow is None:
        raise UnknownPurchase(purchase_id)
    close_inline(uow, [prow.credit_line_id], refunded_on)
    line = get_account(uow, line_id=prow.credit_line_id, lock=True)
    rev_key = f"refund:{key}"
    if prow.status == PurchaseStatus.REFUNDED:
        stored = ledger.get_entry(uow, entry_id=prow.refund_entry_id)
        if stored.key == rev_key:
            return stored.id
        raise AlreadyRefunded(f"purchase {purchase_id} was already refunded (entry #{prow.refund_entry_id})")
    plan = r.plan_of_purchase(purchase_id)
    rows = r.installments_of_plan(plan.id)
    cur = line.currency

    restructured = [i for i in rows if i.status == RESTRUCTURED]
    if restructured:  # a negotiated plan carries what the purchase still owed: the refund reduces the plan
        credit_refund_to_plan(
            uow,
            line_id=line.id,
            currency=cur,
            purchase_id=purchase_id,
            restructured=restructured,
            refunded_on=refunded_on,
            key=key,
        )
    reversal = ledger.reverse_entry(
        uow,
        entry_id=prow.ledger_entry_id,
        key=rev_key,
        business_on=refunded_on,
        description=f"refund of purchase {purchase_id}",
    )
    principal_paid = sum(i.principal_paid_minor for i in rows)
    unpaid_interest = sum(
        i.interest_due_minor - i.interest_paid_minor for i in rows if i.status == InstallmentStatus.BILLED
    )
    unpaid_fees = sum(i.fee_due_minor - i.fee_paid_minor for i in rows if i.status == InstallmentStatus.BILLED)
    late_fees = _open_late_fees(uow, line_id=line.id, installment_ids=[i.id for i in rows])
    unpaid_fees += sum(unpaid for _id, unpaid in late_fees)
    postings = []
    if principal_paid:
        m = Money(principal_paid, cur)
        postings += [(code(line.id, "principal"), m), (code(line.id, "credit"), -m)]
    if unpaid_interest:
        m = Money(unpaid_interest, cur)
        postings += [(book(cur, "interest_income"), m), (code(line.id, "interest"), -m)]
    if unpaid_fees:
        m = Money(unpaid_fees, cur)
        postings += [(book(cur, "fee_income"), m), (code(line.id, "fees"), -m)]
    if postings:
        ledger.post_entry(
            uow,
            key=f"refund-adjust:{key}",
            kind="refund_adjustment",
            business_on=refunded_on,
            postings=postings,
            description=f"refund of purchase {purchase_id}: repaid principal to credit, unpaid charges waived",
        )
    for i in rows:
        if i.status in (InstallmentStatus.SCHEDULED, InstallmentStatus.BILLED):
            paid_any = i.principal_paid_minor + i.interest_paid_minor + i.fee_paid_minor
            r.close_installment(
                i.id,
                principal_due_minor=i.principal_paid_minor,
                interest_due_minor=i.interest_paid_minor,
                fee_due_minor=i.fee_paid_minor,
                status=InstallmentStatus.PAID if paid_any else InstallmentStatus.CANCELLED,
            )
    if late_fees:
        r.waive_charges([cid for cid, _u in late_fees])
    r.mark_plan_refunded(plan.id, closed_on=refunded_on)
    r.mark_purchase_refunded(purchase_id, refund_entry_id=reversal.id)
    return reversal.id


def _open_late_fees(uow: UnitOfWork, *, line_id: int, installment_ids: list[int]) -> list[tuple[int, int]]:
    """(charge id, unpaid minor) of the open late fees day-end assessed on these installments (a late fee's charge
    names its installment in its key, `fairdue.service.servicing.plans.late_fee_installment_id`). A negotiated plan's
    restructured late fees are not open: the plan's refund path waives those."""
    wanted = set(installment_ids)
    found = uow.accounts.open_late_fees(line_id)
    return [
        (f.id, f.amount_minor - f.paid_minor)
        for f in found
        if late_fee_installment_id(f.idempotency_key) in wanted and f.amount_minor > f.paid_minor
    ]


def plan_rate(plan_row) -> Decimal:
    return Decimal(plan_row.rate)
