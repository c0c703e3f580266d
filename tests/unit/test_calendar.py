"""Business-day calendars move due dates correctly around China's holidays and make-up working days."""

from datetime import date

import pytest

from fairdue.domain.calendar import BusinessDayRule, UnknownCalendar, calendar


@pytest.mark.parametrize(
    "on, business, following",
    [
        (date(2026, 3, 15), False, date(2026, 3, 16)),  # an ordinary Sunday -> Monday
        (date(2026, 1, 4), True, date(2026, 1, 4)),  # Sunday worked (调休) for New Year
        (date(2026, 2, 14), True, date(2026, 2, 14)),  # Saturday worked for the Spring Festival
        (date(2026, 2, 15), False, date(2026, 2, 24)),  # Spring Festival break 15–23 Feb
        (date(2026, 10, 1), False, date(2026, 10, 8)),  # National Day week
        (date(2026, 5, 1), False, date(2026, 5, 6)),  # Labour Day 1–5 May
        (date(2026, 3, 17), True, date(2026, 3, 17)),  # an ordinary Tuesday
    ],
)
def test_china_business_days(on, business, following):
    cn = calendar("CN")
    assert cn.is_business_day(on) is business
    assert cn.next_business_day(on) == following
    assert cn.adjust(on, BusinessDayRule.FOLLOWING) == following
    assert cn.adjust(on, BusinessDayRule.NONE) == on


def test_us_and_uk_calendars():
    assert calendar("US").next_business_day(date(2026, 7, 4)) == date(2026, 7, 6)  # Sat -> Mon (Fri 3rd observed)
    assert calendar("GB").next_business_day(date(2026, 12, 25)) == date(2026, 12, 29)  # Christmas, Boxing Day (obs.)


def test_project_adjustment_table_overrides_the_package():
    from fairdue.domain.calendar import Calendar

    cal = Calendar("CN", {date(2026, 3, 17): False, date(2026, 3, 15): True})
    assert cal.next_business_day(date(2026, 3, 17)) == date(2026, 3, 18)
    assert cal.is_business_day(date(2026, 3, 15))


def test_unknown_calendar_is_refused():
    with pytest.raises(UnknownCalendar, match="XX"):
        calendar("XX")
