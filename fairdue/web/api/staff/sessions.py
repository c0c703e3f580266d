"""A staff member's own sessions over the API: list them, end them all (or all but this one).

A session unused for WebConfig.session_idle_s is refused and revoked (fairdue.service.staff.auth.resolve_session)
and not listed here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from fairdue.adapters.db.views import sessions as session_reads
from fairdue.service.staff import sessions as session_service
from fairdue.service.staff.auth import Principal, hash_token
from fairdue.web.auth import STAFF_ANY, Unit, requires, session_cookie_name, session_token
from fairdue.web.problems import Forbidden

router = APIRouter(prefix="/auth", tags=["auth"])
Staff = Annotated[Principal, Depends(requires(*STAFF_ANY))]


class SessionItem(BaseModel):
    handle: str
    created_at: dt.datetime
    expires_at: dt.datetime
    last_seen_at: dt.datetime = Field(description="Last use, recorded to the minute")
    current: bool


class SessionList(BaseModel):
    items: list[SessionItem]


class Revoked(BaseModel):
    revoked: int


def staff_id_of(who: Principal) -> int:
    """The staff id of a principal `requires()` let in (always a staff member)."""
    if who.staff_id is None:
        raise Forbidden("this page is for lender staff", reason="staff_only")
    return who.staff_id


def current_token_hash(request: Request) -> str | None:
    token, _from_cookie = session_token(request)
    return hash_token(token) if token else None


@router.get("/sessions", response_model=SessionList, summary="Your own live sessions (staff)")
def list_sessions(request: Request, who: Staff, unit: Unit) -> SessionList:
    rows = session_reads.live_staff_sessions(
        unit.connection,
        staff_id=staff_id_of(who),
        now=unit.clock(),
        current_token_hash=current_token_hash(request),
        idle_s=request.app.state.web.session_idle_s,
    )
    return SessionList(items=[_item(row) for row in rows])


def _item(row: session_reads.LiveSession) -> SessionItem:
    return SessionItem(
        handle=row.handle,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_seen_at=row.last_seen_at,
        current=row.current,
    )


@router.delete("/sessions", response_model=Revoked, summary="End all your sessions (keep_current: all but this one)")
def revoke_sessions(request: Request, who: Staff, unit: Unit, keep_current: bool = Query(False)) -> JSONResponse:
    token, _from_cookie = session_token(request)
    n = session_service.revoke_all(
        unit, staff_id=staff_id_of(who), current_token=token, keep_current=keep_current, now=unit.clock()
    )
    unit.commit()
    response = JSONResponse(Revoked(revoked=n).model_dump())
    if not keep_current:
        response.delete_cookie(session_cookie_name(request), path="/", secure=request.app.state.web.cookie_secure)
    return response
