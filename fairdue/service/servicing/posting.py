"""Posting to a line: what is open on it, a payment spread by the product's waterfall, and the borrower's credit
applied to what is billed (statement time).

The lowest servicing step under payments, statements and plans: it posts Dr book:C:cash (or the line's
credit) and credits the components the waterfall chose (`fairdue.domain.allocation`); what is left after
everything billed is paid becomes the borrower's credit (cl:N:credit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.allocation import AllocationResult, DueItem, allocate
from fairdue.domain.money import Money
from fairdue.domain.products import AllocationRule
from fairdue.domain.statuses import InstallmentPlanStatus
from fairdue.errors import Invalid
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import (
    IdempotencyKeyReused,
    InvalidAccountRequest,
    book,
    code,
    get_account,
    product_of,
)

_COMPONENT_ACCOUNT = {"fees": "fees", "interest": "interest", "principal": "principal"}
# Target kind by the `part` of a row of AccountsRepository.open_items.
_OPEN_ITEM_KIND = ("installment", "charge")


class UnknownPayment(Invalid):
    def __init__(self, ref: object):
        super().__init__(f"unknown payment {ref!r}")


class NotReversible(Invalid):
    """The payment cannot be reversed in its current state."""


class UnknownPlan(Invalid):
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
    r = uow.accounts
    if plan_id is None:  # the whole line: installments and charges in one query
        rows = [(_OPEN_ITEM_KIND[o.part], o) for o in r.open_items(line_id) if o.fees + o.interest + o.principal]
        return [
            (DueItem(f"{kind}:{o.id}", o.due_on, o.seq, o.fees, o.interest, o.principal), kind, o.id)
            for kind, o in rows
        ]
    out = []
    for i in r.open_billed_installments(line_id, plan_id):
        item = DueItem(
            f"installment:{i.id}",
            i.due_on,
            i.seq,
            i.fee_due_minor - i.fee_paid_minor,
            i.interest_due_minor - i.interest_paid_minor,
            i.principal_due_minor - i.principal_paid_minor,
        )
        if item.total_minor:
            out.append((item, "installment", i.id))
    return out


def _apply(
    uow: UnitOfWork, *, payment_id: int, items: list[tuple[DueItem, str, int]], result: AllocationResult
) -> None:
    r = uow.accounts
    target = {item.item_id: (kind, tid) for item, kind, tid in items}
    rows: list[dict[str, Any]] = []
    for a in result.allocations:
        kind, tid = target[a.item_id]
        rows.append(
            {
                "payment_id": payment_id,
                "target_kind": kind,
                "target_id": tid,
                "component": a.component,
                "amount_minor": a.amount_minor,
            }
        )
    r.add_paid((row["target_kind"], row["target_id"], row["component"], row["amount_minor"]) for row in rows)
    r.add_allocations(rows)
    settle_plans(uow, sorted(_settled_installments(items, result)))


def _settled_installments(items: list[tuple[DueItem, str, int]], result: AllocationResult) -> set[int]:
    """The billed installments this allocation pays in full (now 'paid').

    Only their plans can change status: an installment the payment leaves part-unpaid is still billed, so its
    plan (active, as a plan with a billed row always is) stays active and need not be read back.
    """
    paid: dict[str, int] = {}
    for a in result.allocations:
        paid[a.item_id] = paid.get(a.item_id, 0) + a.amount_minor
    return {
        tid
        for item, kind, tid in items
        if kind == "installment" and item.item_id in paid and paid[item.item_id] == item.total_minor
    }


def paid_total_minor(uow: UnitOfWork, *, account_id: int) -> int:
    """Sum of posted payments on the line (minor units)."""
    return uow.accounts.paid_total_minor(account_id)


def settle_plans(uow: UnitOfWork, installment_ids: list[int]) -> None:
    """Mark plans whose every installment is paid or cancelled as paid_off (and back to active if not)."""
    if not installment_ids:
        return
    r = uow.accounts
    for pid, status, open_rows in r.plans_to_settle(list(installment_ids)):
        want = InstallmentPlanStatus.ACTIVE if open_rows else InstallmentPlanStatus.PAID_OFF
        if status != want:
            r.set_plan_status(pid, want)


def payment_result(row, alloc_rows, created: bool) -> PaymentResult:
    by = {"fees": 0, "interest": 0, "principal": 0}
    for a in alloc_rows:
        by[a.component] += a.amount_minor
    return PaymentResult(
        row.id,
        row.ledger_entry_id,
        row.currency,
        row.amount_minor,
        by["fees"],
        by["interest"],
        by["principal"],
        row.unapplied_minor,
        created,
    )


def replay_payment(uow: UnitOfWork, key: str, line_id: int, amount: Money, kind: str) -> PaymentResult | None:
    r = uow.accounts
    row = r.payment_by_idempotency_key(key)
    if row is None:
        return None
    if (row.credit_line_id, row.currency, row.kind) != (line_id, amount.currency, kind) or (
        kind == "payment" and row.amount_minor != amount.amount_minor
    ):
        raise IdempotencyKeyReused(f"payment key {key!r} was already used for a different payment (#{row.id})")
    return payment_result(row, r.allocations_of(row.id), created=False)


def post_payment(
    uow: UnitOfWork,
    *,
    line_id: int,
    currency: str,
    amount_minor: int,
    received_on: date,
    key: str,
    kind: str,
    items: list[tuple[DueItem, str, int]],
    rule: AllocationRule,
    from_credit: bool = False,
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
    r = uow.accounts
    pid = r.add_payment(
        line_id=line_id,
        key=key,
        kind=kind,
        amount_minor=amount_minor,
        currency=currency,
        received_on=received_on,
        unapplied_minor=result.unapplied_minor,
        ledger_entry_id=entry.id,
        created_at=uow.clock(),
    )
    _apply(uow, payment_id=pid, items=items, result=result)
    return PaymentResult(
        pid, entry.id, currency, amount_minor, by["fees"], by["interest"], by["principal"], result.unapplied_minor, True
    )


def apply_credit(uow: UnitOfWork, *, line_id: int, on: date, key: str) -> PaymentResult | None:
    """Use the borrower's credit balance to pay what is billed (statement time); None when there is nothing to do."""
    line = get_account(uow, line_id=line_id, lock=True)
    credit = -uow.accounts.ledger_balances([code(line_id, "credit")]).get(code(line_id, "credit"), 0)
    items = open_items(uow, line_id=line_id)
    owed = sum(i.total_minor for i, _k, _t in items)
    amount = min(credit, owed)
    if amount <= 0:
        return None
    replay = replay_payment(uow, key, line_id, Money(amount, line.currency), "credit_applied")
    if replay is not None:
        return replay
    return post_payment(
        uow,
        line_id=line_id,
        currency=line.currency,
        amount_minor=amount,
        received_on=on,
        key=key,
        kind="credit_applied",
        items=items,
        rule=product_of(uow, line).allocation,
        from_credit=True,
    )
