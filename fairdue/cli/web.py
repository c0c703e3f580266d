"""`fairdue serve` (console, portal and API on 127.0.0.1:8000) and `fairdue staff add`."""

from __future__ import annotations

import os

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


WORKERS_MAX = 64


def parse_workers(text: str, *, cores: int | None = None) -> int:
    """`--workers`: a whole number of server processes from 1 to WORKERS_MAX, or "auto" (one per core).
    Anything else raises ConfigurationRefused."""
    from fairdue.config import ConfigurationRefused

    value = text.strip().lower()
    if value == "auto":
        return max(1, min(WORKERS_MAX, cores or os.cpu_count() or 1))
    if not value.isdigit() or not 1 <= int(value) <= WORKERS_MAX:
        raise ConfigurationRefused(f"--workers must be a number from 1 to {WORKERS_MAX} or 'auto', not {text!r}")
    return int(value)


def check_workers(workers: int, environ=None) -> None:
    """Refuse (ConfigurationRefused) several worker processes that would not share what must be shared: each
    would draw its own random secret key without FAIRDUE_SECRET_KEY (a login code asked of one process would not
    verify in another), and count its own rate limits without a Redis store (N processes, N times the limit)."""
    from fairdue.config import ConfigurationRefused
    from fairdue.web.ratelimit import REDIS_URL_ENV

    env = os.environ if environ is None else environ
    if workers == 1:
        return
    if not env.get("FAIRDUE_SECRET_KEY", "").strip():
        raise ConfigurationRefused("--workers above 1 needs FAIRDUE_SECRET_KEY: every process must use the same key")
    if not env.get(REDIS_URL_ENV, "").strip():
        raise ConfigurationRefused(
            f"--workers above 1 needs {REDIS_URL_ENV}: rate limits counted per process would be {workers} times looser"
        )


def _server_options(host: str, port: int, *, access_log: bool | None = None) -> dict:
    from fairdue.web.app import (
        SERVER_ACCESS_LOG,
        SERVER_GRACEFUL_SHUTDOWN_S,
        SERVER_KEEP_ALIVE_S,
        SERVER_LOG_LEVEL,
    )

    return {
        "host": host,
        "port": port,
        "log_level": SERVER_LOG_LEVEL,
        "access_log": SERVER_ACCESS_LOG if access_log is None else access_log,
        "timeout_keep_alive": SERVER_KEEP_ALIVE_S,
        "timeout_graceful_shutdown": SERVER_GRACEFUL_SHUTDOWN_S,
    }


def run_server_process(factory: str, *, host: str, port: int, workers: int) -> None:
    """uvicorn with `fairdue serve`'s settings over an app factory ("module:function"): the servers `fairdue bench
    api` starts in their own processes (its floor, and `bench_app`)."""
    import uvicorn

    uvicorn.run(factory, factory=True, workers=workers, **_server_options(host, port))


BENCH_SECRET = "fairdue-bench-api-secret-key-not-for-production-use"  # nosec B105


def bench_app():
    """The web app `fairdue bench api` measures: over the database in FAIRDUE_BENCH_API_DATABASE_URL, seeded by
    the demo (its development keys), plain HTTP on 127.0.0.1, the API-wide request limit off (one session making
    thousands of requests a second is the point there); everything else as served."""
    from fairdue.adapters.crypto import DEV_KEY_FILE, FieldCipher, dev_keyring
    from fairdue.bench.api import BENCH_DATABASE_ENV
    from fairdue.bootstrap import bootstrap
    from fairdue.web.app import WebConfig, create_app

    cipher = FieldCipher(dev_keyring(DEV_KEY_FILE))
    core = bootstrap(database_url=os.environ[BENCH_DATABASE_ENV], cipher=cipher)
    web = WebConfig(secret_key=BENCH_SECRET.encode(), dev_http=True, api_rate_limit=None)
    return create_app(core, web_config=web)


def serve_app(
    core,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    web_config=None,
    workers: int = 1,
    access_log: bool | None = None,
) -> None:
    """Serve the web app over `core` (a migrated fairdue.bootstrap.App) until interrupted. Refused: plain HTTP
    (the development switch) on any address but the loopback one; on PostgreSQL, no FAIRDUE_SECRET_KEY or no
    decision-log signing key (FAIRDUE_LOG_KEYS / FAIRDUE_LOG_KEY_FILE).

    With `workers` above 1, uvicorn runs that many processes, each building the app from the environment
    (`fairdue.web.app:create_app`, the same settings: the development switch is passed on as FAIRDUE_DEV_HTTP=1).
    SIGTERM stops accepting and lets requests in flight finish (SERVER_GRACEFUL_SHUTDOWN_S at most)."""
    import uvicorn

    from fairdue.web.app import DEV_HTTP_ENV, WebConfig, create_app

    web_config = web_config or WebConfig.from_env(database_url=core.settings.database_url)
    web_config.check_listen_host(host)
    check_log_signing(core.settings.database_url)
    options = _server_options(host, port, access_log=access_log)
    if workers > 1:
        if web_config.dev_http:
            os.environ[DEV_HTTP_ENV] = "1"
        uvicorn.run("fairdue.web.app:create_app", factory=True, workers=workers, **options)
        return
    app = create_app(core, web_config=web_config)
    uvicorn.run(app, **options)


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
        workers: str = typer.Option("1", "--workers", help="server processes: a number, or 'auto' (one per core)"),
        access_log: bool = typer.Option(
            False, "--access-log", help="uvicorn's line per request on stderr (off: the reverse proxy logs them)"
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
            processes = parse_workers(workers)
            check_workers(processes)
        except ConfigurationRefused as err:
            typer.echo(f"fairdue serve: {err}", err=True)
            raise typer.Exit(code=2) from None
        core.migrate()
        scheme = "http" if web.dev_http else "https (behind your TLS proxy)"
        typer.echo(
            f"fairdue: {scheme} console /console  portal /portal  API /api/v1/docs on {host}:{port}, "
            f"{processes} worker process(es)"
        )
        serve_app(core, host=host, port=port, web_config=web, workers=processes, access_log=access_log)

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
