"""Exact money: integer minor units with an ISO 4217 currency.

`Decimal` appears only at the edges — parsing input, applying a rate,
display. No float ever touches an amount: constructing a `Money` from a float
raises, and so does parsing a string with more decimals than the currency has.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    ROUND_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)

from fairdue.errors import Invalid

# ISO 4217 minor-unit exponents for the currencies fairdue services.
CURRENCY_EXPONENTS: dict[str, int] = {
    "CNY": 2,
    "USD": 2,
    "GBP": 2,
    "EUR": 2,
    "HKD": 2,
    "JPY": 0,
    "KRW": 0,
    "KWD": 3,
}

# Largest magnitude a BIGINT column holds; an amount past it cannot be stored.
AMOUNT_MINOR_MAX = 2**63 - 1


class MoneyError(Invalid, ValueError):
    """Base of every money error; a ValueError so edges can catch one type."""


class UnknownCurrency(MoneyError):
    def __init__(self, currency: object):
        super().__init__(f"unknown currency {currency!r}; known: {', '.join(sorted(CURRENCY_EXPONENTS))}")
        self.currency = currency


class CurrencyMismatch(MoneyError):
    def __init__(self, left: str, right: str):
        super().__init__(f"cannot mix currencies {left} and {right}")
        self.left, self.right = left, right


class ExcessPrecision(MoneyError):
    def __init__(self, value: object, currency: str):
        exp = CURRENCY_EXPONENTS[currency]
        super().__init__(f"amount {value} has more than {exp} decimal place(s) allowed for {currency}")
        self.value, self.currency = value, currency


class InvalidAmount(MoneyError):
    pass


class Rounding(enum.Enum):
    """Rounding modes, named so every division says which one it uses."""

    HALF_EVEN = ROUND_HALF_EVEN  # banker's rounding: the default where a rate applies
    HALF_UP = ROUND_HALF_UP
    DOWN = ROUND_DOWN  # toward zero
    UP = ROUND_UP  # away from zero
    FLOOR = ROUND_FLOOR
    CEILING = ROUND_CEILING


def exponent(currency: str) -> int:
    """Number of minor-unit digits of `currency` (CNY 2, JPY 0)."""
    try:
        return CURRENCY_EXPONENTS[currency]
    except (KeyError, TypeError):
        raise UnknownCurrency(currency) from None


def check_currency(currency: object) -> str:
    """Return `currency` if it is a known ISO 4217 code, else raise UnknownCurrency."""
    if not isinstance(currency, str) or currency not in CURRENCY_EXPONENTS:
        raise UnknownCurrency(currency)
    return currency


def _check_minor(amount_minor: object) -> int:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise InvalidAmount(f"amount_minor must be an int, got {type(amount_minor).__name__}")
    if abs(amount_minor) > AMOUNT_MINOR_MAX:
        raise InvalidAmount(f"amount {amount_minor} exceeds the storable maximum {AMOUNT_MINOR_MAX}")
    return amount_minor


def to_minor(value: str | Decimal | int, currency: str) -> int:
    """Parse a major-unit amount ("230.50", Decimal, int) into minor units.

    Raises ExcessPrecision when `value` has more decimals than the currency,
    InvalidAmount for anything that is not a finite number (floats included).
    """
    exp = exponent(currency)
    if isinstance(value, (bool, float)):
        raise InvalidAmount(f"amount must be a str, Decimal or int, not {type(value).__name__}")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip().replace(",", "").replace("_", "")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise InvalidAmount(f"not a number: {value!r}") from None
    else:
        raise InvalidAmount(f"amount must be a str, Decimal or int, not {type(value).__name__}")
    if not number.is_finite():
        raise InvalidAmount(f"not a finite amount: {value!r}")
    with localcontext() as ctx:
        ctx.prec = 60
        scaled = number.scaleb(exp)
        if scaled != scaled.to_integral_value():
            raise ExcessPrecision(value, currency)
        return _check_minor(int(scaled))


def to_decimal(amount_minor: int, currency: str) -> Decimal:
    """Minor units as a major-unit Decimal with exactly the currency's places."""
    exp = exponent(currency)
    return Decimal(_check_minor(amount_minor)).scaleb(-exp)


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount.

    amount_minor: integer minor units (fen, cents); negative for credits/refunds.
    currency: ISO 4217 code, one of CURRENCY_EXPONENTS.
    """

    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        _check_minor(self.amount_minor)
        check_currency(self.currency)

    # -- construction at the edges -------------------------------------------
    @classmethod
    def parse(cls, value: str | Decimal | int, currency: str) -> Money:
        """Major units in, exact Money out; refuses excess precision and floats."""
        return cls(to_minor(value, currency), check_currency(currency))

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    # -- arithmetic that refuses to mix currencies -------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"expected Money, got {type(other).__name__}")
        if other.currency != self.currency:
            raise CurrencyMismatch(self.currency, other.currency)

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor + other.amount_minor, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount_minor - other.amount_minor, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount_minor, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.amount_minor), self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor < other.amount_minor

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor <= other.amount_minor

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor > other.amount_minor

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount_minor >= other.amount_minor

    def __bool__(self) -> bool:
        return self.amount_minor != 0

    def times(self, factor: int) -> Money:
        """Multiply by an integer count (never a rate: use `apply_rate`)."""
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money.times takes an int; use apply_rate for a rate")
        return Money(self.amount_minor * factor, self.currency)

    # -- display ---------------------------------------------------------------
    def to_decimal(self) -> Decimal:
        return to_decimal(self.amount_minor, self.currency)

    def format(self) -> str:
        """'CNY 1,234.50' — grouping, exact places, sign first."""
        d = self.to_decimal()
        exp = exponent(self.currency)
        body = f"{abs(d):,.{exp}f}"
        return f"{'-' if d < 0 else ''}{self.currency} {body}"

    def __str__(self) -> str:
        return self.format()


def add_all(amounts: Iterable[Money], currency: str) -> Money:
    """Sum of `amounts`, all in `currency` (an empty sum is zero)."""
    total = Money.zero(currency)
    for m in amounts:
        total = total + m
    return total


def round_decimal(value: Decimal, rounding: Rounding = Rounding.HALF_EVEN) -> int:
    """Round a Decimal number of minor units to an int with the named mode."""
    if not isinstance(rounding, Rounding):
        raise TypeError("rounding must be a Rounding member")
    with localcontext() as ctx:
        ctx.prec = 60
        return int(value.to_integral_value(rounding=rounding.value))


def apply_rate(amount: Money, rate: Decimal | int | str, rounding: Rounding = Rounding.HALF_EVEN) -> Money:
    """amount × rate, rounded to a minor unit with the named rounding mode."""
    if isinstance(rate, float):
        raise InvalidAmount("a rate must be a Decimal, int or str, never a float")
    try:
        r = Decimal(rate)
    except InvalidOperation:
        raise InvalidAmount(f"not a rate: {rate!r}") from None
    if not r.is_finite():
        raise InvalidAmount(f"not a finite rate: {rate!r}")
    with localcontext() as ctx:
        ctx.prec = 60
        return Money(round_decimal(Decimal(amount.amount_minor) * r, rounding), amount.currency)


def split_minor(total_minor: int, weights: Sequence[int]) -> list[int]:
    """Split an integer total in proportion to integer weights, losing nothing.

    Largest-remainder (Hamilton) method: each part gets the floor of its exact
    share, then the leftover units go one each to the largest remainders
    (earliest index first on ties). The parts always sum to `total_minor`.
    Negative totals split symmetrically.
    """
    _check_minor(total_minor)
    if not weights:
        raise InvalidAmount("cannot split into zero parts")
    if any(isinstance(w, bool) or not isinstance(w, int) or w < 0 for w in weights):
        raise InvalidAmount("weights must be non-negative ints")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise InvalidAmount("weights must not all be zero")
    sign = -1 if total_minor < 0 else 1
    magnitude = abs(total_minor)
    floors = [magnitude * w // weight_sum for w in weights]
    remainders = [magnitude * w % weight_sum for w in weights]
    leftover = magnitude - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:leftover]:
        floors[i] += 1
    return [sign * p for p in floors]


def split(total: Money, parts: int | Sequence[int]) -> list[Money]:
    """Split `total` into `parts` equal shares (or by integer weights) exactly."""
    if isinstance(parts, bool):  # an int to Python, but never a count of parts
        raise InvalidAmount(f"cannot split into {parts} parts")
    if isinstance(parts, int):
        if parts <= 0:
            raise InvalidAmount(f"cannot split into {parts} parts")
        weights: Sequence[int] = [1] * parts
    else:
        weights = parts
    return [Money(p, total.currency) for p in split_minor(total.amount_minor, weights)]
