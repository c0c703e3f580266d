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
) -> None:
    """Check every decision's hash link; exit 1 naming the first bad decision."""
    from fairdue.bootstrap import bootstrap
    from fairdue.service.audit import verify_log

    app = bootstrap(database_url=database_url)
    try:
        with app.engine.connect() as conn:
            result = verify_log(conn)
    finally:
        app.dispose()
    if as_json:
        typer.echo(json.dumps({"ok": result.ok, "checked": result.checked, "bad_seq": result.bad_seq,
                               "problem": result.problem, "message": result.message}, ensure_ascii=False))
    else:
        typer.echo(("ok: " if result.ok else "TAMPERED: ") + result.message)
    if not result.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    app.add_typer(outbox_app, name="outbox")
