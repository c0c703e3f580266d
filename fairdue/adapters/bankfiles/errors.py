"""Errors of the bank-file parsers: each names the format, the record (line) and the field it refuses."""

from __future__ import annotations

from fairdue.errors import Invalid


class BankFileError(Invalid):
    """A bank or wallet file that cannot be read as its format; nothing from it may be applied."""

    def __init__(self, fmt: str, message: str, *, record_no: int | None = None, field: str | None = None):
        where = "".join([f", record {record_no}" if record_no is not None else "", f", field {field}" if field else ""])
        super().__init__(f"{fmt}{where}: {message}")
        self.fmt, self.record_no, self.field, self.detail = fmt, record_no, field, message


class MalformedRecord(BankFileError):
    """A record is truncated, too long, out of order, or not the structure the format requires."""


class BadField(BankFileError):
    """A field holds a value its format does not allow (a letter in a numeric field, an unknown date)."""


class BadAmount(BadField):
    """An amount is not a plain decimal number, or has more decimals than its currency has minor units."""


class UnknownReturnCode(BadField):
    """A return or reason code that the format's published list does not contain."""


class BadEncoding(BankFileError):
    """The bytes are not in the encoding the format (or the CSV mapping) declares."""


class ControlTotalMismatch(BankFileError):
    """The file's own control totals (count, sums, entry hash, balances) do not tie to its lines."""


class HashMismatch(BankFileError):
    """The file's SHA-1 differs from the hash the provider published with it (WeChat Pay bill download)."""


class BadMapping(BankFileError):
    """A CSV mapping (TOML) that is incomplete or contradicts itself."""
