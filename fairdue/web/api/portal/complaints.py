"""Complaints over the API: borrowers file and follow their own; staff work the queue.

A borrower asking for another borrower's complaint gets 404 (the same answer as
a complaint that does not exist).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from fairdue.adapters.db.views.portal import borrower_jurisdiction
from fairdue.domain.borrowers import BorrowerId
from fairdue.service.portal import complaints as svc
from fairdue.service.staff.audit_trail import actor_of
from fairdue.service.staff.auth import Principal
from fairdue.web.auth import BorrowerCaller, Caller, Unit, requires
from fairdue.web.problems import Forbidden

router = APIRouter(prefix="/complaints", tags=["complaints"])
HANDLERS = ("supervisor", "compliance")
ComplaintId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class ComplaintCreate(BaseModel):
    category: str = Field(json_schema_extra={"enum": list(svc.CATEGORIES)})
    text: str = Field(min_length=svc.TEXT_LENGTH_MIN, max_length=svc.TEXT_LENGTH_MAX)
    account_id: str | None = Field(default=None, max_length=64)


class ClockRead(BaseModel):
    due_at: dt.datetime
    limit_days: int
    days_left: int
    overdue: bool
    source: str


class ComplaintRead(BaseModel):
    id: int
    category: str
    text: str
    status: str
    complexity: str
    jurisdiction: str
    received_at: dt.datetime
    extension_notice: str | None
    decided_at: dt.datetime | None
    decision: str | None
    evidence_files: int
    clock: ClockRead


class ComplaintPage(BaseModel):
    items: list[ComplaintRead]
    limit: int
    offset: int


class Reason(BaseModel):
    text: str = Field(min_length=svc.TEXT_LENGTH_MIN, max_length=svc.TEXT_LENGTH_MAX)


def to_read(c: svc.ComplaintRead) -> ComplaintRead:
    k = c.clock
    return ComplaintRead(
        id=c.id,
        category=c.category,
        text=c.text,
        status=c.status,
        complexity=c.complexity,
        jurisdiction=c.jurisdiction,
        received_at=c.received_at,
        extension_notice=c.extension_notice,
        decided_at=c.decided_at,
        decision=c.decision,
        evidence_files=len(c.evidence),
        clock=ClockRead(
            due_at=k.due_at, limit_days=k.limit_days, days_left=k.days_left, overdue=k.overdue, source=k.source
        ),
    )


@router.post("", status_code=201, response_model=ComplaintRead, summary="File a complaint (borrower)")
def create(body: ComplaintCreate, who: BorrowerCaller, unit: Unit) -> ComplaintRead:
    now = unit.clock()
    # a borrower principal always has one (web_sessions CHECK "subject")
    borrower_id = cast(BorrowerId, who.borrower_id)
    complaint_id = svc.file_complaint(
        unit,
        borrower_id=borrower_id,
        jurisdiction=borrower_jurisdiction(unit.connection, borrower_id),
        category=body.category,
        text=body.text,
        account_id=body.account_id,
        now=now,
    )
    unit.commit()
    return to_read(svc.get_for_borrower(unit, borrower_id=borrower_id, complaint_id=complaint_id, now=now))


@router.get(
    "", response_model=ComplaintPage, summary="A borrower's own complaints; for staff, the open queue by due date"
)
def list_(
    who: Caller,
    unit: Unit,
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0, le=1_000_000),
    include_decided: bool = False,
) -> ComplaintPage:
    now = unit.clock()
    if who.kind == "borrower":
        # a borrower principal always has one (web_sessions CHECK "subject")
        borrower_id = cast(BorrowerId, who.borrower_id)
        items = svc.list_for_borrower(unit, borrower_id=borrower_id, now=now)[offset : offset + limit]
    else:
        items = svc.queue(unit, now=now, include_decided=include_decided, limit=limit, offset=offset)
    return ComplaintPage(items=[to_read(c) for c in items], limit=limit, offset=offset)


@router.get("/{complaint_id}", response_model=ComplaintRead, summary="One complaint")
def get(complaint_id: ComplaintId, who: Caller, unit: Unit) -> ComplaintRead:
    now = unit.clock()
    if who.kind == "borrower":
        # a borrower principal always has one (web_sessions CHECK "subject")
        borrower_id = cast(BorrowerId, who.borrower_id)
        return to_read(svc.get_for_borrower(unit, borrower_id=borrower_id, complaint_id=complaint_id, now=now))
    return to_read(svc.get(unit, complaint_id=complaint_id, now=now))


def _staff_action(fn, complaint_id: int, who: Principal, unit, **kwargs) -> ComplaintRead:
    if who.kind != "staff":  # requires() already refuses borrowers; keep the invariant explicit
        raise Forbidden("staff only", reason="staff_only")
    now = unit.clock()
    staff = actor_of(who, via="api")  # the staff audit trail's row, in the action's transaction (ASVS V7.1.3)
    fn(unit, complaint_id=complaint_id, actor=f"staff:{who.username}", now=now, staff=staff, **kwargs)
    unit.commit()
    return to_read(svc.get(unit, complaint_id=complaint_id, now=now))


@router.post("/{complaint_id}/complex", response_model=ComplaintRead, summary="Classify as complex (CN: 30-day limit)")
def mark_complex(
    complaint_id: ComplaintId, body: Reason, who: Annotated[Principal, Depends(requires(*HANDLERS))], unit: Unit
) -> ComplaintRead:
    return _staff_action(svc.mark_complex, complaint_id, who, unit, reason=body.text)


@router.post(
    "/{complaint_id}/extension",
    response_model=ComplaintRead,
    summary="Extend an especially complex case (CN: +30 days) with a notice to the complainant",
)
def extend(
    complaint_id: ComplaintId, body: Reason, who: Annotated[Principal, Depends(requires(*HANDLERS))], unit: Unit
) -> ComplaintRead:
    return _staff_action(svc.extend, complaint_id, who, unit, notice=body.text)


@router.post(
    "/{complaint_id}/decision",
    response_model=ComplaintRead,
    summary="Record the decision told to the complainant (stops the clock)",
)
def decide(
    complaint_id: ComplaintId, body: Reason, who: Annotated[Principal, Depends(requires(*HANDLERS))], unit: Unit
) -> ComplaintRead:
    return _staff_action(svc.record_decision, complaint_id, who, unit, decision=body.text)
