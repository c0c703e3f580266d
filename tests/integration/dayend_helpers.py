"""Helpers for the day-end integration tests: a product, borrowers, credit lines and purchases via servicing."""

from __future__ import annotations

import hashlib
from datetime import date

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import borrowers, installments
from fairdue.domain.money import Money
from fairdue.service.products import parse_product_file, register_product

import pathlib

PRODUCT_FILE = pathlib.Path(__file__).resolve().parents[2] / "fairdue" / "products" / "cn-ecard-std.toml"


def add_product(uow):
    return register_product(uow, product=parse_product_file(PRODUCT_FILE))


def add_borrower(uow, n: int) -> int:
    """A borrower row with placeholder ciphertexts (the day-end never reads PII)."""
    return uow.connection.execute(
        borrowers.insert().values(
            name_ct=f"t:{n}", id_kind="cn_ric", id_number_ct=f"t:{n}",
            id_number_bidx=hashlib.sha256(f"b{n}".encode()).hexdigest(), postal_region="310000",
            language="zh", time_zones="Asia/Shanghai", created_at=uow.clock(),
        ).returning(borrowers.c.id)
    ).scalar_one()


def open_line(uow, n: int, *, opened_on: date, cycle_day: int = 5, limit_minor: int = 5_000_000) -> int:
    from fairdue.service.accounts import open_account

    bid = add_borrower(uow, n)
    line = open_account(uow, borrower_id=bid, product_code="cn-ecard-std", limit=Money(limit_minor, "CNY"),
                        cycle_day=cycle_day, opened_on=opened_on, key=f"open-{n}")
    return line.id


def buy(uow, line_id: int, amount_minor: int, on: date, plan: str | None, key: str) -> int:
    from fairdue.service.purchases import purchase

    return purchase(uow, line_id=line_id, amount=Money(amount_minor, "CNY"), purchased_on=on, key=key, plan=plan).plan_id


def schedule(uow, plan_id: int) -> list[tuple]:
    i = installments.c
    return [tuple(r) for r in uow.connection.execute(
        sa.select(i.id, i.seq, i.due_on, i.principal_due_minor, i.interest_due_minor, i.fee_due_minor)
        .where(i.plan_id == plan_id).order_by(i.seq))]
