"""Negotiated repayment plans are affordable, exact, never above the cost cap, and never charge interest on fees."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.domain.collections.plans import PlanInputError, propose_plans, split_carried
from fairdue.domain.money import Money

AS_OF, FIRST_DUE = date(2026, 3, 10), date(2026, 4, 10)


def _propose(**overrides):
    args = dict(
        principal=Money(1_200_000, "CNY"),
        unpaid_interest_minor=30_000,
        unpaid_fees_minor=20_000,
        monthly_income_minor=800_000,
        monthly_expenses_minor=650_000,
        monthly_rate=Decimal("0.01"),
        months_max=60,
        jurisdiction="CN",
        annual_cost_cap=Decimal("0.24"),
        as_of=AS_OF,
        first_due_on=FIRST_DUE,
    )
    args.update(overrides)
    return {p.kind: p for p in propose_plans(**args)}


def test_hand_checked_plans():
    # Owed: principal 12,000.00, interest 300.00, fees 200.00. Surplus 1,500.00; 80% → 1,200.00 a month.
    plans = _propose()
    # freeze: (1,200,000 + 50,000)/m <= 120,000 → m = 11; principal ⌊1,200,000/11⌋ = 109,090 (last 109,100);
    # carried 50,000/11 → 4,546 ×5 then 4,545 ×6.
    f = plans["freeze"]
    assert (f.months, f.rows[0].total_minor, f.rows[-1].total_minor) == (11, 109_090 + 4_546, 109_100 + 4_545)
    assert f.total_cost_minor == 50_000 and f.affordable
    # freeze_waive: fees forgiven, only the 300.00 interest carried: 30,000/11 → 2,728 ×3 then 2,727.
    w = plans["freeze_waive"]
    assert (w.months, w.waived_fees_minor, w.rows[0].total_minor) == (11, 20_000, 109_090 + 2_728)
    # extend at 1%/month: annuity 12,000 over 12 = 1,066.19; 11 months would be 1,157.45 + 45.45 > 1,200.
    e = plans["extend"]
    assert e.months == 12
    assert e.rows[0].principal_minor + e.rows[0].interest_minor == 106_619
    assert e.rows[0].carried_minor == 4_167 and e.rows[0].interest_minor == 12_000  # 1% of 12,000.00
    # No interest is charged on carried fees/interest: interest is exactly the annuity's on principal.
    assert sum(r.carried_minor for r in e.rows) == 50_000


def test_principal_and_charges_are_repaid_exactly():
    for p in _propose().values():
        assert sum(r.principal_minor for r in p.rows) == 1_200_000
        assert sum(r.carried_minor for r in p.rows) == p.carried_minor
        assert p.carried_minor + p.waived_fees_minor == 50_000


def test_apr_is_shown_and_ordered_by_cost():
    plans = _propose()
    assert plans["extend"].apr > plans["freeze"].apr > plans["freeze_waive"].apr > 0


def test_plan_above_cost_cap_is_never_offered():
    plans = _propose(monthly_rate=Decimal("0.03"))  # ~36%+ a year
    assert "extend" not in plans and "freeze" in plans


def test_unaffordable_falls_back_to_longest_term_and_says_so():
    plans = _propose(monthly_income_minor=660_000, months_max=24)  # surplus 100.00 → 80.00 a month
    assert all(p.months == 24 and not p.affordable for p in plans.values())


def test_no_cost_plan_has_no_apr():
    plans = _propose(unpaid_interest_minor=0, unpaid_fees_minor=0, monthly_rate=Decimal(0))
    assert list(plans) == ["freeze"] and plans["freeze"].apr is None


@pytest.mark.parametrize(
    "overrides,message",
    [
        (dict(monthly_expenses_minor=900_000), "expenses meet or exceed income"),
        (dict(unpaid_fees_minor=-1), "unpaid_fees_minor"),
        (dict(monthly_income_minor=1.5), "monthly_income_minor"),
        (dict(principal=Money(0, "CNY"), unpaid_interest_minor=0, unpaid_fees_minor=0), "nothing is owed"),
        (dict(first_due_on=AS_OF), "must fall after"),
        (dict(months_max=0), "months_max"),
        (dict(monthly_rate=0.01), "monthly_rate"),
    ],
)
def test_bad_input_is_refused(overrides, message):
    with pytest.raises(PlanInputError, match=message):
        _propose(**overrides)


@settings(max_examples=40, deadline=None)
@given(
    principal=st.integers(min_value=10_000, max_value=5_000_000),
    interest=st.integers(min_value=0, max_value=100_000),
    fees=st.integers(min_value=0, max_value=100_000),
    surplus=st.integers(min_value=5_000, max_value=1_000_000),
)
def test_affordable_plans_fit_the_surplus(principal, interest, fees, surplus):
    plans = _propose(
        principal=Money(principal, "CNY"),
        unpaid_interest_minor=interest,
        unpaid_fees_minor=fees,
        monthly_income_minor=surplus + 100_000,
        monthly_expenses_minor=100_000,
    )
    for p in plans.values():
        assert min(r.total_minor for r in p.rows) >= 0
        assert sum(r.principal_minor for r in p.rows) == principal
        if p.affordable:
            assert p.installment_max_minor <= surplus * 8000 // 10_000
        if p.apr is not None:
            assert p.apr <= Decimal("0.24")


def test_carried_interest_fills_the_rows_first_then_the_fees():
    # freeze: 11 rows carrying 50,000 (300.00 interest + 200.00 fees): 4,545 each and the 5 left over to rows 1-5.
    rows = _propose()["freeze"].rows
    assert [r.carried_minor for r in rows] == [4_546] * 5 + [4_545] * 6
    parts = split_carried(rows, interest_minor=30_000, fees_minor=20_000)
    # 30,000 of interest: rows 1-6 (27,275) and 2,725 of row 7; then fees: 1,820 of row 7 and rows 8-11 (18,180).
    assert parts == [(4_546, 0)] * 5 + [(4_545, 0), (2_725, 1_820)] + [(0, 4_545)] * 4
    with pytest.raises(PlanInputError, match="carry"):
        split_carried(rows, interest_minor=30_000, fees_minor=19_999)
    with pytest.raises(PlanInputError, match="non-negative"):
        split_carried(rows, interest_minor=-1, fees_minor=50_001)


@settings(max_examples=100, deadline=None)
@given(interest=st.integers(min_value=0, max_value=200_000), fees=st.integers(min_value=0, max_value=200_000))
def test_carried_split_is_exact_and_non_negative(interest, fees):
    plan = _propose(unpaid_interest_minor=interest, unpaid_fees_minor=fees).get("freeze")
    if plan is None:
        return
    parts = split_carried(plan.rows, interest_minor=interest, fees_minor=fees)
    assert sum(i for i, _ in parts) == interest and sum(f for _, f in parts) == fees
    assert all(i >= 0 and f >= 0 and i + f == r.carried_minor for (i, f), r in zip(parts, plan.rows, strict=True))
