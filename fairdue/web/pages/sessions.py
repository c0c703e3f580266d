"""The console's sessions page: a staff member's own live sessions, with "log out everywhere" and "log out my
other sessions" (POST, CSRF-checked like every cookie-authenticated form)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairdue.adapters.db.views import sessions as session_reads
from fairdue.service.staff import sessions as session_service
from fairdue.web.api.staff.sessions import Staff, current_token_hash, staff_id_of
from fairdue.web.auth import Unit, session_cookie_name, session_token
from fairdue.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)  # pages, like the others: not in the API schema


@router.get("/sessions", response_class=HTMLResponse)
def sessions_page(request: Request, who: Staff, unit: Unit) -> HTMLResponse:
    rows = session_reads.live_staff_sessions(
        unit.connection, staff_id=staff_id_of(who), now=unit.clock(), current_token_hash=current_token_hash(request)
    )
    return render(request, "console/sessions.html", {"sessions": rows})


@router.post("/sessions/revoke-all")
def revoke_all(request: Request, who: Staff, unit: Unit, keep_current: bool = Form(False)) -> Response:
    token, _from_cookie = session_token(request)
    session_service.revoke_all(
        unit, staff_id=staff_id_of(who), current_token=token, keep_current=keep_current, now=unit.clock()
    )
    unit.commit()
    if keep_current:
        return RedirectResponse("/console/sessions", status_code=303)
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(session_cookie_name(request), path="/", secure=request.app.state.web.cookie_secure)
    return response
