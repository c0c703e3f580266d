"""Read models for the borrower portal that are not another area's service.

`borrower_jurisdiction` maps the borrower's postal region (borrowers table,
issue 2) to the jurisdiction whose rules apply to complaints and notices.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import borrowers, credit_lines, installment_plans, installments
from fairdue.adapters.db.schema.collections import decision_log
from fairdue.adapters.db.schema.web import staff_users
from fairdue.domain.money import to_decimal
from fairdue.errors import FairdueError, NotFound
from fairdue.loanmath import apr, convention_for
from fairdue.service.contact.decision_log import contact_history
from fairdue.service.servicing.accounts import balances, get_account, product_of

# The debt-id convention lives in fairdue.service.servicing.debts (one for the engine, contacts, console and API);
# these names stay importable from here for the web pages that use them.
from fairdue.service.servicing.debts import SERVICE_DEBT_ID_FORMAT, debt_id_for_line, service_debt_id  # noqa: F401
from fairdue.service.servicing.posting import open_items
from fairdue.service.servicing.statements import UnknownStatement, get_statement

REGION_JURISDICTION = {"CN": "CN", "US": "US", "GB": "UK"}


class BorrowerUnknown(NotFound):
    def __init__(self, borrower_id: object):
        super().__init__(f"borrower {borrower_id} not found")


def borrower_jurisdiction(conn: sa.Connection, borrower_id: str | int) -> str:
    try:
        key = int(borrower_id)
    except (TypeError, ValueError):
        raise BorrowerUnknown(borrower_id) from None
    region = conn.execute(sa.select(borrowers.c.postal_region).where(borrowers.c.id == key)).scalar_one_or_none()
    if region is None:
        raise BorrowerUnknown(borrower_id)
    return REGION_JURISDICTION.get(region.split("-")[0], "CN")


# --- the borrower's accounts ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InstallmentView:
    """One scheduled installment; *_minor in the plan's currency; paid_minor across components."""

    seq: int
    due_on: _dt.date
    principal_minor: int
    interest_minor: int
    fee_minor: int
    paid_minor: int
    status: str

    @property
    def total_minor(self) -> int:
        return self.principal_minor + self.interest_minor + self.fee_minor


@dataclass(frozen=True, slots=True)
class PlanView:
    """An installment plan with its true APR (None when it cannot be computed: the page says so)."""

    id: int
    kind: str
    periods: int
    rate: str
    principal_minor: int
    currency: str
    start_on: _dt.date
    status: str
    apr: Decimal | None
    convention: str
    installments: tuple[InstallmentView, ...]

    @property
    def cost_minor(self) -> int:
        return sum(i.interest_minor + i.fee_minor for i in self.installments)


@dataclass(frozen=True, slots=True)
class LineView:
    """One credit line as its borrower sees it.

    due_today_minor: billed, unpaid and due on or before today; overdue_minor: the part due before today;
    payoff_minor: everything owed now (billed or not, less credit); next_due_on: the earliest open due date.
    """

    id: int
    debt_id: str
    product_code: str
    product_name: str
    jurisdiction: str
    currency: str
    limit_minor: int
    available_minor: int
    status: str
    due_today_minor: int
    overdue_minor: int
    payoff_minor: int
    next_due_on: _dt.date | None
    next_due_minor: int
    statement: object | None
    plans: tuple[PlanView, ...]


def borrower_today(conn: sa.Connection, borrower_id: str | int, now: _dt.datetime) -> _dt.date:
    """Today's date where the borrower lives (first known time zone)."""
    zones = conn.execute(
        sa.select(borrowers.c.time_zones).where(borrowers.c.id == int(borrower_id))
    ).scalar_one_or_none()
    zone = (zones or "Asia/Shanghai").split()[0]
    try:
        return now.astimezone(ZoneInfo(zone)).date()
    except Exception:  # an unknown zone name in stored data: fall back to UTC, never crash a page
        return now.date()


def line_ids_of(conn: sa.Connection, borrower_id: str | int) -> list[int]:
    return list(
        conn.execute(
            sa.select(credit_lines.c.id)
            .where(credit_lines.c.borrower_id == int(borrower_id))
            .order_by(credit_lines.c.id)
        ).scalars()
    )


def owned_line(conn: sa.Connection, borrower_id: str | int, line_id: int) -> int:
    """The line id if it belongs to the borrower; otherwise LineNotFound (same for absent and not yours)."""
    if line_id not in line_ids_of(conn, borrower_id):
        raise LineNotFound(line_id)
    return line_id


class LineNotFound(NotFound):
    def __init__(self, line_id: object):
        super().__init__(f"account {line_id} not found")


def _plan_apr(
    principal_minor: int, currency: str, start_on: _dt.date, rows: list[InstallmentView], convention: str
) -> Decimal | None:
    advance = principal_minor
    payments = []
    for row in rows:
        if row.total_minor == 0:
            continue
        if row.due_on <= start_on:  # collected at the advance (upfront fee): the borrower never had it
            advance -= row.total_minor
            continue
        payments.append((row.due_on, to_decimal(row.total_minor, currency)))
    if advance <= 0 or not payments:
        return None
    try:
        return apr([(start_on, to_decimal(advance, currency))], payments, convention)
    except FairdueError:
        return None


def plans_of_line(conn: sa.Connection, line_id: int, jurisdiction: str) -> tuple[PlanView, ...]:
    convention = convention_for(jurisdiction)
    plans = conn.execute(
        sa.select(installment_plans)
        .where(installment_plans.c.credit_line_id == line_id)
        .order_by(installment_plans.c.id)
    ).all()
    out = []
    for p in plans:
        rows = [
            InstallmentView(
                seq=i.seq,
                due_on=i.due_on,
                principal_minor=i.principal_due_minor,
                interest_minor=i.interest_due_minor,
                fee_minor=i.fee_due_minor,
                paid_minor=i.principal_paid_minor + i.interest_paid_minor + i.fee_paid_minor,
                status=i.status,
            )
            for i in conn.execute(
                sa.select(installments).where(installments.c.plan_id == p.id).order_by(installments.c.seq)
            )
        ]
        out.append(
            PlanView(
                id=p.id,
                kind=p.kind,
                periods=p.periods,
                rate=p.rate,
                principal_minor=p.principal_minor,
                currency=p.currency,
                start_on=p.start_on,
                status=p.status,
                apr=_plan_apr(p.principal_minor, p.currency, p.start_on, rows, convention),
                convention=convention,
                installments=tuple(rows),
            )
        )
    return tuple(out)


def line_view(uow, *, borrower_id: str | int, line_id: int, today: _dt.date) -> LineView:
    """Everything the portal shows about one of the borrower's lines (LineNotFound if not theirs)."""
    conn = uow.connection
    owned_line(conn, borrower_id, line_id)
    line = get_account(uow, line_id=line_id)
    product = product_of(uow, line)
    bal = balances(uow, line_id=line_id)
    items = [item for item, _kind, _id in open_items(uow, line_id=line_id)]
    due_today = sum(i.total_minor for i in items if i.due_on <= today)
    overdue = sum(i.total_minor for i in items if i.due_on < today)
    upcoming = sorted((i for i in items if i.due_on > today), key=lambda i: i.due_on)
    next_due_on = upcoming[0].due_on if upcoming else None
    next_due = sum(i.total_minor for i in upcoming if i.due_on == next_due_on) if next_due_on else 0
    try:
        statement = get_statement(uow, line_id=line_id)
    except UnknownStatement:
        statement = None
    return LineView(
        id=line.id,
        debt_id=debt_id_for_line(line.id),
        product_code=product.code,
        product_name=product.name,
        jurisdiction=product.jurisdiction,
        currency=line.currency,
        limit_minor=line.limit_minor,
        available_minor=bal.available_minor,
        status=line.status,
        due_today_minor=due_today,
        overdue_minor=overdue,
        payoff_minor=bal.owed_minor,
        next_due_on=next_due_on,
        next_due_minor=next_due,
        statement=statement,
        plans=plans_of_line(conn, line.id, product.jurisdiction),
    )


def lines_of(uow, *, borrower_id: str | int, today: _dt.date) -> list[LineView]:
    return [
        line_view(uow, borrower_id=borrower_id, line_id=i, today=today)
        for i in line_ids_of(uow.connection, borrower_id)
    ]


# --- contact log --------------------------------------------------------------------------------


def contact_log(uow, *, borrower_id: str | int) -> list[tuple[str, object]]:
    """(debt_id, ContactLogItem) for every decision about the borrower's debts and service messages,
    newest first — allowed and denied alike, from the hash-chained decision log."""
    debt_ids = [debt_id_for_line(i) for i in line_ids_of(uow.connection, borrower_id)]
    debt_ids.append(service_debt_id(borrower_id))
    items = [(d, item) for d in debt_ids for item in contact_history(uow, debt_id=d)]
    items.sort(key=lambda pair: pair[1].decision_seq, reverse=True)
    return items


# --- logged call outcomes (console case page) -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class LoggedCallOutcome:
    """A call task's logged outcome (decision-log kind `call_outcome`). staff_id/staff_name None: logged by no
    staff member (a simulation) or by one no longer on file; promise_id None unless the outcome is a promise."""

    action_id: int
    outcome: str  # fairdue.service.collections.call_outcomes.OUTCOMES key: answered, no_answer, promise, ...
    logged_at: _dt.datetime
    staff_id: int | None
    staff_name: str | None
    seq: int  # the outcome's decision-log seq
    promise_id: int | None


def call_outcomes_of_case(uow, *, case_id: int, account_id: int) -> dict[int, LoggedCallOutcome]:
    """action id -> its logged call outcome, for the case's call actions. Read from the debt's decision-log
    `call_outcome` records (allowed, channel call); a record of another case of the same account is skipped."""
    import json

    rows = uow.connection.execute(
        sa.select(decision_log.c.seq, decision_log.c.decided_at, decision_log.c.record)
        .where(
            decision_log.c.debt_id == debt_id_for_line(account_id),
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
            uow.connection.execute(
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
