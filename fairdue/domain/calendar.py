"""Business-day calendars: public holidays, weekends and China's make-up working days (调休).

A calendar answers one question — is this local date a business day? — from
the `holidays` package (which knows China's official swapped days: a weekend
day worked in exchange for a longer holiday) plus a small project table of
official adjustments (`ADJUSTMENTS`) for notices the package does not carry
yet or gets wrong. The table wins over the package.

Pure: no clock, no I/O. Dates are local calendar dates (`*_on`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

from fairdue.errors import FairdueError

# A business day is at most this many days after any date (China's Golden Week
# plus weekends is 9); a longer search means a broken calendar table.
BUSINESS_DAY_SEARCH_DAYS_MAX = 31


class UnknownCalendar(FairdueError):
    """The calendar code names no country we have holidays for."""

    def __init__(self, code: str):
        super().__init__(f"unknown business-day calendar {code!r}; known: {', '.join(sorted(COUNTRIES))}")
        self.code = code


class CalendarBroken(FairdueError):
    """No business day within BUSINESS_DAY_SEARCH_DAYS_MAX days: the adjustment table is wrong."""


class BusinessDayRule(enum.Enum):
    """What happens to a due date that falls on a non-business day."""

    NONE = "none"  # the contractual date stands
    FOLLOWING = "following"  # honoured on the next business day


@dataclass(frozen=True, slots=True)
class Adjustment:
    """One official change to a country's calendar.

    on: the local date; business: True = an extra working day (调休 make-up
    day), False = an extra day off; source: the notice it rests on.
    """

    on: date
    business: bool
    source: str


# calendar code -> holidays country code
COUNTRIES = {"CN": "CN", "US": "US", "GB": "GB"}
# product.jurisdiction -> calendar code
JURISDICTION_CALENDAR = {"CN": "CN", "US": "US", "UK": "GB"}

# Official adjustments the holidays package may lack. The package's own
# China table (holidays 0.109) already carries the 2025–2026 State Council
# notices (国办发明电〔2024〕12号, 〔2025〕7号); entries here override it.
ADJUSTMENTS: dict[str, tuple[Adjustment, ...]] = {
    "CN": (
        # 国务院办公厅关于2026年部分节假日安排的通知: 2026-01-04 (Sunday) is worked.
        Adjustment(date(2026, 1, 4), True, "国办发明电〔2025〕7号"),
        # 2026-02-28 (Saturday) is worked for the Spring Festival break.
        Adjustment(date(2026, 2, 28), True, "国办发明电〔2025〕7号"),
    ),
}


@dataclass(frozen=True, slots=True)
class Calendar:
    """A country's business days; `extra` overrides the holidays package (see ADJUSTMENTS)."""

    code: str
    extra: dict[date, bool] = field(default_factory=dict)

    def is_business_day(self, on: date) -> bool:
        if on in self.extra:
            return self.extra[on]
        return _holidays(self.code, on.year).is_working_day(on)

    def next_business_day(self, on: date) -> date:
        """`on` itself when it is a business day, else the first business day after it."""
        day = on
        for _ in range(BUSINESS_DAY_SEARCH_DAYS_MAX + 1):
            if self.is_business_day(day):
                return day
            day += timedelta(days=1)
        raise CalendarBroken(
            f"calendar {self.code}: no business day within {BUSINESS_DAY_SEARCH_DAYS_MAX} days of {on}"
        )

    def adjust(self, on: date, rule: BusinessDayRule) -> date:
        """The date a payment due `on` is honoured under `rule`."""
        if rule is BusinessDayRule.FOLLOWING:
            return self.next_business_day(on)
        return on


@lru_cache(maxsize=64)
def _holidays(code: str, year: int) -> holidays.HolidayBase:
    # Two years so that a search from late December crosses into January.
    return holidays.country_holidays(COUNTRIES[code], years=(year, year + 1))


@lru_cache(maxsize=8)
def calendar(code: str) -> Calendar:
    """The business-day calendar for a country code (CN, US, GB)."""
    if code not in COUNTRIES:
        raise UnknownCalendar(code)
    extra = {a.on: a.business for a in ADJUSTMENTS.get(code, ())}
    return Calendar(code, extra)


def for_jurisdiction(jurisdiction: str) -> Calendar:
    """The business-day calendar of a product's jurisdiction (CN, US, UK)."""
    if jurisdiction not in JURISDICTION_CALENDAR:
        raise UnknownCalendar(jurisdiction)
    return calendar(JURISDICTION_CALENDAR[jurisdiction])
