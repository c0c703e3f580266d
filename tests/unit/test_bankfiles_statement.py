"""The normalized statement line: control totals are checked as data, and line keys are stable identities."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from fairdue.adapters.bankfiles import parse_checked
from fairdue.adapters.bankfiles.errors import BankFileError
from fairdue.domain.money import MoneyError
from fairdue.domain.payments_in.statement import (
    PII_FIELDS,
    Direction,
    LineKind,
    ParsedFile,
    StatementLine,
    StatementLineInvalid,
    check_control_totals,
    line_key,
    occurrence_keys,
)


def _line(n: int, amount_minor: int, direction: Direction = Direction.CREDIT, currency: str = "EUR") -> StatementLine:
    return StatementLine(
        line_key=line_key("test", n),
        record_no=n,
        kind=LineKind.PAYMENT,
        direction=direction,
        amount_minor=amount_minor,
        currency=currency,
        booked_on=None,
        value_on=date(2026, 12, 7),
    )


def _file(lines: list[StatementLine], **claims: int | None) -> ParsedFile:
    return ParsedFile(
        format="test",
        file_sha256="0" * 64,
        statement_id=None,
        account=None,
        currency="EUR",
        lines=tuple(lines),
        **claims,
    )


def test_control_totals_tie_iso20022_txs_summary_and_balances() -> None:
    lines = [_line(1, 15000), _line(2, 4500, Direction.DEBIT)]
    parsed = _file(
        lines,
        control_count=2,
        control_credit_minor=15000,
        control_debit_minor=4500,
        control_sum_minor=19500,
        opening_balance_minor=100000,
        closing_balance_minor=110500,
    )
    assert check_control_totals(parsed) == []


def test_every_broken_total_is_reported_with_its_difference_issue20_control_totals() -> None:
    parsed = _file(
        [_line(1, 15000)],
        control_count=2,
        control_credit_minor=15001,
        opening_balance_minor=0,
        closing_balance_minor=14000,
    )
    errors = check_control_totals(parsed)
    assert [e.code for e in errors] == ["count", "credit_sum", "balance"]
    assert "difference 1" in errors[0].message
    assert "difference 1" in errors[1].message
    assert "difference -1000" in errors[2].message


def test_a_line_in_another_currency_than_the_statement_is_named_iso4217() -> None:
    errors = check_control_totals(_file([_line(1, 100), _line(2, 100, currency="GBP")]))
    assert [(e.code, e.actual) for e in errors] == [("currency", "GBP")]
    assert "record 2" in errors[0].message


def test_a_line_amount_is_a_positive_integer_of_minor_units_iso4217() -> None:
    with pytest.raises(StatementLineInvalid, match="positive int"):
        _line(1, 0)
    with pytest.raises(MoneyError):
        _line(1, 100, currency="XXX")
    assert _line(1, 250, Direction.DEBIT).signed_minor == -250


def test_personal_data_fields_are_declared_pipl_art28_financial_accounts() -> None:
    assert {"counterparty_name", "counterparty_account"} == PII_FIELDS
    assert PII_FIELDS.issubset(StatementLine.__dataclass_fields__)


@given(st.lists(st.tuples(st.text(max_size=5), st.integers(0, 10**6)), max_size=30))
def test_occurrence_keys_are_a_pure_function_of_content_issue20_stable_key(identities: list[tuple[str, int]]) -> None:
    first = occurrence_keys("csv", identities)
    assert first == occurrence_keys("csv", list(identities))
    assert len(set(first)) == len(set(identities)) + sum(
        identities.count(i) - 1 for i in set(identities)
    )  # repeats get distinct keys


@given(st.text(max_size=8), st.text(max_size=8))
@example("", "\x1f")  # a field holding the old separator character once collided
def test_line_key_separates_fields_so_joined_text_cannot_collide_issue20_stable_key(a: str, b: str) -> None:
    if (a, b) != (a + b, ""):
        assert line_key("x", a, b) != line_key("x", a + b, "")
    assert line_key("x", None) == line_key("x", "")


def test_replacing_the_record_number_does_not_change_the_key_issue20_stable_key() -> None:
    line = _line(1, 100)
    assert replace(line, record_no=99).line_key == line.line_key


def test_an_unknown_format_is_refused_naming_the_known_ones_issue20_format_option() -> None:
    with pytest.raises(BankFileError, match="unknown format; known: camt053, camt054, nacha"):
        parse_checked("mt940", b"")
