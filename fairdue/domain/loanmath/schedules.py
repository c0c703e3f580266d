"""Installment schedules: exact rows in minor units, principal that sums exactly.

Kinds (what e-card lenders sell):

- ``annuity`` (等额本息): equal totals. The installment is
  ``principal × r / (1 − (1 + r)^−n)`` rounded half-even to a minor unit; each
  row's interest is ``remaining × r`` rounded half-even; the principal part is
  the installment less interest (never more than what remains); the last row
  takes whatever principal remains, so the total of that row absorbs the residue.
- ``equal_principal`` (等额本金): principal ``⌊amount / n⌋`` a row, the last row
  takes the residue; interest ``remaining × r`` a row, rounded half-even.
- ``flat_fee`` (等本等息): principal as equal_principal; every row carries a fee
  of ``original principal × r`` (half-even) and no interest.
- ``zero_fee``: principal as equal_principal; no interest, no fee (rate must be 0).
- ``upfront_fee``: zero interest, principal as equal_principal, and one fee of
  ``principal × r`` collected at the start: it is modelled as an extra row with
  ``seq = 0`` due on ``start_on`` (principal 0, fee only), so the borrower's
  outlay on the day of the advance is visible and the true rate counts it.

``rate`` is the periodic rate (interest) or periodic fee rate, a Decimal — a
float is refused. With ``day_count`` set ("act/365", "act/360", "30/360"),
interest accrues daily instead: a row's interest is ``remaining × r × ppy ×
days / basis`` where ppy is periods per year, so ``r`` stays the periodic
(nominal) rate and the annuity installment is computed from it as usual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext

from fairdue.domain.loanmath.calendar import due_dates, period_before
from fairdue.domain.loanmath.calendar import frequency as _frequency
from fairdue.domain.loanmath.errors import FloatRefused, InvalidScheduleInput, UnknownScheduleKind
from fairdue.domain.money import Money, Rounding, round_decimal

KINDS = ("annuity", "equal_principal", "flat_fee", "zero_fee", "upfront_fee")
DAY_COUNTS = ("act/365", "act/360", "30/360")
PERIODS_MAX = 1200  # a hundred years of monthly installments
RATE_MAX = Decimal(10)  # 1000% a period: anything above is a typo, not a product
_PREC = 50  # Decimal digits for every intermediate; rounding to minor units is explicit


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One installment.

    seq: 1..n in due order; 0 only for the upfront fee of ``upfront_fee`` plans.
    due_on: local calendar date the installment is due.
    principal_minor, interest_minor, fee_minor: the parts, each ≥ 0.
    total_minor: principal + interest + fee.
    remaining_minor: principal still owed after this row is paid.
    """

    seq: int
    due_on: date
    principal_minor: int
    interest_minor: int
    fee_minor: int
    total_minor: int
    remaining_minor: int


@dataclass(frozen=True, slots=True)
class Schedule:
    """A generated plan.

    kind, frequency: as requested. rate: the periodic (fee) rate used.
    principal_minor, currency: the amount financed.
    start_on: the date interest starts (the advance), never None here.
    day_count: None for per-period interest, else the daily convention.
    rows: installments in due order (an upfront fee row first, seq 0).
    """

    kind: str
    frequency: str
    rate: Decimal
    principal_minor: int
    currency: str
    start_on: date
    day_count: str | None
    rows: tuple[ScheduleRow, ...]

    @property
    def principal(self) -> Money:
        return Money(self.principal_minor, self.currency)

    @property
    def total_interest_minor(self) -> int:
        return sum(r.interest_minor for r in self.rows)

    @property
    def total_fee_minor(self) -> int:
        return sum(r.fee_minor for r in self.rows)

    @property
    def total_minor(self) -> int:
        return sum(r.total_minor for r in self.rows)


def check_rate(rate: object, what: str = "rate") -> Decimal:
    """A non-negative finite Decimal rate; floats and junk are refused with a named error."""
    if isinstance(rate, float):
        raise FloatRefused(what)
    if isinstance(rate, bool) or not isinstance(rate, (Decimal, int, str)):
        raise InvalidScheduleInput(f"{what} must be a Decimal, int or numeric str, got {type(rate).__name__}")
    try:
        r = Decimal(rate)
    except InvalidOperation:
        raise InvalidScheduleInput(f"{what} is not a number: {rate!r}") from None
    if not r.is_finite() or r < 0:
        raise InvalidScheduleInput(f"{what} must be a finite number ≥ 0, got {rate!r}")
    if r > RATE_MAX:
        raise InvalidScheduleInput(f"{what} {r} is above {RATE_MAX} a period; give the periodic rate as a fraction")
    return r


def annuity_factor(rate: Decimal, periods: int) -> Decimal:
    """r / (1 − (1 + r)^−n) to 50 digits; 1/n when r is 0."""
    with localcontext() as ctx:
        ctx.prec = _PREC
        if rate == 0:
            return Decimal(1) / Decimal(periods)
        return rate / (1 - (1 + rate) ** -periods)


def annuity_installment_minor(principal_minor: int, rate: Decimal, periods: int) -> int:
    """The equal installment of an annuity, rounded half-even to a minor unit."""
    if rate == 0:  # amount / n exactly: 1/n as a 50-digit Decimal would nudge exact halves off the tie
        q, rem = divmod(principal_minor, periods)
        return q + (1 if 2 * rem > periods or (2 * rem == periods and q % 2 == 1) else 0)
    with localcontext() as ctx:
        ctx.prec = _PREC
        return round_decimal(Decimal(principal_minor) * annuity_factor(rate, periods), Rounding.HALF_EVEN)


def _interest(remaining: int, rate: Decimal, ppy: Decimal | None, days: int, basis: int) -> int:
    with localcontext() as ctx:
        ctx.prec = _PREC
        if ppy is None:
            return round_decimal(Decimal(remaining) * rate, Rounding.HALF_EVEN)
        return round_decimal(Decimal(remaining) * rate * ppy * days / basis, Rounding.HALF_EVEN)


def _days_30_360(a: date, b: date) -> int:
    d1 = min(a.day, 30)
    d2 = 30 if (b.day == 31 and d1 == 30) else b.day
    return (b.year - a.year) * 360 + (b.month - a.month) * 30 + (d2 - d1)


def schedule(
    kind: str,
    principal: Money,
    periods: int,
    rate: Decimal,
    first_due_on: date,
    frequency: str = "monthly",
    *,
    start_on: date | None = None,
    day_count: str | None = None,
) -> Schedule:
    """Generate the installment plan; see the module docstring for each kind's rule."""
    if kind not in KINDS:
        raise UnknownScheduleKind(kind, KINDS)
    if not isinstance(principal, Money):
        raise InvalidScheduleInput(f"principal must be Money, got {type(principal).__name__}")
    if principal.amount_minor <= 0:
        raise InvalidScheduleInput(f"principal must be positive, got {principal}")
    if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= PERIODS_MAX:
        raise InvalidScheduleInput(f"periods must be an int from 1 to {PERIODS_MAX}, got {periods!r}")
    r = check_rate(rate)
    if not isinstance(first_due_on, date):
        raise InvalidScheduleInput("first_due_on must be a datetime.date")
    freq = _frequency(frequency)
    if day_count is not None and day_count not in DAY_COUNTS:
        raise InvalidScheduleInput(f"unknown day count {day_count!r}; known: {', '.join(DAY_COUNTS)}")
    if kind == "zero_fee" and r != 0:
        raise InvalidScheduleInput(f"a zero_fee plan has rate 0, got {r}")
    begin = start_on if start_on is not None else period_before(first_due_on, freq)
    if begin >= first_due_on:
        raise InvalidScheduleInput(f"start_on {begin} must be before the first due date {first_due_on}")

    dues = due_dates(first_due_on, periods, freq)
    p = principal.amount_minor
    ppy: Decimal | None = None
    basis = 0
    if day_count is not None and kind in ("annuity", "equal_principal"):
        num, den = freq.per_year_num_den
        ppy = Decimal(num) / Decimal(den)
        basis = 360 if day_count in ("act/360", "30/360") else 365

    rows: list[ScheduleRow] = []
    if kind == "upfront_fee":
        fee0 = round_decimal(Decimal(p) * r, Rounding.HALF_EVEN)
        rows.append(ScheduleRow(0, begin, 0, 0, fee0, fee0, p))

    installment = annuity_installment_minor(p, r, periods) if kind == "annuity" else 0
    base = p // periods
    flat_fee = round_decimal(Decimal(p) * r, Rounding.HALF_EVEN) if kind == "flat_fee" else 0
    remaining = p
    previous = begin
    for k, due in enumerate(dues, start=1):
        last = k == periods
        days = 0
        if ppy is not None:
            days = _days_30_360(previous, due) if day_count == "30/360" else (due - previous).days
        interest = _interest(remaining, r, ppy, days, basis) if kind in ("annuity", "equal_principal") else 0
        if last:
            part = remaining
        elif kind == "annuity":
            part = min(max(installment - interest, 0), remaining)
        else:
            part = min(base, remaining)
        fee = flat_fee
        remaining -= part
        rows.append(ScheduleRow(k, due, part, interest, fee, part + interest + fee, remaining))
        previous = due
    return Schedule(kind, freq.name, r, p, principal.currency, begin, day_count, tuple(rows))


__all__ = [
    "DAY_COUNTS",
    "KINDS",
    "PERIODS_MAX",
    "Schedule",
    "ScheduleRow",
    "annuity_factor",
    "annuity_installment_minor",
    "check_rate",
    "schedule",
]
