"""Due-date rolling: months that keep month-end, weeks, semimonths.

Every due date is computed from the anchor (the first due date), never from
the previous due date, so 31 Jan → 28/29 Feb → 31 Mar and 30 Jan → 28 Feb →
30 Mar: a short month clamps one date without shifting the ones after it.
"""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta

from fairdue.domain.loanmath.errors import UnknownFrequency


def month_end(year: int, month: int) -> int:
    """Number of days in `month` of `year`."""
    return _cal.monthrange(year, month)[1]


def is_month_end(d: date) -> bool:
    return d.day == month_end(d.year, d.month)


def add_months(d: date, months: int, *, keep_month_end: bool | None = None) -> date:
    """`d` moved by a whole number of months (negative goes back).

    The day clamps to the target month's length; when `d` is the last day of
    its month (or `keep_month_end` is true) the result is the last day too.
    """
    if keep_month_end is None:
        keep_month_end = is_month_end(d)
    index = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(index, 12)
    last = month_end(year, month0 + 1)
    day = last if keep_month_end else min(d.day, last)
    return date(year, month0 + 1, day)


def semimonth_back(d: date) -> date:
    """The date one half-month before `d` (1↔16, 15↔month-end pairs)."""
    if is_month_end(d) and d.day >= 28:
        return d.replace(day=15)
    if d.day > 15:
        return d.replace(day=d.day - 15)
    prev = add_months(d.replace(day=1), -1)
    if d.day == 15:
        return prev.replace(day=month_end(prev.year, prev.month))
    return prev.replace(day=min(d.day + 15, month_end(prev.year, prev.month)))


@dataclass(frozen=True, slots=True)
class Frequency:
    """A payment frequency.

    name: the public name ("monthly", "biweekly", …).
    unit: "month", "week", "semimonth" or "day".
    count: how many units one period spans (2 for biweekly and bimonthly).
    per_year: periods in a year as Appendix J counts them (12/count, 52/count, 24, 365).
    """

    name: str
    unit: str
    count: int

    @property
    def per_year_num_den(self) -> tuple[int, int]:
        if self.unit == "month":
            return 12, self.count
        if self.unit == "week":
            return 52, self.count
        if self.unit == "semimonth":
            return 24, self.count
        return 365, self.count


FREQUENCIES: dict[str, Frequency] = {
    f.name: f
    for f in (
        Frequency("monthly", "month", 1),
        Frequency("bimonthly", "month", 2),
        Frequency("quarterly", "month", 3),
        Frequency("semiannual", "month", 6),
        Frequency("yearly", "month", 12),
        Frequency("weekly", "week", 1),
        Frequency("biweekly", "week", 2),
        Frequency("four_weekly", "week", 4),
        Frequency("semimonthly", "semimonth", 1),
        Frequency("daily", "day", 1),
    )
}
# Names people also write for the same frequency.
_ALIASES = {
    "every_2_weeks": "biweekly",
    "fortnightly": "biweekly",
    "every_4_weeks": "four_weekly",
    "every_2_months": "bimonthly",
    "annual": "yearly",
    "annually": "yearly",
}


def frequency(name: str | Frequency) -> Frequency:
    """Look a frequency up by name; UnknownFrequency names the known ones."""
    if isinstance(name, Frequency):
        return name
    key = _ALIASES.get(name, name) if isinstance(name, str) else name
    try:
        return FREQUENCIES[key]
    except (KeyError, TypeError):
        raise UnknownFrequency(name, tuple(FREQUENCIES)) from None


def due_dates(first_due_on: date, periods: int, freq: str | Frequency) -> list[date]:
    """`periods` due dates starting at `first_due_on`, `freq` apart."""
    f = frequency(freq)
    if f.unit == "month":
        keep = is_month_end(first_due_on)
        return [add_months(first_due_on, k * f.count, keep_month_end=keep) for k in range(periods)]
    if f.unit == "week":
        return [first_due_on + timedelta(days=7 * f.count * k) for k in range(periods)]
    if f.unit == "day":
        return [first_due_on + timedelta(days=f.count * k) for k in range(periods)]
    return _semimonthly(first_due_on, periods)


def period_before(d: date, freq: str | Frequency) -> date:
    """The date one period before `d` (the default start of a plan)."""
    f = frequency(freq)
    if f.unit == "month":
        return add_months(d, -f.count)
    if f.unit == "week":
        return d - timedelta(days=7 * f.count)
    if f.unit == "day":
        return d - timedelta(days=f.count)
    return semimonth_back(d)


def _day_in(year: int, month: int, day: int, month_end_flag: bool) -> date:
    last = month_end(year, month)
    return date(year, month, last if month_end_flag else min(day, last))


def _semimonthly(first: date, periods: int) -> list[date]:
    """Twice a month on a fixed pair of days set by the first due date.

    A first day of 1–15 pairs with the day 15 later (15 pairs with month-end);
    a later first day pairs with the day 15 before (month-end pairs with 15).
    """
    first_is_end = is_month_end(first) and first.day >= 28
    if first.day <= 15 and not first_is_end:
        lo, hi, hi_end, start_high = first.day, first.day + 15, first.day == 15, False
    else:
        lo, hi, hi_end, start_high = (15 if first_is_end else first.day - 15), first.day, first_is_end, True
    out: list[date] = []
    k = 1 if start_high else 0
    while len(out) < periods:
        anchor = add_months(first.replace(day=1), k // 2)
        if k % 2 == 0:
            out.append(_day_in(anchor.year, anchor.month, lo, False))
        else:
            out.append(_day_in(anchor.year, anchor.month, hi, hi_end))
        k += 1
    return out
