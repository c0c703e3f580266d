"""The web application: REST API under /api/v1 and the server-rendered pages.

`create_app()` is the one place the web layer is wired: the bootstrapped
`fairdue.bootstrap.App` (engine, clock, unit-of-work factory) is handed in
(tests pass their own), never looked up from globals inside routes.
"""

from __future__ import annotations

import importlib.resources
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from fairdue.adapters.crypto import load_cipher
from fairdue.bootstrap import bootstrap
from fairdue.config import (
    API_RATE_LIMIT_DEFAULT,
    SESSION_IDLE_MINUTES_DEFAULT,
    ConfigurationRefused,
    api_rate_limit,
    is_sqlite,
    load_settings,
    session_idle_s,
)
from fairdue.web import i18n, problems, ratelimit, wiring
from fairdue.web.api import router as api_router
from fairdue.web.api.staff import sessions as session_api
from fairdue.web.auth import DEV_SESSION_COOKIE, SESSION_COOKIE
from fairdue.web.form_limits import FormLimitsMiddleware
from fairdue.web.pages import router as pages_router
from fairdue.web.pages import sessions as session_pages
from fairdue.web.templating import make_templates, render
from fairdue.web.transport import TransportConfig, TransportMiddleware

API_PREFIX = "/api/v1"
DEV_HTTP_ENV = "FAIRDUE_DEV_HTTP"
SECRET_KEY_BYTES_MIN = 32
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
DOCS_PATH = f"{API_PREFIX}/docs"


# How `fairdue serve` (and `fairdue bench api`) run uvicorn; see README "Deployment". No per-request access log
# line by default (`fairdue serve --access-log` turns uvicorn's on): it was on the hot path of every request, and
# the reverse proxy in front logs each request anyway; the staff access log and audit trail are separate.
SERVER_LOG_LEVEL = "warning"
SERVER_ACCESS_LOG = False
SERVER_KEEP_ALIVE_S = 5  # idle keep-alive connections closed after this; a reverse proxy's own should be longer
SERVER_GRACEFUL_SHUTDOWN_S = 30  # on SIGTERM: stop accepting, finish requests in flight for at most this long
HEALTH_PATH = "/health"

CODE_REQUEST_FLOOR_MS_DEFAULT = 400  # above the known-number path's time here (code row, text queued, gate logged)


@dataclass(slots=True)
class WebConfig:
    """Web-only settings.

    secret_key: keys the HMAC of phone numbers and one-time codes at rest (FAIRDUE_SECRET_KEY, at least
      SECRET_KEY_BYTES_MIN bytes); unset, a random per-process key, which only SQLite accepts (codes and
      limits then do not survive a restart, fine for a demo): `from_env` refuses it on PostgreSQL.
    session_ttl_s / code_ttl_s: lifetimes of a session and of a one-time code.
    dev_http: the development switch for plain HTTP on 127.0.0.1 (FAIRDUE_DEV_HTTP=1, `fairdue serve
      --dev-http`; `fairdue demo` and the tests turn it on): the session cookie loses its `Secure` flag and
      its `__Host-` prefix, and no HSTS is sent. Off (the default), the cookie is `__Host-fairdue_session`,
      Secure, and every answer carries HSTS: the server must sit behind TLS. See docs/security-transport.md.
    session_idle_s: a session unused this long is refused and revoked (FAIRDUE_SESSION_IDLE_MINUTES, default 30).
    api_rate_limit: requests per session (per client address when anonymous) on /api/v1, in the `limits`
      notation (FAIRDUE_API_RATE_LIMIT, default "1200 per minute"); None turns it off (the shared test helpers).
    code_request_floor_ms: a request for a one-time code is answered no sooner than this after it arrived,
      whether the number is a borrower's or not, so its timing tells no one who is a borrower (a known number
      also writes the code and queues the text); 0 turns it off (the shared test helpers).
    """

    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(SECRET_KEY_BYTES_MIN))
    session_ttl_s: int = 8 * 3600
    code_ttl_s: int = 300
    dev_http: bool = False
    session_idle_s: int = SESSION_IDLE_MINUTES_DEFAULT * 60
    api_rate_limit: str | None = API_RATE_LIMIT_DEFAULT
    code_request_floor_ms: int = CODE_REQUEST_FLOOR_MS_DEFAULT

    def __post_init__(self) -> None:
        if len(self.secret_key) < SECRET_KEY_BYTES_MIN:
            raise ConfigurationRefused(f"the secret key must be at least {SECRET_KEY_BYTES_MIN} bytes")

    def check_listen_host(self, host: str) -> None:
        """Refuse (ConfigurationRefused) to serve plain HTTP anywhere but the loopback interface."""
        if self.dev_http and host not in LOOPBACK_HOSTS:
            raise ConfigurationRefused(
                f"{DEV_HTTP_ENV}=1 (plain HTTP, no Secure cookie) is only for 127.0.0.1, not {host!r}; "
                "serve behind TLS without it"
            )

    @property
    def cookie_secure(self) -> bool:
        """Set the Secure flag on the session cookie (always, unless the development switch is on)."""
        return not self.dev_http

    @property
    def session_cookie(self) -> str:
        """The session cookie's name: `__Host-` prefixed unless the development switch is on."""
        return DEV_SESSION_COOKIE if self.dev_http else SESSION_COOKIE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, database_url: str | None = None) -> WebConfig:
        """From FAIRDUE_SECRET_KEY, FAIRDUE_DEV_HTTP, FAIRDUE_SESSION_IDLE_MINUTES and FAIRDUE_API_RATE_LIMIT; on
        any database but SQLite (`database_url`, else FAIRDUE_DATABASE_URL) a missing secret key is refused
        (ConfigurationRefused)."""
        env = os.environ if environ is None else environ
        dev_http = env.get(DEV_HTTP_ENV, "").strip() == "1"
        idle_s, api_rate = session_idle_s(env), api_rate_limit(env)
        key = env.get("FAIRDUE_SECRET_KEY")
        if key is None or not key.strip():
            if not is_sqlite(database_url or load_settings(env).database_url):
                raise ConfigurationRefused(
                    "FAIRDUE_SECRET_KEY is not set: a server on PostgreSQL needs a fixed secret key of at least "
                    f"{SECRET_KEY_BYTES_MIN} bytes (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`)"
                )
            return cls(dev_http=dev_http, session_idle_s=idle_s, api_rate_limit=api_rate)
        return cls(secret_key=key.encode("utf-8"), dev_http=dev_http, session_idle_s=idle_s, api_rate_limit=api_rate)


def create_app(core: Any = None, *, web_config: WebConfig | None = None, cipher: Any = None) -> FastAPI:
    """Build the web app over `core` (a fairdue.bootstrap.App whose database is migrated;
    None → bootstrap from the environment). `cipher` (a fairdue.adapters.crypto.FieldCipher) replaces the
    core's; the app and every unit of work it opens use the same one."""
    if core is None:
        core = bootstrap()
    if cipher is not None:
        core = replace(core, cipher=cipher)
    elif core.cipher is None:
        core = replace(core, cipher=load_cipher(database_url=core.settings.database_url))
    web = web_config or WebConfig.from_env(database_url=core.settings.database_url)
    app = FastAPI(
        title="fairdue",
        version="1",
        summary="Servicing and lawful collection of installment credit.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # served below from the vendored Swagger UI, under the CSP
        redoc_url=None,
        responses=problems.PROBLEM_RESPONSES,
    )
    app.state.core = core
    app.state.web = web
    app.state.cipher = core.cipher
    app.state.templates = make_templates()
    app.state.render_problem = _render_problem
    problems.install(app)

    wiring.install(app)
    app.add_middleware(InFlightLimitMiddleware, limit=requests_in_flight_max(core.engine))
    app.add_middleware(StaticCacheMiddleware, directory=static_dir(), prefix=STATIC_PREFIX)
    app.add_middleware(FormLimitsMiddleware)  # inside the transport's byte limits: parts counted before any route
    app.add_middleware(
        TransportMiddleware, config=TransportConfig(hsts=not web.dev_http, session_cookie=web.session_cookie)
    )

    app.mount("/static", StaticFiles(directory=static_dir()), name="static")  # what the cache does not hold

    api_limited = [Depends(ratelimit.api_limit)]  # per session or client address (WebConfig.api_rate_limit)
    app.include_router(api_router, prefix=API_PREFIX, dependencies=api_limited)
    app.include_router(session_api.router, prefix=API_PREFIX, dependencies=api_limited)
    app.include_router(pages_router)
    app.include_router(session_pages.router)

    @app.get(HEALTH_PATH, include_in_schema=False)
    def _health() -> Response:
        """Liveness for a load balancer: the process answers (no database round trip, no session)."""
        return Response(b'{"status":"ok"}', media_type="application/json")

    @app.get(DOCS_PATH, include_in_schema=False)
    def _docs() -> HTMLResponse:
        return HTMLResponse(SWAGGER_PAGE.format(openapi_url=app.openapi_url))

    @app.get("/lang/{lang}", include_in_schema=False)
    def _set_language(lang: str, request: Request) -> Response:
        back = request.headers.get("referer") or "/"
        if not back.startswith(str(request.base_url)):
            back = "/"
        response = RedirectResponse(back, status_code=303)
        if lang in i18n.LANGUAGES:
            response.set_cookie(i18n.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", secure=web.cookie_secure)
        return response

    return app


STATIC_PREFIX = "/static/"
STATIC_FILE_BYTES_MAX = 4 * 1024 * 1024  # a larger file is left to StaticFiles (none is, today)


def static_dir() -> str:
    """The vendored static files' directory (fairdue/web/static)."""
    return str(importlib.resources.files("fairdue.web").joinpath("static"))


class StaticCacheMiddleware:
    """The static files read once at start-up and answered from memory (GET/HEAD, ETag, 304 on If-None-Match):
    Starlette's StaticFiles stats and reads each file through the thread pool on every request. Paths the cache
    does not hold, and other methods, go on to the app (its StaticFiles mount answers them as before)."""

    def __init__(self, app: Any, *, directory: str, prefix: str) -> None:
        import hashlib
        import mimetypes
        from pathlib import Path

        self.app = app
        self.files: dict[str, tuple[bytes, list[tuple[bytes, bytes]]]] = {}
        root = Path(directory)
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            body = path.read_bytes()
            if len(body) > STATIC_FILE_BYTES_MAX:
                continue
            media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if media_type.startswith("text/"):
                media_type += "; charset=utf-8"
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers = [(b"content-type", media_type.encode()), (b"etag", etag.encode())]
            self.files[prefix + path.relative_to(root).as_posix()] = (body, headers)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        cached = self.files.get(scope["path"]) if scope["type"] == "http" else None
        if cached is None or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        body, headers = cached
        etag = headers[1][1]
        if any(k == b"if-none-match" and etag in v for k, v in scope.get("headers", ())):
            await send({"type": "http.response.start", "status": 304, "headers": headers[1:]})
            await send({"type": "http.response.body", "body": b""})
            return
        length = [(b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers + length})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


REQUESTS_IN_FLIGHT_DEFAULT = 8  # an engine whose pool does not say how many connections it holds


def requests_in_flight_max(engine: Any) -> int:
    """How many requests may be inside the app at once: half the engine's connection pool (a request holds its
    unit of work's connection while it waits for a worker thread, and may open one more unit of its own). More,
    and under load every thread can sit waiting for a connection held by requests that wait for a thread: the
    pool's 30 s timeout, then errors (seen at 64 connections, issue 22)."""
    pool = engine.pool
    size, overflow = getattr(pool, "size", None), getattr(pool, "_max_overflow", None)
    if not callable(size) or not isinstance(overflow, int):
        return REQUESTS_IN_FLIGHT_DEFAULT
    return max(1, (int(size()) + max(overflow, 0)) // 2)


class InFlightLimitMiddleware:
    """At most `limit` HTTP requests inside the app at once; the others wait their turn on the event loop (no
    thread, no connection held). Static files and health, answered without the database, are not counted."""

    def __init__(self, app: Any, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._loop: Any = None
        self._slots: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"] == HEALTH_PATH or scope["path"].startswith(STATIC_PREFIX):
            await self.app(scope, receive, send)
            return
        import asyncio

        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # one semaphore per event loop (a test client starts its own)
            self._loop, self._slots = loop, asyncio.Semaphore(self.limit)
        async with self._slots:
            await self.app(scope, receive, send)


# The API docs page: the Swagger UI files vendored under static/vendor/swagger-ui (no CDN, see
# static/VENDORED.md), started by static/swagger-init.js (no inline script: the CSP allows 'self' only).
SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fairdue API</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css"></head>
<body><div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script></body></html>
"""


def _render_problem(request: Request, body: dict[str, Any], headers: dict[str, str] | None) -> Response:
    if body["status"] == 401 and request.method == "GET" and not request.headers.get("hx-request"):
        target = "/portal/login" if request.url.path.startswith("/portal") else "/console/login"
        return RedirectResponse(target, status_code=303)
    if request.headers.get("hx-request"):
        return HTMLResponse(
            f'<div class="problem" role="alert">{_escape(body["detail"])}</div>',
            status_code=body["status"],
            headers=headers,
        )
    return render(request, "problem.html", {"problem": body}, status_code=body["status"], headers=headers)


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))
