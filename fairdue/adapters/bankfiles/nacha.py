"""NACHA ACH files: 94-character records, read as the Nacha Operating Rules (Appendix Three) lay them out.

Records: 1 file header, 5 batch header, 6 entry detail, 7 addenda (05 payment information, 98 notification
of change — recorded in `notes`, no money — and 99 return),
8 batch control, 9 file control, then '9'-filled records to a multiple of 10 (blocking factor 10).
Checked here, record by record: lengths, order, numeric fields, each batch's entry/addenda count, entry hash
(sum of the 8-digit receiving DFI ids, rightmost 10 digits) and debit/credit totals, and the same for the file.
Return reason codes must be in the published R01–R85 list.

Directions are the lender's: an entry crediting the lender's account (22/32, or 21/31 returning a credit the
lender sent) is a credit; 27/37 and 26/36 (a returned debit the lender collected) are debits. Prenotes and
zero-dollar entries (23/28/33/38, 24/29/34/39) move no money and are not lines.

A trace number is unique only within one file (ODFIs restart their sequences), so a line's key is the file's
identity (immediate origin, file creation date and time, file ID modifier), the batch's effective entry date and
the trace number. A blank or non-numeric trace, or one repeated within the file, is refused with both records
named. A notification of change (addenda 98) rides only on a zero-dollar entry (Rules, Appendix Five: NOCs are
COR entries with a zero amount): a 98 on an entry that carries money, or with a return (99), is refused.
Dates (YYMMDD) must be exactly six ASCII digits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from fairdue.adapters.bankfiles.common import parse_date, sha256_hex
from fairdue.adapters.bankfiles.errors import BadField, ControlTotalMismatch, MalformedRecord, UnknownReturnCode
from fairdue.domain.payments_in.statement import Direction, LineKind, ParsedFile, StatementLine, line_key

FMT = "nacha"
RECORD_LEN = 94
BLOCKING_FACTOR = 10
ENTRY_HASH_DIGITS = 10
CREDIT_CODES = frozenset({"21", "22", "31", "32", "41", "42", "51", "52"})
DEBIT_CODES = frozenset({"26", "27", "36", "37", "46", "47", "55", "56"})
NO_MONEY_CODES = frozenset({"23", "24", "28", "29", "33", "34", "38", "39", "43", "44", "48", "49", "53", "54"})
RETURN_OF_CODES = frozenset({"21", "26", "31", "36", "41", "46", "51", "56"})
RETURN_CODES: frozenset[str] = frozenset(
    [f"R{n:02d}" for n in range(1, 48)]
    + [f"R{n:02d}" for n in range(50, 54)]
    + ["R61", "R62"]
    + [f"R{n:02d}" for n in range(67, 78)]
    + [f"R{n:02d}" for n in range(80, 86)]
)
"""Return reason codes of the Nacha Operating Rules (Appendix Four), as moov-io/ach lists them."""
CHANGE_CODES: frozenset[str] = frozenset(f"C{n:02d}" for n in range(1, 14))
"""Notification of change codes (Appendix Five)."""


@dataclass
class _Batch:
    record_no: int
    service_class: str
    company_id: str
    effective_on: date
    entries: int = 0
    addenda: int = 0
    hash_sum: int = 0
    debit_minor: int = 0
    credit_minor: int = 0
    lines: list[StatementLine] = field(default_factory=list)


@dataclass
class _Pending:
    """The last entry read, waiting for its addenda records."""

    record_no: int
    code: str
    amount_minor: int
    trace: str
    account: str
    individual_id: str
    name: str
    has_addenda: bool
    info: list[str] = field(default_factory=list)
    return_code: str | None = None
    original_trace: str | None = None
    change_code: str | None = None  # addenda 98: a notification of change (C01-C13), no money


@dataclass
class _File:
    origin: str = ""
    file_id: str = ""
    batch: _Batch | None = None
    batches: int = 0
    entries_addenda: int = 0
    hash_sum: int = 0
    debit_minor: int = 0
    credit_minor: int = 0
    lines: list[StatementLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    traces: dict[str, int] = field(default_factory=dict)  # trace number -> record number of its entry
    pending: _Pending | None = None
    control_seen: bool = False
    control_record_no: int = 0


def _num(rec: str, start: int, end: int, record_no: int, name: str) -> int:
    """Positions are 1-based and inclusive, as the Rules print them."""
    text = rec[start - 1 : end]
    if not text.isdigit():
        raise BadField(FMT, f"{text!r} is not numeric (positions {start}-{end})", record_no=record_no, field=name)
    return int(text)


def _alpha(rec: str, start: int, end: int) -> str:
    return rec[start - 1 : end].strip()


def _records(data: bytes) -> list[str]:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as err:
        line_no = data[: err.start].count(b"\n") + 1
        raise MalformedRecord(FMT, f"byte {err.start} is not ASCII", record_no=line_no) from None
    records = text.replace("\r\n", "\n").split("\n")
    if records and records[-1] == "":
        records.pop()
    if len(records) == 1 and len(records[0]) > RECORD_LEN:  # unblocked: no line breaks
        flat = records[0]
        records = [flat[i : i + RECORD_LEN] for i in range(0, len(flat), RECORD_LEN)]
    for record_no, rec in enumerate(records, start=1):
        if len(rec) != RECORD_LEN:
            raise MalformedRecord(FMT, f"record is {len(rec)} characters, not {RECORD_LEN}", record_no=record_no)
    return records


def parse(data: bytes) -> ParsedFile:
    """A whole ACH file; every control total is checked before anything is returned."""
    records = _records(data)
    if not records or records[0][0] != "1":
        raise MalformedRecord(FMT, "the file must start with a file header record (type 1)", record_no=1)
    state = _File()
    for record_no, rec in enumerate(records, start=1):
        if state.control_seen:
            if rec != "9" * RECORD_LEN:
                raise MalformedRecord(
                    FMT, "only '9'-filled block records may follow the file control", record_no=record_no
                )
            continue
        _dispatch(state, rec, record_no)
    if not state.control_seen:
        raise MalformedRecord(FMT, "the file ends without a file control record (type 9)", record_no=len(records))
    blocked_len = -(-state.control_record_no // BLOCKING_FACTOR) * BLOCKING_FACTOR
    if len(records) != blocked_len:
        raise MalformedRecord(
            FMT, f"{len(records)} records; blocked to 10 the file has {blocked_len}", record_no=len(records)
        )
    return ParsedFile(
        format=FMT,
        file_sha256=sha256_hex(data),
        statement_id=state.file_id,
        account=state.origin,
        currency="USD",
        lines=tuple(state.lines),
        notes=tuple(state.notes),
    )


def _dispatch(state: _File, rec: str, record_no: int) -> None:
    kind = rec[0]
    if kind == "1":
        if record_no != 1:
            raise MalformedRecord(FMT, "a second file header", record_no=record_no)
        _file_header(state, rec, record_no)
    elif kind == "5":
        _flush_entry(state)
        if state.batch is not None:
            raise MalformedRecord(FMT, "a batch header inside an open batch", record_no=record_no)
        state.batch = _batch_header(rec, record_no)
    elif kind == "6":
        _flush_entry(state)
        _entry(state, rec, record_no)
    elif kind == "7":
        _addenda(state, rec, record_no)
    elif kind == "8":
        _flush_entry(state)
        _batch_control(state, rec, record_no)
    elif kind == "9":
        _file_control(state, rec, record_no)
    else:
        raise MalformedRecord(FMT, f"unknown record type {kind!r}", record_no=record_no, field="record type")


def _file_header(state: _File, rec: str, record_no: int) -> None:
    if rec[34:37] != "094" or rec[37:39] != "10" or rec[39] != "1":
        raise MalformedRecord(
            FMT, "record size must be 094, blocking factor 10, format code 1", record_no=record_no, field="record size"
        )
    state.origin = _alpha(rec, 14, 23)
    created = _yymmdd(rec, 24, record_no, "file creation date")
    state.file_id = f"{state.origin}-{created.isoformat()}-{rec[29:33]}-{rec[33]}"


def _batch_header(rec: str, record_no: int) -> _Batch:
    return _Batch(
        record_no=record_no,
        service_class=_alpha(rec, 2, 4),
        company_id=_alpha(rec, 41, 50),
        effective_on=_yymmdd(rec, 70, record_no, "effective entry date"),
    )


def _yymmdd(rec: str, start: int, record_no: int, name: str) -> date:
    """A YYMMDD date at 1-based `start`: exactly six digits (no blank read as a shorter date), a real day."""
    _num(rec, start, start + 5, record_no, name)
    return parse_date(rec[start - 1 : start + 5], "%y%m%d", fmt=FMT, record_no=record_no, field=name)


def _entry(state: _File, rec: str, record_no: int) -> None:
    batch = state.batch
    if batch is None:
        raise MalformedRecord(FMT, "an entry outside a batch", record_no=record_no)
    code = rec[1:3]
    if code not in CREDIT_CODES | DEBIT_CODES | NO_MONEY_CODES:
        raise BadField(FMT, f"unknown transaction code {code!r}", record_no=record_no, field="transaction code")
    amount = _num(rec, 30, 39, record_no, "amount")
    batch.entries += 1
    batch.hash_sum += _num(rec, 4, 11, record_no, "receiving DFI identification")
    if code in DEBIT_CODES:
        batch.debit_minor += amount
    elif code in CREDIT_CODES:
        batch.credit_minor += amount
    state.pending = _Pending(
        record_no=record_no,
        code=code,
        amount_minor=amount,
        trace=_trace(state, rec, record_no),
        account=_alpha(rec, 13, 29),
        individual_id=_alpha(rec, 40, 54),
        name=_alpha(rec, 55, 76),
        has_addenda=rec[78] == "1",
    )


def _trace(state: _File, rec: str, record_no: int) -> str:
    """The entry's trace number: 15 digits, unique within the file (the line key is built on it)."""
    _num(rec, 80, 94, record_no, "trace number")
    trace = rec[79:94]
    first = state.traces.setdefault(trace, record_no)
    if first != record_no:
        raise MalformedRecord(
            FMT,
            f"trace number {trace} was already used by the entry at record {first}: unique within a file",
            record_no=record_no,
            field="trace number",
        )
    return trace


def _addenda(state: _File, rec: str, record_no: int) -> None:
    entry, batch = state.pending, state.batch
    if entry is None or batch is None:
        raise MalformedRecord(FMT, "an addenda record without its entry", record_no=record_no)
    if not entry.has_addenda:
        raise MalformedRecord(
            FMT,
            "addenda follows an entry whose addenda indicator is 0",
            record_no=record_no,
            field="addenda record indicator",
        )
    batch.addenda += 1
    kind = rec[1:3]
    if kind == "05":
        entry.info.append(_alpha(rec, 4, 83))
    elif kind == "99":
        code = rec[3:6]
        if code not in RETURN_CODES:
            raise UnknownReturnCode(
                FMT,
                f"{code!r} is not a Nacha return reason code (R01–R85)",
                record_no=record_no,
                field="return reason code",
            )
        entry.return_code, entry.original_trace = code, _alpha(rec, 7, 21)
        _refuse_noc_with_money(entry, record_no)
    elif kind == "98":
        code = rec[3:6]
        if code not in CHANGE_CODES:
            raise UnknownReturnCode(
                FMT, f"{code!r} is not a change code (C01–C13)", record_no=record_no, field="change code"
            )
        entry.change_code = code
        _refuse_noc_with_money(entry, record_no)
    else:
        raise BadField(
            FMT, f"addenda type {kind!r} is not 05, 98 or 99", record_no=record_no, field="addenda type code"
        )


def _refuse_noc_with_money(entry: _Pending, record_no: int) -> None:
    """A notification of change is a zero-dollar COR entry; with money or a return the money would be dropped."""
    if entry.change_code is None:
        return
    if entry.amount_minor != 0:
        raise MalformedRecord(
            FMT,
            f"a notification of change (98) on an entry of {entry.amount_minor} cents: NOCs are zero-dollar",
            record_no=record_no,
            field="addenda type code",
        )
    if entry.return_code is not None:
        raise MalformedRecord(
            FMT, "an entry with both a return (99) and a change (98) addenda", record_no=record_no, field="addenda"
        )


def _flush_entry(state: _File) -> None:
    entry, batch = state.pending, state.batch
    state.pending = None
    if entry is not None and entry.change_code is not None:
        state.notes.append(f"record {entry.record_no}: notification of change {entry.change_code}, no money")
        return
    if entry is None or batch is None or entry.code in NO_MONEY_CODES or entry.amount_minor == 0:
        return
    if entry.code in RETURN_OF_CODES and entry.return_code is None:
        raise MalformedRecord(
            FMT,
            f"transaction code {entry.code} is a return but has no return addenda (99)",
            record_no=entry.record_no,
            field="addenda",
        )
    batch.lines.append(
        StatementLine(
            line_key=line_key("nacha", state.file_id, batch.effective_on.isoformat(), entry.trace),
            record_no=entry.record_no,
            kind=LineKind.RETURN if entry.return_code else LineKind.PAYMENT,
            direction=Direction.CREDIT if entry.code in CREDIT_CODES else Direction.DEBIT,
            amount_minor=entry.amount_minor,
            currency="USD",
            booked_on=None,
            value_on=batch.effective_on,
            end_to_end_id=entry.trace,
            mandate_ref=entry.individual_id or None,
            remittance=" ".join(entry.info) or None,
            counterparty_name=entry.name or None,
            counterparty_account=entry.account or None,
            bank_ref=entry.trace,
            return_code=entry.return_code,
            original_ref=entry.original_trace,
        )
    )


def _batch_control(state: _File, rec: str, record_no: int) -> None:
    batch = state.batch
    if batch is None:
        raise MalformedRecord(FMT, "a batch control without its batch header", record_no=record_no)
    stated = {
        "entry/addenda count": _num(rec, 5, 10, record_no, "entry/addenda count"),
        "entry hash": _num(rec, 11, 20, record_no, "entry hash"),
        "total debit amount": _num(rec, 21, 32, record_no, "total debit entry dollar amount"),
        "total credit amount": _num(rec, 33, 44, record_no, "total credit entry dollar amount"),
    }
    actual = {
        "entry/addenda count": batch.entries + batch.addenda,
        "entry hash": batch.hash_sum % 10**ENTRY_HASH_DIGITS,
        "total debit amount": batch.debit_minor,
        "total credit amount": batch.credit_minor,
    }
    _tie(stated, actual, record_no, f"batch starting at record {batch.record_no}")
    state.batches += 1
    state.entries_addenda += batch.entries + batch.addenda
    state.hash_sum += batch.hash_sum
    state.debit_minor += batch.debit_minor
    state.credit_minor += batch.credit_minor
    state.lines.extend(batch.lines)
    state.batch = None


def _file_control(state: _File, rec: str, record_no: int) -> None:
    if state.batch is not None:
        raise MalformedRecord(FMT, "the file control comes before the open batch's control", record_no=record_no)
    blocks = -(-(record_no) // BLOCKING_FACTOR)  # ceiling: the block holding this record is the last one
    stated = {
        "batch count": _num(rec, 2, 7, record_no, "batch count"),
        "block count": _num(rec, 8, 13, record_no, "block count"),
        "entry/addenda count": _num(rec, 14, 21, record_no, "entry/addenda count"),
        "entry hash": _num(rec, 22, 31, record_no, "entry hash"),
        "total debit amount": _num(rec, 32, 43, record_no, "total debit entry dollar amount in file"),
        "total credit amount": _num(rec, 44, 55, record_no, "total credit entry dollar amount in file"),
    }
    actual = {
        "batch count": state.batches,
        "block count": blocks,
        "entry/addenda count": state.entries_addenda,
        "entry hash": state.hash_sum % 10**ENTRY_HASH_DIGITS,
        "total debit amount": state.debit_minor,
        "total credit amount": state.credit_minor,
    }
    _tie(stated, actual, record_no, "file")
    state.control_seen, state.control_record_no = True, record_no


def _tie(stated: dict[str, int], actual: dict[str, int], record_no: int, scope: str) -> None:
    """Every mismatch at once, each with the difference."""
    wrong = [
        f"{name} {stated[name]} but the entries give {actual[name]} (difference {stated[name] - actual[name]})"
        for name in stated
        if stated[name] != actual[name]
    ]
    if wrong:
        raise ControlTotalMismatch(FMT, f"{scope}: " + "; ".join(wrong), record_no=record_no)
