"""Read-only lists and lookups of credit lines for the API and pages (plain SQL; nothing here writes)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.accounts import credit_lines, products
from fairdue.adapters.db.schema.collections import outbox_messages


def line_owner(conn: Connection, line_id: int) -> int | None:
    """The borrower id holding the line, or None for no such line."""
    owner: int | None = conn.execute(sa.select(credit_lines.c.borrower_id).where(credit_lines.c.id == line_id)).scalar()
    return owner


def account_page(
    conn: Connection, *, borrower_id: int | None, status: str | None, product: str | None, limit: int, offset: int
) -> tuple[int, list[Any]]:
    """(total, page) of lines (id, borrower_id, product code, currency, limit_minor, status), by id; filtered
    by borrower (None: all), status and product code when given."""
    q = sa.select(
        credit_lines.c.id,
        credit_lines.c.borrower_id,
        products.c.code,
        credit_lines.c.currency,
        credit_lines.c.limit_minor,
        credit_lines.c.status,
    ).join(products, products.c.id == credit_lines.c.product_id)
    if borrower_id is not None:
        q = q.where(credit_lines.c.borrower_id == borrower_id)
    if status:
        q = q.where(credit_lines.c.status == status)
    if product:
        q = q.where(products.c.code == product)
    total: int = conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar_one()
    rows = list(conn.execute(q.order_by(credit_lines.c.id).limit(limit).offset(offset)).all())
    return total, rows


def lines_in_jurisdiction(conn: Connection, jurisdiction: str, *, limit: int) -> list[Any]:
    """(id, borrower_id) of the first lines whose product is of this jurisdiction, by id (the demo's picks)."""
    return list(
        conn.execute(
            sa.select(credit_lines.c.id, credit_lines.c.borrower_id)
            .join(products, products.c.id == credit_lines.c.product_id)
            .where(products.c.jurisdiction == jurisdiction)
            .order_by(credit_lines.c.id)
            .limit(limit)
        ).all()
    )


def latest_outbox(conn: Connection, channel: str, *, limit: int) -> list[Any]:
    """The newest outbox rows of a channel (fields still sealed), newest first (the demo's phone page)."""
    return list(
        conn.execute(
            sa.select(outbox_messages)
            .where(outbox_messages.c.channel == channel)
            .order_by(outbox_messages.c.id.desc())
            .limit(limit)
        ).all()
    )
