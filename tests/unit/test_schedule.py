"""Installment schedules are exact: hand-checked rows for every kind and frequency, and properties."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.domain.money import Money
from fairdue.errors import FairdueError
from fairdue.loanmath import (
    KINDS,
    FloatRefused,
    InvalidScheduleInput,
    UnknownFrequency,
    UnknownScheduleKind,
    due_dates,
    schedule,
)


def rows(plan):
    return [
        (r.seq, r.due_on, r.principal_minor, r.interest_minor, r.fee_minor, r.total_minor, r.remaining_minor)
        for r in plan.rows
    ]


def test_annuity_hand_checked():
    # 12,000.00 over 3 months at 1%: 12000 × 0.01 / (1 − 1.01^−3) = 4080.2654… → 4080.27.
    # Interest 12000 × 1% = 120.00; 8039.73 × 1% = 80.3973 → 80.40; 4039.86 × 1% = 40.3986 → 40.40;
    # the last row takes the remaining 4039.86, so its total is 4080.26.
    plan = schedule("annuity", Money.parse("12000", "CNY"), 3, Decimal("0.01"), date(2024, 1, 31))
    assert rows(plan) == [
        (1, date(2024, 1, 31), 396027, 12000, 0, 408027, 803973),
        (2, date(2024, 2, 29), 399987, 8040, 0, 408027, 403986),
        (3, date(2024, 3, 31), 403986, 4040, 0, 408026, 0),
    ]
    assert plan.start_on == date(2023, 12, 31)
    assert plan.currency == "CNY"


def test_equal_principal_hand_checked():
    # 10,000.00 / 3 = 3333.33 a row, the last takes 3333.34; interest 1% of what remains:
    # 100.00, 66.6667 → 66.67, 33.3334 → 33.33.
    plan = schedule("equal_principal", Money.parse("10000", "CNY"), 3, Decimal("0.01"), date(2024, 2, 15))
    assert rows(plan) == [
        (1, date(2024, 2, 15), 333333, 10000, 0, 343333, 666667),
        (2, date(2024, 3, 15), 333333, 6667, 0, 340000, 333334),
        (3, date(2024, 4, 15), 333334, 3333, 0, 336667, 0),
    ]


def test_flat_fee_hand_checked():
    # 等本等息: 12,000.00 over 12 months at a 0.75% monthly fee: 1000.00 principal + 90.00 fee a month.
    plan = schedule("flat_fee", Money.parse("12000", "CNY"), 12, Decimal("0.0075"), date(2024, 2, 10))
    assert {(r.principal_minor, r.interest_minor, r.fee_minor, r.total_minor) for r in plan.rows} == {
        (100000, 0, 9000, 109000)
    }
    assert plan.total_fee_minor == 108000
    assert plan.rows[-1].due_on == date(2025, 1, 10)


def test_zero_fee_hand_checked():
    plan = schedule("zero_fee", Money.parse("100.00", "USD"), 3, Decimal(0), date(2024, 1, 5), "weekly")
    assert rows(plan) == [
        (1, date(2024, 1, 5), 3333, 0, 0, 3333, 6667),
        (2, date(2024, 1, 12), 3333, 0, 0, 3333, 3334),
        (3, date(2024, 1, 19), 3334, 0, 0, 3334, 0),
    ]


def test_upfront_fee_is_a_seq_zero_row_on_the_advance_date():
    # 3,000.00 at a one-off 5% fee: 150.00 collected on the day of the advance, then 3 × 1000.00.
    plan = schedule(
        "upfront_fee", Money.parse("3000", "CNY"), 3, Decimal("0.05"), date(2024, 3, 1), start_on=date(2024, 2, 1)
    )
    assert rows(plan) == [
        (0, date(2024, 2, 1), 0, 0, 15000, 15000, 300000),
        (1, date(2024, 3, 1), 100000, 0, 0, 100000, 200000),
        (2, date(2024, 4, 1), 100000, 0, 0, 100000, 100000),
        (3, date(2024, 5, 1), 100000, 0, 0, 100000, 0),
    ]


def test_daily_accrual_act_365():
    # Interest accrues daily at 1% × 12 / 365 a day on what remains, over the actual days:
    # 31 days: 1,000,000 × 0.12 × 31/365 = 10191.78 → 10192; 29 days (leap Feb): 670170 × 0.12 × 29/365
    # = 6389.56 → 6390; 31 days: 336538 × 0.12 × 31/365 = 3429.93 → 3430. The installment stays 3400.22.
    plan = schedule("annuity", Money.parse("10000", "CNY"), 3, Decimal("0.01"), date(2024, 1, 31), day_count="act/365")
    assert [(r.interest_minor, r.principal_minor) for r in plan.rows] == [
        (10192, 329830),
        (6390, 333632),
        (3430, 336538),
    ]


def test_daily_accrual_act_360():
    # 31 days at 1% × 12 / 360 a day on 5,000.00: 500000 × 0.12 × 31/360 = 5166.67 → 5167.
    plan = schedule(
        "equal_principal", Money.parse("5000", "CNY"), 2, Decimal("0.01"), date(2024, 1, 31), day_count="act/360"
    )
    assert plan.rows[0].interest_minor == 5167
    # then 250000 × 0.12 × 29/360 = 2416.67 → 2417
    assert plan.rows[1].interest_minor == 2417


def test_daily_accrual_30_360_is_a_plain_month():
    plan = schedule(
        "equal_principal",
        Money.parse("3000", "CNY"),
        3,
        Decimal("0.01"),
        date(2024, 2, 29),
        day_count="30/360",
        start_on=date(2024, 1, 29),
    )
    # 30 days of 1% × 12/360 a day is exactly 1%: 3000.00 → 30.00
    assert plan.rows[0].interest_minor == 3000


@pytest.mark.parametrize(
    "first,freq,expected",
    [
        (date(2024, 1, 31), "monthly", [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31), date(2024, 4, 30)]),
        (date(2023, 1, 31), "monthly", [date(2023, 1, 31), date(2023, 2, 28), date(2023, 3, 31), date(2023, 4, 30)]),
        (date(2024, 1, 30), "monthly", [date(2024, 1, 30), date(2024, 2, 29), date(2024, 3, 30), date(2024, 4, 30)]),
        (date(2024, 1, 5), "weekly", [date(2024, 1, 5), date(2024, 1, 12), date(2024, 1, 19), date(2024, 1, 26)]),
        (date(2024, 1, 5), "biweekly", [date(2024, 1, 5), date(2024, 1, 19), date(2024, 2, 2), date(2024, 2, 16)]),
        (date(2024, 1, 1), "semimonthly", [date(2024, 1, 1), date(2024, 1, 16), date(2024, 2, 1), date(2024, 2, 16)]),
        (
            date(2024, 1, 15),
            "semimonthly",
            [date(2024, 1, 15), date(2024, 1, 31), date(2024, 2, 15), date(2024, 2, 29)],
        ),
        (
            date(2024, 1, 31),
            "semimonthly",
            [date(2024, 1, 31), date(2024, 2, 15), date(2024, 2, 29), date(2024, 3, 15)],
        ),
        (date(2024, 1, 20), "semimonthly", [date(2024, 1, 20), date(2024, 2, 5), date(2024, 2, 20), date(2024, 3, 5)]),
        (date(2024, 1, 10), "four_weekly", [date(2024, 1, 10), date(2024, 2, 7), date(2024, 3, 6), date(2024, 4, 3)]),
        (date(2024, 1, 31), "quarterly", [date(2024, 1, 31), date(2024, 4, 30), date(2024, 7, 31), date(2024, 10, 31)]),
        (date(2024, 2, 29), "yearly", [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28)]),
    ],
)
def test_due_dates_by_frequency(first, freq, expected):
    assert due_dates(first, 4, freq) == expected
    plan = schedule("annuity", Money.parse("1000", "CNY"), 4, Decimal("0.01"), first, freq)
    assert [r.due_on for r in plan.rows] == expected


def test_month_end_stays_month_end_for_a_year():
    import calendar

    plan = schedule("annuity", Money.parse("1000", "CNY"), 12, Decimal("0.01"), date(2025, 1, 31))
    assert [r.due_on.day for r in plan.rows] == [
        calendar.monthrange(r.due_on.year, r.due_on.month)[1] for r in plan.rows
    ]
    assert [r.due_on.day for r in plan.rows][:3] == [31, 28, 31]


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"kind": "balloon"}, UnknownScheduleKind),
        ({"frequency": "hourly"}, UnknownFrequency),
        ({"rate": 0.01}, FloatRefused),
        ({"rate": Decimal("-0.01")}, InvalidScheduleInput),
        ({"rate": Decimal("NaN")}, InvalidScheduleInput),
        ({"periods": 0}, InvalidScheduleInput),
        ({"periods": 1201}, InvalidScheduleInput),
        ({"principal": Money(0, "CNY")}, InvalidScheduleInput),
        ({"principal": 100}, InvalidScheduleInput),
        ({"kind": "zero_fee", "rate": Decimal("0.01")}, InvalidScheduleInput),
        ({"start_on": date(2024, 3, 1)}, InvalidScheduleInput),
        ({"day_count": "act/366"}, InvalidScheduleInput),
    ],
)
def test_bad_input_raises_a_named_error(kwargs, error):
    args = {
        "kind": "annuity",
        "principal": Money(100000, "CNY"),
        "periods": 3,
        "rate": Decimal("0.01"),
        "first_due_on": date(2024, 2, 1),
        "frequency": "monthly",
    }
    args.update(kwargs)
    extra = {k: args.pop(k) for k in ("start_on", "day_count") if k in args}
    with pytest.raises(error) as info:
        schedule(
            args["kind"],
            args["principal"],
            args["periods"],
            args["rate"],
            args["first_due_on"],
            args["frequency"],
            **extra,
        )
    assert isinstance(info.value, FairdueError) and isinstance(info.value, ValueError)
    assert str(info.value)


FREQS = ["monthly", "weekly", "biweekly", "semimonthly", "four_weekly", "bimonthly", "quarterly"]


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(KINDS),
    principal_minor=st.integers(1, 10**11),
    periods=st.integers(1, 60),
    rate_bp=st.integers(0, 500),
    freq=st.sampled_from(FREQS),
    first=st.dates(date(2000, 1, 1), date(2060, 12, 31)),
    day_count=st.sampled_from([None, None, "act/365", "act/360", "30/360"]),
)
def test_principal_sums_exactly_and_no_row_is_negative(kind, principal_minor, periods, rate_bp, freq, first, day_count):
    rate = Decimal(0) if kind == "zero_fee" else Decimal(rate_bp) / Decimal(10000)
    plan = schedule(kind, Money(principal_minor, "CNY"), periods, rate, first, freq, day_count=day_count)
    assert sum(r.principal_minor for r in plan.rows) == principal_minor
    assert all(min(r.principal_minor, r.interest_minor, r.fee_minor, r.remaining_minor) >= 0 for r in plan.rows)
    assert all(r.total_minor == r.principal_minor + r.interest_minor + r.fee_minor for r in plan.rows)
    assert plan.rows[-1].remaining_minor == 0
    remaining = [r.remaining_minor for r in plan.rows]
    assert remaining == sorted(remaining, reverse=True)
    dues = [r.due_on for r in plan.rows]
    assert dues == sorted(dues) and len(set(dues)) == len(dues)
    assert len([r for r in plan.rows if r.seq > 0]) == periods


@settings(max_examples=200, deadline=None)
@given(principal_minor=st.integers(10**6, 10**11), periods=st.integers(2, 36), rate_bp=st.integers(1, 300))
def test_annuity_totals_are_level_but_for_the_last_row(principal_minor, periods, rate_bp):
    plan = schedule("annuity", Money(principal_minor, "CNY"), periods, Decimal(rate_bp) / 10000, date(2025, 3, 15))
    totals = {r.total_minor for r in plan.rows[:-1]}
    assert len(totals) == 1
    # The last row absorbs only the rounding residue: at most half a unit per row.
    assert abs(plan.rows[-1].total_minor - totals.pop()) <= periods
