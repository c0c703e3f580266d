"""The true annual rate of a plan's cash flows under three conventions.

- ``us-reg-z``: Regulation Z Appendix J (12 CFR 1026) actuarial method. The
  unit-period is the common period that occurs most often (ties → the
  smaller; none → the average period rounded to a standard interval), every
  flow sits ``t`` full unit-periods plus a fraction ``f`` after the start of
  the term, fractions earn *simple* interest — the general equation (b)(8) is
  ``Σ A/((1+e·i)(1+i)^q) = Σ P/((1+f·i)(1+i)^t)`` — and the APR is ``i × w``
  (unit-periods per year). Months count back from the later date, remaining
  days over 30 (over 30·k for k-month units; a yearly unit uses months/12 or
  days/365); weeks over 7·k; half-months over 15. A single advance repaid by
  one payment has the term as its unit-period (≤ 1 year): w = 12/months or
  365/days.
- ``cn-irr``: PBOC Announcement 〔2021〕3号 — the periodic internal rate of
  return (compound, fractions compound too) × periods per year, on the same
  unit-period as above.
- ``eu-ccd``: EU Consumer Credit Directive Annex I (UK CONC App 1) — the
  effective annual rate X with ``Σ A(1+X)^−t = Σ P(1+X)^−s``, times in years
  as actual days from the first drawdown / 365 (the calendar basis of the
  Directive's worked examples; leap days are counted as days, not as a
  366-day year).

Floats appear only inside the root-finder; the root is checked by recomputing
the balance equation in Decimal, and a root that does not balance raises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from itertools import pairwise

from fairdue.domain.loanmath.calendar import add_months, semimonth_back
from fairdue.domain.loanmath.errors import (
    FloatRefused,
    MalformedFlow,
    NoAdvance,
    NonPositiveAmount,
    NoPayment,
    NoRoot,
    PaymentBeforeAdvance,
    UnknownConvention,
)

CONVENTIONS = ("us-reg-z", "cn-irr", "eu-ccd")
FLOWS_MAX = 10_000  # more flows than any installment plan has
RATE_PER_UNIT_MAX = 1e6  # a unit-period rate beyond this has no meaning; the search stops there
_RESIDUAL_MAX = Decimal("1e-9")  # |balance| / advances accepted when verifying a root

Flow = tuple[date, Decimal]
# (amount, t, f): an amount at t whole unit-periods plus the fraction f of one (or t = 0, f = years: eu-ccd).
PositionedFlow = tuple[Decimal, int | Fraction, Fraction]


@dataclass(frozen=True, slots=True)
class UnitPeriod:
    """The unit of time of a transaction.

    unit: "day", "week", "semimonth", "month" or "term" (single advance, single payment).
    count: units per unit-period (2 for every two weeks, 3 for quarterly).
    per_year: unit-periods in a year, exact (12/count, 52/count, 24, 365, 365/days).
    """

    unit: str
    count: int
    per_year: Fraction

    @property
    def approx_days(self) -> float:
        return {"day": 1.0, "week": 7.0, "semimonth": 15.2, "month": 30.4}.get(self.unit, 0.0) * self.count


# -- input ------------------------------------------------------------------------


def _amount(value: object, side: str, on: object) -> Decimal:
    if isinstance(value, float):
        raise FloatRefused(f"{side} amount on {on}")
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise MalformedFlow(f"{side} amount on {on} must be a Decimal, int or numeric str, got {type(value).__name__}")
    try:
        d = Decimal(value.strip().replace(",", "")) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise MalformedFlow(f"{side} amount on {on} is not a number: {value!r}") from None
    if not d.is_finite():
        raise MalformedFlow(f"{side} amount on {on} is not finite: {value!r}")
    if d <= 0:
        raise NonPositiveAmount(side, on, value)
    return d


def parse_flows(flows: Iterable[tuple[date, object]], side: str) -> list[Flow]:
    """Validate `(date, amount)` pairs and sort them by date."""
    if flows is None or isinstance(flows, (str, bytes)):
        raise MalformedFlow(f"{side}s must be a list of (date, amount) pairs")
    out: list[Flow] = []
    for item in flows:
        try:
            on, value = item
        except (TypeError, ValueError):
            raise MalformedFlow(f"each {side} must be a (date, amount) pair, got {item!r}") from None
        if not isinstance(on, date):
            raise MalformedFlow(f"{side} date must be a datetime.date, got {on!r}")
        out.append((on, _amount(value, side, on)))
        if len(out) > FLOWS_MAX:
            raise MalformedFlow(f"more than {FLOWS_MAX} {side}s")
    out.sort(key=lambda f: f[0])
    return out


# -- calendar measures -------------------------------------------------------------


def _months_back(later: date, months: int) -> date:
    return add_months(later, -months)


def months_and_days(start: date, later: date) -> tuple[int, int]:
    """Full months measured back from `later`, then the days left from `start` (App. J (b)(5)(ii))."""
    m = (later.year - start.year) * 12 + (later.month - start.month)
    while m > 0 and _months_back(later, m) < start:
        m -= 1
    if m <= 0:
        return 0, (later - start).days
    if add_months(start, m, keep_month_end=False) == later:  # 29th/30th → last day of February
        return m, 0
    return m, (_months_back(later, m) - start).days


def _is_month_step(d1: date, d2: date) -> int:
    """k if `d2` is exactly k (1..12) months after `d1` under the month-end rules, else 0."""
    m, rest = months_and_days(d1, d2)
    return m if rest == 0 and 1 <= m <= 12 else 0


def _standard_intervals(d1: date, d2: date) -> list[tuple[str, int]]:
    days = (d2 - d1).days
    if days <= 0:
        return []
    out: list[tuple[str, int]] = []
    if days == 1:
        out.append(("day", 1))
    if days % 7 == 0 and days // 7 <= 52:
        out.append(("week", days // 7))
    k = _is_month_step(d1, d2)
    if k:
        out.append(("month", k))
    if semimonth_back(d2) == d1:
        out.append(("semimonth", 1))
    return out


def _per_year(unit: str, count: int) -> Fraction:
    return {"day": Fraction(365), "week": Fraction(52, count), "semimonth": Fraction(24), "month": Fraction(12, count)}[
        unit
    ]


def _nearest_standard(avg_days: float) -> tuple[str, int]:
    """The standard interval nearest an average period (ties → the smaller), App. J (b)(4)(i)(B)."""
    candidates = [("day", 1, 1.0), ("semimonth", 1, 365 / 24)]
    candidates += [("week", k, 7.0 * k) for k in range(1, 53)]
    candidates += [("month", k, 365 / 12 * k) for k in range(1, 13)]
    best = min(candidates, key=lambda c: (abs(c[2] - avg_days), c[2]))
    return best[0], best[1]


def unit_period(advances: Sequence[Flow], payments: Sequence[Flow]) -> UnitPeriod:
    """Appendix J (b)(4): the unit-period of a transaction."""
    start = advances[0][0]
    if len(advances) == 1 and len(payments) == 1:
        paid_on = payments[0][0]
        m, rest = months_and_days(start, paid_on)
        if m >= 12:
            return UnitPeriod("month", 12, Fraction(1))
        if m >= 1 and rest == 0:
            return UnitPeriod("term", m, Fraction(12, m))
        days = (paid_on - start).days
        return UnitPeriod("term", days, Fraction(365, days))
    periods: list[tuple[date, date]] = []
    pay_dates = sorted({d for d, _ in payments})
    adv_dates = sorted({d for d, _ in advances})
    periods += list(pairwise(pay_dates))
    periods += list(pairwise(adv_dates))
    if pay_dates[0] > start:
        periods.append((start, pay_dates[0]))
    counts: Counter[tuple[str, int]] = Counter()
    for d1, d2 in periods:
        counts.update(_standard_intervals(d1, d2))
    common = [(c, u) for u, c in counts.items() if c >= 2]
    if common:
        lengths = {u: UnitPeriod(u[0], u[1], Fraction(1)).approx_days for _, u in common}
        _, best = max(common, key=lambda cu: (cu[0], -lengths[cu[1]]))
    else:
        spans = [(d2 - d1).days for d1, d2 in periods if d2 > d1]
        if not spans:
            raise NoRoot("every flow falls on one date: there is no time for a rate")
        best = _nearest_standard(sum(spans) / len(spans))
    return UnitPeriod(best[0], best[1], _per_year(*best))


def position(start: date, on: date, unit: UnitPeriod) -> tuple[int, Fraction]:
    """(t, f): full unit-periods and the fraction of one from `start` to `on` (App. J (b)(5))."""
    if on < start:
        raise PaymentBeforeAdvance(on, start)
    if unit.unit == "term":
        return (1, Fraction(0)) if on > start else (0, Fraction(0))
    if unit.unit == "day":
        return (on - start).days, Fraction(0)
    if unit.unit == "week":
        t, rest = divmod((on - start).days, 7 * unit.count)
        return t, Fraction(rest, 7 * unit.count)
    if unit.unit == "semimonth":
        # Whole months first (two half-months each), then single half-months back to the start.
        months, _ = months_and_days(start, on)
        cur = add_months(on, -months)
        t = 2 * months
        if cur < start:  # a 29th/30th clamped into February: count those half-months one by one
            t, cur = 0, on
        while semimonth_back(cur) >= start:
            cur = semimonth_back(cur)
            t += 1
        return t, Fraction((cur - start).days, 15)
    months, days = months_and_days(start, on)
    if unit.count == 12:  # (b)(5)(v): a year; the rest in months/12 if whole months, else days/365
        years, rest_months = divmod(months, 12)
        if days == 0:
            return years, Fraction(rest_months, 12)
        return years, Fraction((_months_back(on, 12 * years) - start).days, 365)
    if unit.count == 1:
        return months, Fraction(days, 30)
    t, rest = divmod(30 * months + days, 30 * unit.count)
    return t, Fraction(rest, 30 * unit.count)


def _year_positions(start: date, dates: Sequence[date]) -> list[Fraction]:
    """eu-ccd time in years: actual days from the first drawdown / 365."""
    return [Fraction((d - start).days, 365) for d in dates]


# -- the root ----------------------------------------------------------------------


def _discount_float(i: float, t: float, f: float, simple_fraction: bool) -> float:
    # The base 1 + i is positive, so the powers are real (typeshed types float ** float as Any).
    if simple_fraction:
        growth: float = (1.0 + i) ** t
        return (1.0 + f * i) * growth
    discount: float = (1.0 + i) ** (t + f)
    return discount


def solve_rate(
    advances: Sequence[tuple[float, float, float]],
    payments: Sequence[tuple[float, float, float]],
    *,
    simple_fraction: bool,
) -> float:
    """The unit-period rate i ≥ 0 that balances (amount, t, f) flows (Illinois regula falsi)."""

    def g(i: float) -> float:
        pv_pay = sum(a / _discount_float(i, t, f, simple_fraction) for a, t, f in payments)
        pv_adv = sum(a / _discount_float(i, t, f, simple_fraction) for a, t, f in advances)
        return pv_pay - pv_adv

    lo, g_lo = 0.0, g(0.0)
    if g_lo == 0:
        return 0.0
    if g_lo < 0:
        raise NoRoot("the payments are worth less than the advances: no non-negative rate balances them")
    hi = 1.0
    try:
        g_hi = g(hi)
        while g_hi > 0:
            hi *= 4.0
            if hi > RATE_PER_UNIT_MAX:
                raise NoRoot(f"no rate up to {RATE_PER_UNIT_MAX:g} a unit-period balances the flows")
            g_hi = g(hi)
    except OverflowError:
        raise NoRoot("the flows do not balance at any representable rate") from None
    side = 0
    for _ in range(300):
        if hi - lo <= 1e-16 * max(1.0, hi):
            break
        mid = (lo * g_hi - hi * g_lo) / (g_hi - g_lo)
        if not lo < mid < hi:
            mid = 0.5 * (lo + hi)
        g_mid = g(mid)
        if g_mid == 0:
            return mid
        if (g_mid > 0) == (g_lo > 0):
            lo, g_lo = mid, g_mid
            if side == 1:
                g_hi *= 0.5
            side = 1
        else:
            hi, g_hi = mid, g_mid
            if side == -1:
                g_lo *= 0.5
            side = -1
    return lo if abs(g_lo) < abs(g_hi) else hi


def _residual(
    i: Decimal, advances: Sequence[PositionedFlow], payments: Sequence[PositionedFlow], simple_fraction: bool
) -> Decimal:
    """Σ PV(payments) − Σ PV(advances) at `i`, in Decimal, relative to the advances."""
    with localcontext() as ctx:
        ctx.prec = 40
        base = 1 + i
        log_base = base.ln() if not simple_fraction else None

        def disc(t: Fraction, f: Fraction) -> Decimal:
            ff = Decimal(f.numerator) / Decimal(f.denominator)
            if simple_fraction or log_base is None:  # log_base is None exactly when simple_fraction
                return (1 + ff * i) * base ** int(t)
            x = Fraction(t) + f
            if x.denominator == 1:
                return base ** int(x)
            return (Decimal(x.numerator) / Decimal(x.denominator) * log_base).exp()

        pay = sum((a / disc(Fraction(t), f) for a, t, f in payments), Decimal(0))
        adv = sum((a / disc(Fraction(t), f) for a, t, f in advances), Decimal(0))
        return (pay - adv) / adv


def _solve_checked(
    advances: Sequence[PositionedFlow], payments: Sequence[PositionedFlow], simple_fraction: bool
) -> Decimal:
    fa = [(float(a), float(t), float(f)) for a, t, f in advances]
    fp = [(float(a), float(t), float(f)) for a, t, f in payments]
    total_adv = sum((a for a, _, _ in advances), Decimal(0))
    total_pay = sum((a for a, _, _ in payments), Decimal(0))
    if total_pay == total_adv and all(t == 0 and f == 0 for _, t, f in advances):
        return Decimal(0)
    if total_pay < total_adv:
        raise NoRoot(f"payments total {total_pay} is less than the advances {total_adv}: no non-negative rate")
    i_float = solve_rate(fa, fp, simple_fraction=simple_fraction)
    i = Decimal(repr(i_float))
    # Polish the float root with two Decimal Newton steps (derivative by a tiny
    # difference at 40 digits), then verify: a root that does not balance the
    # equation to 1e-9 of the advances is refused, never returned.
    with localcontext() as ctx:
        ctx.prec = 40
        for _ in range(2):
            r0 = _residual(i, advances, payments, simple_fraction)
            if r0 == 0:
                break
            h = max(abs(i), Decimal(1)) * Decimal("1e-15")
            slope = (_residual(i + h, advances, payments, simple_fraction) - r0) / h
            if slope == 0:
                break
            candidate = i - r0 / slope
            if candidate < 0:
                break
            i = candidate
        residual = _residual(i, advances, payments, simple_fraction)
    if abs(residual) > _RESIDUAL_MAX:
        raise NoRoot(f"the rate found ({i}) does not balance the flows (residual {residual:.3e} of the advances)")
    with localcontext() as ctx:
        ctx.prec = 28
        return +i


# -- public -------------------------------------------------------------------------


def _positions(
    advances: Sequence[Flow], payments: Sequence[Flow], unit: UnitPeriod
) -> tuple[list[PositionedFlow], list[PositionedFlow]]:
    start = advances[0][0]
    adv: list[PositionedFlow] = [(a, *position(start, d, unit)) for d, a in advances]
    pay: list[PositionedFlow] = [(a, *position(start, d, unit)) for d, a in payments]
    return adv, pay


def apr(advances: Iterable[tuple[date, object]], payments: Iterable[tuple[date, object]], convention: str) -> Decimal:
    """The annual rate (a fraction: 0.0969 is 9.69%) that balances `advances` against `payments`.

    `advances` and `payments` are lists of `(datetime.date, amount)`, amounts in
    major units as Decimal, int or numeric str (floats are refused). The result
    is unrounded and accurate to better than 1e-8. Invalid flows raise a
    precise `InvalidFlow` subclass (a ValueError and a FairdueError).
    """
    if convention not in CONVENTIONS:
        raise UnknownConvention(convention, CONVENTIONS)
    adv = parse_flows(advances, "advance")
    pay = parse_flows(payments, "payment")
    if not adv:
        raise NoAdvance()
    if not pay:
        raise NoPayment()
    if pay[0][0] < adv[0][0]:
        raise PaymentBeforeAdvance(pay[0][0], adv[0][0])
    if pay[-1][0] == adv[0][0]:
        raise NoRoot(f"every payment falls on the day of the advance ({adv[0][0]}): there is no time for a rate")
    if convention == "eu-ccd":
        start = adv[0][0]
        ya = _year_positions(start, [d for d, _ in adv])
        yp = _year_positions(start, [d for d, _ in pay])
        fa: list[PositionedFlow] = [(a, Fraction(0), y) for (_, a), y in zip(adv, ya, strict=True)]
        fp: list[PositionedFlow] = [(a, Fraction(0), y) for (_, a), y in zip(pay, yp, strict=True)]
        return _solve_checked(fa, fp, simple_fraction=False)
    unit = unit_period(adv, pay)
    fa, fp = _positions(adv, pay, unit)
    i = _solve_checked(fa, fp, simple_fraction=(convention == "us-reg-z"))
    with localcontext() as ctx:
        ctx.prec = 34
        return i * Decimal(unit.per_year.numerator) / Decimal(unit.per_year.denominator)


def unit_rate_from_apr(apr_value: Decimal, unit: UnitPeriod) -> Decimal:
    """The unit-period rate behind an APR (inverse of × per_year)."""
    with localcontext() as ctx:
        ctx.prec = 34
        return apr_value * Decimal(unit.per_year.denominator) / Decimal(unit.per_year.numerator)


__all__ = [
    "CONVENTIONS",
    "UnitPeriod",
    "apr",
    "months_and_days",
    "parse_flows",
    "position",
    "solve_rate",
    "unit_period",
    "unit_rate_from_apr",
]
