"""The collections engine's rows: teams, strategy assignments, cases, the day-end event cursor, gate facts of a debt.

The statements a run executes again and again (account facts, assignments, a case's steps, the event batch's reads,
the gate facts of a debt) are built once at module level and reused with bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.repos.contact import facts_stored
from fairdue.adapters.db.schema.accounts import borrowers, credit_lines, installments, products
from fairdue.adapters.db.schema.collections_engine import (
    coll_actions,
    coll_cases,
    coll_cease_requests,
    coll_disputes,
    coll_event_cursor,
    coll_plans,
    coll_promises,
    coll_strategy_assignments,
    coll_team_members,
    coll_teams,
)
from fairdue.adapters.db.schema.dayend import dayend_account, dayend_event_outbox
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.statuses import (
    ActionStatus,
    CaseStatus,
    DisputeStatus,
    InstallmentStatus,
    PlanStatus,
    PromiseStatus,
)

# -- strategy and assignment ---------------------------------------------------------------------
_ACCOUNT_FACTS = (
    sa.select(
        credit_lines.c.id, credit_lines.c.borrower_id, credit_lines.c.currency, products.c.code, products.c.jurisdiction
    )
    .select_from(credit_lines.join(products, products.c.id == credit_lines.c.product_id))
    .where(credit_lines.c.id == sa.bindparam("account_id"))
)
_ASSIGNMENT_OF = sa.select(coll_strategy_assignments.c.strategy_code, coll_strategy_assignments.c.variant).where(
    coll_strategy_assignments.c.account_id == sa.bindparam("account_id")
)
_FACTS_OF_MANY = (
    sa.select(
        credit_lines.c.id, credit_lines.c.borrower_id, credit_lines.c.currency, products.c.code, products.c.jurisdiction
    )
    .select_from(credit_lines.join(products, products.c.id == credit_lines.c.product_id))
    .where(credit_lines.c.id.in_(sa.bindparam("ids", expanding=True)))
)
_ASSIGNMENTS_OF_MANY = sa.select(
    coll_strategy_assignments.c.account_id,
    coll_strategy_assignments.c.strategy_code,
    coll_strategy_assignments.c.variant,
).where(coll_strategy_assignments.c.account_id.in_(sa.bindparam("ids", expanding=True)))


# -- teams and agents ----------------------------------------------------------------------------
def _least_busy_agent_query() -> sa.Select:
    open_count = (
        sa.select(sa.func.count())
        .select_from(coll_cases)
        .where(coll_cases.c.agent_id == coll_team_members.c.staff_id, coll_cases.c.status == CaseStatus.OPEN)
        .scalar_subquery()
    )
    return (
        sa.select(coll_team_members.c.staff_id)
        .where(coll_team_members.c.team_id == sa.bindparam("team_id"), coll_team_members.c.active.is_(True))
        .order_by(open_count, coll_team_members.c.staff_id)
        .limit(1)
    )


# Built once: every case opened picks its team and agent with these.
_TEAMS = sa.select(coll_teams.c.id, coll_teams.c.buckets).order_by(coll_teams.c.id)
_LEAST_BUSY_AGENT = _least_busy_agent_query()


# -- cases and their steps -----------------------------------------------------------------------
def _zone_query() -> sa.Select:
    return (
        sa.select(borrowers.c.time_zones)
        .select_from(credit_lines.join(borrowers, borrowers.c.id == credit_lines.c.borrower_id))
        .where(credit_lines.c.id == sa.bindparam("account_id"))
    )


_OPEN_CASE_OF = sa.select(coll_cases).where(
    coll_cases.c.account_id == sa.bindparam("account_id"), coll_cases.c.status == CaseStatus.OPEN
)
_ZONE_OF_LINE = _zone_query()
_STEP_KEYS_OF_CASE = sa.select(coll_actions.c.step_key).where(
    coll_actions.c.case_id == sa.bindparam("case_id"), coll_actions.c.step_key.in_(sa.bindparam("keys", expanding=True))
)
_ACTION_INSERT = coll_actions.insert()
_CASE_INSERT = coll_cases.insert().returning(coll_cases.c.id)
_CASE_CLOSE = coll_cases.update().where(
    coll_cases.c.id == sa.bindparam("closing_case_id"), coll_cases.c.status == CaseStatus.OPEN
)
_STEPS_SKIP = coll_actions.update().where(
    coll_actions.c.case_id == sa.bindparam("closing_case_id"),
    coll_actions.c.status.in_((ActionStatus.PLANNED, ActionStatus.RESCHEDULED)),
)
# Built once: a bucket change moves the case and drops the steps of the bucket left behind.
_CASE_MOVE = coll_cases.update().where(coll_cases.c.id == sa.bindparam("moving_case_id"))
_STEPS_LEFT_BEHIND = coll_actions.update().where(
    coll_actions.c.case_id == sa.bindparam("moving_case_id"),
    coll_actions.c.status.in_((ActionStatus.PLANNED, ActionStatus.RESCHEDULED)),
    ~coll_actions.c.step_key.like(sa.bindparam("kept_keys")),
)


# -- a batch of day-end events -------------------------------------------------------------------
def _event_accounts_queries() -> tuple[sa.Select, sa.Select, sa.Select]:
    ids = sa.bindparam("ids", expanding=True)
    cases = sa.select(coll_cases).where(coll_cases.c.account_id.in_(ids), coll_cases.c.status == CaseStatus.OPEN)
    planned = (
        sa.select(coll_plans.c.account_id)
        .distinct()
        .where(coll_plans.c.account_id.in_(ids), coll_plans.c.status == PlanStatus.ACTIVE)
    )
    lines = (
        sa.select(credit_lines.c.id, credit_lines.c.product_id, borrowers.c.time_zones)
        .select_from(credit_lines.join(borrowers, borrowers.c.id == credit_lines.c.borrower_id))
        .where(credit_lines.c.id.in_(ids))
    )
    return cases, planned, lines


# Built once: every batch of day-end events reads its accounts' open cases, active plans and lines with these.
_OPEN_CASES_OF_MANY, _ACTIVE_PLANS_OF_MANY, _LINES_OF_MANY = _event_accounts_queries()

# Built once: every run (six a day in the simulation) reads the cursor and the events after it.
_CURSOR = sa.select(coll_event_cursor.c.last_event_id).where(
    coll_event_cursor.c.consumer == sa.bindparam("of_consumer")
)
_CURSOR_FOR_UPDATE = (
    sa.select(coll_event_cursor.c.consumer)
    .where(coll_event_cursor.c.consumer == sa.bindparam("of_consumer"))
    .with_for_update()
)
_EVENTS_AFTER = (
    sa.select(
        dayend_event_outbox.c.id,
        dayend_event_outbox.c.account_id,
        dayend_event_outbox.c.kind,
        dayend_event_outbox.c.business_on,
        dayend_event_outbox.c.payload,
    )
    .where(dayend_event_outbox.c.id > sa.bindparam("cursor"))
    .order_by(dayend_event_outbox.c.id)
    .limit(sa.bindparam("batch_max"))
)
_CURSOR_UPDATE = coll_event_cursor.update().where(coll_event_cursor.c.consumer == sa.bindparam("of_consumer"))


# -- facts for the gate --------------------------------------------------------------------------
def _flags_query(*, overdue: bool) -> sa.Select:
    # One round trip: the account flags as EXISTS columns beside each live cease request (or one empty row); with
    # overdue, also whether an installment due before `before` is still unpaid (what a case step checks first).
    account_id, borrower_id = sa.bindparam("account_id"), sa.bindparam("borrower_id")
    columns = [
        sa.exists()
        .where(coll_disputes.c.account_id == account_id, coll_disputes.c.status == DisputeStatus.OPEN)
        .label("dispute"),
        sa.exists()
        .where(coll_plans.c.account_id == account_id, coll_plans.c.status == PlanStatus.ACTIVE)
        .label("plan"),
        sa.exists()
        .where(coll_promises.c.account_id == account_id, coll_promises.c.status == PromiseStatus.PENDING)
        .label("promise"),
        facts_stored(borrower_id).label("facts"),
    ]
    if overdue:
        columns.append(_overdue_installment_exists().label("overdue"))
    flags = sa.select(*columns).subquery()
    return sa.select(flags, coll_cease_requests.c.channel).select_from(
        flags.outerjoin(
            coll_cease_requests,
            sa.and_(coll_cease_requests.c.borrower_id == borrower_id, coll_cease_requests.c.withdrawn_at.is_(None)),
        )
    )


def _overdue_installment_exists() -> sa.Exists:
    return sa.exists().where(
        installments.c.credit_line_id == sa.bindparam("account_id"),
        installments.c.due_on < sa.bindparam("before", type_=installments.c.due_on.type),
        installments.c.status.not_in((InstallmentStatus.PAID, InstallmentStatus.CANCELLED)),
    )


# Built once: every gate request the engine makes reads these flags (a case step with the overdue check too).
_FLAGS_QUERY = _flags_query(overdue=False)
_FLAGS_AND_OVERDUE_QUERY = _flags_query(overdue=True)


class CollectionsRepository:
    """Named reads and writes on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock

    # -- strategy and assignment -----------------------------------------------------------------
    def account_facts(self, account_id: int) -> sa.Row | None:
        """The line's id, borrower_id and currency with its product's code and jurisdiction; None: no such line."""
        return self.conn.execute(_ACCOUNT_FACTS, {"account_id": account_id}).one_or_none()

    def accounts_facts(self, account_ids: Sequence[int]) -> list[sa.Row]:
        """`account_facts` of these lines in one query (unknown ids are left out)."""
        return self.conn.execute(_FACTS_OF_MANY, {"ids": list(account_ids)}).all()

    def assignment_of(self, account_id: int) -> sa.Row | None:
        """The account's recorded (strategy_code, variant), or None before its first use."""
        return self.conn.execute(_ASSIGNMENT_OF, {"account_id": account_id}).one_or_none()

    def assignments_of(self, account_ids: Sequence[int]) -> list[sa.Row]:
        """The recorded (account_id, strategy_code, variant) of these accounts in one query."""
        return self.conn.execute(_ASSIGNMENTS_OF_MANY, {"ids": list(account_ids)}).all()

    def add_assignment(
        self, *, account_id: int, strategy_code: str, strategy_version: Any, variant: str, assigned_at: datetime
    ) -> None:
        """Record the account's strategy and variant (once: never changed afterwards)."""
        self.conn.execute(
            coll_strategy_assignments.insert().values(
                account_id=account_id,
                strategy_code=strategy_code,
                strategy_version=strategy_version,
                variant=variant,
                assigned_at=assigned_at,
            )
        )

    # -- teams and agents ------------------------------------------------------------------------
    def add_team(self, *, code: str, name: str, buckets: str) -> int:
        """A new agent team; returns its id."""
        team_id: int = self.conn.execute(
            coll_teams.insert().values(code=code, name=name, buckets=buckets).returning(coll_teams.c.id)
        ).scalar_one()
        return team_id

    def add_team_members(self, team_id: int, staff_ids: Iterable[int]) -> None:
        """These staff users join the team, active (one insert each, in order)."""
        for sid in staff_ids:
            self.conn.execute(coll_team_members.insert().values(team_id=team_id, staff_id=sid, active=True))

    def teams(self) -> list[sa.Row]:
        """Every team's id and buckets, oldest first."""
        return self.conn.execute(_TEAMS).all()

    def least_busy_agent(self, team_id: int) -> int | None:
        """The team's active member with the fewest open cases (lowest staff id on a tie), or None."""
        agent: int | None = self.conn.execute(_LEAST_BUSY_AGENT, {"team_id": team_id}).scalar_one_or_none()
        return agent

    # -- cases -----------------------------------------------------------------------------------
    def open_case_of(self, account_id: int) -> sa.Row | None:
        """The account's open case row, or None."""
        return self.conn.execute(_OPEN_CASE_OF, {"account_id": account_id}).one_or_none()

    def open_case_agents(self, *, account_id: int | None = None, borrower_id: int | None = None) -> list[int | None]:
        """The agent (None when unassigned) of each open case of one account, or of every account of a borrower:
        what the assignment check (fairdue.service.collections.assignment) reads."""
        q = sa.select(coll_cases.c.agent_id).where(coll_cases.c.status == CaseStatus.OPEN)
        if account_id is not None:
            q = q.where(coll_cases.c.account_id == account_id)
        if borrower_id is not None:
            owned = sa.select(credit_lines.c.id).where(credit_lines.c.borrower_id == borrower_id)
            q = q.where(coll_cases.c.account_id.in_(owned))
        if account_id is None and borrower_id is None:
            return []
        return list(self.conn.execute(q).scalars())

    def reassign_open_case(self, case_id: int, *, agent_id: int) -> sa.Row | None:
        """Give the open case to `agent_id`; returns (account_id, agent_id before) of the case, or None when no
        open case has that id (nothing changed). The row is locked for the transaction first."""
        before = self.conn.execute(
            sa.select(coll_cases.c.account_id, coll_cases.c.agent_id)
            .where(coll_cases.c.id == case_id, coll_cases.c.status == CaseStatus.OPEN)
            .with_for_update()
        ).first()
        if before is not None:
            self.conn.execute(sa.update(coll_cases).where(coll_cases.c.id == case_id).values(agent_id=agent_id))
        return before

    def cases(self, *, status: str | None, agent_id: int | None) -> list[sa.Row]:
        """Case rows, newest first, optionally of one status and one agent."""
        q = sa.select(coll_cases).order_by(coll_cases.c.id.desc())
        if status is not None:
            q = q.where(coll_cases.c.status == status)
        if agent_id is not None:
            q = q.where(coll_cases.c.agent_id == agent_id)
        return self.conn.execute(q).all()

    def add_case(
        self,
        *,
        account_id: int,
        opened_on: date,
        opened_at: datetime,
        bucket: str,
        dpd: int,
        team_id: int | None,
        agent_id: int | None,
    ) -> int:
        """A new open case entering `bucket` on the day it opens; returns its id."""
        case_id: int = self.conn.execute(
            _CASE_INSERT,
            dict(
                account_id=account_id,
                opened_on=opened_on,
                opened_at=opened_at,
                bucket=bucket,
                bucket_entered_on=opened_on,
                dpd=dpd,
                status=CaseStatus.OPEN,
                close_reason=None,
                closed_on=None,
                team_id=team_id,
                agent_id=agent_id,
            ),
        ).scalar_one()
        return case_id

    def close_case(self, case_id: int, *, reason: str, closed_on: date, at: datetime) -> None:
        """Close the case if open, and skip its steps still planned or rescheduled."""
        self.conn.execute(
            _CASE_CLOSE,
            {"closing_case_id": case_id, "status": CaseStatus.CLOSED, "close_reason": reason, "closed_on": closed_on},
        )
        self.conn.execute(_STEPS_SKIP, {"closing_case_id": case_id, "status": ActionStatus.SKIPPED, "updated_at": at})

    def move_case(self, case_id: int, *, bucket: str, entered_on: date, dpd: int, at: datetime) -> None:
        """The case enters `bucket`; its steps of other buckets not yet done are skipped."""
        self.conn.execute(
            _CASE_MOVE, {"moving_case_id": case_id, "bucket": bucket, "bucket_entered_on": entered_on, "dpd": dpd}
        )
        self.conn.execute(
            _STEPS_LEFT_BEHIND,
            {
                "moving_case_id": case_id,
                "kept_keys": f"bucket:{bucket}:%",
                "status": ActionStatus.SKIPPED,
                "updated_at": at,
            },
        )

    def reopen_case_closed_for_plan(self, case_id: int) -> None:
        """Open the case again as it was, only if a plan closed it."""
        self.conn.execute(
            coll_cases.update()
            .where(coll_cases.c.id == case_id, coll_cases.c.close_reason == "plan")
            .values(status=CaseStatus.OPEN, close_reason=None, closed_on=None)
        )

    def dayend_bucket_of(self, account_id: int) -> sa.Row | None:
        """The account's current day-end (bucket, dpd), or None when day-end has not seen it."""
        return self.conn.execute(
            sa.select(dayend_account.c.bucket, dayend_account.c.dpd).where(dayend_account.c.account_id == account_id)
        ).one_or_none()

    def time_zones_of_line(self, account_id: int) -> str:
        """The line's borrower's time zones (space-separated IANA names, the first one first)."""
        zones: str = self.conn.execute(_ZONE_OF_LINE, {"account_id": account_id}).scalar_one()
        return zones

    def step_keys_planned(self, case_id: int, keys: list[str]) -> set[str]:
        """Which of these step keys the case already has (one query)."""
        return set(self.conn.execute(_STEP_KEYS_OF_CASE, {"case_id": case_id, "keys": keys}).scalars())

    def add_steps(self, rows: list[dict[str, Any]]) -> None:
        """Planned steps (coll_actions rows) in one executemany, in the order given."""
        self.conn.execute(_ACTION_INSERT, rows)

    # -- a batch of day-end events ---------------------------------------------------------------
    def open_cases_of(self, account_ids: Sequence[int]) -> list[sa.Row]:
        """The open case rows of these accounts (one query)."""
        return self.conn.execute(_OPEN_CASES_OF_MANY, {"ids": list(account_ids)}).all()

    def add_assignments(self, rows: list[dict[str, Any]]) -> None:
        """Record strategy assignments (account_id, strategy_code, strategy_version, variant, assigned_at), in bulk."""
        self.conn.execute(coll_strategy_assignments.insert(), rows)

    def accounts_with_active_plan(self, account_ids: Sequence[int]) -> list[int]:
        """Which of these accounts have an active negotiated plan (one query)."""
        return list(self.conn.execute(_ACTIVE_PLANS_OF_MANY, {"ids": list(account_ids)}).scalars())

    def lines_with_zones(self, account_ids: Sequence[int]) -> list[sa.Row]:
        """(id, product_id, time_zones) of these lines and their borrowers (one query)."""
        return self.conn.execute(_LINES_OF_MANY, {"ids": list(account_ids)}).all()

    def event_cursor(self, consumer: str) -> int | None:
        """The consumer's last day-end event id applied, or None before its first run."""
        cursor: int | None = self.conn.execute(_CURSOR, {"of_consumer": consumer}).scalar_one_or_none()
        return cursor

    def add_event_cursor(self, consumer: str, *, at: datetime) -> None:
        """The consumer's cursor, at 0."""
        self.conn.execute(coll_event_cursor.insert().values(consumer=consumer, last_event_id=0, updated_at=at))

    def lock_event_cursor(self, consumer: str, cursor: int) -> int:
        """On PostgreSQL, lock the consumer's cursor row (one consumer at a time advances it) and read it again;
        elsewhere (SQLite's BEGIN IMMEDIATE already serialises writers) return `cursor` unchanged."""
        if self.conn.dialect.name != "postgresql":
            return cursor
        self.conn.execute(_CURSOR_FOR_UPDATE, {"of_consumer": consumer})
        locked: int = self.conn.execute(_CURSOR, {"of_consumer": consumer}).scalar_one()
        return locked

    def events_after(self, cursor: int, *, batch_max: int) -> list[sa.Row]:
        """Day-end events (id, account_id, kind, business_on, payload) after `cursor`, oldest first, at most
        batch_max."""
        return self.conn.execute(_EVENTS_AFTER, {"cursor": cursor, "batch_max": batch_max}).all()

    def advance_event_cursor(self, consumer: str, *, last_event_id: int, at: datetime) -> None:
        """The consumer has applied every event up to last_event_id."""
        self.conn.execute(_CURSOR_UPDATE, {"of_consumer": consumer, "last_event_id": last_event_id, "updated_at": at})

    # -- facts for the gate ----------------------------------------------------------------------
    def debt_flags(
        self, *, account_id: int, borrower_id: BorrowerId, overdue_before: date | None = None
    ) -> list[sa.Row]:
        """One query: rows of (dispute, plan, promise, facts[, overdue], channel), one per live cease request of the
        borrower (channel None when there is none); the flags are the same on every row. With overdue_before, also
        whether an installment due before that date is still unpaid."""
        params = {"account_id": account_id, "borrower_id": borrower_id}
        if overdue_before is None:
            return self.conn.execute(_FLAGS_QUERY, params).all()
        return self.conn.execute(_FLAGS_AND_OVERDUE_QUERY, {**params, "before": overdue_before}).all()
