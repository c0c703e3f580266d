"""One's own sessions as pages: the console's (staff) and the portal's (borrowers), one service behind both
(fairdue.service.staff.sessions). List the live sessions; end one; end all but this one; end all (POST,
CSRF-checked like every cookie-authenticated form)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairdue.adapters.db.views import sessions as session_reads
from fairdue.service.staff import sessions as session_service
from fairdue.service.staff.auth import Principal
from fairdue.web.api.staff.sessions import Staff, current_token_hash, staff_id_of
from fairdue.web.auth import BorrowerCaller, Unit, session_cookie_name, session_token
from fairdue.web.problems import Forbidden
from fairdue.web.templating import render

router = APIRouter(include_in_schema=False)  # pages, like the others: not in the API schema
HANDLE_CHARS_MAX = 64


def _owner(who: Principal) -> dict[str, int | None]:
    """The service's owner arguments for this principal: its staff id, or its borrower id."""
    if who.kind == "staff":
        return {"staff_id": staff_id_of(who)}
    if who.borrower_id is None:  # a borrower principal always has one (web_sessions CHECK "subject")
        raise Forbidden("this page is for borrowers", reason="borrower_only")
    return {"borrower_id": who.borrower_id}


def _page(request: Request, who: Principal, unit: Unit, *, area: str) -> HTMLResponse:
    rows = session_reads.live_sessions(
        unit.connection,
        **_owner(who),  # type: ignore[arg-type]  # staff_id or borrower_id, as the view takes them
        now=unit.clock(),
        current_token_hash=current_token_hash(request),
        idle_s=request.app.state.web.session_idle_s,
    )
    return render(request, "sessions.html", {"sessions": rows, "area": area})


def _revoke_one(request: Request, who: Principal, unit: Unit, handle: str, *, area: str) -> Response:
    session_service.revoke_one(unit, handle=handle, now=unit.clock(), **_owner(who))  # type: ignore[arg-type]
    unit.commit()
    return _after(request, area=area, signed_out=handle.strip().lower() == (current_token_hash(request) or "")[:12])


def _revoke_all(request: Request, who: Principal, unit: Unit, keep_current: bool, *, area: str) -> Response:
    token, _from_cookie = session_token(request)
    session_service.revoke_all(
        unit,
        current_token=token,
        keep_current=keep_current,
        now=unit.clock(),
        **_owner(who),  # type: ignore[arg-type]
    )
    unit.commit()
    return _after(request, area=area, signed_out=not keep_current)


def _after(request: Request, *, area: str, signed_out: bool) -> Response:
    if not signed_out:
        return RedirectResponse(f"/{area}/sessions", status_code=303)
    response = RedirectResponse(f"/{area}/login", status_code=303)
    response.delete_cookie(session_cookie_name(request), path="/", secure=request.app.state.web.cookie_secure)
    return response


@router.get("/console/sessions", response_class=HTMLResponse)
def sessions_page(request: Request, who: Staff, unit: Unit) -> HTMLResponse:
    return _page(request, who, unit, area="console")


@router.post("/console/sessions/revoke-all")
def revoke_all(request: Request, who: Staff, unit: Unit, keep_current: bool = Form(False)) -> Response:
    return _revoke_all(request, who, unit, keep_current, area="console")


@router.post("/console/sessions/revoke")
def revoke_one(request: Request, who: Staff, unit: Unit, handle: str = Form(..., max_length=HANDLE_CHARS_MAX)):
    return _revoke_one(request, who, unit, handle, area="console")


@router.get("/portal/sessions", response_class=HTMLResponse)
def portal_sessions_page(request: Request, who: BorrowerCaller, unit: Unit) -> HTMLResponse:
    return _page(request, who, unit, area="portal")


@router.post("/portal/sessions/revoke-all")
def portal_revoke_all(request: Request, who: BorrowerCaller, unit: Unit, keep_current: bool = Form(False)) -> Response:
    return _revoke_all(request, who, unit, keep_current, area="portal")


@router.post("/portal/sessions/revoke")
def portal_revoke_one(
    request: Request, who: BorrowerCaller, unit: Unit, handle: str = Form(..., max_length=HANDLE_CHARS_MAX)
) -> Response:
    return _revoke_one(request, who, unit, handle, area="portal")
