"""Read models for the agent console's collections pages: the delinquency queue and the case view.

The queue reads day-end's own state (`dayend_account`: bucket, DPD, oldest overdue date as of the
last closed business date) instead of recomputing delinquency from installments, so the console shows
exactly what collections acted on. Only the overdue amount is summed from the installments day-end
flagged overdue (`dayend_installment.overdue`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import credit_lines, installments, products
from fairdue.adapters.db.schema.collections_engine import (
    coll_cases,
    coll_cease_requests,
    coll_disputes,
    coll_plans,
    coll_strategy_assignments,
)
from fairdue.adapters.db.schema.dayend import dayend_account, dayend_installment
from fairdue.adapters.db.schema.web import staff_users
from fairdue.errors import NotFound
from fairdue.service.collections.engine import Case, actions_of
from fairdue.service.collections.promises import promises_of

QUEUE_LENGTH_MAX = 200
CASE_ACTIONS_MAX = 500


class CaseNotFound(NotFound):
    """No such collection case."""


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A delinquent line as day-end left it. case_id/agent: None when collections has no open case (yet)."""

    line_id: int
    borrower_id: int
    product_code: str
    currency: str
    bucket: str
    dpd: int
    as_of: dt.date  # day-end's last closed business date for the line
    oldest_overdue_on: dt.date | None
    overdue_minor: int
    case_id: int | None
    agent: str | None


def delinquency_queue(conn: sa.Connection, *, limit: int = QUEUE_LENGTH_MAX) -> list[QueueItem]:
    """Lines day-end holds past due (DPD > 0, not charged off), most days past due first."""
    unpaid = (
        installments.c.principal_due_minor
        + installments.c.interest_due_minor
        + installments.c.fee_due_minor
        - installments.c.principal_paid_minor
        - installments.c.interest_paid_minor
        - installments.c.fee_paid_minor
    )
    overdue = (
        sa.select(sa.func.coalesce(sa.func.sum(unpaid), 0))
        .select_from(dayend_installment.join(installments, installments.c.id == dayend_installment.c.installment_id))
        .where(dayend_installment.c.account_id == dayend_account.c.account_id, dayend_installment.c.overdue.is_(True))
        .scalar_subquery()
    )
    q = (
        sa.select(
            dayend_account.c.account_id,
            credit_lines.c.borrower_id,
            products.c.code,
            dayend_account.c.currency,
            dayend_account.c.bucket,
            dayend_account.c.dpd,
            dayend_account.c.last_closed_on,
            dayend_account.c.oldest_overdue_on,
            overdue.label("overdue"),
            coll_cases.c.id.label("case_id"),
            staff_users.c.display_name,
        )
        .select_from(
            dayend_account.join(credit_lines, credit_lines.c.id == dayend_account.c.account_id)
            .join(products, products.c.id == credit_lines.c.product_id)
            .outerjoin(
                coll_cases,
                sa.and_(coll_cases.c.account_id == dayend_account.c.account_id, coll_cases.c.status == "open"),
            )
            .outerjoin(staff_users, staff_users.c.id == coll_cases.c.agent_id)
        )
        .where(dayend_account.c.dpd > 0, dayend_account.c.charged_off.is_(False))
        .order_by(dayend_account.c.dpd.desc(), dayend_account.c.account_id)
        .limit(limit)
    )
    return [
        QueueItem(
            line_id=r.account_id,
            borrower_id=r.borrower_id,
            product_code=r.code,
            currency=r.currency,
            bucket=r.bucket,
            dpd=r.dpd,
            as_of=r.last_closed_on,
            oldest_overdue_on=r.oldest_overdue_on,
            overdue_minor=int(r.overdue),
            case_id=r.case_id,
            agent=r.display_name,
        )
        for r in conn.execute(q)
    ]


@dataclass(frozen=True, slots=True)
class ActionView:
    """A planned/done strategy step. allowed: the gate's last verdict (None = not judged yet);
    rules: the rule ids that denied it; why: a skip reason or error, when there is one."""

    id: int
    step_key: str
    channel: str
    template: str | None
    status: str
    due_at: dt.datetime
    attempts: int
    decision_seq: int | None
    allowed: bool | None
    rules: tuple[str, ...]
    next_allowed_at: dt.datetime | None
    why: str | None


@dataclass(frozen=True, slots=True)
class PlanView:
    """A negotiated plan on the line. ended_on: None while active."""

    id: int
    kind: str
    status: str
    currency: str
    accepted_on: dt.date
    ended_on: dt.date | None
    months: int
    installment_max_minor: int
    apr: str | None
    rows: tuple[dict, ...]


@dataclass(frozen=True, slots=True)
class CaseView:
    """Everything the case page shows. agent: display name or None; dayend_*: None before day-end saw the line."""

    case: Any  # fairdue.service.collections.engine.Case
    borrower_id: int
    jurisdiction: str
    currency: str
    agent: str | None
    strategy: str | None
    variant: str | None
    dayend_bucket: str | None
    dayend_dpd: int | None
    dayend_as_of: dt.date | None
    actions: tuple[ActionView, ...]
    promises: tuple[Any, ...]  # fairdue.service.collections.promises.Promise
    plans: tuple[PlanView, ...]
    disputes: tuple[Any, ...]  # rows: id, reason, status, opened_at, resolved_at
    ceases: tuple[Any, ...]  # rows: channel, source, requested_at, withdrawn_at

    @property
    def open_task_ids(self) -> tuple[int, ...]:
        return tuple(a.id for a in self.actions if a.status == "task")


def _action_view(row: Any) -> ActionView:
    try:
        verdict = json.loads(row.verdict) if row.verdict else {}
    except ValueError:
        verdict = {"why": "unreadable verdict"}
    if not isinstance(verdict, dict):
        verdict = {}
    allowed = verdict.get("allowed")
    return ActionView(
        id=row.id,
        step_key=row.step_key,
        channel=row.channel,
        template=row.template,
        status=row.status,
        due_at=row.due_at,
        attempts=row.attempts,
        decision_seq=row.decision_seq,
        allowed=allowed if isinstance(allowed, bool) else (True if row.status == "sent" else None),
        rules=tuple(str(r) for r in verdict.get("rules") or ()),
        next_allowed_at=row.next_allowed_at,
        why=verdict.get("why") or verdict.get("error"),
    )


def _plan_view(row: Any) -> PlanView:
    proposal = json.loads(row.proposal)
    return PlanView(
        id=row.id,
        kind=row.kind,
        status=row.status,
        currency=row.currency,
        accepted_on=row.accepted_on,
        ended_on=row.ended_on,
        months=int(proposal.get("months") or 0),
        installment_max_minor=int(proposal.get("installment_max_minor") or 0),
        apr=proposal.get("apr"),
        rows=tuple(json.loads(row.rows)),
    )


def case_id_for_line(uow: Any, *, line_id: int) -> int | None:
    """The line's open case, else its latest case, else None."""
    rows = uow.connection.execute(
        sa.select(coll_cases.c.id, coll_cases.c.status)
        .where(coll_cases.c.account_id == line_id)
        .order_by(coll_cases.c.id.desc())
    ).all()
    for r in rows:
        if r.status == "open":
            return r.id
    return rows[0].id if rows else None


def case_view(uow: Any, *, case_id: int) -> CaseView:
    """The case with its day-end state, strategy, actions (with verdicts), promises, plans, disputes and ceases."""
    conn = uow.connection
    row = conn.execute(sa.select(coll_cases).where(coll_cases.c.id == case_id)).one_or_none()
    if row is None:
        raise CaseNotFound(f"no collection case {case_id}")
    case = Case(
        row.id,
        row.account_id,
        row.opened_on,
        row.bucket,
        row.bucket_entered_on,
        row.dpd,
        row.status,
        row.close_reason,
        row.closed_on,
        row.team_id,
        row.agent_id,
    )
    line = conn.execute(
        sa.select(credit_lines.c.borrower_id, credit_lines.c.currency, products.c.jurisdiction)
        .select_from(credit_lines.join(products, products.c.id == credit_lines.c.product_id))
        .where(credit_lines.c.id == case.account_id)
    ).one()
    agent = (
        None
        if case.agent_id is None
        else conn.execute(
            sa.select(staff_users.c.display_name).where(staff_users.c.id == case.agent_id)
        ).scalar_one_or_none()
    )
    assignment = conn.execute(
        sa.select(coll_strategy_assignments).where(coll_strategy_assignments.c.account_id == case.account_id)
    ).one_or_none()
    state = conn.execute(
        sa.select(dayend_account.c.bucket, dayend_account.c.dpd, dayend_account.c.last_closed_on).where(
            dayend_account.c.account_id == case.account_id
        )
    ).one_or_none()
    actions = tuple(_action_view(a) for a in actions_of(uow, case_id=case_id)[:CASE_ACTIONS_MAX])
    plans = tuple(
        _plan_view(p)
        for p in conn.execute(
            sa.select(coll_plans).where(coll_plans.c.account_id == case.account_id).order_by(coll_plans.c.id)
        )
    )
    disputes = tuple(
        conn.execute(
            sa.select(coll_disputes).where(coll_disputes.c.account_id == case.account_id).order_by(coll_disputes.c.id)
        ).all()
    )
    ceases = tuple(
        conn.execute(
            sa.select(coll_cease_requests)
            .where(coll_cease_requests.c.borrower_id == line.borrower_id)
            .order_by(coll_cease_requests.c.id)
        ).all()
    )
    return CaseView(
        case=case,
        borrower_id=line.borrower_id,
        jurisdiction=line.jurisdiction,
        currency=line.currency,
        agent=agent,
        strategy=None if assignment is None else f"{assignment.strategy_code}@{assignment.strategy_version}",
        variant=None if assignment is None else assignment.variant,
        dayend_bucket=None if state is None else state.bucket,
        dayend_dpd=None if state is None else state.dpd,
        dayend_as_of=None if state is None else state.last_closed_on,
        actions=actions,
        promises=tuple(promises_of(uow, account_id=case.account_id)),
        plans=plans,
        disputes=disputes,
        ceases=ceases,
    )
