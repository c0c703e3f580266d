"""`fairdue demo [--no-serve] [--port N]`: seed a fresh demo lender and portfolio, close its business day and run
collections once, print the logins, run the collections simulation, then serve the console and portal.

In order, so a newcomer sees what happens and can log in as soon as possible:
1. with serving, the port is checked first: a busy port stops the command at once, naming the port and --port;
2. seeding (a progress bar with accounts and time left), then the summary tables;
3. the demo staff and a team of agents, day-end through the day before the demo date and one collections run at
   10:00 Shanghai on the demo date (day-end's progress per business date): the console's queue, cases and call
   tasks are populated; the logins, the URL and the commands to explore the database are printed here;
4. the collections simulation (var/demo/simulation.db, --sim-accounts / --sim-days; a progress bar per day);
5. the web server, on http://127.0.0.1:PORT (demo clock, dev switch for plain HTTP; docs/security-transport.md).

The database is --database-url, else FAIRDUE_DATABASE_URL, else sqlite:///fairdue.db: the default of every other
command, so `fairdue ledger verify` and `fairdue account show 1` explore the demo as written. The demo recreates
it only when it holds nothing but demo accounts (fairdue.devtools.demo). It must be SQLite: the demo writes
development keys and made-up borrowers, which never go near a server database (PostgreSQL is refused).
Progress bars show on a terminal only; without one (scripts, tests) each phase prints one line, and --quiet
leaves only the summaries.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import socket
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import typer

DEMO_SQLITE_ONLY = (
    "the demo seeds made-up borrowers with development keys: it runs on SQLite only "
    "(unset FAIRDUE_DATABASE_URL, or pass --database-url sqlite:///PATH)"
)
DEMO_HOST = "127.0.0.1"
DEMO_PORT_DEFAULT = 8000
PORT_BUSY_EXIT = 2
PORT_SUGGESTIONS_MAX = 20  # ports after the busy one tried for a free one to suggest
RUN_HOUR_UTC = 2  # the demo's collections run: 10:00 in Asia/Shanghai on the demo date (the web clock's start)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo_cmd)


def demo_cmd(
    no_serve: bool = typer.Option(False, "--no-serve", help="stop after the summary (for scripts)"),
    accounts: int = typer.Option(200, "--accounts", help="how many demo accounts to seed"),
    seed: int = typer.Option(20260101, "--seed", help="random seed (the same seed seeds the same portfolio)"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="default FAIRDUE_DATABASE_URL or sqlite:///fairdue.db (what other commands use)"
    ),
    sim_accounts: int = typer.Option(
        2500, "--sim-accounts", min=0, help="lines in the collections simulation run after seeding (0: no simulation)"
    ),
    sim_days: int = typer.Option(90, "--sim-days", min=1, help="days the simulation runs"),
    port: int = typer.Option(DEMO_PORT_DEFAULT, "--port", min=1, max=65535, help="port to serve on (127.0.0.1)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bars or phase lines, only the summaries"),
) -> None:
    """Seed the demo lender and portfolio on a fresh database, close its business day and run collections, print
    the logins, run the collections simulation on its own SQLite file, then serve the console and portal."""
    if not no_serve:
        exit_if_port_busy(DEMO_HOST, port)  # first: a busy port is known at once, before any import or work
    from rich.console import Console

    from fairdue.config import ConfigurationRefused, is_sqlite
    from fairdue.devtools.demo import demo_database_url

    url = database_url or demo_database_url(dict(os.environ))
    if not is_sqlite(url):
        typer.echo(str(ConfigurationRefused(DEMO_SQLITE_ONLY)), err=True)
        raise typer.Exit(code=2)
    con = Console(highlight=False, soft_wrap=True)  # URLs and commands stay on one line, to copy
    summary = _seed(con, url, accounts=accounts, seed=seed, quiet=quiet)
    print_summary(summary)
    if not summary.ledger_ok or summary.reconcile_problems:
        raise typer.Exit(code=1)
    app, core, logins, day = _business_day(con, url, as_of=summary.as_of, quiet=quiet)
    print_day(con, day)
    base = f"http://{DEMO_HOST}:{port}"
    print_logins(con, logins, base=base, serving=not no_serve, simulation=bool(sim_accounts))
    print_explore(con, url, given=database_url is not None and database_url != os.environ.get("FAIRDUE_DATABASE_URL"))
    try:
        if sim_accounts:
            _simulate(con, url, accounts=sim_accounts, days=sim_days, quiet=quiet)
        if not no_serve:
            _serve(con, app, port=port, as_of=summary.as_of, base=base)
    finally:
        core.dispose()


# --- the port --------------------------------------------------------------------------------------


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on (host, port) now: bound with SO_REUSEADDR, as uvicorn binds."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def port_busy_message(host: str, port: int) -> str | None:
    """None when the port is free, else a zh/en message naming the port and --port (with a free port to try)."""
    if port_is_free(host, port):
        return None
    free = next(
        (p for p in range(port + 1, min(port + PORT_SUGGESTIONS_MAX, 65535) + 1) if port_is_free(host, p)), None
    )
    prog = (
        "fairdue" if shutil.which("fairdue") or not pathlib.Path(".venv/bin/fairdue").exists() else ".venv/bin/fairdue"
    )
    example = f"{prog} demo --port {free}" if free else f"{prog} demo --port PORT"
    return (
        f"port {port} on {host} is already in use (another server, or an earlier demo still running): "
        f"stop it, or choose another port with --port, e.g. `{example}`\n"
        f"端口 {port}（{host}）已被占用（另一个服务或之前的演示仍在运行）：请先停止它，或用 --port 换一个端口，"
        f"例如 `{example}`"
    )


def exit_if_port_busy(host: str, port: int) -> None:
    """The busy-port message on stderr and exit PORT_BUSY_EXIT, before any work is done."""
    message = port_busy_message(host, port)
    if message:
        typer.echo(message, err=True)
        raise typer.Exit(code=PORT_BUSY_EXIT)


# --- the phases ------------------------------------------------------------------------------------


@contextmanager
def _bars(con: Any, quiet: bool):
    """A Rich progress display (description, bar, done/total, elapsed, time left) on a terminal; disabled
    otherwise (scripts and tests read plain lines)."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=con,
        transient=True,
        disable=quiet or not con.is_terminal,
    ) as bar:
        yield bar


def _note(con: Any, quiet: bool, text: str) -> None:
    if not quiet:
        con.print(text)


def _seed(con: Any, url: str, *, accounts: int, seed: int, quiet: bool):
    from fairdue.devtools.demo import run_demo

    _note(con, quiet, f"seeding {accounts} demo accounts on {url} ...")
    with _bars(con, quiet) as bar:
        task = bar.add_task("seeding accounts", total=accounts)
        return run_demo(
            database_url=url,
            accounts=accounts,
            seed=seed,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


def _business_day(con: Any, url: str, *, as_of: date, quiet: bool):
    """The demo web app over `url` (and its core, for the caller to dispose), its logins (staff users, demo phones),
    then the demo's business day (run_demo_day)."""
    from fairdue.devtools.demo import run_demo_day
    from fairdue.web.demo import demo_app, prepare

    app, core, cipher = demo_app(url, as_of=as_of)
    logins = prepare(core, cipher)
    app.state.demo_phones = {b["phone"] for b in logins["borrowers"]}
    business_on = as_of - timedelta(days=1)
    run_at = datetime.combine(as_of, time(RUN_HOUR_UTC), tzinfo=UTC)
    _note(con, quiet, f"day-end through {business_on}, then collections once at {run_at:%Y-%m-%d %H:%M} UTC ...")
    with _bars(con, quiet) as bar:
        task = bar.add_task("day-end: business dates", total=None)
        first: list[date] = []

        def progress(day: date, done: int, total: int) -> None:
            first[:] = first or [day]
            bar.update(task, completed=(day - first[0]).days + (done >= total), total=(business_on - first[0]).days + 1)

        day = run_demo_day(core.uow_factory, business_on=business_on, run_at=run_at, cipher=cipher, progress=progress)
    return app, core, logins, day


def _simulate(con: Any, url: str, *, accounts: int, days: int, quiet: bool) -> None:
    from fairdue.cli.collections import print_report
    from fairdue.devtools.demo import run_demo_simulation

    _note(con, quiet, f"running the collections simulation: {accounts} lines, {days} days ...")
    with _bars(con, quiet) as bar:
        tasks = {
            "seed": bar.add_task("simulation: seeding lines", total=accounts),
            "days": bar.add_task("simulation: days", total=days, start=False),  # its clock starts with day 1
        }

        def progress(phase: str, done: int, total: int) -> None:
            if phase == "days" and done == 1:
                bar.start_task(tasks["days"])
            bar.update(tasks[phase], completed=done, total=total)

        report = run_demo_simulation(demo_url=url, accounts=accounts, days=days, progress=progress)
    print_report(report)


def _serve(con: Any, app: Any, *, port: int, as_of: date, base: str) -> None:
    import uvicorn

    exit_if_port_busy(DEMO_HOST, port)  # again: the simulation took minutes
    app.state.web.check_listen_host(DEMO_HOST)
    con.print(f"\nfairdue is serving on {base}  (Ctrl-C to stop; the web clock starts at {as_of} 10:00 Asia/Shanghai)")
    uvicorn.run(app, host=DEMO_HOST, port=port, log_level="warning")


# --- printing --------------------------------------------------------------------------------------


def print_day(con: Any, day: Any) -> None:
    """What the demo's business day left for the console."""
    c = day.report.collections
    con.print(
        f"day-end closed {len(day.report.dayend.dates_closed)} business date(s) through {day.business_on}; "
        f"collections at {day.run_at:%Y-%m-%d %H:%M} UTC: events {c.events}, sent {c.sent}, denied {c.denied}, "
        f"rescheduled {c.rescheduled}, call tasks {c.tasks}, reminders planned {c.reminders_planned}"
    )
    con.print(
        f"console: {day.queue_lines} delinquent line(s) in the queue (as of {day.business_on}), "
        f"{day.cases_open} open case(s), worked by {', '.join(day.agents) or 'no team'}"
    )


def print_logins(con: Any, logins: dict, *, base: str, serving: bool, simulation: bool) -> None:
    """The demo logins and URLs; with serving, when the server starts."""
    if serving:
        when = "after the simulation below (its progress bar shows the time left)" if simulation else "next"
        con.print(f"\nlogins (the server starts on {base} {when}):")
    else:
        con.print(f"\nlogins (--no-serve: nothing is served; `fairdue demo` serves them on {base}):")
    con.print(f"  staff console   {base}/console/login   password for every demo user: {logins['password']}")
    for username, roles in logins["staff"]:
        con.print(f"    {username:<11} role {roles}")
    con.print(
        "    (supervisor, compliance and admin set up a second factor at first login: any TOTP authenticator app)"
    )
    con.print(f"  borrower portal {base}/portal/login   log in with a phone; the code arrives on {base}/demo/phone")
    for b in logins["borrowers"]:
        con.print(f"    {b['phone']}   (borrower #{b['borrower_id']}, account #{b['line_id']})")
    con.print(f"  API             {base}/api/v1/docs   (OpenAPI: {base}/api/v1/openapi.json)")


def explore_commands(url: str, *, given: bool) -> list[str]:
    """CLI commands that read the demo database: as the README writes them, plus --database-url when the demo was
    pointed at a database the other commands would not find by themselves."""
    suffix = f" --database-url {url}" if given else ""
    return [
        f"fairdue ledger verify{suffix}",
        f"fairdue account show 1{suffix}",
        f"fairdue borrower show 1{suffix}",
        f"fairdue audit verify{suffix}",
    ]


def print_explore(con: Any, url: str, *, given: bool) -> None:
    con.print("explore the demo database from the command line:")
    for command in explore_commands(url, given=given):
        con.print(f"  {command}")


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
