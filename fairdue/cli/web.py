"""`fairdue serve` (console, portal and API on 127.0.0.1:8000) and `fairdue staff add`."""

from __future__ import annotations

import typer

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve_app(core, *, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, web_config=None) -> None:
    """Serve the web app over `core` (a migrated fairdue.bootstrap.App) until interrupted."""
    import uvicorn

    from fairdue.web.app import create_app

    app = create_app(core, web_config=web_config)
    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    staff_app = typer.Typer(help="Staff accounts for the console.", no_args_is_help=True)

    @app.command("serve")
    def serve(
        host: str = typer.Option(DEFAULT_HOST, help="address to listen on"),
        port: int = typer.Option(DEFAULT_PORT, help="TCP port"),
    ) -> None:
        """Serve the agent console, borrower portal and REST API (migrates the database first)."""
        from fairdue.bootstrap import bootstrap

        core = bootstrap()
        core.migrate()
        typer.echo(
            f"fairdue: console http://{host}:{port}/console  portal http://{host}:{port}/portal  "
            f"API http://{host}:{port}/api/v1/docs"
        )
        serve_app(core, host=host, port=port)

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
