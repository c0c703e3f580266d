"""Collections read models for the console and the REST API: the delinquency queue, case lists and the case page.

Read-only SQL over the collections tables, day-end's account state and the decision log. The queue reads
day-end's own state (`dayend_account`: bucket, DPD, oldest overdue date as of the last closed business date)
instead of recomputing delinquency from installments, so the console shows exactly what collections acted on;
only the overdue amount is summed from the installments day-end flagged overdue (`dayend_installment.overdue`).

The console's case page is composed in `fairdue.service.collections.case_view` (it adds the case's actions
and promises from the collections services).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import borrowers, credit_lines, installment_unpaid, installments, products
from fairdue.adapters.db.schema.collections import decision_log
from fairdue.adapters.db.schema.collections_engine import (
    coll_actions,
    coll_cases,
    coll_cease_requests,
    coll_disputes,
    coll_plans,
    coll_strategy_assignments,
)
from fairdue.adapters.db.schema.dayend import dayend_account, dayend_business_date, dayend_installment
from fairdue.adapters.db.schema.web import staff_users
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.statuses import CaseStatus
from fairdue.errors import FairdueError

CASE_PAGE_LIMIT_MAX = 200
QUEUE_LENGTH_MAX = 200


# --- the REST API's case list and records by id ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One collection case with its line's borrower. closed_on/close_reason: None while open;
    team_id/agent_id: None when no team works the bucket."""

    id: int
    account_id: int
    borrower_id: BorrowerId
    opened_on: Any
    bucket: str
    bucket_entered_on: Any
    dpd: int
    status: str
    close_reason: str | None
    closed_on: Any
    team_id: int | None
    agent_id: int | None


def _case_select() -> sa.Select[Any]:
    return sa.select(coll_cases, credit_lines.c.borrower_id).select_from(
        coll_cases.join(credit_lines, credit_lines.c.id == coll_cases.c.account_id)
    )


def _case_row(r: Any) -> CaseRow:
    return CaseRow(
        r.id,
        r.account_id,
        r.borrower_id,
        r.opened_on,
        r.bucket,
        r.bucket_entered_on,
        r.dpd,
        r.status,
        r.close_reason,
        r.closed_on,
        r.team_id,
        r.agent_id,
    )


def case_page(
    conn: sa.Connection,
    *,
    status: str | None,
    bucket: str | None,
    agent_id: int | None,
    account_id: int | None,
    limit: int,
    offset: int,
) -> tuple[list[CaseRow], int]:
    """Cases newest first with the filters that are not None; (page, total matching)."""
    if not 1 <= limit <= CASE_PAGE_LIMIT_MAX or offset < 0:
        raise FairdueError(f"limit must be 1..{CASE_PAGE_LIMIT_MAX} and offset >= 0")
    q = _case_select()
    for column, value in (
        (coll_cases.c.status, status),
        (coll_cases.c.bucket, bucket),
        (coll_cases.c.agent_id, agent_id),
        (coll_cases.c.account_id, account_id),
    ):
        if value is not None:
            q = q.where(column == value)
    total = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
    rows = conn.execute(q.order_by(coll_cases.c.id.desc()).limit(limit).offset(offset)).all()
    return [_case_row(r) for r in rows], int(total)


def case_by_id(conn: sa.Connection, case_id: int) -> CaseRow | None:
    """The case with its line's borrower, or None."""
    row = conn.execute(_case_select().where(coll_cases.c.id == case_id)).one_or_none()
    return None if row is None else _case_row(row)


def action_of_case(conn: sa.Connection, *, case_id: int, action_id: int) -> sa.Row[Any] | None:
    """The action row if it belongs to the case, else None."""
    return conn.execute(
        sa.select(coll_actions).where(coll_actions.c.id == action_id, coll_actions.c.case_id == case_id)
    ).one_or_none()


def dispute_by_id(conn: sa.Connection, dispute_id: int) -> sa.Row[Any] | None:
    """The dispute row with its line's borrower, or None."""
    return conn.execute(
        sa.select(coll_disputes, credit_lines.c.borrower_id)
        .select_from(coll_disputes.join(credit_lines, credit_lines.c.id == coll_disputes.c.account_id))
        .where(coll_disputes.c.id == dispute_id)
    ).one_or_none()


def borrower_exists(conn: sa.Connection, borrower_id: BorrowerId) -> bool:
    """Whether the borrower is on file."""
    return conn.execute(sa.select(borrowers.c.id).where(borrowers.c.id == borrower_id)).first() is not None


def plan_by_id(conn: sa.Connection, plan_id: int) -> sa.Row[Any] | None:
    """The negotiated plan row, or None."""
    return conn.execute(sa.select(coll_plans).where(coll_plans.c.id == plan_id)).one_or_none()


def cease_by_id(conn: sa.Connection, cease_id: int) -> sa.Row[Any] | None:
    """The cease / opt-out request row, or None."""
    return conn.execute(sa.select(coll_cease_requests).where(coll_cease_requests.c.id == cease_id)).one_or_none()


# --- the console's delinquency queue -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A delinquent line as day-end left it. case_id/agent: None when collections has no open case (yet)."""

    line_id: int
    borrower_id: BorrowerId
    product_code: str
    currency: str
    bucket: str
    dpd: int  # days past due as of `as_of`
    as_of: dt.date  # the last closed business date (the line's own, if an inline close took it later)
    oldest_overdue_on: dt.date | None
    overdue_minor: int
    case_id: int | None
    agent: str | None


def dpd_as_of(*, dpd: int, line_closed_on: dt.date, closed_on: dt.date | None) -> tuple[int, dt.date]:
    """(DPD, date) as of the last closed business date. Day-end is event-driven: it rewrites a line's state only on
    the line's next event (a new overdue installment, a bucket move, a payment), so between events `dpd` is as of
    the line's own `last_closed_on` while nothing that sets it has changed: its oldest overdue installment stays
    the same, and the DPD grows by one a day (kernel: DPD = business date - oldest overdue due date)."""
    if closed_on is None or closed_on <= line_closed_on:
        return dpd, line_closed_on
    return (dpd + (closed_on - line_closed_on).days if dpd > 0 else 0), closed_on


def last_closed_business_date(conn: sa.Connection) -> dt.date | None:
    """The latest business date day-end has closed, or None before the first."""
    closed_on: dt.date | None = conn.execute(sa.select(sa.func.max(dayend_business_date.c.business_on))).scalar()
    return closed_on


def delinquency_queue(conn: sa.Connection, *, limit: int = QUEUE_LENGTH_MAX) -> list[QueueItem]:
    """Lines day-end holds past due (DPD > 0, not charged off), most days past due first, with DPD as of the last
    closed business date (`dpd_as_of`), which each item carries as `as_of`."""
    closed_on = last_closed_business_date(conn)
    unpaid = installment_unpaid()
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
                sa.and_(coll_cases.c.account_id == dayend_account.c.account_id, coll_cases.c.status == CaseStatus.OPEN),
            )
            .outerjoin(staff_users, staff_users.c.id == coll_cases.c.agent_id)
        )
        .where(dayend_account.c.dpd > 0, dayend_account.c.charged_off.is_(False))
        # Oldest overdue first: the same order as most DPD as of the last closed date (a stored DPD may be stale).
        .order_by(dayend_account.c.oldest_overdue_on, dayend_account.c.dpd.desc(), dayend_account.c.account_id)
        .limit(limit)
    )
    items = []
    for r in conn.execute(q):
        dpd, as_of = dpd_as_of(dpd=r.dpd, line_closed_on=r.last_closed_on, closed_on=closed_on)
        items.append(
            QueueItem(
                line_id=r.account_id,
                borrower_id=r.borrower_id,
                product_code=r.code,
                currency=r.currency,
                bucket=r.bucket,
                dpd=dpd,
                as_of=as_of,
                oldest_overdue_on=r.oldest_overdue_on,
                overdue_minor=int(r.overdue),
                case_id=r.case_id,
                agent=r.display_name,
            )
        )
    return items


def case_id_for_line(conn: sa.Connection, *, line_id: int) -> int | None:
    """The line's open case, else its latest case, else None."""
    rows = conn.execute(
        sa.select(coll_cases.c.id, coll_cases.c.status)
        .where(coll_cases.c.account_id == line_id)
        .order_by(coll_cases.c.id.desc())
    ).all()
    for r in rows:
        if r.status == CaseStatus.OPEN:
            return r.id
    return rows[0].id if rows else None


# --- the console's case page ---------------------------------------------------------------------


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
class CaseDetails:
    """A case's own row and what the case page shows around it. agent: display name or None;
    strategy/variant: None before the line was assigned one; dayend_*: None before day-end saw the line."""

    case: Any  # the coll_cases row
    borrower_id: BorrowerId
    jurisdiction: str
    currency: str
    agent: str | None
    strategy: str | None
    variant: str | None
    dayend_bucket: str | None
    dayend_dpd: int | None
    dayend_as_of: dt.date | None
    plans: tuple[PlanView, ...]
    disputes: tuple[Any, ...]  # rows: id, reason, status, opened_at, resolved_at
    ceases: tuple[Any, ...]  # rows: channel, source, requested_at, withdrawn_at


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


def case_details(conn: sa.Connection, *, case_id: int) -> CaseDetails | None:
    """The case with its line, agent, strategy, day-end state, plans, disputes and ceases; None if no such case."""
    row = conn.execute(sa.select(coll_cases).where(coll_cases.c.id == case_id)).one_or_none()
    if row is None:
        return None
    line = conn.execute(
        sa.select(credit_lines.c.borrower_id, credit_lines.c.currency, products.c.jurisdiction)
        .select_from(credit_lines.join(products, products.c.id == credit_lines.c.product_id))
        .where(credit_lines.c.id == row.account_id)
    ).one()
    agent = (
        None
        if row.agent_id is None
        else conn.execute(
            sa.select(staff_users.c.display_name).where(staff_users.c.id == row.agent_id)
        ).scalar_one_or_none()
    )
    assignment = conn.execute(
        sa.select(coll_strategy_assignments).where(coll_strategy_assignments.c.account_id == row.account_id)
    ).one_or_none()
    state = conn.execute(
        sa.select(dayend_account.c.bucket, dayend_account.c.dpd, dayend_account.c.last_closed_on).where(
            dayend_account.c.account_id == row.account_id
        )
    ).one_or_none()
    dpd_now = (
        None
        if state is None
        else dpd_as_of(dpd=state.dpd, line_closed_on=state.last_closed_on, closed_on=last_closed_business_date(conn))
    )
    plans = tuple(
        _plan_view(p)
        for p in conn.execute(
            sa.select(coll_plans).where(coll_plans.c.account_id == row.account_id).order_by(coll_plans.c.id)
        )
    )
    disputes = conn.execute(
        sa.select(coll_disputes).where(coll_disputes.c.account_id == row.account_id).order_by(coll_disputes.c.id)
    ).all()
    ceases = conn.execute(
        sa.select(coll_cease_requests)
        .where(coll_cease_requests.c.borrower_id == line.borrower_id)
        .order_by(coll_cease_requests.c.id)
    ).all()
    return CaseDetails(
        case=row,
        borrower_id=line.borrower_id,
        jurisdiction=line.jurisdiction,
        currency=line.currency,
        agent=agent,
        strategy=None if assignment is None else f"{assignment.strategy_code}@{assignment.strategy_version}",
        variant=None if assignment is None else assignment.variant,
        dayend_bucket=None if state is None else state.bucket,
        dayend_dpd=None if dpd_now is None else dpd_now[0],
        dayend_as_of=None if dpd_now is None else dpd_now[1],
        plans=plans,
        disputes=tuple(disputes),
        ceases=tuple(ceases),
    )


# --- logged call outcomes (the case page's call tasks) ------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoggedCallOutcome:
    """A call task's logged outcome (decision-log kind `call_outcome`). staff_id/staff_name None: logged by no
    staff member (a simulation) or by one no longer on file; promise_id None unless the outcome is a promise."""

    action_id: int
    outcome: str  # fairdue.service.collections.call_outcomes.OUTCOMES key: answered, no_answer, promise, ...
    logged_at: dt.datetime
    staff_id: int | None
    staff_name: str | None
    seq: int  # the outcome's decision-log seq
    promise_id: int | None


def call_outcomes_of_case(conn: sa.Connection, *, case_id: int, debt_id: str) -> dict[int, LoggedCallOutcome]:
    """action id -> its logged call outcome, for the case's call actions. Read from the debt's decision-log
    `call_outcome` records (allowed, channel call); a record of another case of the same debt is skipped.
    debt_id: the case's line as a debt (fairdue.service.servicing.debts.debt_id_for_line)."""
    rows = conn.execute(
        sa.select(decision_log.c.seq, decision_log.c.decided_at, decision_log.c.record)
        .where(
            decision_log.c.debt_id == debt_id,
            decision_log.c.channel == "call",
            decision_log.c.allowed.is_(True),
            decision_log.c.record.like('%"call_outcome"%'),
        )
        .order_by(decision_log.c.seq)
    ).all()
    calls = []
    for row in rows:
        record = json.loads(row.record)
        call = record.get("call") if record.get("kind") == "call_outcome" else None
        if not isinstance(call, dict) or call.get("case_id") != case_id or not isinstance(call.get("action_id"), int):
            continue
        calls.append((row, call))
    staff_ids = {c["staff_id"] for _r, c in calls if isinstance(c.get("staff_id"), int)}
    names = (
        dict(
            conn.execute(
                sa.select(staff_users.c.id, staff_users.c.display_name).where(staff_users.c.id.in_(staff_ids))
            ).all()
        )
        if staff_ids
        else {}
    )
    out: dict[int, LoggedCallOutcome] = {}
    for row, call in calls:  # oldest first: a later record for the same action (none expected) wins
        staff_id = call.get("staff_id") if isinstance(call.get("staff_id"), int) else None
        out[call["action_id"]] = LoggedCallOutcome(
            action_id=call["action_id"],
            outcome=str(call.get("outcome")),
            logged_at=row.decided_at,
            staff_id=staff_id,
            staff_name=names.get(staff_id),
            seq=row.seq,
            promise_id=call.get("promise_id"),
        )
    return out
