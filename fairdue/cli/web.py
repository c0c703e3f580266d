"""`fairdue serve` (console, portal and API on 127.0.0.1:8000) and `fairdue staff add`."""

from __future__ import annotations

import typer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


LOG_KEY_SETTINGS = "FAIRDUE_LOG_KEYS (or FAIRDUE_LOG_KEY_FILE)"


def check_log_signing(database_url: str, environ=None) -> None:
    """Refuse (ConfigurationRefused) to serve a database other than SQLite without a decision-log signing key
    (issue 16 items 5/6, ASVS V7.3.3): without one the gate's interval checkpoints are skipped and a rewritten log
    goes unnoticed until someone verifies by hand. A verify-only key set (public keys alone) is refused too."""
    from fairdue.adapters.crypto import InvalidKeyConfig, KeysNotConfigured
    from fairdue.adapters.log_signing import load_log_keys
    from fairdue.config import ConfigurationRefused, is_sqlite

    if is_sqlite(database_url):
        return  # a development key file is generated for SQLite (fairdue.adapters.log_signing)
    try:
        keys = load_log_keys(environ, database_url=database_url)
    except (InvalidKeyConfig, KeysNotConfigured) as err:
        raise ConfigurationRefused(f"{LOG_KEY_SETTINGS}: {err}") from None
    if keys is None:
        raise ConfigurationRefused(
            f"{LOG_KEY_SETTINGS} is not set: a server on PostgreSQL signs the decision log's checkpoints and needs "
            "the decision-log signing key (`fairdue audit keygen --out FILE` makes one)"
        )
    if not keys.can_sign:
        raise ConfigurationRefused(
            f"{LOG_KEY_SETTINGS} holds public keys only: a server on PostgreSQL needs the private decision-log "
            "signing key (a verify-only set is for witnesses and auditors)"
        )


def serve_app(core, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, web_config=None) -> None:
    """Serve the web app over `core` (a migrated fairdue.bootstrap.App) until interrupted. Refused: plain HTTP
    (the development switch) on any address but the loopback one; on PostgreSQL, no FAIRDUE_SECRET_KEY or no
    decision-log signing key (FAIRDUE_LOG_KEYS / FAIRDUE_LOG_KEY_FILE)."""
    import uvicorn

    from fairdue.web.app import WebConfig, create_app

    web_config = web_config or WebConfig.from_env(database_url=core.settings.database_url)
    web_config.check_listen_host(host)
    check_log_signing(core.settings.database_url)
    app = create_app(core, web_config=web_config)
    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    staff_app = typer.Typer(help="Staff accounts for the console.", no_args_is_help=True)

    @app.command("serve")
    def serve(
        host: str = typer.Option(DEFAULT_HOST, help="address to listen on"),
        port: int = typer.Option(DEFAULT_PORT, help="TCP port"),
        dev_http: bool = typer.Option(
            False,
            "--dev-http",
            help="development only: plain HTTP on 127.0.0.1 (no Secure cookie, no HSTS); also FAIRDUE_DEV_HTTP=1",
        ),
    ) -> None:
        """Serve the agent console, borrower portal and REST API (migrates the database first). Without
        --dev-http the session cookie is Secure and HSTS is sent: put the server behind TLS."""
        from fairdue.bootstrap import bootstrap
        from fairdue.config import ConfigurationRefused
        from fairdue.web.app import WebConfig

        core = bootstrap()
        try:
            web = WebConfig.from_env(database_url=core.settings.database_url)
            web.dev_http = web.dev_http or dev_http
            web.check_listen_host(host)
            check_log_signing(core.settings.database_url)
        except ConfigurationRefused as err:
            typer.echo(f"fairdue serve: {err}", err=True)
            raise typer.Exit(code=2) from None
        core.migrate()
        scheme = "http" if web.dev_http else "https (behind your TLS proxy)"
        typer.echo(f"fairdue: {scheme} console /console  portal /portal  API /api/v1/docs on {host}:{port}")
        serve_app(core, host=host, port=port, web_config=web)

    @staff_app.command("add")
    def staff_add(
        username: str,
        display_name: str = typer.Option(..., "--name"),
        role: list[str] = typer.Option(..., "--role", help="agent|supervisor|compliance|admin"),
        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
    ) -> None:
        """Create a staff user (the password is stored as an argon2 hash)."""
        from fairdue.bootstrap import bootstrap
        from fairdue.service.staff.auth import create_staff

        core = bootstrap()
        core.migrate()
        with core.uow_factory() as uow:
            staff_id = create_staff(
                uow,
                username=username,
                display_name=display_name,
                password=password,
                roles=role,
                now=uow.clock(),
            )
            uow.commit()
        typer.echo(f"staff user {username} created (id {staff_id})")

    app.add_typer(staff_app, name="staff")
