"""`fairdue borrower fact record|end|list`: facts that limit contact (attorney, bankruptcy, breathing space,
inconvenient hours), which every gate request then carries."""

from __future__ import annotations

from datetime import datetime

import typer

from fairdue.cli.products import DB_OPTION, BadInput, committed_uow, read_uow
from fairdue.domain.instants import InstantInvalid, InstantNaive, as_utc, parse_utc

fact_app = typer.Typer(
    help="Facts that limit contact: attorney, bankruptcy, breathing space, inconvenient hours.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    from fairdue.cli.accounts import borrower_app

    borrower_app.add_typer(fact_app, name="fact")


def parse_instant(text: str | None, what: str) -> datetime | None:
    """An ISO 8601 instant with a UTC offset (a bare date means 00:00 UTC), or None."""
    if text is None:
        return None
    try:
        return parse_utc(text)
    except InstantNaive:
        if len(text) == 10:
            return as_utc(datetime.fromisoformat(text))
        raise BadInput(f"{what} {text!r} has no UTC offset; add one, e.g. +08:00 or Z") from None
    except InstantInvalid:
        raise BadInput(f"{what} {text!r} is not an ISO 8601 instant; use e.g. 2026-03-01T09:00+08:00") from None


def staff_operator(uow, username: str):
    """The staff member `--by` names (an active staff user), for the staff audit trail (issue 16, ASVS V7.1.3):
    a fact recorded or ended from the CLI names its operator like one from the console."""
    from fairdue.service.staff.audit_trail import StaffActor

    row = uow.staff.user_by_username(username.strip())
    if row is None or not row.active:
        raise BadInput(f"--by {username!r} is not an active staff user: name the staff member recording this")
    return StaffActor(staff_id=row.id, via="cli")


def _hours(text: str | None) -> tuple[str, str] | None:
    if text is None:
        return None
    start, sep, end = text.partition("-")
    if not sep:
        raise BadInput(f"--hours {text!r}: use HH:MM-HH:MM (borrower-local), e.g. 12:00-13:30 or 22:00-07:00")
    return start.strip(), end.strip()


@fact_app.command("record")
def record_cmd(
    borrower: int = typer.Option(..., "--borrower-id"),
    kind: str = typer.Option(..., "--kind", help="attorney | bankruptcy | breathing_space | inconvenient_hours"),
    source: str = typer.Option(
        ...,
        "--source",
        help="borrower_oral | borrower_written | attorney_notice | court_notice "
        "| insolvency_service | debt_advice_agency | public_record",
    ),
    recorded_by: str = typer.Option(..., "--by", help="who records it (an active staff username; staff audit trail)"),
    account: int | None = typer.Option(None, "--account", help="only this debt (default: every debt of the borrower)"),
    start: str | None = typer.Option(None, "--from", help="in force from (ISO 8601 instant; default now)"),
    until: str | None = typer.Option(None, "--until", help="in force until (breathing space: 60 days if not given)"),
    open_ended: bool = typer.Option(
        False, "--open-ended", help="breathing space without a fixed end (mental-health crisis)"
    ),
    hours: str | None = typer.Option(None, "--hours", help="inconvenient_hours: HH:MM-HH:MM, borrower-local"),
    attorney_name: str | None = typer.Option(None, "--attorney-name"),
    attorney_reach: str | None = typer.Option(None, "--attorney-reach", help="the attorney's phone or e-mail"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Record a fact that limits contact; the policy gate enforces it from now on."""
    from fairdue.domain.borrowers import BorrowerId
    from fairdue.service.contact.facts import record_fact

    begin, end, span = parse_instant(start, "--from"), parse_instant(until, "--until"), _hours(hours)
    with committed_uow(database_url) as uow:
        operator = staff_operator(uow, recorded_by)
        fact_id = record_fact(
            uow,
            borrower_id=BorrowerId(borrower),
            kind=kind,
            source=source,
            recorded_by=recorded_by,
            account_id=account,
            effective_from=begin,
            effective_until=end,
            open_ended=open_ended,
            hours=span,
            attorney_name=attorney_name,
            attorney_contact=attorney_reach,
            cipher=uow.cipher if attorney_name else None,
            actor=operator,
        )
    typer.echo(
        f"fact #{fact_id} recorded: {kind} for borrower #{borrower}"
        + (f", account #{account}" if account else ", every debt")
    )


@fact_app.command("end")
def end_cmd(
    fact: int = typer.Argument(..., help="fact id"),
    ended_by: str = typer.Option(..., "--by", help="who ends it (an active staff username; staff audit trail)"),
    reason: str = typer.Option(..., "--reason", help="why, e.g. 'attorney withdrew (letter of 2026-03-02)'"),
    at: str | None = typer.Option(None, "--at", help="ended at (ISO 8601 instant; default now)"),
    database_url: str | None = DB_OPTION,
) -> None:
    """End a fact: the contact it limited is judged without it from then on; the record stays."""
    from fairdue.service.contact.facts import end_fact

    when = parse_instant(at, "--at")
    with committed_uow(database_url) as uow:
        end_fact(uow, fact_id=fact, ended_by=ended_by, reason=reason, at=when, actor=staff_operator(uow, ended_by))
    typer.echo(f"fact #{fact} ended")


@fact_app.command("list")
def list_cmd(borrower: int = typer.Argument(..., help="borrower id"), database_url: str | None = DB_OPTION) -> None:
    """Every fact of a borrower, ended ones included; the attorney's details masked."""
    from fairdue.domain.borrowers import BorrowerId
    from fairdue.domain.masking import mask_address, mask_name
    from fairdue.service.contact.facts import list_facts

    with read_uow(database_url) as uow:
        facts = list_facts(uow, borrower_id=BorrowerId(borrower), cipher=uow.cipher)
    if not facts:
        typer.echo(f"borrower #{borrower}: no contact facts")
    for f in facts:
        scope = f"account #{f.account_id}" if f.account_id else "every debt"
        period = f"{f.effective_from.isoformat()} → {f.effective_until.isoformat() if f.effective_until else 'open'}"
        detail = f" {f.hours[0]}-{f.hours[1]} local" if f.hours else ""
        if f.attorney_name:
            detail += f" attorney {mask_name(f.attorney_name)}"
            if f.attorney_contact:
                detail += f" ({mask_address(f.attorney_contact)})"
        state = f"ended {f.ended_at.isoformat()} by {f.ended_by}: {f.end_reason}" if f.ended_at else "not ended"
        typer.echo(
            f"#{f.id} {f.kind}{detail} [{scope}] source {f.source}, recorded by {f.recorded_by} "
            f"at {f.recorded_at.isoformat()}; {period}; {state}"
        )
