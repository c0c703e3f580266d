"""Request-scoped dependencies: the unit of work, who is asking, what role a route needs.

Routes take these as typed parameters: `unit: Unit`, `who: Caller` (anyone signed
in), `who: BorrowerCaller` (a borrower), and declare their roles with
`Depends(requires("agent", "supervisor"))`. A
staff member without one of them gets 403 problem+json whose `reason` names
the roles needed and the roles held. Borrower routes depend on `borrower`,
which never lets staff in (and vice versa). A session comes from the
`fairdue_session` cookie or an `Authorization: Bearer` token; unsafe requests
authenticated by the cookie must echo the session's CSRF token (form field
`csrf` or header `X-CSRF-Token`).
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.service.staff import auth as auth_service
from fairdue.web import ratelimit
from fairdue.web.form_limits import bounded_form
from fairdue.web.problems import Forbidden, Unauthenticated

# The session cookie: `__Host-` (Secure, path /, no Domain: no sibling host can set or shadow it), or plain
# `fairdue_session` under the development switch for HTTP on 127.0.0.1 (WebConfig.dev_http).
SESSION_COOKIE = "__Host-fairdue_session"
DEV_SESSION_COOKIE = "fairdue_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def uow(request: Request) -> Iterator[UnitOfWork]:
    """One unit of work per request; leaving without commit() rolls back."""
    with request.app.state.core.uow_factory() as unit:
        yield unit


def session_token(request: Request) -> tuple[str | None, bool]:
    """(the session token, whether it came from the cookie): a bearer header first, then the session cookie."""
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip(), False
    return request.cookies.get(session_cookie_name(request)), True


def session_cookie_name(request: Request) -> str:
    """The session cookie's name in this app (WebConfig.session_cookie)."""
    name: str = request.app.state.web.session_cookie
    return name


async def _csrf_ok(request: Request, expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await bounded_form(request)  # FORM_FIELDS_MAX / FORM_FILES_MAX (fairdue.web.form_limits)
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent, expected)


# A login form posted from another site would log the victim in as the attacker (login CSRF): before any session
# exists there is no CSRF token to check, so the browser's own word on where the form came from decides.
SAME_ORIGIN_FETCH_SITES = frozenset({"same-origin", "none"})


def same_origin_login(request: Request) -> None:
    """Dependency of every login route (ASVS V3.5.3, V4.2.2): refuse a post another site made. The browser's
    `Sec-Fetch-Site` must be same-origin (or none: typed, bookmarked); without it, an `Origin` header must
    name this host. A client that sends neither (curl, an API client) is not a browser and is let through."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site.strip().lower() not in SAME_ORIGIN_FETCH_SITES:
            raise Forbidden("a login form must be posted from this site", reason="cross_site")
        return
    origin = request.headers.get("origin")
    if origin is None:
        return
    host = request.headers.get("host", "")
    if origin.strip().lower() == "null" or origin.split("://", 1)[-1].rstrip("/").lower() != host.lower():
        raise Forbidden("a login form must be posted from this site", reason="cross_site")


def _resolve(request: Request, token: str) -> auth_service.Principal | None:
    # Its own short read, closed before the route's unit of work opens: on SQLite every
    # transaction holds the write lock, and a route may need transactions of its own.
    # It may write (a stale last use refreshed, an idle session revoked), at most once a minute per session.
    core = request.app.state.core
    return auth_service.resolve_request_session(
        core.uow_factory, token=token, now=core.clock(), idle_s=request.app.state.web.session_idle_s
    )


async def principal(request: Request) -> auth_service.Principal:
    """The logged-in staff member or borrower; 401 otherwise."""
    from starlette.concurrency import run_in_threadpool

    token, from_cookie = session_token(request)
    if not token:
        raise Unauthenticated("log in first")
    who = await run_in_threadpool(_resolve, request, token)
    if who is None:
        await run_in_threadpool(ratelimit.charge_address, request)  # a made-up token buys no fresh API budget
        raise Unauthenticated("the session has expired or was ended; log in again")
    if from_cookie and request.method not in SAFE_METHODS and not await _csrf_ok(request, who.csrf):
        raise Forbidden("missing or wrong CSRF token", reason="csrf")
    request.state.csrf = who.csrf
    if who.kind == "staff":
        request.state.staff = who
    else:
        request.state.borrower = who
    return who


SECOND_FACTOR_FIRST = "your role needs a second factor: set up an authenticator at /console/totp first"


def second_factor_enforced(request: Request) -> bool:
    """Whether staff of the roles that need a second factor (service.staff.auth.TOTP_ROLES) are refused every
    role-checked route until they set one up (ASVS V2.7 / V4.3.1). On unless the app was built with
    `app.state.second_factor_enforced = False` (the shared web test helpers, whose staff log in by password)."""
    return bool(getattr(request.app.state, "second_factor_enforced", True))


def requires(*roles: str):
    """Dependency: a staff principal holding at least one of `roles`."""
    needed = frozenset(roles)

    async def _staff(request: Request, who: auth_service.Principal = Depends(principal)) -> auth_service.Principal:
        if who.kind != "staff":
            raise Forbidden("this page is for lender staff", reason="staff_only", roles_needed=sorted(needed))
        if who.second_factor_missing and second_factor_enforced(request):
            raise Forbidden(SECOND_FACTOR_FIRST, reason="second_factor_required")
        if not (who.roles & needed):
            raise Forbidden(
                f"needs role {' or '.join(sorted(needed))}; you have {', '.join(sorted(who.roles)) or 'none'}",
                reason="role",
                roles_needed=sorted(needed),
                roles_held=sorted(who.roles),
            )
        return who

    _staff.roles_needed = needed  # type: ignore[attr-defined]  # read by the route-roles test
    return _staff


async def borrower(who: auth_service.Principal = Depends(principal)) -> auth_service.Principal:
    """Dependency: a logged-in borrower (staff are refused: they use the console)."""
    if who.kind != "borrower":
        raise Forbidden("this page is for borrowers", reason="borrower_only")
    return who


STAFF_ANY = ("agent", "supervisor", "compliance", "admin")
# Who may log a call outcome or a promise on a collection case (an agent only on their own cases).
CALL_ROLES = ("agent", "supervisor")
# Who may accept a negotiated repayment plan for a borrower (it restructures the debt).
PLAN_DECIDERS = ("supervisor", "admin")


def end_session(request: Request, unit, *, redirect_to: str):
    """Revoke the caller's session (if any), clear its cookie and redirect; shared by console and portal."""
    from fastapi.responses import RedirectResponse

    token, _from_cookie = session_token(request)  # whichever token authenticated the request, Bearer too
    if token:
        auth_service.revoke_session(unit, token=token, now=unit.clock())
        unit.commit()
    response = RedirectResponse(redirect_to, status_code=303)
    response.delete_cookie(session_cookie_name(request), path="/", secure=request.app.state.web.cookie_secure)
    return response


# The typed parameters routes declare (FastAPI reads the dependency from the annotation).
Unit = Annotated[UnitOfWork, Depends(uow)]
Caller = Annotated[auth_service.Principal, Depends(principal)]
BorrowerCaller = Annotated[auth_service.Principal, Depends(borrower)]
