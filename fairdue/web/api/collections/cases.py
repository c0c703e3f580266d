"""Collection cases over the API (staff only): the paginated, filtered list; one case with its planned actions
and the gate's verdict on each; and an agent's call outcome, which the gate judges at the moment it is logged.

A call the gate denies now is refused as problem+json (409, `call-denied`) carrying the violations and the
next allowed time; the decision itself is kept in the decision log either way.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from fairdue.adapters.db.views import cases as case_reads
from fairdue.domain.instants import format_utc
from fairdue.domain.money import Money
from fairdue.service.collections import assignment, call_outcomes
from fairdue.service.collections.case_view import decision_of
from fairdue.service.collections.engine import actions_of, judge_call_task
from fairdue.service.staff.audit_trail import actor_of
from fairdue.service.staff.auth import Principal
from fairdue.web.api.common import ID_MAX, Amount, aware, line_today
from fairdue.web.auth import CALL_ROLES, STAFF_ANY, Unit, requires
from fairdue.web.deps import field_cipher
from fairdue.web.problems import Conflict, NotFound

router = APIRouter(prefix="/cases", tags=["cases"])
CaseId = Annotated[int, Path(ge=1, le=ID_MAX)]
ActionId = Annotated[int, Path(ge=1, le=ID_MAX)]


class CaseRead(BaseModel):
    id: int
    account_id: int
    borrower_id: int
    opened_on: dt.date
    bucket: str
    bucket_entered_on: dt.date
    dpd: int = Field(description="days past due when the case entered its bucket")
    status: str
    close_reason: str | None
    closed_on: dt.date | None
    team_id: int | None
    agent_id: int | None


class CasePage(BaseModel):
    items: list[CaseRead]
    limit: int
    offset: int
    total: int


class ViolationRead(BaseModel):
    rule: str
    category: str
    reason_en: str
    reason_zh: str


class ActionRead(BaseModel):
    id: int
    step_key: str
    channel: str
    template: str | None
    status: str
    due_at: dt.datetime
    attempts: int
    next_allowed_at: dt.datetime | None
    decision_seq: int | None = Field(description="the decision-log entry of the gate's latest verdict")
    allowed: bool | None = Field(description="the gate's latest verdict; None when not yet judged")
    rules: list[str]
    violations: list[ViolationRead]


class CaseDetail(CaseRead):
    actions: list[ActionRead]


class PromiseTaken(Amount):
    promised_on: dt.date


class CallOutcome(BaseModel):
    outcome: str = Field(
        json_schema_extra={"enum": [*sorted(call_outcomes.OUTCOMES)]},
        description="answered | promise | refused | no_answer | wrong_party",
    )
    promise: PromiseTaken | None = Field(default=None, description="with outcome `promise` only: amount and date")


class CallLogged(BaseModel):
    outcome_seq: int = Field(description="the decision-log entry of the outcome")
    gate_seq: int = Field(description="the gate decision that allowed the call, judged when the outcome was logged")
    promise_id: int | None
    case: CaseDetail


def _case_read(c: case_reads.CaseRow) -> dict[str, Any]:
    return {
        "id": c.id,
        "account_id": c.account_id,
        "borrower_id": c.borrower_id,
        "opened_on": c.opened_on,
        "bucket": c.bucket,
        "bucket_entered_on": c.bucket_entered_on,
        "dpd": c.dpd,
        "status": c.status,
        "close_reason": c.close_reason,
        "closed_on": c.closed_on,
        "team_id": c.team_id,
        "agent_id": c.agent_id,
    }


def _violations(decision: dict | None) -> list[ViolationRead]:
    out = []
    for v in (decision or {}).get("violations") or []:
        if isinstance(v, dict):
            out.append(
                ViolationRead(
                    rule=str(v.get("rule", "")),
                    category=str(v.get("category", "")),
                    reason_en=str(v.get("reason_en", "")),
                    reason_zh=str(v.get("reason_zh", "")),
                )
            )
    return out


def _action_read(unit, a) -> ActionRead:
    verdict = json.loads(a.verdict or "{}")
    decision = decision_of(unit, a.decision_seq)
    allowed = verdict.get("allowed")
    if allowed is None and decision is not None:
        allowed = decision.get("allowed")
    return ActionRead(
        id=a.id,
        step_key=a.step_key,
        channel=a.channel,
        template=a.template,
        status=a.status,
        due_at=aware(a.due_at),
        attempts=a.attempts,
        next_allowed_at=aware(a.next_allowed_at),
        decision_seq=a.decision_seq,
        allowed=None if allowed is None else bool(allowed),
        rules=[str(r) for r in verdict.get("rules") or [v.rule for v in _violations(decision)]],
        violations=_violations(decision),
    )


@router.get("", response_model=CasePage, summary="Collection cases, newest first (staff)")
def list_cases(
    who: Annotated[Principal, Depends(requires(*STAFF_ANY))],
    unit: Unit,
    limit: int = Query(50, ge=1, le=case_reads.CASE_PAGE_LIMIT_MAX),
    offset: int = Query(0, ge=0, le=10_000_000),
    status: str | None = Query(None, pattern="^(open|closed)$"),
    bucket: str | None = Query(None, min_length=1, max_length=20),
    agent: int | None = Query(None, ge=1, le=ID_MAX, description="staff id of the assigned agent"),
    account: int | None = Query(None, ge=1, le=ID_MAX, description="credit line id"),
) -> CasePage:
    rows, total = case_reads.case_page(
        unit.connection, status=status, bucket=bucket, agent_id=agent, account_id=account, limit=limit, offset=offset
    )
    return CasePage(items=[CaseRead(**_case_read(c)) for c in rows], limit=limit, offset=offset, total=total)


def _case_or_404(conn, case_id: int) -> case_reads.CaseRow:
    case = case_reads.case_by_id(conn, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def _detail(unit, case: case_reads.CaseRow) -> CaseDetail:
    return CaseDetail(**_case_read(case), actions=[_action_read(unit, a) for a in actions_of(unit, case_id=case.id)])


@router.get("/{case_id}", response_model=CaseDetail, summary="One case with its actions and the gate's verdicts")
def get_case(case_id: CaseId, who: Annotated[Principal, Depends(requires(*STAFF_ANY))], unit: Unit) -> CaseDetail:
    return _detail(unit, _case_or_404(unit.connection, case_id))


class CaseAssignment(BaseModel):
    agent_id: int = Field(ge=1, le=ID_MAX, description="the active agent the open case is given to")


ASSIGNERS = ("supervisor", "admin")


@router.put(
    "/{case_id}/agent",
    response_model=CaseDetail,
    summary="Give an open case to another agent (supervisor or admin; in the staff audit trail)",
)
def assign(
    case_id: CaseId, body: CaseAssignment, who: Annotated[Principal, Depends(requires(*ASSIGNERS))], unit: Unit
) -> CaseDetail:
    _case_or_404(unit.connection, case_id)
    assignment.assign_case(unit, case_id=case_id, agent_id=body.agent_id, actor=actor_of(who, via="api"))
    unit.commit()
    return _detail(unit, _case_or_404(unit.connection, case_id))


@router.post(
    "/{case_id}/actions/{action_id}/outcome",
    response_model=CallLogged,
    summary="Log a call's outcome; the gate judges the call now (a denied call is refused with its "
    "violations and next allowed time)",
)
def call_outcome(
    request: Request,
    case_id: CaseId,
    action_id: ActionId,
    body: CallOutcome,
    who: Annotated[Principal, Depends(requires(*CALL_ROLES))],
    unit: Unit,
) -> CallLogged:
    if body.outcome not in call_outcomes.OUTCOMES:
        raise call_outcomes.CallOutcomeInvalid(
            f"unknown call outcome {body.outcome!r}; one of {', '.join(sorted(call_outcomes.OUTCOMES))}"
        )
    if (body.outcome == "promise") != (body.promise is not None):
        raise call_outcomes.CallOutcomeInvalid(
            "a promise outcome needs `promise` (amount, currency, promised_on), and only a promise outcome takes one"
        )
    conn = unit.connection
    case = _case_or_404(conn, case_id)
    action = case_reads.action_of_case(conn, case_id=case_id, action_id=action_id)
    if action is None:
        raise NotFound(f"case {case_id} has no action {action_id}")
    assignment.require_account(unit, who=who, account_id=case.account_id)  # ASVS V4.2.1: the agent's own case
    if case.status != "open" or action.channel != "call" or action.status != "task":
        raise Conflict(
            f"action {action_id} is not an open call task (case {case.status}, action {action.status})",
            reason="not_a_call_task",
        )
    promise = (
        None
        if body.promise is None
        else (Money.parse(body.promise.amount, body.promise.currency), body.promise.promised_on)
    )
    now = unit.clock()
    task = judge_call_task(unit, action_id=action_id, at=now, cipher=field_cipher(request.app))
    if not task.allowed:
        unit.commit()  # the denial is part of the record: keep it, then refuse
        reread = case_reads.action_of_case(conn, case_id=case_id, action_id=action_id)
        if reread is None:  # found above; actions are never deleted
            raise RuntimeError(f"action {action_id} of case {case_id} vanished after its denial was committed")
        seq = reread.decision_seq
        nxt = aware(task.next_allowed_at)
        raise Conflict(
            f"the gate does not allow this call now: {', '.join(task.reasons) or 'denied'}"
            + (f"; next allowed at {nxt.isoformat()}" if nxt else ""),
            slug="call-denied",
            reason="gate_denied",
            decision_seq=seq,
            violations=[v.model_dump() for v in _violations(decision_of(unit, seq))],
            next_allowed_at=None if nxt is None else format_utc(nxt),
        )
    logged = call_outcomes.log_call_outcome(
        unit,
        action_id=action_id,
        outcome=body.outcome,
        staff_id=who.staff_id,
        now=now,
        promise=promise,
        business_on=line_today(conn, case.borrower_id, now),
        actor=actor_of(who, via="api"),
    )
    unit.commit()
    return CallLogged(
        outcome_seq=logged.seq, gate_seq=logged.gate_seq, promise_id=logged.promise_id, case=_detail(unit, case)
    )
