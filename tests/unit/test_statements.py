"""Servicing arithmetic: statement cycles and due dates, minimum due, late fee caps, interest only for days used."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date

import pytest

from fairdue.domain.products import LateFeeRule, MinimumDueRule, product_from_mapping
from fairdue.domain.statements import (
    BilledItem,
    ScheduledRow,
    adjust_due_on,
    due_on_for,
    late_fee_minor,
    minimum_due_minor,
    payoff_quote,
    prorate_minor,
    statement_on_or_after,
)
from fairdue.products import shipped_product_files


@pytest.fixture
def cn():
    path = next(p for p in shipped_product_files() if p.name == "cn-ecard-std.toml")
    return product_from_mapping(tomllib.loads(path.read_text(encoding="utf-8")))


def test_statement_date_on_or_after():
    assert statement_on_or_after(date(2026, 1, 5), 5) == date(2026, 1, 5)
    assert statement_on_or_after(date(2026, 1, 6), 5) == date(2026, 2, 5)
    assert statement_on_or_after(date(2026, 12, 20), 5) == date(2027, 1, 5)


def test_due_date_moves_past_national_day_holiday(cn):
    # 2026-09-10 + 20 days = 2026-09-30 (a Wednesday, a working day); 2026-09-15 + 20 = 10-05 (holiday week).
    assert due_on_for(date(2026, 9, 10), cn) == date(2026, 9, 30)
    assert due_on_for(date(2026, 9, 15), cn) == date(2026, 10, 8)


def test_cn_makeup_working_saturday_is_a_business_day(cn):
    assert adjust_due_on(date(2026, 2, 28), cn) == date(2026, 2, 28)
    assert adjust_due_on(date(2026, 2, 28), replace(cn, jurisdiction="US")) == date(2026, 3, 2)


def test_no_business_day_rule(cn):
    assert adjust_due_on(date(2026, 10, 1), replace(cn, business_day_rule="none")) == date(2026, 10, 1)


def test_minimum_due(cn):
    p = replace(cn, minimum_due=MinimumDueRule(percent_bps=1000, floor_minor=10_000))
    # Installments and all interest/fees in full, plus max(10% of revolving, floor).
    items = [BilledItem(100, 1500, 9331, revolving=False), BilledItem(0, 0, 300_000, revolving=True)]
    assert minimum_due_minor(items, p) == 100 + 1500 + 9331 + 30_000
    # The floor, but never more than the revolving principal itself.
    assert minimum_due_minor([BilledItem(0, 0, 50_000, True)], p) == 10_000
    assert minimum_due_minor([BilledItem(0, 0, 5_000, True)], p) == 5_000
    assert minimum_due_minor([], p) == 0


def test_late_fee_is_clamped_and_never_above_the_overdue_amount(cn):
    p = replace(cn, late_fee=LateFeeRule(percent_bps=500, fee_minor_min=1_000, fee_minor_max=20_000))
    assert late_fee_minor(100_000, p) == 5_000
    assert late_fee_minor(10_000_000, p) == 20_000
    assert late_fee_minor(4_000, p) == 1_000
    assert late_fee_minor(500, p) == 500
    assert late_fee_minor(0, p) == 0


def test_payoff_charges_only_days_used():
    rows = [
        ScheduledRow(2, date(2026, 1, 26), date(2026, 2, 25), 9448, 1383, 0),
        ScheduledRow(3, date(2026, 2, 25), date(2026, 3, 25), 9566, 1265, 0),
    ]
    q = payoff_quote(rows, date(2026, 2, 10))
    assert (q.days_used, q.days_in_period) == (15, 30)
    assert q.interest_minor == round(1383 * 15 / 30)  # 691.5 → 692 half-even
    assert q.principal_minor == 9448 + 9566
    assert q.dropped_interest_minor == 1383 + 1265 - q.interest_minor


def test_payoff_before_the_period_begins_costs_no_interest():
    rows = [ScheduledRow(3, date(2026, 2, 25), date(2026, 3, 25), 9566, 1265, 40)]
    q = payoff_quote(rows, date(2026, 2, 20))
    assert (q.interest_minor, q.fee_minor, q.days_used) == (0, 0, 0)


def test_prorate_is_bounded():
    assert prorate_minor(1000, date(2026, 1, 1), date(2026, 1, 31), date(2026, 3, 1)) == 1000
    assert prorate_minor(1000, date(2026, 1, 1), date(2026, 1, 31), date(2025, 12, 1)) == 0


def test_statement_totals_many_lines_at_once_match_the_single_rule(cn):
    import polars as pl

    from fairdue.domain.statements import BILLED_ITEM_SCHEMA, MINIMUM_DUE_RULE_SCHEMA, statement_totals

    # Line 1: an installment (fee 100, interest 1,500, principal 9,331) + 300,000 revolving: 10% = 30,000.
    # Line 2: 50,001 revolving only: 10% rounds UP to 5,001, below the floor 10,000 -> 10,000.
    # Line 3: 5,000 revolving: the floor is capped at the revolving principal. Line 4: nothing billed.
    items = pl.DataFrame(
        [(1, 100, 1500, 9331, False), (1, 0, 0, 300_000, True), (2, 0, 0, 50_001, True), (3, 0, 0, 5_000, True)],
        schema=BILLED_ITEM_SCHEMA,
        orient="row",
    )
    rules = pl.DataFrame([(n, 1000, 10_000) for n in (1, 2, 3, 4)], schema=MINIMUM_DUE_RULE_SCHEMA, orient="row")
    got = {
        r["line_id"]: (r["amount_due_minor"], r["minimum_due_minor"]) for r in statement_totals(items, rules).to_dicts()
    }
    assert got == {1: (310_931, 100 + 1500 + 9331 + 30_000), 2: (50_001, 10_000), 3: (5_000, 5_000), 4: (0, 0)}
    # Percent rounds up: 10% of 123,451 = 12,345.1 -> 12,346 (the single-line function agrees).
    p = replace(cn, minimum_due=MinimumDueRule(percent_bps=1000, floor_minor=100))
    assert minimum_due_minor([BilledItem(0, 0, 123_451, True)], p) == 12_346
