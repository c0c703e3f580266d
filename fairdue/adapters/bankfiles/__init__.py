"""Bank and wallet file parsers: each module reads one format into a `ParsedFile` of normalized lines.

Every parser has one shape, `parse(data: bytes) -> ParsedFile`, and raises a `BankFileError` subclass naming
the record and the field it refuses. `parse_checked` is the entry point an import uses: it parses with the
format's parser and then refuses the whole file when two of its lines share a line key (an import
de-duplicates by key, so the second would be lost) or its control totals do not tie to its lines.
"""

from __future__ import annotations

from collections.abc import Callable

from fairdue.adapters.bankfiles import alipay, bacs, camt, csvmap, nacha, wechat
from fairdue.adapters.bankfiles.common import refuse_repeated_keys
from fairdue.adapters.bankfiles.errors import BankFileError, ControlTotalMismatch
from fairdue.domain.payments_in.statement import ParsedFile, check_control_totals

PARSERS: dict[str, Callable[[bytes], ParsedFile]] = {
    "camt053": camt.parse,
    "camt054": camt.parse_054,
    "nacha": nacha.parse,
    "bacs-arudd": bacs.parse_arudd,
    "bacs-addacs": bacs.parse_addacs,
    "bacs-auddis": bacs.parse_auddis,
    "wechat": wechat.parse,
    "alipay": alipay.parse,
}
"""Format name (as `fairdue payments import --format` spells it) to parser; `csv` needs a mapping."""


def parse_checked(
    fmt: str, data: bytes, *, mapping: csvmap.CsvMapping | None = None, expected_sha1: str | None = None
) -> ParsedFile:
    """Parse `data` as `fmt` and refuse it whole unless every control total ties.

    `mapping` is the CSV mapping (format `csv` only); `expected_sha1` the hash WeChat Pay's bill API returned.
    """
    if expected_sha1 is not None and fmt != "wechat":
        raise BankFileError(fmt, "only a WeChat Pay bill comes with a SHA-1 to check")
    if fmt == "wechat":
        parsed = wechat.parse(data, expected_sha1=expected_sha1)
    elif fmt == "csv":
        if mapping is None:
            raise BankFileError("csv", "a CSV file needs its mapping (--format csv:MAPPING.toml)")
        parsed = csvmap.parse(data, mapping)
    elif fmt in PARSERS:
        parsed = PARSERS[fmt](data)
    else:
        raise BankFileError(fmt, f"unknown format; known: {', '.join([*PARSERS, 'csv'])}")
    refuse_repeated_keys(fmt, parsed.lines)
    errors = check_control_totals(parsed)
    if errors:
        notes = f" (parser notes: {'; '.join(parsed.notes)})" if parsed.notes else ""
        raise ControlTotalMismatch(fmt, "; ".join(err.message for err in errors) + notes)
    return parsed
