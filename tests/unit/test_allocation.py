"""The payment waterfall never loses or invents a minor unit and pays in the product's order."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairdue.domain.allocation import AllocationError, DueItem, allocate
from fairdue.domain.products import AllocationRule

D0 = date(2026, 1, 25)


def item(n: int, days: int, fees: int, interest: int, principal: int, seq: int = 1) -> DueItem:
    return DueItem(f"i{n}", D0 + timedelta(days=days), seq, fees, interest, principal)


def test_oldest_first_then_fees_interest_principal():
    items = [item(2, 30, 10, 20, 300), item(1, 0, 5, 15, 100)]
    res = allocate(130, items)
    assert [(a.item_id, a.component, a.amount_minor) for a in res.allocations] == [
        ("i1", "fees", 5),
        ("i1", "interest", 15),
        ("i1", "principal", 100),
        ("i2", "fees", 10),
    ]
    assert res.unapplied_minor == 0


def test_overpayment_is_left_unapplied():
    res = allocate(1000, [item(1, 0, 1, 2, 3)])
    assert res.unapplied_minor == 994
    assert res.by_component() == {"fees": 1, "interest": 2, "principal": 3}


def test_component_order_is_configurable():
    rule = AllocationRule(component_order=("principal", "interest", "fees"))
    res = allocate(50, [item(1, 0, 10, 10, 40)], rule)
    assert res.for_item("i1") == {"principal": 40, "interest": 10, "fees": 0}


def test_same_due_date_orders_by_seq():
    res = allocate(10, [item(1, 0, 0, 0, 10, seq=2), item(2, 0, 0, 0, 10, seq=1)])
    assert res.allocations[0].item_id == "i2"


@pytest.mark.parametrize("payment", [0, -5])
def test_non_positive_payment_refused(payment):
    with pytest.raises(AllocationError, match="payment must be positive"):
        allocate(payment, [item(1, 0, 0, 0, 10)])


def test_negative_owed_refused():
    with pytest.raises(AllocationError, match="interest owed must be an int >= 0"):
        allocate(5, [item(1, 0, 0, -1, 10)])


def test_duplicate_ids_refused():
    with pytest.raises(AllocationError, match="distinct"):
        allocate(5, [item(1, 0, 0, 0, 10), item(1, 3, 0, 0, 10)])


amounts = st.integers(min_value=0, max_value=10**9)
items_strategy = st.lists(
    st.tuples(st.integers(0, 400), amounts, amounts, amounts, st.integers(0, 3)), min_size=0, max_size=12
).map(lambda rows: [DueItem(f"i{n}", D0 + timedelta(days=d), s, f, i, p) for n, (d, f, i, p, s) in enumerate(rows)])


@given(
    payment=st.integers(min_value=1, max_value=5 * 10**9),
    items=items_strategy,
    order=st.permutations(["fees", "interest", "principal"]),
)
def test_allocations_sum_to_payment_and_never_exceed_what_is_due(payment, items, order):
    res = allocate(payment, items, AllocationRule(component_order=tuple(order)))
    assert sum(a.amount_minor for a in res.allocations) + res.unapplied_minor == payment
    assert all(a.amount_minor > 0 for a in res.allocations)
    owed = {i.item_id: i for i in items}
    for item_id in owed:
        got = res.for_item(item_id)
        for component, amount in got.items():
            assert amount <= owed[item_id].owed(component)
    total_owed = sum(i.total_minor for i in items)
    assert res.unapplied_minor == max(0, payment - total_owed)


@given(payment=st.integers(min_value=1, max_value=10**6), items=items_strategy)
def test_a_later_item_is_touched_only_when_every_earlier_one_is_paid(payment, items):
    res = allocate(payment, items)
    ordered = sorted(items, key=lambda i: (i.due_on, i.seq, i.item_id))
    paid = {i.item_id: sum(res.for_item(i.item_id).values()) for i in ordered}
    for earlier, later in itertools.pairwise(ordered):
        if paid[later.item_id] > 0:
            assert paid[earlier.item_id] == earlier.total_minor
