"""Money is exact: minor units, no float, no lost unit, no mixed currencies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairdue.domain.money import (
    CurrencyMismatch,
    ExcessPrecision,
    InvalidAmount,
    Money,
    Rounding,
    UnknownCurrency,
    apply_rate,
    exponent,
    split,
    split_minor,
    to_minor,
)


@pytest.mark.parametrize("currency,exp", [("CNY", 2), ("USD", 2), ("GBP", 2), ("EUR", 2), ("JPY", 0)])
def test_exponents(currency, exp):
    assert exponent(currency) == exp


@pytest.mark.parametrize(
    "value,currency,minor",
    [
        ("230.00", "CNY", 23000),
        ("230", "CNY", 23000),
        ("0.01", "USD", 1),
        (" 1,234.5 ", "GBP", 123450),
        (Decimal("99.99"), "EUR", 9999),
        (500, "JPY", 500),
        ("-12.30", "CNY", -1230),
        ("1.000", "USD", 100),  # trailing zeros are not extra precision
    ],
)
def test_parse(value, currency, minor):
    assert Money.parse(value, currency) == Money(minor, currency)


@pytest.mark.parametrize("value,currency", [("0.001", "CNY"), ("1.5", "JPY"), (Decimal("2.345"), "USD")])
def test_excess_precision_is_refused(value, currency):
    with pytest.raises(ExcessPrecision, match="decimal place"):
        to_minor(value, currency)


@pytest.mark.parametrize("value", [1.5, "abc", "NaN", "Infinity", None, True, ""])
def test_non_numbers_and_floats_are_refused(value):
    with pytest.raises(InvalidAmount):
        to_minor(value, "CNY")


def test_unknown_currency():
    with pytest.raises(UnknownCurrency, match="XYZ"):
        Money(1, "XYZ")


def test_constructor_refuses_float_and_bool():
    with pytest.raises(InvalidAmount):
        Money(1.0, "CNY")  # type: ignore[arg-type]
    with pytest.raises(InvalidAmount):
        Money(True, "CNY")  # type: ignore[arg-type]


def test_mixing_currencies_raises():
    with pytest.raises(CurrencyMismatch):
        Money(1, "CNY") + Money(1, "USD")
    with pytest.raises(CurrencyMismatch):
        _ = Money(1, "CNY") < Money(1, "USD")  # ordering across currencies raises, never answers


def test_format():
    assert Money(123450, "CNY").format() == "CNY 1,234.50"
    assert Money(-5, "USD").format() == "-USD 0.05"
    assert Money(1000, "JPY").format() == "JPY 1,000"


@pytest.mark.parametrize(
    "rounding,expected",
    [(Rounding.HALF_EVEN, 2), (Rounding.HALF_UP, 3), (Rounding.DOWN, 2), (Rounding.UP, 3)],
)
def test_apply_rate_rounding_is_explicit(rounding, expected):
    # 5 fen × 0.5 = 2.5 fen
    assert apply_rate(Money(5, "CNY"), Decimal("0.5"), rounding).amount_minor == expected


def test_apply_rate_refuses_float():
    with pytest.raises(InvalidAmount):
        apply_rate(Money(100, "CNY"), 0.1)  # type: ignore[arg-type]


def test_split_largest_remainder():
    assert [m.amount_minor for m in split(Money(100, "CNY"), 3)] == [34, 33, 33]
    assert split_minor(100, [1, 1, 1, 0]) == [34, 33, 33, 0]
    assert split_minor(-100, [1, 1, 1]) == [-34, -33, -33]
    assert split_minor(10, [3, 7]) == [3, 7]


@given(
    total=st.integers(min_value=-(10**15), max_value=10**15),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=40).filter(any),
)
def test_split_never_loses_a_unit(total, weights):
    parts = split_minor(total, weights)
    assert sum(parts) == total
    weight_sum = sum(weights)
    for part, w in zip(parts, weights, strict=True):
        exact = Decimal(total) * w / weight_sum
        assert abs(Decimal(part) - exact) < 1  # each part within one unit of its exact share


@given(
    st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False, allow_infinity=False)
)
def test_parse_round_trips(value):
    assert Money.parse(value, "CNY").to_decimal() == value
