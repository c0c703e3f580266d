"""`fairdue init-db`: create or upgrade the schema (Alembic upgrade head); safe to run again."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command("init-db")(init_db)


def init_db(
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL; default FAIRDUE_DATABASE_URL or sqlite:///fairdue.db"
    ),
) -> None:
    """Create or upgrade the database schema to the newest revision (idempotent)."""
    from fairdue.adapters.db.migrate import current_revision
    from fairdue.bootstrap import bootstrap

    app = bootstrap(database_url=database_url, keys=False)
    try:
        before = current_revision(app.engine)
        after = app.migrate()
        if before == after:
            typer.echo(f"database {app.safe_url} already at revision {after}")
        else:
            typer.echo(f"database {app.safe_url} migrated {before or 'empty'} -> {after}")
    finally:
        app.dispose()
