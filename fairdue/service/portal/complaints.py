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

import sqlalchemy as sa

from fairdue.adapters.db.schema.web import complaint_events, complaint_evidence, complaints
from fairdue.domain.instants import aware
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
    borrower_id: str
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


def file_complaint(
    conn: sa.Connection,
    *,
    borrower_id: str,
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
    rule = rule_for(jurisdiction)
    complaint_id = conn.execute(
        sa.insert(complaints)
        .values(
            borrower_id=str(borrower_id),
            account_id=account_id,
            jurisdiction=jurisdiction,
            category=category,
            text=text,
            status="received",
            complexity="standard",
            received_at=now,
            due_at=now + dt.timedelta(days=rule.standard_days),
        )
        .returning(complaints.c.id)
    ).scalar_one()
    for item in evidence:
        conn.execute(
            sa.insert(complaint_evidence).values(
                complaint_id=complaint_id,
                filename=item.filename[:255] or "evidence",
                media_type=item.media_type,
                size_bytes=len(item.content),
                sha256=hashlib.sha256(item.content).hexdigest(),
                content=item.content,
            )
        )
    _event(conn, complaint_id, now, "borrower", "received", None)
    return complaint_id


def _event(conn, complaint_id: int, now: dt.datetime, actor: str, kind: str, note: str | None) -> None:
    conn.execute(
        sa.insert(complaint_events).values(complaint_id=complaint_id, at=now, actor=actor, kind=kind, note=note)
    )


def _read(conn: sa.Connection, row, now: dt.datetime) -> ComplaintRead:
    evidence = tuple(
        dict(r._mapping)
        for r in conn.execute(
            sa.select(
                complaint_evidence.c.id,
                complaint_evidence.c.filename,
                complaint_evidence.c.media_type,
                complaint_evidence.c.size_bytes,
                complaint_evidence.c.sha256,
            )
            .where(complaint_evidence.c.complaint_id == row.id)
            .order_by(complaint_evidence.c.id)
        )
    )
    events = tuple(
        {"at": _aware(r.at), "actor": r.actor, "kind": r.kind, "note": r.note}
        for r in conn.execute(
            sa.select(complaint_events).where(complaint_events.c.complaint_id == row.id).order_by(complaint_events.c.id)
        )
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


def get_for_borrower(conn: sa.Connection, *, borrower_id: str, complaint_id: int, now: dt.datetime) -> ComplaintRead:
    """One of the borrower's own complaints; anyone else's is ComplaintNotFound (no leak)."""
    row = conn.execute(
        sa.select(complaints).where(complaints.c.id == complaint_id).where(complaints.c.borrower_id == str(borrower_id))
    ).first()
    if row is None:
        raise ComplaintNotFound(complaint_id)
    return _read(conn, row, now)


def list_for_borrower(conn: sa.Connection, *, borrower_id: str, now: dt.datetime) -> list[ComplaintRead]:
    rows = conn.execute(
        sa.select(complaints).where(complaints.c.borrower_id == str(borrower_id)).order_by(complaints.c.id.desc())
    ).all()
    return [_read(conn, r, now) for r in rows]


def get(conn: sa.Connection, *, complaint_id: int, now: dt.datetime) -> ComplaintRead:
    row = conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id)).first()
    if row is None:
        raise ComplaintNotFound(complaint_id)
    return _read(conn, row, now)


def queue(
    conn: sa.Connection, *, now: dt.datetime, include_decided: bool = False, limit: int = 100, offset: int = 0
) -> list[ComplaintRead]:
    """Complaints for staff, most urgent (earliest due) first."""
    q = sa.select(complaints)
    if not include_decided:
        q = q.where(complaints.c.status.in_(("received", "in_progress")))
    rows = conn.execute(q.order_by(complaints.c.due_at, complaints.c.id).limit(limit).offset(offset)).all()
    return [_read(conn, r, now) for r in rows]


def _open_row(conn, complaint_id: int):
    row = conn.execute(sa.select(complaints).where(complaints.c.id == complaint_id)).first()
    if row is None:
        raise ComplaintNotFound(complaint_id)
    if row.status in ("decided", "closed"):
        raise ClockRefused(f"complaint {complaint_id} is already {row.status}")
    return row


def mark_complex(conn: sa.Connection, *, complaint_id: int, actor: str, reason: str, now: dt.datetime) -> None:
    """Classify as complex: the limit becomes the rule's complex_days (CN 30)."""
    row = _open_row(conn, complaint_id)
    rule = rule_for(row.jurisdiction)
    if row.complexity != "standard" or rule.complex_days is None:
        raise ClockRefused(
            f"complaint {complaint_id} cannot be marked complex under {row.jurisdiction} rules (now {row.complexity})"
        )
    if not reason.strip():
        raise ComplaintInvalid("say why the case is complex")
    conn.execute(
        sa.update(complaints)
        .where(complaints.c.id == complaint_id)
        .values(
            complexity="complex",
            status="in_progress",
            due_at=_aware(row.received_at) + dt.timedelta(days=rule.complex_days),
        )
    )
    _event(conn, complaint_id, now, actor, "marked_complex", reason.strip())


def extend(conn: sa.Connection, *, complaint_id: int, actor: str, notice: str, now: dt.datetime) -> None:
    """Extend an especially complex case (CN +30 days) — only with a notice to the complainant,
    and only before the current limit has passed."""
    row = _open_row(conn, complaint_id)
    rule = rule_for(row.jurisdiction)
    if row.complexity != "complex" or rule.extended_days is None:
        raise ClockRefused(f"only a complex {row.jurisdiction} complaint can be extended (now {row.complexity})")
    if now > _aware(row.due_at):
        raise ClockRefused("the limit has already passed; an extension must be notified before it")
    if len(notice.strip()) < TEXT_LENGTH_MIN:
        raise ComplaintInvalid("the extension needs a notice to the complainant explaining why")
    conn.execute(
        sa.update(complaints)
        .where(complaints.c.id == complaint_id)
        .values(
            complexity="extended",
            extension_notice=notice.strip(),
            due_at=_aware(row.received_at) + dt.timedelta(days=rule.extended_days),
        )
    )
    _event(conn, complaint_id, now, actor, "extended", notice.strip())


def record_decision(conn: sa.Connection, *, complaint_id: int, actor: str, decision: str, now: dt.datetime) -> None:
    """The decision told to the complainant; stops the clock."""
    _open_row(conn, complaint_id)
    if len(decision.strip()) < TEXT_LENGTH_MIN:
        raise ComplaintInvalid("write the decision the complainant will read")
    conn.execute(
        sa.update(complaints)
        .where(complaints.c.id == complaint_id)
        .values(status="decided", decided_at=now, decision=decision.strip())
    )
    _event(conn, complaint_id, now, actor, "decided", decision.strip())


def escalate(conn: sa.Connection, *, complaint_id: int, actor: str, note: str, now: dt.datetime) -> None:
    """Raise a complaint to a supervisor (any staff member may; e.g. near or past its limit)."""
    _open_row(conn, complaint_id)
    if not note.strip():
        raise ComplaintInvalid("say why it needs a supervisor")
    conn.execute(
        sa.update(complaints)
        .where(complaints.c.id == complaint_id)
        .values(status="in_progress", assigned_staff_id=None)
    )
    _event(conn, complaint_id, now, actor, "escalated", note.strip())


def is_escalated(item: ComplaintRead) -> bool:
    """Escalated and not taken since."""
    for event in reversed(item.events):
        if event["kind"] == "escalated":
            return True
        if event["kind"] in ("assigned", "decided"):
            return False
    return False


def take(conn: sa.Connection, *, complaint_id: int, staff_id: int, actor: str, now: dt.datetime) -> None:
    """Assign to a staff member and mark in progress."""
    _open_row(conn, complaint_id)
    conn.execute(
        sa.update(complaints)
        .where(complaints.c.id == complaint_id)
        .values(assigned_staff_id=staff_id, status="in_progress")
    )
    _event(conn, complaint_id, now, actor, "assigned", None)
