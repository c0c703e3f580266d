"""Errors as RFC 9457 problem details (`application/problem+json`).

Every error the web layer returns — validation, auth, not found, refused
operation, even an unexpected bug — is one shape:
`{"type", "title", "status", "detail", "instance", ...extensions}`.
Pages asked for by a browser get the same facts rendered as HTML.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from fairdue import errors
from fairdue.adapters.db.input_errors import UNSTORABLE_ERRORS, is_unstorable_value
from fairdue.errors import FairdueError
from fairdue.web.i18n import translate

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_PREFIX = "urn:fairdue:problem:"
log = logging.getLogger("fairdue.web")


class Problem(FairdueError):
    """A refused request with an HTTP status and a stable slug; raise it from routes or services."""

    status = 400
    slug = "bad-request"

    def __init__(self, detail: str, *, status: int | None = None, slug: str | None = None, **extensions: Any):
        super().__init__(detail)
        self.detail = detail
        if status is not None:
            self.status = status
        if slug is not None:
            self.slug = slug
        self.extensions = extensions


class NotFound(Problem):
    """The thing does not exist, or exists but is not yours (same answer: no leak)."""

    status = 404
    slug = "not-found"


class Forbidden(Problem):
    """Authenticated, but the role or the data's owner does not allow it; `reason` says why."""

    status = 403
    slug = "forbidden"


class Unauthenticated(Problem):
    """No valid session."""

    status = 401
    slug = "unauthenticated"


class Conflict(Problem):
    """The request collides with the current state (duplicate, concurrent idempotent request)."""

    status = 409
    slug = "conflict"


class TooManyRequests(Problem):
    """A named limit was hit (login codes, attempts)."""

    status = 429
    slug = "too-many-requests"


# The one place a kind of refusal (fairdue/errors.py) becomes an HTTP status, and the slug a
# route answers with when it turns a service error into a plain problem. Most specific first:
# an error with two bases answers with the first row it matches.
STATUS_OF_BASE: tuple[tuple[type[FairdueError], int, str], ...] = (
    (errors.NotFound, 404, "not-found"),
    (errors.Forbidden, 403, "forbidden"),
    (errors.Unauthenticated, 401, "unauthenticated"),
    (errors.RateLimited, 429, "too-many-requests"),
    (errors.Conflict, 409, "conflict"),
    (errors.Invalid, 422, "invalid-request"),
)
UNCLASSIFIED_STATUS = 422  # a FairdueError with no semantic base is still the caller's refusal


def status_for(err: FairdueError) -> int:
    """The HTTP status of an expected error: its own for a `Problem`, else its semantic base's."""
    if isinstance(err, Problem):
        return err.status
    for base, status, _slug in STATUS_OF_BASE:
        if isinstance(err, base):
            return status
    return UNCLASSIFIED_STATUS


def problem_from(err: FairdueError, **extensions: Any) -> Problem:
    """The error as a plain problem of its kind (`not-found`, `conflict`, ...), its message as the detail."""
    for base, status, slug in STATUS_OF_BASE:
        if isinstance(err, base):
            return Problem(str(err), status=status, slug=slug, **extensions)
    return Problem(str(err), status=UNCLASSIFIED_STATUS, slug="invalid-request", **extensions)


def problem_body(
    *, status: int, slug: str, detail: str, instance: str, title: str | None = None, **extensions: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_PREFIX + slug,
        "title": title or _title(status),
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    body.update(extensions)
    return body


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _wants_html(request: Request) -> bool:
    if request.url.path.startswith("/api/"):
        return False
    if request.headers.get("hx-request"):
        return True
    accept = request.headers.get("accept", "")
    return "text/html" in accept


def problem_response(request: Request, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    """JSON problem for API clients; an HTML page with the same facts for browsers."""
    if _wants_html(request):
        render = getattr(request.app.state, "render_problem", None)
        if render is not None:
            return render(request, body, headers)
    return JSONResponse(body, status_code=body["status"], media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(part) for part in err.get("loc", ())]
        errors.append({"loc": loc, "msg": str(err.get("msg", "invalid")), "type": str(err.get("type", ""))})
    return errors


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> Response:
        detail, extensions = _trimmed(request, exc)
        retry = extensions.get("retry_after_s")  # a 429 or 503 says when to come back, in the header too
        return problem_response(
            request,
            problem_body(status=exc.status, slug=exc.slug, detail=detail, instance=request.url.path, **extensions),
            headers={"Retry-After": str(retry)} if isinstance(retry, int) else None,
        )

    @app.exception_handler(FairdueError)
    async def _fairdue(request: Request, exc: FairdueError) -> Response:
        # An expected refusal from the service layer, answered with its semantic base's status. The type
        # is named after the class, unless the class keeps an older name in `slug`. A class with a
        # `message_key` answers with that sentence in the caller's language (zh/en, web/messages.toml) and its
        # `reason` code, and nothing else: the service's own wording goes to the server log.
        detail, extensions = _service_detail(request, exc)
        return problem_response(
            request,
            problem_body(
                status=status_for(exc),
                slug=getattr(exc, "slug", None) or _slug(type(exc).__name__),
                detail=detail,
                instance=request.url.path,
                **extensions,
            ),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(p for p in first["loc"] if p not in ("body",)) or "request"
        detail = f"{where}: {first['msg']}"
        if len(errors) > 1:
            detail += f" (and {len(errors) - 1} more)"
        return problem_response(
            request,
            problem_body(status=422, slug="invalid-request", detail=detail, instance=request.url.path, errors=errors),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else _title(exc.status_code)
        slug = {404: "not-found", 405: "method-not-allowed", 401: "unauthenticated", 403: "forbidden"}.get(
            exc.status_code, _slug(_title(exc.status_code))
        )
        return problem_response(
            request,
            problem_body(status=exc.status_code, slug=slug, detail=detail, instance=request.url.path),
            headers=getattr(exc, "headers", None),
        )

    for error_class in UNSTORABLE_ERRORS:
        app.add_exception_handler(error_class, _unstorable)
    app.add_exception_handler(Exception, _bug)


def _service_detail(request: Request, exc: FairdueError) -> tuple[str, dict[str, Any]]:
    """(detail, extensions) of a service-layer refusal: its message, or its `message_key` translated."""
    key = getattr(exc, "message_key", None)
    if not isinstance(key, str):
        return str(exc) or type(exc).__name__, {}
    log.info("%d on %s %s: %s", status_for(exc), request.method, request.url.path, exc)
    reason = getattr(exc, "reason", None)
    return translate(getattr(request.state, "lang", "en"), key), ({"reason": reason} if reason else {})


async def _unstorable(request: Request, exc: Exception) -> Response:
    # A value out of what the database or the calendar holds (a NUL on PostgreSQL, a huge number, a far date):
    # the caller's input, refused as 422 on every route (ASVS V5.1.x); the detail stays in the server log.
    log.warning("unstorable value on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(
        request,
        problem_body(status=422, slug="invalid-request", detail=UNSTORABLE_DETAIL, instance=request.url.path),
    )


async def _bug(request: Request, exc: Exception) -> Response:
    if is_unstorable_value(exc):  # raised from one (wrapped): the same answer
        return await _unstorable(request, exc)
    # A bug: keep the traceback in the server log, never in the response.
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        request,
        problem_body(
            status=500, slug="internal-error", detail="internal error; it has been logged", instance=request.url.path
        ),
    )


# Extensions a 403 never carries: which roles exist and who holds which is for the server log (ASVS V4.1.x).
FORBIDDEN_EXTENSIONS_DROPPED = frozenset({"roles_needed", "roles_held"})
FORBIDDEN_ROLE_DETAIL = "your role does not allow this"
UNSTORABLE_DETAIL = "a value in the request is out of range or cannot be stored"


def _trimmed(request: Request, exc: Problem) -> tuple[str, dict[str, Any]]:
    """(detail, extensions) as answered: a role refusal names neither the roles needed nor those held."""
    if exc.status != 403:
        return exc.detail, exc.extensions
    extensions = {k: v for k, v in exc.extensions.items() if k not in FORBIDDEN_EXTENSIONS_DROPPED}
    if exc.extensions.get("reason") == "role":
        log.info("403 on %s %s: %s", request.method, request.url.path, exc.detail)
        return FORBIDDEN_ROLE_DETAIL, extensions
    return exc.detail, extensions


def _slug(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i and not name[i - 1].isupper():
            out.append("-")
        out.append(ch.lower() if ch.isalnum() else "-")
    return "".join(out).strip("-").replace("--", "-")


# Declared on every route in the OpenAPI document, so clients (and the fuzzer)
# know that any error comes back as a problem.
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
    "additionalProperties": True,
}
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": desc, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_SCHEMA}}}
    for code, desc in [
        ("4XX", "Client error as RFC 9457 problem details"),
        ("5XX", "Server error as RFC 9457 problem details"),
    ]
}
