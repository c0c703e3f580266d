"""Thin read queries the REST API needs that the collections services do not offer yet.

Everything here is a plain SQL view over the collections tables or the decision log; the use cases
themselves (judging a call, recording a promise, accepting a plan, ...) stay in their own services.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import borrowers, credit_lines
from fairdue.adapters.db.schema.collections_engine import (
    coll_actions,
    coll_cases,
    coll_cease_requests,
    coll_disputes,
    coll_plans,
)
from fairdue.errors import FairdueError
from fairdue.service.contact.decision_log import get_entry

CASE_PAGE_LIMIT_MAX = 200


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One collection case with its line's borrower. closed_on/close_reason: None while open;
    team_id/agent_id: None when no team works the bucket."""

    id: int
    account_id: int
    borrower_id: int
    opened_on: Any
    bucket: str
    bucket_entered_on: Any
    dpd: int
    status: str
    close_reason: str | None
    closed_on: Any
    team_id: int | None
    agent_id: int | None


def _case_select():
    return sa.select(coll_cases, credit_lines.c.borrower_id).select_from(
        coll_cases.join(credit_lines, credit_lines.c.id == coll_cases.c.account_id)
    )


def _case_row(r) -> CaseRow:
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
    row = conn.execute(_case_select().where(coll_cases.c.id == case_id)).one_or_none()
    return None if row is None else _case_row(row)


def action_of_case(conn: sa.Connection, *, case_id: int, action_id: int):
    """The action row if it belongs to the case, else None."""
    return conn.execute(
        sa.select(coll_actions).where(coll_actions.c.id == action_id, coll_actions.c.case_id == case_id)
    ).one_or_none()


def decision_of(conn: sa.Connection, seq: int | None) -> dict[str, Any] | None:
    """The (masked) gate decision stored in decision-log entry `seq`, or None."""
    if seq is None:
        return None
    entry = get_entry(conn, seq)
    if entry is None:
        return None
    decision = json.loads(entry.record_text).get("decision")
    return decision if isinstance(decision, dict) else None


def dispute_by_id(conn: sa.Connection, dispute_id: int):
    """The dispute row with its line's borrower, or None."""
    return conn.execute(
        sa.select(coll_disputes, credit_lines.c.borrower_id)
        .select_from(coll_disputes.join(credit_lines, credit_lines.c.id == coll_disputes.c.account_id))
        .where(coll_disputes.c.id == dispute_id)
    ).one_or_none()


def borrower_exists(conn: sa.Connection, borrower_id: int) -> bool:
    return conn.execute(sa.select(borrowers.c.id).where(borrowers.c.id == borrower_id)).first() is not None


def plan_by_id(conn: sa.Connection, plan_id: int):
    """The negotiated plan row, or None."""
    return conn.execute(sa.select(coll_plans).where(coll_plans.c.id == plan_id)).one_or_none()


def cease_by_id(conn: sa.Connection, cease_id: int):
    """The cease / opt-out request row, or None."""
    return conn.execute(sa.select(coll_cease_requests).where(coll_cease_requests.c.id == cease_id)).one_or_none()
