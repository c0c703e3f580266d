"""Servicing storage on one connection (SQLAlchemy Core): rows in, rows out.

The servicing use cases (fairdue.service.servicing.{products,accounts,purchases,
posting,payments,statements}) use it as `uow.accounts`, through named methods;
the statements are built once and reused with bound parameters (`_statement`).
Everything runs in the caller's transaction; nothing commits here.
Row locks (`line(..., lock=True)`) serialise work on one credit line on
PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy import exc as sa_exc

from fairdue.adapters.db.schema.accounts import (
    charges,
    credit_lines,
    installment_plans,
    installments,
    payment_allocations,
    payments,
    products,
    purchases,
    statement_lines,
    statements,
)
from fairdue.adapters.db.schema.ledger import ledger_account, ledger_balance, ledger_entry, ledger_posting
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.instants import as_utc
from fairdue.domain.statuses import (
    ChargeStatus,
    CreditLineStatus,
    InstallmentPlanStatus,
    InstallmentStatus,
    PaymentStatus,
    PurchaseStatus,
)


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
# (and its cache key) costs more than running it on SQLite, and the row look-ups, inserts and updates below run for
# every payment and statement.
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


def _row_where(table: sa.Table, *cols: str) -> sa.Select:
    """The rows of `table` whose columns `cols` equal the parameters w_<col> (typed as the columns)."""
    return sa.select(table).where(*(table.c[k] == sa.bindparam(f"w_{k}", type_=table.c[k].type) for k in cols))


def _set_by_id(table: sa.Table, *cols: str) -> sa.Update:
    """Set the columns `cols` of the row :row_id of `table` to the parameters v_<col> (typed as the columns)."""
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("row_id"))
        .values({table.c[k]: sa.bindparam(f"v_{k}", type_=table.c[k].type) for k in cols})
    )


def _installment_owed_sums() -> sa.Select:
    """(principal, billed interest, billed fees) still owed on the installments of :line_id that no negotiated
    plan restructured (scheduled interest and fees are not yet in the ledger)."""
    i = installments.c
    billed = sa.case((i.status == "scheduled", 0), else_=1)
    return sa.select(
        sa.func.coalesce(sa.func.sum(i.principal_due_minor - i.principal_paid_minor), 0),
        sa.func.coalesce(sa.func.sum(billed * (i.interest_due_minor - i.interest_paid_minor)), 0),
        sa.func.coalesce(sa.func.sum(billed * (i.fee_due_minor - i.fee_paid_minor)), 0),
    ).where(i.credit_line_id == sa.bindparam("line_id"), i.status != "restructured")


def _charge_owed_by_component() -> sa.Select:
    """(component, owed) of the charges of :line_id that are not waived or restructured."""
    c = charges.c
    return (
        sa.select(c.component, sa.func.coalesce(sa.func.sum(c.amount_minor - c.paid_minor), 0))
        .where(c.credit_line_id == sa.bindparam("line_id"), c.status.not_in(("waived", "restructured")))
        .group_by(c.component)
    )


def _plans_to_settle() -> sa.Select:
    """(plan id, status, installments not paid or cancelled) of the plans of the installments :ids (not refunded)."""
    p, i = installment_plans.c, installments.c
    still_open = (
        sa.select(sa.func.count())
        .where(i.plan_id == p.id, i.status.not_in((InstallmentStatus.PAID, InstallmentStatus.CANCELLED)))
        .scalar_subquery()
    )
    return sa.select(p.id, p.status, still_open).where(
        p.id.in_(sa.select(i.plan_id).where(i.id.in_(sa.bindparam("ids", expanding=True)))),
        p.status != InstallmentPlanStatus.REFUNDED,
    )


# Built once: run after every payment that pays an installment off.
_PLANS_TO_SETTLE = _plans_to_settle()

_PAID_TOTAL = sa.select(sa.func.coalesce(sa.func.sum(payments.c.amount_minor), 0)).where(
    payments.c.credit_line_id == sa.bindparam("account_id"), payments.c.status == PaymentStatus.POSTED
)


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
    line: sa.BindParameter[Any] = sa.bindparam("line_id")
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

    # -- statement runners (private: the public methods are named for what they mean) -----------
    def _add(self, table: sa.Table, **values: Any) -> int:
        """Insert one row of `table` (the columns given); returns its id."""
        stmt = _statement(("insert", table), lambda: sa.insert(table).returning(table.c.id))
        return int(self.conn.execute(stmt, values).scalar_one())

    def _add_many(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """Insert `rows` into `table`, one executemany (nothing for no rows)."""
        if rows:
            self.conn.execute(_statement(("insert_many", table), lambda: sa.insert(table)), rows)

    def _row(self, table: sa.Table, **where: Any) -> sa.Row | None:
        """The first row of `table` whose columns equal `where` (values must not be None: `= NULL` matches nothing)."""
        if None in where.values():
            raise ValueError(f"a lookup in {table.name} by None: {sorted(k for k, v in where.items() if v is None)}")
        stmt = _statement(("one", table, *where), lambda: _row_where(table, *where))
        return self.conn.execute(stmt, {f"w_{k}": v for k, v in where.items()}).first()

    def _set(self, table: sa.Table, row_id: int, **values: Any) -> None:
        """Set columns of the row `row_id` of `table`."""
        stmt = _statement(("update", table, *values), lambda: _set_by_id(table, *values))
        self.conn.execute(stmt, {"row_id": row_id, **{f"v_{k}": v for k, v in values.items()}})

    def _set_many(self, table: sa.Table, cols: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
        """Set the columns `cols` of many rows of `table` (each {"row_id", "v_<col>"...}), one executemany."""
        if rows:
            self.conn.execute(_statement(("update", table, *cols), lambda: _set_by_id(table, *cols)), rows)

    # -- twins --------------------------------------------------------------------------
    def twin_guard(self) -> AbstractContextManager[object]:
        """Wrap ONE insert statement a concurrent twin (same key) may make first, so its IntegrityError leaves the
        transaction usable for reading the twin's row back: a savepoint on PostgreSQL. On SQLite the unit of work
        holds the write lock from BEGIN IMMEDIATE, so no twin can insert between our look-up and our insert, and a
        failed statement undoes itself: no savepoint, two statements fewer. (Several statements that must fail
        together need a real savepoint.)"""
        return self.conn.begin_nested() if self.conn.dialect.name == "postgresql" else nullcontext()

    # -- products ------------------------------------------------------------------------
    def product_by_code(self, code: str, version: int | None = None) -> sa.Row | None:
        q = _statement(("product_by_code", version is None), lambda: _product_by_code(version is None))
        params = {"code": code} if version is None else {"code": code, "version": version}
        return self.conn.execute(q, params).first()

    def product_by_id(self, product_id: int) -> sa.Row | None:
        """The stored product version `product_id`."""
        return self._row(products, id=product_id)

    def all_products(self) -> list[sa.Row]:
        """Every stored product version, by code then version."""
        return list(self.conn.execute(sa.select(products).order_by(products.c.code, products.c.version)))

    def add_product(
        self,
        *,
        code: str,
        version: int,
        name: str,
        jurisdiction: str,
        currency: str,
        definition: str,
        definition_sha256: str,
        loaded_at: datetime,
    ) -> int:
        """Store one product version (its canonical definition and digest); returns its id."""
        return self._add(
            products,
            code=code,
            version=version,
            name=name,
            jurisdiction=jurisdiction,
            currency=currency,
            definition=definition,
            definition_sha256=definition_sha256,
            loaded_at=loaded_at,
        )

    # -- credit lines --------------------------------------------------------------------
    def line(self, line_id: int, *, lock: bool = False) -> sa.Row | None:
        lock = lock and self.conn.dialect.name == "postgresql"
        q = _statement(("line", lock), lambda: _line(lock))
        return self.conn.execute(q, {"line_id": line_id}).first()

    def line_by_open_key(self, key: str) -> sa.Row | None:
        """The credit line opened with the idempotency key `key`."""
        return self._row(credit_lines, open_key=key)

    def add_line(
        self,
        *,
        borrower_id: BorrowerId,
        product_id: int,
        currency: str,
        limit_minor: int,
        cycle_day: int,
        opened_on: date,
        open_key: str,
        created_at: datetime,
    ) -> int | None:
        """Store a new active credit line; returns its id, or None when a concurrent twin with the same `open_key`
        stored its line first (read it back with `line_by_open_key`). Any other integrity error propagates."""
        try:
            with self.twin_guard():  # a concurrent twin with the same key may insert first
                return self._add(
                    credit_lines,
                    borrower_id=borrower_id,
                    product_id=product_id,
                    currency=currency,
                    limit_minor=limit_minor,
                    cycle_day=cycle_day,
                    status=CreditLineStatus.ACTIVE,
                    opened_on=opened_on,
                    open_key=open_key,
                    created_at=created_at,
                )
        except sa_exc.IntegrityError:
            if self.line_by_open_key(open_key) is None:
                raise
            return None

    def close_line(self, line_id: int, *, closed_on: date) -> None:
        """Mark the line closed on `closed_on`."""
        self._set(credit_lines, line_id, status=CreditLineStatus.CLOSED, closed_on=closed_on)

    # -- purchases, plans, installments ----------------------------------------------------
    def purchase(self, purchase_id: int) -> sa.Row | None:
        """The purchase `purchase_id`."""
        return self._row(purchases, id=purchase_id)

    def purchase_by_idempotency_key(self, key: str) -> sa.Row | None:
        """The purchase made with the idempotency key `key`."""
        return self._row(purchases, idempotency_key=key)

    def add_purchase(
        self,
        *,
        line_id: int,
        key: str,
        amount_minor: int,
        currency: str,
        merchant: str | None,
        purchased_on: date,
        ledger_entry_id: int,
        created_at: datetime,
    ) -> int:
        """Store a posted purchase; returns its id."""
        return self._add(
            purchases,
            credit_line_id=line_id,
            idempotency_key=key,
            amount_minor=amount_minor,
            currency=currency,
            merchant=merchant,
            purchased_on=purchased_on,
            ledger_entry_id=ledger_entry_id,
            status=PurchaseStatus.POSTED,
            created_at=created_at,
        )

    def mark_purchase_refunded(self, purchase_id: int, *, refund_entry_id: int) -> None:
        """Mark the purchase refunded by the reversing entry `refund_entry_id`."""
        self._set(purchases, purchase_id, status=PurchaseStatus.REFUNDED, refund_entry_id=refund_entry_id)

    def plan(self, plan_id: int) -> sa.Row | None:
        """The installment plan `plan_id`."""
        return self._row(installment_plans, id=plan_id)

    def plan_of_purchase(self, purchase_id: int) -> sa.Row | None:
        """The installment plan of the purchase `purchase_id`."""
        return self._row(installment_plans, purchase_id=purchase_id)

    def add_purchase_plan(
        self,
        *,
        line_id: int,
        purchase_id: int,
        kind: str,
        periods: int,
        rate: str,
        principal_minor: int,
        currency: str,
        start_on: date,
        first_due_on: date,
        created_at: datetime,
    ) -> int:
        """Store the active installment plan of a purchase (`rate` as Decimal text); returns its id."""
        return self._add(
            installment_plans,
            credit_line_id=line_id,
            purchase_id=purchase_id,
            kind=kind,
            periods=periods,
            rate=rate,
            principal_minor=principal_minor,
            currency=currency,
            start_on=start_on,
            first_due_on=first_due_on,
            status=InstallmentPlanStatus.ACTIVE,
            created_at=created_at,
        )

    def add_installments(self, rows: list[dict[str, Any]]) -> None:
        """Store scheduled installments (rows of installments' columns), one executemany."""
        self._add_many(installments, rows)

    def set_plan_status(self, plan_id: int, status: InstallmentPlanStatus) -> None:
        """Set the installment plan's status (no closing date)."""
        self._set(installment_plans, plan_id, status=status)

    def mark_plan_paid_off(self, plan_id: int, *, closed_on: date) -> None:
        """Mark the installment plan paid off (early) on `closed_on`."""
        self._set(installment_plans, plan_id, status=InstallmentPlanStatus.PAID_OFF, closed_on=closed_on)

    def mark_plan_refunded(self, plan_id: int, *, closed_on: date) -> None:
        """Mark the installment plan refunded on `closed_on`."""
        self._set(installment_plans, plan_id, status=InstallmentPlanStatus.REFUNDED, closed_on=closed_on)

    def plans_to_settle(self, installment_ids: list[int]) -> list[tuple[int, str, int]]:
        """(plan id, status, installments neither paid nor cancelled) of the plans, not refunded, of the
        installments `installment_ids` (one query)."""
        return [(pid, status, n) for pid, status, n in self.conn.execute(_PLANS_TO_SETTLE, {"ids": installment_ids})]

    def set_installment_due(self, installment_id: int, *, interest_due_minor: int, fee_due_minor: int) -> None:
        """Set what the installment's interest and fee come to (a waiver lowers them)."""
        self._set(installments, installment_id, interest_due_minor=interest_due_minor, fee_due_minor=fee_due_minor)

    def bill_installment_on(self, installment_id: int, *, due_on: date) -> None:
        """Bill the installment now, due on `due_on`."""
        self._set(installments, installment_id, status=InstallmentStatus.BILLED, due_on=due_on)

    def bill_installment_as(
        self,
        installment_id: int,
        *,
        principal_due_minor: int,
        interest_due_minor: int,
        fee_due_minor: int,
        due_on: date,
    ) -> None:
        """Bill the installment now with these amounts, due on `due_on` (an early payoff's quote)."""
        self._set(
            installments,
            installment_id,
            principal_due_minor=principal_due_minor,
            interest_due_minor=interest_due_minor,
            fee_due_minor=fee_due_minor,
            due_on=due_on,
            status=InstallmentStatus.BILLED,
        )

    def cancel_installment(self, installment_id: int) -> None:
        """Cancel the installment: nothing due on it any more."""
        self._set(
            installments,
            installment_id,
            principal_due_minor=0,
            interest_due_minor=0,
            fee_due_minor=0,
            status=InstallmentStatus.CANCELLED,
        )

    def close_installment(
        self,
        installment_id: int,
        *,
        principal_due_minor: int,
        interest_due_minor: int,
        fee_due_minor: int,
        status: InstallmentStatus,
    ) -> None:
        """Set what the installment comes to and its final status (a refund: due = what was paid)."""
        self._set(
            installments,
            installment_id,
            principal_due_minor=principal_due_minor,
            interest_due_minor=interest_due_minor,
            fee_due_minor=fee_due_minor,
            status=status,
        )

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

    def charge_by_idempotency_key(self, key: str) -> sa.Row | None:
        """The charge posted with the idempotency key `key`."""
        return self._row(charges, idempotency_key=key)

    def add_charge(
        self,
        *,
        line_id: int,
        key: str,
        kind: str,
        component: str,
        amount_minor: int,
        currency: str,
        charged_on: date,
        due_on: date,
        description: str | None,
        ledger_entry_id: int,
    ) -> int:
        """Store an open, unpaid charge (late fee, interest or fee); returns its id."""
        return self._add(
            charges,
            credit_line_id=line_id,
            idempotency_key=key,
            kind=kind,
            component=component,
            amount_minor=amount_minor,
            paid_minor=0,
            currency=currency,
            charged_on=charged_on,
            due_on=due_on,
            description=description,
            ledger_entry_id=ledger_entry_id,
            status=ChargeStatus.OPEN,
        )

    def open_late_fees(self, line_id: int) -> list[sa.Row]:
        """(id, idempotency_key, amount_minor, paid_minor) of the line's open late fees, oldest first."""
        c = charges.c
        q = _statement(
            ("open_late_fees",),
            lambda: (
                sa.select(c.id, c.idempotency_key, c.amount_minor, c.paid_minor)
                .where(c.credit_line_id == sa.bindparam("line_id"), c.kind == "late_fee", c.status == "open")
                .order_by(c.id)
            ),
        )
        return list(self.conn.execute(q, {"line_id": line_id}))

    def fees_charged_minor(self, line_id: int) -> int:
        """What the line has been charged in late fees and other fees, not waived (paid or not), in minor units."""
        c = charges.c
        q = _statement(
            ("fees_charged",),
            lambda: sa.select(sa.func.coalesce(sa.func.sum(c.amount_minor), 0)).where(
                c.credit_line_id == sa.bindparam("line_id"),
                c.kind.in_(("late_fee", "fee")),
                c.status != ChargeStatus.WAIVED,
            ),
        )
        return int(self.conn.execute(q, {"line_id": line_id}).scalar_one())

    def waive_charges(self, charge_ids: list[int]) -> None:
        """Mark the charges `charge_ids` waived (one statement)."""
        q = _statement(
            ("waive_charges",),
            lambda: (
                sa.update(charges)
                .where(charges.c.id.in_(sa.bindparam("ids", expanding=True)))
                .values(status=ChargeStatus.WAIVED)
            ),
        )
        self.conn.execute(q, {"ids": list(charge_ids)})

    def bill_charges(self, charge_ids: list[int], *, statement_id: int) -> None:
        """Show the charges `charge_ids` on the statement `statement_id` (one executemany)."""
        self._set_many(
            charges,
            ("billed_statement_id",),
            [{"row_id": cid, "v_billed_statement_id": statement_id} for cid in charge_ids],
        )

    def installment_owed_sums(self, line_id: int) -> tuple[int, int, int]:
        """(principal, billed interest, billed fees) still owed on the line's installments, restructured ones left
        out (`_installment_owed_sums`)."""
        principal, interest, fees = self.conn.execute(
            _statement(("installment_owed_sums",), _installment_owed_sums), {"line_id": line_id}
        ).one()
        return int(principal), int(interest), int(fees)

    def charge_owed_by_component(self, line_id: int) -> list[tuple[str, int]]:
        """(component, owed) of the line's charges, waived and restructured ones left out."""
        q = _statement(("charge_owed_by_component",), _charge_owed_by_component)
        return [(component, owed) for component, owed in self.conn.execute(q, {"line_id": line_id})]

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
        """The line's statement of `statement_on`."""
        return self._row(statements, credit_line_id=line_id, statement_on=statement_on)

    def statement_by_id(self, statement_id: int) -> sa.Row | None:
        """The statement `statement_id`."""
        return self._row(statements, id=statement_id)

    def add_statement(
        self,
        *,
        line_id: int,
        statement_on: date,
        period_start_on: date,
        due_on: date,
        currency: str,
        opening_balance_minor: int,
        ledger_entry_id: int | None,
        created_at: datetime,
    ) -> int:
        """Store a statement with its opening balance and zero totals (`set_statement_totals` fills them in);
        returns its id."""
        return self._add(
            statements,
            credit_line_id=line_id,
            statement_on=statement_on,
            period_start_on=period_start_on,
            due_on=due_on,
            currency=currency,
            opening_balance_minor=opening_balance_minor,
            closing_balance_minor=0,
            amount_due_minor=0,
            minimum_due_minor=0,
            ledger_entry_id=ledger_entry_id,
            created_at=created_at,
        )

    def set_statement_totals(
        self, statement_id: int, *, closing_balance_minor: int, amount_due_minor: int, minimum_due_minor: int
    ) -> None:
        """Store the statement's closing balance, amount due and minimum due."""
        self._set(
            statements,
            statement_id,
            closing_balance_minor=closing_balance_minor,
            amount_due_minor=amount_due_minor,
            minimum_due_minor=minimum_due_minor,
        )

    def add_statement_lines(self, rows: list[dict[str, Any]]) -> None:
        """Store statement lines (rows of statement_lines' columns), one executemany."""
        self._add_many(statement_lines, rows)

    def bill_installments(self, installment_ids: list[int], *, statement_id: int) -> None:
        """Bill the installments `installment_ids` on the statement `statement_id` (one executemany)."""
        self._set_many(
            installments,
            ("status", "billed_statement_id"),
            [
                {"row_id": iid, "v_status": InstallmentStatus.BILLED, "v_billed_statement_id": statement_id}
                for iid in installment_ids
            ],
        )

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
    def payment(self, payment_id: int) -> sa.Row | None:
        """The payment `payment_id`."""
        return self._row(payments, id=payment_id)

    def payment_by_idempotency_key(self, key: str) -> sa.Row | None:
        """The payment taken with the idempotency key `key`."""
        return self._row(payments, idempotency_key=key)

    def add_payment(
        self,
        *,
        line_id: int,
        key: str,
        kind: str,
        amount_minor: int,
        currency: str,
        received_on: date,
        unapplied_minor: int,
        ledger_entry_id: int,
        created_at: datetime,
    ) -> int:
        """Store a posted payment (payment, early payoff or credit applied); returns its id."""
        return self._add(
            payments,
            credit_line_id=line_id,
            idempotency_key=key,
            kind=kind,
            amount_minor=amount_minor,
            currency=currency,
            received_on=received_on,
            unapplied_minor=unapplied_minor,
            ledger_entry_id=ledger_entry_id,
            status=PaymentStatus.POSTED,
            created_at=created_at,
        )

    def add_allocations(self, rows: list[dict[str, Any]]) -> None:
        """Store what a payment paid on each target (rows of payment_allocations' columns), one executemany."""
        self._add_many(payment_allocations, rows)

    def mark_payment_reversed(self, payment_id: int, *, reversal_entry_id: int) -> None:
        """Mark the payment reversed by the entry `reversal_entry_id`."""
        self._set(payments, payment_id, status=PaymentStatus.REVERSED, reversal_entry_id=reversal_entry_id)

    def paid_total_minor(self, line_id: int) -> int:
        """Sum of the line's posted payments (minor units)."""
        return int(self.conn.execute(_PAID_TOTAL, {"account_id": line_id}).scalar_one())

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
    def line_count(self) -> int:
        """How many credit lines are stored."""
        return int(self.conn.execute(sa.select(sa.func.count()).select_from(credit_lines)).scalar_one())

    def portfolio_counts(self) -> dict[str, int]:
        """How many lines, installment plans, purchases, statements and payments taken (credit applied left out)
        are stored, one count each."""
        counted = {
            "accounts": sa.select(sa.func.count()).select_from(credit_lines),
            "plans": sa.select(sa.func.count()).select_from(installment_plans),
            "purchases": sa.select(sa.func.count()).select_from(purchases),
            "statements": sa.select(sa.func.count()).select_from(statements),
            "payments": sa.select(sa.func.count()).select_from(payments).where(payments.c.kind != "credit_applied"),
        }
        return {name: int(self.conn.execute(q).scalar_one()) for name, q in counted.items()}
