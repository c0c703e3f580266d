"""Statement close for many credit lines at once: set-based reads and bulk writes (day-end's statement step).

Everything runs on the caller's connection, inside the caller's transaction.
The lines being closed are staged in a temporary table (`_stmt_lines`) and
every read joins it — one query per kind of row, not one per line. Writes
are one executemany (SQLite) or COPY (PostgreSQL) per table, and the
installment/charge billing marks are one set-based UPDATE each.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

import polars as pl
import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.bulk import copy_frame
from fairdue.adapters.db.schema.accounts import statement_lines, statements
from fairdue.adapters.db.schema.ledger import ledger_entry

LINE_SCHEMA = {"line_id": pl.Int64, "owner": pl.String}
INSTALLMENT_COLUMNS = {
    "id": pl.Int64,
    "line_id": pl.Int64,
    "plan_id": pl.Int64,
    "seq": pl.Int32,
    "due_on": pl.Date,
    "status": pl.String,
    "principal_due_minor": pl.Int64,
    "interest_due_minor": pl.Int64,
    "fee_due_minor": pl.Int64,
    "principal_paid_minor": pl.Int64,
    "interest_paid_minor": pl.Int64,
    "fee_paid_minor": pl.Int64,
    "plan_kind": pl.String,
    "periods": pl.Int32,
}
CHARGE_COLUMNS = {"line_id": pl.Int64, "component": pl.String, "owed_minor": pl.Int64}
MOVEMENT_COLUMNS = {
    "line_id": pl.Int64,
    "entry_id": pl.Int64,
    "entry_kind": pl.String,
    "posted_on": pl.Date,
    "description": pl.String,
    "amount_minor": pl.Int64,
    "on_credit_minor": pl.Int64,
}
ROWS_PER_BATCH_MAX = 5_000
KEYS_PER_QUERY_MAX = 1_000


def _frame(rows: Sequence, schema: dict) -> pl.DataFrame:
    """Rows of a text query as a frame; SQLite hands dates of a text query back as ISO strings."""
    if not rows:
        return pl.DataFrame(schema=schema)
    as_text = {
        c
        for n, (c, t) in enumerate(schema.items())
        if t == pl.Date and isinstance(next((r[n] for r in rows if r[n] is not None), None), str)
    }
    frame = pl.DataFrame(
        [tuple(r) for r in rows],
        orient="row",
        schema={c: (pl.String if c in as_text else t) for c, t in schema.items()},
    )
    return frame.with_columns([pl.col(c).str.to_date() for c in as_text]) if as_text else frame


class StatementsBulkRepository:
    """Bulk statement reads and writes for the lines staged with `stage_lines` (see the module docstring)."""

    def __init__(self, connection: Connection, *, clock: Callable[[], datetime]):
        self.connection = connection
        self.clock = clock
        self._pg = connection.dialect.name == "postgresql"

    def _q(self, sql: str, **params) -> list[sa.Row]:
        return list(self.connection.execute(sa.text(sql), params))

    # -- staging ----------------------------------------------------------------------------------
    def stage_lines(self, line_ids: Sequence[int]) -> None:
        """(Re)fill the temporary table of lines this close works on."""
        if self._pg:
            self.connection.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS _stmt_lines (line_id bigint PRIMARY KEY, owner text NOT NULL) "
                "ON COMMIT DROP"
            )
        else:
            self.connection.exec_driver_sql(
                "CREATE TEMP TABLE IF NOT EXISTS _stmt_lines (line_id INTEGER PRIMARY KEY, owner TEXT NOT NULL)"
            )
        self.connection.exec_driver_sql("DELETE FROM _stmt_lines")
        rows = [{"line_id": int(i), "owner": f"credit_line:{int(i)}"} for i in sorted(set(line_ids))]
        if self._pg:
            copy_frame(self.connection, "_stmt_lines", pl.DataFrame(rows, schema=LINE_SCHEMA))
            self.connection.exec_driver_sql("ANALYZE _stmt_lines")
        else:
            stmt = sa.text("INSERT INTO _stmt_lines (line_id, owner) VALUES (:line_id, :owner)")
            for n in range(0, len(rows), ROWS_PER_BATCH_MAX):
                self.connection.execute(stmt, rows[n : n + ROWS_PER_BATCH_MAX])

    def lock_lines(self) -> None:
        """PostgreSQL: lock the staged credit lines in id order, as generate_statement locks its line (a
        statement written meanwhile by another transaction is then seen as stored, not written twice)."""
        if self._pg:
            self.connection.exec_driver_sql(
                "SELECT cl.id FROM credit_lines cl JOIN _stmt_lines t ON t.line_id = cl.id ORDER BY cl.id "
                "FOR UPDATE OF cl"
            ).all()

    # -- reads ------------------------------------------------------------------------------------
    def lines(self, statement_on: date) -> pl.DataFrame:
        """Per staged line: status, currency, cycle day, opening date, product, the previous statement
        (date, closing balance), the latest statement on or after `statement_on`, the credit balance."""
        rows = self._q(
            "SELECT t.line_id, cl.status, cl.currency, cl.cycle_day, cl.opened_on, cl.product_id, "
            " prev.statement_on, prev.closing_balance_minor, "
            " (SELECT max(s3.statement_on) FROM statements s3 WHERE s3.credit_line_id = t.line_id "
            "   AND s3.statement_on >= :d), "
            " COALESCE(-b.balance_minor, 0) "
            "FROM _stmt_lines t JOIN credit_lines cl ON cl.id = t.line_id "
            "LEFT JOIN statements prev ON prev.credit_line_id = t.line_id AND prev.statement_on = "
            "  (SELECT max(s2.statement_on) FROM statements s2 WHERE s2.credit_line_id = t.line_id "
            "   AND s2.statement_on < :d) "
            "LEFT JOIN ledger_account la ON la.code = 'cl:' || CAST(t.line_id AS VARCHAR(20)) || '\\:credit' "
            "LEFT JOIN ledger_balance b ON b.account_id = la.id "
            "ORDER BY t.line_id",
            d=statement_on,
        )
        return _frame(
            rows,
            {
                "line_id": pl.Int64,
                "status": pl.String,
                "currency": pl.String,
                "cycle_day": pl.Int32,
                "opened_on": pl.Date,
                "product_id": pl.Int64,
                "prev_statement_on": pl.Date,
                "prev_closing_minor": pl.Int64,
                "latest_from_on": pl.Date,
                "credit_minor": pl.Int64,
            },
        )

    def stored(self, statement_on: date) -> pl.DataFrame:
        """Statements already stored on `statement_on` for staged lines (a rerun returns them)."""
        rows = self._q(
            "SELECT s.credit_line_id, s.id, s.due_on, s.currency, s.closing_balance_minor, s.amount_due_minor, "
            " s.minimum_due_minor FROM statements s JOIN _stmt_lines t ON t.line_id = s.credit_line_id "
            "WHERE s.statement_on = :d",
            d=statement_on,
        )
        return _frame(
            rows,
            {
                "line_id": pl.Int64,
                "statement_id": pl.Int64,
                "due_on": pl.Date,
                "currency": pl.String,
                "closing_balance_minor": pl.Int64,
                "amount_due_minor": pl.Int64,
                "minimum_due_minor": pl.Int64,
            },
        )

    def installments(self, statement_on: date) -> pl.DataFrame:
        """Billed installments and the scheduled ones this statement bills, with their plan's kind and periods."""
        wanted = (
            "i.credit_line_id = t.line_id AND (i.status = 'billed' OR "
            "(i.status = 'scheduled' AND i.statement_on <= :d))"
        )
        # PostgreSQL: a lateral lookup per line (OFFSET 0 keeps the planner from flattening it into a merge
        # join that walks the installments of every line in the id range).
        source = (
            f"_stmt_lines t CROSS JOIN LATERAL (SELECT * FROM installments i WHERE {wanted} OFFSET 0) i"  # nosec B608
            if self._pg
            else f"_stmt_lines t JOIN installments i ON {wanted}"
        )
        rows = self._q(
            "SELECT i.id, i.credit_line_id, i.plan_id, i.seq, i.due_on, i.status, i.principal_due_minor, "  # nosec B608
            " i.interest_due_minor, i.fee_due_minor, i.principal_paid_minor, i.interest_paid_minor, "
            f" i.fee_paid_minor, p.kind, p.periods FROM {source} JOIN installment_plans p ON p.id = i.plan_id",
            d=statement_on,
        )
        return _frame(rows, INSTALLMENT_COLUMNS)

    def open_charges(self) -> pl.DataFrame:
        rows = self._q(
            "SELECT c.credit_line_id, c.component, c.amount_minor - c.paid_minor FROM _stmt_lines t "
            "JOIN charges c ON c.credit_line_id = t.line_id WHERE c.status = 'open'"
        )
        return _frame(rows, CHARGE_COLUMNS)

    def line_ledger_ids(self) -> dict[str, int]:
        """Ledger account ids of the staged lines' accounts (owner credit_line:N), by code."""
        return {
            code: int(id_)
            for code, id_ in self._q(
                "SELECT a.code, a.id FROM _stmt_lines t JOIN ledger_account a ON a.owner = t.owner"
            )
        }

    def unstated_entries(self, statement_on: date) -> pl.DataFrame:
        """Per staged line: ledger entries on its accounts dated on or before `statement_on` that no statement
        of the line shows yet, with the change of what is owed and the amount moved on its credit account."""
        rows = self._q(
            "SELECT t.line_id, e.id, e.kind, e.business_on, e.description, sum(p.amount_minor), "
            " sum(CASE WHEN a.code LIKE '%\\:credit' THEN p.amount_minor ELSE 0 END) "
            "FROM _stmt_lines t JOIN ledger_account a ON a.owner = t.owner "
            "JOIN ledger_posting p ON p.account_id = a.id JOIN ledger_entry e ON e.id = p.entry_id "
            "WHERE e.business_on <= :d AND NOT EXISTS (SELECT 1 FROM statement_lines sl "
            "  WHERE sl.credit_line_id = t.line_id AND sl.ledger_entry_id = e.id) "
            "GROUP BY t.line_id, e.id, e.kind, e.business_on, e.description "
            "ORDER BY t.line_id, e.business_on, e.id",
            d=statement_on,
        )
        return _frame(rows, MOVEMENT_COLUMNS)

    def entry_ids(self, keys: dict[str, int]) -> dict[int, int]:
        """Ledger entry ids of the given idempotency keys, by the line id each key maps to."""
        found: dict[int, int] = {}
        names = sorted(keys)
        for n in range(0, len(names), KEYS_PER_QUERY_MAX):
            chunk = names[n : n + KEYS_PER_QUERY_MAX]
            for key, id_ in self.connection.execute(
                sa.select(ledger_entry.c.idempotency_key, ledger_entry.c.id).where(
                    ledger_entry.c.idempotency_key.in_(chunk)
                )
            ):
                found[keys[key]] = int(id_)
        return found

    # -- writes -----------------------------------------------------------------------------------
    def insert_statements(self, frame: pl.DataFrame, statement_on: date) -> dict[int, int]:
        """Insert statement rows (columns of `statements` but id); returns line id -> statement id."""
        if frame.height == 0:
            return {}
        now = self.clock()
        if self._pg:
            copy_frame(self.connection, "statements", frame.with_columns(pl.lit(now.isoformat()).alias("created_at")))
        else:
            rows = [dict(r, created_at=now) for r in frame.to_dicts()]
            for n in range(0, len(rows), ROWS_PER_BATCH_MAX):
                self.connection.execute(statements.insert(), rows[n : n + ROWS_PER_BATCH_MAX])
        return {
            int(line): int(sid)
            for line, sid in self._q(
                "SELECT s.credit_line_id, s.id FROM statements s JOIN _stmt_lines t ON t.line_id = s.credit_line_id "
                "WHERE s.statement_on = :d",
                d=statement_on,
            )
        }

    def insert_statement_lines(self, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        if self._pg:
            copy_frame(self.connection, "statement_lines", frame)
            return
        rows = frame.to_dicts()
        for n in range(0, len(rows), ROWS_PER_BATCH_MAX):
            self.connection.execute(statement_lines.insert(), rows[n : n + ROWS_PER_BATCH_MAX])

    def mark_billed(self, statement_on: date, billed: pl.DataFrame) -> None:
        """For the staged lines (restage to the ones whose statement this close created): the installments
        this close billed (`billed`: installment `id`, `statement_id`, the rows its due lines show) become
        billed on their statement; charges not yet on a statement go on it.

        The installments are found by id (PostgreSQL: COPY'd into a temporary table, one UPDATE … FROM), not
        by searching every installment of each line again."""
        if billed.height:
            frame = billed.select(pl.col("id").cast(pl.Int64), pl.col("statement_id").cast(pl.Int64)).sort("id")
            if self._pg:
                self.connection.exec_driver_sql(
                    "CREATE TEMP TABLE IF NOT EXISTS _stmt_billed (id bigint PRIMARY KEY, statement_id bigint NOT NULL)"
                    " ON COMMIT DROP"
                )
                self.connection.exec_driver_sql("DELETE FROM _stmt_billed")
                copy_frame(self.connection, "_stmt_billed", frame)
                self.connection.exec_driver_sql("ANALYZE _stmt_billed")
                self.connection.exec_driver_sql(
                    "UPDATE installments SET status = 'billed', billed_statement_id = b.statement_id "
                    "FROM _stmt_billed b WHERE installments.id = b.id AND installments.status = 'scheduled'"
                )
            else:
                rows = frame.to_dicts()
                stmt = sa.text(
                    "UPDATE installments SET status = 'billed', billed_statement_id = :statement_id "
                    "WHERE id = :id AND status = 'scheduled'"
                )
                for n in range(0, len(rows), ROWS_PER_BATCH_MAX):
                    self.connection.execute(stmt, rows[n : n + ROWS_PER_BATCH_MAX])
        self.connection.execute(
            sa.text(
                "UPDATE charges SET billed_statement_id = s.id "
                "FROM statements s JOIN _stmt_lines t ON t.line_id = s.credit_line_id "
                "WHERE s.statement_on = :d AND charges.credit_line_id = s.credit_line_id "
                "AND charges.billed_statement_id IS NULL AND charges.charged_on <= :d"
            ),
            {"d": statement_on},
        )
