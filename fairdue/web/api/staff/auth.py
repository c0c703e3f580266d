"""Sessions over the API: staff password login, borrower phone + one-time code, logout."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from fairdue.service.staff import auth as auth_service
from fairdue.web import borrower_login, ratelimit
from fairdue.web.auth import Caller, Unit, same_origin_login, session_cookie_name, session_token
from fairdue.web.problems import Forbidden, Problem

router = APIRouter(prefix="/auth", tags=["auth"])


class StaffLogin(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    second_factor: str | None = Field(
        default=None,
        max_length=32,
        description="The authenticator's current code, or a recovery code: needed once the user set one up",
    )


class PasswordChange(BaseModel):
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class TotpEnrolmentRead(BaseModel):
    secret: str = Field(description="Base32 secret for the authenticator app; shown once")
    uri: str = Field(description="otpauth:// URI (for a QR code); shown once")


class TotpConfirm(BaseModel):
    code: str = Field(min_length=6, max_length=6, pattern=r"^[0-9]+$")


class RecoveryCodesRead(BaseModel):
    recovery_codes: list[str] = Field(description="One-time recovery codes; shown once, stored only hashed")


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
    second_factor_missing: bool = Field(
        default=False, description="A role of this user needs a second factor it has not set up: POST /auth/staff/totp"
    )


class Accepted(BaseModel):
    detail: str


def set_session_cookie(request: Request, response: Response, new: auth_service.NewSession) -> None:
    ttl = request.app.state.web.session_ttl_s
    response.set_cookie(
        session_cookie_name(request),
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


def open_staff_session(
    request: Request, *, username: str, password: str, second_factor: str | None
) -> auth_service.NewSession:
    """Rate limits, then the password (and second factor) check; InvalidCredentials for every refusal.

    No unit of work is open around it: the service opens its own short ones, so argon2 holds no lock."""
    ratelimit.check(request, ratelimit.STAFF_LOGIN, account=username)
    core = request.app.state.core
    new = auth_service.staff_login(
        core.uow_factory,
        username=username,
        password=password,
        now=core.clock(),
        ttl_s=request.app.state.web.session_ttl_s,
        second_factor=second_factor,
        ip=ratelimit.client_ip(request),
    )
    if new is None:
        raise auth_service.InvalidCredentials()
    return new


@router.post(
    "/staff/sessions",
    status_code=201,
    response_model=SessionRead,
    summary="Staff login with username and password (and the second factor once set up)",
    dependencies=[Depends(same_origin_login)],
)
def staff_login(body: StaffLogin, request: Request, response: Response) -> SessionRead:
    new = open_staff_session(request, username=body.username, password=body.password, second_factor=body.second_factor)
    set_session_cookie(request, response, new)
    return _session_read(new)


def _staff(who: auth_service.Principal) -> int:
    if who.kind != "staff" or who.staff_id is None:
        raise Forbidden("this is for lender staff", reason="staff_only")
    return who.staff_id


@router.post("/staff/password", status_code=204, summary="Change one's password (ends one's other sessions)")
def change_password(body: PasswordChange, request: Request, who: Caller) -> Response:
    core = request.app.state.core
    token, _ = session_token(request)
    auth_service.change_password(
        core.uow_factory,
        staff_id=_staff(who),
        current_password=body.current_password,
        new_password=body.new_password,
        keep_token=token,
        now=core.clock(),
    )
    return Response(status_code=204)


@router.post(
    "/staff/totp", status_code=201, response_model=TotpEnrolmentRead, summary="Start setting up the authenticator"
)
def totp_begin(who: Caller, unit: Unit) -> TotpEnrolmentRead:
    enrolment = auth_service.begin_totp_enrolment(unit, staff_id=_staff(who))
    unit.commit()
    return TotpEnrolmentRead(secret=enrolment.secret, uri=enrolment.uri)


@router.post(
    "/staff/totp/confirm",
    response_model=RecoveryCodesRead,
    summary="Turn the authenticator on with a first code; answers the recovery codes",
)
def totp_confirm(body: TotpConfirm, who: Caller, unit: Unit) -> RecoveryCodesRead:
    codes = auth_service.confirm_totp(unit, staff_id=_staff(who), code=body.code, now=unit.clock())
    unit.commit()
    return RecoveryCodesRead(recovery_codes=codes)


@router.post(
    "/borrower/codes",
    status_code=202,
    response_model=Accepted,
    summary="Send a one-time login code to a borrower's phone",
    dependencies=[Depends(same_origin_login)],
)
def borrower_code(body: CodeRequest, request: Request) -> Accepted:
    borrower_login.send_code(request, phone=body.phone)
    return Accepted(detail="if this number belongs to a borrower, a code is on its way")


@router.post(
    "/borrower/sessions",
    status_code=201,
    response_model=SessionRead,
    summary="Borrower login with phone and one-time code",
    dependencies=[Depends(same_origin_login)],
)
def borrower_session(body: BorrowerLogin, request: Request, response: Response) -> SessionRead:
    new = borrower_login.login(request, phone=body.phone, code=body.code)
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
        second_factor_missing=who.second_factor_missing,
    )


@router.delete("/sessions/current", status_code=204, summary="Log out")
def logout(request: Request, who: Caller, unit: Unit) -> Response:
    token, _ = session_token(request)
    if token is None:  # principal() already refused this
        raise Problem("no session", status=401, slug="unauthenticated")
    auth_service.revoke_session(unit, token=token, now=unit.clock())
    unit.commit()
    response = Response(status_code=204)
    response.delete_cookie(session_cookie_name(request), path="/", secure=request.app.state.web.cookie_secure)
    return response
