"""`fairdue bench ledger`: bulk posting vs one post_entry per entry, same entries, same run.

A scratch database is made for the run and removed after: a SQLite file in a
temporary directory by default, or — with `--database-url postgresql+psycopg://…`
— a fresh database `fairdue_bench_<pid>_<hex>` on that server (created via
its `postgres` database, dropped at the end; nothing is written to the named
database). It is migrated, given `--accounts` receivable accounts plus one
income account, then:

1. bulk: `--entries` two-leg accrual entries through post_entries_bulk, one commit;
2. rerun: the same drafts again (every key skipped after its content is re-checked);
3. single: `--single` entries through post_entry, one call each, one commit — the floor;
4. verify: recompute every balance and re-check every entry.

Throughputs are entries per second; "bulk ÷ single" is the speed-up of the
batch path over posting one by one.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import tempfile
import time
from datetime import date
from pathlib import Path

import typer

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.engine import make_engine, normalize_url
from fairdue.bootstrap import bootstrap
from fairdue.domain.ledger import AccountKind, AccountSpec, EntryDraft, PostingLine
from fairdue.domain.money import Money
from fairdue.service.ledger import journal as L

BUSINESS_ON = date(2026, 1, 15)


def _scratch_url(database_url: str | None):
    """(url, cleanup) for a throwaway database on the requested engine."""
    from sqlalchemy.engine import make_url

    if database_url is None or make_url(normalize_url(database_url)).get_backend_name() == "sqlite":
        tmp = tempfile.TemporaryDirectory(prefix="fairdue-bench-")
        return f"sqlite:///{Path(tmp.name) / 'bench.db'}", tmp.cleanup
    server = make_url(normalize_url(database_url))
    name = f"fairdue_bench_{os.getpid()}_{secrets.token_hex(3)}"
    admin = make_engine(server.set(database="postgres").render_as_string(hide_password=False))
    admin = admin.execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')

    def cleanup() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), cleanup


def run(entries: int, accounts: int, single: int, database_url: str | None = None) -> dict:
    if entries < 1 or accounts < 1 or single < 1:
        raise typer.BadParameter("--entries, --accounts and --single must be ≥ 1")
    url, cleanup = _scratch_url(database_url)
    app = bootstrap(database_url=url, cipher=FieldCipher(Keyring.generate("bench")))
    try:
        app.migrate()
        start = time.perf_counter()
        with app.uow_factory() as uow:
            specs = [
                AccountSpec(f"cl:{i}:receivable_interest", AccountKind.ASSET, "CNY", f"credit_line:{i}")
                for i in range(accounts)
            ]
            made = L.ensure_accounts(uow, specs + [AccountSpec("book:interest_income:CNY", AccountKind.INCOME, "CNY")])
            uow.commit()
        accounts_s = time.perf_counter() - start
        receivable = [made[s.code].id for s in specs]
        income = made["book:interest_income:CNY"].id

        drafts = [
            EntryDraft(
                key=f"accrual:{BUSINESS_ON}:{i}",
                kind="interest_accrual",
                business_on=BUSINESS_ON,
                postings=(
                    PostingLine(receivable[i % accounts], 1 + i % 997, "CNY"),
                    PostingLine(income, -(1 + i % 997), "CNY"),
                ),
            )
            for i in range(entries)
        ]
        start = time.perf_counter()
        with app.uow_factory() as uow:
            created = L.post_entries_bulk(uow, drafts)
            uow.commit()
        bulk_s = time.perf_counter() - start

        start = time.perf_counter()
        with app.uow_factory() as uow:
            rerun = L.post_entries_bulk(uow, drafts)
            uow.commit()
        rerun_s = time.perf_counter() - start

        start = time.perf_counter()
        with app.uow_factory() as uow:
            for i in range(single):
                amount = Money(1 + i % 997, "CNY")
                L.post_entry(
                    uow,
                    key=f"single:{i}",
                    kind="interest_accrual",
                    business_on=BUSINESS_ON,
                    postings=[(receivable[i % accounts], amount), (income, -amount)],
                )
            uow.commit()
        single_s = time.perf_counter() - start

        start = time.perf_counter()
        with app.uow_factory() as uow:
            report = L.verify(uow)
        verify_s = time.perf_counter() - start
        if created.created != entries or rerun.existing != entries or not report.ok:
            raise RuntimeError(f"bench ledger is unsound: {created}, {rerun}, ok={report.ok}")
        return {
            "engine": app.engine.dialect.name,
            "accounts": accounts,
            "entries": entries,
            "ensure_accounts_s": accounts_s,
            "bulk_s": bulk_s,
            "bulk_entries_per_s": entries / bulk_s,
            "rerun_s": rerun_s,
            "single_entries": single,
            "single_s": single_s,
            "single_entries_per_s": single / single_s,
            "bulk_over_single": (entries / bulk_s) / (single / single_s),
            "verify_s": verify_s,
            "verify_entries": report.entries_checked,
            "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        }
    finally:
        app.dispose()
        cleanup()


def ledger_bench(
    entries: int = typer.Option(100_000, "--entries", help="Two-leg entries for the bulk path."),
    accounts: int = typer.Option(10_000, "--accounts", help="Receivable accounts the entries spread over."),
    single: int = typer.Option(2_000, "--single", help="Entries posted one post_entry call each (the floor)."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Engine to measure: a scratch database is made on its server (default SQLite)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Ledger posting throughput: post_entries_bulk vs one post_entry per entry, then verify."""
    r = run(entries, accounts, single, database_url)
    if as_json:
        typer.echo(json.dumps(r))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"ledger on {r['engine']} · {r['machine']}")
    for col in ("task", "count", "seconds", "per second"):
        table.add_column(col, justify="left" if col == "task" else "right")
    table.add_row(
        "ensure_accounts",
        f"{r['accounts'] + 1:,}",
        f"{r['ensure_accounts_s']:.2f}",
        f"{(r['accounts'] + 1) / r['ensure_accounts_s']:,.0f}",
    )
    table.add_row("post_entries_bulk", f"{r['entries']:,}", f"{r['bulk_s']:.2f}", f"{r['bulk_entries_per_s']:,.0f}")
    table.add_row(
        "rerun (all keys skipped)", f"{r['entries']:,}", f"{r['rerun_s']:.2f}", f"{r['entries'] / r['rerun_s']:,.0f}"
    )
    table.add_row(
        "post_entry, one call each",
        f"{r['single_entries']:,}",
        f"{r['single_s']:.2f}",
        f"{r['single_entries_per_s']:,.0f}",
    )
    table.add_row("verify", f"{r['verify_entries']:,} entries", f"{r['verify_s']:.2f}", "")
    console = Console()
    console.print(table)
    console.print(f"bulk ÷ single: {r['bulk_over_single']:.1f}×")


def register(bench_app: typer.Typer) -> None:
    bench_app.command("ledger")(ledger_bench)
