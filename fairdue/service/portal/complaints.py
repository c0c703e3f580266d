"""Complaints: filing (with evidence), the regulatory clock, handling and decision.

Clock rules (calendar days from receipt):
- CN 《银行业保险业消费投诉处理管理办法》(2020) [V2]: decide and tell the
  complainant within 15 days; complex cases 30; especially complex +30 with a
  notice to the complainant (60 at most).
- UK DISP 1.6.2R [R]: final response within 8 weeks (56 days); no extension.
- US: no statutory clock for a lender's own complaints; 15 days is this
  product's policy (the CFPB portal's response expectation) — marked as policy.
A borrower reads only their own complaints: another borrower's id is NotFound.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.adapters.db.views import portal as portal_reads
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.instants import aware
from fairdue.domain.statuses import ComplaintStatus
from fairdue.errors import Conflict, FairdueError, Invalid, NotFound

CATEGORIES = (
    "contact_conduct",
    "third_party_contact",
    "contact_time",
    "fees",
    "billing_error",
    "repayment_plan",
    "data_privacy",
    "other",
)
TEXT_LENGTH_MIN = 10
TEXT_LENGTH_MAX = 5000
ACCOUNT_ID_DIGITS_MAX = 18  # a credit line id: a BIGINT at most
EVIDENCE_FILES_MAX = 3
EVIDENCE_BYTES_MAX = 2 * 1024 * 1024
EVIDENCE_TYPES = {  # media type -> magic prefixes that must open the file
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/pdf": (b"%PDF-",),
    "text/plain": (b"",),
}


@dataclass(frozen=True, slots=True)
class ClockRule:
    """Days to decide by complexity; source says what the number rests on."""

    standard_days: int
    complex_days: int | None
    extended_days: int | None
    source: str


CLOCK_RULES = {
    "CN": ClockRule(15, 30, 60, "银行业保险业消费投诉处理管理办法 (2020) [V2]"),
    "UK": ClockRule(56, None, None, "FCA DISP 1.6.2R [R]"),
    "US": ClockRule(15, 30, None, "lender policy (no statutory clock)"),
}


class ComplaintError(FairdueError):
    """Any refused complaint request (the context base; raise a subclass)."""


class ComplaintInvalid(ComplaintError, Invalid):
    """A complaint request with bad input (category, text, a missing reason)."""

    slug = "complaint-error"  # the problem type clients saw before this class was split off


class ComplaintNotFound(ComplaintError, NotFound):
    def __init__(self, complaint_id: object):
        super().__init__(f"complaint {complaint_id} not found")


class ComplaintAccountUnknown(ComplaintError, Invalid):
    """The complaint names an account that is not one of the complainant's (absent and another borrower's
    account get the same answer: no leak of which ids exist)."""

    def __init__(self) -> None:
        super().__init__("the account is not one of yours; leave it empty or choose one of your accounts")


class InvalidEvidence(ComplaintError, Invalid):
    """An evidence file of the wrong type or size."""


class ClockRefused(ComplaintError, Conflict):
    """The complaint is already decided or closed; its clock cannot change."""


@dataclass(frozen=True, slots=True)
class Evidence:
    filename: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class ComplaintClock:
    """limit_days: the current limit; days_left: whole days until due (negative when late)."""

    due_at: dt.datetime
    limit_days: int
    days_left: int
    overdue: bool
    can_mark_complex: bool
    can_extend: bool
    source: str


@dataclass(frozen=True, slots=True)
class ComplaintRead:
    id: int
    borrower_id: BorrowerId
    account_id: str | None
    jurisdiction: str
    category: str
    text: str
    status: str
    complexity: str
    received_at: dt.datetime
    due_at: dt.datetime
    extension_notice: str | None
    decided_at: dt.datetime | None
    decision: str | None
    evidence: tuple[dict, ...]
    events: tuple[dict, ...]
    clock: ComplaintClock


def _aware(at: dt.datetime | None) -> dt.datetime | None:
    if at is None:
        return None
    return aware(at)


def rule_for(jurisdiction: str) -> ClockRule:
    rule = CLOCK_RULES.get(jurisdiction)
    if rule is None:
        raise ComplaintInvalid(f"no complaint clock for jurisdiction {jurisdiction!r}; one of {', '.join(CLOCK_RULES)}")
    return rule


def clock_for(
    *, jurisdiction: str, complexity: str, received_at: dt.datetime, decided_at: dt.datetime | None, now: dt.datetime
) -> ComplaintClock:
    rule = rule_for(jurisdiction)
    limit = {"standard": rule.standard_days, "complex": rule.complex_days, "extended": rule.extended_days}[complexity]
    if limit is None:  # stored complexity the rule does not know: fail safe to the shortest
        limit = rule.standard_days
    due_at = received_at + dt.timedelta(days=limit)
    ref = decided_at or now
    days_left = (due_at - ref).days  # floor: 0 means due within 24 h, -1 means late
    return ComplaintClock(
        due_at=due_at,
        limit_days=limit,
        days_left=days_left,
        overdue=decided_at is None and now > due_at,
        can_mark_complex=decided_at is None and complexity == "standard" and rule.complex_days is not None,
        can_extend=decided_at is None and complexity == "complex" and rule.extended_days is not None,
        source=rule.source,
    )


def _check_evidence(items: list[Evidence]) -> None:
    if len(items) > EVIDENCE_FILES_MAX:
        raise InvalidEvidence(f"at most {EVIDENCE_FILES_MAX} files")
    for item in items:
        magics = EVIDENCE_TYPES.get(item.media_type)
        if magics is None:
            raise InvalidEvidence(
                f"{item.filename}: type {item.media_type!r} not accepted; send PNG, JPEG, PDF or plain text"
            )
        if not item.content:
            raise InvalidEvidence(f"{item.filename}: empty file")
        if len(item.content) > EVIDENCE_BYTES_MAX:
            raise InvalidEvidence(f"{item.filename}: larger than {EVIDENCE_BYTES_MAX // (1024 * 1024)} MB")
        if not any(item.content.startswith(m) for m in magics):
            raise InvalidEvidence(f"{item.filename}: content is not {item.media_type}")
        if item.media_type == "text/plain":
            try:
                item.content.decode("utf-8")
            except UnicodeDecodeError:
                raise InvalidEvidence(f"{item.filename}: text must be UTF-8") from None


def _own_account(uow: UnitOfWork, borrower_id: BorrowerId, account_id: str | None) -> str | None:
    """The account id (a credit line id, as text) if it is one of the borrower's; ComplaintAccountUnknown if not."""
    if account_id is None or not account_id.strip():
        return None
    text = account_id.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= ACCOUNT_ID_DIGITS_MAX):
        raise ComplaintAccountUnknown()
    if int(text) not in portal_reads.line_ids_of(uow.connection, borrower_id):
        raise ComplaintAccountUnknown()
    return str(int(text))


def file_complaint(
    uow: UnitOfWork,
    *,
    borrower_id: BorrowerId,
    jurisdiction: str,
    category: str,
    text: str,
    now: dt.datetime,
    account_id: str | None = None,
    evidence: list[Evidence] | None = None,
) -> int:
    """Record a complaint and start its regulatory clock; returns its id."""
    if category not in CATEGORIES:
        raise ComplaintInvalid(f"unknown category {category!r}; one of {', '.join(CATEGORIES)}")
    text = (text or "").strip()
    if not TEXT_LENGTH_MIN <= len(text) <= TEXT_LENGTH_MAX:
        raise ComplaintInvalid(f"describe the complaint in {TEXT_LENGTH_MIN}–{TEXT_LENGTH_MAX} characters")
    evidence = evidence or []
    _check_evidence(evidence)
    account_id = _own_account(uow, borrower_id, account_id)
    rule = rule_for(jurisdiction)
    repo = uow.portal
    complaint_id = repo.add_complaint(
        borrower_id=borrower_id,
        account_id=account_id,
        jurisdiction=jurisdiction,
        category=category,
        text=text,
        status=ComplaintStatus.RECEIVED,
        complexity="standard",
        received_at=now,
        due_at=now + dt.timedelta(days=rule.standard_days),
    )
    for item in evidence:
        repo.add_evidence(
            complaint_id=complaint_id,
            filename=item.filename[:255] or "evidence",
            media_type=item.media_type,
            size_bytes=len(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
            content=item.content,
        )
    _event(uow, complaint_id, now, "borrower", "received", None)
    return complaint_id


# A complaint event a staff member causes, as its staff audit trail action (ASVS V7.1.3).
AUDITED_EVENTS = {
    "assigned": "complaint.taken",
    "marked_complex": "complaint.marked_complex",
    "extended": "complaint.extended",
    "decided": "complaint.decided",
    "escalated": "complaint.escalated",
}


def _event(
    uow: UnitOfWork,
    complaint_id: int,
    now: dt.datetime,
    actor: str,
    kind: str,
    note: str | None,
    staff: StaffActor | None = None,
) -> None:
    """The complaint's own event (shown to the complainant), and with `staff` the staff audit trail's row (no
    note text: it may carry personal data), in the same transaction."""
    uow.portal.add_complaint_event(complaint_id=complaint_id, at=now, actor=actor, kind=kind, note=note)
    if staff is not None:
        staff_audit_of(uow).append(
            actor=staff,
            action=AUDITED_EVENTS[kind],
            subject_kind="complaint",
            subject_id=complaint_id,
            details={"event": kind, "note_chars": len(note or "")},
        )


def _read(uow: UnitOfWork, row, now: dt.datetime) -> ComplaintRead:
    evidence = tuple(uow.portal.evidence_of(row.id))
    events = tuple(
        {"at": _aware(r.at), "actor": r.actor, "kind": r.kind, "note": r.note} for r in uow.portal.events_of(row.id)
    )
    received_at, decided_at = _aware(row.received_at), _aware(row.decided_at)
    return ComplaintRead(
        id=row.id,
        borrower_id=row.borrower_id,
        account_id=row.account_id,
        jurisdiction=row.jurisdiction,
        category=row.category,
        text=row.text,
        status=row.status,
        complexity=row.complexity,
        received_at=received_at,
        due_at=_aware(row.due_at),
        extension_notice=row.extension_notice,
        decided_at=decided_at,
        decision=row.decision,
        evidence=evidence,
        events=events,
        clock=clock_for(
            jurisdiction=row.jurisdiction,
            complexity=row.complexity,
            received_at=received_at,
            decided_at=decided_at,
            now=now,
        ),
    )


def get_for_borrower(uow: UnitOfWork, *, borrower_id: BorrowerId, complaint_id: int, now: dt.datetime) -> ComplaintRead:
    """One of the borrower's own complaints; anyone else's is ComplaintNotFound (no leak)."""
    row = uow.portal.complaint_of_borrower(complaint_id, borrower_id)
    if row is None:
        raise ComplaintNotFound(complaint_id)
    return _read(uow, row, now)


def list_for_borrower(uow: UnitOfWork, *, borrower_id: BorrowerId, now: dt.datetime) -> list[ComplaintRead]:
    """The borrower's own complaints, newest first."""
    return [_read(uow, r, now) for r in uow.portal.complaints_of_borrower(borrower_id)]


def get(uow: UnitOfWork, *, complaint_id: int, now: dt.datetime) -> ComplaintRead:
    """Any complaint (staff); ComplaintNotFound when there is none."""
    row = uow.portal.complaint(complaint_id)
    if row is None:
        raise ComplaintNotFound(complaint_id)
    return _read(uow, row, now)


def queue(
    uow: UnitOfWork, *, now: dt.datetime, include_decided: bool = False, limit: int = 100, offset: int = 0
) -> list[ComplaintRead]:
    """Complaints for staff, most urgent (earliest due) first."""
    rows = uow.portal.complaint_queue(include_decided=include_decided, limit=limit, offset=offset)
    return [_read(uow, r, now) for r in rows]


def _open_row(uow: UnitOfWork, complaint_id: int):
    row = uow.portal.complaint(complaint_id)
    if row is None:
        raise ComplaintNotFound(complaint_id)
    if row.status in (ComplaintStatus.DECIDED, ComplaintStatus.CLOSED):
        raise ClockRefused(f"complaint {complaint_id} is already {row.status}")
    return row


def mark_complex(
    uow: UnitOfWork, *, complaint_id: int, actor: str, reason: str, now: dt.datetime, staff: StaffActor | None = None
) -> None:
    """Classify as complex: the limit becomes the rule's complex_days (CN 30)."""
    row = _open_row(uow, complaint_id)
    rule = rule_for(row.jurisdiction)
    if row.complexity != "standard" or rule.complex_days is None:
        raise ClockRefused(
            f"complaint {complaint_id} cannot be marked complex under {row.jurisdiction} rules (now {row.complexity})"
        )
    if not reason.strip():
        raise ComplaintInvalid("say why the case is complex")
    uow.portal.mark_complaint_complex(
        complaint_id, due_at=_aware(row.received_at) + dt.timedelta(days=rule.complex_days)
    )
    _event(uow, complaint_id, now, actor, "marked_complex", reason.strip(), staff)


def extend(
    uow: UnitOfWork, *, complaint_id: int, actor: str, notice: str, now: dt.datetime, staff: StaffActor | None = None
) -> None:
    """Extend an especially complex case (CN +30 days) — only with a notice to the complainant,
    and only before the current limit has passed."""
    row = _open_row(uow, complaint_id)
    rule = rule_for(row.jurisdiction)
    if row.complexity != "complex" or rule.extended_days is None:
        raise ClockRefused(f"only a complex {row.jurisdiction} complaint can be extended (now {row.complexity})")
    if now > _aware(row.due_at):
        raise ClockRefused("the limit has already passed; an extension must be notified before it")
    if len(notice.strip()) < TEXT_LENGTH_MIN:
        raise ComplaintInvalid("the extension needs a notice to the complainant explaining why")
    uow.portal.extend_complaint(
        complaint_id,
        notice=notice.strip(),
        due_at=_aware(row.received_at) + dt.timedelta(days=rule.extended_days),
    )
    _event(uow, complaint_id, now, actor, "extended", notice.strip(), staff)


def record_decision(
    uow: UnitOfWork, *, complaint_id: int, actor: str, decision: str, now: dt.datetime, staff: StaffActor | None = None
) -> None:
    """The decision told to the complainant; stops the clock."""
    _open_row(uow, complaint_id)
    if len(decision.strip()) < TEXT_LENGTH_MIN:
        raise ComplaintInvalid("write the decision the complainant will read")
    uow.portal.decide_complaint(complaint_id, decided_at=now, decision=decision.strip())
    _event(uow, complaint_id, now, actor, "decided", decision.strip(), staff)


def escalate(
    uow: UnitOfWork, *, complaint_id: int, actor: str, note: str, now: dt.datetime, staff: StaffActor | None = None
) -> None:
    """Raise a complaint to a supervisor (any staff member may; e.g. near or past its limit)."""
    _open_row(uow, complaint_id)
    if not note.strip():
        raise ComplaintInvalid("say why it needs a supervisor")
    uow.portal.escalate_complaint(complaint_id)
    _event(uow, complaint_id, now, actor, "escalated", note.strip(), staff)


def is_escalated(item: ComplaintRead) -> bool:
    """Escalated and not taken since."""
    for event in reversed(item.events):
        if event["kind"] == "escalated":
            return True
        if event["kind"] in ("assigned", "decided"):
            return False
    return False


def take(
    uow: UnitOfWork, *, complaint_id: int, staff_id: int, actor: str, now: dt.datetime, staff: StaffActor | None = None
) -> None:
    """Assign to a staff member and mark in progress."""
    _open_row(uow, complaint_id)
    uow.portal.assign_complaint(complaint_id, staff_id=staff_id)
    _event(uow, complaint_id, now, actor, "assigned", None, staff)
