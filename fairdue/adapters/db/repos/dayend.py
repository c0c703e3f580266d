"""Day-end storage: read a partition's state as Polars frames, write a day's results in bulk.

Everything runs on the caller's connection, inside the caller's transaction:
a partition's postings, state, history rows, outbox events and its `done`
row commit together or not at all.

Locking. On PostgreSQL the partition's accounts with work are read
`FOR UPDATE` (in account-id order, like every other writer), so a payment
that closes its account inline and the batch never interleave on one
account; READ COMMITTED re-checks the work predicate on a row that changed
while we waited. On SQLite every unit of work holds the database write lock
from BEGIN IMMEDIATE, which serialises the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql as pg
from sqlalchemy.dialects import sqlite as sqlite_dialect

from fairdue.adapters.db.bulk import copy_frame
from fairdue.adapters.db.schema.accounts import charges, credit_lines, installment_plans, installments
from fairdue.adapters.db.schema.dayend import (
    dayend_account,
    dayend_bucket_history,
    dayend_business_date,
    dayend_event_outbox,
    dayend_installment,
    dayend_partition,
)
from fairdue.adapters.db.schema.ledger import ledger_account, ledger_balance, ledger_entry
from fairdue.domain.dayend.kernel import ACCOUNT_SCHEMA, INSTALLMENT_SCHEMA

# Rows per IN (...) list / per executemany batch.
KEYS_PER_QUERY_MAX = 500
ROWS_PER_BATCH_MAX = 5_000
# PostgreSQL partition reads: rows the server joins into one CSV text value (see _read_as_text).
ROWS_PER_TEXT_MAX = 100_000
# PostgreSQL work_mem for a partition's transaction (see tune_for_batch).
BATCH_WORK_MEM = "64MB"

# Columns of dayend_account the kernel rewrites.
STATE_COLUMNS = [c for c in ACCOUNT_SCHEMA if c not in ("account_id", "product_code", "cycle_day")] + ["dpd"]
# What load_installments reads: the kernel's columns, then servicing's status, statement date, plan kind and
# periods (the statement close of the same partition uses them instead of reading the installments again).
LOADED_INSTALLMENT_SCHEMA = {
    **INSTALLMENT_SCHEMA,
    "status": pl.String,
    "statement_on": pl.Date,
    "plan_kind": pl.String,
    "periods": pl.Int32,
}
# Servicing installment statuses the day-end reads (paid and cancelled ones have nothing left to do).
OPEN_INSTALLMENT_STATUSES = ("scheduled", "billed")


def _rows_to_frame(rows: Sequence, schema: dict) -> pl.DataFrame:
    if not rows:
        return pl.DataFrame(schema=schema)
    cols = list(schema)
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    return pl.DataFrame({c: pl.Series(c, data[c], dtype=schema[c], strict=False) for c in cols})


def lines_frame(rows: Sequence) -> pl.DataFrame:
    """The kernel's account frame (ACCOUNT_SCHEMA) of rows from `DayendRepository.load_lines`."""
    return _rows_to_frame(rows, ACCOUNT_SCHEMA)


# Columns of dayend_account an enrolment fills, in the order `_unenrolled_lines` selects them.
_ENROLL_COLUMNS = [
    "account_id",
    "product_id",
    "currency",
    "cycle_day",
    "last_closed_on",
    "next_event_on",
    "bucket",
    "dpd",
    "charged_off",
    "revolving_principal_minor",
    "accrual_remainder",
    "interest_unbilled_minor",
    "accrued_through_on",
    "principal_days_minor",
    "cost_charged_minor",
]


def _unenrolled_lines() -> sa.Select:
    """Initial day-end state (_ENROLL_COLUMNS) of every credit line that has none yet."""
    cl = credit_lines.c
    return sa.select(
        cl.id,
        cl.product_id,
        cl.currency,
        cl.cycle_day,
        cl.opened_on,
        cl.opened_on,
        sa.literal("current"),
        sa.literal(0),
        sa.false(),
        sa.literal(0),
        sa.literal(0),
        sa.literal(0),
        cl.opened_on,
        sa.literal(0),
        sa.literal(0),
    ).where(~sa.exists().where(dayend_account.c.account_id == cl.id))


@functools.cache
def _enroll_lines_statement(postgresql: bool) -> sa.Insert:
    """Enrol the lines :ids (whatever their status), skipping any already enrolled. Built once per dialect: every
    servicing write's inline close runs it."""
    insert = (pg.insert if postgresql else sqlite_dialect.insert)(dayend_account)
    return insert.from_select(
        _ENROLL_COLUMNS, _unenrolled_lines().where(credit_lines.c.id.in_(sa.bindparam("ids", expanding=True)))
    ).on_conflict_do_nothing()


@functools.cache
def _load_lines_statement(locked: bool) -> sa.Select:
    """State rows (ACCOUNT_SCHEMA order) of the enrolled, active lines :ids in id order, `FOR UPDATE OF` their
    state rows when `locked` (PostgreSQL only). Built once: every servicing write's inline close runs it."""
    a = dayend_account.c
    stmt = (
        sa.select(
            a.account_id,
            sa.cast(a.product_id, sa.String).label("product_code"),
            a.cycle_day,
            a.last_closed_on,
            a.next_event_on,
            a.bucket,
            a.oldest_overdue_on,
            a.charged_off,
            a.revolving_principal_minor,
            a.accrual_remainder,
            a.interest_unbilled_minor,
            a.accrued_through_on,
            a.principal_days_minor,
            a.cost_charged_minor,
        )
        .select_from(dayend_account.join(credit_lines, credit_lines.c.id == a.account_id))
        .where(a.account_id.in_(sa.bindparam("ids", expanding=True)), credit_lines.c.status == "active")
        .order_by(a.account_id)
    )
    return stmt.with_for_update(of=dayend_account) if locked else stmt


def _pull_next_event() -> sa.Update:
    """next_event_on = :on for the lines :ids whose next event is later (or none)."""
    a = dayend_account.c
    on = sa.bindparam("on", type_=sa.Date)
    return (
        dayend_account.update()
        .where(
            a.account_id.in_(sa.bindparam("ids", expanding=True)),
            sa.or_(a.next_event_on.is_(None), a.next_event_on > on),
        )
        .values(next_event_on=on)
    )


# Built once: servicing writes run it.
_PULL_NEXT_EVENT = _pull_next_event()


class DayendRepository:
    """Day-end reads and writes on one connection (see the module docstring)."""

    def __init__(self, connection: Connection, *, clock: Callable[[], datetime]):
        self.connection = connection
        self.clock = clock
        self._pg = connection.dialect.name == "postgresql"

    def _insert(self, table: sa.Table):
        return (pg.insert if self._pg else sqlite_dialect.insert)(table)

    # -- business dates and partitions ----------------------------------------------------------
    def last_closed_date(self) -> date | None:
        return self.connection.execute(sa.select(sa.func.max(dayend_business_date.c.business_on))).scalar()

    def is_closed(self, business_on: date) -> bool:
        return (
            self.connection.execute(
                sa.select(dayend_business_date.c.business_on).where(dayend_business_date.c.business_on == business_on)
            ).first()
            is not None
        )

    def earliest_unclosed_account_date(self) -> date | None:
        """The day after the earliest per-account last_closed_on (where a first catch-up starts)."""
        return self.connection.execute(sa.select(sa.func.min(dayend_account.c.last_closed_on))).scalar()

    def account_id_range(self) -> tuple[int, int] | None:
        row = self.connection.execute(
            sa.select(sa.func.min(dayend_account.c.account_id), sa.func.max(dayend_account.c.account_id))
        ).first()
        return None if row is None or row[0] is None else (int(row[0]), int(row[1]))

    def done_partitions(self, business_on: date) -> set[int]:
        return set(
            self.connection.execute(
                sa.select(dayend_partition.c.partition_no).where(dayend_partition.c.business_on == business_on)
            ).scalars()
        )

    def mark_partition_done(
        self, business_on: date, partition_no: int, lo: int, hi: int, *, accounts: int, entries: int, events: int
    ) -> None:
        self.connection.execute(
            dayend_partition.insert().values(
                business_on=business_on,
                partition_no=partition_no,
                account_id_min=lo,
                account_id_max=hi,
                accounts_touched=accounts,
                entries=entries,
                events=events,
                done_at=self.clock(),
            )
        )

    def work_left(self, business_on: date) -> int:
        """Accounts that still have work for `business_on` (0 once every partition closed it)."""
        return self.connection.execute(
            sa.select(sa.func.count()).select_from(dayend_account).where(self._has_work(business_on))
        ).scalar_one()

    def close_date(self, business_on: date) -> None:
        totals = self.connection.execute(
            sa.select(
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(dayend_partition.c.accounts_touched), 0),
                sa.func.coalesce(sa.func.sum(dayend_partition.c.entries), 0),
                sa.func.coalesce(sa.func.sum(dayend_partition.c.events), 0),
            ).where(dayend_partition.c.business_on == business_on)
        ).one()  # an aggregate without GROUP BY: always exactly one row
        self.connection.execute(
            dayend_business_date.insert().values(
                business_on=business_on,
                closed_at=self.clock(),
                partitions=totals[0],
                accounts_touched=totals[1],
                entries=totals[2],
                events=totals[3],
            )
        )

    # -- enrolment ------------------------------------------------------------------------------
    def enroll_new_accounts(self, account_ids: Sequence[int] | None = None) -> int:
        """Give credit lines without day-end state their initial state; return how many.

        With no ids: every active line (the batch's enrolment, one statement). With ids: those lines whatever their
        status (servicing's inline close: a write pulls its line in), skipping any a concurrent close enrolled first.
        """
        if account_ids is None:
            stmt = dayend_account.insert().from_select(
                _ENROLL_COLUMNS, _unenrolled_lines().where(credit_lines.c.status == "active")
            )
            return self.connection.execute(stmt).rowcount or 0
        stmt = _enroll_lines_statement(self._pg)
        return self.connection.execute(stmt, {"ids": sorted(set(account_ids))}).rowcount or 0

    def tune_for_batch(self) -> None:
        """PostgreSQL: memory for this transaction's sorts and hashes (a partition's joins spill to disk with the
        default 4 MB), and no parallel workers (the day-end already runs partitions side by side: on a small
        machine workers per query only fight them for the cores); SET LOCAL ends with the transaction."""
        if self._pg:
            self.connection.exec_driver_sql(f"SET LOCAL work_mem = '{BATCH_WORK_MEM}'")
            self.connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")

    def lock_book_balances(self) -> None:
        """Lock every book-wide ledger balance (book:…) in id order; PostgreSQL only.

        A day-end transaction posts to several book accounts (fee and interest income,
        charge-off expense) across several entries; taking them all up front, after the
        account locks and in one order, keeps two such transactions (a partition and a
        payment's inline close) from locking them in opposite orders and deadlocking.
        """
        if not self._pg:
            return
        # Book accounts have no owner: the owner index finds them (a LIKE on the code scans every account).
        books = sa.select(ledger_account.c.id).where(
            ledger_account.c.owner.is_(None), ledger_account.c.code.like("book:%")
        )
        self.connection.execute(
            sa.select(ledger_balance.c.account_id)
            .where(ledger_balance.c.account_id.in_(books))
            .order_by(ledger_balance.c.account_id)
            .with_for_update()
        ).all()

    def book_account_ids(self) -> list[int]:
        """Ids of the book-wide ledger accounts (book:…), unlocked: a partition holds their balance
        deltas (LedgerRepository.hold_balances) and writes them at its end, under lock_book_balances."""
        return list(
            self.connection.execute(
                sa.select(ledger_account.c.id).where(
                    ledger_account.c.owner.is_(None), ledger_account.c.code.like("book:%")
                )
            ).scalars()
        )

    # -- reading a partition --------------------------------------------------------------------
    @staticmethod
    def _has_work(business_on: date, lo: int | None = None, hi: int | None = None):
        """Work on `business_on`: its next event is due, it is not closed for the date yet, it is not
        charged off, and its credit line is active (a closed line has nothing left to bill or chase).

        lo, hi: the partition's id range, repeated on the credit lines (PostgreSQL otherwise hashes every
        active line of the book for each partition's semi-join)."""
        a = dayend_account.c
        line = sa.exists().where(credit_lines.c.id == a.account_id, credit_lines.c.status == "active")
        if lo is not None and hi is not None:
            line = line.where(credit_lines.c.id.between(lo, hi))
        return sa.and_(
            a.next_event_on <= business_on,
            a.last_closed_on < business_on,
            a.charged_off == sa.false(),
            line,
        )

    # -- the event outbox (for collections and channels) ----------------------------------------
    def pending_events(self, limit: int, kinds: Sequence[str] | None = None) -> list[sa.Row]:
        o = dayend_event_outbox.c
        stmt = sa.select(dayend_event_outbox).where(o.consumed_at.is_(None)).order_by(o.id).limit(limit)
        if kinds:
            stmt = stmt.where(o.kind.in_(list(kinds)))
        if self._pg:
            stmt = stmt.with_for_update(skip_locked=True)
        return list(self.connection.execute(stmt))

    def mark_consumed(self, event_ids: Sequence[int]) -> int:
        if not event_ids:
            return 0
        o = dayend_event_outbox.c
        return self.connection.execute(
            dayend_event_outbox.update()
            .where(o.id.in_(list(event_ids)), o.consumed_at.is_(None))
            .values(consumed_at=self.clock())
        ).rowcount

    def load_accounts(self, business_on: date, lo: int, hi: int, *, lock: bool = True) -> pl.DataFrame:
        """Accounts in [lo, hi] with work on `business_on` (ACCOUNT_SCHEMA; product_code = str(product_id))."""
        a = dayend_account.c
        stmt = (
            sa.select(
                a.account_id,
                sa.cast(a.product_id, sa.String),
                a.cycle_day,
                a.last_closed_on,
                a.next_event_on,
                a.bucket,
                a.oldest_overdue_on,
                a.charged_off,
                a.revolving_principal_minor,
                a.accrual_remainder,
                a.interest_unbilled_minor,
                a.accrued_through_on,
                a.principal_days_minor,
                a.cost_charged_minor,
            )
            .where(a.account_id.between(lo, hi), self._has_work(business_on, lo, hi))
            .order_by(a.account_id)
        )
        if not self._pg:
            return _rows_to_frame(self.connection.execute(stmt).all(), ACCOUNT_SCHEMA)
        return self._read_as_text(stmt.with_for_update() if lock else stmt, ACCOUNT_SCHEMA)

    def load_lines(self, account_ids: Sequence[int], *, lock: bool = True) -> Sequence[sa.Row]:
        """The state of those of these lines that are enrolled and active, in id order, as rows named and ordered
        like ACCOUNT_SCHEMA (`lines_frame` makes the kernel's frame of them); on PostgreSQL their state rows are
        locked in that order unless lock=False. Rows, not a frame: a writer's inline close usually finds nothing
        to do and then needs no frame at all."""
        stmt = _load_lines_statement(lock and self._pg)
        return self.connection.execute(stmt, {"ids": sorted(set(account_ids))}).all()

    def load_installments(
        self, business_on: date, lo: int, hi: int, *, account_ids: Sequence[int] | None = None
    ) -> pl.DataFrame:
        """Open installments of the accounts with work in [lo, hi] (or of the given lines), with day-end flags
        (LOADED_INSTALLMENT_SCHEMA).

        PostgreSQL reads them as server-built CSV text into Polars (the big read of a day, `_read_as_text`);
        SQLite goes through the driver's rows.
        """
        i, f, a, p = installments.c, dayend_installment.c, dayend_account.c, installment_plans.c
        # The flag and plan rows are narrowed to the same lines too: without it PostgreSQL hashes the whole
        # of both tables for every partition (a month-end at 1,000,000 lines: 21 × 3M plan rows).
        ids = None if account_ids is None else sorted(set(account_ids))
        if ids is not None:
            flags_on, plans_on = f.account_id.in_(ids), p.credit_line_id.in_(ids)
        else:
            flags_on, plans_on = f.account_id.between(lo, hi), p.credit_line_id.between(lo, hi)
        as_int = self._pg  # COPY writes booleans as t/f; as integers Polars reads them directly
        flag = (
            (lambda col: sa.cast(sa.func.coalesce(col, sa.false()), sa.Integer))
            if as_int
            else (lambda col: sa.func.coalesce(col, sa.false()))
        )
        stmt = (
            sa.select(
                i.id,
                i.credit_line_id,
                i.plan_id,
                i.seq,
                i.due_on,
                i.principal_due_minor,
                i.interest_due_minor,
                i.fee_due_minor,
                i.principal_paid_minor,
                i.interest_paid_minor,
                i.fee_paid_minor,
                flag(f.billed),
                flag(f.overdue),
                sa.func.coalesce(f.late_fee_minor, 0),
                sa.cast(sa.case((installment_plans.c.kind == "full", 1), else_=0), sa.Integer),
                i.status,
                i.statement_on,
                p.kind,
                p.periods,
            )
            .select_from(
                installments.outerjoin(dayend_installment, sa.and_(f.installment_id == i.id, flags_on)).join(
                    installment_plans, sa.and_(p.id == i.plan_id, plans_on)
                )
            )
            .where(i.status.in_(OPEN_INSTALLMENT_STATUSES))
        )
        if ids is not None:
            stmt = stmt.where(i.credit_line_id.in_(ids))
        else:
            stmt = stmt.join(dayend_account, a.account_id == i.credit_line_id).where(
                a.account_id.between(lo, hi), self._has_work(business_on)
            )
        if not self._pg:
            return _rows_to_frame(self.connection.execute(stmt.order_by(i.id)).all(), LOADED_INSTALLMENT_SCHEMA)
        return self._read_as_text(stmt, LOADED_INSTALLMENT_SCHEMA)  # sorted by id in Polars, not by the server

    def _read_as_text(self, stmt, schema: dict) -> pl.DataFrame:
        """PostgreSQL: the rows of `stmt` as a few big CSV texts built by the server, parsed by Polars.

        COPY … TO STDOUT hands Python one message per row (≈ 5 µs each: seconds for a million rows);
        here the server joins up to ROWS_PER_TEXT_MAX rows into one text value, so Python touches a
        handful of values. The columns must be numbers, dates, booleans or plain codes (no commas,
        quotes or newlines) — true of the day-end's state. Rows come back sorted by the first column (an
        id); a FOR UPDATE statement still locks its rows in its own ORDER BY.
        """
        sql = str(stmt.compile(dialect=self.connection.dialect, compile_kwargs={"literal_binds": True}))
        names = [f"c{n}" for n in range(len(schema))]
        fields = ", ".join(
            f"coalesce(({c})::int::text, '')" if t == pl.Boolean else f"coalesce(({c})::text, '')"
            for c, t in zip(names, schema.values(), strict=True)
        )
        text_sql = (
            f"SELECT string_agg(concat_ws(',', {fields}), E'\\n') FROM ({sql}) AS q({', '.join(names)}) "  # nosec B608
            f"GROUP BY c0 / {ROWS_PER_TEXT_MAX}"
        )
        chunks = [t for t in self.connection.execute(sa.text(text_sql)).scalars() if t]
        if not chunks:
            return pl.DataFrame(schema=schema)
        read_schema = {c: (pl.Int8 if t == pl.Boolean else t) for c, t in schema.items()}
        frame = pl.read_csv(
            ("\n".join(chunks)).encode(), has_header=False, new_columns=list(schema), schema_overrides=read_schema
        )
        return frame.with_columns([pl.col(c).cast(pl.Boolean) for c, t in schema.items() if t == pl.Boolean]).sort(
            next(iter(schema))
        )

    # -- writing results ------------------------------------------------------------------------
    def _stage(self, frame: pl.DataFrame, like: str, name: str) -> None:
        """PostgreSQL: COPY `frame` into a temporary table `name` shaped like `like`'s columns (dropped at commit)."""
        cols = ", ".join(frame.columns)
        self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS {name}")
        self.connection.exec_driver_sql(
            f"CREATE TEMP TABLE {name} ON COMMIT DROP AS SELECT {cols} FROM {like} WITH NO DATA"  # nosec B608
        )
        copy_frame(self.connection, name, frame)

    def update_accounts(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        if self._pg:
            self._stage(frame.select("account_id", *STATE_COLUMNS), "dayend_account", "_dayend_acc")
            sets = ", ".join(f"{c} = s.{c}" for c in STATE_COLUMNS)
            self.connection.exec_driver_sql(
                f"UPDATE dayend_account a SET {sets} FROM _dayend_acc s WHERE a.account_id = s.account_id"  # nosec B608
            )
            return
        a = dayend_account.c
        stmt = (
            dayend_account.update()
            .where(a.account_id == sa.bindparam("_id"))
            .values({c: sa.bindparam(c) for c in STATE_COLUMNS})
        )
        rows = frame.select(pl.col("account_id").alias("_id"), *STATE_COLUMNS).to_dicts()
        for n in range(0, len(rows), ROWS_PER_BATCH_MAX):
            self.connection.execute(stmt, rows[n : n + ROWS_PER_BATCH_MAX])

    def upsert_installment_flags(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        frame = frame.select("installment_id", "account_id", "billed", "overdue", "late_fee_minor", "dpd")
        if self._pg:
            self._stage(frame, "dayend_installment", "_dayend_inst")
            self.connection.exec_driver_sql(
                "INSERT INTO dayend_installment SELECT * FROM _dayend_inst ON CONFLICT (installment_id) DO UPDATE SET "
                "billed = excluded.billed, overdue = excluded.overdue, late_fee_minor = excluded.late_fee_minor, "
                "dpd = excluded.dpd"
            )
            return
        rows = frame.to_dicts()
        stmt = self._insert(dayend_installment)
        stmt = stmt.on_conflict_do_update(
            index_elements=["installment_id"],
            set_={c: stmt.excluded[c] for c in ("billed", "overdue", "late_fee_minor", "dpd")},
        )
        for n in range(0, len(rows), ROWS_PER_BATCH_MAX):
            self.connection.execute(stmt, rows[n : n + ROWS_PER_BATCH_MAX])

    def add_bucket_moves(self, frame: pl.DataFrame) -> None:
        """Bucket history rows (PostgreSQL: one COPY; a month-end moves tens of thousands of accounts)."""
        if frame.height == 0:
            return
        frame = frame.select("account_id", "business_on", "bucket_from", "bucket_to", "dpd")
        if self._pg:
            copy_frame(self.connection, "dayend_bucket_history", frame)
            return
        self.connection.execute(dayend_bucket_history.insert(), frame.to_dicts())

    def add_events(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        now = self.clock()
        if self._pg:
            staged = frame.select("event_key", "account_id", "kind", "business_on", "payload").with_columns(
                pl.lit(now.isoformat()).alias("created_at")
            )
            self._stage(staged, "dayend_event_outbox", "_dayend_events")
            self.connection.exec_driver_sql(
                "INSERT INTO dayend_event_outbox (event_key, account_id, kind, business_on, payload, created_at) "
                "SELECT event_key, account_id, kind, business_on, payload, created_at FROM _dayend_events "
                "ORDER BY event_key ON CONFLICT (event_key) DO NOTHING"
            )
            return
        rows = [dict(r, created_at=now) for r in frame.to_dicts()]
        stmt = self._insert(dayend_event_outbox).on_conflict_do_nothing(index_elements=["event_key"])
        for n in range(0, len(rows), ROWS_PER_BATCH_MAX):
            self.connection.execute(stmt, rows[n : n + ROWS_PER_BATCH_MAX])

    def ensure_ledger_accounts(self, wanted: dict[str, tuple[str, str, str | None]]) -> dict[str, int]:
        """Ledger account ids by code, creating the missing ones (code -> (kind, currency, owner)) in bulk."""
        codes = sorted(wanted)
        ids = self._ledger_ids(codes)
        missing = [c for c in codes if c not in ids]
        if missing:
            now = self.clock()
            stmt = self._insert(ledger_account).on_conflict_do_nothing(index_elements=["code"])
            self.connection.execute(
                stmt,
                [
                    {
                        "code": c,
                        "kind": wanted[c][0],
                        "currency": wanted[c][1],
                        "owner": wanted[c][2],
                        "name": None,
                        "created_at": now,
                    }
                    for c in missing
                ],
            )
            fresh = self._ledger_ids(missing)
            bal = self._insert(ledger_balance).on_conflict_do_nothing(index_elements=["account_id"])
            self.connection.execute(
                bal,
                [
                    {"account_id": fresh[c], "currency": wanted[c][1], "balance_minor": 0, "posting_count": 0}
                    for c in missing
                ],
            )
            ids.update(fresh)
        return ids

    def _ledger_ids(self, codes: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for n in range(0, len(codes), KEYS_PER_QUERY_MAX):
            chunk = codes[n : n + KEYS_PER_QUERY_MAX]
            for code, id_ in self.connection.execute(
                sa.select(ledger_account.c.code, ledger_account.c.id).where(ledger_account.c.code.in_(chunk))
            ):
                found[code] = id_
        return found

    def entry_ids(self, keys: Sequence[str]) -> dict[str, int]:
        found: dict[str, int] = {}
        for n in range(0, len(keys), KEYS_PER_QUERY_MAX):
            chunk = keys[n : n + KEYS_PER_QUERY_MAX]
            for key, id_ in self.connection.execute(
                sa.select(ledger_entry.c.idempotency_key, ledger_entry.c.id).where(
                    ledger_entry.c.idempotency_key.in_(chunk)
                )
            ):
                found[key] = id_
        return found

    def add_charges_for_entries(self, frame: pl.DataFrame) -> None:
        """Servicing `charges` rows for the day's late fees and interest, each tied to the ledger entry whose key
        is its idempotency key (idempotent by key). PostgreSQL: one COPY and one INSERT … SELECT joining the
        entries; SQLite: the entry ids looked up, then executemany."""
        if frame.height == 0:
            return
        if not self._pg:
            ids = self.entry_ids(frame.get_column("idempotency_key").to_list())
            self.add_late_fee_charges(dict(r, ledger_entry_id=ids[r["idempotency_key"]]) for r in frame.to_dicts())
            return
        self._stage(frame, "charges", "_dayend_charges")
        cols = ", ".join(frame.columns)
        self.connection.exec_driver_sql(
            f"INSERT INTO charges ({cols}, ledger_entry_id) SELECT {', '.join('s.' + c for c in frame.columns)}, e.id "  # nosec B608
            "FROM _dayend_charges s JOIN ledger_entry e ON e.idempotency_key = s.idempotency_key "
            "ORDER BY s.idempotency_key ON CONFLICT (idempotency_key) DO NOTHING"
        )

    def add_late_fee_charges(self, rows: Iterable[dict]) -> None:
        """Servicing `charges` rows for late fees, so payments can allocate to them (idempotent by key)."""
        rows = list(rows)
        if not rows:
            return
        stmt = self._insert(charges).on_conflict_do_nothing(index_elements=["idempotency_key"])
        for n in range(0, len(rows), ROWS_PER_BATCH_MAX):
            self.connection.execute(stmt, rows[n : n + ROWS_PER_BATCH_MAX])

    def mark_charged_off(self, account_ids: Sequence[int], business_on: date) -> None:
        if account_ids:
            self.connection.execute(
                credit_lines.update()
                .where(credit_lines.c.id.in_(list(account_ids)))
                .values(status="charged_off", charged_off_on=business_on)
            )

    def pull_next_event(self, account_ids: Sequence[int], business_on: date) -> None:
        """Make `business_on`'s batch look at these lines again (something is being written to them)."""
        self.connection.execute(_PULL_NEXT_EVENT, {"ids": sorted(set(account_ids)), "on": business_on})

    def adjust_cost_charged(self, account_id: int, delta_minor: int) -> None:
        """Add `delta_minor` (negative to lower it) to the line's running all-in cost — interest and fees charged
        so far, what the cost cap limits — never taking it below zero. For servicing's restructures: charges a
        plan carries into its rows are counted again when those rows bill, so accepting the plan takes them out
        and reverting it puts them back."""
        a = dayend_account.c
        raised = a.cost_charged_minor + int(delta_minor)
        self.connection.execute(
            dayend_account.update()
            .where(a.account_id == account_id)
            .values(cost_charged_minor=sa.case((raised < 0, 0), else_=raised))
        )
