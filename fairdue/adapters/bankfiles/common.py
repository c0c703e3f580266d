"""Shared edges of the parsers: exact amounts, dates, text decoding, file hashing."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime

# The Element type only: every parse goes through defusedxml (no DTDs, no entities).
from xml.etree.ElementTree import Element  # nosec B405

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from fairdue.adapters.bankfiles.errors import BadAmount, BadEncoding, BadField, MalformedRecord
from fairdue.domain.money import MoneyError, exponent, to_minor

_PLAIN_DECIMAL = re.compile(r"[+-]?\d+(?:\.\d+)?")


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
    if thousands_sep:
        raw = raw.replace(thousands_sep, "")
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


def parse_date(text: str, pattern: str, *, fmt: str, record_no: int | None, field: str) -> date:
    """A date in `pattern` (strptime syntax); a clear error naming the field otherwise."""
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
