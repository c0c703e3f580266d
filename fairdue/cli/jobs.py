"""`fairdue daily [--date YYYY-MM-DD] [--at ISO-INSTANT]`: the business day's run, for a scheduler.

Day-end closes the date (and any unclosed date before it), then the first collections run of the day: day-end's
events become cases, promises due by the date settle, negotiated plans are checked, due steps go through the
gate and reminders are planned (fairdue.service.jobs.run_daily). Without --date: yesterday by the UTC clock;
without --at: now. `--json` prints both summaries as one JSON object.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import timedelta

import typer

from fairdue.cli.dayend import exit_if_log_failed, parse_date, report_checkpoint


def register(app: typer.Typer) -> None:
    app.command("daily")(daily_cmd)


def daily_cmd(
    business_date: str | None = typer.Option(None, "--date", help="Business date to run (YYYY-MM-DD)."),
    at: str | None = typer.Option(None, "--at", help="The run's instant, ISO 8601 with an offset (default: now)."),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL; default FAIRDUE_DATABASE_URL or sqlite:///fairdue.db"
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summaries as one JSON object."),
) -> None:
    """Close the business date, then run collections once (promises, plans, due steps, reminders)."""
    from fairdue.bootstrap import bootstrap
    from fairdue.domain.instants import parse_utc
    from fairdue.service.jobs import checkpoint_log, run_daily

    on = parse_date(business_date, "--date")
    now_at = parse_utc(at) if at is not None else None
    app = bootstrap(database_url=database_url)
    try:
        app.check_schema()
        now_at = now_at or app.clock()
        on = on or now_at.date() - timedelta(days=1)
        report = run_daily(
            app.uow_factory,
            business_on=on,
            now_at=now_at,
            cipher=app.cipher,
        )
        signed = checkpoint_log(app.uow_factory)
    finally:
        app.dispose()
    report_checkpoint(signed)
    if as_json:
        print(json.dumps({"day_end": report.dayend.as_dict(), "collections": asdict(report.collections)}))
    else:
        c = report.collections
        typer.echo(f"day-end closed: {', '.join(d.isoformat() for d in report.dayend.dates_closed) or 'none'}")
        typer.echo(
            f"collections: events {c.events}, sent {c.sent}, denied {c.denied}, rescheduled {c.rescheduled}, "
            f"tasks {c.tasks}, paused {c.paused}, promises kept {c.promises_kept} / broken {c.promises_broken}, "
            f"plans broken {c.plans_broken}, reminders planned {c.reminders_planned}"
        )
    exit_if_log_failed(signed)
