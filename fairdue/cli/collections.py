"""`fairdue simulate --accounts N --days D`: day-end + collections over a synthetic portfolio; prints outcomes per variant."""

from __future__ import annotations

import json
import pathlib
from typing import Optional

import typer


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate_cmd)


def simulate_cmd(
    accounts: int = typer.Option(200, "--accounts", min=1, help="Synthetic borrowers (one line each)."),
    days: int = typer.Option(90, "--days", min=1, help="Days to simulate from 2026-01-03."),
    seed: int = typer.Option(7, "--seed", help="Seed of the behaviour model."),
    database_url: Optional[str] = typer.Option(
        None, "--database-url", help="A fresh database (default: sqlite:///fairdue-simulate.db, which must not exist)."),
    plot: Optional[pathlib.Path] = typer.Option(None, "--plot", help="Write a PNG of lines per bucket over time."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Simulate borrowers (on time, late, partial, promises, plans, disputes, silent) against day-end and collections."""
    from rich.console import Console
    from rich.table import Table

    from fairdue.service.simulate import SimulationRefused, run_simulation

    url = database_url or "sqlite:///fairdue-simulate.db"
    if database_url is None and pathlib.Path("fairdue-simulate.db").exists():
        raise SimulationRefused("fairdue-simulate.db exists: remove it or pass --database-url to a fresh database")
    report = run_simulation(database_url=url, accounts=accounts, days=days, seed=seed, plot_path=plot)
    if as_json:
        typer.echo(json.dumps({
            "accounts": report.accounts, "days": report.days, "seconds": round(report.seconds, 2),
            "variants": {k: {"lines": v.lines, "cases": v.cases, "cured": v.cured, "contacts": v.contacts,
                             "cure_rate": v.cure_rate, "contacts_per_cure": v.contacts_per_cure}
                         for k, v in report.variants.items()},
            "roll_rates": report.roll_rates, "denials": report.denials, "behaviours": report.behaviours,
            "plot": report.plot_path}, ensure_ascii=False))
        return
    table = Table(title=f"{report.accounts} lines, {report.days} days ({report.seconds:.1f} s)")
    for col in ("variant", "lines", "cases", "cured", "cure rate", "contacts", "contacts/cure"):
        table.add_column(col)
    for name, v in sorted(report.variants.items()):
        table.add_row(name, str(v.lines), str(v.cases), str(v.cured),
                      "-" if v.cure_rate is None else f"{v.cure_rate:.0%}", str(v.contacts),
                      "-" if v.contacts_per_cure is None else f"{v.contacts_per_cure:.1f}")
    console = Console()
    console.print(table)
    console.print("roll rates: " + (", ".join(f"{k} {v:.0%}" for k, v in report.roll_rates.items()) or "-"))
    console.print("gate denials by category: " + (", ".join(f"{k} {v}" for k, v in sorted(report.denials.items())) or "none"))
    console.print("behaviours: " + ", ".join(f"{k} {v}" for k, v in sorted(report.behaviours.items())))
    if report.plot_path:
        console.print(f"plot: {report.plot_path}")
