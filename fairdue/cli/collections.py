"""`fairdue simulate --accounts N --days D`: day-end + collections over a synthetic portfolio; prints outcomes per variant.

`fairdue collections run [--on YYYY-MM-DD] [--at ISO-INSTANT] [--json]`: the collections engine once
(fairdue.service.jobs.run_engine: day-end's events become cases, promises due by the date settle, negotiated plans
are checked, due steps go through the gate, reminders are planned and judged) for the last closed business date,
or --on, which must be closed. Every step of that is idempotent, so a second run the same day only takes steps
that fell due since. `fairdue daily` is day-end and this run together.
"""

from __future__ import annotations

import json
import pathlib
from dataclasses import asdict

import typer

from fairdue.errors import FairdueError

collections_app = typer.Typer(help="The collections engine: cases, strategy steps, reminders.", no_args_is_help=True)


class BusinessDateNotClosed(FairdueError):
    """Collections acts on what day-end left for a business date: the date must be closed first."""


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)
    app.add_typer(collections_app, name="collections")


def closed_business_date(last_closed_on, on):
    """The business date to run: `on` when day-end has closed it, else the last closed one; refused
    (BusinessDateNotClosed) when nothing is closed or `on` is after the last closed date."""
    if last_closed_on is None:
        raise BusinessDateNotClosed("no business date is closed yet: run `fairdue day-end` (or `fairdue daily`) first")
    if on is not None and on > last_closed_on:
        raise BusinessDateNotClosed(
            f"business date {on} is not closed (the last closed is {last_closed_on}): run `fairdue day-end --date {on}` "
            "first, or `fairdue daily`"
        )
    return on or last_closed_on


@collections_app.command("run")
def collections_run_cmd(
    on_text: str | None = typer.Option(
        None, "--on", help="A closed business date (YYYY-MM-DD); default: the last closed business date."
    ),
    at: str | None = typer.Option(None, "--at", help="The run's instant, ISO 8601 with an offset (default: now)."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL; default FAIRDUE_DATABASE_URL or sqlite:///fairdue.db"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the run's summary as one JSON object."),
) -> None:
    """Run the collections engine once for the last closed business date (or --on)."""
    from fairdue.bootstrap import bootstrap
    from fairdue.cli.dayend import parse_date
    from fairdue.domain.instants import parse_utc
    from fairdue.service.jobs import run_engine

    on = parse_date(on_text, "--on")
    now_at = parse_utc(at) if at is not None else None
    app = bootstrap(database_url=database_url)
    try:
        app.check_schema()
        with app.uow_factory() as uow:
            business_on = closed_business_date(uow.dayend.last_closed_date(), on)
        now_at = now_at or app.clock()
        summary = run_engine(app.uow_factory, business_on=business_on, now_at=now_at, cipher=app.cipher, daily=True)
    finally:
        app.dispose()
    if as_json:
        typer.echo(json.dumps({"business_on": business_on.isoformat(), "at": now_at.isoformat(), **asdict(summary)}))
        return
    typer.echo(f"collections for business date {business_on} at {now_at.isoformat()}")
    typer.echo(
        f"events {summary.events}, sent {summary.sent}, denied {summary.denied}, rescheduled {summary.rescheduled}, "
        f"call tasks {summary.tasks}, paused {summary.paused}, skipped {summary.skipped}, promises kept "
        f"{summary.promises_kept} / broken {summary.promises_broken}, plans broken {summary.plans_broken}, "
        f"reminders planned {summary.reminders_planned}"
    )
    if summary.denial_categories:
        denials = ", ".join(f"{k} {n}" for k, n in sorted(summary.denial_categories.items()))
        typer.echo(f"gate denials by category: {denials}")


def simulate_cmd(
    accounts: int = typer.Option(200, "--accounts", min=1, help="Synthetic borrowers (one line each)."),
    days: int = typer.Option(90, "--days", min=1, help="Days to simulate from 2026-01-03."),
    seed: int = typer.Option(7, "--seed", help="Seed of the behaviour model."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="A fresh database (default: sqlite:///fairdue-simulate.db, which must not exist)."
    ),
    plot: pathlib.Path | None = typer.Option(None, "--plot", help="Write a PNG of bucket balances (money) over time."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Simulate CN/US/UK borrowers (on time, late, partial, promises, plans, disputes, silent, complaints)."""
    from fairdue.devtools.simulate import SimulationRefused, run_simulation

    url = database_url or "sqlite:///fairdue-simulate.db"
    if database_url is None and pathlib.Path("fairdue-simulate.db").exists():
        raise SimulationRefused("fairdue-simulate.db exists: remove it or pass --database-url to a fresh database")
    report = run_simulation(database_url=url, accounts=accounts, days=days, seed=seed, plot_path=plot)
    if as_json:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False))
        return
    print_report(report)


def report_json(report) -> dict:
    """The simulation report as plain JSON data."""
    return {
        "accounts": report.accounts,
        "days": report.days,
        "seconds": round(report.seconds, 2),
        "phase_seconds": report.phase_seconds,
        "products": report.products,
        "variants": {
            k: {
                "lines": v.lines,
                "cases": v.cases,
                "cured": v.cured,
                "contacts": v.contacts,
                "cure_rate": v.cure_rate,
                "contacts_per_cure": v.contacts_per_cure,
                "roll_rates": v.roll_rates,
                "denials": v.denials,
                "complaints": v.complaints,
            }
            for k, v in report.variants.items()
        },
        "roll_rates": report.roll_rates,
        "denials": report.denials,
        "rescheduled": report.rescheduled,
        "calls_made": report.calls_made,
        "calls_given_up": report.calls_given_up,
        "complaints": report.complaints,
        "behaviours": report.behaviours,
        "plot": report.plot_path,
    }


def print_report(report) -> None:
    """The outcome table per strategy variant, then portfolio lines (used by `fairdue simulate` and `fairdue demo`)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    # Narrow enough for an 80-column terminal: short headings, strategy codes without "-DEFAULT", denials below.
    table = Table(
        title=f"simulation: {report.accounts} lines, {report.days} days ({report.seconds:.1f} s)",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=0,
        pad_edge=False,
    )
    for col in ("variant", "lines", "cases", "cured", "cure", "M1>M2", "M2>M3", "cont.", "/cure", "compl."):
        table.add_column(col, no_wrap=True, justify="left" if col == "variant" else "right")
    pct = lambda x: "-" if x is None else f"{x:.0%}"  # noqa: E731
    short = lambda name: name.replace("-DEFAULT/", "/")  # noqa: E731
    for name, v in sorted(report.variants.items()):
        table.add_row(
            short(name),
            str(v.lines),
            str(v.cases),
            str(v.cured),
            pct(v.cure_rate),
            pct(v.roll_rates.get("M1->M2")),
            pct(v.roll_rates.get("M2->M3")),
            str(v.contacts),
            "-" if v.contacts_per_cure is None else f"{v.contacts_per_cure:.1f}",
            str(v.complaints),
        )
    console = Console(highlight=False)
    console.print(table)
    for name, v in sorted(report.variants.items()):
        if v.denials:
            console.print(f"gate denials {short(name)}: " + ", ".join(f"{k} {n}" for k, n in sorted(v.denials.items())))
    console.print("portfolio: " + ", ".join(f"{k} {n}" for k, n in sorted(report.products.items())))
    console.print("roll rates: " + (", ".join(f"{k} {v:.0%}" for k, v in report.roll_rates.items()) or "-"))
    console.print(
        "gate denials by category: "
        + (", ".join(f"{k} {v}" for k, v in sorted(report.denials.items())) or "none")
        + f"; steps rescheduled {report.rescheduled}"
    )
    console.print(
        f"calls made by agents: {report.calls_made}, given up after repeated denials: "
        f"{report.calls_given_up}; complaints filed: {report.complaints}"
    )
    console.print("behaviours: " + ", ".join(f"{k} {v}" for k, v in sorted(report.behaviours.items())))
    if report.plot_path:
        console.print(f"plot: {report.plot_path}")
