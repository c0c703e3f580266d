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
    finally:
        app.dispose()
    if as_json:
        print(json.dumps(summary.as_dict()))
        return
    closed = ", ".join(d.isoformat() for d in summary.dates_closed) or "none"
    skipped = ", ".join(d.isoformat() for d in summary.dates_skipped)
    out.print(f"closed: {closed}" + (f" (already closed: {skipped})" if skipped else ""))
    out.print(
        f"accounts touched {summary.accounts_touched}, postings {summary.postings}, fees {summary.fees}, "
        f"capped fees {summary.fees_capped}, bucket moves {summary.bucket_moves}, charged off {summary.charged_off}, "
        f"events {summary.events}, {summary.seconds:.2f} s"
    )
