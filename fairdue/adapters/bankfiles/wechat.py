"""WeChat Pay merchant reconciliation bill (交易账单, bill_type=ALL), as the downloadbill API delivers it.

Layout (WeChat Pay API v2 `downloadbill`, v3 `tradebill`): UTF-8 CSV; a fixed header row; one row per
transaction with every field prefixed by a backtick (`) so spreadsheets keep long ids as text; then a summary
header row (总交易单数,应结订单总金额,退款总金额,...) and one summary row, backtick-prefixed too.
The "SHA1 check": the v3 bill-apply response carries `hash_type: SHA1` and `hash_value`, the SHA-1 of the file to
download; pass it as `expected_sha1` and a file whose SHA-1 differs is refused. The bill itself carries no hash.

Rows: SUCCESS is money received (credit of 应结订单金额, the settlement amount); REFUND is a refund paid out
(a return line, debit of 退款金额); REVOKED (cancelled before payment) moves no money. Keys: merchant id with the
WeChat order number for a payment, with the WeChat refund number for a refund (both unique at WeChat): a row
with either blank is refused, and so is any row after the summary (two bills pasted into one file).
The control count is the stated 总交易单数 less the REVOKED and zero-amount rows (counted, but no money moved).
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass

from fairdue.adapters.bankfiles.common import decode, parse_amount, parse_count, parse_date, require_id, sha256_hex
from fairdue.adapters.bankfiles.errors import BadField, HashMismatch, MalformedRecord
from fairdue.domain.payments_in.statement import Direction, LineKind, ParsedFile, StatementLine, line_key

FMT = "wechat"
CURRENCY_DEFAULT = "CNY"
REQUIRED = ("交易时间", "商户号", "微信订单号", "商户订单号", "交易状态", "退款金额", "微信退款单号")
SETTLED_AMOUNT = ("应结订单金额", "总金额")  # the current name, then the pre-2017 one
SUMMARY_FIRST = "总交易单数"


@dataclass(frozen=True, slots=True)
class _Totals:
    count: int
    credit_minor: int
    debit_minor: int


def parse(data: bytes, *, expected_sha1: str | None = None) -> ParsedFile:
    """A WeChat Pay ALL bill; `expected_sha1` is the hash_value the bill API returned with the download URL."""
    notes: list[str] = []
    if expected_sha1 is not None:
        actual = hashlib.sha1(data, usedforsecurity=False).hexdigest()
        if actual != expected_sha1.strip().lower():
            raise HashMismatch(FMT, f"SHA-1 of the file is {actual}, the bill API said {expected_sha1}")
    else:
        notes.append("no SHA-1 given with the download: file integrity not checked against the bill API")
    rows = list(csv.reader(decode(data, "utf-8", fmt=FMT).splitlines()))
    if not rows or not rows[0] or "交易时间" not in rows[0][0]:
        raise MalformedRecord(FMT, "the first row must be the bill header starting with 交易时间", record_no=1)
    header = [name.strip() for name in rows[0]]
    columns = _columns(header)
    summary_at = next((i for i, row in enumerate(rows) if row and row[0].strip() == SUMMARY_FIRST), None)
    if summary_at is None or summary_at + 1 >= len(rows):
        raise MalformedRecord(
            FMT, "the summary rows (总交易单数 ...) are missing: truncated bill?", record_no=len(rows)
        )
    lines: list[StatementLine] = []
    no_money = 0
    merchant = None
    for index in range(1, summary_at):
        row = [field.strip().removeprefix("`") for field in rows[index]]
        if not any(row):
            continue
        if len(row) != len(header):
            raise MalformedRecord(FMT, f"{len(row)} fields, the header has {len(header)}", record_no=index + 1)
        merchant = row[columns["商户号"]]
        line = _line(row, columns, index + 1)
        if line is None:
            no_money += 1
        else:
            lines.append(line)
    _refuse_after_summary(rows, summary_at + 2)
    totals = _summary(rows[summary_at], rows[summary_at + 1], summary_at + 2)
    return ParsedFile(
        format=FMT,
        file_sha256=sha256_hex(data),
        statement_id=f"{merchant}:{min(ln.value_on for ln in lines).isoformat()}" if lines else None,
        account=merchant,
        currency=CURRENCY_DEFAULT,
        lines=tuple(lines),
        control_count=totals.count - no_money,
        control_credit_minor=totals.credit_minor,
        control_debit_minor=totals.debit_minor,
        notes=tuple(notes),
    )


def _refuse_after_summary(rows: list[list[str]], summary_row_no: int) -> None:
    """The summary row closes the bill: anything after it (a second day's bill pasted on) would go unread."""
    for row_no in range(summary_row_no + 1, len(rows) + 1):
        if any(cell.strip() for cell in rows[row_no - 1]):
            raise MalformedRecord(
                FMT,
                f"a row after the bill's summary (record {summary_row_no}): one bill per file",
                record_no=row_no,
            )


def _columns(header: list[str]) -> dict[str, int]:
    missing = [name for name in REQUIRED if name not in header]
    settled = next((name for name in SETTLED_AMOUNT if name in header), None)
    if missing or settled is None:
        raise MalformedRecord(FMT, f"header lacks {', '.join(missing or ['应结订单金额'])}", record_no=1)
    columns = {name: header.index(name) for name in header}
    columns["settled"] = header.index(settled)
    return columns


def _line(row: list[str], columns: dict[str, int], record_no: int) -> StatementLine | None:
    status = row[columns["交易状态"]]
    if status == "REVOKED":
        return None
    if status not in ("SUCCESS", "REFUND"):
        raise BadField(
            FMT,
            f"transaction status {status!r} is not SUCCESS, REFUND or REVOKED",
            record_no=record_no,
            field="交易状态",
        )
    currency = row[columns["货币种类"]] if "货币种类" in columns and row[columns["货币种类"]] else CURRENCY_DEFAULT
    currency = CURRENCY_DEFAULT if currency in ("CNY", "RMB", "人民币") else currency
    merchant = require_id(row[columns["商户号"]], fmt=FMT, record_no=record_no, field="商户号")
    order = require_id(row[columns["微信订单号"]], fmt=FMT, record_no=record_no, field="微信订单号")
    refund = status == "REFUND"
    refund_no = row[columns["微信退款单号"]]
    if refund:
        require_id(refund_no, fmt=FMT, record_no=record_no, field="微信退款单号")
    amount_field = "退款金额" if refund else "应结订单金额"
    amount_text = row[columns["退款金额"] if refund else columns["settled"]]
    amount_minor = parse_amount(amount_text, currency, fmt=FMT, record_no=record_no, field=amount_field)
    if amount_minor == 0:  # paid wholly by a coupon: no money moved
        return None

    def optional(name: str) -> str | None:
        return (row[columns[name]] or None) if name in columns else None

    return StatementLine(
        line_key=line_key("wechat", merchant, refund_no, "refund")
        if refund
        else line_key("wechat", merchant, order, "pay"),
        record_no=record_no,
        kind=LineKind.RETURN if refund else LineKind.PAYMENT,
        direction=Direction.DEBIT if refund else Direction.CREDIT,
        amount_minor=amount_minor,
        currency=currency,
        booked_on=None,
        value_on=parse_date(row[columns["交易时间"]][:10], "%Y-%m-%d", fmt=FMT, record_no=record_no, field="交易时间"),
        end_to_end_id=optional("商户订单号"),
        remittance=optional("商品名称"),
        counterparty_account=optional("用户标识"),
        bank_ref=refund_no if refund else order,
        original_ref=order if refund else None,
    )


def _summary(names: list[str], values: list[str], record_no: int) -> _Totals:
    row = dict(zip([n.strip() for n in names], [v.strip().removeprefix("`") for v in values], strict=False))
    count = parse_count(row.get(SUMMARY_FIRST, ""), fmt=FMT, record_no=record_no, field=SUMMARY_FIRST)
    credit = row.get("应结订单总金额") or row.get("总交易额")
    debit = row.get("退款总金额") or row.get("总退款金额")
    if credit is None or debit is None:
        raise MalformedRecord(FMT, "summary lacks 应结订单总金额 or 退款总金额", record_no=record_no)
    return _Totals(
        count=count,
        credit_minor=parse_amount(credit, CURRENCY_DEFAULT, fmt=FMT, record_no=record_no, field="应结订单总金额"),
        debit_minor=parse_amount(debit, CURRENCY_DEFAULT, fmt=FMT, record_no=record_no, field="退款总金额"),
    )
