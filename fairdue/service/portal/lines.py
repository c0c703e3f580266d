"""What a borrower sees of their credit lines: balances and dues, installment plans with their true APR,
and the contact log of their debts.

The plain reads (whose lines are whose, the plans and installments, the borrower's today and jurisdiction)
are in `fairdue.adapters.db.views.portal`; this composes them with servicing (accounts, open items,
statements), the loan math and the contact service's decision log.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fairdue.adapters.db.views import portal as portal_reads
from fairdue.adapters.db.views.portal import InstallmentView
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.money import to_decimal
from fairdue.errors import FairdueError
from fairdue.loanmath import apr, convention_for
from fairdue.service.contact.decision_log import ContactLogItem, contact_history
from fairdue.service.servicing.accounts import balances, get_account, product_of
from fairdue.service.servicing.debts import debt_id_for_line, service_debt_id
from fairdue.service.servicing.posting import open_items
from fairdue.service.servicing.statements import UnknownStatement, get_statement


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


def _plan_apr(
    principal_minor: int, currency: str, start_on: _dt.date, rows: Sequence[InstallmentView], convention: str
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


def plans_of_line(uow: Any, line_id: int, jurisdiction: str) -> tuple[PlanView, ...]:
    """The line's installment plans with their installments and true APR under the jurisdiction's convention."""
    convention = convention_for(jurisdiction)
    return tuple(
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
            installments=rows,
        )
        for p, rows in portal_reads.installment_plans_of_line(uow.connection, line_id)
    )


def line_view(uow: Any, *, borrower_id: BorrowerId, line_id: int, today: _dt.date) -> LineView:
    """Everything the portal shows about one of the borrower's lines (LineNotFound if not theirs)."""
    portal_reads.owned_line(uow.connection, borrower_id, line_id)
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
        plans=plans_of_line(uow, line.id, product.jurisdiction),
    )


def lines_of(uow: Any, *, borrower_id: BorrowerId, today: _dt.date) -> list[LineView]:
    """Every line of the borrower, oldest first, as `line_view` shows it."""
    return [
        line_view(uow, borrower_id=borrower_id, line_id=i, today=today)
        for i in portal_reads.line_ids_of(uow.connection, borrower_id)
    ]


def contact_log(uow: Any, *, borrower_id: BorrowerId) -> list[tuple[str, ContactLogItem]]:
    """(debt_id, ContactLogItem) for every decision about the borrower's debts and service messages,
    newest first — allowed and denied alike, from the hash-chained decision log."""
    debt_ids = [debt_id_for_line(i) for i in portal_reads.line_ids_of(uow.connection, borrower_id)]
    debt_ids.append(service_debt_id(borrower_id))
    items = [(d, item) for d in debt_ids for item in contact_history(uow, debt_id=d)]
    items.sort(key=lambda pair: pair[1].decision_seq, reverse=True)
    return items
