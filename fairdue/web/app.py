"""The web application: REST API under /api/v1 and the server-rendered pages.

`create_app()` is the one place the web layer is wired: the bootstrapped
`fairdue.bootstrap.App` (engine, clock, unit-of-work factory) is handed in
(tests pass their own), never looked up from globals inside routes.
"""

from __future__ import annotations

import importlib.resources
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from fairdue.adapters.crypto import load_cipher
from fairdue.bootstrap import bootstrap
from fairdue.web import i18n, problems, wiring
from fairdue.web.api import router as api_router
from fairdue.web.pages import router as pages_router
from fairdue.web.templating import make_templates, render

API_PREFIX = "/api/v1"
SESSION_COOKIE = "fairdue_session"


@dataclass(slots=True)
class WebConfig:
    """Web-only settings.

    secret_key: keys the HMAC of phone numbers and one-time codes at rest; a
      random per-process key when FAIRDUE_SECRET_KEY is unset (codes then do
      not survive a restart, which is fine for the demo).
    session_ttl_s / code_ttl_s: lifetimes of a session and of a one-time code.
    cookie_secure: set the Secure flag (behind TLS in production).
    """

    secret_key: bytes = field(default_factory=lambda: secrets.token_bytes(32))
    session_ttl_s: int = 8 * 3600
    code_ttl_s: int = 300
    cookie_secure: bool = False

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> WebConfig:
        import os

        env = os.environ if environ is None else environ
        key = env.get("FAIRDUE_SECRET_KEY")
        cfg = cls(cookie_secure=env.get("FAIRDUE_COOKIE_SECURE") == "1")
        if key:
            cfg.secret_key = key.encode("utf-8")
        return cfg


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
    app = FastAPI(
        title="fairdue",
        version="1",
        summary="Servicing and lawful collection of installment credit.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        responses=problems.PROBLEM_RESPONSES,
    )
    app.state.core = core
    app.state.web = web_config or WebConfig.from_env()
    app.state.cipher = core.cipher
    app.state.templates = make_templates()
    app.state.render_problem = _render_problem
    problems.install(app)

    wiring.install(app)

    @app.middleware("http")
    async def _language(request: Request, call_next):
        request.state.lang = i18n.negotiate(
            request.cookies.get(i18n.LANG_COOKIE), request.headers.get("accept-language")
        )
        response = await call_next(request)
        response.headers.setdefault("Content-Language", request.state.lang)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith(f"{API_PREFIX}/docs"):
            # Everything is served from here: vendored scripts, no CDN, no inline eval.
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                "script-src 'self'; frame-ancestors 'none'",
            )
        return response

    static_dir = str(importlib.resources.files("fairdue.web").joinpath("static"))
    app.mount("/static", StaticFiles(directory=static_dir), name="static")

    app.include_router(api_router, prefix=API_PREFIX)
    app.include_router(pages_router)

    @app.get("/lang/{lang}", include_in_schema=False)
    def _set_language(lang: str, request: Request) -> Response:
        back = request.headers.get("referer") or "/"
        if not back.startswith(str(request.base_url)):
            back = "/"
        response = RedirectResponse(back, status_code=303)
        if lang in i18n.LANGUAGES:
            response.set_cookie(i18n.LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    return app


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
