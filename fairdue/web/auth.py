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
from fairdue.web.problems import Forbidden, Unauthenticated

SESSION_COOKIE = "fairdue_session"
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
    return request.cookies.get(SESSION_COOKIE), True


async def _csrf_ok(request: Request, expected: str) -> bool:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf")
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent, expected)


def _resolve(request: Request, token: str) -> auth_service.Principal | None:
    # Its own short read, closed before the route's unit of work opens: on SQLite every
    # transaction holds the write lock, and a route may need transactions of its own.
    core = request.app.state.core
    with core.uow_factory() as unit:
        return auth_service.resolve_session(unit, token=token, now=core.clock())


async def principal(request: Request) -> auth_service.Principal:
    """The logged-in staff member or borrower; 401 otherwise."""
    from starlette.concurrency import run_in_threadpool

    token, from_cookie = session_token(request)
    if not token:
        raise Unauthenticated("log in first")
    who = await run_in_threadpool(_resolve, request, token)
    if who is None:
        raise Unauthenticated("the session has expired or was ended; log in again")
    if from_cookie and request.method not in SAFE_METHODS and not await _csrf_ok(request, who.csrf):
        raise Forbidden("missing or wrong CSRF token", reason="csrf")
    request.state.csrf = who.csrf
    if who.kind == "staff":
        request.state.staff = who
    else:
        request.state.borrower = who
    return who


def requires(*roles: str):
    """Dependency: a staff principal holding at least one of `roles`."""
    needed = frozenset(roles)

    async def _staff(who: auth_service.Principal = Depends(principal)) -> auth_service.Principal:
        if who.kind != "staff":
            raise Forbidden("this page is for lender staff", reason="staff_only", roles_needed=sorted(needed))
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

    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth_service.revoke_session(unit, token=token, now=unit.clock())
        unit.commit()
    response = RedirectResponse(redirect_to, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# The typed parameters routes declare (FastAPI reads the dependency from the annotation).
Unit = Annotated[UnitOfWork, Depends(uow)]
Caller = Annotated[auth_service.Principal, Depends(principal)]
BorrowerCaller = Annotated[auth_service.Principal, Depends(borrower)]
