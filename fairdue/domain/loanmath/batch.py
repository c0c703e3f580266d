"""Batch forms: many plans at once with NumPy, exact on money.

Money stays integer (int64 minor units) throughout. A product ``amount × rate``
is rounded half-even exactly: when the rate is a short decimal (``a / 10^k``)
the product is done in integers; otherwise it is done in float64, and every
element whose float product lies within a hair of a rounding boundary is
recomputed exactly in Decimal — so each row is identical, unit for unit, to
what the scalar `schedule` produces (tests compare them row for row).

Rates are found with a vectorised Newton iteration in float64 (floats live only
inside the root-finder); every rate is then verified by recomputing the
balance equation, and a plan whose rate does not balance raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np

from fairdue.domain.loanmath.errors import InvalidScheduleInput, NoRoot
from fairdue.domain.loanmath.schedules import PERIODS_MAX, annuity_factor, check_rate
from fairdue.domain.money import AMOUNT_MINOR_MAX

_INT_PRODUCT_MAX = 2**62  # an integer product below this cannot overflow int64
_FLOAT_EXACT_MAX = 2**50  # integers below this divide exactly enough in float64 to floor correctly
_PREC = 50  # same digits as the scalar schedule
_NEWTON_STEPS_MAX = 60
_CHUNK = 131_072  # plans per pass: keeps each period's temporaries in cache
_RESIDUAL_MAX = 1e-9  # |balance| / advance accepted when verifying a batch rate


def _exact_round_one(x: int, rate: Decimal) -> int:
    with localcontext() as ctx:
        ctx.prec = _PREC
        return int((Decimal(x) * rate).to_integral_value(rounding="ROUND_HALF_EVEN"))


def mul_rate_round(x: np.ndarray, rate: Decimal) -> np.ndarray:
    """x × rate rounded half-even to an integer, exactly, for an int64 array `x` ≥ 0."""
    x = np.asarray(x, dtype=np.int64)
    if x.size == 0:
        return x.copy()
    x_max = int(x.max())
    sign, digits, exp = rate.as_tuple()
    if isinstance(exp, int) and exp <= 0 and not sign:
        a = int("".join(map(str, digits)) or "0")
        den = 10 ** (-exp)
        if a * max(x_max, 1) + den < _FLOAT_EXACT_MAX:
            # Below 2^50 every integer is exact in float64, and a correctly rounded
            # quotient cannot cross an integer, so truncating it is the exact floor.
            shifted = x * np.int64(a) if a != 1 else x.copy()
            shifted += np.int64(den // 2)
            q: np.ndarray = (shifted.astype(np.float64) / den).astype(np.int64)
            if den % 2 == 0:  # an exact half: round to even
                shifted -= q * np.int64(den)
                ties = np.flatnonzero(shifted == 0)
                q[ties] -= q[ties] & 1
            return q
        if a * max(x_max, 1) < _INT_PRODUCT_MAX and den < _INT_PRODUCT_MAX:
            prod = x * np.int64(a)
            q, rem = np.divmod(prod, np.int64(den))
            twice = rem * 2
            up = (twice > den) | ((twice == den) & (q % 2 == 1))
            rounded: np.ndarray = q + up.astype(np.int64)
            return rounded
    y = x.astype(np.float64) * float(rate)
    out = np.rint(y).astype(np.int64)
    frac = y - np.floor(y)
    tol = 1e-6 + np.abs(y) * 1e-12
    unsure = np.nonzero(np.abs(frac - 0.5) < tol)[0]
    for idx in unsure:
        out[idx] = _exact_round_one(int(x[idx]), rate)
    return out


def _div_round(x: np.ndarray, n: int) -> np.ndarray:
    """x / n rounded half-even, in integers."""
    q, rem = np.divmod(x, np.int64(n))
    twice = rem * 2
    up = (twice > n) | ((twice == n) & (q % 2 == 1))
    rounded: np.ndarray = q + up.astype(np.int64)
    return rounded


@dataclass(frozen=True, slots=True)
class BatchSchedules:
    """Rows of many plans: every array has shape (plans, periods), int64 minor units.

    Column k is installment seq k+1; due dates are the same for every plan and
    come from `calendar.due_dates`.
    """

    principal_minor: np.ndarray
    interest_minor: np.ndarray
    fee_minor: np.ndarray
    total_minor: np.ndarray
    remaining_minor: np.ndarray


def _check_principals(principal_minor: np.ndarray, periods: int) -> np.ndarray:
    p = np.asarray(principal_minor)
    if p.ndim != 1 or p.dtype.kind not in "iu":
        raise InvalidScheduleInput("principal_minor must be a 1-d integer array")
    p = p.astype(np.int64)
    if p.size and (int(p.min()) <= 0 or int(p.max()) > AMOUNT_MINOR_MAX // 1000):
        raise InvalidScheduleInput("every principal must be positive and below the storable maximum / 1000")
    if isinstance(periods, bool) or not isinstance(periods, int) or not 1 <= periods <= PERIODS_MAX:
        raise InvalidScheduleInput(f"periods must be an int from 1 to {PERIODS_MAX}, got {periods!r}")
    return p


def annuity_schedules(principal_minor: np.ndarray, periods: int, rate: Decimal) -> BatchSchedules:
    """等额本息 for many principals at once; row for row what `schedule("annuity", …)` gives."""
    p = _check_principals(principal_minor, periods)
    r = check_rate(rate)
    n_plans = p.size
    shape = (periods, n_plans)  # filled a period at a time, contiguous; returned transposed
    prin = np.empty(shape, np.int64)
    inte = np.empty(shape, np.int64)
    rema = np.empty(shape, np.int64)
    installment = _div_round(p, periods) if r == 0 else mul_rate_round(p, annuity_factor(r, periods))
    zero = np.zeros(min(_CHUNK, max(n_plans, 1)), np.int64)
    for lo in range(0, n_plans, _CHUNK):
        hi = min(lo + _CHUNK, n_plans)
        remaining = p[lo:hi]
        inst = installment[lo:hi]
        for k in range(periods):
            interest = inte[k, lo:hi]
            interest[...] = mul_rate_round(remaining, r) if r != 0 else zero[: hi - lo]
            part = prin[k, lo:hi]
            if k == periods - 1:
                part[...] = remaining
            else:  # the installment less interest, never below 0 nor above what remains
                np.subtract(inst, interest, out=part)
                np.clip(part, 0, remaining, out=part)
            np.subtract(remaining, part, out=rema[k, lo:hi])
            remaining = rema[k, lo:hi]
    fee = np.zeros(shape, np.int64)
    return BatchSchedules(prin.T, inte.T, fee.T, (prin + inte).T, rema.T)


def iter_annuity_schedules(
    principal_minor: np.ndarray, periods: int, rate: Decimal, chunk: int = _CHUNK
) -> Iterator[tuple[int, BatchSchedules]]:
    """`annuity_schedules` in slices of `chunk` plans, for bounded memory over millions of plans.

    Yields (offset, BatchSchedules) with the rows of plans offset … offset+len−1.
    """
    p = _check_principals(principal_minor, periods)
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InvalidScheduleInput(f"chunk must be a positive int, got {chunk!r}")
    for lo in range(0, p.size, chunk):
        yield lo, annuity_schedules(p[lo : lo + chunk], periods, rate)


def equal_principal_schedules(principal_minor: np.ndarray, periods: int, rate: Decimal) -> BatchSchedules:
    """等额本金 for many principals at once; row for row what `schedule("equal_principal", …)` gives."""
    p = _check_principals(principal_minor, periods)
    r = check_rate(rate)
    shape = (periods, p.size)
    prin = np.empty(shape, np.int64)
    inte = np.empty(shape, np.int64)
    rema = np.empty(shape, np.int64)
    base = p // periods
    for lo in range(0, p.size, _CHUNK):
        hi = min(lo + _CHUNK, p.size)
        remaining = p[lo:hi]
        for k in range(periods):
            inte[k, lo:hi] = mul_rate_round(remaining, r)
            part = prin[k, lo:hi]
            if k == periods - 1:
                part[...] = remaining
            else:
                np.minimum(base[lo:hi], remaining, out=part)
            np.subtract(remaining, part, out=rema[k, lo:hi])
            remaining = rema[k, lo:hi]
    fee = np.zeros(shape, np.int64)
    return BatchSchedules(prin.T, inte.T, fee.T, (prin + inte).T, rema.T)


def _horner(pt: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S(v) = Σ_j pt[j-1]·v^j and S'(v), for (periods, plans) payments; Horner, one pass per period."""
    n = pt.shape[0]
    b = pt[n - 1].copy()
    c = np.zeros_like(b)
    for j in range(n - 2, -1, -1):
        c = c * v + b
        b = b * v + pt[j]
    # one more step for the zero constant term: S = b·v, S' = c·v + b
    return b * v, c * v + b


def regular_rates(advance_minor: np.ndarray, payments_minor: np.ndarray) -> np.ndarray:
    """Unit-period rates of many regular plans: advance at t=0, payment column j at t=j+1.

    Returns float64 rates ≥ 0. Every rate is verified by recomputing the
    balance; a plan whose payments are worth less than its advance, or whose
    rate does not balance, raises NoRoot naming the plan's index.
    """
    a = np.asarray(advance_minor)
    pay = np.asarray(payments_minor)
    if pay.ndim != 2 or a.ndim != 1 or pay.shape[0] != a.shape[0]:
        raise InvalidScheduleInput("payments_minor must be (plans, periods) and advance_minor (plans,)")
    if a.dtype.kind not in "iu" or pay.dtype.kind not in "iu":
        raise InvalidScheduleInput("advance_minor and payments_minor must be integer minor units")
    a = a.astype(np.int64)
    pay = pay.astype(np.int64)
    if a.size and int(a.min()) <= 0:
        raise InvalidScheduleInput("every advance must be positive")
    if pay.size and int(pay.min()) < 0:
        raise InvalidScheduleInput("payments must not be negative")
    n = pay.shape[1]
    total = pay.sum(axis=1)
    short = np.nonzero(total < a)[0]
    if short.size:
        k = int(short[0])
        raise NoRoot(f"plan {k}: payments total {int(total[k])} is less than the advance {int(a[k])}")
    af = a.astype(np.float64)
    pt = np.ascontiguousarray(pay.T, dtype=np.float64)  # (periods, plans): each Horner step is contiguous
    # First guess: the simple rate on the average balance, close for level payments.
    i: np.ndarray = 2.0 * (total - a) / (af * (n + 1))
    for _ in range(_NEWTON_STEPS_MAX):
        v = 1.0 / (1.0 + i)
        s_v, ds_dv = _horner(pt, v)
        slope = -ds_dv * v * v  # dS/di
        step = (s_v - af) / np.where(slope != 0, slope, -1.0)
        i_next = np.maximum(i - step, 0.0)
        done = bool(np.all(np.abs(i_next - i) <= 4e-16 * np.maximum(1.0, i_next)))
        i = i_next
        if done:
            break
    s_v, _ = _horner(pt, 1.0 / (1.0 + i))
    residual = np.abs(s_v - af) / af
    bad = np.nonzero(~(residual <= _RESIDUAL_MAX))[0]
    if bad.size:
        k = int(bad[0])
        raise NoRoot(f"plan {k}: the rate found ({i[k]!r}) does not balance its flows (residual {residual[k]:.3e})")
    return i


def regular_aprs(advance_minor: np.ndarray, payments_minor: np.ndarray, per_year: int | Fraction) -> np.ndarray:
    """APRs (fractions, float64) of many regular plans: unit-period rate × periods per year.

    For plans whose payments fall on whole unit-periods after the advance,
    us-reg-z and cn-irr coincide, and this is both.
    """
    return regular_rates(advance_minor, payments_minor) * float(Fraction(per_year))


def to_decimal(rates: np.ndarray) -> list[Decimal]:
    """Float rates as Decimals (shortest repr) for display or storage."""
    return [Decimal(repr(float(x))) for x in rates]
