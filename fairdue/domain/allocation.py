"""The payment waterfall: spread a payment over what is due, exactly.

Pure. Input: the payment in minor units, the open due items (installments,
statement items) with what is still owed per component, and the product's
`AllocationRule`. Output: one `Allocation` per (item, component) that gets
money, plus whatever is left over (an overpayment, held as a credit on the
account). Invariants, checked on every call and raised as named errors:
allocations sum to the payment minus the leftover, no allocation is negative,
and no component gets more than is owed on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from fairdue.domain.products import COMPONENTS, AllocationRule
from fairdue.errors import FairdueError


class AllocationError(FairdueError, ValueError):
    """A payment or due item that cannot be allocated (negative, malformed)."""


class AllocationInvariantBroken(FairdueError):
    """The waterfall produced something impossible: a bug, never bad input."""


@dataclass(frozen=True, slots=True)
class DueItem:
    """Something owed with a due date.

    item_id: stable reference ("installment:17"); unique within one allocation call.
    due_on: local due date; items due earlier are paid first under oldest_due_first.
    seq: tie-break among items due the same day (installment seq, statement line order).
    fees_minor / interest_minor / principal_minor: still owed per component, each >= 0.
    """

    item_id: str
    due_on: date
    seq: int
    fees_minor: int
    interest_minor: int
    principal_minor: int

    def owed(self, component: str) -> int:
        return {"fees": self.fees_minor, "interest": self.interest_minor, "principal": self.principal_minor}[component]

    @property
    def total_minor(self) -> int:
        return self.fees_minor + self.interest_minor + self.principal_minor


@dataclass(frozen=True, slots=True)
class Allocation:
    """amount_minor (> 0) of a payment applied to `component` of item `item_id`."""

    item_id: str
    component: str
    amount_minor: int


@dataclass(frozen=True, slots=True)
class AllocationResult:
    """allocations in payment order; unapplied_minor: what was left after everything due was paid."""

    allocations: tuple[Allocation, ...]
    unapplied_minor: int

    def by_component(self) -> dict[str, int]:
        out = {c: 0 for c in COMPONENTS}
        for a in self.allocations:
            out[a.component] += a.amount_minor
        return out

    def for_item(self, item_id: str) -> dict[str, int]:
        out = {c: 0 for c in COMPONENTS}
        for a in self.allocations:
            if a.item_id == item_id:
                out[a.component] += a.amount_minor
        return out


def _check_item(item: DueItem) -> None:
    for c in COMPONENTS:
        v = item.owed(c)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise AllocationError(f"due item {item.item_id}: {c} owed must be an int >= 0, got {v!r}")


def order_items(items: Iterable[DueItem], rule: AllocationRule) -> list[DueItem]:
    """Items in the order the rule pays them (oldest due first, then seq, then id)."""
    if rule.item_order != "oldest_due_first":
        raise AllocationError(f"unknown item order {rule.item_order!r}")
    return sorted(items, key=lambda i: (i.due_on, i.seq, i.item_id))


def allocate(payment_minor: int, items: Sequence[DueItem], rule: AllocationRule = AllocationRule()) -> AllocationResult:
    """Apply `payment_minor` to `items` by `rule`; the rest is unapplied (a credit)."""
    if isinstance(payment_minor, bool) or not isinstance(payment_minor, int):
        raise AllocationError(f"payment must be an int of minor units, got {type(payment_minor).__name__}")
    if payment_minor <= 0:
        raise AllocationError(f"payment must be positive, got {payment_minor}")
    ids = [i.item_id for i in items]
    if len(set(ids)) != len(ids):
        raise AllocationError("due items must have distinct item_id")
    for item in items:
        _check_item(item)
    left = payment_minor
    out: list[Allocation] = []
    for item in order_items(items, rule):
        for component in rule.component_order:
            if left == 0:
                break
            take = min(left, item.owed(component))
            if take > 0:
                out.append(Allocation(item.item_id, component, take))
                left -= take
    result = AllocationResult(tuple(out), left)
    _check_result(payment_minor, items, result)
    return result


def _check_result(payment_minor: int, items: Sequence[DueItem], result: AllocationResult) -> None:
    applied = sum(a.amount_minor for a in result.allocations)
    if applied + result.unapplied_minor != payment_minor or result.unapplied_minor < 0:
        raise AllocationInvariantBroken(
            f"allocations {applied} + unapplied {result.unapplied_minor} != payment {payment_minor}"
        )
    by_id = {i.item_id: i for i in items}
    for item_id in {a.item_id for a in result.allocations}:
        got = result.for_item(item_id)
        for c, amount in got.items():
            if amount > by_id[item_id].owed(c):
                raise AllocationInvariantBroken(f"{item_id} {c}: allocated {amount} > owed {by_id[item_id].owed(c)}")
    if any(a.amount_minor <= 0 for a in result.allocations):
        raise AllocationInvariantBroken("an allocation is not positive")
    total_owed = sum(i.total_minor for i in items)
    if result.unapplied_minor > 0 and applied != total_owed:
        raise AllocationInvariantBroken(f"left {result.unapplied_minor} unapplied while {total_owed - applied} is owed")
