"""Repayment plans over the API.

Plan requests: a borrower reads their own; staff read the pending queue; supervisors approve or decline.
Negotiated plans: proposals from income and expenses (staff, or the line's own borrower), acceptance of
one proposal by a plan decider (kind + fingerprint, Idempotency-Key; it restructures the debt), revert
by the same roles.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, cast

from fastapi import APIRouter, Depends, Path, Request
from pydantic import BaseModel, Field

from fairdue.adapters.db.views import cases as case_reads
from fairdue.domain import instants
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.money import Money
from fairdue.service.servicing import plan_requests
from fairdue.service.servicing.accounts import get_account
from fairdue.service.servicing.plans import PlanNotAllowed, accept_plan, propose_plans_for_account, revert_plan
from fairdue.service.staff.audit_trail import actor_of
from fairdue.service.staff.auth import Principal
from fairdue.web.api.common import (
    AMOUNT_PATTERN,
    ID_MAX,
    IDEMPOTENT_RESPONSES,
    IdempotencyKey,
    LineId,
    aware,
    idempotent_create,
    line_today,
    require_roles_or_owner,
    visible_line,
)
from fairdue.web.auth import PLAN_DECIDERS, STAFF_ANY, Caller, Unit, requires
from fairdue.web.problems import Conflict, NotFound, Problem

router = APIRouter(prefix="/plan-requests", tags=["plans"])
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class PlanRequestRead(BaseModel):
    id: int
    line_id: str
    currency: str
    balance_minor: int
    kind: str
    periods: int
    installment_minor: int
    apr: str
    status: str
    requested_at: dt.datetime
    decided_at: dt.datetime | None


class PlanDecision(BaseModel):
    approve: bool


def _read(r) -> PlanRequestRead:
    def aware(at):
        return None if at is None else instants.aware(at)

    return PlanRequestRead(
        id=r.id,
        line_id=r.line_id,
        currency=r.currency,
        balance_minor=r.balance_minor,
        kind=r.kind,
        periods=r.periods,
        installment_minor=r.installment_minor,
        apr=r.apr,
        status=r.status,
        requested_at=aware(r.requested_at),
        decided_at=aware(r.decided_at),
    )


@router.get(
    "",
    response_model=list[PlanRequestRead],
    summary="A borrower's own plan requests; for staff, those waiting for a decision",
)
def list_requests(who: Caller, unit: Unit) -> list[PlanRequestRead]:
    if who.kind == "borrower":
        # a borrower principal always has one (web_sessions CHECK "subject")
        borrower_id = cast(BorrowerId, who.borrower_id)
        return [_read(r) for r in plan_requests.requests_of(unit, borrower_id=borrower_id)]
    return [_read(r) for r in plan_requests.pending(unit)]


@router.post("/{request_id}/decision", response_model=PlanRequestRead, summary="Approve or decline (supervisor)")
def decide(
    request_id: RequestId,
    body: PlanDecision,
    who: Annotated[Principal, Depends(requires("supervisor", "admin"))],
    unit: Unit,
) -> PlanRequestRead:
    plan_requests.decide(
        unit,
        request_id=request_id,
        approve=body.approve,
        actor=f"staff:{who.username}",
        now=unit.clock(),
        staff=actor_of(who, via="api"),
    )
    unit.commit()
    decided = unit.plans.plan_request(request_id)
    if decided is None:  # decide() refused an unknown id above
        raise RuntimeError(f"plan request {request_id} vanished after its decision was committed")
    return _read(decided)


# --- negotiated plans worked by staff ----------------------------------------------------------
# Proposals are computed from the line's balances, the borrower's stated income and expenses and the
# line's local today; each carries a fingerprint of its exact content. Accepting names the proposal by
# kind and fingerprint: the server recomputes the proposals and refuses (409 stale-proposal) when the
# named one is no longer offered as it was shown (a payment, a day-end or a new day changed it).

plans_router = APIRouter(tags=["plans"])
PlanId = Annotated[int, Path(ge=1, le=ID_MAX)]
FINGERPRINT_PATTERN = r"^[0-9a-f]{64}$"


class PlanInputs(BaseModel):
    monthly_income: str = Field(pattern=AMOUNT_PATTERN, description="major units", examples=["6000.00"])
    monthly_expenses: str = Field(pattern=AMOUNT_PATTERN, description="major units", examples=["4500.00"])
    currency: str = Field(pattern=r"^[A-Z]{3}$", description="the line's currency", examples=["CNY"])


class PlanRowRead(BaseModel):
    seq: int
    due_on: dt.date
    principal_minor: int
    interest_minor: int
    carried_minor: int
    total_minor: int


class ProposalRead(BaseModel):
    kind: str = Field(description="extend | freeze | freeze_waive")
    fingerprint: str = Field(description="SHA-256 of the proposal's content; name it when accepting")
    currency: str
    months: int
    monthly_rate: str = Field(description="periodic rate on principal as a decimal fraction")
    apr: str | None = Field(description="true annual rate as a decimal fraction; None for a plan with no cost")
    principal_minor: int
    carried_minor: int
    waived_fees_minor: int
    installment_max_minor: int
    total_cost_minor: int
    total_minor: int
    affordable: bool
    rows: list[PlanRowRead]


class PlanAccept(PlanInputs):
    kind: str = Field(json_schema_extra={"enum": ["extend", "freeze", "freeze_waive"]})
    fingerprint: str = Field(pattern=FINGERPRINT_PATTERN)


class PlanRead(BaseModel):
    id: int
    account_id: int
    kind: str
    currency: str
    status: str = Field(description="active | completed | broken | reverted")
    accepted_on: dt.date
    accepted_at: dt.datetime
    ended_on: dt.date | None
    rows: list[dict]


def proposal_fingerprint(p) -> str:
    """SHA-256 over the proposal's canonical JSON (Decimals and dates as text): equal iff the offer is the same."""
    import dataclasses
    import hashlib
    import json

    text = json.dumps(dataclasses.asdict(p), sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _proposal_read(p) -> ProposalRead:
    return ProposalRead(
        kind=p.kind,
        fingerprint=proposal_fingerprint(p),
        currency=p.currency,
        months=p.months,
        monthly_rate=str(p.monthly_rate),
        apr=None if p.apr is None else str(p.apr),
        principal_minor=p.principal_minor,
        carried_minor=p.carried_minor,
        waived_fees_minor=p.waived_fees_minor,
        installment_max_minor=p.installment_max_minor,
        total_cost_minor=p.total_cost_minor,
        total_minor=p.total_minor,
        affordable=p.affordable,
        rows=[
            PlanRowRead(
                seq=r.seq,
                due_on=r.due_on,
                principal_minor=r.principal_minor,
                interest_minor=r.interest_minor,
                carried_minor=r.carried_minor,
                total_minor=r.total_minor,
            )
            for r in p.rows
        ],
    )


def _plan_read(row) -> PlanRead:
    import json

    return PlanRead(
        id=row.id,
        account_id=row.account_id,
        kind=row.kind,
        currency=row.currency,
        status=row.status,
        accepted_on=row.accepted_on,
        accepted_at=aware(row.accepted_at),
        ended_on=row.ended_on,
        rows=json.loads(row.rows),
    )


def _proposals(unit, *, line_id: int, owner: BorrowerId, body: PlanInputs) -> list:
    currency = get_account(unit, line_id=line_id).currency
    if body.currency != currency:
        raise Problem(
            f"currency {body.currency} does not match the line's {currency}", status=422, slug="currency-mismatch"
        )
    return propose_plans_for_account(
        unit,
        account_id=line_id,
        monthly_income_minor=Money.parse(body.monthly_income, currency).amount_minor,
        monthly_expenses_minor=Money.parse(body.monthly_expenses, currency).amount_minor,
        as_of=line_today(unit.connection, owner, unit.clock()),
    )


@plans_router.post(
    "/accounts/{line_id}/plans/proposals",
    response_model=list[ProposalRead],
    summary="Plan proposals for the line from income and expenses, each with its true APR "
    "(staff, or the line's own borrower)",
)
def propose(line_id: LineId, body: PlanInputs, who: Caller, unit: Unit) -> list[ProposalRead]:
    require_roles_or_owner(who, STAFF_ANY)
    owner = visible_line(unit.connection, who, line_id)
    return [_proposal_read(p) for p in _proposals(unit, line_id=line_id, owner=owner, body=body)]


@plans_router.post(
    "/accounts/{line_id}/plans",
    status_code=201,
    response_model=PlanRead,
    responses=IDEMPOTENT_RESPONSES,
    summary="Accept a proposal, named by kind and fingerprint (a stale proposal is refused with 409)",
)
def accept(
    request: Request,
    line_id: LineId,
    body: PlanAccept,
    idempotency_key: IdempotencyKey,
    who: Principal = Depends(requires(*PLAN_DECIDERS)),
):
    with request.app.state.core.uow_factory() as unit:
        visible_line(unit.connection, who, line_id)

    def work(unit) -> PlanRead:
        owner = visible_line(unit.connection, who, line_id)
        offered = _proposals(unit, line_id=line_id, owner=owner, body=body)
        chosen = [p for p in offered if p.kind == body.kind]
        if not chosen:
            raise Conflict(
                f"no {body.kind} plan is offered for account {line_id} now",
                slug="stale-proposal",
                reason="kind_not_offered",
                offered=sorted({p.kind for p in offered}),
            )
        match = [p for p in chosen if proposal_fingerprint(p) == body.fingerprint]
        if not match:
            raise Conflict(
                f"the {body.kind} proposal has changed since it was shown; ask for proposals again",
                slug="stale-proposal",
                reason="fingerprint_mismatch",
                current_fingerprint=proposal_fingerprint(chosen[0]),
            )
        try:
            plan_id = accept_plan(
                unit,
                account_id=line_id,
                proposal=match[0],
                business_on=line_today(unit.connection, owner, unit.clock()),
                actor=actor_of(who, via="api"),
            )
        except PlanNotAllowed as err:
            raise Conflict(str(err), reason="plan_not_allowed") from None
        return _plan_read(case_reads.plan_by_id(unit.connection, plan_id))

    return idempotent_create(request, key=idempotency_key, scope=f"plan:{line_id}", who=who, body=body, work=work)


@plans_router.post(
    "/plans/{plan_id}/revert",
    response_model=PlanRead,
    summary="Undo an accepted plan while it is the latest action on the line (supervisor)",
)
def revert(plan_id: PlanId, who: Annotated[Principal, Depends(requires(*PLAN_DECIDERS))], unit: Unit) -> PlanRead:
    row = case_reads.plan_by_id(unit.connection, plan_id)
    if row is None:
        raise NotFound(f"plan {plan_id} not found")
    owner = visible_line(unit.connection, who, row.account_id)
    try:
        revert_plan(
            unit,
            plan_id=plan_id,
            business_on=line_today(unit.connection, owner, unit.clock()),
            actor=actor_of(who, via="api"),
        )
    except PlanNotAllowed as err:
        raise Conflict(str(err), reason="plan_not_allowed") from None
    unit.commit()
    return _plan_read(case_reads.plan_by_id(unit.connection, plan_id))
