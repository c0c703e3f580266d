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


_REFUND = (
    "2026120722001404011234567802\t,FD-LN0005-01\t,退款\t,LN-0005 第1期还款\t,2026-12-07 15:20:00\t,"
    "2026-12-07 15:20:02\t,\t,\t,\t,\t,li***@example.com\t,-20.50\t,-20.50\t,0.00\t,0.00\t,0.00\t,0.00\t,0.00\t,"
    "\t,0.00\t,0.00\t,FD-RF-0005-1\t,0.12\t,0.00\t,"
)


def _without_batch_column(detail: str) -> str:
    """The bill as an export without the 退款批次号/请求号 column (field 22)."""
    out = []
    for line in detail.splitlines():
        if line.startswith("#") or not line.strip():
            out.append(line)
            continue
        fields = line.split(",")
        out.append(",".join(fields[:21] + fields[22:]))
    return "\r\n".join(out)


def test_partial_refunds_without_a_batch_column_get_one_key_each_alipay_refund_batch_no() -> None:
    detail = _detail().replace(_REFUND, _REFUND + "\r\n" + _REFUND)
    detail = detail.replace("#退款合计：1笔，商家实收退款共：-20.50元", "#退款合计：2笔，商家实收退款共：-41.00元")
    data = _zip(_without_batch_column(detail).encode("gbk"))
    refunds = [ln for ln in parse_checked("alipay", data).lines if ln.kind is LineKind.RETURN]
    assert len(refunds) == 2 and refunds[0].line_key != refunds[1].line_key
    assert [ln.line_key for ln in alipay.parse(data).lines] == [
        ln.line_key for ln in parse_checked("alipay", data).lines
    ]


def test_a_blank_refund_batch_number_is_refused_alipay_refund_batch_no_identifies_the_refund() -> None:
    detail = _detail().replace(",FD-RF-0005-1\t,", ",\t,")
    with pytest.raises(MalformedRecord, match="record 8, field 退款批次号/请求号"):
        parse_checked("alipay", _zip(detail.encode("gbk")))


def test_a_repeated_refund_batch_number_is_refused_alipay_refund_batch_no_unique() -> None:
    detail = _detail().replace(_REFUND, _REFUND + "\r\n" + _REFUND)
    detail = detail.replace("#退款合计：1笔，商家实收退款共：-20.50元", "#退款合计：2笔，商家实收退款共：-41.00元")
    with pytest.raises(MalformedRecord, match="records 8, 9"):
        parse_checked("alipay", _zip(detail.encode("gbk")))


def test_a_blank_alipay_trade_number_is_refused_alipay_trade_no_identifies_the_line() -> None:
    detail = _detail().replace("2026120722001404011234567801\t,", "\t,", 1)
    with pytest.raises(MalformedRecord, match="record 6, field 支付宝交易号"):
        alipay.parse(_zip(detail.encode("gbk")))


def test_a_row_with_more_fields_than_the_header_is_refused_alipay_bill_columns() -> None:
    detail = _detail().replace("LN-0004 第2期还款\t,", "LN-0004,第2期还款\t,", 1)
    with pytest.raises(MalformedRecord, match="record 6: 26 fields, the header has 25"):
        alipay.parse(_zip(detail.encode("gbk")))


def test_zip_members_together_may_not_inflate_past_the_cap_alipay_zip_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    assert alipay.INFLATED_BYTES_MAX == 64 * 1024 * 1024
    detail = _detail().encode("gbk")
    monkeypatch.setattr(alipay, "INFLATED_BYTES_MAX", len(detail) + 100)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("detail.csv", detail)
        archive.writestr("a.csv", b"," * 60)
        archive.writestr("b.csv", b"," * 60)  # each member alone is under the cap; together they are not
    with pytest.raises(MalformedRecord, match=r"inflate to .* bytes together"):
        alipay.parse(out.getvalue())
    assert len(alipay.parse(_zip(detail)).lines) == 3


def test_a_footer_count_not_in_ascii_digits_is_refused_alipay_bill_footer() -> None:
    detail = _detail().replace("#退款合计：1笔", "#退款合计：１笔")  # a full-width digit
    with pytest.raises(MalformedRecord, match="footer is missing"):
        alipay.parse(_zip(detail.encode("gbk")))
