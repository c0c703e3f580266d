"""Promises to pay over the API: a line's promises with their status (staff, or the line's own borrower),
and recording one (agents on a call; Idempotency-Key). The amount comes as a decimal string in major units
with its currency and is parsed exactly to minor units (never through a float)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Body, Depends, Request
from pydantic import BaseModel, Field

from fairdue.domain.money import Money
from fairdue.service.collections import assignment
from fairdue.service.collections.promises import promises_of, record_promise
from fairdue.service.staff.audit_trail import actor_of
from fairdue.service.staff.auth import Principal
from fairdue.web.api.common import (
    IDEMPOTENT_RESPONSES,
    Amount,
    IdempotencyKey,
    LineId,
    idempotent_create,
    line_today,
    require_roles_or_owner,
    visible_line,
)
from fairdue.web.auth import STAFF_ANY, Caller, Unit, requires

router = APIRouter(prefix="/accounts/{line_id}/promises", tags=["promises"])
RECORDERS = ("agent", "supervisor", "admin")


class PromiseCreate(Amount):
    promised_on: dt.date = Field(description="the date the borrower promised to pay by (at most 30 days ahead)")


class PromiseRead(BaseModel):
    id: int
    account_id: int
    amount_minor: int
    currency: str
    promised_on: dt.date
    status: str = Field(description="pending | kept | broken | cancelled")
    resolved_on: dt.date | None


def _read(p) -> PromiseRead:
    return PromiseRead(
        id=p.id,
        account_id=p.account_id,
        amount_minor=p.amount_minor,
        currency=p.currency,
        promised_on=p.promised_on,
        status=p.status,
        resolved_on=p.resolved_on,
    )


@router.get("", response_model=list[PromiseRead], summary="The line's promises to pay, oldest first")
def list_promises(line_id: LineId, who: Caller, unit: Unit) -> list[PromiseRead]:
    require_roles_or_owner(who, STAFF_ANY)
    visible_line(unit.connection, who, line_id)
    return [_read(p) for p in promises_of(unit, account_id=line_id)]


@router.post(
    "",
    status_code=201,
    response_model=PromiseRead,
    responses=IDEMPOTENT_RESPONSES,
    summary="Record a promise to pay (replaces a pending one)",
)
def create_promise(
    request: Request,
    line_id: LineId,
    idempotency_key: IdempotencyKey,
    body: PromiseCreate = Body(...),
    who: Principal = Depends(requires(*RECORDERS)),
):
    core = request.app.state.core
    with core.uow_factory() as unit:
        visible_line(unit.connection, who, line_id)
        assignment.require_account(unit, who=who, account_id=line_id)  # ASVS V4.2.1: the agent's own case only

    def work(unit) -> PromiseRead:
        owner = visible_line(unit.connection, who, line_id)
        assignment.require_account(unit, who=who, account_id=line_id)
        amount = Money.parse(body.amount, body.currency)
        pid = record_promise(
            unit,
            account_id=line_id,
            amount=amount,
            promised_on=body.promised_on,
            business_on=line_today(unit.connection, owner, unit.clock()),
            actor=actor_of(who, via="api"),
        )
        return next(_read(p) for p in promises_of(unit, account_id=line_id) if p.id == pid)

    return idempotent_create(request, key=idempotency_key, scope=f"promise:{line_id}", who=who, body=body, work=work)
