"""`fairdue bench day-end --accounts N [--database-url URL] [--json]`: the day-end batch at scale.

Seeds a realistic portfolio in bulk (COPY on PostgreSQL, executemany on
SQLite; foreign-key checks off while seeding only): N credit lines of a CN
e-card product offering every cycle day 1–28 (spread evenly), three
installment plans each (12-month annuity, 6-month flat fee, 3-month zero fee,
bought in October, December and February), past installments paid, about 8%
of lines delinquent (unpaid since one to five months, buckets M1–M5, their
day-end state and flags consistent with that), the day before the typical
day closed.

Then, on the same database, in one run:
(a) a typical business day (2026-03-17: statements for the lines whose cycle
    day it is, installments falling due, overdue lines crossing bucket
    boundaries);
(b) a month-end on which every account has work (2026-03-31, every line's
    next event forced to that date; the dates in between are marked closed
    without running them — they are not what is measured);
(c) the I/O floor: the time to move the month-end's touched state out of the
    database and the same number of result rows back in, with the fastest
    bulk path of the engine (PostgreSQL COPY out/in; SQLite a bulk read and an
    executemany write), measured right after (b).

Reports accounts/s, seconds, peak RSS of the day-end process (seeding runs in
a child process and is not counted), and month-end / I/O
floor. `--json` prints exactly {"accounts", "database", "typical_day_s",
"month_end_s", "io_floor_s", "peak_rss_mb"}.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

import typer

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.bootstrap import bootstrap
from fairdue.domain.dayend.params import product_frames
from fairdue.domain.money import Money
from fairdue.domain.products import product_from_mapping
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.servicing.products import register_product
from fairdue.service.servicing.purchases import schedule_rows

TYPICAL_ON = date(2026, 3, 17)
MONTH_END_ON = date(2026, 3, 31)
OPENED_ON = date(2025, 9, 1)
DELINQUENT_SHARE_PCT = 8
PLANS = (  # (purchase date, option, principal_minor)
    (date(2025, 10, 8), "12-annuity", 240_000),
    (date(2025, 12, 12), "6-flat_fee", 120_000),
    (date(2026, 2, 3), "3-zero_fee", 60_000),
)
PRODUCT_CODE = "bench-cn-ecard"


def register(bench_app: typer.Typer) -> None:
    bench_app.command("day-end")(bench_cmd)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _product():
    import pathlib
    import tomllib

    path = pathlib.Path(__file__).resolve().parents[1] / "products" / "cn-ecard-std.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    data.update(code=PRODUCT_CODE, name="bench e-card", cycle_days=list(range(1, 29)))
    return product_from_mapping(data)


def _portfolio(n: int, product_id: int):
    """Polars frames for every seeded table (built vectorised, no per-row Python)."""
    import polars as pl

    product = _product()
    ids = pl.Series("account_id", range(1, n + 1), dtype=pl.Int64)
    cycle = ((ids - 1) % 28 + 1).cast(pl.Int32)
    lines = pl.DataFrame({"id": ids, "cycle_day": cycle})
    # Schedules per (plan, cycle day): 3 × 28 shapes, computed with the servicing code, then broadcast.
    shapes = []
    for plan_no, (bought_on, option, principal) in enumerate(PLANS):
        opt = product.option(int(option.split("-")[0]), option.split("-")[1])
        for cd in range(1, 29):
            for row in schedule_rows(product, opt, Money(principal, "CNY"), bought_on, cd):
                shapes.append(
                    {
                        "plan_no": plan_no,
                        "cycle_day": cd,
                        "seq": row.seq,
                        "period_start_on": row.period_start_on,
                        "statement_on": row.statement_on,
                        "due_on": row.due_on,
                        "principal_due_minor": row.principal_minor,
                        "interest_due_minor": row.interest_minor,
                        "fee_due_minor": row.fee_minor,
                    }
                )
    shapes = pl.DataFrame(shapes)
    # Delinquent lines: every 12th-ish (8%), unpaid since 1..5 months before the typical day.
    delinquent = (ids * 2654435761 % 100) < DELINQUENT_SHARE_PCT
    months_late = (ids % 5 + 1).cast(pl.Int32)
    lines = lines.with_columns(delinquent.alias("delinquent"), months_late.alias("months_late"))
    lines = lines.with_columns(
        pl.when(pl.col("delinquent"))
        .then(pl.lit(TYPICAL_ON) - pl.duration(days=pl.col("months_late") * 30 + 5))
        .alias("unpaid_since")
    )
    plans = lines.select("id", "cycle_day").join(pl.DataFrame({"plan_no": [0, 1, 2]}), how="cross")
    plans = plans.with_columns(((pl.col("id") - 1) * 3 + pl.col("plan_no") + 1).alias("plan_id"))
    inst = (
        plans.join(shapes, on=["plan_no", "cycle_day"])
        .join(lines.select("id", "unpaid_since"), on="id")
        .sort("plan_id", "seq")
    )
    past = pl.col("due_on") < TYPICAL_ON
    unpaid = pl.col("unpaid_since").is_not_null() & (pl.col("due_on") >= pl.col("unpaid_since"))
    inst = inst.with_columns(
        pl.when(past & ~unpaid)
        .then(pl.lit("paid"))
        .when(pl.col("statement_on") < TYPICAL_ON)
        .then(pl.lit("billed"))
        .otherwise(pl.lit("scheduled"))
        .alias("status"),
    ).with_columns(
        *[
            pl.when(pl.col("status") == "paid").then(pl.col(f"{c}_due_minor")).otherwise(0).alias(f"{c}_paid_minor")
            for c in ("principal", "interest", "fee")
        ],
        pl.int_range(1, pl.len() + 1).alias("inst_id"),
    )
    return product, lines, plans, inst


def _dayend_state(lines, inst, product_frames):
    """Day-end state consistent with the seeded portfolio, closed through the day before TYPICAL_ON."""
    import polars as pl

    _, buckets = product_frames  # one product here: its buckets are all the state needs
    prior = TYPICAL_ON - timedelta(days=1)
    overdue = inst.filter((pl.col("status") == "billed") & (pl.col("due_on") + pl.duration(days=3) < prior))
    oldest = overdue.group_by("id").agg(pl.col("due_on").min().alias("oldest"))
    nxt_due = inst.filter(pl.col("due_on") >= TYPICAL_ON).group_by("id").agg(pl.col("due_on").min().alias("next_due"))
    st = (
        lines.join(oldest, on="id", how="left")
        .join(nxt_due, on="id", how="left")
        .with_columns(
            pl.when(pl.col("oldest").is_null())
            .then(0)
            .otherwise((pl.lit(prior) - pl.col("oldest")).dt.total_days())
            .cast(pl.Int32)
            .alias("dpd"),
            pl.when(pl.col("cycle_day") >= TYPICAL_ON.day)
            .then(pl.date(TYPICAL_ON.year, TYPICAL_ON.month, pl.col("cycle_day")))
            .otherwise(pl.date(TYPICAL_ON.year, TYPICAL_ON.month + 1, pl.col("cycle_day")))
            .alias("next_cycle"),
        )
    )
    b = buckets.filter(pl.col("product_code") == buckets.get_column("product_code")[0])
    st = st.join(b, how="cross").filter((pl.col("dpd") >= pl.col("dpd_min")) & (pl.col("dpd") <= pl.col("dpd_max")))
    st = st.with_columns(
        pl.when(pl.col("oldest").is_not_null())
        .then(pl.col("oldest") + pl.duration(days=pl.col("dpd_max") + 1))
        .alias("next_bucket")
    ).with_columns(pl.min_horizontal("next_due", "next_cycle", "next_bucket").alias("next_event_on"))
    principal = inst.group_by("id").agg(
        (pl.col("principal_due_minor") - pl.col("principal_paid_minor")).sum().alias("p")
    )
    st = st.join(principal, on="id", how="left")
    account = st.select(
        pl.col("id").alias("account_id"),
        pl.col("cycle_day"),
        pl.lit(prior).alias("last_closed_on"),
        "next_event_on",
        "bucket",
        pl.col("oldest").alias("oldest_overdue_on"),
        "dpd",
        pl.lit(False).alias("charged_off"),
        pl.lit(0).alias("revolving_principal_minor"),
        pl.lit(0).alias("accrual_remainder"),
        pl.lit(0).alias("interest_unbilled_minor"),
        pl.lit(prior).alias("accrued_through_on"),
        (pl.col("p") * 150).alias("principal_days_minor"),
        (pl.col("p") // 20).alias("cost_charged_minor"),
    )
    flags = inst.filter(pl.col("status") == "billed").select(
        pl.col("inst_id").alias("installment_id"),
        pl.col("id").alias("account_id"),
        pl.lit(True).alias("billed"),
        (pl.col("due_on") + pl.duration(days=3) < prior).alias("overdue"),
        pl.lit(0).alias("late_fee_minor"),
        pl.lit(0).alias("dpd"),
    )
    return account, flags


def _copy_in(conn, table: str, frame) -> None:
    """COPY a Polars frame into `table` (PostgreSQL), CSV through memory."""
    import io

    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False, null_value="\\N")
    buf.seek(0)
    cols = ", ".join(frame.columns)
    with conn.cursor() as cur, cur.copy(f"COPY {table} ({cols}) FROM STDIN WITH (FORMAT csv, NULL '\\N')") as cp:
        while chunk := buf.read(1 << 20):
            cp.write(chunk)


def _insert_sqlite(conn, table: str, frame) -> None:
    cols = frame.columns
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' for _ in cols)})"  # nosec B608
    import polars as pl

    conv = frame.with_columns([pl.col(c).cast(pl.String) for c in cols if frame.schema[c] == pl.Date])
    conn.executemany(sql, conv.rows())


def seed(app, n: int) -> None:
    """Bulk-seed the portfolio into a migrated, empty database."""
    import polars as pl

    product = _product()
    with app.uow_factory() as uow:
        stored = register_product(uow, product=product)
        uow.commit()
    product, lines, plans, inst = _portfolio(n, stored.id)
    from dataclasses import replace

    account, flags = _dayend_state(lines, inst, product_frames([replace(product, code=str(stored.id))]))
    now = datetime.now(UTC).isoformat()
    tables = {
        "borrowers": lines.select(
            "id",
            (pl.lit("b:") + pl.col("id").cast(pl.String)).alias("name_ct"),
            pl.lit("cn_ric").alias("id_kind"),
            (pl.lit("b:") + pl.col("id").cast(pl.String)).alias("id_number_ct"),
            pl.col("id").cast(pl.String).str.zfill(64).alias("id_number_bidx"),
            pl.lit("310000").alias("postal_region"),
            pl.lit("zh").alias("language"),
            pl.lit("Asia/Shanghai").alias("time_zones"),
            pl.lit(now).alias("created_at"),
        ),
        "credit_lines": lines.select(
            "id",
            pl.col("id").alias("borrower_id"),
            pl.lit(stored.id).alias("product_id"),
            pl.lit("CNY").alias("currency"),
            pl.lit(5_000_000).alias("limit_minor"),
            "cycle_day",
            pl.lit("active").alias("status"),
            pl.lit(OPENED_ON).alias("opened_on"),
            (pl.lit("open-") + pl.col("id").cast(pl.String)).alias("open_key"),
            pl.lit(now).alias("created_at"),
        ),
        "installment_plans": plans.select(
            pl.col("plan_id").alias("id"),
            pl.col("id").alias("credit_line_id"),
            pl.col("plan_id").alias("purchase_id"),
            pl.lit("annuity").alias("kind"),
            pl.lit(12).alias("periods"),
            pl.lit("0.0125").alias("rate"),
            pl.lit(100_000).alias("principal_minor"),
            pl.lit("CNY").alias("currency"),
            pl.lit(OPENED_ON).alias("start_on"),
            pl.lit(OPENED_ON).alias("first_due_on"),
            pl.lit("active").alias("status"),
            pl.lit(now).alias("created_at"),
        ),
        "installments": inst.select(
            pl.col("inst_id").alias("id"),
            "plan_id",
            pl.col("id").alias("credit_line_id"),
            "seq",
            "period_start_on",
            "statement_on",
            "due_on",
            pl.lit("CNY").alias("currency"),
            "principal_due_minor",
            "interest_due_minor",
            "fee_due_minor",
            "principal_paid_minor",
            "interest_paid_minor",
            "fee_paid_minor",
            "status",
        ),
        "dayend_account": account.with_columns(pl.lit(stored.id).alias("product_id"), pl.lit("CNY").alias("currency")),
        "dayend_installment": flags,
    }
    # The servicing chart of accounts (what open_account creates): 4 per line, then the book accounts.
    parts = pl.DataFrame(
        {
            "k": [0, 1, 2, 3],
            "part": ["principal", "interest", "fees", "credit"],
            "kind": ["asset", "asset", "asset", "liability"],
        }
    )
    ledger_accounts = (
        lines.select("id")
        .join(parts, how="cross")
        .select(
            ((pl.col("id") - 1) * 4 + pl.col("k") + 1).alias("id"),
            (pl.lit("cl:") + pl.col("id").cast(pl.String) + pl.lit(":") + pl.col("part")).alias("code"),
            "kind",
            pl.lit("CNY").alias("currency"),
            (pl.lit("credit_line:") + pl.col("id").cast(pl.String)).alias("owner"),
            pl.lit(now).alias("created_at"),
        )
    )
    books = pl.DataFrame(
        {
            "code": ["book:CNY:cash", "book:CNY:interest_income", "book:CNY:fee_income"],
            "kind": ["asset", "income", "income"],
        }
    )
    books = books.select(
        (pl.int_range(0, 3) + 4 * lines.height + 1).cast(pl.Int64).alias("id"),
        "code",
        "kind",
        pl.lit("CNY").alias("currency"),
        pl.lit(None, dtype=pl.String).alias("owner"),
        pl.lit(now).alias("created_at"),
    )
    ledger_accounts = pl.concat([ledger_accounts.with_columns(pl.col("id").cast(pl.Int64)), books])
    tables["ledger_account"] = ledger_accounts
    tables["ledger_balance"] = ledger_accounts.select(
        pl.col("id").alias("account_id"), "currency", pl.lit(0).alias("balance_minor"), pl.lit(0).alias("posting_count")
    )
    closed = pl.DataFrame(
        {
            "business_on": [TYPICAL_ON - timedelta(days=1)],
            "closed_at": [now],
            "partitions": [0],
            "accounts_touched": [0],
            "entries": [0],
            "events": [0],
        }
    )
    tables["dayend_business_date"] = closed
    raw = app.engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        if app.engine.dialect.name == "postgresql":
            with dbapi.cursor() as cur:
                cur.execute("SET session_replication_role = replica")  # no FK checks while seeding
            for table, frame in tables.items():
                _copy_in(dbapi, table, frame)
            with dbapi.cursor() as cur:
                for table in ("borrowers", "credit_lines", "installment_plans", "installments", "ledger_account"):
                    cur.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # nosec B608
                    )
                cur.execute("SET session_replication_role = origin")
                cur.execute("ANALYZE")
            dbapi.commit()
        else:
            dbapi.execute("PRAGMA foreign_keys=OFF")
            dbapi.execute("BEGIN")
            for table, frame in tables.items():
                _insert_sqlite(dbapi, table, frame)
            dbapi.execute("COMMIT")
            dbapi.execute("PRAGMA foreign_keys=ON")
            dbapi.execute("ANALYZE")
    finally:
        raw.close()


def _seed_child(database_url: str, accounts: int) -> None:
    app = bootstrap(database_url=database_url, cipher=FieldCipher(Keyring.generate("bench")))
    try:
        seed(app, accounts)
    finally:
        app.dispose()


def io_floor(app, business_on: date) -> float:
    """Seconds to bulk-read the touched state and bulk-write as many result rows, on this database."""
    pg = app.engine.dialect.name == "postgresql"
    accounts_sql = "SELECT * FROM dayend_account WHERE account_id > 0"
    inst_sql = (
        "SELECT i.* FROM installments i JOIN dayend_account a ON a.account_id = i.credit_line_id "
        "WHERE i.status IN ('scheduled','billed')"
    )
    raw = app.engine.raw_connection()
    try:
        dbapi = raw.driver_connection
        start = time.perf_counter()
        if pg:
            import io

            bufs = []
            with dbapi.cursor() as cur:
                for sql in (accounts_sql, inst_sql):
                    buf = io.BytesIO()
                    with cur.copy(f"COPY ({sql}) TO STDOUT") as cp:
                        for block in cp:
                            buf.write(block)
                    bufs.append(buf)
                cur.execute("CREATE TEMP TABLE floor_acc (LIKE dayend_account)")
                cur.execute("CREATE TEMP TABLE floor_inst (LIKE installments)")
                for table, buf in zip(("floor_acc", "floor_inst"), bufs, strict=True):
                    buf.seek(0)
                    with cur.copy(f"COPY {table} FROM STDIN") as cp:
                        while chunk := buf.read(1 << 20):
                            cp.write(chunk)
            elapsed = time.perf_counter() - start
            dbapi.rollback()
        else:
            dbapi.execute("BEGIN")
            acc = dbapi.execute(accounts_sql).fetchall()
            inst = dbapi.execute(inst_sql).fetchall()
            dbapi.execute("CREATE TEMP TABLE floor_acc AS SELECT * FROM dayend_account WHERE 0")
            dbapi.execute("CREATE TEMP TABLE floor_inst AS SELECT * FROM installments WHERE 0")
            if acc:
                dbapi.executemany(f"INSERT INTO floor_acc VALUES ({', '.join('?' * len(acc[0]))})", acc)  # nosec B608
            if inst:
                dbapi.executemany(f"INSERT INTO floor_inst VALUES ({', '.join('?' * len(inst[0]))})", inst)  # nosec B608
            elapsed = time.perf_counter() - start
            dbapi.execute("ROLLBACK")
        return elapsed
    finally:
        raw.close()


def bench_cmd(
    accounts: int = typer.Option(10_000, "--accounts", min=1, help="Credit lines in the seeded portfolio."),
    database_url: str = typer.Option(
        None, "--database-url", help="An EMPTY database it may fill (default: a temporary SQLite file)."
    ),
    partition_span: int = typer.Option(50_000, "--partition-span", min=1),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object with the issue's keys."),
) -> None:
    """Seed a realistic portfolio, time a typical day and a month-end, and the I/O floor beside them."""
    import sqlalchemy as sa

    tmp = None
    if database_url is None:
        tmp = tempfile.mkdtemp(prefix="fairdue-bench-dayend-")
        database_url = f"sqlite:///{tmp}/bench.db"
    app = bootstrap(database_url=database_url, cipher=FieldCipher(Keyring.generate("bench")))
    out = (lambda *a: print(*a, file=__import__("sys").stderr)) if as_json else print
    try:
        app.migrate()
        with app.engine.connect() as conn:
            if conn.execute(sa.text("SELECT count(*) FROM credit_lines")).scalar_one():
                raise typer.BadParameter("the database is not empty; give an empty one (the bench fills it)")
        t0 = time.perf_counter()
        # Seed in a child process so the peak RSS reported is the day-end's, not the seeder's frames.
        import multiprocessing

        child = multiprocessing.get_context("spawn").Process(target=_seed_child, args=(database_url, accounts))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"seeding failed (exit {child.exitcode})")
        out(f"seeded {accounts} accounts in {time.perf_counter() - t0:.1f} s")
        typical = run_day_end(app.uow_factory, business_on=TYPICAL_ON, partition_span=partition_span)
        out(
            f"typical day {TYPICAL_ON}: {typical.accounts_touched} accounts touched, {typical.seconds:.2f} s "
            f"(kernel {typical.kernel_seconds:.2f} s, servicing statements {typical.statements_seconds:.2f} s)"
        )
        with app.engine.begin() as conn:
            day = TYPICAL_ON + timedelta(days=1)
            while day < MONTH_END_ON:
                conn.execute(
                    sa.text("INSERT INTO dayend_business_date VALUES (:d, :t, 0, 0, 0, 0)"),
                    {"d": day, "t": datetime.now(UTC)},
                )
                day += timedelta(days=1)
            # Lines in good standing paid what fell due in between (the dates skipped here).
            conn.execute(
                sa.text(
                    "UPDATE installments SET principal_paid_minor = principal_due_minor, interest_paid_minor = "
                    "interest_due_minor, fee_paid_minor = fee_due_minor, status = 'paid' WHERE due_on < :d AND "
                    "status <> 'paid' AND credit_line_id IN (SELECT account_id FROM dayend_account WHERE "
                    "oldest_overdue_on IS NULL)"
                ),
                {"d": MONTH_END_ON},
            )
            conn.execute(
                sa.text("UPDATE dayend_account SET next_event_on = :d, last_closed_on = :p WHERE charged_off = :f"),
                {"d": MONTH_END_ON, "p": MONTH_END_ON - timedelta(days=1), "f": False},
            )
        floor_s = io_floor(app, MONTH_END_ON)
        month_end = run_day_end(app.uow_factory, business_on=MONTH_END_ON, partition_span=partition_span)
        out(
            f"month-end {MONTH_END_ON}: {month_end.accounts_touched} accounts touched, {month_end.seconds:.2f} s "
            f"(kernel {month_end.kernel_seconds:.2f} s, servicing statements {month_end.statements_seconds:.2f} s)"
        )
        result = {
            "accounts": accounts,
            "database": app.engine.dialect.name,
            "typical_day_s": round(typical.seconds, 3),
            "month_end_s": round(month_end.seconds, 3),
            "io_floor_s": round(floor_s, 3),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
        }
    finally:
        app.dispose()
        if tmp:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    if as_json:
        print(json.dumps(result))
        return
    ratio = result["month_end_s"] / result["io_floor_s"] if result["io_floor_s"] else float("nan")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"typical day: {result['typical_day_s']:.2f} s, {typical.accounts_touched / max(result['typical_day_s'], 1e-9):,.0f} "
        f"touched accounts/s ({accounts / max(result['typical_day_s'], 1e-9):,.0f} portfolio accounts/s)"
    )
    print(
        f"month-end:   {result['month_end_s']:.2f} s, {month_end.accounts_touched / max(result['month_end_s'], 1e-9):,.0f} accounts/s"
    )
    print(f"I/O floor:   {result['io_floor_s']:.2f} s (month-end is {ratio:.1f}× the floor)")
    print(f"peak RSS:    {result['peak_rss_mb']:.0f} MB")
