"""`fairdue audit verify` (the decision log's hash chain) and `fairdue outbox …` (message delivery)."""

from __future__ import annotations

import json

import typer

audit_app = typer.Typer(help="The tamper-evident decision log.", no_args_is_help=True)
outbox_app = typer.Typer(help="The message outbox and its dispatcher.", no_args_is_help=True)


@audit_app.command("verify")
def verify(
    database_url: str = typer.Option(None, "--database-url", help="Overrides FAIRDUE_DATABASE_URL."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
    anchor: str = typer.Option(None, "--anchor", help="SEQ:HASH printed earlier by `fairdue audit head`."),
) -> None:
    """Check every decision's hash link; exit 1 naming the first bad decision."""
    from fairdue.bootstrap import bootstrap
    from fairdue.domain.audit import AuditError
    from fairdue.service.contact.decision_log import verify_log

    parsed_anchor = None
    if anchor:
        seq_text, _, hash_text = anchor.partition(":")
        if not seq_text.isdigit() or len(hash_text) != 64:
            raise AuditError(f"--anchor must be SEQ:HASH (64 hex characters), not {anchor!r}")
        parsed_anchor = (int(seq_text), hash_text.lower())
    app = bootstrap(database_url=database_url, keys=False)
    try:
        with app.uow_factory() as uow:
            result = verify_log(uow, anchor=parsed_anchor)
    finally:
        app.dispose()
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "ok": result.ok,
                    "checked": result.checked,
                    "bad_seq": result.bad_seq,
                    "problem": result.problem,
                    "message": result.message,
                },
                ensure_ascii=False,
            )
        )
    else:
        typer.echo(("ok: " if result.ok else "TAMPERED: ") + result.message)
    if not result.ok:
        # A FairdueError, not typer.Exit: main() runs click with standalone_mode=False,
        # where an Exit's code is returned, not used as the process status.
        from fairdue.domain.audit import ChainBroken

        raise ChainBroken(result)


@audit_app.command("head")
def head(
    database_url: str = typer.Option(None, "--database-url", help="Overrides FAIRDUE_DATABASE_URL."),
) -> None:
    """Print SEQ:HASH of the last decision; keep it elsewhere and pass it to `verify --anchor` later."""
    from fairdue.bootstrap import bootstrap
    from fairdue.service.contact.decision_log import log_head

    app = bootstrap(database_url=database_url, keys=False)
    try:
        with app.uow_factory() as uow:
            seq, digest = log_head(uow)
    finally:
        app.dispose()
    typer.echo(f"{seq}:{digest}")


@outbox_app.command("dispatch")
def dispatch(
    database_url: str = typer.Option(None, "--database-url", help="Overrides FAIRDUE_DATABASE_URL."),
    once: bool = typer.Option(False, "--once", help="One claim round, then stop."),
    watch: bool = typer.Option(False, "--watch", help="Keep dispatching until SIGTERM/SIGINT."),
    interval_s: float = typer.Option(2.0, "--interval-s", min=0.05, help="With --watch: pause when idle."),
    lease_s: int = typer.Option(120, "--lease-s", help="How long a claim holds a message."),
) -> None:
    """Deliver due outbox messages through the channels configured in the environment."""
    import signal
    import threading
    from typing import cast

    from fairdue.adapters.crypto import FieldCipher
    from fairdue.bootstrap import bootstrap, build_channels
    from fairdue.errors import FairdueError
    from fairdue.service.contact.dispatcher import Dispatcher, DispatchPolicy, DispatchReport

    app = bootstrap(database_url=database_url)
    stop = threading.Event()
    total = DispatchReport()
    try:
        adapters = build_channels(app.engine, cipher=app.cipher)
        if not adapters:
            raise FairdueError(
                "no channel configured: set FAIRDUE_SMTP_HOST, FAIRDUE_PROVIDER_URL or FAIRDUE_LETTER_SPOOL"
            )
        cipher = cast(FieldCipher, app.cipher)  # bootstrap with keys (the default) always loads the cipher
        dispatcher = Dispatcher(app.uow_factory, adapters, cipher=cipher, policy=DispatchPolicy(lease_s=lease_s))
        if not watch:
            total = dispatcher.run_once() if once else dispatcher.run_until_idle()
        else:
            # Stop between messages, never inside one: a message in flight is finished and marked.
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stop.set())
            typer.echo(f"dispatching {', '.join(sorted(adapters))}; SIGTERM stops", err=True)
            while not stop.is_set():
                report = dispatcher.run_once()
                total.add(report)
                if report.claimed == 0:
                    stop.wait(interval_s)
    finally:
        app.dispose()
    typer.echo(
        json.dumps(
            {
                "claimed": total.claimed,
                "sent": total.sent,
                "duplicates": total.duplicates,
                "retried": total.retried,
                "dead": total.dead,
                "refused": total.refused,
                "expired": total.expired,
                "unknown": total.unknown,
                "lost_lease": total.lost_lease,
            }
        )
    )


@outbox_app.command("status")
def status(
    database_url: str = typer.Option(None, "--database-url", help="Overrides FAIRDUE_DATABASE_URL."),
) -> None:
    """Count outbox messages by channel and status."""
    import sqlalchemy as sa

    from fairdue.adapters.db.schema.collections import outbox_messages
    from fairdue.bootstrap import bootstrap

    app = bootstrap(database_url=database_url, keys=False)
    try:
        with app.engine.connect() as conn:
            rows = conn.execute(
                sa.select(outbox_messages.c.channel, outbox_messages.c.status, sa.func.count())
                .group_by(outbox_messages.c.channel, outbox_messages.c.status)
                .order_by(outbox_messages.c.channel, outbox_messages.c.status)
            ).all()
    finally:
        app.dispose()
    for channel, state, count in rows:
        typer.echo(f"{channel}\t{state}\t{count}")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(outbox_app, name="outbox")
