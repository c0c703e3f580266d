"""Batch schedules and rates agree with the scalar functions, unit for unit, and stay exact on money."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.domain.loanmath.batch import mul_rate_round
from fairdue.domain.money import Money
from fairdue.loanmath import (
    InvalidScheduleInput,
    NoRoot,
    annuity_schedules,
    apr,
    due_dates,
    equal_principal_schedules,
    regular_aprs,
    schedule,
)

RATES = [
    Decimal("0.01"),
    Decimal("0.015"),
    Decimal("0.0005"),
    Decimal(0),
    Decimal("0.1") / 12,
    Decimal("0.0833"),
    Decimal("0.24") / 365 * 30,
]


def _rows(batch, k):
    return [
        (
            int(batch.principal_minor[k, j]),
            int(batch.interest_minor[k, j]),
            int(batch.fee_minor[k, j]),
            int(batch.total_minor[k, j]),
            int(batch.remaining_minor[k, j]),
        )
        for j in range(batch.total_minor.shape[1])
    ]


def _scalar(kind, principal_minor, periods, rate):
    plan = schedule(kind, Money(principal_minor, "CNY"), periods, rate, date(2025, 1, 31))
    return [(r.principal_minor, r.interest_minor, r.fee_minor, r.total_minor, r.remaining_minor) for r in plan.rows]


@settings(max_examples=200, deadline=None)
@given(
    principals=st.lists(st.integers(1, 10**11), min_size=1, max_size=40),
    periods=st.integers(1, 36),
    rate=st.sampled_from(RATES),
    kind=st.sampled_from(["annuity", "equal_principal"]),
)
def test_batch_rows_equal_scalar_rows(principals, periods, rate, kind):
    fn = annuity_schedules if kind == "annuity" else equal_principal_schedules
    batch = fn(np.array(principals, dtype=np.int64), periods, rate)
    for k, p in enumerate(principals):
        assert _rows(batch, k) == _scalar(kind, p, periods, rate)


@pytest.mark.parametrize("rate", RATES)
def test_batch_matches_scalar_on_many_ties(rate):
    """Principals ending in 50 make exact halves at 1%: the tie rule (half to even) must match."""
    principals = np.arange(50, 200_050, 100, dtype=np.int64)[:2000]
    batch = annuity_schedules(principals, 12, rate)
    for k in range(0, principals.size, 37):
        assert _rows(batch, k) == _scalar("annuity", int(principals[k]), 12, rate)
    assert (batch.principal_minor.sum(axis=1) == principals).all()
    assert (batch.principal_minor >= 0).all() and (batch.interest_minor >= 0).all()


def test_mul_rate_round_is_half_even_on_exact_halves():
    x = np.array([50, 150, 250, 349, 351, 0], dtype=np.int64)
    assert mul_rate_round(x, Decimal("0.01")).tolist() == [0, 2, 2, 3, 4, 0]
    # a rate with many digits takes the float path; near-halves are recomputed exactly
    third = Decimal(1) / Decimal(3)
    assert mul_rate_round(np.array([3, 4, 5], dtype=np.int64), third).tolist() == [1, 1, 2]


def test_batch_rejects_bad_input():
    with pytest.raises(InvalidScheduleInput):
        annuity_schedules(np.array([100, 0]), 12, Decimal("0.01"))
    with pytest.raises(InvalidScheduleInput):
        annuity_schedules(np.array([1.5, 2.5]), 12, Decimal("0.01"))
    with pytest.raises(InvalidScheduleInput):
        annuity_schedules(np.array([100]), 0, Decimal("0.01"))


def test_regular_aprs_agree_with_scalar_apr():
    rng = np.random.default_rng(7)
    principals = rng.integers(10_000, 10_000_000, 300, dtype=np.int64)
    batch = annuity_schedules(principals, 12, Decimal("0.015"))
    rates = regular_aprs(principals, batch.total_minor, 12)
    dues = due_dates(date(2025, 2, 15), 12, "monthly")
    for k in range(0, 300, 29):
        payments = [(d, Decimal(int(t)) / 100) for d, t in zip(dues, batch.total_minor[k], strict=True)]
        exact = apr([(date(2025, 1, 15), Decimal(int(principals[k])) / 100)], payments, "cn-irr")
        assert abs(Decimal(repr(float(rates[k]))) - exact) < Decimal("1e-10")


def test_regular_aprs_refuse_flows_worth_less_than_the_advance():
    with pytest.raises(NoRoot, match="plan 1"):
        regular_aprs(np.array([1000, 1000]), np.array([[600, 600], [400, 400]]), 12)


def test_regular_aprs_of_zero_cost_plans_are_zero():
    assert regular_aprs(np.array([1200]), np.array([[400, 400, 400]]), 12).tolist() == [0.0]


def test_zero_rate_annuity_halves_round_to_even_in_both_forms():
    # 40,654,095 / 6 = 6,775,682.5 exactly: half-even gives 6,775,682 (found by hypothesis once).
    batch = annuity_schedules(np.array([40654095], dtype=np.int64), 6, Decimal(0))
    assert int(batch.total_minor[0, 0]) == 6775682
    assert _rows(batch, 0) == _scalar("annuity", 40654095, 6, Decimal(0))


@pytest.mark.parametrize("kind", ["annuity", "equal_principal"])
def test_chunk_boundaries_change_nothing(monkeypatch, kind):
    import fairdue.domain.loanmath.batch as batch_module

    principals = np.random.default_rng(3).integers(1, 10**9, 50, dtype=np.int64)
    fn = annuity_schedules if kind == "annuity" else equal_principal_schedules
    whole = fn(principals, 12, Decimal("0.0125"))
    monkeypatch.setattr(batch_module, "_CHUNK", 7)
    chunked = fn(principals, 12, Decimal("0.0125"))
    for name in ("principal_minor", "interest_minor", "fee_minor", "total_minor", "remaining_minor"):
        assert (getattr(whole, name) == getattr(chunked, name)).all(), name
    for k in (0, 6, 7, 8, 49):
        assert _rows(chunked, k) == _scalar(kind, int(principals[k]), 12, Decimal("0.0125"))


def test_iter_annuity_schedules_covers_every_plan_once():
    from fairdue.domain.loanmath.batch import iter_annuity_schedules

    principals = np.arange(1000, 1000 + 25 * 1000, 1000, dtype=np.int64)
    whole = annuity_schedules(principals, 6, Decimal("0.02"))
    seen = 0
    for lo, part in iter_annuity_schedules(principals, 6, Decimal("0.02"), chunk=10):
        n = part.total_minor.shape[0]
        assert (part.total_minor == whole.total_minor[lo : lo + n]).all()
        seen += n
    assert seen == principals.size
    with pytest.raises(InvalidScheduleInput):
        next(iter_annuity_schedules(principals, 6, Decimal("0.02"), chunk=0))
