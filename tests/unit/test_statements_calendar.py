"""Statements date a payment due by the calendar day-end ages it by: the two can never disagree."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import date, timedelta

import pytest

from fairdue.domain import calendar as cal
from fairdue.domain.products import product_from_mapping
from fairdue.domain.statements import adjust_due_on
from fairdue.products import shipped_product_files


def _products():
    for path in shipped_product_files():
        yield product_from_mapping(tomllib.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("product", list(_products()), ids=lambda p: p.code)
def test_statement_due_dates_follow_the_day_end_calendar_every_day(product):
    rule = (
        cal.BusinessDayRule.FOLLOWING if product.business_day_rule == "next_business_day" else cal.BusinessDayRule.NONE
    )
    day_end = cal.for_jurisdiction(product.jurisdiction)
    for n in range(2 * 365):
        on = date(2026, 1, 1) + timedelta(days=n)
        assert adjust_due_on(on, product) == day_end.adjust(on, rule), on


def test_an_official_adjustment_moves_a_statement_due_date(monkeypatch):
    cn = next(p for p in _products() if p.jurisdiction == "CN")
    cn = replace(cn, business_day_rule="next_business_day")
    # 2026-01-04 is a Sunday worked by State Council notice: due that day, honoured that day.
    assert adjust_due_on(date(2026, 1, 4), cn) == date(2026, 1, 4)
    # Were the notice to make 2026-01-05 (a Monday) a rest day, a statement due then moves with day-end.
    adjusted = cal.Calendar("CN", {**cal.calendar("CN").extra, date(2026, 1, 5): False})
    import fairdue.domain.statements as st

    monkeypatch.setattr(st, "for_jurisdiction", lambda _j: adjusted)
    st.is_business_day.cache_clear()
    try:
        assert adjust_due_on(date(2026, 1, 5), cn) == date(2026, 1, 6)
    finally:
        st.is_business_day.cache_clear()


def test_unknown_jurisdiction_has_no_calendar():
    with pytest.raises(cal.UnknownCalendar):
        cal.for_jurisdiction("XX")
