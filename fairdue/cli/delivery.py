"""`fairdue outbox unknown` and `fairdue outbox resolve ID`: e-mails whose delivery is unknown, and the operator's
decision on each (see fairdue.service.contact.dispatcher: an e-mail found in the SMTP server's hands after a crash is never
re-sent without reconciliation or this decision)."""

from __future__ import annotations

import typer

from fairdue.cli.products import DB_OPTION, committed_uow, read_uow


def register(app: typer.Typer) -> None:
    from fairdue.cli.audit import outbox_app

    outbox_app.command("unknown")(unknown_cmd)
    outbox_app.command("resolve")(resolve_cmd)


def unknown_cmd(database_url: str | None = DB_OPTION) -> None:
    """List messages whose delivery is unknown, with the Message-ID to look for in the relay's log."""
    from fairdue.service.contact.dispatcher import unknown_messages

    with read_uow(database_url) as uow:
        rows = unknown_messages(uow)
    if not rows:
        typer.echo("no message awaits a decision on its delivery")
    for m in rows:
        typer.echo(
            f"outbox {m.outbox_id}\t{m.channel}\t{m.address_masked}\t{m.message_id or '-'}\t"
            f"handed over {m.handed_over_at.isoformat() if m.handed_over_at else '-'}\t"
            f"decision covers until {m.send_by.isoformat()}"
        )


def resolve_cmd(
    outbox_id: int = typer.Argument(..., help="outbox id (see `fairdue outbox unknown`)"),
    delivered: bool | None = typer.Option(
        None, "--delivered/--not-delivered", help="what the relay's log (or the recipient) shows"
    ),
    by: str = typer.Option(..., "--by", help="who decides (staff username)"),
    note: str = typer.Option(..., "--note", help="what the decision rests on, e.g. the relay log line"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Settle a message whose delivery was unknown: delivered -> sent (never again); not delivered -> sent once
    more under its decision, or expired if that decision no longer covers the present."""
    from fairdue.cli.products import BadInput
    from fairdue.service.contact.dispatcher import resolve_unknown

    if delivered is None:
        raise BadInput("say --delivered or --not-delivered")
    with committed_uow(database_url) as uow:
        status = resolve_unknown(uow, outbox_id=outbox_id, delivered=delivered, by=by, note=note)
    typer.echo(f"outbox {outbox_id}: {status}")
