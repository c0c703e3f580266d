"""Borrower portal pages: login by phone and one-time code."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from fairdue.adapters.db.views import portal as portal_reads
from fairdue.adapters.db.views.portal import LineNotFound, borrower_jurisdiction
from fairdue.domain.contact_facts import ContactFactInvalid
from fairdue.domain.masking import mask_address, mask_id_number, mask_name
from fairdue.domain.money import Money
from fairdue.domain.statements import late_fee_minor
from fairdue.errors import FairdueError
from fairdue.policy.describe import describe_pack
from fairdue.service.borrower.registry import (
    add_emergency_contact,
    get_borrower,
    list_emergency_contacts,
    withdraw_emergency_consent,
)
from fairdue.service.contact.facts import TooManyFacts, list_facts, record_fact
from fairdue.service.portal import complaints, data_rights
from fairdue.service.portal import lines as svc
from fairdue.service.servicing import plan_requests as plans
from fairdue.service.servicing.accounts import get_account, product_of
from fairdue.service.staff import auth as auth_service
from fairdue.web import borrower_login
from fairdue.web.api.staff.auth import set_session_cookie
from fairdue.web.auth import BorrowerCaller, Caller, Unit, end_session, same_origin_login
from fairdue.web.deps import field_cipher
from fairdue.web.i18n import translate
from fairdue.web.problems import NotFound, status_for
from fairdue.web.ratelimit import RateLimitUnavailable, TooManyAttempts, refusal
from fairdue.web.templating import render

router = APIRouter(prefix="/portal")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request) -> HTMLResponse:
    return render(request, "portal/login.html", {"phone": "", "sent": False, "error": None})


@router.post("/login/code", response_class=HTMLResponse, dependencies=[Depends(same_origin_login)])
def send_code(request: Request, phone: str = Form(..., max_length=32)) -> Response:
    try:
        borrower_login.send_code(request, phone=phone)
    except auth_service.InvalidPhone as err:
        ctx = {"phone": phone, "sent": False, "error": "login.bad_phone"}
        return render(request, "portal/login.html", ctx, status_code=status_for(err))
    except auth_service.TooManyCodes as err:
        ctx = {"phone": phone, "sent": False, "error": "login.too_many"}
        return render(request, "portal/login.html", ctx, status_code=status_for(err))
    except (TooManyAttempts, RateLimitUnavailable) as err:
        error, status, headers = refusal(err)
        ctx = {"phone": phone, "sent": False, "error": error}
        return render(request, "portal/login.html", ctx, status_code=status, headers=headers)
    return render(request, "portal/login.html", {"phone": phone, "sent": True, "error": None})


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(same_origin_login)])
def login_submit(
    request: Request, phone: str = Form(..., max_length=32), code: str = Form(..., max_length=12)
) -> Response:
    try:
        new = borrower_login.login(request, phone=phone, code=code)
    except auth_service.InvalidCode as err:
        ctx = {"phone": phone, "sent": True, "error": "login.bad_code"}
        return render(request, "portal/login.html", ctx, status_code=status_for(err))
    except (TooManyAttempts, RateLimitUnavailable) as err:
        error, status, headers = refusal(err)
        ctx = {"phone": phone, "sent": True, "error": error}
        return render(request, "portal/login.html", ctx, status_code=status, headers=headers)
    response = RedirectResponse("/portal", status_code=303)
    set_session_cookie(request, response, new)
    return response


@router.post("/logout")
def logout(request: Request, who: Caller, unit: Unit) -> Response:
    return end_session(request, unit, redirect_to="/portal/login")


@router.get("", response_class=HTMLResponse)
def portal_home(request: Request, who: BorrowerCaller, unit: Unit) -> HTMLResponse:
    """My bill: each line's amount due today, overdue part, payoff, statement, plans with true APR."""
    today = portal_reads.borrower_today(unit.connection, who.borrower_id, unit.clock())
    lines = svc.lines_of(unit, borrower_id=who.borrower_id, today=today)
    return render(request, "portal/home.html", {"lines": lines, "today": today})


@router.get("/late", response_class=HTMLResponse)
def late_page(request: Request, who: BorrowerCaller, unit: Unit) -> HTMLResponse:
    """What happens if I'm late: from my product and my jurisdiction's pack."""
    lang = request.state.lang
    today = portal_reads.borrower_today(unit.connection, who.borrower_id, unit.clock())
    jurisdiction = borrower_jurisdiction(unit.connection, who.borrower_id)
    products, seen = [], set()
    for line_id in portal_reads.line_ids_of(unit.connection, who.borrower_id):
        product = product_of(unit, get_account(unit, line_id=line_id))
        if product.code in seen:
            continue
        seen.add(product.code)
        view = svc.line_view(unit, borrower_id=who.borrower_id, line_id=line_id, today=today)
        minimum = view.statement.minimum_due_minor if view.statement is not None else 0
        products.append(
            {
                "product": product,
                "example_minimum_minor": minimum,
                "example_fee_minor": late_fee_minor(minimum, product) if minimum else None,
            }
        )
    rules = describe_pack(jurisdiction, "zh" if lang == "zh" else "en")
    return render(request, "portal/late.html", {"products": products, "rules": rules, "jurisdiction": jurisdiction})


@router.get("/contacts", response_class=HTMLResponse)
def contacts_page(request: Request, who: BorrowerCaller, unit: Unit) -> HTMLResponse:
    """My contact log: every decision about contacting anyone about my debts, allowed or denied."""
    items = svc.contact_log(unit, borrower_id=who.borrower_id)
    return render(request, "portal/contacts.html", {"items": items})


# --- complaints -------------------------------------------------------------------------------


@router.get("/complaints", response_class=HTMLResponse)
def complaints_page(request: Request, who: BorrowerCaller, unit: Unit) -> HTMLResponse:
    items = complaints.list_for_borrower(unit, borrower_id=who.borrower_id, now=unit.clock())
    return render(request, "portal/complaints.html", {"items": items, "svc": complaints, "error": None})


@router.post("/complaints", response_class=HTMLResponse)
async def complaints_file(request: Request, who: BorrowerCaller, unit: Unit) -> Response:
    from starlette.datastructures import UploadFile

    form = await request.form(max_files=complaints.EVIDENCE_FILES_MAX + 1, max_fields=20)
    category = str(form.get("category") or "")
    text = str(form.get("text") or "")
    evidence = []
    for item in form.getlist("evidence"):
        if isinstance(item, UploadFile) and item.filename:
            content = await item.read(complaints.EVIDENCE_BYTES_MAX + 1)
            evidence.append(
                complaints.Evidence(filename=item.filename, media_type=item.content_type or "", content=content)
            )
    try:
        complaint_id = complaints.file_complaint(
            unit,
            borrower_id=who.borrower_id,
            jurisdiction=borrower_jurisdiction(unit.connection, who.borrower_id),
            category=category,
            text=text,
            evidence=evidence,
            now=unit.clock(),
        )
    except complaints.ComplaintError as err:
        items = complaints.list_for_borrower(unit, borrower_id=who.borrower_id, now=unit.clock())
        return render(
            request,
            "portal/complaints.html",
            {"items": items, "svc": complaints, "error": str(err), "category": category, "text": text},
            status_code=422,  # the form again, with why it was refused
        )
    unit.commit()
    return RedirectResponse(f"/portal/complaints/{complaint_id}", status_code=303)


@router.get("/complaints/{complaint_id}", response_class=HTMLResponse)
def complaint_detail(
    request: Request, who: BorrowerCaller, unit: Unit, complaint_id: int = Path(ge=1, le=2**31 - 1)
) -> HTMLResponse:
    c = complaints.get_for_borrower(unit, borrower_id=who.borrower_id, complaint_id=complaint_id, now=unit.clock())
    return render(request, "portal/complaint.html", {"c": c})


# --- repayment plan request -------------------------------------------------------------------


def _plan_context(
    unit,
    who,
    *,
    line_id: int | None = None,
    income: str = "",
    expenses: str = "",
    error: str | None = None,
    done: int | None = None,
) -> dict:
    today = portal_reads.borrower_today(unit.connection, who.borrower_id, unit.clock())
    lines = svc.lines_of(unit, borrower_id=who.borrower_id, today=today)
    return {
        "lines": lines,
        "line_id": line_id or (lines[0].id if lines else None),
        "income": income,
        "expenses": expenses,
        "error": error,
        "done": done,
        "proposals": None,
        "today": today,
        "requests": plans.requests_of(unit, borrower_id=who.borrower_id),
    }


def _proposals_for(unit, who, line_id: int, income: str, expenses: str):
    """(line, income_minor, expenses_minor, proposals) recomputed on the server from the borrower's own line."""
    today = portal_reads.borrower_today(unit.connection, who.borrower_id, unit.clock())
    view = svc.line_view(unit, borrower_id=who.borrower_id, line_id=line_id, today=today)
    product = product_of(unit, get_account(unit, line_id=line_id))
    income_minor = Money.parse(income.strip() or "0", view.currency).amount_minor
    expenses_minor = Money.parse(expenses.strip() or "0", view.currency).amount_minor
    found = plans.proposals(
        balance_minor=view.payoff_minor,
        currency=view.currency,
        income_minor=income_minor,
        expenses_minor=expenses_minor,
        today=today,
        jurisdiction=view.jurisdiction,
        months_max=product.negotiated_plan_months_max,
    )
    return view, income_minor, expenses_minor, found


@router.get("/plan", response_class=HTMLResponse)
def plan_page(
    request: Request, who: BorrowerCaller, unit: Unit, done: int | None = Query(None, ge=1, le=2**31 - 1)
) -> HTMLResponse:
    return render(request, "portal/plan.html", _plan_context(unit, who, done=done))


@router.post("/plan/proposals", response_class=HTMLResponse)
def plan_proposals(
    request: Request,
    who: BorrowerCaller,
    unit: Unit,
    line_id: int = Form(..., ge=1, le=2**31 - 1),
    income: str = Form("", max_length=20),
    expenses: str = Form("", max_length=20),
) -> HTMLResponse:
    ctx = _plan_context(unit, who, line_id=line_id, income=income, expenses=expenses)
    try:
        view, _i, _e, found = _proposals_for(unit, who, line_id, income, expenses)
    except LineNotFound:
        raise
    except FairdueError as err:
        ctx["error"] = str(err)
        return render(request, "portal/plan.html", ctx, status_code=422)
    ctx.update(proposals=found, view=view)
    return render(request, "portal/plan.html", ctx)


@router.post("/plan/requests")
def plan_accept(
    request: Request,
    who: BorrowerCaller,
    unit: Unit,
    line_id: int = Form(..., ge=1, le=2**31 - 1),
    income: str = Form("", max_length=20),
    expenses: str = Form("", max_length=20),
    periods: int = Form(..., ge=1, le=360),
) -> Response:
    try:
        view, income_minor, expenses_minor, found = _proposals_for(unit, who, line_id, income, expenses)
    except LineNotFound:
        raise
    except FairdueError as err:
        return render(
            request, "portal/plan.html", _plan_context(unit, who, line_id=line_id, error=str(err)), status_code=422
        )
    chosen = next((p for p in found if p.periods == periods), None)
    if chosen is None:
        return render(
            request,
            "portal/plan.html",
            _plan_context(unit, who, line_id=line_id, error=f"no {periods}-month plan is offered"),
            status_code=422,
        )
    request_id = plans.request_plan(
        unit,
        borrower_id=who.borrower_id,
        line_id=line_id,
        currency=view.currency,
        income_minor=income_minor,
        expenses_minor=expenses_minor,
        balance_minor=view.payoff_minor,
        proposal=chosen,
        now=unit.clock(),
    )
    unit.commit()
    return RedirectResponse(f"/portal/plan?done={request_id}", status_code=303)


# --- my data (PIPL Art. 45-47) and consent ----------------------------------------------------

# A request about a stored contact fact asks staff to correct it or to end it; staff decide (console).
FACT_ASKS = ("correct", "end")
# Inconvenient hours the borrower states here: a contact fact they wrote (source), recorded by themselves.
PORTAL_FACT_SOURCE = "borrower_written"


def _fact_views(unit, who, cipher) -> list[dict]:
    """The borrower's stored contact facts, oldest first, the attorney's name and contact masked."""
    now = unit.clock()
    return [
        {
            "id": f.id,
            "kind": f.kind,
            "source": f.source,
            "account_id": f.account_id,
            "effective_from": f.effective_from,
            "effective_until": f.effective_until,
            "hours": f.hours,
            "attorney_name": mask_name(f.attorney_name) if f.attorney_name else None,
            "attorney_contact": mask_address(f.attorney_contact) if f.attorney_contact else None,
            "in_force": f.in_force(now),
            "ended_at": f.ended_at,
            "not_yet": f.effective_from > now,
        }
        for f in list_facts(unit, borrower_id=who.borrower_id, cipher=cipher)
    ]


def _data_context(unit, who, request: Request, *, error: str | None = None, done: str | None = None) -> dict:
    cipher = field_cipher(request.app)
    person = get_borrower(unit, borrower_id=who.borrower_id, cipher=cipher)
    return {
        "person": person,
        "id_masked": mask_id_number(person.id_number),
        "contacts": list_emergency_contacts(unit, borrower_id=who.borrower_id, cipher=cipher),
        "facts": _fact_views(unit, who, cipher),
        "fact_asks": FACT_ASKS,
        "requests": data_rights.requests_of(unit, borrower_id=who.borrower_id),
        "fields": data_rights.CORRECTABLE_FIELDS,
        "error": error,
        "done": done,
        "response_days": data_rights.RESPONSE_DAYS,
    }


@router.get("/data", response_class=HTMLResponse)
def data_page(
    request: Request, who: BorrowerCaller, unit: Unit, done: str | None = Query(None, max_length=32)
) -> HTMLResponse:
    return render(request, "portal/data.html", _data_context(unit, who, request, done=done))


@router.get("/data/export.json")
def data_export(request: Request, who: BorrowerCaller, unit: Unit) -> Response:
    import json

    today = portal_reads.borrower_today(unit.connection, who.borrower_id, unit.clock())
    body = data_rights.export(unit, borrower_id=who.borrower_id, cipher=field_cipher(request.app), today=today)
    return Response(
        json.dumps(body, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-fairdue-data.json"', "Cache-Control": "no-store"},
    )


def _fact_request_error(unit, who, lang: str, *, kind: str, fact_id: str, ask: str) -> tuple[int | None, str | None]:
    """(fact id, None) when the request may name that contact fact — one of the borrower's own, an ending
    asked only of a fact not yet ended — else (None, the error in `lang`). No fact named: (None, None)."""
    text = fact_id.strip()
    if not text:
        return None, (translate(lang, "data.fact_err.ask_without_fact") if ask else None)
    if kind != "correction":
        return None, translate(lang, "data.fact_err.kind")
    if not text.isdigit() or not 1 <= int(text) <= 2**31 - 1:
        return None, translate(lang, "data.fact_err.not_id", value=text)
    if ask not in FACT_ASKS:
        return None, translate(lang, "data.fact_err.ask")
    mine = {f.id: f for f in list_facts(unit, borrower_id=who.borrower_id, decrypt=False)}
    fact = mine.get(int(text))
    if fact is None:  # another borrower's fact, or none: the same answer, so ids reveal nothing
        return None, translate(lang, "data.fact_err.not_yours", id=text)
    if ask == "end" and fact.ended_at is not None:
        return None, translate(lang, "data.fact_err.ended", id=text)
    return fact.id, None


@router.post("/data/requests", response_class=HTMLResponse)
def data_request(
    request: Request,
    who: BorrowerCaller,
    unit: Unit,
    kind: str = Form(..., max_length=16),
    field: str = Form("", max_length=16),
    value: str = Form("", max_length=500),
    reason: str = Form("", max_length=1000),
    fact_id: str = Form("", max_length=12),
    ask: str = Form("", max_length=8),
) -> Response:
    """A correction or deletion request; a correction may name one of the borrower's stored contact facts
    (fact_id) and ask staff to correct or to end it. Staff decide: the request changes no fact by itself."""
    details = {"field": field, "value": value, "reason": reason} if kind == "correction" else {"reason": reason}
    named, problem = _fact_request_error(unit, who, request.state.lang, kind=kind, fact_id=fact_id, ask=ask)
    if problem is not None:
        return render(request, "portal/data.html", _data_context(unit, who, request, error=problem), status_code=422)
    if named is not None:
        details.update(fact_id=named, ask=ask)
    try:
        data_rights.file_request(unit, borrower_id=who.borrower_id, kind=kind, details=details, now=unit.clock())
    except data_rights.DataRightsError as err:
        ctx = _data_context(unit, who, request, error=str(err))
        return render(request, "portal/data.html", ctx, status_code=422)  # the form again, with why
    unit.commit()
    return RedirectResponse(f"/portal/data?done={'fact_' + ask if named is not None else kind}", status_code=303)


@router.post("/data/inconvenient-hours", response_class=HTMLResponse)
def inconvenient_hours(
    request: Request,
    who: BorrowerCaller,
    unit: Unit,
    start: str = Form(..., max_length=5),
    end: str = Form(..., max_length=5),
) -> Response:
    """The borrower states a local time range that is inconvenient for contact: a contact fact (source: the
    borrower, in writing) that the gate enforces from now on. Ending one is a request staff decide."""
    try:
        record_fact(
            unit,
            borrower_id=who.borrower_id,
            kind="inconvenient_hours",
            source=PORTAL_FACT_SOURCE,
            recorded_by=f"borrower:{who.borrower_id}",
            hours=(start.strip(), end.strip()),
        )
    except (ContactFactInvalid, TooManyFacts) as err:
        ctx = _data_context(unit, who, request, error=str(err))
        return render(request, "portal/data.html", ctx, status_code=status_for(err))
    unit.commit()
    return RedirectResponse("/portal/data?done=hours_recorded", status_code=303)


@router.post("/data/emergency-contacts", response_class=HTMLResponse)
def emergency_add(
    request: Request,
    who: BorrowerCaller,
    unit: Unit,
    name: str = Form(..., max_length=100),
    mobile: str = Form(..., max_length=32),
    relationship: str = Form(..., max_length=16),
    consent: str = Form("", max_length=8),
) -> Response:
    try:
        add_emergency_contact(
            unit,
            borrower_id=who.borrower_id,
            cipher=field_cipher(request.app),
            data={"name": name, "mobile": mobile, "relationship": relationship, "consent": consent == "yes"},
        )
    except FairdueError as err:
        return render(request, "portal/data.html", _data_context(unit, who, request, error=str(err)), status_code=422)
    unit.commit()
    return RedirectResponse("/portal/data?done=contact_added", status_code=303)


@router.post("/data/emergency-contacts/{contact_id}/withdraw")
def emergency_withdraw(
    request: Request, who: BorrowerCaller, unit: Unit, contact_id: int = Path(ge=1, le=2**31 - 1)
) -> Response:
    mine = {c.id for c in list_emergency_contacts(unit, borrower_id=who.borrower_id, cipher=field_cipher(request.app))}
    if contact_id not in mine:
        raise NotFound(f"emergency contact {contact_id} not found")
    withdraw_emergency_consent(unit, contact_id=contact_id)
    data_rights.record_withdrawal(unit, borrower_id=who.borrower_id, contact_id=contact_id, now=unit.clock())
    unit.commit()
    return RedirectResponse("/portal/data?done=consent_withdrawn", status_code=303)
