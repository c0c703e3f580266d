"""Invariants of the derived bureau months over arbitrary line histories (hypothesis): the Metro 2 profile
shifts by one month each month, a charge-off freezes the first-delinquency date, codes stay in their tables,
and derivation is deterministic."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.domain.bureau import LineMonth, cais, changed_months, derive_history, metro2, pboc

OPENED = date(2020, 1, 1)


def _month_end(index: int) -> date:
    year, month = divmod(2024 * 12 + index, 12)
    return date(year, month + 1, calendar.monthrange(year, month + 1)[1])


@st.composite
def histories(draw: st.DrawFn) -> list[LineMonth]:
    count = draw(st.integers(min_value=1, max_value=30))
    dpds = draw(st.lists(st.one_of(st.just(0), st.integers(1, 400)), min_size=count, max_size=count))
    plans = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    charge_off_at = draw(st.one_of(st.none(), st.integers(0, count - 1)))
    lines = []
    for i, (dpd, plan) in enumerate(zip(dpds, plans, strict=True)):
        month_end = _month_end(i)
        charged = charge_off_at is not None and i >= charge_off_at
        lines.append(
            LineMonth(
                line_id="P-1",
                month_end_on=month_end,
                currency="USD",
                balance_minor=10_000,
                past_due_minor=5_000 if dpd else 0,
                dpd=dpd,
                dpd_max_in_month=dpd,
                oldest_overdue_on=month_end - timedelta(days=dpd) if dpd else None,
                opened_on=OPENED,
                plan_active=plan,
                plan_kept=plan,
                charged_off_on=_month_end(charge_off_at) if charged and charge_off_at is not None else None,
                charge_off_minor=10_000 if charged else 0,
            )
        )
    return lines


@settings(max_examples=50, deadline=None)
@given(histories())
def test_profile_is_24_crrg_characters_shifted_one_month_each_month_crrg_field18(lines: list[LineMonth]):
    months = derive_history(lines)
    for month in months:
        assert metro2.is_profile(month.metro2_profile)
    for before, after in pairwise(months):
        assert after.metro2_profile[0] == before.metro2_profile_char
        assert after.metro2_profile[1:] == before.metro2_profile[:-1]


@settings(max_examples=50, deadline=None)
@given(histories())
def test_charge_off_freezes_the_first_delinquency_and_it_never_postdates_the_month_fcra_623a5(lines: list[LineMonth]):
    months = derive_history(lines)
    charged = [m for m in months if m.line.charged_off_on is not None]
    assert len({m.delinquency_chain_on for m in charged}) <= 1
    assert all(m.metro2_status in ("97", "64") for m in charged)
    for month in months:
        reported = month.first_delinquency_on
        assert (reported is not None) == (month.metro2_negative and month.delinquency_chain_on is not None)
        assert reported is None or reported <= month.line.month_end_on


@settings(max_examples=50, deadline=None)
@given(histories())
def test_codes_stay_in_their_crrg_zhengxin_cais_tables_and_derivation_is_deterministic(lines: list[LineMonth]):
    months = derive_history(lines)
    assert derive_history(lines) == months
    assert changed_months(months, months) == []
    for month in months:
        assert month.metro2_status in metro2.STATUSES
        assert month.pboc_code in pboc.CODES
        assert month.cais_status in cais.STATUSES
        if month.line.charged_off_on is None and not month.line.plan_active:
            assert month.metro2_status == metro2.account_status(month.line)
            assert metro2.delinquency_digit(month.line.dpd) == month.metro2_profile_char
