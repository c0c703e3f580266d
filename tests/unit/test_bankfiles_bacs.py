"""UK Bacs ARUDD, ADDACS and AUDDIS XML reports read into return lines and mandate notices."""

from __future__ import annotations

from pathlib import Path

import pytest

from fairdue.adapters.bankfiles import bacs, parse_checked
from fairdue.adapters.bankfiles.errors import (
    BadAmount,
    BankFileError,
    ControlTotalMismatch,
    MalformedRecord,
    UnknownReturnCode,
)
from fairdue.domain.payments_in.statement import Direction, LineKind

DATA = Path(__file__).parents[1] / "data" / "bankfiles"
ARUDD = (DATA / "bacs_arudd.xml").read_bytes()
ADDACS = (DATA / "bacs_addacs.xml").read_bytes()
AUDDIS = (DATA / "bacs_auddis.xml").read_bytes()


def test_unpaid_direct_debits_become_return_lines_bacs_arudd() -> None:
    parsed = parse_checked("bacs-arudd", ARUDD)
    assert parsed.statement_id == "00042" and parsed.account == "654321"
    assert [(ln.kind, ln.direction, ln.amount_minor, ln.return_code) for ln in parsed.lines] == [
        (LineKind.RETURN, Direction.DEBIT, 4000, "0"),
        (LineKind.RETURN, Direction.DEBIT, 2550, "B"),
    ]
    first = parsed.lines[0]
    assert (first.mandate_ref, first.counterparty_name, first.counterparty_account) == (
        "FDL-MNDT-0001",
        "J SMITH",
        "601613-31926819",
    )
    assert str(first.value_on) == "2026-12-09" and first.original_ref == "FDL-MNDT-0001@2026-12-07"


def test_arudd_totals_must_tie_bacs_arudd_totals() -> None:
    data = ARUDD.replace(b'<Totals numberOf="2" valueOf="65.50"', b'<Totals numberOf="2" valueOf="65.00"')
    with pytest.raises(ControlTotalMismatch, match="difference -50"):
        parse_checked("bacs-arudd", data)


def test_unknown_arudd_reason_code_is_refused_naming_the_item_bacs_arudd_codes() -> None:
    data = ARUDD.replace(b'returnCode="B"', b'returnCode="Z"')
    with pytest.raises(UnknownReturnCode, match="record 2, field returnCode: 'Z'"):
        bacs.parse_arudd(data)


def test_pence_past_two_decimals_are_refused_iso4217_gbp() -> None:
    data = ARUDD.replace(b'valueOf="40.00"', b'valueOf="40.005"')
    with pytest.raises(BadAmount, match="record 1, field valueOf"):
        bacs.parse_arudd(data)


def test_a_missing_amount_is_refused_naming_the_attribute_bacs_arudd_valueof() -> None:
    data = ARUDD.replace(b' valueOf="25.50"', b"")
    with pytest.raises(MalformedRecord, match="record 2, field valueOf"):
        bacs.parse_arudd(data)


def test_cancellation_and_transfer_become_mandate_notices_bacs_addacs_reason_codes() -> None:
    parsed = parse_checked("bacs-addacs", ADDACS)
    assert parsed.lines == ()
    cancelled, moved = parsed.mandate_notices
    assert (cancelled.mandate_ref, cancelled.reason_code, cancelled.reason) == (
        "FDL-MNDT-0003",
        "1",
        "Instruction cancelled by payer",
    )
    assert (moved.reason_code, moved.payer_account, moved.new_payer_account) == (
        "3",
        "400515-11223344",
        "070116-99887766",
    )


def test_unknown_addacs_code_is_refused_bacs_addacs() -> None:
    with pytest.raises(UnknownReturnCode, match="record 2, field reason-code: '7' is not an ADDACS"):
        bacs.parse_addacs(ADDACS.replace(b'reason-code="3"', b'reason-code="7"'))


def test_rejected_instruction_becomes_a_notice_bacs_auddis() -> None:
    (notice,) = bacs.parse_auddis(AUDDIS).mandate_notices
    assert (notice.report, notice.reason_code, notice.reason) == ("auddis", "5", "No account")


def test_a_report_of_another_kind_is_refused_bacs_bacsdocument() -> None:
    with pytest.raises(MalformedRecord, match="no Data/ARUDD element"):
        bacs.parse_arudd(ADDACS)


def test_the_same_report_twice_gives_the_same_keys_bacs_arudd_ref_and_original_date() -> None:
    first, again = bacs.parse_arudd(ARUDD), bacs.parse_arudd(ARUDD.replace(b"  ", b" "))
    assert [ln.line_key for ln in first.lines] == [ln.line_key for ln in again.lines]
    assert len({ln.line_key for ln in first.lines}) == 2
    assert first.file_sha256 != again.file_sha256  # a re-formatted file is a different file with the same lines


def _twice_returned() -> bytes:
    """The sample with the second item made identical to the first: one collection submitted twice, both unpaid."""
    text = ARUDD.decode()
    items = text.split("<ReturnedDebitItem ")
    first = items[1][: items[1].index("</ReturnedDebitItem>")]
    second_end = items[2].index("</ReturnedDebitItem>")
    items[2] = first + items[2][second_end:]
    text = "<ReturnedDebitItem ".join(items)
    return text.replace('<Totals numberOf="2" valueOf="65.50"', '<Totals numberOf="2" valueOf="80.00"').encode()


def test_two_identical_returned_items_are_two_lines_with_two_keys_bacs_arudd_occurrence() -> None:
    data = _twice_returned()
    parsed = parse_checked("bacs-arudd", data)
    assert [(ln.mandate_ref, ln.amount_minor) for ln in parsed.lines] == [("FDL-MNDT-0001", 4000)] * 2
    assert len({ln.line_key for ln in parsed.lines}) == 2
    assert [ln.line_key for ln in bacs.parse_arudd(data).lines] == [ln.line_key for ln in parsed.lines]
    assert parsed.lines[0].line_key == parse_checked("bacs-arudd", ARUDD).lines[0].line_key


@pytest.mark.parametrize("count", ["\u00b2", "\u0662", "-2", ""])
def test_a_totals_count_not_in_ascii_digits_is_refused_bacs_arudd_totals(count: str) -> None:
    data = ARUDD.replace(b'<Totals numberOf="2"', f'<Totals numberOf="{count}"'.encode())
    with pytest.raises(BankFileError, match="numberOf"):
        parse_checked("bacs-arudd", data)
