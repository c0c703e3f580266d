"""Any bank's CSV export, described by a mapping file (TOML) and read into statement lines.

A mapping names the columns by their header text and says how to read them:

    name = "examplebank-gbp"          # scheme of the line keys: keep it stable for one bank account
    encoding = "utf-8"                 # any Python codec name: "gbk", "cp1252", ...
    delimiter = ","
    date_format = "%d/%m/%Y"           # strptime syntax
    decimal_separator = "."            # "." or ","
    thousands_separator = ""           # "", ",", ".", " " or "'"; must differ from the decimal separator
    currency = "GBP"                   # or columns.currency
    amount_sign = "credit_positive"    # with columns.amount: "credit_positive" or "debit_positive"

    [columns]
    value_on = "Date"                  # required
    amount = "Amount"                  # either amount, or both credit and debit ("Paid in" / "Paid out")
    reference = "Reference"            # required: the payment reference printed on the statement (-> remittance)
    booked_on = "Posted"               # optional, as are end_to_end_id, mandate_ref, counterparty_name,
    bank_ref = "Transaction ID"        #   counterparty_account, bank_ref, currency

The mapping is checked whole when loaded: unknown keys, missing columns, contradictions are refused at once.
Line keys: `bank_ref` when mapped (the bank's transaction id), which must then be filled on every row and
unique in the file (a repeat is refused: the bank says the rows are one transaction, the amounts say two);
otherwise the line's content (dates, direction, amount, reference, counterparty) with a count of repeats, so an
overlapping export gives the same keys. With separate credit/debit columns each holds a magnitude: a sign in
either is refused. A thousands separator must group the whole part in threes ("12,50" is refused).
"""

from __future__ import annotations

import codecs
import csv
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date

from fairdue.adapters.bankfiles.common import decode, parse_amount, parse_date, require_id, sha256_hex
from fairdue.adapters.bankfiles.errors import BadField, BadMapping, MalformedRecord
from fairdue.domain.money import CURRENCY_EXPONENTS
from fairdue.domain.payments_in.statement import (
    Direction,
    LineKind,
    ParsedFile,
    StatementLine,
    line_key,
    occurrence_keys,
)

FMT = "csv"
TOP_KEYS = frozenset(
    {
        "name",
        "encoding",
        "delimiter",
        "date_format",
        "decimal_separator",
        "thousands_separator",
        "currency",
        "amount_sign",
        "columns",
    }
)
COLUMN_KEYS = frozenset(
    {
        "value_on",
        "booked_on",
        "amount",
        "credit",
        "debit",
        "reference",
        "end_to_end_id",
        "mandate_ref",
        "counterparty_name",
        "counterparty_account",
        "bank_ref",
        "currency",
    }
)
OPTIONAL_TEXT = ("end_to_end_id", "mandate_ref", "counterparty_name", "counterparty_account", "bank_ref")
SIGNS = ("credit_positive", "debit_positive")
THOUSANDS = ("", ",", ".", " ", "'")


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """A validated description of one bank's CSV export."""

    name: str
    encoding: str
    delimiter: str
    date_format: str
    decimal_separator: str
    thousands_separator: str
    currency: str | None
    amount_sign: str | None
    columns: dict[str, str] = field(default_factory=dict)


def load_mapping(data: bytes) -> CsvMapping:
    """Read and check a mapping; every problem is listed in one BadMapping."""
    try:
        raw = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise BadMapping("csv mapping", f"not a UTF-8 TOML file ({err})") from None
    problems = _problems(raw)
    if problems:
        raise BadMapping("csv mapping", "; ".join(problems))
    columns = raw["columns"]
    return CsvMapping(
        name=raw["name"],
        encoding=raw.get("encoding", "utf-8"),
        delimiter=raw.get("delimiter", ","),
        date_format=raw["date_format"],
        decimal_separator=raw.get("decimal_separator", "."),
        thousands_separator=raw.get("thousands_separator", ""),
        currency=raw.get("currency"),
        amount_sign=raw.get("amount_sign"),
        columns=dict(columns),
    )


def _problems(raw: dict[str, object]) -> list[str]:
    problems = [f"unknown key {key!r}" for key in sorted(set(raw) - TOP_KEYS)]
    for key in ("name", "date_format"):
        if not isinstance(raw.get(key), str) or not raw.get(key):
            problems.append(f"{key} is required (a non-empty string)")
    try:
        codecs.lookup(str(raw.get("encoding", "utf-8")))
    except LookupError:
        problems.append(f"unknown encoding {raw.get('encoding')!r}")
    if len(str(raw.get("delimiter", ","))) != 1:
        problems.append("delimiter must be one character")
    decimal, thousands = raw.get("decimal_separator", "."), raw.get("thousands_separator", "")
    if decimal not in (".", ","):
        problems.append("decimal_separator must be '.' or ','")
    if thousands not in THOUSANDS or thousands == decimal:
        problems.append(f"thousands_separator must be one of {THOUSANDS} and differ from the decimal separator")
    columns = raw.get("columns")
    if not isinstance(columns, dict):
        return problems + ["a [columns] table is required"]
    problems += [f"unknown column key {key!r}" for key in sorted(set(columns) - COLUMN_KEYS)]
    problems += [
        f"columns.{key} must be a header name (string)" for key, v in columns.items() if not isinstance(v, str)
    ]
    problems += [f"columns.{key} is required" for key in ("value_on", "reference") if key not in columns]
    has_amount, has_split = "amount" in columns, "credit" in columns and "debit" in columns
    if has_amount == has_split:
        problems.append("map either columns.amount, or both columns.credit and columns.debit")
    if has_amount and raw.get("amount_sign") not in SIGNS:
        problems.append(f"amount_sign must be one of {SIGNS} when columns.amount is mapped")
    currency = raw.get("currency")
    if (currency is None) == ("currency" not in columns):
        problems.append("give either currency or columns.currency, not both or neither")
    elif currency is not None and currency not in CURRENCY_EXPONENTS:
        problems.append(f"unknown currency {currency!r}")
    return problems


def parse(data: bytes, mapping: CsvMapping) -> ParsedFile:
    """A CSV export read with `mapping`; the first row is the header."""
    text = decode(data, mapping.encoding, fmt=FMT)
    rows = list(csv.reader(text.splitlines(), delimiter=mapping.delimiter))
    if not rows:
        raise MalformedRecord(FMT, "the file is empty", record_no=1)
    header = [name.strip() for name in rows[0]]
    absent = [f"{key}={name!r}" for key, name in mapping.columns.items() if name not in header]
    if absent:
        raise MalformedRecord(FMT, f"the header lacks mapped columns {', '.join(absent)}", record_no=1)
    index = {key: header.index(name) for key, name in mapping.columns.items()}
    keyed = []
    for record_no, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise MalformedRecord(FMT, f"{len(row)} fields, the header has {len(header)}", record_no=record_no)
        keyed.append(_line(row, index, mapping, record_no))
    if "bank_ref" in mapping.columns:
        for _, line in keyed:
            require_id(line.bank_ref, fmt=FMT, record_no=line.record_no, field=mapping.columns["bank_ref"])
    keys = occurrence_keys(mapping.name, (identity for identity, _ in keyed))
    lines = tuple(
        replace(line, line_key=line_key(mapping.name, line.bank_ref) if line.bank_ref else key)
        for key, (_, line) in zip(keys, keyed, strict=True)
    )
    currencies = {line.currency for line in lines}
    return ParsedFile(
        format=FMT,
        file_sha256=sha256_hex(data),
        statement_id=None,
        account=None,
        currency=currencies.pop() if len(currencies) == 1 else mapping.currency,
        lines=lines,
    )


def _line(
    row: list[str], index: dict[str, int], mapping: CsvMapping, record_no: int
) -> tuple[tuple[object, ...], StatementLine]:
    def cell(key: str) -> str:
        return row[index[key]].strip() if key in index else ""

    currency = mapping.currency or cell("currency")
    if currency not in CURRENCY_EXPONENTS:
        raise BadField(
            FMT, f"unknown currency {currency!r}", record_no=record_no, field=mapping.columns.get("currency")
        )
    signed = _signed_amount(cell, mapping, currency, record_no)
    if signed == 0:
        raise BadField(
            FMT, "the amount is zero", record_no=record_no, field=mapping.columns.get("amount", "credit/debit")
        )
    value_on = _date(cell("value_on"), mapping, record_no, "value_on")
    booked_on = _date(cell("booked_on"), mapping, record_no, "booked_on") if cell("booked_on") else None
    direction = Direction.CREDIT if signed > 0 else Direction.DEBIT
    texts = {key: (cell(key) or None) for key in OPTIONAL_TEXT}
    line = StatementLine(
        line_key="",
        record_no=record_no,
        kind=LineKind.PAYMENT,
        direction=direction,
        amount_minor=abs(signed),
        currency=currency,
        booked_on=booked_on,
        value_on=value_on,
        remittance=cell("reference") or None,
        end_to_end_id=texts["end_to_end_id"],
        mandate_ref=texts["mandate_ref"],
        counterparty_name=texts["counterparty_name"],
        counterparty_account=texts["counterparty_account"],
        bank_ref=texts["bank_ref"],
    )
    identity = (
        value_on,
        booked_on,
        direction.value,
        abs(signed),
        currency,
        line.remittance,
        line.counterparty_account,
        line.counterparty_name,
    )
    return identity, line


def _date(text: str, mapping: CsvMapping, record_no: int, key: str) -> date:
    return parse_date(text, mapping.date_format, fmt=FMT, record_no=record_no, field=mapping.columns[key])


def _signed_amount(cell: Callable[[str], str], mapping: CsvMapping, currency: str, record_no: int) -> int:
    """Credit positive, debit negative, whatever the bank's convention."""

    def read(key: str, *, signed: bool = False) -> int:
        text = cell(key)
        if not text:
            return 0
        return parse_amount(
            text,
            currency,
            fmt=FMT,
            record_no=record_no,
            field=mapping.columns[key],
            decimal_sep=mapping.decimal_separator,
            thousands_sep=mapping.thousands_separator or None,
            signed=signed,
        )

    if "amount" in mapping.columns:
        amount = read("amount", signed=True)
        return amount if mapping.amount_sign == "credit_positive" else -amount
    # A paid-in or paid-out column holds a magnitude: its direction is the column. A sign there ("-50.00" paid
    # in: a reversal?) has no declared meaning, so it is refused by parse_amount, never flipped or dropped.
    credit, debit = read("credit"), read("debit")
    if credit and debit:
        raise BadField(
            FMT,
            "both the credit and the debit column hold an amount",
            record_no=record_no,
            field=f"{mapping.columns['credit']}/{mapping.columns['debit']}",
        )
    return credit - debit
