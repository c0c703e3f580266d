"""Disputes and cease requests over the API. A dispute suspends collection on the line until it is resolved;
a cease request ('all') or a channel opt-out is carried in every later gate request about the borrower.

Borrowers file these for themselves (another borrower's line or id is 404); staff record them on the
borrower's behalf (a written notice, a call); resolving a dispute needs compliance or a supervisor.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from fairdue.adapters.db.views import cases as case_reads
from fairdue.domain.borrowers import BorrowerId
from fairdue.service.collections.engine import open_dispute, record_cease, resolve_dispute
from fairdue.service.staff.audit_trail import actor_of
from fairdue.service.staff.auth import Principal
from fairdue.web.api.common import (
    ID_MAX,
    IDEMPOTENT_RESPONSES,
    IdempotencyKey,
    LineId,
    aware,
    idempotent_create,
    require_roles_or_owner,
    visible_line,
)
from fairdue.web.auth import STAFF_ANY, Caller, Unit, requires
from fairdue.web.problems import Conflict, NotFound, Problem

router = APIRouter(tags=["disputes"])
DisputeId = Annotated[int, Path(ge=1, le=ID_MAX)]
BorrowerIdPath = Annotated[int, Path(ge=1, le=ID_MAX)]
RESOLVERS = ("compliance", "supervisor", "admin")
TEXT_LENGTH_MAX = 4000
CEASE_CHANNELS = ("all", "sms", "email", "letter", "app_push", "call", "voicemail")
STAFF_CEASE_SOURCES = ("written", "phone", "email", "reply_stop")
BORROWER_CEASE_SOURCE = "self_service"


class DisputeCreate(BaseModel):
    reason: str = Field(
        min_length=1, max_length=TEXT_LENGTH_MAX, pattern=r"\S", description="what the borrower disputes"
    )


class DisputeResolution(BaseModel):
    resolution: str = Field(min_length=1, max_length=TEXT_LENGTH_MAX, pattern=r"\S")


class DisputeRead(BaseModel):
    id: int
    account_id: int
    reason: str
    status: str = Field(description="open | resolved")
    opened_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str | None


class CeaseCreate(BaseModel):
    channel: str = Field(
        "all",
        json_schema_extra={"enum": list(CEASE_CHANNELS)},
        description="'all' = cease communication; otherwise opt out of one channel",
    )
    source: str | None = Field(
        None,
        json_schema_extra={"enum": list(STAFF_CEASE_SOURCES)},
        description="how staff received the request; borrowers' own requests are "
        f"recorded as {BORROWER_CEASE_SOURCE!r}",
    )


class CeaseRead(BaseModel):
    id: int
    borrower_id: int
    channel: str
    source: str
    requested_at: dt.datetime


def _dispute_read(row) -> DisputeRead:
    return DisputeRead(
        id=row.id,
        account_id=row.account_id,
        reason=row.reason,
        status=row.status,
        opened_at=aware(row.opened_at),
        resolved_at=aware(row.resolved_at),
        resolution=row.resolution,
    )


@router.post(
    "/accounts/{line_id}/disputes",
    status_code=201,
    response_model=DisputeRead,
    responses=IDEMPOTENT_RESPONSES,
    summary="Dispute the debt (the line's own borrower, or staff on their behalf); collection pauses",
)
def create_dispute(
    request: Request,
    line_id: LineId,
    body: DisputeCreate,
    idempotency_key: IdempotencyKey,
    who: Caller,
):
    require_roles_or_owner(who, STAFF_ANY)

    def allowed(unit) -> None:
        # Any staff member may record a dispute the borrower raises with them: it only pauses collection (12 CFR
        # 1006.34(c)(5), CONC 7.14.1R), so case assignment (ASVS V4.2.1) does not gate it; who recorded it is audited.
        visible_line(unit.connection, who, line_id)

    def work(unit) -> DisputeRead:
        allowed(unit)
        actor = actor_of(who, via="api") if who.kind == "staff" else None
        dispute_id = open_dispute(unit, account_id=line_id, reason=body.reason.strip(), actor=actor)
        return _dispute_read(case_reads.dispute_by_id(unit.connection, dispute_id))

    return idempotent_create(
        request,
        key=idempotency_key,
        scope=f"dispute:{line_id}",
        who=who,
        body=body,
        work=work,
        check=allowed,
    )


@router.post(
    "/disputes/{dispute_id}/resolution",
    response_model=DisputeRead,
    summary="Resolve an open dispute (compliance or supervisor); collection may resume",
)
def resolve(
    dispute_id: DisputeId, body: DisputeResolution, who: Annotated[Principal, Depends(requires(*RESOLVERS))], unit: Unit
) -> DisputeRead:
    row = case_reads.dispute_by_id(unit.connection, dispute_id)
    if row is None:
        raise NotFound(f"dispute {dispute_id} not found")
    if row.status != "open":
        raise Conflict(f"dispute {dispute_id} is already {row.status}", reason="dispute_not_open")
    resolve_dispute(unit, dispute_id=dispute_id, resolution=body.resolution.strip(), actor=actor_of(who, via="api"))
    unit.commit()
    return _dispute_read(case_reads.dispute_by_id(unit.connection, dispute_id))


@router.post(
    "/borrowers/{borrower_id}/cease",
    status_code=201,
    response_model=CeaseRead,
    responses=IDEMPOTENT_RESPONSES,
    summary="Record a cease-communication request or a channel opt-out (the borrower themself, or staff)",
)
def cease(
    request: Request,
    borrower_id: BorrowerIdPath,
    body: CeaseCreate,
    idempotency_key: IdempotencyKey,
    who: Caller,
):
    require_roles_or_owner(who, STAFF_ANY)
    if who.kind == "borrower" and borrower_id != who.borrower_id:
        raise NotFound(f"borrower {borrower_id} not found")
    if body.channel not in CEASE_CHANNELS:
        raise Problem(
            f"unknown channel {body.channel!r}; one of {', '.join(CEASE_CHANNELS)}", status=422, slug="invalid-request"
        )
    if who.kind == "borrower":
        if body.source is not None:
            raise Problem("a borrower's own request takes no source", status=422, slug="invalid-request")
        source = BORROWER_CEASE_SOURCE
    else:
        if body.source not in STAFF_CEASE_SOURCES:
            raise Problem(
                f"say how the request came: source one of {', '.join(STAFF_CEASE_SOURCES)}",
                status=422,
                slug="invalid-request",
            )
        source = body.source

    def borrower_exists(unit) -> None:
        if not case_reads.borrower_exists(unit.connection, BorrowerId(borrower_id)):
            raise NotFound(f"borrower {borrower_id} not found")
        # Any staff member may record a cease the borrower asks them for: it only stops contact (12 CFR 1006.6(c),
        # 1006.14(h)), so case assignment (ASVS V4.2.1) does not gate it; who recorded it is audited.

    def work(unit) -> CeaseRead:
        borrower_exists(unit)
        actor = actor_of(who, via="api") if who.kind == "staff" else None
        cease_id = record_cease(
            unit, borrower_id=BorrowerId(borrower_id), channel=body.channel, source=source, actor=actor
        )
        row = case_reads.cease_by_id(unit.connection, cease_id)
        if row is None:  # written just above in this transaction
            raise RuntimeError(f"cease request {cease_id} vanished inside its own transaction")
        return CeaseRead(
            id=row.id,
            borrower_id=row.borrower_id,
            channel=row.channel,
            source=row.source,
            requested_at=aware(row.requested_at),
        )

    return idempotent_create(
        request, key=idempotency_key, scope=f"cease:{borrower_id}", who=who, body=body, work=work, check=borrower_exists
    )
