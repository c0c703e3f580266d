"""`fairdue demo [--no-serve]`: seed a fresh demo lender and portfolio, print a summary, run the collections
simulation (var/demo/simulation.db, --sim-accounts / --sim-days) and print its outcome table and PNG path.

The database is FAIRDUE_DATABASE_URL when set, else var/demo/fairdue-demo.db,
recreated on every run. It must be SQLite: the demo writes development keys and
made-up borrowers, which never go near a server database (PostgreSQL is refused).
The web server it starts runs with the development switch for plain HTTP on
127.0.0.1 (no Secure cookie, no HSTS; see docs/security-transport.md). Serving the console and portal arrives with the web
issue; until then `fairdue demo` prints the summary and says so.
"""

from __future__ import annotations

import os

import typer

DEMO_SQLITE_ONLY = (
    "the demo seeds made-up borrowers with development keys: it runs on SQLite only "
    "(unset FAIRDUE_DATABASE_URL, or pass --database-url sqlite:///PATH)"
)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)


def demo_cmd(
    no_serve: bool = typer.Option(False, "--no-serve", help="stop after the summary (for scripts)"),
    accounts: int = typer.Option(200, "--accounts", help="how many demo accounts to seed"),
    seed: int = typer.Option(20260101, "--seed", help="random seed (the same seed seeds the same portfolio)"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="default FAIRDUE_DATABASE_URL or var/demo/fairdue-demo.db"
    ),
    sim_accounts: int = typer.Option(
        2500, "--sim-accounts", min=0, help="lines in the collections simulation run after seeding (0: no simulation)"
    ),
    sim_days: int = typer.Option(90, "--sim-days", min=1, help="days the simulation runs"),
) -> None:
    """Seed the demo lender and portfolio on a fresh database, print a summary, then run the collections simulation
    on its own SQLite file next to it and print its outcome table and PNG path."""
    from fairdue.config import ConfigurationRefused, is_sqlite
    from fairdue.devtools.demo import demo_database_url, run_demo, run_demo_simulation

    url = database_url or demo_database_url(dict(os.environ))
    if not is_sqlite(url):
        typer.echo(str(ConfigurationRefused(DEMO_SQLITE_ONLY)), err=True)
        raise typer.Exit(code=2)
    summary = run_demo(database_url=url, accounts=accounts, seed=seed)
    print_summary(summary)
    if not summary.ledger_ok or summary.reconcile_problems:
        raise typer.Exit(code=1)
    if sim_accounts:
        from fairdue.cli.collections import print_report

        typer.echo(f"running the collections simulation: {sim_accounts} lines, {sim_days} days ...")
        print_report(run_demo_simulation(demo_url=url, accounts=sim_accounts, days=sim_days))
    if not no_serve:
        from fairdue.web.demo import serve_demo

        serve_demo(url, as_of=summary.as_of)


def print_summary(summary) -> None:
    """The demo summary as Rich tables (narrow enough for an 80-column terminal)."""
    from rich.console import Console
    from rich.table import Table

    from fairdue.domain.money import Money

    con = Console(highlight=False)
    con.print(f"[bold]{summary.lender}[/bold]")
    con.print(f"demo portfolio as of {summary.as_of} on {summary.database_url}")
    t = Table("portfolio", "count", show_header=True)
    for label, value in (
        ("borrowers", summary.borrowers),
        ("accounts", summary.accounts),
        *((f"  {status}", n) for status, n in sorted(summary.accounts_by_status.items())),
        ("installment plans (incl. pay-in-full)", summary.plans),
        ("purchases", summary.purchases),
        ("statements", summary.statements),
        ("payments", summary.payments),
        ("early payoffs", summary.early_payoffs),
        ("refunds", summary.refunds),
        ("reversed payments", summary.reversals),
    ):
        t.add_row(label, str(value))
    con.print(t)
    for s in summary.products:
        m = lambda v, currency=s.currency: Money(v, currency).format()  # noqa: E731
        p = Table(f"{s.code} ({s.jurisdiction})", "", title=None)
        p.add_row("accounts", str(s.accounts))
        p.add_row("plans by kind", ", ".join(f"{k} {v}" for k, v in sorted(s.plans_by_kind.items())) or "-")
        p.add_row("principal outstanding", m(s.principal_minor))
        p.add_row("interest billed, unpaid", m(s.interest_minor))
        p.add_row("fees billed, unpaid", m(s.fees_minor))
        p.add_row("borrower credit", m(s.credit_minor))
        p.add_row("owed", m(s.owed_minor))
        con.print(p)
    verdict = "OK" if summary.ledger_ok else "NOT OK"
    con.print(
        f"ledger verify: {verdict} ({summary.ledger_accounts_checked} accounts, {summary.ledger_entries_checked} entries checked)"
    )
    for problem in summary.ledger_problems:
        con.print(f"  {problem}")
    rec = "OK" if not summary.reconcile_problems else f"{len(summary.reconcile_problems)} mismatch(es)"
    con.print(f"servicing records vs ledger: {rec} ({summary.accounts} accounts reconciled)")
    for problem in summary.reconcile_problems[:20]:
        con.print(f"  {problem}")
    con.print(f"seeded in {summary.seconds:.1f} s")
