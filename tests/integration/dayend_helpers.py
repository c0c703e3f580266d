"""Helpers for the day-end integration tests: a product, borrowers, credit lines and purchases via servicing."""

from __future__ import annotations

import hashlib
import pathlib
from datetime import date

import sqlalchemy as sa

from fairdue.adapters.db.schema.accounts import borrowers, installments
from fairdue.domain.money import Money
from fairdue.service.servicing.products import parse_product_file, register_product

PRODUCT_FILE = pathlib.Path(__file__).resolve().parents[2] / "fairdue" / "products" / "cn-ecard-std.toml"


def add_product(uow):
    return register_product(uow, product=parse_product_file(PRODUCT_FILE))


def add_borrower(uow, n: int) -> int:
    """A borrower row with placeholder ciphertexts (the day-end never reads PII)."""
    return uow.connection.execute(
        borrowers.insert()
        .values(
            name_ct=f"t:{n}",
            id_kind="cn_ric",
            id_number_ct=f"t:{n}",
            id_number_bidx=hashlib.sha256(f"b{n}".encode()).hexdigest(),
            postal_region="310000",
            language="zh",
            time_zones="Asia/Shanghai",
            created_at=uow.clock(),
        )
        .returning(borrowers.c.id)
    ).scalar_one()


def open_line(uow, n: int, *, opened_on: date, cycle_day: int = 5, limit_minor: int = 5_000_000) -> int:
    from fairdue.service.servicing.accounts import open_account

    bid = add_borrower(uow, n)
    line = open_account(
        uow,
        borrower_id=bid,
        product_code="cn-ecard-std",
        limit=Money(limit_minor, "CNY"),
        cycle_day=cycle_day,
        opened_on=opened_on,
        key=f"open-{n}",
    )
    return line.id


def buy(uow, line_id: int, amount_minor: int, on: date, plan: str | None, key: str) -> int:
    from fairdue.service.servicing.purchases import purchase

    return purchase(
        uow, line_id=line_id, amount=Money(amount_minor, "CNY"), purchased_on=on, key=key, plan=plan
    ).plan_id


def schedule(uow, plan_id: int) -> list[tuple]:
    i = installments.c
    return [
        tuple(r)
        for r in uow.connection.execute(
            sa.select(i.id, i.seq, i.due_on, i.principal_due_minor, i.interest_due_minor, i.fee_due_minor)
            .where(i.plan_id == plan_id)
            .order_by(i.seq)
        )
    ]


def seed_portfolio(uow, lines: int, *, opened_on: date = date(2026, 1, 2)) -> list[int]:
    """`lines` credit lines, cycle days spread over the product's, each with a 3-month zero-fee plan of
    300,000 and a 12-month annuity of 120,000 bought the day after opening."""
    from datetime import timedelta

    add_product(uow)
    ids = []
    for n in range(lines):
        cycle = (1, 5, 10, 15, 20, 25)[n % 6]
        lid = open_line(uow, n + 1, opened_on=opened_on, cycle_day=cycle)
        buy(uow, lid, 300_000, opened_on + timedelta(days=1), "3-zero_fee", f"z{n}")
        buy(uow, lid, 120_000, opened_on + timedelta(days=1), "12-annuity", f"a{n}")
        ids.append(lid)
    return ids


def journal_digest(connection) -> str:
    """SHA-256 over the journal's content (keys, kinds, dates, postings by ledger code) — not ids or times."""
    rows = connection.execute(
        sa.text(
            "SELECT e.idempotency_key, e.kind, e.business_on, a.code, p.amount_minor, p.currency "
            "FROM ledger_entry e JOIN ledger_posting p ON p.entry_id = e.id JOIN ledger_account a ON a.id = p.account_id "
            "ORDER BY e.idempotency_key, a.code, p.amount_minor"
        )
    ).all()
    h = hashlib.sha256()
    for r in rows:
        h.update(repr(tuple(str(x) for x in r)).encode())
    return h.hexdigest()


def dayend_digest(connection) -> str:
    """SHA-256 over the outbox (keys, payloads), bucket history and per-account day-end state."""
    h = hashlib.sha256()
    for sql in (
        "SELECT event_key, kind, business_on, payload FROM dayend_event_outbox ORDER BY event_key",
        "SELECT account_id, business_on, bucket_from, bucket_to, dpd FROM dayend_bucket_history "
        "ORDER BY account_id, business_on",
        "SELECT account_id, last_closed_on, next_event_on, bucket, oldest_overdue_on, dpd, charged_off, "
        "principal_days_minor, cost_charged_minor FROM dayend_account ORDER BY account_id",
        "SELECT business_on FROM dayend_business_date ORDER BY business_on",
    ):
        for r in connection.execute(sa.text(sql)):
            h.update(repr(tuple(str(x) for x in r)).encode())
    return h.hexdigest()
