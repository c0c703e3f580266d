"""Read models for the agent console: the delinquency queue and the account view (PII masked)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

QUEUE_LENGTH_MAX = 200


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A credit line with billed installments past due: oldest_due_on, days_past_due, overdue_minor."""

    line_id: int
    borrower_id: int
    product_code: str
    currency: str
    oldest_due_on: dt.date
    days_past_due: int
    overdue_minor: int


def delinquency_queue(conn: sa.Connection, *, today: dt.date, limit: int = QUEUE_LENGTH_MAX) -> list[QueueItem]:
    """Lines with unpaid installments due before today, most days past due first."""
    from fairdue.adapters.db.schema.accounts import credit_lines, installments, products

    unpaid = (installments.c.principal_due_minor + installments.c.interest_due_minor + installments.c.fee_due_minor
              - installments.c.principal_paid_minor - installments.c.interest_paid_minor - installments.c.fee_paid_minor)
    q = (sa.select(installments.c.credit_line_id, credit_lines.c.borrower_id, products.c.code, credit_lines.c.currency,
                   sa.func.min(installments.c.due_on).label("oldest"), sa.func.sum(unpaid).label("overdue"))
         .join(credit_lines, credit_lines.c.id == installments.c.credit_line_id)
         .join(products, products.c.id == credit_lines.c.product_id)
         .where(installments.c.due_on < today, unpaid > 0, credit_lines.c.status == "active")
         .group_by(installments.c.credit_line_id, credit_lines.c.borrower_id, products.c.code, credit_lines.c.currency)
         .order_by(sa.func.min(installments.c.due_on), installments.c.credit_line_id)
         .limit(limit))
    return [QueueItem(line_id=r.credit_line_id, borrower_id=r.borrower_id, product_code=r.code, currency=r.currency,
                      oldest_due_on=r.oldest, days_past_due=(today - r.oldest).days, overdue_minor=int(r.overdue))
            for r in conn.execute(q)]


@dataclass(frozen=True, slots=True)
class Party:
    """The borrower as staff see them: masked unless revealed (then `revealed` is True)."""

    borrower_id: int
    name: str
    id_number: str
    mobiles: tuple[tuple[str, str], ...]
    postal_region: str
    time_zones: tuple[str, ...]
    language: str
    revealed: bool


def party(uow: Any, *, borrower_id: int, cipher: Any, reveal: bool) -> Party:
    from fairdue.domain.masking import mask_id_number, mask_name, mask_phone
    from fairdue.service.borrowers import get_borrower

    person = get_borrower(uow, borrower_id=borrower_id, cipher=cipher)
    if reveal:
        return Party(person.id, person.name, person.id_number, person.mobiles, person.postal_region,
                     person.time_zones, person.language, True)
    return Party(person.id, mask_name(person.name), mask_id_number(person.id_number),
                 tuple((mask_phone(n), s) for n, s in person.mobiles), person.postal_region, person.time_zones,
                 person.language, False)


def borrower_of_line(conn: sa.Connection, line_id: int) -> int | None:
    from fairdue.adapters.db.schema.accounts import credit_lines

    return conn.execute(sa.select(credit_lines.c.borrower_id).where(credit_lines.c.id == line_id)).scalar_one_or_none()
