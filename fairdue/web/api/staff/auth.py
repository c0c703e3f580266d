"""Sessions over the API: staff password login, borrower phone + one-time code, logout."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from fairdue.service.staff import auth as auth_service
from fairdue.web import borrower_login
from fairdue.web.auth import SESSION_COOKIE, Caller, Unit, session_token
from fairdue.web.problems import Problem

router = APIRouter(prefix="/auth", tags=["auth"])


class StaffLogin(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class CodeRequest(BaseModel):
    phone: str = Field(min_length=3, max_length=32, examples=["+8613800138000"])


class BorrowerLogin(BaseModel):
    phone: str = Field(min_length=3, max_length=32)
    code: str = Field(min_length=4, max_length=12, pattern=r"^[0-9]+$")


class SessionRead(BaseModel):
    token: str = Field(description="Bearer token; also set as the session cookie. Shown once.")
    csrf: str = Field(description="Echo as X-CSRF-Token on unsafe requests made with the cookie")
    kind: str
    expires_at: dt.datetime
    roles: list[str] = []


class MeRead(BaseModel):
    kind: str
    username: str | None = None
    display_name: str | None = None
    roles: list[str] = []
    expires_at: dt.datetime


class Accepted(BaseModel):
    detail: str


def set_session_cookie(request: Request, response: Response, new: auth_service.NewSession) -> None:
    ttl = request.app.state.web.session_ttl_s
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        max_age=ttl,
        httponly=True,
        samesite="lax",
        secure=request.app.state.web.cookie_secure,
        path="/",
    )


def _session_read(new: auth_service.NewSession) -> SessionRead:
    p = new.principal
    return SessionRead(token=new.token, csrf=p.csrf, kind=p.kind, expires_at=p.expires_at, roles=sorted(p.roles))


@router.post(
    "/staff/sessions", status_code=201, response_model=SessionRead, summary="Staff login with username and password"
)
def staff_login(body: StaffLogin, request: Request, response: Response, unit: Unit) -> SessionRead:
    web = request.app.state.web
    new = auth_service.staff_login(
        unit, username=body.username, password=body.password, now=unit.clock(), ttl_s=web.session_ttl_s
    )
    unit.commit()  # a refusal's failure count too
    if new is None:
        raise auth_service.InvalidCredentials()
    set_session_cookie(request, response, new)
    return _session_read(new)


@router.post(
    "/borrower/codes",
    status_code=202,
    response_model=Accepted,
    summary="Send a one-time login code to a borrower's phone",
)
def borrower_code(body: CodeRequest, request: Request) -> Accepted:
    borrower_login.send_code(request.app, phone=body.phone)
    return Accepted(detail="if this number belongs to a borrower, a code is on its way")


@router.post(
    "/borrower/sessions",
    status_code=201,
    response_model=SessionRead,
    summary="Borrower login with phone and one-time code",
)
def borrower_session(body: BorrowerLogin, request: Request, response: Response) -> SessionRead:
    new = borrower_login.login(request.app, phone=body.phone, code=body.code)
    set_session_cookie(request, response, new)
    return _session_read(new)


@router.get("/me", response_model=MeRead, summary="Who the session belongs to")
def me(who: Caller) -> MeRead:
    return MeRead(
        kind=who.kind,
        username=who.username,
        display_name=who.display_name,
        roles=sorted(who.roles),
        expires_at=who.expires_at,
    )


@router.delete("/sessions/current", status_code=204, summary="Log out")
def logout(request: Request, who: Caller, unit: Unit) -> Response:
    token, _ = session_token(request)
    if token is None:  # principal() already refused this
        raise Problem("no session", status=401, slug="unauthenticated")
    auth_service.revoke_session(unit, token=token, now=unit.clock())
    unit.commit()
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
