"""ISO 20022 camt.053 statements and camt.054 notifications read into statement lines by their element names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fairdue.adapters.bankfiles import camt, parse_checked
from fairdue.adapters.bankfiles.errors import BadAmount, BadField, ControlTotalMismatch, MalformedRecord
from fairdue.domain.payments_in.statement import Direction, LineKind

DATA = Path(__file__).parents[1] / "data" / "bankfiles"
DAY = (DATA / "camt053_day.xml").read_bytes()
OVERLAP = (DATA / "camt053_overlap.xml").read_bytes()
NOTIFICATION = (DATA / "camt054_notification.xml").read_bytes()


def test_statement_lines_carry_iso20022_refs_parties_and_remittance_camt053_001_08() -> None:
    parsed = parse_checked("camt053", DAY)
    assert parsed.statement_id == "STMT-20261207"
    assert parsed.account == "DE44500105175407324931"
    assert (parsed.opening_balance_minor, parsed.closing_balance_minor) == (100000, 148500)
    first = parsed.lines[0]
    assert (first.amount_minor, first.currency, first.direction) == (15000, "EUR", Direction.CREDIT)
    assert first.end_to_end_id == "E2E-LN0001-03"
    assert first.remittance == "LN-0001 instalment 3"
    assert (first.counterparty_name, first.counterparty_account) == ("Alice Martin", "DE89370400440532013000")
    assert first.bank_ref == "BANKREF-0001"
    assert parsed.lines[1].end_to_end_id is None  # NOTPROVIDED is the ISO 20022 placeholder, not a reference


def test_batch_booked_entry_is_split_into_its_transactions_camt053_ntrydtls_txdtls() -> None:
    parsed = camt.parse(DAY)
    batch = [ln for ln in parsed.lines if ln.record_no == 3]
    assert [(ln.end_to_end_id, ln.amount_minor) for ln in batch] == [("E2E-BATCH-A", 10000), ("E2E-BATCH-B", 20000)]
    assert parsed.control_count == 5  # 4 entries stated, one of them split in two


def test_returned_direct_debit_carries_reason_and_mandate_camt053_rtrinf() -> None:
    ret = camt.parse(DAY).lines[-1]
    assert (ret.kind, ret.direction, ret.return_code, ret.mandate_ref) == (
        LineKind.RETURN,
        Direction.DEBIT,
        "AM04",
        "MNDT-0009",
    )
    assert ret.original_ref == "E2E-DD-0009"


def test_overlapping_statement_yields_the_same_keys_for_shared_entries_camt053_acctsvcrref() -> None:
    day = {(ln.bank_ref, ln.end_to_end_id): ln.line_key for ln in camt.parse(DAY).lines}
    overlap = camt.parse(OVERLAP)
    shared = [ln for ln in overlap.lines if (ln.bank_ref, ln.end_to_end_id) in day]
    assert len(shared) == 3
    assert all(day[(ln.bank_ref, ln.end_to_end_id)] == ln.line_key for ln in shared)
    assert overlap.lines[-1].line_key not in day.values()  # the new entry is new
    assert camt.parse(DAY).lines == camt.parse(DAY).lines  # same file twice: identical lines and keys


def test_notification_then_statement_give_one_key_camt054_001_02() -> None:
    notified = parse_checked("camt054", NOTIFICATION)
    assert [ln.line_key for ln in notified.lines] == [camt.parse(DAY).lines[0].line_key]
    assert notified.notes == ("entry 2 has status PDNG: not booked, left out",)


def test_wrong_closing_balance_is_refused_with_the_difference_camt053_clbd() -> None:
    data = DAY.replace(b'<Amt Ccy="EUR">1485.00</Amt>', b'<Amt Ccy="EUR">1485.01</Amt>')
    with pytest.raises(ControlTotalMismatch, match=r"closing balance is 148501 \(difference 1\)"):
        parse_checked("camt053", data)


def test_wrong_entry_count_is_refused_camt053_txssummry() -> None:
    data = DAY.replace(b"<NbOfNtries>4</NbOfNtries>", b"<NbOfNtries>5</NbOfNtries>")
    with pytest.raises(ControlTotalMismatch, match="states lines 6, the lines give 5"):
        parse_checked("camt053", data)


def test_more_decimals_than_the_currency_is_refused_naming_the_entry_iso4217() -> None:
    data = DAY.replace(b'<Amt Ccy="EUR">80.00</Amt>', b'<Amt Ccy="EUR">80.001</Amt>')
    with pytest.raises(BadAmount, match=re.escape("record 2, field Ntry/Amt: '80.001' has 3 decimals; EUR has 2")):
        camt.parse(data)


def test_batch_transactions_that_do_not_add_up_are_refused_camt053_btch_txdtls() -> None:
    data = DAY.replace(b'<Amt Ccy="EUR">200.00</Amt>', b'<Amt Ccy="EUR">199.00</Amt>')
    with pytest.raises(ControlTotalMismatch, match="record 3, field NtryDtls/TxDtls"):
        camt.parse(data)


def test_truncated_document_is_refused_as_not_well_formed_xml_1_0() -> None:
    with pytest.raises(MalformedRecord, match="not well-formed XML"):
        camt.parse(DAY[: len(DAY) // 2])


def test_a_camt054_is_not_read_as_a_camt053() -> None:
    with pytest.raises(MalformedRecord, match=re.escape("camt.054 message, not camt.053")):
        camt.parse(NOTIFICATION)


def test_unknown_credit_debit_indicator_is_refused_iso20022_cdtdbtind() -> None:
    data = DAY.replace(
        b"<CdtDbtInd>DBIT</CdtDbtInd>\n        <RvslInd>", b"<CdtDbtInd>DEBT</CdtDbtInd>\n        <RvslInd>"
    )
    with pytest.raises(BadField, match="record 4, field CdtDbtInd"):
        camt.parse(data)


def test_entity_expansion_is_refused_defusedxml() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>'
    with pytest.raises(MalformedRecord, match="not well-formed XML"):
        camt.parse(bomb)


@pytest.mark.parametrize(("amount", "why"), [(b"-80.00", "has a sign"), (b"0.00", "an entry of zero")])
def test_entry_amounts_are_positive_magnitudes_iso20022_cdtdbtind_carries_the_sign(amount: bytes, why: str) -> None:
    with pytest.raises(BadAmount, match=f"record 2, field Ntry/Amt: .*{why}"):
        camt.parse(DAY.replace(b'<Amt Ccy="EUR">80.00</Amt>', b'<Amt Ccy="EUR">' + amount + b"</Amt>"))


@given(st.sets(st.integers(0, 3), min_size=1))
def test_any_statement_holding_an_entry_gives_it_the_same_key_camt053_acctsvcrref(kept: set[int]) -> None:
    whole = DAY.decode()
    head, _, rest = whole.partition("      <Ntry>")
    entries = ("      <Ntry>" + rest[: rest.rindex("</Ntry>") + len("</Ntry>\n")]).split("      <Ntry>")[1:]
    tail = rest[rest.rindex("</Ntry>\n") + len("</Ntry>\n") :]
    subset = head + "".join("      <Ntry>" + entries[i] for i in sorted(kept)) + tail
    full_keys = {(ln.bank_ref, ln.end_to_end_id): ln.line_key for ln in camt.parse(DAY).lines}
    lines = camt.parse(subset.encode()).lines
    assert len({line.record_no for line in lines}) == len(kept)
    for line in lines:
        assert full_keys[(line.bank_ref, line.end_to_end_id)] == line.line_key


_PENDING = (
    b'<Ntry><Amt Ccy="EUR">7.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts>'
    b"<ValDt><Dt>2026-12-08</Dt></ValDt><AcctSvcrRef>BANKREF-P1</AcctSvcrRef></Ntry></Stmt>"
)


def test_a_pending_entry_is_tied_into_txssummry_not_a_reason_to_skip_it_camt053_txssummry() -> None:
    data = DAY.replace(b"</Stmt>", _PENDING)
    with pytest.raises(ControlTotalMismatch, match="difference -1"):  # the summary still says 4 entries, 530.00 credit
        parse_checked("camt053", data)
    summed = data.replace(b"<NbOfNtries>4</NbOfNtries><Sum>575.00", b"<NbOfNtries>5</NbOfNtries><Sum>582.00")
    summed = summed.replace(b"<NbOfNtries>3</NbOfNtries><Sum>530.00", b"<NbOfNtries>4</NbOfNtries><Sum>537.00")
    parsed = parse_checked("camt053", summed)
    assert len(parsed.lines) == len(camt.parse(DAY).lines)  # the pending entry is no line
    assert any("TxsSummry checked over the booked lines plus 1 entries not booked" in n for n in parsed.notes)


@pytest.mark.parametrize("status", [b"", b"<Sts><Cd>XXXX</Cd></Sts>", b"<Sts></Sts>"])
def test_an_entry_with_no_or_an_unknown_status_is_refused_camt053_ntry_sts_mandatory(status: bytes) -> None:
    data = DAY.replace(b"<Sts><Cd>BOOK</Cd></Sts>", status, 1)
    with pytest.raises(BadField, match="record 1, field Ntry/Sts"):
        parse_checked("camt053", data)


@pytest.mark.parametrize("count", ["\u00b2", "\u0664", "-4", "4.0"])
def test_a_summary_count_not_in_ascii_digits_is_refused_camt053_txssummry_nbofntries(count: str) -> None:
    data = DAY.replace(b"<NbOfNtries>4</NbOfNtries><Sum>575", f"<NbOfNtries>{count}</NbOfNtries><Sum>575".encode())
    with pytest.raises(BadField, match="TxsSummry/TtlNtries/NbOfNtries"):
        parse_checked("camt053", data)


@pytest.mark.parametrize("amount", ["\u0664\u0665.00", "\uff14\uff15.00", "4\u00b2.00"])
def test_an_amount_in_non_ascii_digits_is_refused_camt053_activeorhistoriccurrencyandamount(amount: str) -> None:
    data = DAY.replace(b'<Amt Ccy="EUR">45.00</Amt>', f'<Amt Ccy="EUR">{amount}</Amt>'.encode())
    with pytest.raises(BadAmount, match="record 4, field Ntry/Amt"):
        parse_checked("camt053", data)
