"""Borrower portal pages: login by phone and one-time code."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairdue.service import auth as auth_service
from fairdue.web import borrower_login
from fairdue.web.api.auth import set_session_cookie
from fairdue.web.auth import SESSION_COOKIE, borrower, principal, uow
from fairdue.web.templating import render

router = APIRouter(prefix="/portal")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "portal/login.html", {"phone": "", "sent": False, "error": None})


@router.post("/login/code", response_class=HTMLResponse)
def send_code(request: Request, phone: str = Form(..., max_length=32)) -> Response:
    try:
        borrower_login.send_code(request.app, phone=phone)
    except auth_service.InvalidPhone:
        return render(request, "portal/login.html", {"phone": phone, "sent": False, "error": "login.bad_phone"},
                      status_code=422)
    except auth_service.TooManyCodes:
        return render(request, "portal/login.html", {"phone": phone, "sent": False, "error": "login.too_many"},
                      status_code=429)
    return render(request, "portal/login.html", {"phone": phone, "sent": True, "error": None})


@router.post("/login", response_class=HTMLResponse)
def login_submit(request: Request, phone: str = Form(..., max_length=32),
                 code: str = Form(..., max_length=12)) -> Response:
    try:
        new = borrower_login.login(request.app, phone=phone, code=code)
    except auth_service.InvalidCode:
        return render(request, "portal/login.html", {"phone": phone, "sent": True, "error": "login.bad_code"},
                      status_code=401)
    response = RedirectResponse("/portal", status_code=303)
    set_session_cookie(request, response, new)
    return response


@router.post("/logout")
def logout(request: Request, who=Depends(principal), unit=Depends(uow)) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        auth_service.revoke_session(unit.connection, token=token, now=unit.clock())
        unit.commit()
    response = RedirectResponse("/portal/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("", response_class=HTMLResponse)
def portal_home(request: Request, who=Depends(borrower)) -> HTMLResponse:
    return render(request, "portal/home.html")
