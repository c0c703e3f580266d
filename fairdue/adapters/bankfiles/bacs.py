"""UK Bacs reports to a service user, XML form: ARUDD (unpaid direct debits), ADDACS (instruction amendments
and cancellations) and AUDDIS (instructions rejected by the paying bank).

Layout as the Bacs XML reports are documented to service users and bureaux: a `BACSDocument/Data` root with
an `ARUDD` advice (Header, OriginatingAccountRecords of ReturnedDebitItem + PayerAccount and per-account
Totals) or a `MessagingAdvices` list of `MessagingAdvice` elements (ADDACS report REFT1019, AUDDIS REFT1026)
whose attributes are hyphenated (`reason-code`, `payer-sort-code`). Reason codes are the published lists
(Bacs via bureau documentation, e.g. Numeral's table): unknown codes are refused.

An ARUDD item is a returned collection: a debit line of kind return on the service user's account, keyed by
the service user number, the payer reference, the original processing date and the amount, with an occurrence
index: an item carries no unique id, and a collection submitted twice by mistake comes back as two identical
returns, each real money (`occurrence_keys`; one advice lists its items once, in the same order on re-import).
ADDACS/AUDDIS items are mandate notices, not money.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

# The Element type only: every parse goes through defusedxml (no DTDs, no entities).
from xml.etree.ElementTree import Element  # nosec B405

from fairdue.adapters.bankfiles.common import parse_amount, parse_count, parse_date, parse_xml, sha256_hex
from fairdue.adapters.bankfiles.errors import BadAmount, MalformedRecord, UnknownReturnCode
from fairdue.domain.payments_in.statement import (
    Direction,
    LineKind,
    MandateNotice,
    ParsedFile,
    StatementLine,
    occurrence_keys,
)

ARUDD_CODES: dict[str, str] = {
    "0": "Refer to payer",
    "1": "Instruction cancelled by payer",
    "2": "Payer deceased",
    "3": "Account transferred",
    "4": "Advance notice disputed",
    "5": "No account",
    "6": "No instruction",
    "7": "Amount differs",
    "8": "Amount not yet due",
    "9": "Presentation overdue",
    "A": "Service user differs",
    "B": "Account closed",
}
ADDACS_CODES: dict[str, str] = {
    "0": "Instruction cancelled - refer to payer",
    "1": "Instruction cancelled by payer",
    "2": "Payer deceased",
    "3": "Account transferred to a new bank or building society",
    "B": "Account closed",
    "C": "Account transferred to a different branch",
    "D": "Advance notice disputed",
    "E": "Instruction amended",
    "R": "Instruction reinstated",
}
AUDDIS_CODES: dict[str, str] = {
    "1": "Instruction cancelled by payer",
    "2": "Payer deceased",
    "3": "Account transferred",
    "5": "No account",
    "6": "No instruction",
    "B": "Account closed",
    "C": "Account transferred to a different branch",
    "F": "Invalid account type",
    "G": "Bank will not accept direct debits on account",
    "H": "Instruction has expired",
    "I": "Payer reference is not unique",
    "K": "Instruction cancelled by bank",
    "L": "Incorrect payer's account details",
    "M": "Transaction code / user status incompatible",
    "N": "Transaction disallowed at payer's branch",
    "O": "Invalid reference",
    "P": "Payer's name not present",
    "Q": "Service user name is blank",
}


def _root(data: bytes, fmt: str) -> Element:
    root = parse_xml(data, fmt=fmt)
    if root.tag != "BACSDocument":
        raise MalformedRecord(fmt, f"root element {root.tag!r} is not BACSDocument")
    return root


def _attr(el: Element, name: str, fmt: str, record_no: int | None) -> str:
    value = (el.get(name) or "").strip()
    if not value:
        raise MalformedRecord(fmt, f"attribute {name} is missing on {el.tag}", record_no=record_no, field=name)
    return value


def _account(sort_code: str | None, number: str | None) -> str | None:
    if not sort_code and not number:
        return None
    return f"{sort_code or ''}-{number or ''}"


def parse_arudd(data: bytes) -> ParsedFile:
    """An ARUDD report: every returned direct debit as a return line; per-account Totals are control totals."""
    fmt = "bacs-arudd"
    root = _root(data, fmt)
    advice = root.find("Data/ARUDD")
    if advice is None:
        raise MalformedRecord(fmt, "no Data/ARUDD element: not an ARUDD report")
    header = advice.find("Header")
    if header is None:
        raise MalformedRecord(fmt, "the ARUDD Header is missing", field="Header")
    processed_on = parse_date(
        _attr(header, "currentProcessingDate", fmt, None),
        "%Y-%m-%d",
        fmt=fmt,
        record_no=None,
        field="Header/@currentProcessingDate",
    )
    licence = advice.find("ServiceLicenseInformation")
    user_number = licence.get("userNumber") if licence is not None else None
    lines: list[StatementLine] = []
    count, total, currency = 0, 0, None
    for account_record in advice.iterfind("Advice/OriginatingAccountRecords/OriginatingAccountRecord"):
        for item in account_record.iterfind("ReturnedDebitItem"):
            lines.append(_arudd_line(item, len(lines) + 1, user_number, processed_on, fmt))
        totals = account_record.find("Totals")
        if totals is None:
            raise MalformedRecord(
                fmt, "an OriginatingAccountRecord has no Totals", record_no=len(lines), field="Totals"
            )
        currency = _attr(totals, "currency", fmt, None)
        count += _count(_attr(totals, "numberOf", fmt, None), fmt)
        total += parse_amount(
            _attr(totals, "valueOf", fmt, None), currency, fmt=fmt, record_no=None, field="Totals/@valueOf"
        )
    identities = [(user_number, ln.mandate_ref, ln.original_ref, ln.amount_minor) for ln in lines]
    keys = occurrence_keys("bacs-arudd", identities)
    return ParsedFile(
        format=fmt,
        file_sha256=sha256_hex(data),
        statement_id=header.get("adviceNumber"),
        account=user_number,
        currency=currency,
        lines=tuple(replace(ln, line_key=key) for ln, key in zip(lines, keys, strict=True)),
        control_count=count,
        control_sum_minor=total,
    )


def _count(text: str, fmt: str) -> int:
    return parse_count(text, fmt=fmt, record_no=None, field="Totals/@numberOf")


def _arudd_line(item: Element, record_no: int, user_number: str | None, processed_on: date, fmt: str) -> StatementLine:
    code = _attr(item, "returnCode", fmt, record_no)
    if code not in ARUDD_CODES:
        raise UnknownReturnCode(
            fmt, f"{code!r} is not an ARUDD reason code (0-9, A, B)", record_no=record_no, field="returnCode"
        )
    currency = _attr(item, "currency", fmt, record_no)
    amount = parse_amount(
        _attr(item, "valueOf", fmt, record_no), currency, fmt=fmt, record_no=record_no, field="valueOf"
    )
    if amount == 0:
        raise BadAmount(fmt, "a returned debit of zero", record_no=record_no, field="valueOf")
    original_on = parse_date(
        _attr(item, "originalProcessingDate", fmt, record_no),
        "%Y-%m-%d",
        fmt=fmt,
        record_no=record_no,
        field="originalProcessingDate",
    )
    reference = _attr(item, "ref", fmt, record_no)
    payer = item.find("PayerAccount")
    return StatementLine(
        line_key="",  # set by parse_arudd: the identity with its occurrence
        record_no=record_no,
        kind=LineKind.RETURN,
        direction=Direction.DEBIT,
        amount_minor=amount,
        currency=currency,
        booked_on=None,
        value_on=processed_on,  # the day the unpaid item is debited back
        mandate_ref=reference,
        remittance=item.get("returnDescription"),
        counterparty_name=payer.get("name") if payer is not None else None,
        counterparty_account=_account(payer.get("sortCode"), payer.get("number")) if payer is not None else None,
        return_code=code,
        original_ref=f"{reference}@{original_on.isoformat()}",
    )


def parse_addacs(data: bytes) -> ParsedFile:
    """An ADDACS report: each MessagingAdvice as a mandate notice (cancellation, amendment, transfer)."""
    return _messaging(data, "bacs-addacs", "addacs", ADDACS_CODES)


def parse_auddis(data: bytes) -> ParsedFile:
    """An AUDDIS report: each rejected instruction as a mandate notice."""
    return _messaging(data, "bacs-auddis", "auddis", AUDDIS_CODES)


def _messaging(data: bytes, fmt: str, report: str, codes: dict[str, str]) -> ParsedFile:
    root = _root(data, fmt)
    advices = root.find("Data/MessagingAdvices")
    if advices is None:
        raise MalformedRecord(fmt, "no Data/MessagingAdvices element")
    header = advices.find("MessagingHeader")
    notices = []
    for record_no, advice in enumerate(advices.iterfind("MessagingAdvice"), start=1):
        code = _attr(advice, "reason-code", fmt, record_no)
        if code not in codes:
            raise UnknownReturnCode(
                fmt,
                f"{code!r} is not an {report.upper()} reason code ({', '.join(codes)})",
                record_no=record_no,
                field="reason-code",
            )
        notices.append(
            MandateNotice(
                record_no=record_no,
                report=report,
                mandate_ref=_attr(advice, "reference", fmt, record_no),
                reason_code=code,
                reason=codes[code],
                effective_on=parse_date(
                    _attr(advice, "effective-date", fmt, record_no),
                    "%Y-%m-%d",
                    fmt=fmt,
                    record_no=record_no,
                    field="effective-date",
                ),
                payer_name=advice.get("payer-name") or None,
                payer_account=_account(advice.get("payer-sort-code"), advice.get("payer-account-number")),
                new_payer_account=_account(advice.get("payer-new-sort-code"), advice.get("payer-new-account-number")),
            )
        )
    return ParsedFile(
        format=fmt,
        file_sha256=sha256_hex(data),
        statement_id=header.get("adviceNumber") if header is not None else None,
        account=header.get("userNumber") if header is not None else None,
        currency=None,
        lines=(),
        mandate_notices=tuple(notices),
    )
