"""Agent console pages: login, compose with a live gate verdict."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairdue.adapters.db.views import cases as case_reads
from fairdue.adapters.db.views import compliance_dashboard
from fairdue.domain.contact_facts import ContactFactInvalid
from fairdue.domain.money import ExcessPrecision, Money, MoneyError
from fairdue.errors import FairdueError, Invalid
from fairdue.service.collections import assignment, call_outcomes
from fairdue.service.collections.case_view import CaseNotFound, case_view
from fairdue.service.collections.engine import UnknownCase, agent_queue, judge_call_task
from fairdue.service.collections.promises import PROMISE_DAYS_MAX, PromiseInvalid, record_promise
from fairdue.service.contact.facts import FactAlreadyEnded, UnknownFact, end_fact
from fairdue.service.portal import complaints, data_rights
from fairdue.service.portal import lines as portal
from fairdue.service.servicing import plan_requests
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.servicing.plans import accept_plan, propose_plans_for_account
from fairdue.service.staff import access_log, audit_trail
from fairdue.service.staff import auth as auth_service
from fairdue.service.staff import console as svc
from fairdue.service.staff.auth import Principal
from fairdue.web import compose, contact
from fairdue.web.api.staff.auth import open_staff_session, set_session_cookie
from fairdue.web.auth import (
    CALL_ROLES,
    PLAN_DECIDERS,
    STAFF_ANY,
    Caller,
    Unit,
    end_session,
    requires,
    same_origin_login,
    second_factor_enforced,
    session_token,
)
from fairdue.web.compose import ComposeForm
from fairdue.web.deps import field_cipher
from fairdue.web.i18n import translate
from fairdue.web.problems import Conflict, Forbidden, NotFound, problem_from, status_for
from fairdue.web.ratelimit import RateLimitUnavailable, TooManyAttempts, refusal
from fairdue.web.templating import render

router = APIRouter(prefix="/console")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "console/login.html", {"error": None})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(same_origin_login)])
def login_submit(
    request: Request,
    username: str = Form(..., max_length=64),
    password: str = Form(..., max_length=256),
    second_factor: str = Form("", max_length=32),
) -> Response:
    """Unknown user, wrong password or code, and a locked user all get the same page (no unit of work here: the
    service's own short ones keep argon2 outside any transaction)."""
    try:
        new = open_staff_session(request, username=username, password=password, second_factor=second_factor or None)
    except auth_service.InvalidCredentials:
        return render(request, "console/login.html", {"error": "login.wrong"}, status_code=401)
    except (TooManyAttempts, RateLimitUnavailable) as err:
        error, status, headers = refusal(err)
        return render(request, "console/login.html", {"error": error}, status_code=status, headers=headers)
    setup_first = new.principal.second_factor_missing and second_factor_enforced(request)
    response = RedirectResponse("/console/totp" if setup_first else "/console", 303)
    set_session_cookie(request, response, new)
    return response


@router.post("/logout")
def logout(request: Request, who: Caller, unit: Unit) -> Response:
    return end_session(request, unit, redirect_to="/console/login")


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, who: Caller) -> HTMLResponse:
    if who.kind != "staff":
        raise Forbidden("this page is for lender staff", reason="staff_only")
    return render(request, "console/password.html", {"error": None, "done": False})


@router.post("/password", response_class=HTMLResponse)
def password_submit(
    request: Request,
    who: Caller,
    current_password: str = Form(..., max_length=256),
    new_password: str = Form(..., max_length=256),
    repeat_password: str = Form(..., max_length=256),
) -> HTMLResponse:
    """Change one's password: the current one, a strong new one twice; one's other sessions end."""
    if who.kind != "staff" or who.staff_id is None:
        raise Forbidden("this page is for lender staff", reason="staff_only")
    if new_password != repeat_password:
        return render(request, "console/password.html", {"error": "password.mismatch", "done": False}, status_code=422)
    core = request.app.state.core
    token, _ = session_token(request)
    try:
        auth_service.change_password(
            core.uow_factory,
            staff_id=who.staff_id,
            current_password=current_password,
            new_password=new_password,
            keep_token=token,
            now=core.clock(),
        )
    except auth_service.WeakPassword as err:
        ctx = {"error": "password." + err.reason, "done": False}
        return render(request, "console/password.html", ctx, status_code=status_for(err))
    except auth_service.WrongCurrentPassword as err:
        ctx = {"error": "password.wrong_current", "done": False}
        return render(request, "console/password.html", ctx, status_code=status_for(err))
    return render(request, "console/password.html", {"error": None, "done": True})


@router.get("/totp", response_class=HTMLResponse)
def totp_page(request: Request, who: Caller, unit: Unit) -> HTMLResponse:
    """The second factor: set it up (required for supervisors, compliance and admins), or see that it is on."""
    if who.kind != "staff" or who.staff_id is None:
        raise Forbidden("this page is for lender staff", reason="staff_only")
    enabled = auth_service.second_factor_enabled(unit, staff_id=who.staff_id)
    ctx = {"enabled": enabled, "enrolment": None, "codes": None, "error": None}
    return render(request, "console/totp.html", ctx)


@router.post("/totp", response_class=HTMLResponse)
def totp_begin(request: Request, who: Caller, unit: Unit) -> HTMLResponse:
    if who.kind != "staff" or who.staff_id is None:
        raise Forbidden("this page is for lender staff", reason="staff_only")
    try:
        enrolment = auth_service.begin_totp_enrolment(unit, staff_id=who.staff_id)
    except auth_service.TotpAlreadyEnabled as err:
        ctx = {"enabled": True, "enrolment": None, "codes": None, "error": "totp.already"}
        return render(request, "console/totp.html", ctx, status_code=status_for(err))
    unit.commit()
    ctx = {"enabled": False, "enrolment": enrolment, "codes": None, "error": None}
    return render(request, "console/totp.html", ctx, headers={"Cache-Control": "no-store"})


@router.post("/totp/confirm", response_class=HTMLResponse)
def totp_confirm(request: Request, who: Caller, unit: Unit, code: str = Form(..., max_length=12)) -> HTMLResponse:
    if who.kind != "staff" or who.staff_id is None:
        raise Forbidden("this page is for lender staff", reason="staff_only")
    try:
        codes = auth_service.confirm_totp(unit, staff_id=who.staff_id, code=code.strip(), now=unit.clock())
    except (auth_service.InvalidTotpCode, auth_service.TotpNotPending, auth_service.TotpAlreadyEnabled) as err:
        ctx = {"enabled": False, "enrolment": None, "codes": None, "error": "totp.bad_code"}
        return render(request, "console/totp.html", ctx, status_code=status_for(err))
    unit.commit()
    ctx = {"enabled": True, "enrolment": None, "codes": codes, "error": None}
    return render(request, "console/totp.html", ctx, headers={"Cache-Control": "no-store"})


@router.get("", response_class=HTMLResponse)
def console_home(request: Request, who=Depends(requires(*STAFF_ANY))) -> HTMLResponse:
    return render(request, "console/home.html")


# --- compose with a live gate verdict ---------------------------------------------------------
# The form names the debt, the recipient, channel, purpose, time and text; who the recipient is, their
# time zones, the jurisdiction and every stored fact come from the request builder (web.contact.built_for).


def _compose_form(
    template: str = Form("", max_length=64),
    channel: str = Form("sms", max_length=16),
    purpose: str = Form("collection", max_length=16),
    address: str = Form("", max_length=320),
    at_local: str = Form("", max_length=32),
    language: str = Form("zh", max_length=8),
    text: str = Form("", max_length=4000),
    debt_id: str = Form("", max_length=64),
) -> ComposeForm:
    return ComposeForm(
        template=template,
        channel=channel,
        purpose=purpose,
        address=address,
        at_local=at_local,
        language=language,
        text=text,
        debt_id=debt_id,
    )


ComposeInput = Annotated[ComposeForm, Depends(_compose_form)]


@router.get("/compose", response_class=HTMLResponse)
def compose_page(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    template: str = "cn_overdue_zh",
    address: str = "",
    debt_id: str = "",
    account: int | None = Query(None, ge=1, le=2**31 - 1),
) -> HTMLResponse:
    if account is not None:
        assignment.require_account(unit, who=who, account_id=account)
        address, debt_id = f"{compose.ACCOUNT_REF_PREFIX}{account}", debt_id_for_line(account)
    form = compose.ComposeForm.from_template(
        template[:64], now=request.app.state.core.clock(), address=address[:320], debt_id=debt_id[:64]
    )
    return render(
        request,
        "console/compose.html",
        {"form": form, "c": compose, "verdict": None, "account": account if form.account() else None},
    )


def _verdict_context(verdict: dict, composed: contact.Composed, form: ComposeForm) -> dict:
    """What the verdict partial shows: the decision, the stored facts used (read-only), and whether the address
    is on file for the debt (if not, the form to record its lawful source)."""
    built = composed.built
    return {
        "verdict": verdict,
        "form": form,
        "zone": composed.zone,
        "facts": built.facts_used(),
        "not_on_file": built.borrower is not None and not (built.recipient and built.recipient.on_file),
        "debt_on_file": built.borrower is not None,
        "c": compose,
    }


@router.post("/compose/verdict", response_class=HTMLResponse)
def compose_verdict(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    form: ComposeInput,
) -> HTMLResponse:
    verdict, composed = contact.verdict(unit, form, cipher=field_cipher(request.app), who=who)
    return render(request, "console/_verdict.html", _verdict_context(verdict, composed, form))


@router.post("/compose/send", response_class=HTMLResponse)
def compose_send(
    request: Request,
    who: Annotated[Principal, Depends(requires("agent", "supervisor"))],
    unit: Unit,
    form: ComposeInput,
) -> HTMLResponse:
    """Hand the message to the contact service: the request is built from stored facts again, the gate decides,
    the decision is logged, and only an allowed message is queued."""
    outcome = contact.send(unit, form=form, cipher=field_cipher(request.app), who=who)
    return render(
        request,
        "console/_sent.html",
        {"outcome": outcome, "form": form, "verdict": outcome.decision},
        status_code=200 if outcome.sent else 422,
    )


@router.post("/compose/address", response_class=HTMLResponse)
def compose_record_address(
    request: Request,
    who: Annotated[Principal, Depends(requires("agent", "supervisor"))],
    unit: Unit,
    form: ComposeInput,
    source: str = Form("", max_length=32),
) -> HTMLResponse:
    """Record the lawful source of an address not on file for the debt; it is then the borrower's, with that
    source, for every later request. A device contact list or an unknown source is refused (422)."""
    cipher = field_cipher(request.app)
    try:
        contact.record_address(
            unit, debt_id=form.debt_id, address=form.address, source=source, staff=who, cipher=cipher
        )
    except Invalid as err:
        return render(request, "console/_address_refused.html", {"error": str(err)}, status_code=422)
    unit.commit()
    verdict, composed = contact.verdict(unit, form, cipher=cipher, who=who)
    return render(request, "console/_verdict.html", _verdict_context(verdict, composed, form))


# --- complaint queue with SLA timers ----------------------------------------------------------

COMPLAINT_HANDLERS = ("supervisor", "compliance")


@router.get("/complaints", response_class=HTMLResponse)
def complaint_queue(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    include_decided: bool = False,
) -> HTMLResponse:
    items = complaints.queue(unit, now=unit.clock(), include_decided=include_decided, limit=200)
    return render(
        request,
        "console/complaints.html",
        {"items": items, "include_decided": include_decided, "is_escalated": complaints.is_escalated},
    )


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_view(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    complaint_id: int = Path(ge=1, le=2**31 - 1),
) -> HTMLResponse:
    c = complaints.get(unit, complaint_id=complaint_id, now=unit.clock())
    can_handle = bool(who.roles & set(COMPLAINT_HANDLERS))
    return render(request, "console/complaint.html", {"c": c, "can_handle": can_handle, "error": None})


@router.post("/complaints/{complaint_id}/escalate", response_class=HTMLResponse)
def complaint_escalate(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    complaint_id: int = Path(ge=1, le=2**31 - 1),
    text: str = Form("", max_length=5000),
) -> Response:
    try:
        complaints.escalate(
            unit,
            complaint_id=complaint_id,
            actor=f"staff:{who.username}",
            note=text,
            now=unit.clock(),
            staff=audit_trail.actor_of(who, via="console"),
        )
    except complaints.ComplaintNotFound:
        raise
    except complaints.ComplaintError as err:
        c = complaints.get(unit, complaint_id=complaint_id, now=unit.clock())
        return render(
            request,
            "console/complaint.html",
            {"c": c, "can_handle": bool(who.roles & set(COMPLAINT_HANDLERS)), "error": str(err)},
            status_code=status_for(err),
        )
    unit.commit()
    return RedirectResponse(f"/console/complaints/{complaint_id}", status_code=303)


@router.post("/complaints/{complaint_id}/{action}", response_class=HTMLResponse)
def complaint_action(
    request: Request,
    who: Annotated[Principal, Depends(requires(*COMPLAINT_HANDLERS))],
    unit: Unit,
    action: str = Path(pattern="^(take|complex|extend|decide)$"),
    complaint_id: int = Path(ge=1, le=2**31 - 1),
    text: str = Form("", max_length=5000),
) -> Response:
    now, actor = unit.clock(), f"staff:{who.username}"
    by = {"complaint_id": complaint_id, "actor": actor, "now": now, "staff": audit_trail.actor_of(who, via="console")}
    try:
        if action == "take":
            complaints.take(unit, staff_id=who.staff_id, **by)
        elif action == "complex":
            complaints.mark_complex(unit, reason=text, **by)
        elif action == "extend":
            complaints.extend(unit, notice=text, **by)
        else:
            complaints.record_decision(unit, decision=text, **by)
    except complaints.ComplaintNotFound:
        raise
    except complaints.ComplaintError as err:
        c = complaints.get(unit, complaint_id=complaint_id, now=now)
        return render(
            request,
            "console/complaint.html",
            {"c": c, "can_handle": True, "error": str(err)},
            status_code=status_for(err),
        )
    unit.commit()
    return RedirectResponse(f"/console/complaints/{complaint_id}", status_code=303)


# --- compliance dashboard ---------------------------------------------------------------------


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(
    request: Request,
    who: Annotated[Principal, Depends(requires("compliance", "supervisor", "admin"))],
    unit: Unit,
    days: int = Query(30, ge=1, le=366),
) -> HTMLResponse:
    import json

    lang = request.state.lang
    d = compliance_dashboard.build(unit.connection, now=unit.clock(), window_days=days)
    t = lambda key: translate(lang, key)  # noqa: E731
    charts = {
        "charts": [
            {
                "canvas": "chart-category",
                "type": "bar",
                "indexAxis": "y",
                "labels": [t("category." + c) for c, _ in d.denials_by_category],
                "datasets": [
                    {
                        "label": t("dash.denials"),
                        "data": [n for _, n in d.denials_by_category],
                        "backgroundColor": "#b3261e",
                    }
                ],
            },
            {
                "canvas": "chart-rule",
                "type": "bar",
                "indexAxis": "y",
                "labels": [r for r, _ in d.denials_by_rule],
                "datasets": [
                    {
                        "label": t("dash.denials"),
                        "data": [n for _, n in d.denials_by_rule],
                        "backgroundColor": "#8a5a00",
                    }
                ],
            },
            {
                "canvas": "chart-volume",
                "type": "bar",
                "stacked": True,
                "labels": [x[5:] for x in d.days],
                "datasets": [
                    {"label": t("verdict.allowed"), "data": list(d.allowed_by_day), "backgroundColor": "#1e7b45"},
                    {"label": t("verdict.denied"), "data": list(d.denied_by_day), "backgroundColor": "#b3261e"},
                ],
            },
            {
                "canvas": "chart-age",
                "type": "bar",
                "labels": [t("dash.age_days").format(range=label) for label, _ in d.complaints_by_age],
                "datasets": [
                    {
                        "label": t("dash.open_complaints"),
                        "data": [n for _, n in d.complaints_by_age],
                        "backgroundColor": "#24527a",
                    }
                ],
            },
        ]
    }
    return render(
        request,
        "console/dashboard.html",
        {"d": d, "days": days, "chart_json": json.dumps(charts, ensure_ascii=False).replace("</", "<\\/")},
    )


# --- queue and account view (PII masked; reveal is logged) ------------------------------------


def _staff_today(unit) -> object:
    from zoneinfo import ZoneInfo

    return unit.clock().astimezone(ZoneInfo("Asia/Shanghai")).date()


@router.get("/queue", response_class=HTMLResponse)
def queue_page(request: Request, who: Annotated[Principal, Depends(requires(*STAFF_ANY))], unit: Unit) -> HTMLResponse:
    """Day-end's delinquent lines (bucket and DPD as day-end computed them) and the caller's call tasks."""
    today = _staff_today(unit)
    return render(
        request,
        "console/queue.html",
        {
            "items": case_reads.delinquency_queue(unit.connection),
            "tasks": agent_queue(unit, agent_id=who.staff_id),
            "today": today,
        },
    )


def _account_context(request: Request, unit, who, line_id: int, *, reveal: bool) -> dict:
    borrower_id = svc.borrower_of_line(unit, line_id)
    if borrower_id is None:
        raise NotFound(f"account {line_id} not found")
    today = _staff_today(unit)
    view = portal.line_view(unit, borrower_id=borrower_id, line_id=line_id, today=today)
    who_party = svc.party(unit, borrower_id=borrower_id, cipher=field_cipher(request.app), reveal=reveal)
    history = [pair for pair in portal.contact_log(unit, borrower_id=borrower_id) if pair[0] == view.debt_id]
    return {
        "line": view,
        "party": who_party,
        "history": history,
        "complaints": [c for c in complaints.list_for_borrower(unit, borrower_id=borrower_id, now=unit.clock())],
        "plan_requests": plan_requests.requests_of(unit, borrower_id=borrower_id),
        "can_reveal": bool(who.roles & set(access_log.REVEAL_ROLES)),
        "reveal_purposes": access_log.REVEAL_PURPOSES,
        "error": None,
        "case_id": case_reads.case_id_for_line(unit.connection, line_id=line_id),
    }


@router.get("/accounts/{line_id}", response_class=HTMLResponse)
def account_page(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    line_id: int = Path(ge=1, le=2**31 - 1),
) -> HTMLResponse:
    return render(request, "console/account.html", _account_context(request, unit, who, line_id, reveal=False))


@router.post("/accounts/{line_id}/reveal", response_class=HTMLResponse)
def account_reveal(
    request: Request,
    who: Annotated[Principal, Depends(requires("supervisor", "compliance", "admin"))],
    unit: Unit,
    line_id: int = Path(ge=1, le=2**31 - 1),
    purpose: str = Form("", max_length=64),
    detail: str = Form("", max_length=1000),
) -> HTMLResponse:
    """Show the PII unmasked, after writing who, when, which fields and why (a listed purpose and a meaningful
    detail) to the access log and the staff audit trail."""
    ctx = _account_context(request, unit, who, line_id, reveal=True)
    try:
        access_log.record(
            unit,
            staff_id=who.staff_id,
            borrower_id=ctx["party"].borrower_id,
            fields=["name", "id_number", "mobiles"],
            purpose=purpose,
            detail=detail,
            route=request.url.path,
            now=unit.clock(),
        )
    except access_log.PurposeRequired as err:
        ctx = _account_context(request, unit, who, line_id, reveal=False)
        ctx["error"] = translate(request.state.lang, "reveal.refused." + err.code)
        return render(request, "console/account.html", ctx, status_code=status_for(err))
    unit.commit()
    return render(request, "console/account.html", ctx, headers={"Cache-Control": "no-store"})


@router.get("/access-log", response_class=HTMLResponse)
def access_log_page(
    request: Request, who: Annotated[Principal, Depends(requires("compliance", "admin"))], unit: Unit
) -> HTMLResponse:
    return render(request, "console/access_log.html", {"entries": access_log.entries(unit)})


@router.get("/staff-audit", response_class=HTMLResponse)
def staff_audit_page(
    request: Request,
    who: Annotated[Principal, Depends(requires(*audit_trail.AUDIT_READERS))],
    unit: Unit,
    staff_id: int | None = Query(None, ge=1, le=2**31 - 1),
    action: str = Query("", max_length=40, pattern=r"^[a-z_.]*$"),
) -> HTMLResponse:
    """The staff audit trail, newest first, filtered by staff member and/or action (compliance, admin)."""
    chosen = action or None
    if chosen is not None and chosen not in audit_trail.ACTIONS:
        raise problem_from(audit_trail.AuditFilterInvalid(f"unknown action {action!r}"))
    return render(
        request,
        "console/staff_audit.html",
        {
            "entries": audit_trail.entries(unit, staff_id=staff_id, action=chosen),
            "staff_choices": audit_trail.staff_filter(unit),
            "actions": audit_trail.ACTIONS,
            "staff_id": staff_id,
            "action": chosen,
        },
        headers={"Cache-Control": "no-store"},
    )


# --- repayment-plan requests ------------------------------------------------------------------


@router.get("/plan-requests", response_class=HTMLResponse)
def plan_requests_page(
    request: Request, who: Annotated[Principal, Depends(requires(*STAFF_ANY))], unit: Unit
) -> HTMLResponse:
    return render(
        request,
        "console/plan_requests.html",
        {"items": plan_requests.pending(unit), "can_decide": bool(who.roles & {"supervisor", "admin"})},
    )


@router.post("/plan-requests/{request_id}/{decision}")
def plan_request_decide(
    request: Request,
    who: Annotated[Principal, Depends(requires("supervisor", "admin"))],
    unit: Unit,
    request_id: int = Path(ge=1, le=2**31 - 1),
    decision: str = Path(pattern="^(approve|decline)$"),
) -> Response:
    plan_requests.decide(
        unit,
        request_id=request_id,
        approve=decision == "approve",
        actor=f"staff:{who.username}",
        now=unit.clock(),
        staff=audit_trail.actor_of(who, via="console"),
    )
    unit.commit()
    return RedirectResponse("/console/plan-requests", status_code=303)


# --- data-rights requests: which contact fact a request names; staff end it and answer the request ----------

FACT_ENDERS = ("supervisor", "compliance", "admin")  # who may end a contact fact a borrower asked about
DATA_ANSWERERS = FACT_ENDERS  # ... and answer a data-rights request (agents only read)


def _data_requests_context(
    unit,
    who,
    *,
    error: str | None = None,
    done: int | None = None,
    answered: int | None = None,
    revealed: dict[int, str | None] | None = None,
) -> dict:
    can = bool(who.roles & set(DATA_ANSWERERS))
    return {
        "items": data_rights.open_requests(unit),
        "answered_items": data_rights.answered_requests(unit),
        "can_reveal": bool(who.roles & set(access_log.REVEAL_ROLES)),
        "reveal_purposes": access_log.REVEAL_PURPOSES,
        "revealed": revealed or {},
        "can_end": bool(who.roles & set(FACT_ENDERS)),
        "can_answer": can,
        "outcomes": data_rights.ANSWER_OUTCOMES,
        "error": error,
        "done": done,
        "answered": answered,
    }


@router.get("/data-requests", response_class=HTMLResponse)
def data_requests_page(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    done: int | None = Query(None, ge=1, le=2**31 - 1),
    answered: int | None = Query(None, ge=1, le=2**31 - 1),
) -> HTMLResponse:
    """Unanswered data-rights requests, with the contact fact each names (if any); then the latest answered."""
    return render(
        request, "console/data_requests.html", _data_requests_context(unit, who, done=done, answered=answered)
    )


@router.post("/data-requests/{request_id}/answer", response_class=HTMLResponse)
def data_request_answer(
    request: Request,
    who: Annotated[Principal, Depends(requires(*DATA_ANSWERERS))],
    unit: Unit,
    request_id: int = Path(ge=1, le=2**31 - 1),
    outcome: str = Form(..., max_length=16),
    note: str = Form("", max_length=2000),
) -> Response:
    """A staff member answers a request (done, partly done, refused with the reason); the borrower sees it."""
    try:
        data_rights.answer_request(
            unit,
            request_id=request_id,
            outcome=outcome,
            note=note,
            staff=who.username,
            now=unit.clock(),
            actor=audit_trail.actor_of(who, via="console"),
        )
    except data_rights.DataRightsError as err:
        if not isinstance(err, Invalid):  # not found, answered already: a problem, not the form again
            raise problem_from(err) from None
        return render(
            request,
            "console/data_requests.html",
            _data_requests_context(unit, who, error=str(err)),
            status_code=status_for(err),
        )
    unit.commit()
    return RedirectResponse(f"/console/data-requests?answered={request_id}", status_code=303)


@router.post("/data-requests/{request_id}/end-fact", response_class=HTMLResponse)
def data_request_end_fact(
    request: Request,
    who: Annotated[Principal, Depends(requires(*FACT_ENDERS))],
    unit: Unit,
    request_id: int = Path(ge=1, le=2**31 - 1),
    reason: str = Form("", max_length=400),
) -> Response:
    """A staff member ends the contact fact a borrower's request names (facts.end_fact: who and why stay on
    the row) and, in the same transaction, answers the request as done with that reason. Only a fact of the
    requesting borrower, named by an unanswered request, can be ended here."""
    found = data_rights.get_request(unit, request_id=request_id)
    if found is None:
        raise NotFound(f"data request {request_id} not found")
    if found["status"] != "received":
        raise Conflict(f"data request {request_id} was answered already ({found['status']})")
    fact = found["fact"]
    if fact is None:
        raise Conflict(f"data request {request_id} names no contact fact of its borrower")
    try:
        end_fact(
            unit,
            fact_id=fact["id"],
            ended_by=who.username,
            reason=f"data request #{request_id}: {reason.strip()}" if reason.strip() else "",
            actor=audit_trail.actor_of(who, via="console"),
        )
        data_rights.answer_request(
            unit,
            request_id=request_id,
            outcome="done",
            note=reason,
            staff=who.username,
            now=unit.clock(),
            actor=audit_trail.actor_of(who, via="console"),
        )
    except UnknownFact as err:  # the request's own fact is gone: the addressed thing is missing
        raise NotFound(str(err)) from None
    except (FactAlreadyEnded, data_rights.DataRequestAnswered) as err:  # decided already: asking again won't help
        raise Conflict(str(err)) from None
    except (ContactFactInvalid, data_rights.DataRightsError) as err:
        return render(
            request,
            "console/data_requests.html",
            _data_requests_context(unit, who, error=str(err)),
            status_code=status_for(err),
        )
    unit.commit()
    return RedirectResponse(f"/console/data-requests?done={fact['id']}", status_code=303)


@router.post("/data-requests/{request_id}/reveal-value", response_class=HTMLResponse)
def data_request_reveal_value(
    request: Request,
    who: Annotated[Principal, Depends(requires(*access_log.REVEAL_ROLES))],
    unit: Unit,
    request_id: int = Path(ge=1, le=2**31 - 1),
    purpose: str = Form("", max_length=64),
    detail: str = Form("", max_length=1000),
) -> HTMLResponse:
    """Show the value a correction request asks for (personal data, stored encrypted), after writing who, when
    and why to the access log and the staff audit trail (ASVS V8.3.5)."""
    found = data_rights.get_request(unit, request_id=request_id)
    if found is None:
        raise NotFound(f"data request {request_id} not found")
    try:
        access_log.record(
            unit,
            staff_id=who.staff_id,
            borrower_id=found["borrower_id"],
            fields=[f"correction_value:{found['details'].get('field', 'other')}"[:64]],
            purpose=purpose,
            detail=detail,
            route=request.url.path,
            now=unit.clock(),
        )
    except access_log.PurposeRequired as err:
        error = translate(request.state.lang, "reveal.refused." + err.code)
        ctx = _data_requests_context(unit, who, error=error)
        return render(request, "console/data_requests.html", ctx, status_code=status_for(err))
    value = data_rights.correction_value(unit, request_id=request_id, cipher=field_cipher(request.app))
    unit.commit()
    ctx = _data_requests_context(unit, who, revealed={request_id: value})
    return render(request, "console/data_requests.html", ctx, headers={"Cache-Control": "no-store"})


# --- collection cases: case view, call outcomes, promises, staff plan proposals ----------------


def _case_context(request: Request, unit, who, case_id: int, **extra) -> dict:
    try:
        view = case_view(unit, case_id=case_id)
    except CaseNotFound as err:
        raise problem_from(err) from None

    today = _staff_today(unit)
    ctx = {
        "v": view,
        "today": today,
        "can_call": _may_work_case(unit, who, view.case.account_id),
        "call_outcomes": case_reads.call_outcomes_of_case(
            unit.connection, case_id=view.case.id, debt_id=debt_id_for_line(view.case.account_id)
        ),
        "can_decide_plan": bool(who.roles & set(PLAN_DECIDERS)),
        "promise_errors": [],
        "promise_form": {},
        "promise_days_max": _promise_days_max(),
    }
    ctx.update(extra)
    return ctx


def _promise_days_max() -> int:
    return PROMISE_DAYS_MAX


def _may_work_case(unit, who, account_id: int) -> bool:
    """Whether to offer call and promise actions: a call role, and the shared assignment rule (a supervisor any
    case, an agent only the open case assigned to them). The routes enforce it (assignment.require_account)."""
    return bool(who.roles & set(CALL_ROLES)) and assignment.may_work_account(unit, who=who, account_id=account_id)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    case_id: int = Path(ge=1, le=2**31 - 1),
) -> HTMLResponse:
    return render(request, "console/case.html", _case_context(request, unit, who, case_id))


@router.get("/accounts/{line_id}/case")
def account_case(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    line_id: int = Path(ge=1, le=2**31 - 1),
) -> Response:
    case_id = case_reads.case_id_for_line(unit.connection, line_id=line_id)
    if case_id is None:
        raise NotFound(f"account {line_id} has no collection case")
    return RedirectResponse(f"/console/cases/{case_id}", status_code=303)


def _promise_input(
    lang: str, amount: str, promised_on: str, *, currency: str, today
) -> tuple[object, object, list[str]]:
    """Amount in major units (parsed exactly with Decimal) and a date within the promise horizon; errors in `lang`."""
    import datetime as dt

    errors: list[str] = []
    money = day = None
    text = amount.strip()
    if not text:
        errors.append(translate(lang, "promise.err.amount_missing"))
    else:
        try:
            money = Money.parse(text, currency)
        except ExcessPrecision:
            errors.append(translate(lang, "promise.err.amount_precision", currency=currency))
        except MoneyError:
            errors.append(translate(lang, "promise.err.amount_invalid", value=text[:32]))
        else:
            if money.amount_minor <= 0:
                errors.append(translate(lang, "promise.err.amount_positive"))
                money = None
    try:
        day = dt.date.fromisoformat(promised_on.strip())
    except ValueError:
        errors.append(translate(lang, "promise.err.date_invalid"))
    else:
        last = today + dt.timedelta(days=_promise_days_max())
        if not today <= day <= last:
            errors.append(translate(lang, "promise.err.date_range", first=today.isoformat(), last=last.isoformat()))
            day = None
    return money, day, errors


def _case_of_line(unit, line_id: int) -> int:
    case_id = case_reads.case_id_for_line(unit.connection, line_id=line_id)
    if case_id is None:
        raise NotFound(f"account {line_id} has no collection case")
    return case_id


@router.post("/accounts/{line_id}/promises", response_class=HTMLResponse)
def promise_submit(
    request: Request,
    who: Annotated[Principal, Depends(requires(*CALL_ROLES))],
    unit: Unit,
    line_id: int = Path(ge=1, le=2**31 - 1),
    amount: str = Form("", max_length=32),
    promised_on: str = Form("", max_length=16),
) -> Response:
    """A promise to pay taken outside a call task (e.g. the borrower called in)."""
    case_id = _case_of_line(unit, line_id)
    assignment.require_account(unit, who=who, account_id=line_id)  # ASVS V4.2.1: the agent's own case only
    ctx = _case_context(request, unit, who, case_id)
    money, day, errors = _promise_input(
        request.state.lang, amount, promised_on, currency=ctx["v"].currency, today=ctx["today"]
    )
    if not errors:
        try:
            record_promise(
                unit,
                account_id=line_id,
                amount=money,
                promised_on=day,
                business_on=ctx["today"],
                actor=audit_trail.actor_of(who, via="console"),
            )
        except PromiseInvalid as err:
            errors.append(str(err))
    if errors:
        ctx.update(promise_errors=errors, promise_form={"amount": amount, "promised_on": promised_on})
        return render(request, "console/case.html", ctx, status_code=422)
    unit.commit()
    return RedirectResponse(f"/console/cases/{case_id}#promises", status_code=303)


CALL_OUTCOMES = ("answered", "no_answer", "wrong_party", "promise", "refused")


def _task_context(request: Request, unit, who, action_id: int, **extra) -> dict:
    row = call_outcomes.task_row(unit, action_id=action_id)
    if row is None or row.channel != "call":
        raise NotFound(f"no call task {action_id}")
    assignment.require_account(unit, who=who, account_id=row.account_id)  # ASVS V4.2.1: the agent's own case only
    record = call_outcomes.gate_decision(unit, seq=row.decision_seq) or {}
    decision = record.get("decision") if isinstance(record.get("decision"), dict) else None
    ctx = {
        "task": row,
        "decision": decision,
        "decided_at": record.get("decided_at"),
        "outcomes": CALL_OUTCOMES,
        "currency": _line_currency(unit, row.account_id),
        "promise_days_max": _promise_days_max(),
        "errors": [],
        "form": {},
        "zone": _borrower_zone_name(record),
        "today": _staff_today(unit),
        "judgment_age_s_max": call_outcomes.JUDGMENT_AGE_S_MAX,
    }
    ctx.update(extra)
    return ctx


def _line_currency(unit, line_id: int) -> str:
    line = unit.accounts.line(line_id)
    if line is None:
        raise NotFound(f"account {line_id} not found")
    currency: str = line.currency
    return currency


def _borrower_zone_name(record: dict) -> str:
    zones = ((record.get("request") or {}).get("borrower") or {}).get("time_zones") or []
    return zones[0] if zones and isinstance(zones[0], str) else "Asia/Shanghai"


@router.get("/tasks/{action_id}", response_class=HTMLResponse)
def task_page(
    request: Request,
    who: Annotated[Principal, Depends(requires(*CALL_ROLES))],
    unit: Unit,
    action_id: int = Path(ge=1, le=2**31 - 1),
) -> HTMLResponse:
    return render(request, "console/task.html", _task_context(request, unit, who, action_id))


@router.post("/tasks/{action_id}/judge", response_class=HTMLResponse)
def task_judge(
    request: Request,
    who: Annotated[Principal, Depends(requires(*CALL_ROLES))],
    unit: Unit,
    action_id: int = Path(ge=1, le=2**31 - 1),
) -> HTMLResponse:
    """Ask the gate now, for this call (the decision is logged); the page shows the verdict."""
    _task_context(request, unit, who, action_id)  # exists, is a call, and is this caller's to work
    try:
        judge_call_task(unit, action_id=action_id, at=unit.clock(), cipher=field_cipher(request.app))
    except UnknownCase as err:
        # Not the table's 404: the task exists (checked above) but is no longer an open call task.
        raise Conflict(str(err)) from None
    unit.commit()
    return render(request, "console/task.html", _task_context(request, unit, who, action_id, judged=True))


@router.post("/tasks/{action_id}/outcome", response_class=HTMLResponse)
def task_outcome(
    request: Request,
    who: Annotated[Principal, Depends(requires(*CALL_ROLES))],
    unit: Unit,
    action_id: int = Path(ge=1, le=2**31 - 1),
    outcome: str = Form("", max_length=16),
    amount: str = Form("", max_length=32),
    promised_on: str = Form("", max_length=16),
) -> Response:
    """Log the outcome of a call the gate allowed (a promise is recorded with it); then back to the case."""
    lang = request.state.lang
    ctx = _task_context(request, unit, who, action_id)
    row = ctx["task"]
    errors: list[str] = []
    promise = None
    if outcome not in CALL_OUTCOMES:
        errors.append(translate(lang, "call.err.outcome"))
    elif outcome == "promise":
        money, day, errors = _promise_input(lang, amount, promised_on, currency=ctx["currency"], today=ctx["today"])
        promise = None if errors else (money, day)
    if not errors:
        try:
            call_outcomes.log_call_outcome(
                unit,
                action_id=action_id,
                outcome=outcome,
                staff_id=who.staff_id,
                now=unit.clock(),
                promise=promise,
                business_on=ctx["today"],
                actor=audit_trail.actor_of(who, via="console"),
            )
        except call_outcomes.CallOutcomeRefused as err:
            ctx.update(
                errors=[translate(lang, "call.err.not_allowed"), str(err)],
                form={"outcome": outcome, "amount": amount, "promised_on": promised_on},
            )
            return render(request, "console/task.html", ctx, status_code=status_for(err))
        except (call_outcomes.CallOutcomeInvalid, PromiseInvalid) as err:
            errors.append(str(err))
    if errors:
        ctx.update(errors=errors, form={"outcome": outcome, "amount": amount, "promised_on": promised_on})
        return render(request, "console/task.html", ctx, status_code=422)
    unit.commit()
    return RedirectResponse(f"/console/cases/{row.case_id}#actions", status_code=303)


# Staff plan proposals: any staff member may look; accepting restructures the debt (PLAN_DECIDERS).


def _plan_inputs(lang: str, income: str, expenses: str, currency: str) -> tuple[int | None, int | None, list[str]]:
    out, errors = [], []
    for name, text in (("income", income), ("expenses", expenses)):
        try:
            value = Money.parse(text.strip(), currency).amount_minor
            if value < 0:
                raise ValueError
        except (MoneyError, ValueError):
            errors.append(translate(lang, "plan.err." + name, value=text[:32]))
            value = None
        out.append(value)
    return out[0], out[1], errors


def _proposal_key(p) -> str:
    """What identifies a proposal on the form: the server re-proposes and accepts only the same plan."""
    return f"{p.kind}:{p.months}:{p.installment_max_minor}:{p.total_minor}:{p.waived_fees_minor}"


def _plans_context(request: Request, unit, who, line_id: int, income: str, expenses: str) -> dict:
    view = _account_context(request, unit, who, line_id, reveal=False)["line"]
    ctx = {
        "line": view,
        "income": income,
        "expenses": expenses,
        "proposals": [],
        "errors": [],
        "key": _proposal_key,
        "can_decide_plan": bool(who.roles & set(PLAN_DECIDERS)),
        "case_id": case_reads.case_id_for_line(unit.connection, line_id=line_id),
    }
    if not income and not expenses:
        return ctx
    inc, exp, errors = _plan_inputs(request.state.lang, income, expenses, view.currency)
    if errors:
        ctx["errors"] = errors
        return ctx
    try:
        ctx["proposals"] = propose_plans_for_account(
            unit, account_id=line_id, monthly_income_minor=inc, monthly_expenses_minor=exp, as_of=_staff_today(unit)
        )
    except FairdueError as err:
        ctx["errors"] = [str(err)]
    return ctx


@router.get("/accounts/{line_id}/plans", response_class=HTMLResponse)
def plans_page(
    request: Request,
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    line_id: int = Path(ge=1, le=2**31 - 1),
    income: str = Query("", max_length=32),
    expenses: str = Query("", max_length=32),
) -> HTMLResponse:
    ctx = _plans_context(request, unit, who, line_id, income, expenses)
    return render(request, "console/plans.html", ctx, status_code=422 if ctx["errors"] else 200)


@router.post("/accounts/{line_id}/plans/accept", response_class=HTMLResponse)
def plan_accept(
    request: Request,
    who: Annotated[Principal, Depends(requires(*PLAN_DECIDERS))],
    unit: Unit,
    line_id: int = Path(ge=1, le=2**31 - 1),
    income: str = Form("", max_length=32),
    expenses: str = Form("", max_length=32),
    proposal: str = Form("", max_length=200),
) -> Response:
    """Accept the proposal the supervisor saw: re-proposed from the same inputs and matched by its key."""
    ctx = _plans_context(request, unit, who, line_id, income, expenses)
    chosen = next((p for p in ctx["proposals"] if _proposal_key(p) == proposal), None)
    if not ctx["errors"] and chosen is None:
        ctx["errors"] = [translate(request.state.lang, "plan.err.changed")]
    if ctx["errors"]:
        return render(request, "console/plans.html", ctx, status_code=409 if chosen is None else 422)
    try:
        accept_plan(
            unit,
            account_id=line_id,
            proposal=chosen,
            business_on=_staff_today(unit),
            actor=audit_trail.actor_of(who, via="console"),
        )
    except FairdueError as err:  # already a plan, a stale proposal, a line in the wrong state
        ctx["errors"] = [str(err)]
        return render(request, "console/plans.html", ctx, status_code=409)
    unit.commit()
    target = f"/console/cases/{ctx['case_id']}#plans" if ctx["case_id"] else f"/console/accounts/{line_id}"
    return RedirectResponse(target, status_code=303)
