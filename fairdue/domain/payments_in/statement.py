"""One normalized statement line, the parsed file that carries it, and the file's control-total check.

Every parser (camt.053/054, NACHA, Bacs, WeChat Pay, Alipay, CSV mapping) produces a `ParsedFile` of
`StatementLine`s; matching and posting only ever see this shape. A line's `line_key` is derived from the
fields that identify it in its own format, so the same line read from a re-imported or overlapping statement
gets the same key and can be recognised as already imported.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from fairdue.domain.money import check_currency

LINE_KEY_HEX_CHARS = 32  # 128 bits of SHA-256: collision-free for any statement history we will hold


class StatementLineInvalid(ValueError):
    """A parser built a line that breaks the line's invariants: a bug in the parser, not bad input."""


class Direction(enum.StrEnum):
    """Money into the lender's account (credit) or out of it (debit: refunds, returned debits)."""

    CREDIT = "credit"
    DEBIT = "debit"


class LineKind(enum.StrEnum):
    """What a line reports."""

    PAYMENT = "payment"  # money received (or paid out, for a debit)
    RETURN = "return"  # an earlier collection or payment came back (NACHA return, ARUDD, wallet refund)


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One movement of money as the bank or wallet reported it. PII fields are marked (PII)."""

    line_key: str
    """Stable identity of the line in its format (see `line_key`); equal keys mean the same movement."""
    record_no: int
    """1-based record/line/entry number in the file, for error messages; not part of the identity."""
    kind: LineKind
    """Payment or return."""
    direction: Direction
    """Credit (money in) or debit (money out), from the lender's account's point of view."""
    amount_minor: int
    """Magnitude in minor units, always > 0; the sign is `direction`."""
    currency: str
    """ISO 4217 code of the amount."""
    booked_on: date | None
    """Booking date on the statement; None when the format gives only one date (then it is `value_on`)."""
    value_on: date
    """Value (settlement) date: the date the money counts from."""
    end_to_end_id: str | None = None
    """Originator's end-to-end id (ISO 20022 EndToEndId, NACHA trace number, merchant order number); None if absent."""
    mandate_ref: str | None = None
    """Direct-debit mandate reference (camt MndtId, Bacs payer reference, NACHA individual id); None if absent."""
    remittance: str | None = None
    """Remittance text as printed (camt Ustrd, NACHA addenda 05 payment info, wallet goods name); None if absent."""
    counterparty_name: str | None = None
    """(PII) Payer's or payee's name; None if the format does not carry it."""
    counterparty_account: str | None = None
    """(PII) Payer's account (IBAN, sort code + account, DFI account, wallet user id); None if absent."""
    bank_ref: str | None = None
    """The bank's or wallet's own reference for the movement (AcctSvcrRef, WeChat/Alipay transaction id)."""
    return_code: str | None = None
    """For a return: the reason code as the format writes it (R01, ARUDD '0', ISO AM04); else None."""
    original_ref: str | None = None
    """For a return: the reference of the original movement (original trace, original order id); else None."""

    def __post_init__(self) -> None:
        check_currency(self.currency)
        if isinstance(self.amount_minor, bool) or not isinstance(self.amount_minor, int) or self.amount_minor <= 0:
            raise StatementLineInvalid(
                f"record {self.record_no}: amount_minor must be a positive int, got {self.amount_minor!r}"
            )

    @property
    def signed_minor(self) -> int:
        """The amount with its sign: positive for a credit, negative for a debit."""
        return self.amount_minor if self.direction is Direction.CREDIT else -self.amount_minor


PII_FIELDS: frozenset[str] = frozenset({"counterparty_name", "counterparty_account"})
"""Fields of `StatementLine` that hold personal data: encrypted at rest, masked on screens."""


@dataclass(frozen=True, slots=True)
class MandateNotice:
    """A direct-debit mandate event reported by the bank (Bacs ADDACS amendment/cancellation, AUDDIS rejection)."""

    record_no: int
    """1-based record number in the file."""
    report: str
    """The report it came from: 'addacs' or 'auddis'."""
    mandate_ref: str
    """The service user's reference for the mandate (the payer reference on the instruction)."""
    reason_code: str
    """The report's reason code ('0'–'3', 'B'–'E', 'R' for ADDACS; AUDDIS codes '1'–'Q')."""
    reason: str
    """The code's published meaning, in English."""
    effective_on: date
    """The date the change takes effect (the report's processing date where no per-item date exists)."""
    payer_name: str | None = None
    """(PII) Payer's name as the bank holds it; None if absent."""
    payer_account: str | None = None
    """(PII) Payer's sort code and account number ('112233-12345678'); None if absent."""
    new_payer_account: str | None = None
    """(PII) For an account transfer (ADDACS 3/C): the new sort code and account; else None."""


@dataclass(frozen=True, slots=True)
class ParsedFile:
    """A whole parsed bank/wallet file, with what it claims about itself so the claims can be checked."""

    format: str
    """Parser name: 'camt053', 'camt054', 'nacha', 'bacs-arudd', 'bacs-addacs', 'bacs-auddis', 'wechat', 'alipay', 'csv'."""
    file_sha256: str
    """Hex SHA-256 of the raw bytes: the file's identity for import de-duplication."""
    statement_id: str | None
    """The file's own id (camt Stmt/Id, NACHA file id, Bacs advice number, bill date); None if absent."""
    account: str | None
    """The lender's account the file reports on (IBAN, DFI account, merchant id); None if absent."""
    currency: str | None
    """Currency of the balances and control sums; None when the file has neither."""
    lines: tuple[StatementLine, ...]
    """Every money line, in file order."""
    mandate_notices: tuple[MandateNotice, ...] = ()
    """Mandate events (Bacs ADDACS/AUDDIS); empty for money-only formats."""
    opening_balance_minor: int | None = None
    """Signed opening booked balance (camt OPBD/PRCD); None where the format has none."""
    closing_balance_minor: int | None = None
    """Signed closing booked balance (camt CLBD); None where the format has none."""
    control_count: int | None = None
    """Number of lines the file says it holds; None where the format has no count."""
    control_credit_minor: int | None = None
    """Sum of credit lines the file states; None where absent."""
    control_debit_minor: int | None = None
    """Sum of debit lines the file states (as a magnitude); None where absent."""
    control_sum_minor: int | None = None
    """Sum of all line magnitudes the file states (camt TtlNtries/Sum, Bacs Totals); None where absent."""
    notes: tuple[str, ...] = field(default=())
    """What the parser could not check and why (e.g. 'no SHA1 given: hash not verified')."""


@dataclass(frozen=True, slots=True)
class ControlError:
    """A stated control total that the lines do not tie to."""

    code: str
    """Stable code: 'count', 'credit_sum', 'debit_sum', 'sum', 'balance', 'currency'."""
    expected: int | str
    """What the file states."""
    actual: int | str
    """What the lines add up to."""
    message: str
    """One sentence naming the difference."""


def line_key(scheme: str, *parts: object) -> str:
    """A stable line key: `scheme:` + the first 128 bits of SHA-256 over the identifying parts.

    `parts` are the fields that identify the line in its format (a NACHA trace number, a camt AcctSvcrRef);
    None is written as an empty field so a missing value and "" are the same, and each field is prefixed with
    its length so no two lists of fields give the same text (("ab", "c") and ("a", "bc") differ, and so do
    fields that hold a separator character).
    """
    fields = ["" if part is None else str(part) for part in parts]
    text = "".join(f"{len(field)}:{field}" for field in fields)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:LINE_KEY_HEX_CHARS]
    return f"{scheme}:{digest}"


def occurrence_keys(scheme: str, identities: Iterable[tuple[object, ...]]) -> list[str]:
    """Keys for lines whose identity is only their content (a CSV without a transaction id).

    Two identical lines in one file are two payments, so the n-th repeat of an identity gets n in its key;
    an overlapping export that holds the same repeats in the same order yields the same keys.
    """
    seen: dict[tuple[object, ...], int] = {}
    keys = []
    for identity in identities:
        n = seen.get(identity, 0)
        seen[identity] = n + 1
        keys.append(line_key(scheme, *identity, n))
    return keys


def check_control_totals(parsed: ParsedFile) -> list[ControlError]:
    """Every stated total the lines must tie to; errors as data, all of them (no early exit)."""
    lines = parsed.lines
    credits = sum(ln.amount_minor for ln in lines if ln.direction is Direction.CREDIT)
    debits = sum(ln.amount_minor for ln in lines if ln.direction is Direction.DEBIT)
    errors: list[ControlError] = []
    _currency_errors(parsed, errors)
    _tie(errors, "count", parsed.control_count, len(lines), "lines")
    _tie(errors, "credit_sum", parsed.control_credit_minor, credits, "credit total (minor units)")
    _tie(errors, "debit_sum", parsed.control_debit_minor, debits, "debit total (minor units)")
    _tie(errors, "sum", parsed.control_sum_minor, credits + debits, "total of all amounts (minor units)")
    if parsed.opening_balance_minor is not None and parsed.closing_balance_minor is not None:
        implied = parsed.opening_balance_minor + credits - debits
        if implied != parsed.closing_balance_minor:
            errors.append(
                ControlError(
                    "balance",
                    parsed.closing_balance_minor,
                    implied,
                    f"opening balance {parsed.opening_balance_minor} + credits {credits} - debits {debits} = "
                    f"{implied}, but the closing balance is {parsed.closing_balance_minor} "
                    f"(difference {parsed.closing_balance_minor - implied})",
                )
            )
    return errors


def _tie(errors: list[ControlError], code: str, stated: int | None, actual: int, what: str) -> None:
    if stated is not None and stated != actual:
        errors.append(
            ControlError(
                code,
                stated,
                actual,
                f"the file states {what} {stated}, the lines give {actual} (difference {stated - actual})",
            )
        )


def _currency_errors(parsed: ParsedFile, errors: list[ControlError]) -> None:
    if parsed.currency is None:
        return
    for ln in parsed.lines:
        if ln.currency != parsed.currency:
            errors.append(
                ControlError(
                    "currency",
                    parsed.currency,
                    ln.currency,
                    f"record {ln.record_no} is in {ln.currency} but the statement is in {parsed.currency}",
                )
            )
