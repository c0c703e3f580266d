"""Shared edges of the parsers: exact amounts, dates, text decoding, file hashing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, datetime

# The Element type only: every parse goes through defusedxml (no DTDs, no entities).
from xml.etree.ElementTree import Element  # nosec B405

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from fairdue.adapters.bankfiles.errors import BadAmount, BadEncoding, BadField, MalformedRecord
from fairdue.domain.money import MoneyError, exponent, to_minor
from fairdue.domain.payments_in.statement import StatementLine

_PLAIN_DECIMAL = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")  # ASCII digits only: no '١٠٠' or '１００'
_ASCII_DIGITS = re.compile(r"[0-9]+")


def sha256_hex(data: bytes) -> str:
    """The file's identity for import de-duplication."""
    return hashlib.sha256(data).hexdigest()


def parse_amount(
    text: str,
    currency: str,
    *,
    fmt: str,
    record_no: int | None,
    field: str,
    decimal_sep: str = ".",
    thousands_sep: str | None = None,
    signed: bool = False,
) -> int:
    """A signed decimal text ("1234.50", "-0.01", "1.234,50" with ',' as decimal separator) in minor units.

    Exact: refuses exponents, spaces inside, and more decimals than `currency` has (no rounding, no float).
    Unless `signed`, the format writes magnitudes only (the direction is another field) and a sign is refused.
    """
    raw = text.strip()
    if not signed and raw[:1] in ("-", "+"):
        raise BadAmount(fmt, f"{text!r} has a sign; this field holds a magnitude", record_no=record_no, field=field)
    if thousands_sep and thousands_sep in raw:
        raw = _ungroup(raw, text, thousands_sep, decimal_sep, fmt=fmt, record_no=record_no, field=field)
    if decimal_sep != ".":
        if "." in raw:
            raise BadAmount(
                fmt, f"{text!r} has '.' but the decimal separator is {decimal_sep!r}", record_no=record_no, field=field
            )
        raw = raw.replace(decimal_sep, ".")
    if not _PLAIN_DECIMAL.fullmatch(raw):
        raise BadAmount(fmt, f"{text!r} is not a decimal amount", record_no=record_no, field=field)
    try:
        places = len(raw.partition(".")[2])
        if places > exponent(currency):
            raise BadAmount(
                fmt,
                f"{text!r} has {places} decimals; {currency} has {exponent(currency)}",
                record_no=record_no,
                field=field,
            )
        return to_minor(raw, currency)
    except MoneyError as err:
        raise BadAmount(fmt, str(err), record_no=record_no, field=field) from None


def _ungroup(raw: str, text: str, sep: str, decimal_sep: str, *, fmt: str, record_no: int | None, field: str) -> str:
    """`raw` without its thousands separators, which must group the whole part as 1-3 digits then groups of 3."""
    sign = raw[:1] if raw[:1] in ("-", "+") else ""
    whole, mark, fraction = raw[len(sign) :].partition(decimal_sep)
    grouped = re.fullmatch(f"[0-9]{{1,3}}(?:{re.escape(sep)}[0-9]{{3}})+", whole)
    if grouped is None or sep in fraction:
        raise BadAmount(
            fmt,
            f"{text!r}: the thousands separator {sep!r} must group the whole part in threes (1,234,567)",
            record_no=record_no,
            field=field,
        )
    return sign + whole.replace(sep, "") + mark + fraction


def parse_count(text: str, *, fmt: str, record_no: int | None, field: str) -> int:
    """A count written in ASCII digits; anything else (a sign, '²', '١') is a BadField, never a ValueError."""
    if not _ASCII_DIGITS.fullmatch(text):
        raise BadField(fmt, f"{text!r} is not a count (ASCII digits)", record_no=record_no, field=field)
    return int(text)


def require_id(value: str | None, *, fmt: str, record_no: int, field: str) -> str:
    """An identifying field a line key is made from: blank would make every such line the same movement."""
    if value is None or not value.strip():
        raise MalformedRecord(
            fmt, "the identifying field is blank: the line cannot be told apart", record_no=record_no, field=field
        )
    return value


def refuse_repeated_keys(fmt: str, lines: Iterable[StatementLine]) -> None:
    """Two lines with one key would be de-duplicated into one on import, losing money: refuse the file.

    Names every repeated key's records, so the file can be looked at, not guessed at.
    """
    records: dict[str, list[int]] = {}
    for line in lines:
        records.setdefault(line.line_key, []).append(line.record_no)
    repeated = [nos for nos in records.values() if len(nos) > 1]
    if repeated:
        where = "; ".join("records " + ", ".join(map(str, nos)) for nos in repeated)
        raise MalformedRecord(
            fmt, f"lines that identify as the same movement (same line key): {where}", field="line key"
        )


def parse_date(text: str, pattern: str, *, fmt: str, record_no: int | None, field: str) -> date:
    """A date in `pattern` (strptime syntax); a clear error naming the field otherwise."""
    if not text.isascii():
        raise BadField(fmt, f"{text!r} is not a date in ASCII digits", record_no=record_no, field=field)
    try:
        return datetime.strptime(text.strip(), pattern).date()  # a calendar date, no instant
    except ValueError:
        raise BadField(fmt, f"{text!r} is not a date in the form {pattern}", record_no=record_no, field=field) from None


def decode(data: bytes, encoding: str, *, fmt: str) -> str:
    """The file as text; a wrong byte is reported with its line number."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as err:
        line_no = data[: err.start].count(b"\n") + 1
        raise BadEncoding(fmt, f"byte {err.start} is not valid {encoding}", record_no=line_no) from None
    except LookupError:
        raise BadEncoding(fmt, f"unknown encoding {encoding!r}") from None
    return text.removeprefix("\ufeff")


def parse_xml(data: bytes, *, fmt: str) -> Element:
    """The document's root, parsed with DTDs and entities refused; any parse failure names the format."""
    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, LookupError, ValueError) as err:  # LookupError: unknown encoding
        raise MalformedRecord(fmt, f"not well-formed XML ({type(err).__name__}: {err})") from None
    return root
