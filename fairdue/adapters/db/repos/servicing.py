"""Servicing storage on one connection (SQLAlchemy Core): rows in, rows out.

The service layer (fairdue.service.{products,borrowers,accounts,purchases,
payments,statements}) builds one `AccountsRepository` per unit of work with
`repo(uow)`. Everything runs in the caller's transaction; nothing commits here.
Row locks (`lock_line`) serialise work on one credit line on PostgreSQL;
SQLite's BEGIN IMMEDIATE already serialises writers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.accounts import (
    borrower_emails,
    borrower_phones,
    borrowers,
    charges,
    credit_lines,
    emergency_contacts,
    installment_plans,
    installments,
    payment_allocations,
    products,
    statement_lines,
    statements,
)
from fairdue.adapters.db.schema.ledger import ledger_account, ledger_balance, ledger_entry, ledger_posting
from fairdue.domain.instants import as_utc


def aware(ts: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every *_at is UTC."""
    if ts is None:
        return None
    return as_utc(ts)


def _ledger_balances_query() -> sa.Select:
    return (
        sa.select(ledger_account.c.code, sa.func.coalesce(ledger_balance.c.balance_minor, 0))
        .select_from(ledger_account.outerjoin(ledger_balance, ledger_balance.c.account_id == ledger_account.c.id))
        .where(ledger_account.c.code.in_(sa.bindparam("codes", expanding=True)))
    )


# Built on first use, then reused: every collections action and reminder reads balances (parameters apart,
# SQLAlchemy compiles and caches the statement once).
_LEDGER_BALANCES: sa.Select | None = None

# Statements built once and reused with bound parameters, by (purpose, table, column names): building a statement
# (and its cache key) costs more than running it on SQLite, and the generic helpers run for every payment.
_STATEMENTS: dict[tuple, Any] = {}


def _statement(key: tuple, build: Callable[[], Any]) -> Any:
    """The statement cached under `key`, built by `build()` on first use (statements only: never data)."""
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        stmt = _STATEMENTS[key] = build()
    return stmt


def _one_of(col: sa.ColumnElement, *values: str) -> sa.ColumnElement[bool]:
    """`col IN (values)` spelled as ORs: an IN list is an expanding parameter, which executemany refuses."""
    return sa.or_(*(col == v for v in values))


def _add_paid_installments() -> sa.Update:
    """Per row: add d_fees/d_interest/d_principal to what is paid and fix the status (SET expressions read the
    row as it was before the update, so d_total, the sum of the three, decides whether it is now settled)."""
    t = installments.c
    d = {
        col: sa.bindparam(f"d_{part}", type_=col.type)
        for part, col in (
            ("fees", t.fee_paid_minor),
            ("interest", t.interest_paid_minor),
            ("principal", t.principal_paid_minor),
        )
    }
    d_total = sa.bindparam("d_total", type_=t.fee_paid_minor.type)
    settled = (
        t.fee_paid_minor + t.interest_paid_minor + t.principal_paid_minor + d_total
        == t.fee_due_minor + t.interest_due_minor + t.principal_due_minor
    )
    status = sa.case((_one_of(t.status, "billed", "paid"), sa.case((settled, "paid"), else_="billed")), else_=t.status)
    return (
        sa.update(installments)
        .where(t.id == sa.bindparam("target_id"))
        .values({**{col: col + bind for col, bind in d.items()}, t.status: status})
    )


def _add_paid_charges() -> sa.Update:
    """Per row: add d_total to what is paid on the charge and fix its status (as _add_paid_installments)."""
    t = charges.c
    d = sa.bindparam("d_total", type_=t.paid_minor.type)
    settled = t.paid_minor + d == t.amount_minor
    status = sa.case((_one_of(t.status, "open", "paid"), sa.case((settled, "paid"), else_="open")), else_=t.status)
    return (
        sa.update(charges)
        .where(t.id == sa.bindparam("target_id"))
        .values({t.paid_minor: t.paid_minor + d, t.status: status})
    )


def _line(lock: bool) -> sa.Select:
    """The credit line :line_id (FOR UPDATE with `lock`)."""
    q = sa.select(credit_lines).where(credit_lines.c.id == sa.bindparam("line_id"))
    return q.with_for_update() if lock else q


def _product_by_code(newest: bool) -> sa.Select:
    """The product :code, its newest version (or version :version)."""
    q = sa.select(products).where(products.c.code == sa.bindparam("code"))
    if not newest:
        q = q.where(products.c.version == sa.bindparam("version"))
    return q.order_by(products.c.version.desc()).limit(1)


def _open_billed_installments(whole_line: bool) -> sa.Select:
    """Billed installments of :line_id (or only of its plan :plan_id), oldest due first."""
    i = installments.c
    q = sa.select(installments).where(i.credit_line_id == sa.bindparam("line_id"), i.status == "billed")
    if not whole_line:
        q = q.where(i.plan_id == sa.bindparam("plan_id"))
    return q.order_by(i.due_on, i.seq, i.id)


def _open_items() -> sa.Select:
    """What :line_id owes on billed installments and open charges, one row each: (part, id, due_on, seq, fees,
    interest, principal); part 0 = installment (oldest due first), 1 = charge (oldest due first; a charge's
    component says whether it is fees or interest)."""
    i, c = installments.c, charges.c
    line = sa.bindparam("line_id")
    owed = c.amount_minor - c.paid_minor
    is_fee = c.component == "fees"
    billed = sa.select(
        sa.literal_column("0", sa.Integer).label("part"),
        i.id,
        i.due_on,
        i.seq,
        (i.fee_due_minor - i.fee_paid_minor).label("fees"),
        (i.interest_due_minor - i.interest_paid_minor).label("interest"),
        (i.principal_due_minor - i.principal_paid_minor).label("principal"),
    ).where(i.credit_line_id == line, i.status == "billed")
    open_charges = sa.select(
        sa.literal_column("1", sa.Integer),
        c.id,
        c.due_on,
        sa.literal_column("0", sa.Integer),
        sa.case((is_fee, owed), else_=0),
        sa.case((is_fee, 0), else_=owed),
        sa.literal_column("0", sa.Integer),
    ).where(c.credit_line_id == line, c.status == "open")
    u = sa.union_all(billed, open_charges).subquery()
    return sa.select(u).order_by(u.c.part, u.c.due_on, u.c.seq, u.c.id)


_ADD_PAID = {"installment": (installments, _add_paid_installments), "charge": (charges, _add_paid_charges)}


class AccountsRepository:
    """Reads and writes of the servicing tables on one connection."""

    def __init__(self, connection: Connection, *, clock: Callable[[], datetime]):
        self.conn = connection
        self.clock = clock
        self.product_cache: dict[int, object] = {}  # product id -> StoredProduct (product rows never change)

    # -- generic helpers -----------------------------------------------------------------
    def insert(self, table: sa.Table, **values: Any) -> int:
        stmt = _statement(("insert", table), lambda: sa.insert(table).returning(table.c.id))
        return int(self.conn.execute(stmt, values).scalar_one())

    def insert_many(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        if rows:
            self.conn.execute(_statement(("insert_many", table), lambda: sa.insert(table)), rows)

    def one(self, table: sa.Table, **where: Any) -> sa.Row | None:
        if any(v is None for v in where.values()):  # `col == None` means IS NULL: not a bound parameter
            q = sa.select(table)
            for k, v in where.items():
                q = q.where(table.c[k] == v)
            return self.conn.execute(q).first()
        stmt = _statement(
            ("one", table, *where),
            lambda: sa.select(table).where(
                *(table.c[k] == sa.bindparam(f"w_{k}", type_=table.c[k].type) for k in where)
            ),
        )
        return self.conn.execute(stmt, {f"w_{k}": v for k, v in where.items()}).first()

    def twin_guard(self) -> AbstractContextManager[object]:
        """Wrap ONE insert statement a concurrent twin (same key) may make first, so its IntegrityError leaves the
        transaction usable for reading the twin's row back: a savepoint on PostgreSQL. On SQLite the unit of work
        holds the write lock from BEGIN IMMEDIATE, so no twin can insert between our look-up and our insert, and a
        failed statement undoes itself: no savepoint, two statements fewer. (Several statements that must fail
        together need a real savepoint.)"""
        return self.conn.begin_nested() if self.conn.dialect.name == "postgresql" else nullcontext()

    def update(self, table: sa.Table, row_id: int, **values: Any) -> None:
        stmt = _statement(
            ("update", table, *values),
            lambda: (
                sa.update(table)
                .where(table.c.id == sa.bindparam("row_id"))
                .values({table.c[k]: sa.bindparam(f"v_{k}", type_=table.c[k].type) for k in values})
            ),
        )
        self.conn.execute(stmt, {"row_id": row_id, **{f"v_{k}": v for k, v in values.items()}})

    # -- products ------------------------------------------------------------------------
    def product_by_code(self, code: str, version: int | None = None) -> sa.Row | None:
        q = _statement(("product_by_code", version is None), lambda: _product_by_code(version is None))
        params = {"code": code} if version is None else {"code": code, "version": version}
        return self.conn.execute(q, params).first()

    def product_by_id(self, product_id: int) -> sa.Row | None:
        return self.one(products, id=product_id)

    def all_products(self) -> list[sa.Row]:
        return list(self.conn.execute(sa.select(products).order_by(products.c.code, products.c.version)))

    # -- borrowers -----------------------------------------------------------------------
    def borrower_by_id_bidx(self, bidx: str) -> sa.Row | None:
        return self.one(borrowers, id_number_bidx=bidx)

    def borrower_ids_by_phone_bidx(self, bidx: str) -> list[int]:
        q = sa.select(borrower_phones.c.borrower_id).where(borrower_phones.c.phone_bidx == bidx)
        return sorted({r[0] for r in self.conn.execute(q)})

    def phones_of(self, borrower_id: int) -> list[sa.Row]:
        q = (
            sa.select(borrower_phones)
            .where(borrower_phones.c.borrower_id == borrower_id)
            .order_by(borrower_phones.c.position)
        )
        return list(self.conn.execute(q))

    def emails_of(self, borrower_id: int) -> list[sa.Row]:
        q = (
            sa.select(borrower_emails)
            .where(borrower_emails.c.borrower_id == borrower_id)
            .order_by(borrower_emails.c.position)
        )
        return list(self.conn.execute(q))

    def emergency_contacts_of(self, borrower_id: int) -> list[sa.Row]:
        q = (
            sa.select(emergency_contacts)
            .where(emergency_contacts.c.borrower_id == borrower_id)
            .order_by(emergency_contacts.c.id)
        )
        return list(self.conn.execute(q))

    # -- credit lines --------------------------------------------------------------------
    def line(self, line_id: int, *, lock: bool = False) -> sa.Row | None:
        lock = lock and self.conn.dialect.name == "postgresql"
        q = _statement(("line", lock), lambda: _line(lock))
        return self.conn.execute(q, {"line_id": line_id}).first()

    def line_by_open_key(self, key: str) -> sa.Row | None:
        return self.one(credit_lines, open_key=key)

    # -- purchases, plans, installments ----------------------------------------------------
    def plan_of_purchase(self, purchase_id: int) -> sa.Row | None:
        return self.one(installment_plans, purchase_id=purchase_id)

    def installments_of_plan(self, plan_id: int) -> list[sa.Row]:
        q = _statement(
            ("installments_of_plan",),
            lambda: (
                sa.select(installments)
                .where(installments.c.plan_id == sa.bindparam("plan_id"))
                .order_by(installments.c.seq)
            ),
        )
        return list(self.conn.execute(q, {"plan_id": plan_id}))

    def open_billed_installments(self, line_id: int, plan_id: int | None = None) -> list[sa.Row]:
        q = _statement(
            ("open_billed_installments", plan_id is None), lambda: _open_billed_installments(plan_id is None)
        )
        params = {"line_id": line_id} if plan_id is None else {"line_id": line_id, "plan_id": plan_id}
        return list(self.conn.execute(q, params))

    def open_items(self, line_id: int) -> list[sa.Row]:
        """Billed installments, then open charges, of the line with what is owed on each (see `_open_items`)."""
        return list(self.conn.execute(_statement(("open_items",), _open_items), {"line_id": line_id}))

    def installments_to_bill(self, line_id: int, statement_on) -> list[sa.Row]:
        q = sa.select(installments).where(
            installments.c.credit_line_id == line_id,
            installments.c.status == "scheduled",
            installments.c.statement_on <= statement_on,
        )
        return list(self.conn.execute(q.order_by(installments.c.due_on, installments.c.plan_id, installments.c.seq)))

    def open_charges(self, line_id: int) -> list[sa.Row]:
        q = _statement(
            ("open_charges",),
            lambda: (
                sa.select(charges)
                .where(
                    charges.c.credit_line_id == sa.bindparam("line_id"),
                    charges.c.status == "open",
                )
                .order_by(charges.c.due_on, charges.c.id)
            ),
        )
        return list(self.conn.execute(q, {"line_id": line_id}))

    def charges_to_bill(self, line_id: int, statement_on) -> list[sa.Row]:
        q = sa.select(charges).where(
            charges.c.credit_line_id == line_id,
            charges.c.billed_statement_id.is_(None),
            charges.c.charged_on <= statement_on,
        )
        return list(self.conn.execute(q.order_by(charges.c.charged_on, charges.c.id)))

    def unstated_entries(self, line_id: int, upto) -> list[tuple[int, str, object, str | None, int, int]]:
        """Ledger entries on the line's accounts dated on or before `upto` that no statement of the line shows yet.

        Rows: (entry id, kind, business_on, description, change of what is owed (debit-positive sum over the
        line's accounts), amount moved on the credit account).
        """
        e, p, a = ledger_entry.c, ledger_posting.c, ledger_account.c
        shown = sa.select(statement_lines.c.ledger_entry_id).where(
            statement_lines.c.credit_line_id == line_id, statement_lines.c.ledger_entry_id == e.id
        )
        on_credit = sa.case((a.code.like("%:credit"), p.amount_minor), else_=0)
        q = (
            sa.select(e.id, e.kind, e.business_on, e.description, sa.func.sum(p.amount_minor), sa.func.sum(on_credit))
            .select_from(
                ledger_posting.join(ledger_account, a.id == p.account_id).join(ledger_entry, e.id == p.entry_id)
            )
            .where(a.owner == f"credit_line:{line_id}", e.business_on <= upto, ~sa.exists(shown))
            .group_by(e.id, e.kind, e.business_on, e.description)
            .order_by(e.business_on, e.id)
        )
        return [(int(r[0]), r[1], r[2], r[3], int(r[4]), int(r[5])) for r in self.conn.execute(q)]

    # -- statements ----------------------------------------------------------------------
    def statement(self, line_id: int, statement_on) -> sa.Row | None:
        return self.one(statements, credit_line_id=line_id, statement_on=statement_on)

    def last_statement_before(self, line_id: int, statement_on) -> sa.Row | None:
        q = (
            sa.select(statements)
            .where(statements.c.credit_line_id == line_id, statements.c.statement_on < statement_on)
            .order_by(statements.c.statement_on.desc())
            .limit(1)
        )
        return self.conn.execute(q).first()

    def latest_statement(self, line_id: int) -> sa.Row | None:
        q = _statement(
            ("latest_statement",),
            lambda: (
                sa.select(statements)
                .where(statements.c.credit_line_id == sa.bindparam("line_id"))
                .order_by(statements.c.statement_on.desc())
                .limit(1)
            ),
        )
        return self.conn.execute(q, {"line_id": line_id}).first()

    def lines_of_statement(self, statement_id: int) -> list[sa.Row]:
        q = (
            sa.select(statement_lines)
            .where(statement_lines.c.statement_id == statement_id)
            .order_by(statement_lines.c.seq)
        )
        return list(self.conn.execute(q))

    # -- payments ------------------------------------------------------------------------
    def allocations_of(self, payment_id: int) -> list[sa.Row]:
        q = _statement(
            ("allocations_of",),
            lambda: (
                sa.select(payment_allocations)
                .where(payment_allocations.c.payment_id == sa.bindparam("payment_id"))
                .order_by(payment_allocations.c.id)
            ),
        )
        return list(self.conn.execute(q, {"payment_id": payment_id}))

    def add_paid(self, paid: Iterable[tuple[str, int, str, int]]) -> None:
        """Add what a payment (or, negative, its reversal) put on each (target kind, target id, component, delta)
        and fix the targets' statuses: one cached UPDATE per kind of target, run for every target at once."""
        deltas: dict[tuple[str, int], dict[str, int]] = {}
        for target_kind, target_id, component, delta_minor in paid:
            d = deltas.setdefault((target_kind, target_id), {"d_fees": 0, "d_interest": 0, "d_principal": 0})
            d[f"d_{component}"] += int(delta_minor)
        rows: dict[str, list[dict[str, int]]] = {kind: [] for kind in _ADD_PAID}
        for (kind, target_id), d in deltas.items():
            row = {"target_id": target_id, "d_total": sum(d.values())}
            rows[kind].append({**row, **d} if kind == "installment" else row)  # a charge has one paid amount
        for kind, (table, build) in _ADD_PAID.items():
            if rows[kind]:
                self.conn.execute(_statement(("add_paid", table), build), rows[kind])

    def ledger_balances(self, codes: list[str]) -> dict[str, int]:
        """Signed (debit-positive) stored balances of ledger accounts by code, one query (read-only view of the ledger)."""
        global _LEDGER_BALANCES
        if _LEDGER_BALANCES is None:
            _LEDGER_BALANCES = _ledger_balances_query()
        if not codes:
            return {}
        return {code: int(bal) for code, bal in self.conn.execute(_LEDGER_BALANCES, {"codes": list(codes)})}

    # -- summaries (demo, CLI) -------------------------------------------------------------
    def count(self, table: sa.Table, *where: Any) -> int:
        q = sa.select(sa.func.count()).select_from(table)
        for w in where:
            q = q.where(w)
        return int(self.conn.execute(q).scalar_one())

    def rows(self, query: sa.Select) -> Iterable[sa.Row]:
        return self.conn.execute(query)
