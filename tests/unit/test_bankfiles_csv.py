"""Any bank's CSV export read through a validated mapping (columns, dates, amount sign, separators, encoding)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairdue.adapters.bankfiles import csvmap, parse_checked
from fairdue.adapters.bankfiles.errors import (
    BadAmount,
    BadEncoding,
    BadField,
    BadMapping,
    BankFileError,
    MalformedRecord,
)
from fairdue.domain.payments_in.statement import Direction

DATA = Path(__file__).parents[1] / "data" / "bankfiles"
MAPPING = csvmap.load_mapping((DATA / "bank_mapping.toml").read_bytes())
SIGNED = csvmap.load_mapping((DATA / "bank_mapping_signed.toml").read_bytes())
STATEMENT = (DATA / "bank_statement.csv").read_bytes()
SIGNED_STATEMENT = (DATA / "bank_statement_signed.csv").read_bytes()


def test_paid_in_paid_out_columns_in_cp1252_issue20_csv_mapping() -> None:
    parsed = parse_checked("csv", STATEMENT, mapping=MAPPING)
    assert [(ln.direction, ln.amount_minor, ln.remittance) for ln in parsed.lines] == [
        (Direction.CREDIT, 104000, "LN-0001 INSTALMENT"),
        (Direction.CREDIT, 2550, "FD-LN0002"),
        (Direction.DEBIT, 1200, "REFUND LN-0009"),
    ]
    assert parsed.lines[2].counterparty_name == "Café Rouge Ltd"
    assert parsed.lines[0].bank_ref == "TX-0001"


def test_signed_amount_with_decimal_comma_and_repeats_kept_apart_issue20_csv_mapping() -> None:
    parsed = csvmap.parse(SIGNED_STATEMENT, SIGNED)
    assert [(ln.direction, ln.amount_minor) for ln in parsed.lines] == [
        (Direction.CREDIT, 15000),
        (Direction.CREDIT, 15000),
        (Direction.DEBIT, 104550),
    ]
    assert parsed.lines[0].line_key != parsed.lines[1].line_key  # two equal payments are two payments
    assert str(parsed.lines[2].booked_on) == "2026-12-08"


def test_overlapping_export_without_ids_gives_the_same_keys_issue20_no_double_count() -> None:
    rows = SIGNED_STATEMENT.decode().splitlines()
    later = "\n".join([rows[0], rows[3], "2026-12-09;2026-12-09;DE02120300000000202051;LN-0003;10,00"]).encode()
    first = {ln.remittance: ln.line_key for ln in csvmap.parse(SIGNED_STATEMENT, SIGNED).lines}
    second = csvmap.parse(later, SIGNED).lines
    assert second[0].line_key == first["LN-0002"]
    assert second[1].line_key not in first.values()


@given(st.integers(1, 10**9), st.sampled_from(["credit_positive", "debit_positive"]))
def test_amount_sign_convention_decides_direction_issue20_csv_mapping(amount_minor: int, sign: str) -> None:
    mapping = csvmap.load_mapping(
        (DATA / "bank_mapping_signed.toml").read_bytes().replace(b'"credit_positive"', f'"{sign}"'.encode())
    )
    text = f"{amount_minor // 100},{amount_minor % 100:02d}"
    data = f"Buchungstag;Valuta;IBAN;Verwendungszweck;Betrag\n2026-12-07;2026-12-07;X;R;{text}\n".encode()
    (line,) = csvmap.parse(data, mapping).lines
    assert line.amount_minor == amount_minor
    assert line.direction is (Direction.CREDIT if sign == "credit_positive" else Direction.DEBIT)


def test_a_mapping_lists_every_problem_at_once_issue20_validated_on_load() -> None:
    bad = b'name = "x"\nencoding = "no-such-codec"\ndecimal_separator = ","\nthousands_separator = ","\ncolour = 1\n[columns]\namount = "A"\n'
    with pytest.raises(BadMapping) as err:
        csvmap.load_mapping(bad)
    message = str(err.value)
    for problem in (
        "unknown key 'colour'",
        "date_format is required",
        "unknown encoding",
        "thousands_separator",
        "columns.value_on is required",
        "columns.reference is required",
        "amount_sign must be one of",
        "give either currency or columns.currency",
    ):
        assert problem in message


def test_a_mapping_that_is_not_toml_is_refused_toml_1_0() -> None:
    with pytest.raises(BadMapping, match="not a UTF-8 TOML file"):
        csvmap.load_mapping(b"name = ")


def test_a_missing_mapped_column_is_refused_issue20_csv_mapping() -> None:
    with pytest.raises(MalformedRecord, match="record 1: the header lacks mapped columns credit='Paid in'"):
        csvmap.parse(STATEMENT.replace(b"Paid in", b"Money in"), MAPPING)


def test_more_decimals_than_pence_is_refused_naming_line_and_column_iso4217_gbp() -> None:
    with pytest.raises(BadAmount, match=re.escape("record 3, field Paid in: '25.505' has 3 decimals")):
        csvmap.parse(STATEMENT.replace(b"25.50", b"25.505"), MAPPING)


def test_a_bad_date_is_refused_naming_line_and_column_issue20_csv_mapping() -> None:
    with pytest.raises(BadField, match="record 2, field Date: '2026-12-07' is not a date"):
        csvmap.parse(STATEMENT.replace(b"07/12/2026", b"2026-12-07", 1), MAPPING)


def test_bytes_outside_the_declared_encoding_are_refused_issue20_csv_encoding() -> None:
    data = SIGNED_STATEMENT + "2026-12-09;2026-12-09;X;Gru\udcfc;1,00\n".encode("utf-8", "surrogateescape")
    with pytest.raises(BadEncoding, match=r"record 5: byte \d+ is not valid utf-8"):
        csvmap.parse(data, SIGNED)


def test_both_paid_in_and_paid_out_on_one_row_is_refused_issue20_amount_sign() -> None:
    with pytest.raises(BadField, match="record 3, field Paid in/Paid out"):
        csvmap.parse(STATEMENT.replace(b"25.50,", b"25.50,1.00"), MAPPING)


def test_csv_without_a_mapping_is_refused_issue20_format_csv_mapping() -> None:
    with pytest.raises(BankFileError, match="needs its mapping"):
        parse_checked("csv", STATEMENT)


_HEAD = b"Date,Transaction ID,Name,Reference,Paid in,Paid out\n"


@pytest.mark.parametrize(("paid_in", "paid_out"), [("-50.00", ""), ("", "-12.00"), ("+50.00", "")])
def test_a_sign_in_a_paid_in_or_paid_out_column_is_refused_issue20_one_direction_columns(
    paid_in: str, paid_out: str
) -> None:
    data = _HEAD + f"07/12/2026,TX-9,J SMITH,LN-0001,{paid_in},{paid_out}\n".encode()
    with pytest.raises(BadAmount, match=r"record 2, field Paid (in|out): .* has a sign"):
        parse_checked("csv", data, mapping=MAPPING)


@pytest.mark.parametrize("amount", ['"12,50"', '"1,2345.00"', '"1234,567.00"', '",100.00"', '"1,000,00.00"'])
def test_thousands_separator_must_group_in_threes_issue20_digit_grouping(amount: str) -> None:
    data = _HEAD + f"07/12/2026,TX-9,J SMITH,LN-0001,{amount},\n".encode()
    with pytest.raises(BadAmount, match="group the whole part in threes"):
        parse_checked("csv", data, mapping=MAPPING)


def test_correct_digit_grouping_is_read_exactly_issue20_digit_grouping() -> None:
    data = _HEAD + b'07/12/2026,TX-9,J SMITH,LN-0001,"1,234,567.89",\n07/12/2026,TX-10,J SMITH,LN-0001,999.00,\n'
    assert [ln.amount_minor for ln in parse_checked("csv", data, mapping=MAPPING).lines] == [123456789, 99900]


def test_a_repeated_bank_ref_is_refused_naming_both_records_issue20_line_key_unique() -> None:
    data = _HEAD + b"07/12/2026,TX-1,A,LN-1,10.00,\n07/12/2026,TX-1,B,LN-2,99.00,\n"
    with pytest.raises(MalformedRecord, match="records 2, 3"):
        parse_checked("csv", data, mapping=MAPPING)


def test_a_blank_bank_ref_is_refused_when_the_column_is_mapped_issue20_line_key_identity() -> None:
    data = _HEAD + b"07/12/2026,TX-1,A,LN-1,10.00,\n07/12/2026,,B,LN-2,99.00,\n"
    with pytest.raises(MalformedRecord, match="record 3, field Transaction ID"):
        parse_checked("csv", data, mapping=MAPPING)


@pytest.mark.parametrize("amount", ["\u0661\u0660\u0660,00", "\uff11\uff10\uff10,00", "1\u00b2,00"])
def test_non_ascii_digits_are_refused_as_amounts_issue20_exact_decimal(amount: str) -> None:
    head = "Buchungstag;Valuta;IBAN;Verwendungszweck;Betrag\n"
    data = (head + f"2026-12-07;2026-12-07;DE89370400440532013000;LN-0001;{amount}\n").encode()
    with pytest.raises(BadAmount, match="not a decimal amount"):
        parse_checked("csv", data, mapping=SIGNED)


def test_non_ascii_digits_are_refused_in_dates_issue20_exact_decimal() -> None:
    head = "Buchungstag;Valuta;IBAN;Verwendungszweck;Betrag\n"
    data = (head + "2026-12-07;\uff12026-12-07;DE89370400440532013000;LN-0001;1,00\n").encode()
    with pytest.raises(BadField, match="ASCII"):
        parse_checked("csv", data, mapping=SIGNED)
