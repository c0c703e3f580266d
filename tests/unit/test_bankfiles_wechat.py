"""WeChat Pay reconciliation bills (downloadbill / tradebill, bill_type ALL) read into payment and refund lines."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from fairdue.adapters.bankfiles import parse_checked, wechat
from fairdue.adapters.bankfiles.errors import (
    BadAmount,
    BadEncoding,
    BadField,
    BankFileError,
    ControlTotalMismatch,
    HashMismatch,
    MalformedRecord,
)
from fairdue.domain.payments_in.statement import Direction, LineKind

BILL = (Path(__file__).parents[1] / "data" / "bankfiles" / "wechat_bill_all.csv").read_bytes()


def test_success_and_refund_rows_with_backticks_stripped_wechatpay_downloadbill() -> None:
    parsed = parse_checked("wechat", BILL)
    assert parsed.account == "1900000109"
    assert [(ln.kind, ln.direction, ln.amount_minor) for ln in parsed.lines] == [
        (LineKind.PAYMENT, Direction.CREDIT, 23000),
        (LineKind.PAYMENT, Direction.CREDIT, 50000),
        (LineKind.RETURN, Direction.DEBIT, 2000),
    ]
    first, _, refund = parsed.lines
    assert (first.end_to_end_id, first.bank_ref) == ("FD-LN0001-03", "4200001234202612070000000001")
    assert first.remittance == "LN-0001 第3期还款"
    assert refund.original_ref == "4200001234202612070000000002"
    assert refund.bank_ref == "50300000012026120700000000001"


def test_revoked_orders_move_no_money_and_leave_the_count_wechatpay_trade_state() -> None:
    parsed = wechat.parse(BILL)
    assert (parsed.control_count, len(parsed.lines)) == (3, 3)


def test_sha1_from_the_bill_api_is_checked_wechatpay_v3_tradebill_hash_value() -> None:
    good = hashlib.sha1(BILL, usedforsecurity=False).hexdigest()
    assert wechat.parse(BILL, expected_sha1=good.upper()).notes == ()
    with pytest.raises(HashMismatch, match="the bill API said 00"):
        wechat.parse(BILL, expected_sha1="00" * 20)
    assert wechat.parse(BILL).notes  # no hash given: the parse says it did not check


def test_summary_that_does_not_tie_is_refused_wechatpay_summary_rows() -> None:
    data = BILL.replace(b"`730.00,`20.00", b"`730.01,`20.00")
    with pytest.raises(ControlTotalMismatch, match="difference 1"):
        parse_checked("wechat", data)


def test_truncated_bill_without_summary_is_refused_wechatpay_summary_rows() -> None:
    cut = BILL[: BILL.index("总交易单数".encode())]
    with pytest.raises(MalformedRecord, match=r"summary rows \(总交易单数 \.\.\.\) are missing: truncated"):
        wechat.parse(cut)


def test_fen_past_two_decimals_is_refused_naming_the_row_iso4217_cny() -> None:
    data = BILL.replace(b"`230.00", b"`230.001", 1)
    with pytest.raises(BadAmount, match="record 2, field 应结订单金额"):
        wechat.parse(data)


def test_a_bill_in_gbk_is_refused_naming_the_line_wechatpay_bill_utf8() -> None:
    with pytest.raises(BadEncoding, match="record 1: byte 0 is not valid utf-8"):
        wechat.parse(BILL.decode("utf-8").encode("gbk"))


def test_unknown_trade_state_is_refused_wechatpay_trade_state() -> None:
    data = BILL.replace(b"`REVOKED", b"`CLOSED")
    with pytest.raises(BadField, match="record 5, field 交易状态"):
        wechat.parse(data)


def test_sha1_is_checked_through_the_import_entry_point_wechatpay_v3_hash_value() -> None:
    with pytest.raises(HashMismatch):
        parse_checked("wechat", BILL, expected_sha1="0" * 40)
    with pytest.raises(BankFileError, match="only a WeChat Pay bill"):
        parse_checked("alipay", BILL, expected_sha1="0" * 40)


def test_a_bill_holding_some_of_the_rows_gives_them_the_same_keys_wechatpay_transaction_id() -> None:
    rows = BILL.decode().splitlines()
    partial = "\n".join([rows[0], rows[3], rows[5], "`1,`0.00,`20.00,`0.00,`-0.12,`0.00,`20.00"]).encode()
    whole = {ln.bank_ref: ln.line_key for ln in wechat.parse(BILL).lines}
    (refund,) = parse_checked("wechat", partial).lines
    assert whole[refund.bank_ref] == refund.line_key


def test_rows_after_the_summary_are_refused_wechatpay_one_bill_per_download() -> None:
    with pytest.raises(MalformedRecord, match="record 8: a row after the bill's summary"):
        wechat.parse(BILL.rstrip(b"\n") + b"\n" + BILL)


def test_a_blank_wechat_order_number_is_refused_wechatpay_transaction_id_identifies_the_line() -> None:
    data = BILL.replace(b"`4200001234202612070000000001", b"`", 1)
    with pytest.raises(MalformedRecord, match="record 2, field 微信订单号"):
        parse_checked("wechat", data)


def test_a_blank_refund_number_is_refused_wechatpay_refund_id_identifies_the_line() -> None:
    data = BILL.replace(b"`50300000012026120700000000001", b"`", 1)
    with pytest.raises(MalformedRecord, match="record 4, field 微信退款单号"):
        parse_checked("wechat", data)


def test_a_repeated_order_number_is_refused_naming_both_rows_wechatpay_transaction_id_unique() -> None:
    data = BILL.replace(b"`4200001234202612070000000001", b"`4200001234202612070000000002", 1)
    with pytest.raises(MalformedRecord, match="records 2, 3"):
        parse_checked("wechat", data)


@pytest.mark.parametrize("count", ["\u00b9", "\u0664", "-4", ""])
def test_a_summary_count_not_in_ascii_digits_is_refused_wechatpay_summary_rows(count: str) -> None:
    data = BILL.replace(b"`4,`730.00", f"`{count},`730.00".encode())
    with pytest.raises(BadField, match="field 总交易单数"):
        parse_checked("wechat", data)
