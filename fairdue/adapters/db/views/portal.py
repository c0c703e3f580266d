"""Borrower portal read models: whose lines are whose, the borrower's jurisdiction and today, installment plans.

Read-only SQL over the borrower registry and servicing's credit lines, plans and installments.
`borrower_jurisdiction` maps the borrower's postal region (borrowers table) to the jurisdiction whose rules
apply to complaints and notices. What the portal shows of a line (balances, dues, each plan's true APR) is
composed in `fairdue.service.portal.lines`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import borrowers, credit_lines, installment_plans, installments
from fairdue.domain.borrowers import BorrowerId, jurisdiction_of_region
from fairdue.errors import NotFound


class BorrowerUnknown(NotFound):
    def __init__(self, borrower_id: object):
        super().__init__(f"borrower {borrower_id} not found")


class LineNotFound(NotFound):
    def __init__(self, line_id: object):
        super().__init__(f"account {line_id} not found")


def borrower_jurisdiction(conn: sa.Connection, borrower_id: BorrowerId) -> str:
    """The jurisdiction of the borrower's postal region (CN when the region is not one we map)."""
    try:
        key = int(borrower_id)
    except (TypeError, ValueError):
        raise BorrowerUnknown(borrower_id) from None
    region = conn.execute(sa.select(borrowers.c.postal_region).where(borrowers.c.id == key)).scalar_one_or_none()
    if region is None:
        raise BorrowerUnknown(borrower_id)
    return jurisdiction_of_region(region)


def borrower_today(conn: sa.Connection, borrower_id: BorrowerId, now: dt.datetime) -> dt.date:
    """Today's date where the borrower lives (first known time zone)."""
    zones = conn.execute(
        sa.select(borrowers.c.time_zones).where(borrowers.c.id == int(borrower_id))
    ).scalar_one_or_none()
    zone = (zones or "Asia/Shanghai").split()[0]
    try:
        return now.astimezone(ZoneInfo(zone)).date()
    except Exception:  # an unknown zone name in stored data: fall back to UTC, never crash a page
        return now.date()


def line_ids_of(conn: sa.Connection, borrower_id: BorrowerId) -> list[int]:
    """The borrower's credit line ids, oldest first."""
    return list(
        conn.execute(
            sa.select(credit_lines.c.id)
            .where(credit_lines.c.borrower_id == int(borrower_id))
            .order_by(credit_lines.c.id)
        ).scalars()
    )


def owned_line(conn: sa.Connection, borrower_id: BorrowerId, line_id: int) -> int:
    """The line id if it belongs to the borrower; otherwise LineNotFound (same for absent and not yours)."""
    if line_id not in line_ids_of(conn, borrower_id):
        raise LineNotFound(line_id)
    return line_id


@dataclass(frozen=True, slots=True)
class InstallmentView:
    """One scheduled installment; *_minor in the plan's currency; paid_minor across components."""

    seq: int
    due_on: dt.date
    principal_minor: int
    interest_minor: int
    fee_minor: int
    paid_minor: int
    status: str

    @property
    def total_minor(self) -> int:
        return self.principal_minor + self.interest_minor + self.fee_minor


def installment_plans_of_line(conn: sa.Connection, line_id: int) -> list[tuple[Any, tuple[InstallmentView, ...]]]:
    """The line's installment plans (rows) in id order, each with its installments in sequence."""
    plans = conn.execute(
        sa.select(installment_plans)
        .where(installment_plans.c.credit_line_id == line_id)
        .order_by(installment_plans.c.id)
    ).all()
    return [
        (
            p,
            tuple(
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
            ),
        )
        for p in plans
    ]
