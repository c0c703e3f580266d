"""Collections work on a case: planned steps and their actions, reminders, agent tasks, promises to pay, call outcomes, disputes and cease requests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.accounts import (
    borrowers,
    credit_lines,
    installment_unpaid,
    installments,
    payments,
    products,
)
from fairdue.adapters.db.schema.collections_engine import (
    coll_actions,
    coll_cases,
    coll_cease_requests,
    coll_disputes,
    coll_plans,
    coll_promises,
    coll_reminders,
)
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.statuses import (
    ActionStatus,
    CaseStatus,
    CreditLineStatus,
    DisputeStatus,
    InstallmentStatus,
    PaymentStatus,
    PlanStatus,
    PromiseStatus,
    ReminderStatus,
)

# -- statements built once: every action, reminder and run of the engine reads them (parameters apart, SQLAlchemy
# compiles and caches each statement once) ------------------------------------------------------------------------
_PLAN_ROWS = sa.select(coll_plans.c.rows).where(coll_plans.c.id == sa.bindparam("plan_id"))
_ACTION_WITH_CASE = (
    sa.select(
        coll_actions,
        coll_cases.c.account_id.label("case_account_id"),
        coll_cases.c.dpd.label("case_dpd"),
        coll_cases.c.bucket_entered_on.label("case_bucket_entered_on"),
    )
    .select_from(coll_actions.join(coll_cases, coll_cases.c.id == coll_actions.c.case_id))
    .where(coll_actions.c.id == sa.bindparam("action_id"))
)
_ACCOUNTS_OF_ACTIONS = (
    sa.select(coll_cases.c.account_id)
    .distinct()
    .select_from(coll_actions.join(coll_cases, coll_cases.c.id == coll_actions.c.case_id))
    .where(coll_actions.c.id.in_(sa.bindparam("ids", expanding=True)))
)
_ACTION_UPDATE = coll_actions.update().where(coll_actions.c.id == sa.bindparam("action_id"))
_REMINDER_UPDATE = coll_reminders.update().where(coll_reminders.c.id == sa.bindparam("reminder_id"))


def _reminder_queries() -> tuple[sa.Select, sa.Select]:
    # The lines with unpaid installments due in [from_on, until] and no open case or active plan (one row per line
    # and due date), and the reminders already planned for due dates in that window.

    open_case = sa.exists().where(coll_cases.c.account_id == credit_lines.c.id, coll_cases.c.status == CaseStatus.OPEN)
    active_plan = sa.exists().where(
        coll_plans.c.account_id == credit_lines.c.id, coll_plans.c.status == PlanStatus.ACTIVE
    )
    due_on = installments.c.due_on
    lines = (
        sa.select(
            credit_lines.c.id.label("account_id"),
            products.c.code.label("product_code"),
            products.c.jurisdiction,
            borrowers.c.time_zones,
            due_on,
        )
        .distinct()
        .select_from(
            installments.join(credit_lines, credit_lines.c.id == installments.c.credit_line_id)
            .join(products, products.c.id == credit_lines.c.product_id)
            .join(borrowers, borrowers.c.id == credit_lines.c.borrower_id)
        )
        .where(
            due_on >= sa.bindparam("from_on", type_=due_on.type),
            due_on <= sa.bindparam("until", type_=due_on.type),
            installments.c.status.not_in((InstallmentStatus.PAID, InstallmentStatus.CANCELLED)),
            credit_lines.c.status == CreditLineStatus.ACTIVE,
            ~open_case,
            ~active_plan,
        )
    )
    reminded_on = coll_reminders.c.installment_due_on
    planned = sa.select(coll_reminders.c.account_id, coll_reminders.c.step_key, reminded_on).where(
        reminded_on >= sa.bindparam("from_on", type_=reminded_on.type),
        reminded_on <= sa.bindparam("until", type_=reminded_on.type),
    )
    return lines, planned


_REMINDER_LINES, _REMINDERS_PLANNED = _reminder_queries()  # built once: read on every business day


def _due_steps_queries() -> tuple[sa.Select, sa.Select]:
    # A step of a line with a pending promise or an open dispute stays planned (paused): counted here, set-based,
    # instead of being loaded and looked at one by one on every run.
    paused = sa.or_(
        sa.exists().where(
            coll_promises.c.account_id == coll_cases.c.account_id, coll_promises.c.status == PromiseStatus.PENDING
        ),
        sa.exists().where(
            coll_disputes.c.account_id == coll_cases.c.account_id, coll_disputes.c.status == DisputeStatus.OPEN
        ),
    )
    due_steps = (
        sa.select(coll_actions.c.id)
        .select_from(coll_actions.join(coll_cases, coll_cases.c.id == coll_actions.c.case_id))
        .where(
            coll_actions.c.status.in_((ActionStatus.PLANNED, ActionStatus.RESCHEDULED)),
            coll_actions.c.due_at <= sa.bindparam("now_at", type_=coll_actions.c.due_at.type),
            sa.or_(coll_cases.c.status == CaseStatus.OPEN, coll_actions.c.step_key.like("plan:%")),
        )
    )
    return (
        sa.select(sa.func.count()).select_from(due_steps.where(paused).subquery()),
        due_steps.where(~paused).order_by(coll_actions.c.due_at, coll_actions.c.id).limit(sa.bindparam("batch_max")),
    )


_PAUSED_COUNT, _DUE_STEPS = _due_steps_queries()  # built once, run on every engine run
_DUE_REMINDERS = (
    sa.select(coll_reminders)
    .where(
        coll_reminders.c.status.in_((ReminderStatus.PLANNED, ReminderStatus.RESCHEDULED)),
        coll_reminders.c.due_at <= sa.bindparam("now_at", type_=coll_reminders.c.due_at.type),
        coll_reminders.c.id > sa.bindparam("last_id"),
    )
    .order_by(coll_reminders.c.id)
    .limit(sa.bindparam("batch_max"))
)

# The task with its account's facts (outer joins: a task whose line is gone is still found, and fails as before).
_CALL_TASK = (
    sa.select(
        coll_actions,
        coll_cases.c.account_id,
        credit_lines.c.borrower_id,
        credit_lines.c.currency,
        products.c.code,
        products.c.jurisdiction,
    )
    .select_from(
        coll_actions.join(coll_cases, coll_cases.c.id == coll_actions.c.case_id)
        .outerjoin(credit_lines, credit_lines.c.id == coll_cases.c.account_id)
        .outerjoin(products, products.c.id == credit_lines.c.product_id)
    )
    .where(coll_actions.c.id == sa.bindparam("action_id"), coll_actions.c.status == ActionStatus.TASK)
)
_TASK_DONE = coll_actions.update().where(
    coll_actions.c.id == sa.bindparam("action_id"), coll_actions.c.status == ActionStatus.TASK
)

# What a line (or, for day-end's pending promises, each of many lines) has paid.
_PAID_TOTALS_OF_MANY = (
    sa.select(payments.c.credit_line_id, sa.func.sum(payments.c.amount_minor).label("paid"))
    .where(
        payments.c.credit_line_id.in_(sa.bindparam("ids", expanding=True)), payments.c.status == PaymentStatus.POSTED
    )
    .group_by(payments.c.credit_line_id)
)
_PENDING_PROMISES = sa.select(coll_promises).where(coll_promises.c.status == PromiseStatus.PENDING)
_PROMISE_SETTLE = coll_promises.update().where(coll_promises.c.id == sa.bindparam("promise_id"))


def _task_with_case_query() -> sa.Select:
    return (
        sa.select(
            coll_actions,
            coll_cases.c.account_id,
            coll_cases.c.agent_id.label("case_agent_id"),
            coll_cases.c.status.label("case_status"),
        )
        .select_from(coll_actions.join(coll_cases, coll_cases.c.id == coll_actions.c.case_id))
        .where(coll_actions.c.id == sa.bindparam("action_id"))
    )


_TASK_WITH_CASE = _task_with_case_query()  # built once: every logged call reads it


class ActionsRepository:
    """Named reads and writes on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock

    # -- case steps (actions) ------------------------------------------------------------------------------------
    def due_step_ids(self, *, now_at: datetime, batch_max: int) -> list[int]:
        """Ids of the case steps due by now_at on lines not paused (no pending promise, no open dispute), in due
        order, at most batch_max."""
        return list(self.conn.execute(_DUE_STEPS, {"now_at": now_at, "batch_max": batch_max}).scalars().all())

    def paused_step_count(self, *, now_at: datetime) -> int:
        """How many case steps due by now_at are paused by a pending promise or an open dispute."""
        n: int = self.conn.execute(_PAUSED_COUNT, {"now_at": now_at}).scalar_one()
        return n

    def accounts_of_actions(self, action_ids: list[int]) -> list[int]:
        """The distinct accounts whose cases these actions belong to."""
        return list(self.conn.execute(_ACCOUNTS_OF_ACTIONS, {"ids": action_ids}).scalars())

    def action_with_case(self, action_id: int) -> sa.Row:
        """The action with its case's account_id, dpd and bucket_entered_on (as case_*); it must exist."""
        return self.conn.execute(_ACTION_WITH_CASE, {"action_id": action_id}).one()

    def update_action(self, action_id: int, values: Mapping[str, Any]) -> None:
        """Set these columns of the action."""
        self.conn.execute(_ACTION_UPDATE, {"action_id": action_id, **values})

    def add_action(self, *, case_id: int, step_key: str, due_at: datetime, channel: str, template: str) -> None:
        """Plan one step of a case (status planned, no attempt yet, updated now)."""
        self.conn.execute(
            coll_actions.insert().values(
                case_id=case_id,
                step_key=step_key,
                due_at=due_at,
                channel=channel,
                template=template,
                status=ActionStatus.PLANNED,
                attempts=0,
                updated_at=self.clock(),
            )
        )

    def skip_plan_reminders(self, plan_id: int) -> None:
        """Skip the plan's reminder steps still planned or rescheduled (updated now)."""
        self.conn.execute(
            coll_actions.update()
            .where(
                coll_actions.c.step_key.like(f"plan:{plan_id}:%"),
                coll_actions.c.status.in_((ActionStatus.PLANNED, ActionStatus.RESCHEDULED)),
            )
            .values(status=ActionStatus.SKIPPED, updated_at=self.clock())
        )

    def actions_of_case(self, case_id: int) -> list[sa.Row]:
        """The case's actions, in due order."""
        return list(
            self.conn.execute(
                sa.select(coll_actions)
                .where(coll_actions.c.case_id == case_id)
                .order_by(coll_actions.c.due_at, coll_actions.c.id)
            ).all()
        )

    # -- negotiated plans (what a plan's own reminders need) ------------------------------------------------------
    def plan_rows_text(self, plan_id: int) -> str:
        """The plan's rows as stored (JSON text); the plan must exist."""
        text: str = self.conn.execute(_PLAN_ROWS, {"plan_id": plan_id}).scalar_one()
        return text

    # -- agent tasks ---------------------------------------------------------------------------------------------
    def tasks_of_agent(self, agent_id: int) -> list[sa.Row]:
        """Open call tasks of the agent's open cases (with the case's account_id), oldest first."""
        return list(
            self.conn.execute(
                sa.select(coll_actions, coll_cases.c.account_id)
                .select_from(coll_actions.join(coll_cases, coll_cases.c.id == coll_actions.c.case_id))
                .where(
                    coll_cases.c.agent_id == agent_id,
                    coll_cases.c.status == CaseStatus.OPEN,
                    coll_actions.c.status == ActionStatus.TASK,
                )
                .order_by(coll_actions.c.due_at, coll_actions.c.id)
            ).all()
        )

    def open_call_task(self, action_id: int) -> sa.Row | None:
        """The open task with its account's borrower, currency, product code and jurisdiction (None when the line is
        gone); None when there is no such open task."""
        return self.conn.execute(_CALL_TASK, {"action_id": action_id}).one_or_none()

    def complete_task(self, action_id: int) -> None:
        """Mark the task done (nothing happens unless it is an open task)."""
        self.conn.execute(_TASK_DONE, {"action_id": action_id, "status": ActionStatus.DONE, "updated_at": self.clock()})

    def task_with_case(self, action_id: int) -> sa.Row | None:
        """The action with its case's account_id, agent (case_agent_id) and status (case_status); None if unknown."""
        return self.conn.execute(_TASK_WITH_CASE, {"action_id": action_id}).one_or_none()

    # -- pre-due and due-day reminders ---------------------------------------------------------------------------
    def lines_to_remind(self, *, from_on: date, until: date) -> list[sa.Row]:
        """(account_id, product_code, jurisdiction, time_zones, due_on) of active lines with no open case and no
        active plan that have unpaid installments due in [from_on, until]; one row per line and due date."""
        return list(self.conn.execute(_REMINDER_LINES, {"from_on": from_on, "until": until}).all())

    def reminders_planned(self, *, from_on: date, until: date) -> set[tuple[int, str, date]]:
        """(account_id, step_key, installment_due_on) of the reminders for due dates in [from_on, until]."""
        return {
            (r.account_id, r.step_key, r.installment_due_on)
            for r in self.conn.execute(_REMINDERS_PLANNED, {"from_on": from_on, "until": until})
        }

    def add_reminders(self, rows: list[dict[str, Any]]) -> None:
        """Plan reminders (full rows), in bulk."""
        self.conn.execute(coll_reminders.insert(), rows)

    def due_reminders(self, *, now_at: datetime, after_id: int, batch_max: int) -> list[sa.Row]:
        """Planned or rescheduled reminders due by now_at with id above after_id, by id, at most batch_max."""
        return list(
            self.conn.execute(_DUE_REMINDERS, {"now_at": now_at, "last_id": after_id, "batch_max": batch_max}).all()
        )

    def update_reminder(self, reminder_id: int, values: Mapping[str, Any]) -> None:
        """Set these columns of the reminder."""
        self.conn.execute(_REMINDER_UPDATE, {"reminder_id": reminder_id, **values})

    def reminders_of(self, account_id: int) -> list[sa.Row]:
        """The line's reminders, in due order."""
        return list(
            self.conn.execute(
                sa.select(coll_reminders)
                .where(coll_reminders.c.account_id == account_id)
                .order_by(coll_reminders.c.due_at, coll_reminders.c.id)
            ).all()
        )

    def unpaid_by_line_and_day(self, account_ids: list[int], days: list[date]) -> dict[tuple[int, date], int]:
        """What is left to pay of the unpaid installments, per (line, due date) of these lines and days."""
        i = installments
        return {
            (a, d): int(m)
            for a, d, m in self.conn.execute(
                sa.select(
                    i.c.credit_line_id,
                    i.c.due_on,
                    sa.func.sum(installment_unpaid()),
                )
                .where(
                    i.c.credit_line_id.in_(account_ids),
                    i.c.due_on.in_(days),
                    i.c.status.not_in((InstallmentStatus.PAID, InstallmentStatus.CANCELLED)),
                )
                .group_by(i.c.credit_line_id, i.c.due_on)
            )
        }

    def lines_with_open_case(self, account_ids: Iterable[int]) -> set[int]:
        """Those of these lines that have an open case."""
        return set(
            self.conn.execute(
                sa.select(coll_cases.c.account_id).where(
                    coll_cases.c.account_id.in_(account_ids), coll_cases.c.status == CaseStatus.OPEN
                )
            ).scalars()
        )

    def lines_with_open_dispute(self, account_ids: Iterable[int]) -> set[int]:
        """Those of these lines that have an open dispute."""
        return set(
            self.conn.execute(
                sa.select(coll_disputes.c.account_id).where(
                    coll_disputes.c.account_id.in_(account_ids), coll_disputes.c.status == DisputeStatus.OPEN
                )
            ).scalars()
        )

    # -- promises to pay -----------------------------------------------------------------------------------------
    def currency_of_line(self, account_id: int) -> str | None:
        """The credit line's currency; None when there is no such line."""
        currency: str | None = self.conn.execute(
            sa.select(credit_lines.c.currency).where(credit_lines.c.id == account_id)
        ).scalar_one_or_none()
        return currency

    def cancel_pending_promises(self, *, account_id: int, resolved_on: date) -> None:
        """Cancel the line's pending promise(s) as of resolved_on."""
        self.conn.execute(
            coll_promises.update()
            .where(coll_promises.c.account_id == account_id, coll_promises.c.status == PromiseStatus.PENDING)
            .values(status=PromiseStatus.CANCELLED, resolved_on=resolved_on)
        )

    def add_promise(
        self,
        *,
        account_id: int,
        case_id: int | None,
        amount_minor: int,
        currency: str,
        promised_on: date,
        paid_before_minor: int,
        recorded_by: int | None,
    ) -> int:
        """Record a pending promise (recorded now); returns its id."""
        promise_id: int = self.conn.execute(
            coll_promises.insert()
            .values(
                account_id=account_id,
                case_id=case_id,
                amount_minor=amount_minor,
                currency=currency,
                promised_on=promised_on,
                paid_before_minor=paid_before_minor,
                status=PromiseStatus.PENDING,
                recorded_at=self.clock(),
                recorded_by=recorded_by,
                resolved_on=None,
            )
            .returning(coll_promises.c.id)
        ).scalar_one()
        return promise_id

    def promises_of(self, account_id: int) -> list[sa.Row]:
        """The line's promises, oldest first."""
        return list(
            self.conn.execute(
                sa.select(coll_promises).where(coll_promises.c.account_id == account_id).order_by(coll_promises.c.id)
            )
        )

    def pending_promises(self) -> list[sa.Row]:
        """Every pending promise."""
        return list(self.conn.execute(_PENDING_PROMISES).all())

    def paid_totals(self, account_ids: list[int]) -> dict[int, int]:
        """Posted payments per line (lines with none are absent)."""
        return {line: int(paid) for line, paid in self.conn.execute(_PAID_TOTALS_OF_MANY, {"ids": account_ids})}

    def settle_promise(self, promise_id: int, *, status: str, resolved_on: date) -> None:
        """Resolve a promise as kept or broken on resolved_on."""
        self.conn.execute(_PROMISE_SETTLE, {"promise_id": promise_id, "status": status, "resolved_on": resolved_on})

    # -- disputes and cease requests -----------------------------------------------------------------------------
    def add_dispute(self, *, account_id: int, reason: str) -> int:
        """Open a dispute on the line (opened now); returns its id."""
        dispute_id: int = self.conn.execute(
            coll_disputes.insert()
            .values(account_id=account_id, reason=reason, status=DisputeStatus.OPEN, opened_at=self.clock())
            .returning(coll_disputes.c.id)
        ).scalar_one()
        return dispute_id

    def resolve_open_dispute(self, dispute_id: int, *, resolution: str) -> int:
        """Resolve the dispute if it is open (resolved now); returns how many were resolved (0 or 1)."""
        n: int = self.conn.execute(
            coll_disputes.update()
            .where(coll_disputes.c.id == dispute_id, coll_disputes.c.status == DisputeStatus.OPEN)
            .values(status=DisputeStatus.RESOLVED, resolved_at=self.clock(), resolution=resolution)
        ).rowcount
        return n

    def add_cease(self, *, borrower_id: BorrowerId, channel: str, source: str) -> int:
        """Record a cease-communication or opt-out request (requested now); returns its id."""
        cease_id: int = self.conn.execute(
            coll_cease_requests.insert()
            .values(borrower_id=borrower_id, channel=channel, source=source, requested_at=self.clock())
            .returning(coll_cease_requests.c.id)
        ).scalar_one()
        return cease_id
