"""Alipay merchant business bill (业务明细), as the bill download (alipay.data.dataservice.bill.downloadurl.query)
delivers it: a zip holding GBK-encoded CSVs, the detail file (业务明细) and a summary file (业务明细(汇总)).

The detail file opens with `#` comment lines (#支付宝业务明细查询, #账号：[PID], the date range), then a header
row, the rows (fields often padded with tabs), and closes with `#` lines carrying the totals:
`#交易合计：N笔，商家实收共：X元，...` and `#退款合计：M笔，商家实收退款共：-Y元，...`, which are the control totals.

业务类型 交易 is money received (credit of 商家实收); 退款 is a refund paid out (a return line, debit). Keys: the
merchant account with 支付宝交易号 for a trade, and with 支付宝交易号 + 退款批次号/请求号 for a refund (blank ids
refused); a bill without the refund-batch column keys refunds by trade, day and amount with an occurrence index.
A row must have exactly the header's field count; the zip's members may inflate to INFLATED_BYTES_MAX together.
Rows whose 商家实收 is zero (paid entirely by coupons) move no money: they are left out of the lines and the count.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from dataclasses import replace

from fairdue.adapters.bankfiles.common import decode, parse_amount, parse_count, parse_date, require_id, sha256_hex
from fairdue.adapters.bankfiles.errors import BadField, MalformedRecord
from fairdue.domain.payments_in.statement import (
    Direction,
    LineKind,
    ParsedFile,
    StatementLine,
    line_key,
    occurrence_keys,
)

FMT = "alipay"
CURRENCY = "CNY"
ENCODING = "gbk"
INFLATED_BYTES_MAX = 64 * 1024 * 1024  # refuse a zip whose members together would inflate past this (zip bombs)
DETAIL_MARK = "#支付宝业务明细查询"
BATCH = "退款批次号/请求号"
REQUIRED = ("支付宝交易号", "商户订单号", "业务类型", "完成时间", "商家实收（元）")
_ACCOUNT = re.compile(r"#账号：\[([0-9]+)\]")
_TRADES = re.compile(r"#交易合计：([0-9]+)笔，商家实收共：(-?[0-9.]+)元")
_REFUNDS = re.compile(r"#退款合计：([0-9]+)笔，商家实收退款共：(-?[0-9.]+)元")


def parse(data: bytes) -> ParsedFile:
    """The zip as downloaded (or the detail CSV itself)."""
    text = _detail_text(data)
    lines_text = text.splitlines()
    account_match = next((m for m in map(_ACCOUNT.match, lines_text) if m), None)
    header_at = next((i for i, ln in enumerate(lines_text) if ln and not ln.startswith("#")), None)
    if header_at is None:
        raise MalformedRecord(FMT, "no header row after the # comment lines", record_no=len(lines_text))
    header = [name.strip() for name in next(csv.reader([lines_text[header_at]]))]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise MalformedRecord(FMT, f"header lacks {', '.join(missing)}", record_no=header_at + 1)
    columns = {name: header.index(name) for name in header}
    account = account_match.group(1) if account_match else None
    lines: list[StatementLine] = []
    zero_rows = 0
    for index in range(header_at + 1, len(lines_text)):
        raw = lines_text[index]
        if not raw.strip() or raw.startswith("#"):
            continue
        row = [field.strip() for field in next(csv.reader([raw]))]
        if len(row) != len(header):  # more fields than the header: a stray comma shifted every later column
            raise MalformedRecord(FMT, f"{len(row)} fields, the header has {len(header)}", record_no=index + 1)
        line = _line(row, columns, index + 1, account)
        if line is None:
            zero_rows += 1
        else:
            lines.append(line)
    if BATCH not in columns:
        lines = _refunds_by_occurrence(lines, account)
    count, credit, debit = _footer(lines_text)
    return ParsedFile(
        format=FMT,
        file_sha256=sha256_hex(data),
        statement_id=None,
        account=account,
        currency=CURRENCY,
        lines=tuple(lines),
        control_count=count - zero_rows,
        control_credit_minor=credit,
        control_debit_minor=debit,
    )


def _detail_text(data: bytes) -> str:
    if not data.startswith(b"PK"):
        return decode(data, ENCODING, fmt=FMT)
    found = [text for text in map(_decode_member, _members(data)) if text.startswith(DETAIL_MARK)]
    if len(found) != 1:
        raise MalformedRecord(FMT, f"expected one detail CSV starting {DETAIL_MARK} in the zip, found {len(found)}")
    return found[0]


def _decode_member(raw: bytes) -> str:
    return decode(raw, ENCODING, fmt=FMT)


def _members(data: bytes) -> list[bytes]:
    """Every file in the zip; their declared sizes together are checked against INFLATED_BYTES_MAX first.

    zipfile stops inflating a member at its declared size, so the declared total bounds what is read.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [info for info in archive.infolist() if not info.is_dir()]
            total = sum(info.file_size for info in infos)
            if total > INFLATED_BYTES_MAX:
                raise MalformedRecord(
                    FMT, f"the zip's members inflate to {total} bytes together, more than {INFLATED_BYTES_MAX}"
                )
            return [archive.read(info) for info in infos]
    # zipfile reports a damaged archive through many exception types; each means "not a readable zip".
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as err:
        raise MalformedRecord(FMT, f"not a readable zip ({type(err).__name__}: {err})") from None


def _line(row: list[str], columns: dict[str, int], record_no: int, account: str | None) -> StatementLine | None:
    kind = row[columns["业务类型"]]
    if kind not in ("交易", "退款"):
        raise BadField(FMT, f"业务类型 {kind!r} is neither 交易 nor 退款", record_no=record_no, field="业务类型")
    signed = parse_amount(
        row[columns["商家实收（元）"]], CURRENCY, fmt=FMT, record_no=record_no, field="商家实收（元）", signed=True
    )
    if signed == 0:
        return None
    refund = kind == "退款"
    if refund != (signed < 0):
        raise BadField(
            FMT,
            f"a {kind} row with 商家实收 {signed} minor units: the sign is wrong",
            record_no=record_no,
            field="商家实收（元）",
        )
    trade_no = require_id(row[columns["支付宝交易号"]], fmt=FMT, record_no=record_no, field="支付宝交易号")
    batch_no = ""
    if refund and BATCH in columns:
        batch_no = require_id(row[columns[BATCH]], fmt=FMT, record_no=record_no, field=BATCH)

    def optional(name: str) -> str | None:
        return (row[columns[name]] or None) if name in columns else None

    return StatementLine(
        line_key=line_key("alipay", account, trade_no, batch_no, "refund")
        if refund
        else line_key("alipay", account, trade_no, "trade"),
        record_no=record_no,
        kind=LineKind.RETURN if refund else LineKind.PAYMENT,
        direction=Direction.DEBIT if refund else Direction.CREDIT,
        amount_minor=abs(signed),
        currency=CURRENCY,
        booked_on=None,
        value_on=parse_date(row[columns["完成时间"]][:10], "%Y-%m-%d", fmt=FMT, record_no=record_no, field="完成时间"),
        end_to_end_id=optional("商户订单号"),
        remittance=optional("商品名称"),
        counterparty_account=optional("对方账户"),
        bank_ref=trade_no,
        original_ref=trade_no if refund else None,
    )


def _refunds_by_occurrence(lines: list[StatementLine], account: str | None) -> list[StatementLine]:
    """Without the refund-batch column a refund is known only by its trade, day and amount: two partial refunds
    of one trade can be alike, so the n-th repeat gets n in its key (`occurrence_keys`); a refund appears in the
    bill of the day it completed only, so a re-import lists the same repeats in the same order."""
    at = [i for i, ln in enumerate(lines) if ln.kind is LineKind.RETURN]
    identities = [
        (account, lines[i].bank_ref, lines[i].value_on.isoformat(), lines[i].amount_minor, "refund") for i in at
    ]
    keyed = list(lines)
    for i, key in zip(at, occurrence_keys("alipay", identities), strict=True):
        keyed[i] = replace(lines[i], line_key=key)
    return keyed


def _footer(lines_text: list[str]) -> tuple[int, int, int]:
    """(count, credit, debit) from the #交易合计 / #退款合计 lines; both are required."""
    trades = next((m for m in map(_TRADES.match, lines_text) if m), None)
    refunds = next((m for m in map(_REFUNDS.match, lines_text) if m), None)
    if trades is None or refunds is None:
        raise MalformedRecord(
            FMT, "the #交易合计 / #退款合计 footer is missing: truncated bill?", record_no=len(lines_text)
        )
    credit = parse_amount(trades.group(2), CURRENCY, fmt=FMT, record_no=None, field="交易合计", signed=True)
    debit = parse_amount(refunds.group(2), CURRENCY, fmt=FMT, record_no=None, field="退款合计", signed=True)
    count = parse_count(trades.group(1), fmt=FMT, record_no=None, field="交易合计") + parse_count(
        refunds.group(1), fmt=FMT, record_no=None, field="退款合计"
    )
    return count, credit, abs(debit)
