"""Amounts in bank files become exact minor units: no float, no rounding, no sign where the format has none."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairdue.adapters.bankfiles.common import decode, parse_amount, refuse_repeated_keys
from fairdue.adapters.bankfiles.errors import BadAmount, BadEncoding, MalformedRecord
from fairdue.domain.money import CURRENCY_EXPONENTS
from fairdue.domain.payments_in.statement import Direction, LineKind, StatementLine


@given(st.integers(0, 10**15), st.sampled_from(sorted(CURRENCY_EXPONENTS)))
def test_decimal_text_round_trips_to_minor_units_exactly_iso4217_exponents(amount_minor: int, currency: str) -> None:
    exp = CURRENCY_EXPONENTS[currency]
    major, minor = divmod(amount_minor, 10**exp)
    text = f"{major}.{minor:0{exp}d}" if exp else str(major)
    assert parse_amount(text, currency, fmt="t", record_no=1, field="a") == amount_minor


@given(st.integers(1, 10**12))
def test_thousands_and_decimal_comma_read_exactly_iso4217_eur(amount_minor: int) -> None:
    major, minor = divmod(amount_minor, 100)
    text = f"{major:,}".replace(",", ".") + f",{minor:02d}"
    got = parse_amount(text, "EUR", fmt="t", record_no=1, field="a", decimal_sep=",", thousands_sep=".", signed=True)
    assert got == amount_minor


@pytest.mark.parametrize(
    ("text", "currency", "why"),
    [
        ("1.005", "GBP", "has 3 decimals; GBP has 2"),
        ("100.5", "JPY", "has 1 decimals; JPY has 0"),
        ("1e3", "USD", "is not a decimal amount"),
        ("12 00", "USD", "is not a decimal amount"),
        ("", "USD", "is not a decimal amount"),
        ("-5.00", "USD", "has a sign"),
        ("5.00", "XXX", "unknown currency"),
    ],
)
def test_amounts_that_are_not_exact_in_the_currency_are_refused_iso4217(text: str, currency: str, why: str) -> None:
    with pytest.raises(BadAmount, match=re.escape(why)) as err:
        parse_amount(text, currency, fmt="fmt", record_no=7, field="Amt")
    assert str(err.value).startswith("fmt, record 7, field Amt: ")


def test_a_sign_is_read_where_the_format_writes_one_alipay_refund_amounts() -> None:
    assert parse_amount("-20.50", "CNY", fmt="t", record_no=1, field="a", signed=True) == -2050


def test_a_decimal_point_under_a_decimal_comma_convention_is_refused_issue20_csv_mapping() -> None:
    with pytest.raises(BadAmount, match="decimal separator is ','"):
        parse_amount("1.50", "EUR", fmt="t", record_no=1, field="a", decimal_sep=",")


def test_undecodable_bytes_name_their_line_issue20_clear_error() -> None:
    with pytest.raises(BadEncoding, match="record 3: byte 4 is not valid utf-8"):
        decode(b"a\nb\n\xff", "utf-8", fmt="t")


@given(st.integers(1000, 10**12))
def test_a_thousands_separator_out_of_its_place_is_refused_issue20_digit_grouping(amount_minor: int) -> None:
    whole = str(amount_minor // 100)
    grouped = f"{int(whole):,}".replace(",", ".")
    shifted = grouped.replace(".", "")[:-2] + "." + grouped.replace(".", "")[-2:]  # '12.50'-style misplacement
    assert parse_amount(f"{grouped},00", "EUR", fmt="t", record_no=1, field="a", decimal_sep=",", thousands_sep=".")
    with pytest.raises(BadAmount, match="in threes"):
        parse_amount(f"{shifted},00", "EUR", fmt="t", record_no=1, field="a", decimal_sep=",", thousands_sep=".")


def test_repeated_line_keys_are_refused_naming_every_record_issue20_line_key_unique() -> None:
    line = StatementLine("k:1", 2, LineKind.PAYMENT, Direction.CREDIT, 100, "EUR", None, date(2026, 12, 7))
    other = StatementLine("k:2", 3, LineKind.PAYMENT, Direction.CREDIT, 100, "EUR", None, date(2026, 12, 7))
    refuse_repeated_keys("t", [line, other])
    with pytest.raises(MalformedRecord, match="records 2, 5"):
        refuse_repeated_keys("t", [line, other, replace(line, record_no=5)])
