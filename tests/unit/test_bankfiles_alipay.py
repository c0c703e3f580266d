"""Alipay business bills (a zip of GBK CSVs with # header and footer lines) read into trade and refund lines."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from fairdue.adapters.bankfiles import alipay, parse_checked
from fairdue.adapters.bankfiles.errors import BadAmount, BadEncoding, ControlTotalMismatch, MalformedRecord
from fairdue.domain.payments_in.statement import Direction, LineKind

ZIP = (Path(__file__).parents[1] / "data" / "bankfiles" / "alipay_bill.zip").read_bytes()


def _detail() -> str:
    with zipfile.ZipFile(io.BytesIO(ZIP)) as archive:
        for info in archive.infolist():
            text = archive.read(info).decode("gbk")
            if text.startswith("#支付宝业务明细查询"):
                return text
    raise AssertionError("sample zip lacks its detail file")


def _zip(detail: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("detail.csv", detail)
    return out.getvalue()


def test_trades_and_refunds_from_the_gbk_zip_alipay_bill_downloadurl() -> None:
    parsed = parse_checked("alipay", ZIP)
    assert parsed.account == "20881234567890120156"
    assert [(ln.kind, ln.direction, ln.amount_minor, ln.end_to_end_id) for ln in parsed.lines] == [
        (LineKind.PAYMENT, Direction.CREDIT, 30000, "FD-LN0004-02"),
        (LineKind.PAYMENT, Direction.CREDIT, 12050, "FD-LN0005-01"),
        (LineKind.RETURN, Direction.DEBIT, 2050, "FD-LN0005-01"),
    ]
    assert parsed.lines[0].remittance == "LN-0004 第2期还款"
    assert parsed.lines[2].original_ref == "2026120722001404011234567802"


def test_the_same_bill_twice_gives_the_same_keys_alipay_trade_no_and_refund_batch_no() -> None:
    first, second = alipay.parse(ZIP), alipay.parse(_zip(_detail().encode("gbk")))
    assert [ln.line_key for ln in first.lines] == [ln.line_key for ln in second.lines]
    assert len({ln.line_key for ln in first.lines}) == 3


def test_footer_totals_must_tie_alipay_jiaoyi_heji() -> None:
    detail = _detail().replace("商家实收共：420.50元", "商家实收共：420.00元")
    with pytest.raises(ControlTotalMismatch, match="difference -50"):
        parse_checked("alipay", _zip(detail.encode("gbk")))


def test_truncated_bill_without_footer_is_refused_alipay_bill_footer() -> None:
    detail = _detail().split("#-----------------------------------------业务明细列表结束")[0]
    with pytest.raises(MalformedRecord, match="footer is missing"):
        alipay.parse(_zip(detail.encode("gbk")))


def test_a_utf8_bill_is_refused_naming_the_line_alipay_bill_gbk() -> None:
    detail = _detail().encode("utf-8")
    with pytest.raises(BadEncoding, match="is not valid gbk"):
        alipay.parse(_zip(detail))


def test_more_decimals_than_fen_is_refused_naming_the_row_iso4217_cny() -> None:
    detail = _detail().replace(",300.00\t,300.00\t", ",300.00\t,300.001\t")
    with pytest.raises(BadAmount, match="record 6, field 商家实收"):
        alipay.parse(_zip(detail.encode("gbk")))


def test_a_damaged_zip_is_refused_alipay_bill_zip() -> None:
    with pytest.raises(MalformedRecord, match="not a readable zip"):
        alipay.parse(ZIP[:40])
