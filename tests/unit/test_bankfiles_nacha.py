"""NACHA ACH files are read record by record as the Nacha Operating Rules (Appendix Three) lay them out."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairdue.adapters.bankfiles import nacha, parse_checked
from fairdue.adapters.bankfiles.errors import BadField, ControlTotalMismatch, MalformedRecord, UnknownReturnCode
from fairdue.domain.payments_in.statement import Direction, LineKind

SAMPLE = (Path(__file__).parents[1] / "data" / "bankfiles" / "nacha_returns.ach").read_bytes()


def _records() -> list[str]:
    return SAMPLE.decode("ascii").splitlines()


def _with(records: list[str]) -> bytes:
    return ("\n".join(records) + "\n").encode("ascii")


def test_returns_and_payments_read_from_a_blocked_file_nacha_appendix_three() -> None:
    parsed = parse_checked("nacha", SAMPLE)
    assert [(ln.kind, ln.direction, ln.amount_minor, ln.return_code) for ln in parsed.lines] == [
        (LineKind.RETURN, Direction.DEBIT, 12500, "R01"),
        (LineKind.RETURN, Direction.DEBIT, 8000, "R09"),
        (LineKind.RETURN, Direction.CREDIT, 2000, "R03"),
        (LineKind.PAYMENT, Direction.CREDIT, 30000, None),
    ]
    first = parsed.lines[0]
    assert first.original_ref == "121042880000101"
    assert first.mandate_ref == "LN-0001"
    assert first.counterparty_account == "12345678901"
    assert str(first.value_on) == "2026-12-07"
    assert parsed.lines[3].remittance == "LOAN LN-0004 INSTALMENT 3"
    assert parsed.currency == "USD"


def test_prenote_entries_move_no_money_nacha_transaction_code_23() -> None:
    assert all(ln.amount_minor > 0 for ln in parse_checked("nacha", SAMPLE).lines)
    assert len(parse_checked("nacha", SAMPLE).lines) == 4  # the code-23 prenote of record 13 is not a line


def test_wrong_batch_total_is_refused_naming_the_batch_control_nacha_record_8() -> None:
    records = _records()
    control = records[8]
    records[8] = control[:20] + "000000020501" + control[32:]  # total debit one cent more
    with pytest.raises(ControlTotalMismatch, match=r"record 9: .*total debit amount 20501 but the entries give 20500"):
        nacha.parse(_with(records))


def test_wrong_entry_hash_is_refused_nacha_entry_hash() -> None:
    records = _records()
    records[14] = records[14][:21] + "0000000001" + records[14][31:]
    with pytest.raises(ControlTotalMismatch, match="record 15: file: entry hash 1 but the entries give"):
        nacha.parse(_with(records))


def test_truncated_record_is_refused_naming_it_nacha_94_character_records() -> None:
    records = _records()
    records[4] = records[4][:80]
    with pytest.raises(MalformedRecord, match="record 5: record is 80 characters, not 94"):
        nacha.parse(_with(records))


def test_missing_block_fill_is_refused_nacha_blocking_factor_10() -> None:
    with pytest.raises(MalformedRecord, match="blocked to 10"):
        nacha.parse(_with(_records()[:-1]))


def test_unknown_return_code_is_refused_naming_the_addenda_nacha_appendix_four() -> None:
    records = _records()
    records[3] = records[3][:3] + "R99" + records[3][6:]
    with pytest.raises(UnknownReturnCode, match="record 4, field return reason code: 'R99'"):
        nacha.parse(_with(records))


def test_letters_in_an_amount_field_are_refused_nacha_numeric_fields() -> None:
    records = _records()
    records[2] = records[2][:29] + "00000125O0" + records[2][39:]
    with pytest.raises(BadField, match="record 3, field amount"):
        nacha.parse(_with(records))


def test_non_ascii_bytes_are_refused_naming_the_line_nacha_ascii_records() -> None:
    data = SAMPLE.replace(b"ALICE MARTIN", "ALICE MART\u00cdN".encode("latin-1") + b" ", 1)
    with pytest.raises(MalformedRecord, match=r"record 3: byte \d+ is not ASCII"):
        nacha.parse(data)


def test_return_codes_span_the_published_list_r01_to_r85_nacha_appendix_four() -> None:
    assert {"R01", "R09", "R10", "R29", "R85"} <= nacha.RETURN_CODES
    assert "R00" not in nacha.RETURN_CODES and "R86" not in nacha.RETURN_CODES


@given(st.permutations(range(3)))
def test_line_keys_are_origin_and_trace_whatever_the_entry_order_nacha_trace_number(order: list[int]) -> None:
    records = _records()
    pairs = [records[2 + 2 * i : 4 + 2 * i] for i in range(3)]
    reordered = records[:2] + [r for i in order for r in pairs[i]] + records[8:]
    keys = {ln.bank_ref: ln.line_key for ln in nacha.parse(_with(reordered)).lines}
    assert keys == {ln.bank_ref: ln.line_key for ln in nacha.parse(SAMPLE).lines}


def test_notification_of_change_moves_no_money_and_is_noted_nacha_addenda_98() -> None:
    records = _records()
    records[4] = records[4][:29] + "0000000000" + records[4][39:]  # the R09 entry becomes a zero-dollar NOC
    records[5] = "798C01" + records[5][6:]
    records[8] = records[8][:20] + "000000012500" + records[8][32:]
    records[14] = records[14][:31] + "000000012500" + records[14][43:]
    parsed = parse_checked("nacha", _with(records))
    assert [ln.return_code for ln in parsed.lines] == ["R01", "R03", None]
    assert parsed.notes == ("record 5: notification of change C01, no money",)


def test_unknown_change_code_is_refused_nacha_appendix_five() -> None:
    records = _records()
    records[5] = "798C99" + records[5][6:]
    with pytest.raises(UnknownReturnCode, match="record 6, field change code"):
        nacha.parse(_with(records))


def test_a_file_without_line_breaks_reads_the_same_nacha_94_character_records() -> None:
    unbroken = "".join(_records()).encode("ascii")
    assert [ln.line_key for ln in nacha.parse(unbroken).lines] == [ln.line_key for ln in nacha.parse(SAMPLE).lines]
    crlf = SAMPLE.replace(b"\n", b"\r\n")
    assert nacha.parse(crlf).lines == nacha.parse(SAMPLE).lines


def _entry_at(records: list[str], prefix: str) -> int:
    return next(i for i, rec in enumerate(records) if rec.startswith(prefix))


def test_blank_trace_number_is_refused_nacha_appendix_three_trace_number_mandatory() -> None:
    records = _records()
    at = _entry_at(records, "6220")
    records[at] = records[at][:79] + " " * 15
    with pytest.raises(BadField, match="record 11, field trace number"):
        parse_checked("nacha", _with(records))


def test_trace_number_repeated_in_a_file_is_refused_nacha_trace_unique_within_file() -> None:
    records = _records()
    first, second = _entry_at(records, "62609100001912345678901"), _entry_at(records, "62609100001922233344455")
    records[second] = records[second][:79] + records[first][79:]
    with pytest.raises(MalformedRecord, match=r"record 5, field trace number: .*record 3"):
        parse_checked("nacha", _with(records))


def test_same_trace_in_the_next_days_file_gets_another_key_nacha_file_creation_date_and_id() -> None:
    next_day = [rec.replace("2612071200A", "2612081200A").replace("261207   1", "261208   1") for rec in _records()]
    today, tomorrow = parse_checked("nacha", SAMPLE).lines, parse_checked("nacha", _with(next_day)).lines
    assert [ln.bank_ref for ln in today] == [ln.bank_ref for ln in tomorrow]
    assert not {ln.line_key for ln in today} & {ln.line_key for ln in tomorrow}
    modifier_b = [rec.replace("2612071200A", "2612071200B") for rec in _records()]
    assert not {ln.line_key for ln in today} & {ln.line_key for ln in parse_checked("nacha", _with(modifier_b)).lines}


def test_change_addenda_on_an_entry_with_money_is_refused_nacha_appendix_five_noc_zero_dollar() -> None:
    records = _records()
    at = _entry_at(records, "705LOAN")
    records[at] = "798C01" + records[at][6:]
    with pytest.raises(MalformedRecord, match=r"record 12.*NOCs are zero-dollar"):
        parse_checked("nacha", _with(records))


def test_return_and_change_addenda_on_one_entry_is_refused_nacha_appendix_five() -> None:
    records = _records()
    at = _entry_at(records, "799R01")
    records[at - 1] = records[at - 1][:29] + "0000000000" + records[at - 1][39:]
    records.insert(at + 1, "798C01" + records[at][6:])
    with pytest.raises(MalformedRecord, match="both a return"):
        nacha.parse(_with(records))


@pytest.mark.parametrize("effective", ["26121 ", " 61207", "2612O7"])
def test_effective_entry_date_must_be_six_digits_nacha_yymmdd(effective: str) -> None:
    records = [rec.replace("261207   1", f"{effective}   1") for rec in _records()]
    with pytest.raises(BadField, match="effective entry date"):
        parse_checked("nacha", _with(records))
