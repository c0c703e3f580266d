"""Bounds on how many parts a form may have (issue 16, OWASP ASVS 4.0 V13.1.x, V5.1.x).

A form body within the byte limits (fairdue.web.transport) can still hold tens of thousands of tiny fields or
files, each of which the parser turns into an object (and a file a spooled temporary file). Starlette's own bounds
are 1000 of each. Every form post is checked here before any route, dependency or CSRF check reads it: the body
(already bounded in bytes by the transport middleware, which sits outside this one) is parsed once with
`request.form(max_files=FORM_FILES_MAX, max_fields=FORM_FIELDS_MAX)`; a form past either bound is refused with
413 and a zh/en sentence (`form.too_many_parts`) and no route sees it. A form within them is handed on unchanged.
The CSRF check (fairdue.web.auth) and the complaint upload (fairdue.web.pages.portal) pass the same or tighter
bounds when they parse.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fairdue.web import problems
from fairdue.web.i18n import translate

FORM_FIELDS_MAX = 64  # the largest form of the console or portal has fewer than 20 fields
FORM_FILES_MAX = 8  # the complaint form takes 3 evidence files
FORM_CONTENT_TYPES = (b"application/x-www-form-urlencoded", b"multipart/form-data")
FORM_REFUSED_STATUS = 413
_TOO_MANY = "Too many"  # Starlette's MultiPartException messages for the bounds ("Too many fields/files ...")


def _content_type(scope: Scope) -> bytes:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bytes(value).lower()
    return b""


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` giving the already-read body once, then the client's own messages (a disconnect)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def bounded_form(request: Request) -> FormData:
    """The request's form, parsed within FORM_FILES_MAX and FORM_FIELDS_MAX (what every parse here uses)."""
    return await request.form(max_files=FORM_FILES_MAX, max_fields=FORM_FIELDS_MAX)


async def _over_bounds(scope: Scope, body: bytes, receive: Receive) -> bool:
    """Whether the form in `body` has more parts than the bounds allow (a malformed one is left to the route)."""
    try:
        form = await bounded_form(Request(scope, _replay(body, receive)))
    except (HTTPException, MultiPartException) as err:
        message = str(getattr(err, "detail", None) or getattr(err, "message", ""))
        return message.startswith(_TOO_MANY)
    await form.close()
    return False


class FormLimitsMiddleware:
    """Refuse a form post with more parts than FORM_FIELDS_MAX / FORM_FILES_MAX (413) before the app reads it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _content_type(scope).startswith(FORM_CONTENT_TYPES):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            body = await request.body()
        except HTTPException as err:  # the transport's byte limit or NUL check, raised while reading
            await self._refuse(scope, receive, send, err.status_code, str(err.detail))
            return
        if await _over_bounds(scope, body, receive):
            lang = request.state.lang if hasattr(request.state, "lang") else "en"
            await self._refuse(scope, receive, send, FORM_REFUSED_STATUS, translate(lang, "form.too_many_parts"))
            return
        await self.app(scope, _replay(body, receive), send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, detail: str) -> None:
        request = Request(scope, receive)
        slug = "content-too-large" if status == FORM_REFUSED_STATUS else "invalid-request"
        body = problems.problem_body(status=status, slug=slug, detail=detail, instance=request.url.path)
        response = problems.problem_response(request, body)
        await response(scope, receive, send)
