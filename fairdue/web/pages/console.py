"""Agent console pages: login, compose with a live gate verdict."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairdue.service import auth as auth_service
from fairdue.web.api.auth import set_session_cookie
from fairdue.web.auth import SESSION_COOKIE, STAFF_ANY, principal, requires, uow
from fairdue.web.templating import render

router = APIRouter(prefix="/console")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "console/login.html", {"error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, username: str = Form(..., max_length=64),
                 password: str = Form(..., max_length=256), unit=Depends(uow)) -> Response:
    try:
        new = auth_service.staff_login(unit.connection, username=username, password=password,
                                       now=unit.clock(), ttl_s=request.app.state.web.session_ttl_s)
    except auth_service.InvalidCredentials:
        return render(request, "console/login.html", {"error": "login.wrong"}, status_code=401)
    unit.commit()
    response = RedirectResponse("/console", status_code=303)
    set_session_cookie(request, response, new)
    return response


@router.post("/logout")
def logout(request: Request, who=Depends(principal), unit=Depends(uow)) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth_service.revoke_session(unit.connection, token=token, now=unit.clock())
        unit.commit()
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("", response_class=HTMLResponse)
def console_home(request: Request, who=Depends(requires(*STAFF_ANY))) -> HTMLResponse:
    return render(request, "console/home.html")
