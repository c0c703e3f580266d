"""`fairdue ledger verify`: recompute every balance from postings and name any drift.

Exit 0 when every stored balance equals the sum of its postings, every entry
balances per currency and the trial balance is zero; exit 1 otherwise, after
naming each drifting account and each unbalanced entry.
"""

from __future__ import annotations

import typer

ledger_app = typer.Typer(help="The double-entry ledger.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ledger_app, name="ledger")


@ledger_app.command("verify")
def verify_cmd(
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL; default FAIRDUE_DATABASE_URL or sqlite:///fairdue.db"
    ),
) -> None:
    """Recompute balances from postings, re-check every entry; non-zero exit naming what drifted."""
    from rich.console import Console

    from fairdue.bootstrap import bootstrap
    from fairdue.service.ledger.journal import verify

    out = Console(highlight=False, soft_wrap=True)
    app = bootstrap(database_url=database_url, keys=False)
    try:
        app.check_schema()
        with app.uow_factory() as uow:
            report = verify(uow)
    finally:
        app.dispose()
    for drift in report.drifts:
        out.print(f"DRIFT {drift}")
    for bad in report.imbalances:
        out.print(f"UNBALANCED {bad}")
    for currency, total in sorted(report.trial_balance.items()):
        if total:
            out.print(f"TRIAL BALANCE {currency} off by {total:+d} minor units")
    summary = f"{report.accounts_checked} accounts, {report.entries_checked} entries checked"
    if report.ok:
        out.print(f"ledger OK: {summary}")
        return
    out.print(
        f"ledger NOT OK: {len(report.drifts)} drifting account(s), "
        f"{len(report.imbalances)} unbalanced entr(y/ies); {summary}"
    )
    raise typer.Exit(code=1)
