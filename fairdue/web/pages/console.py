"""Agent console pages: login, compose with a live gate verdict."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairdue.service import auth as auth_service
from fairdue.web.api.auth import set_session_cookie
from fairdue.web.auth import STAFF_ANY, end_session, principal, requires, uow
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
    except auth_service.AccountLocked:
        return render(request, "console/login.html", {"error": "login.locked"}, status_code=429)
    unit.commit()  # a refusal's failure count too
    if new is None:
        return render(request, "console/login.html", {"error": "login.wrong"}, status_code=401)
    response = RedirectResponse("/console", status_code=303)
    set_session_cookie(request, response, new)
    return response


@router.post("/logout")
def logout(request: Request, who=Depends(principal), unit=Depends(uow)) -> Response:
    return end_session(request, unit, redirect_to="/console/login")


@router.get("", response_class=HTMLResponse)
def console_home(request: Request, who=Depends(requires(*STAFF_ANY))) -> HTMLResponse:
    return render(request, "console/home.html")


ACCOUNT_REF_PREFIX = "acct:"


def _resolve_account_address(request: Request, unit, form):
    """Compose from an account: the form carries `acct:<line id>` instead of the number (agents never see
    it); the server puts the borrower's first mobile and time zones into the gate request."""
    import dataclasses

    if not form.address.startswith(ACCOUNT_REF_PREFIX):
        return form, None
    from fairdue.service import console as svc
    from fairdue.service.borrowers import get_borrower
    from fairdue.service.portal import debt_id_for_line
    from fairdue.web.app import field_cipher
    from fairdue.web.problems import NotFound

    try:
        line_id = int(form.address[len(ACCOUNT_REF_PREFIX):])
    except ValueError:
        raise NotFound("no such account") from None
    borrower_id = svc.borrower_of_line(unit.connection, line_id)
    if borrower_id is None:
        raise NotFound(f"account {line_id} not found")
    person = get_borrower(unit, borrower_id=borrower_id, cipher=field_cipher(request.app))
    number, source = person.mobiles[0]
    form = dataclasses.replace(form, address=number, recipient_source=source, debt_id=debt_id_for_line(line_id))
    return form, {"time_zones": list(person.time_zones)}


# --- compose with a live gate verdict ---------------------------------------------------------

def _compose_form(template: str, jurisdiction: str, channel: str, purpose: str, recipient_role: str,
                  recipient_source: str, address: str, zone: str, at_local: str, language: str,
                  text: str, debt_id: str = ""):
    from fairdue.web.compose import ComposeForm

    return ComposeForm(template=template, jurisdiction=jurisdiction, channel=channel, purpose=purpose,
                       recipient_role=recipient_role, recipient_source=recipient_source, address=address,
                       zone=zone, at_local=at_local, language=language, text=text, debt_id=debt_id)


@router.get("/compose", response_class=HTMLResponse)
def compose_page(request: Request, template: str = "cn_overdue_zh", address: str = "", debt_id: str = "",
                 account: int | None = Query(None, ge=1, le=2**31 - 1),
                 who=Depends(requires(*STAFF_ANY))) -> HTMLResponse:
    from fairdue.web import compose

    if account is not None:
        address, debt_id = f"{ACCOUNT_REF_PREFIX}{account}", ""
    form = compose.ComposeForm.from_template(template[:64], now=request.app.state.core.clock(),
                                             address=address[:320], debt_id=debt_id[:64])
    return render(request, "console/compose.html", {"form": form, "c": compose, "verdict": None,
                                                    "account": account if address.startswith(ACCOUNT_REF_PREFIX) else None})


@router.post("/compose/verdict", response_class=HTMLResponse)
def compose_verdict(request: Request, who=Depends(requires(*STAFF_ANY)), template: str = Form("", max_length=64),
                    jurisdiction: str = Form("CN", max_length=8), channel: str = Form("sms", max_length=16),
                    purpose: str = Form("collection", max_length=16),
                    recipient_role: str = Form("borrower", max_length=32),
                    recipient_source: str = Form("contract", max_length=32),
                    address: str = Form("", max_length=320), zone: str = Form("Asia/Shanghai", max_length=64),
                    at_local: str = Form("", max_length=32), language: str = Form("zh", max_length=8),
                    text: str = Form("", max_length=4000), debt_id: str = Form("", max_length=64),
                    unit=Depends(uow)) -> HTMLResponse:
    from fairdue.web import compose, contact

    form = _compose_form(template, jurisdiction, channel, purpose, recipient_role, recipient_source,
                         address, zone, at_local, language, text, debt_id)
    from fairdue.web.app import field_cipher

    form, borrower_ctx = _resolve_account_address(request, unit, form)
    history = contact.history(unit, form.debt_id, cipher=field_cipher(request.app))
    verdict = compose.decide(form.gate_request(history=history, borrower=borrower_ctx))
    return render(request, "console/_verdict.html", {"verdict": verdict, "form": form})  # form.address stays server-side


@router.post("/compose/send", response_class=HTMLResponse)
def compose_send(request: Request, who=Depends(requires("agent", "supervisor")), unit=Depends(uow),
                 template: str = Form("", max_length=64),
                 jurisdiction: str = Form("CN", max_length=8), channel: str = Form("sms", max_length=16),
                 purpose: str = Form("collection", max_length=16),
                 recipient_role: str = Form("borrower", max_length=32),
                 recipient_source: str = Form("contract", max_length=32),
                 address: str = Form("", max_length=320), zone: str = Form("Asia/Shanghai", max_length=64),
                 at_local: str = Form("", max_length=32), language: str = Form("zh", max_length=8),
                 text: str = Form("", max_length=4000),
                 debt_id: str = Form("", max_length=64)) -> HTMLResponse:
    """Hand the message to the contact service: the gate decides again, the decision is logged,
    and only an allowed message is queued."""
    from fairdue.web import contact

    form = _compose_form(template, jurisdiction, channel, purpose, recipient_role, recipient_source,
                         address, zone, at_local, language, text, debt_id)
    from fairdue.web.app import field_cipher

    form, borrower_ctx = _resolve_account_address(request, unit, form)
    outcome = contact.send(unit, form=form, staff=who, cipher=field_cipher(request.app), borrower=borrower_ctx)
    return render(request, "console/_sent.html", {"outcome": outcome, "form": form,
                                                  "verdict": outcome.decision},
                  status_code=200 if outcome.sent else 422)


# --- complaint queue with SLA timers ----------------------------------------------------------

COMPLAINT_HANDLERS = ("supervisor", "compliance")


@router.get("/complaints", response_class=HTMLResponse)
def complaint_queue(request: Request, include_decided: bool = False, who=Depends(requires(*STAFF_ANY)),
                    unit=Depends(uow)) -> HTMLResponse:
    from fairdue.service import complaints as svc

    items = svc.queue(unit.connection, now=unit.clock(), include_decided=include_decided, limit=200)
    return render(request, "console/complaints.html", {"items": items, "include_decided": include_decided,
                                                       "is_escalated": svc.is_escalated})


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_view(request: Request, complaint_id: int = Path(ge=1, le=2**31 - 1),
                   who=Depends(requires(*STAFF_ANY)), unit=Depends(uow)) -> HTMLResponse:
    from fairdue.service import complaints as svc

    c = svc.get(unit.connection, complaint_id=complaint_id, now=unit.clock())
    can_handle = bool(who.roles & set(COMPLAINT_HANDLERS))
    return render(request, "console/complaint.html", {"c": c, "can_handle": can_handle, "error": None})


@router.post("/complaints/{complaint_id}/escalate", response_class=HTMLResponse)
def complaint_escalate(request: Request, complaint_id: int = Path(ge=1, le=2**31 - 1),
                       text: str = Form("", max_length=5000), who=Depends(requires(*STAFF_ANY)),
                       unit=Depends(uow)) -> Response:
    from fairdue.service import complaints as svc

    try:
        svc.escalate(unit.connection, complaint_id=complaint_id, actor=f"staff:{who.username}", note=text,
                     now=unit.clock())
    except svc.ComplaintNotFound:
        raise
    except svc.ComplaintError as err:
        c = svc.get(unit.connection, complaint_id=complaint_id, now=unit.clock())
        return render(request, "console/complaint.html",
                      {"c": c, "can_handle": bool(who.roles & set(COMPLAINT_HANDLERS)), "error": str(err)},
                      status_code=err.http_status)
    unit.commit()
    return RedirectResponse(f"/console/complaints/{complaint_id}", status_code=303)


@router.post("/complaints/{complaint_id}/{action}", response_class=HTMLResponse)
def complaint_action(request: Request, action: str = Path(pattern="^(take|complex|extend|decide)$"),
                     complaint_id: int = Path(ge=1, le=2**31 - 1), text: str = Form("", max_length=5000),
                     who=Depends(requires(*COMPLAINT_HANDLERS)), unit=Depends(uow)) -> Response:
    from fairdue.service import complaints as svc

    now, actor = unit.clock(), f"staff:{who.username}"
    try:
        if action == "take":
            svc.take(unit.connection, complaint_id=complaint_id, staff_id=who.staff_id, actor=actor, now=now)
        elif action == "complex":
            svc.mark_complex(unit.connection, complaint_id=complaint_id, actor=actor, reason=text, now=now)
        elif action == "extend":
            svc.extend(unit.connection, complaint_id=complaint_id, actor=actor, notice=text, now=now)
        else:
            svc.record_decision(unit.connection, complaint_id=complaint_id, actor=actor, decision=text, now=now)
    except svc.ComplaintNotFound:
        raise
    except svc.ComplaintError as err:
        c = svc.get(unit.connection, complaint_id=complaint_id, now=now)
        return render(request, "console/complaint.html", {"c": c, "can_handle": True, "error": str(err)},
                      status_code=err.http_status)
    unit.commit()
    return RedirectResponse(f"/console/complaints/{complaint_id}", status_code=303)


# --- compliance dashboard ---------------------------------------------------------------------

@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, days: int = Query(30, ge=1, le=366),
              who=Depends(requires("compliance", "supervisor", "admin")), unit=Depends(uow)) -> HTMLResponse:
    import json

    from fairdue.service import compliance_dashboard
    from fairdue.web.i18n import translate

    lang = request.state.lang
    d = compliance_dashboard.build(unit.connection, now=unit.clock(), window_days=days)
    t = lambda key: translate(lang, key)  # noqa: E731
    charts = {"charts": [
        {"canvas": "chart-category", "type": "bar", "indexAxis": "y",
         "labels": [t("category." + c) for c, _ in d.denials_by_category],
         "datasets": [{"label": t("dash.denials"), "data": [n for _, n in d.denials_by_category],
                       "backgroundColor": "#b3261e"}]},
        {"canvas": "chart-rule", "type": "bar", "indexAxis": "y",
         "labels": [r for r, _ in d.denials_by_rule],
         "datasets": [{"label": t("dash.denials"), "data": [n for _, n in d.denials_by_rule],
                       "backgroundColor": "#8a5a00"}]},
        {"canvas": "chart-volume", "type": "bar", "stacked": True, "labels": [x[5:] for x in d.days],
         "datasets": [{"label": t("verdict.allowed"), "data": list(d.allowed_by_day), "backgroundColor": "#1e7b45"},
                      {"label": t("verdict.denied"), "data": list(d.denied_by_day), "backgroundColor": "#b3261e"}]},
        {"canvas": "chart-age", "type": "bar",
         "labels": [t("dash.age_days").format(range=label) for label, _ in d.complaints_by_age],
         "datasets": [{"label": t("dash.open_complaints"), "data": [n for _, n in d.complaints_by_age],
                       "backgroundColor": "#24527a"}]},
    ]}
    return render(request, "console/dashboard.html",
                  {"d": d, "days": days, "chart_json": json.dumps(charts, ensure_ascii=False).replace("</", "<\\/")})


# --- queue and account view (PII masked; reveal is logged) ------------------------------------

def _staff_today(unit) -> "object":
    from zoneinfo import ZoneInfo

    return unit.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, who=Depends(requires(*STAFF_ANY)), unit=Depends(uow)) -> HTMLResponse:
    from fairdue.service.console import delinquency_queue

    today = _staff_today(unit)
    return render(request, "console/queue.html", {"items": delinquency_queue(unit.connection, today=today),
                                                  "today": today})


def _account_context(request: Request, unit, who, line_id: int, *, reveal: bool) -> dict:
    from fairdue.service import access_log, complaints, plan_requests
    from fairdue.service import console as svc
    from fairdue.service import portal
    from fairdue.web.app import field_cipher
    from fairdue.web.problems import NotFound

    borrower_id = svc.borrower_of_line(unit.connection, line_id)
    if borrower_id is None:
        raise NotFound(f"account {line_id} not found")
    today = _staff_today(unit)
    view = portal.line_view(unit, borrower_id=borrower_id, line_id=line_id, today=today)
    who_party = svc.party(unit, borrower_id=borrower_id, cipher=field_cipher(request.app), reveal=reveal)
    history = [pair for pair in portal.contact_log(unit, borrower_id=borrower_id) if pair[0] == view.debt_id]
    return {"line": view, "party": who_party, "history": history,
            "complaints": [c for c in complaints.list_for_borrower(unit.connection, borrower_id=str(borrower_id),
                                                                    now=unit.clock())],
            "plan_requests": plan_requests.requests_of(unit.connection, borrower_id=str(borrower_id)),
            "can_reveal": bool(who.roles & set(access_log.REVEAL_ROLES)), "error": None}


@router.get("/accounts/{line_id}", response_class=HTMLResponse)
def account_page(request: Request, line_id: int = Path(ge=1, le=2**31 - 1), who=Depends(requires(*STAFF_ANY)),
                 unit=Depends(uow)) -> HTMLResponse:
    return render(request, "console/account.html", _account_context(request, unit, who, line_id, reveal=False))


@router.post("/accounts/{line_id}/reveal", response_class=HTMLResponse)
def account_reveal(request: Request, line_id: int = Path(ge=1, le=2**31 - 1), purpose: str = Form("", max_length=255),
                   who=Depends(requires("supervisor", "compliance", "admin")), unit=Depends(uow)) -> HTMLResponse:
    """Show the PII unmasked, after writing who, when, which fields and why to the access log."""
    from fairdue.service import access_log

    ctx = _account_context(request, unit, who, line_id, reveal=True)
    try:
        access_log.record(unit.connection, staff_id=who.staff_id, borrower_id=str(ctx["party"].borrower_id),
                          fields=["name", "id_number", "mobiles"], purpose=purpose, route=request.url.path,
                          now=unit.clock())
    except access_log.PurposeRequired as err:
        ctx = _account_context(request, unit, who, line_id, reveal=False)
        ctx["error"] = str(err)
        return render(request, "console/account.html", ctx, status_code=422)
    unit.commit()
    return render(request, "console/account.html", ctx, headers={"Cache-Control": "no-store"})


@router.get("/access-log", response_class=HTMLResponse)
def access_log_page(request: Request, who=Depends(requires("compliance", "admin")), unit=Depends(uow)) -> HTMLResponse:
    from fairdue.service import access_log

    return render(request, "console/access_log.html", {"entries": access_log.entries(unit.connection)})


# --- repayment-plan requests ------------------------------------------------------------------

@router.get("/plan-requests", response_class=HTMLResponse)
def plan_requests_page(request: Request, who=Depends(requires(*STAFF_ANY)), unit=Depends(uow)) -> HTMLResponse:
    from fairdue.service import plan_requests

    return render(request, "console/plan_requests.html",
                  {"items": plan_requests.pending(unit.connection),
                   "can_decide": bool(who.roles & {"supervisor", "admin"})})


@router.post("/plan-requests/{request_id}/{decision}")
def plan_request_decide(request: Request, request_id: int = Path(ge=1, le=2**31 - 1),
                        decision: str = Path(pattern="^(approve|decline)$"),
                        who=Depends(requires("supervisor", "admin")), unit=Depends(uow)) -> Response:
    from fairdue.service import plan_requests

    plan_requests.decide(unit.connection, request_id=request_id, approve=decision == "approve",
                         actor=f"staff:{who.username}", now=unit.clock())
    unit.commit()
    return RedirectResponse("/console/plan-requests", status_code=303)
