"""ISO 20022 camt.053 (bank-to-customer statement) and camt.054 (debit/credit notification).

Read with `defusedxml` (entity and DTD attacks refused) over the stdlib ElementTree, namespace-aware, by the
published element names (Document/BkToCstmrStmt/Stmt/Ntry/NtryDtls/TxDtls ...), versions .001.02 to .001.13:
the names we read did not change across those versions, except `Sts` (a code up to .02, `<Sts><Cd>` from .08)
and the party wrapper (`Dbtr/Nm` up to .02, `Dbtr/Pty/Nm` from .08), both handled. No XSD is bundled or fetched.

One statement line per entry (`Ntry`); a batch-booked entry with several `TxDtls` each carrying an amount is
split into one line per transaction, and those amounts must add up to the entry's. Only booked entries
(`BOOK`) are money; pending, information-only and future ones (PDNG, INFO, FUTR) are listed in `notes` and left
out, and an entry with no status or another code is refused (Sts is mandatory in both messages). TxsSummry
is checked whatever the statuses: it covers every entry of the report, so it must tie to the booked lines plus
the entries left out (their count and credit/debit sums), never be skipped.
Line keys use the scheme `camt` for both messages, so a movement notified by camt.054 and then reported by the
day's camt.053 has the same key when the bank gives the same `AcctSvcrRef` (its unique reference) in both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date

# The Element type only: every parse goes through defusedxml (no DTDs, no entities).
from xml.etree.ElementTree import Element  # nosec B405

from fairdue.adapters.bankfiles.common import parse_amount, parse_count, parse_date, parse_xml, sha256_hex
from fairdue.adapters.bankfiles.errors import BadAmount, BadField, ControlTotalMismatch, MalformedRecord
from fairdue.domain.payments_in.statement import Direction, LineKind, ParsedFile, StatementLine, occurrence_keys

_NS = re.compile(r"\{(urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.001\.[0-9][0-9])\}Document")
ENTRY_STATUSES = frozenset({"BOOK", "PDNG", "INFO", "FUTR"})
"""ExternalEntryStatus1Code (and the .02 Sts code): booked, pending, information only, future."""
_CONTAINER = {"053": ("BkToCstmrStmt", "Stmt"), "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}


def parse(data: bytes) -> ParsedFile:
    """A camt.053 bank-to-customer statement; a camt.054 is refused (read it with `parse_054`)."""
    return _parse(data, "053")


def parse_054(data: bytes) -> ParsedFile:
    """A camt.054 debit/credit notification."""
    return _parse(data, "054")


class _Reader:
    """Namespace-aware lookups in one document, with errors that name the entry."""

    def __init__(self, fmt: str, ns: str):
        self.fmt, self.ns = fmt, {"c": ns}

    def find(self, el: Element, path: str) -> Element | None:
        return el.find(self._q(path), self.ns)

    def all(self, el: Element, path: str) -> list[Element]:
        return el.findall(self._q(path), self.ns)

    def text(self, el: Element, path: str) -> str | None:
        found = self.find(el, path)
        if found is None or found.text is None or not found.text.strip():
            return None
        return found.text.strip()

    def need(self, el: Element, path: str, record_no: int | None) -> str:
        value = self.text(el, path)
        if value is None:
            raise MalformedRecord(self.fmt, "required element is missing", record_no=record_no, field=path)
        return value

    @staticmethod
    def _q(path: str) -> str:
        return "/".join(part if part in (".", "..") else f"c:{part}" for part in path.split("/"))


def _root(data: bytes, want: str) -> tuple[Element, _Reader, str]:
    fmt = f"camt{want}"
    root = parse_xml(data, fmt=fmt)
    match = _NS.fullmatch(root.tag)
    if match is None:
        raise MalformedRecord(fmt, f"root element {root.tag} is not an ISO 20022 camt.053/054 Document")
    if match.group(2) != want:
        raise MalformedRecord(fmt, f"this is a camt.{match.group(2)} message, not camt.{want}")
    return root, _Reader(fmt, match.group(1)), fmt


def _parse(data: bytes, want: str) -> ParsedFile:
    root, rd, fmt = _root(data, want)
    group, report_tag = _CONTAINER[want]
    reports = rd.all(root, f"{group}/{report_tag}")
    if len(reports) != 1:
        raise MalformedRecord(fmt, f"expected exactly one {report_tag}, found {len(reports)}", field=report_tag)
    report = reports[0]
    account = rd.text(report, "Acct/Id/IBAN") or rd.text(report, "Acct/Id/Othr/Id")
    currency = rd.text(report, "Acct/Ccy")
    keyed: list[_Keyed] = []
    notes: list[str] = []
    unbooked = _Unbooked()
    for entry_no, entry in enumerate(rd.all(report, "Ntry"), start=1):
        status = rd.text(entry, "Sts/Cd") or rd.text(entry, "Sts")
        if status not in ENTRY_STATUSES:
            raise BadField(
                fmt,
                f"entry status {status!r} is not one of {', '.join(sorted(ENTRY_STATUSES))}",
                record_no=entry_no,
                field="Ntry/Sts",
            )
        if status != "BOOK":
            unbooked.add(rd, entry, entry_no)
            notes.append(f"entry {entry_no} has status {status}: not booked, left out")
            continue
        keyed.extend(_entry_lines(rd, entry, entry_no, account))
    keys = occurrence_keys("camt", (identity for identity, _ in keyed))
    lines = [replace(line, line_key=key) for key, (_, line) in zip(keys, keyed, strict=True)]
    currency = currency or (lines[0].currency if lines else None)
    opening, closing = _balances(rd, report, currency)
    extra_lines = len(lines) - len({ln.record_no for ln in lines})
    count, credit_minor, debit_minor = _summary(rd, rd.find(report, "TxsSummry"), currency, extra_lines)
    stated = (count, credit_minor, debit_minor) != (None, None, None)
    if unbooked.count and stated:  # TxsSummry covers every entry of the report: tie it to booked lines plus these
        notes.append(
            f"TxsSummry checked over the booked lines plus {unbooked.count} entries not booked "
            f"(credit {unbooked.credit_minor}, debit {unbooked.debit_minor} minor units)"
        )
        count = None if count is None else count - unbooked.count
        credit_minor = None if credit_minor is None else credit_minor - unbooked.credit_minor
        debit_minor = None if debit_minor is None else debit_minor - unbooked.debit_minor
    return ParsedFile(
        format=fmt,
        file_sha256=sha256_hex(data),
        statement_id=rd.text(report, "Id"),
        account=account,
        currency=currency,
        lines=tuple(lines),
        opening_balance_minor=opening,
        closing_balance_minor=closing,
        control_count=count,
        control_credit_minor=credit_minor,
        control_debit_minor=debit_minor,
        notes=tuple(notes),
    )


def _summary(
    rd: _Reader, summary: Element | None, currency: str | None, extra_lines: int
) -> tuple[int | None, int | None, int | None]:
    """TxsSummry: entry count (plus the extra lines of split batch entries), credit sum, debit sum."""
    if summary is None or currency is None:
        return None, None, None
    text = rd.text(summary, "TtlNtries/NbOfNtries")
    path = "TxsSummry/TtlNtries/NbOfNtries"
    count = None if text is None else parse_count(text, fmt=rd.fmt, record_no=None, field=path)
    sums = []
    for path in ("TtlCdtNtries/Sum", "TtlDbtNtries/Sum"):
        value = rd.text(summary, path)
        sums.append(
            None
            if value is None
            else parse_amount(value, currency, fmt=rd.fmt, record_no=None, field=f"TxsSummry/{path}")
        )
    return (None if count is None else count + extra_lines), sums[0], sums[1]


@dataclass
class _Unbooked:
    """Entries not booked (PDNG, INFO, FUTR): no lines, but TxsSummry counts and sums them."""

    count: int = 0
    credit_minor: int = 0
    debit_minor: int = 0

    def add(self, rd: _Reader, entry: Element, entry_no: int) -> None:
        node = rd.find(entry, "Amt")
        currency = node.get("Ccy") if node is not None else None
        amount = _amount(rd, entry, "Amt", currency, entry_no, "Ntry/Amt")
        indicator = rd.need(entry, "CdtDbtInd", entry_no)
        if indicator not in ("CRDT", "DBIT"):
            raise BadField(rd.fmt, f"{indicator!r} is neither CRDT nor DBIT", record_no=entry_no, field="CdtDbtInd")
        self.count += 1
        if indicator == "CRDT":
            self.credit_minor += amount
        else:
            self.debit_minor += amount


def _balances(rd: _Reader, report: Element, currency: str | None) -> tuple[int | None, int | None]:
    found: dict[str, int] = {}
    for bal in rd.all(report, "Bal"):
        code = rd.text(bal, "Tp/CdOrPrtry/Cd")
        if code not in ("OPBD", "PRCD", "CLBD") or currency is None:
            continue
        amount = _amount(rd, bal, "Amt", currency, None, f"Bal[{code}]/Amt")
        sign = -1 if rd.text(bal, "CdtDbtInd") == "DBIT" else 1
        found["OPBD" if code == "PRCD" else code] = sign * amount
    return found.get("OPBD"), found.get("CLBD")


def _amount(rd: _Reader, el: Element, path: str, currency: str | None, record_no: int | None, field: str) -> int:
    node = rd.find(el, path)
    if node is None or node.text is None:
        raise MalformedRecord(rd.fmt, "amount is missing", record_no=record_no, field=field)
    ccy = node.get("Ccy")
    if ccy is None or (currency is not None and ccy != currency):
        raise BadField(
            rd.fmt,
            f"currency {ccy!r} differs from the account's {currency!r}",
            record_no=record_no,
            field=f"{field}/@Ccy",
        )
    return parse_amount(node.text, ccy, fmt=rd.fmt, record_no=record_no, field=field)


@dataclass(frozen=True, slots=True)
class _Entry:
    """What every line of one entry shares."""

    no: int
    currency: str
    direction: Direction
    reversal: bool
    booked_on: date | None
    value_on: date
    account: str | None
    ref: str | None


def _entry_lines(rd: _Reader, entry: Element, entry_no: int, account: str | None) -> list[_Keyed]:
    """One line per entry, or one per transaction of a batch-booked entry."""
    node = rd.find(entry, "Amt")
    currency = node.get("Ccy") if node is not None else None
    if currency is None:
        raise MalformedRecord(rd.fmt, "entry amount or its Ccy is missing", record_no=entry_no, field="Ntry/Amt")
    amount = _amount(rd, entry, "Amt", currency, entry_no, "Ntry/Amt")
    if amount == 0:
        raise BadAmount(rd.fmt, "an entry of zero moves no money", record_no=entry_no, field="Ntry/Amt")
    indicator = rd.need(entry, "CdtDbtInd", entry_no)
    if indicator not in ("CRDT", "DBIT"):
        raise BadField(rd.fmt, f"{indicator!r} is neither CRDT nor DBIT", record_no=entry_no, field="CdtDbtInd")
    booked_on = _date(rd, entry, "BookgDt", entry_no)
    value_on = _date(rd, entry, "ValDt", entry_no) or booked_on
    if value_on is None:
        raise MalformedRecord(rd.fmt, "entry has neither a value nor a booking date", record_no=entry_no, field="ValDt")
    ctx = _Entry(
        no=entry_no,
        currency=currency,
        direction=Direction.CREDIT if indicator == "CRDT" else Direction.DEBIT,
        reversal=rd.text(entry, "RvslInd") == "true",
        booked_on=booked_on,
        value_on=value_on,
        account=account,
        ref=rd.text(entry, "AcctSvcrRef"),
    )
    txs = rd.all(entry, "NtryDtls/TxDtls")
    if len(txs) > 1 and all(rd.find(tx, _tx_amount_path(rd, tx)) is not None for tx in txs):
        parts = [(tx, _amount(rd, tx, _tx_amount_path(rd, tx), currency, entry_no, "TxDtls/Amt")) for tx in txs]
        if any(part == 0 for _, part in parts):
            raise BadAmount(rd.fmt, "a transaction of zero moves no money", record_no=entry_no, field="TxDtls/Amt")
        total = sum(part for _, part in parts)
        if total != amount:
            raise ControlTotalMismatch(
                rd.fmt,
                f"transactions add up to {total}, the entry says {amount}",
                record_no=entry_no,
                field="NtryDtls/TxDtls",
            )
        return [_line(rd, ctx, tx, index, part) for index, (tx, part) in enumerate(parts)]
    return [_line(rd, ctx, txs[0] if txs else None, 0, amount)]


def _tx_amount_path(rd: _Reader, tx: Element) -> str:
    return "Amt" if rd.find(tx, "Amt") is not None else "AmtDtls/TxAmt/Amt"


def _date(rd: _Reader, el: Element, path: str, entry_no: int) -> date | None:
    text = rd.text(el, f"{path}/Dt") or rd.text(el, f"{path}/DtTm")
    if text is None:
        return None
    return parse_date(text[:10], "%Y-%m-%d", fmt=rd.fmt, record_no=entry_no, field=path)


_Keyed = tuple[tuple[object, ...], StatementLine]


def _line(rd: _Reader, ctx: _Entry, tx: Element | None, index: int, amount_minor: int) -> _Keyed:
    """The line of one transaction (or of the whole entry), with the identity its key is made from."""

    def tx_text(path: str) -> str | None:
        return rd.text(tx, path) if tx is not None else None

    return_code = tx_text("RtrInf/Rsn/Cd") or tx_text("RtrInf/Rsn/Prtry")
    is_return = ctx.reversal or return_code is not None
    party = "Dbtr" if ctx.direction is Direction.CREDIT else "Cdtr"
    e2e = tx_text("Refs/EndToEndId")
    e2e = None if e2e == "NOTPROVIDED" else e2e
    tx_ref = tx_text("Refs/AcctSvcrRef")
    ustrd = [u.text.strip() for u in rd.all(tx, "RmtInf/Ustrd") if u.text] if tx is not None else []
    remittance = " ".join(ustrd) or None
    if ctx.ref or tx_ref:
        identity: tuple[object, ...] = ("ref", ctx.account, ctx.ref, tx_ref, index)
    else:  # no bank reference: the content identifies the line (repeats are counted by occurrence)
        identity = (
            "content",
            ctx.account,
            ctx.booked_on,
            ctx.value_on,
            ctx.direction.value,
            amount_minor,
            e2e,
            tx_text("Refs/TxId"),
            remittance,
        )
    line = StatementLine(
        line_key="",
        record_no=ctx.no,
        kind=LineKind.RETURN if is_return else LineKind.PAYMENT,
        direction=ctx.direction,
        amount_minor=amount_minor,
        currency=ctx.currency,
        booked_on=ctx.booked_on,
        value_on=ctx.value_on,
        end_to_end_id=e2e,
        mandate_ref=tx_text("Refs/MndtId"),
        remittance=remittance,
        counterparty_name=tx_text(f"RltdPties/{party}/Pty/Nm") or tx_text(f"RltdPties/{party}/Nm"),
        counterparty_account=tx_text(f"RltdPties/{party}Acct/Id/IBAN") or tx_text(f"RltdPties/{party}Acct/Id/Othr/Id"),
        bank_ref=tx_ref or ctx.ref,
        return_code=return_code,
        original_ref=(tx_text("RtrInf/OrgnlBkTxCd/Prtry/Cd") or e2e) if is_return else None,
    )
    return identity, line
