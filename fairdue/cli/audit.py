"""`fairdue audit verify|checkpoint|keygen|head` (the decision log's hash chain and its signed checkpoints) and
`fairdue outbox …` (message delivery)."""

from __future__ import annotations

import json
from typing import Any

import typer

audit_app = typer.Typer(help="The tamper-evident decision log.", no_args_is_help=True)
outbox_app = typer.Typer(help="The message outbox and its dispatcher.", no_args_is_help=True)


def _read_witness(path: str) -> Any:
    """The checkpoint in an exported witness file (`fairdue audit checkpoint --export`)."""
    import pathlib

    from fairdue.domain.audit_checkpoint import MalformedCheckpoint, checkpoint_from_dict

    try:
        data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise MalformedCheckpoint(f"cannot read the witness file {path}: {err.strerror}") from None
    except ValueError:
        raise MalformedCheckpoint(f"the witness file {path} is not JSON") from None
    return checkpoint_from_dict(data)


def _parse_anchor(anchor: str | None) -> tuple[int, str] | None:
    from fairdue.domain.audit import AuditError

    if not anchor:
        return None
    seq_text, _, hash_text = anchor.partition(":")
    if not seq_text.isdigit() or len(hash_text) != 64:
        raise AuditError(f"--anchor must be SEQ:HASH (64 hex characters), not {anchor!r}")
    return int(seq_text), hash_text.lower()


def _echo_result(result: Any, *, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        fields = ("ok", "checked", "bad_seq", "problem", "message", "checkpoint_seq")
        typer.echo(json.dumps({**{f: getattr(result, f) for f in fields}, **(extra or {})}, ensure_ascii=False))
    else:
        typer.echo(("ok: " if result.ok else "TAMPERED: ") + result.message)
    if not result.ok:
        # A FairdueError, not typer.Exit: main() runs click with standalone_mode=False,
        # where an Exit's code is returned, not used as the process status.
        from fairdue.domain.audit import ChainBroken

        raise ChainBroken(result)


@audit_app.command("verify")
def verify(
    database_url: str = typer.Option(None, "--database-url", help="Overrides FAIRDUE_DATABASE_URL."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as one JSON object."),
    anchor: str = typer.Option(None, "--anchor", help="SEQ:HASH printed earlier by `fairdue audit head`."),
    witness: str = typer.Option(None, "--witness", help="A checkpoint file from `fairdue audit checkpoint --export`."),
) -> None:
    """Check every decision's hash link and every signed checkpoint; sign the head when intact; exit 1 naming the
    first bad decision (needs the log keys: FAIRDUE_LOG_KEYS / FAIRDUE_LOG_KEY_FILE, dev keys on SQLite)."""
    from fairdue.bootstrap import bootstrap
    from fairdue.service.contact.decision_log import required_log_keys, verify_log

    parsed_anchor = _parse_anchor(anchor)
    parsed_witness = _read_witness(witness) if witness else None
    app = bootstrap(database_url=database_url, keys=False)
    try:
        with app.uow_factory() as uow:
            keys = required_log_keys(uow)
            result = verify_log(uow, anchor=parsed_anchor, witness=parsed_witness, keys=keys, sign=True)
            uow.commit()
    finally:
        app.dispose()
    _echo_result(result, as_json=as_json)


@audit_app.command("checkpoint")
def checkpoint(
    database_url: str = typer.Option(None, "--database-url", help="Overrides FAIRDUE_DATABASE_URL."),
    export: str = typer.Option(None, "--export", help="Also write the signed checkpoint (JSON) to this file."),
    adopt: bool = typer.Option(
        False,
        "--adopt",
        help="Sign even though the log has no checkpoint of its last interval (a log older than 0012).",
    ),
) -> None:
    """Verify the log, sign its head and print the checkpoint as JSON for an external witness to keep."""
    import pathlib

    from fairdue.bootstrap import bootstrap
    from fairdue.errors import FairdueError
    from fairdue.service.contact.decision_log import newest_checkpoint, required_log_keys, verify_log

    app = bootstrap(database_url=database_url, keys=False)
    try:
        with app.uow_factory() as uow:
            keys = required_log_keys(uow)
            if not keys.can_sign:
                raise FairdueError("the configured log keys only verify: a checkpoint needs the private key")
            result = verify_log(uow, keys=keys, sign=True, adopt=adopt)
            if not result.ok:
                _echo_result(result, as_json=False)
            uow.commit()
            signed = newest_checkpoint(uow)
    finally:
        app.dispose()
    if signed is None:
        raise FairdueError("the decision log is empty: there is no head to sign yet")
    text = json.dumps(keys.export(signed), indent=2)
    if export:
        pathlib.Path(export).write_text(text + "\n", encoding="utf-8")
    typer.echo(text)


@audit_app.command("keygen")
def keygen(
    out: str = typer.Option(..., "--out", help="Write the new key set (private: mode 0600) to this new file."),
    key_id: str = typer.Option("log1", "--key-id", help="The new key's id (1..32 characters, no ':')."),
    keep: str = typer.Option(None, "--keep", help="An old key file whose public keys stay for verifying (rotation)."),
) -> None:
    """Make an Ed25519 log signing key (for FAIRDUE_LOG_KEY_FILE); print its public half for witnesses."""
    import os
    import pathlib

    from fairdue.adapters.log_signing import LogKeys

    fresh = LogKeys.generate(key_id, dev=False)
    if keep:
        # The old keys' public halves only: they verify the checkpoints they signed; only the new key signs.
        old = LogKeys.from_json(pathlib.Path(keep).read_text(encoding="utf-8"))
        fresh = LogKeys(key_id, fresh.private, dict(old.public), dev=False)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(fresh.to_json() + "\n")
    typer.echo(fresh.to_json(public_only=True))


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
