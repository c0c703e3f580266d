"""Repayment-plan requests over the API: a borrower reads their own; staff read the pending queue;
supervisors approve or decline."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel

from fairdue.service.auth import Principal
from fairdue.web.auth import principal, requires, uow

router = APIRouter(prefix="/plan-requests", tags=["plans"])
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class PlanRequestRead(BaseModel):
    id: int
    line_id: str
    currency: str
    balance_minor: int
    kind: str
    periods: int
    installment_minor: int
    apr: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None


class PlanDecision(BaseModel):
    approve: bool


def _read(r) -> PlanRequestRead:
    def aware(at):
        return None if at is None else (at if at.tzinfo else at.replace(tzinfo=dt.UTC))

    return PlanRequestRead(id=r.id, line_id=r.line_id, currency=r.currency, balance_minor=r.balance_minor,
                           kind=r.kind, periods=r.periods, installment_minor=r.installment_minor, apr=r.apr,
                           status=r.status, requested_at=aware(r.requested_at), decided_at=aware(r.decided_at))


@router.get("", response_model=list[PlanRequestRead],
            summary="A borrower's own plan requests; for staff, those waiting for a decision")
def list_requests(who: Principal = Depends(principal), unit=Depends(uow)) -> list[PlanRequestRead]:
    from fairdue.service import plan_requests

    if who.kind == "borrower":
        return [_read(r) for r in plan_requests.requests_of(unit.connection, borrower_id=who.borrower_id)]
    return [_read(r) for r in plan_requests.pending(unit.connection)]


@router.post("/{request_id}/decision", response_model=PlanRequestRead, summary="Approve or decline (supervisor)")
def decide(request_id: RequestId, body: PlanDecision, who: Principal = Depends(requires("supervisor", "admin")),
           unit=Depends(uow)) -> PlanRequestRead:
    import sqlalchemy as sa

    from fairdue.adapters.db.schema.web import plan_requests as table
    from fairdue.service import plan_requests

    plan_requests.decide(unit.connection, request_id=request_id, approve=body.approve,
                         actor=f"staff:{who.username}", now=unit.clock())
    unit.commit()
    return _read(unit.connection.execute(sa.select(table).where(table.c.id == request_id)).one())
