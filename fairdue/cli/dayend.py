"""`fairdue day-end [--date YYYY-MM-DD]`: close one business date, or catch up every unclosed one.

Without --date it closes every date not yet closed through yesterday (UTC
calendar date of the clock, or --through). A Rich progress bar shows
partitions as they commit; a summary follows (accounts touched, postings,
fees, capped fees, bucket moves, seconds). `--json` prints the summary as one
JSON object instead.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import typer

from fairdue.errors import FairdueError


class BadDate(FairdueError):
    """A date option that is not YYYY-MM-DD."""


def parse_date(value: str | None, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadDate(f"{what} must be a date as YYYY-MM-DD, got {value!r}") from None


LOG_NOT_VERIFIED_EXIT = (
    3  # the day's work is committed, but the decision log failed verification: a scheduler must see it
)


def report_checkpoint(result) -> None:
    """One line on stderr about the decision-log checkpoint a day-end run signs at its end (issue 16 items 5/6):
    signed, or why not (a failed verification is loud; the day-end's own work stays committed)."""
    if result is None:
        return
    if result.ok:
        typer.echo(f"decision log: {result.message}", err=True)
    else:
        typer.echo(f"decision log NOT signed, verification failed: {result.message}", err=True)


def exit_if_log_failed(result) -> None:
    """After the summary is printed: a failed verification ends the command with LOG_NOT_VERIFIED_EXIT, so cron or
    a CI job does not read a rewritten log as a good night."""
    if result is not None and not result.ok:
        raise typer.Exit(LOG_NOT_VERIFIED_EXIT)


def register(app: typer.Typer) -> None:
    app.command("day-end")(day_end_cmd)


def day_end_cmd(
    business_date: str | None = typer.Option(None, "--date", help="Business date to close (YYYY-MM-DD)."),
    through: str | None = typer.Option(
        None, "--through", help="Without --date: catch up through this date (default: yesterday)."
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL; default FAIRDUE_DATABASE_URL or sqlite:///fairdue.db"
    ),
    partition_span: int = typer.Option(50_000, "--partition-span", min=1, help="Accounts per partition (id range)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as one JSON object."),
) -> None:
    """Close business dates: billing, overdue, late fees within caps, DPD buckets, charge-off, events."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from fairdue.bootstrap import bootstrap
    from fairdue.service.dayend.runner import run_day_end
    from fairdue.service.jobs import checkpoint_log

    on = parse_date(business_date, "--date")
    through_on = parse_date(through, "--through")
    app = bootstrap(database_url=database_url, keys=False)
    if on is None and through_on is None:
        through_on = app.clock().date() - timedelta(days=1)
    out = Console(highlight=False, soft_wrap=True, stderr=as_json)
    try:
        app.check_schema()
        with Progress(
            TextColumn("day-end {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=out,
            transient=True,
            disable=as_json,
        ) as bar:
            tasks: dict[date, TaskID] = {}

            def progress(day: date, done: int, total: int) -> None:
                if day not in tasks:
                    tasks[day] = bar.add_task(day.isoformat(), total=max(total, 1))
                bar.update(tasks[day], completed=done, total=max(total, 1))

            summary = run_day_end(
                app.uow_factory, business_on=on, through_on=through_on, partition_span=partition_span, progress=progress
            )
        signed = checkpoint_log(app.uow_factory)
    finally:
        app.dispose()
    report_checkpoint(signed)
    if as_json:
        print(json.dumps(summary.as_dict()))
    else:
        closed = ", ".join(d.isoformat() for d in summary.dates_closed) or "none"
        skipped = ", ".join(d.isoformat() for d in summary.dates_skipped)
        out.print(f"closed: {closed}" + (f" (already closed: {skipped})" if skipped else ""))
        out.print(
            f"accounts touched {summary.accounts_touched}, postings {summary.postings}, fees {summary.fees}, "
            f"capped fees {summary.fees_capped}, bucket moves {summary.bucket_moves}, "
            f"charged off {summary.charged_off}, events {summary.events}, {summary.seconds:.2f} s"
        )
    exit_if_log_failed(signed)
