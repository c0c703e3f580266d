"""Transport safety as one pure ASGI middleware (no BaseHTTPMiddleware: it copies every response through a task).

On every HTTP request, before any route or body parser runs:
* the body is refused with 413 when it is larger than its named limit (`Content-Length` checked up front, a
  streamed body counted as it arrives): `json_bytes_max` for anything but multipart, `upload_bytes_max` for
  `multipart/form-data` (the complaint evidence form), whoever is asking and however they authenticate;
* a NUL character in the path or query (raw or `%00`), or in a JSON or form-encoded body (`\\u0000`, `%00`),
  is refused with 422: PostgreSQL cannot store one, and no field of ours has a use for it;
* the reply gets the language negotiated from the cookie / Accept-Language, the security headers (CSP,
  nosniff, Referrer-Policy, frame-ancestors), HSTS unless the development switch for plain HTTP is on, and
  `Cache-Control: no-store` on everything but the vendored static files (a reply to an authenticated request
  always, whatever the route set).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.exceptions import HTTPException

from fairdue.web import i18n

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_BYTES_MAX = 1024 * 1024  # 1 MiB: the largest JSON or form body any route takes
UPLOAD_BYTES_MAX = 8 * 1024 * 1024  # three 2 MiB evidence files plus the form's own fields and framing
HSTS_MAX_AGE_S = 365 * 86400
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
NUL_MARKERS_JSON = (b"\x00", b"\\u0000")  # a NUL as JSON text carries it: raw, or escaped
NUL_MARKERS_FORM = (b"\x00", b"%00")  # form-encoded: raw, or percent-encoded
STATIC_PREFIX = "/static/"
PROBLEM_MEDIA_TYPE = b"application/problem+json"


class BodyTooLarge(HTTPException):
    """The request body is over its limit (raised from `receive` while a route reads a streamed body)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


@dataclass(frozen=True, slots=True)
class TransportConfig:
    """hsts: send Strict-Transport-Security (off under the development switch for plain HTTP);
    json_bytes_max / upload_bytes_max: the body limits; session_cookie: the session cookie's name (a request
    carrying it, or an Authorization header, is an authenticated one)."""

    hsts: bool
    session_cookie: str
    json_bytes_max: int = JSON_BYTES_MAX
    upload_bytes_max: int = UPLOAD_BYTES_MAX


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return None


def _cookies(scope: Scope) -> dict[str, str]:
    raw = _header(scope, b"cookie")
    if not raw:
        return {}
    out: dict[str, str] = {}
    for part in raw.decode("latin-1").split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out.setdefault(name, value)
    return out


def _problem(status: int, detail: str, path: str) -> tuple[dict[str, Any], bytes]:
    slug = {413: "payload-too-large", 422: "invalid-request"}[status]
    title = {413: "Content Too Large", 422: "Unprocessable Content"}[status]
    body = {"type": f"urn:fairdue:problem:{slug}", "title": title, "status": status, "detail": detail}
    body["instance"] = path
    return body, json.dumps(body).encode("utf-8")


class TransportMiddleware:
    """Body limits and NUL refusal before parsing; language, security and cache headers on every reply."""

    def __init__(self, app: ASGIApp, *, config: TransportConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies = _cookies(scope)
        lang = i18n.negotiate(cookies.get(i18n.LANG_COOKIE), _text(_header(scope, b"accept-language")))
        scope.setdefault("state", {})["lang"] = lang
        authenticated = _header(scope, b"authorization") is not None or self.config.session_cookie in cookies
        send = self._headers_on(send, scope["path"], lang, authenticated)
        refusal = self._refusal(scope)
        if refusal is not None:
            await _send_problem(send, *refusal, scope["path"])
            return
        limit = self._limit(scope)
        await self.app(scope, _counted(receive, limit, _nul_markers(scope)), send)

    def _limit(self, scope: Scope) -> int:
        content_type = (_header(scope, b"content-type") or b"").lower()
        if content_type.startswith(b"multipart/form-data"):
            return self.config.upload_bytes_max
        return self.config.json_bytes_max

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        """(status, detail) when the request is refused before the app sees it."""
        raw_path = scope.get("raw_path") or scope["path"].encode("utf-8", "surrogateescape")
        target = bytes(raw_path) + b"?" + bytes(scope.get("query_string", b""))
        if "\x00" in scope["path"] or any(m in target.lower() for m in (b"\x00", b"%00")):
            return 422, "the request contains a NUL character"
        declared = _header(scope, b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                return 422, "Content-Length is not a number"
            limit = self._limit(scope)
            if size > limit:
                return 413, f"the request body is larger than {limit} bytes"
        return None

    def _headers_on(self, send: Send, path: str, lang: str, authenticated: bool) -> Send:
        hsts = self.config.hsts
        static = path.startswith(STATIC_PREFIX)

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {bytes(k).lower() for k, _v in headers}

                def default(name: bytes, value: str) -> None:
                    if name not in present:
                        headers.append((name, value.encode("latin-1")))

                default(b"content-language", lang)
                default(b"x-content-type-options", "nosniff")
                default(b"referrer-policy", "same-origin")
                default(b"content-security-policy", CSP)
                if hsts:
                    default(b"strict-transport-security", f"max-age={HSTS_MAX_AGE_S}; includeSubDomains")
                if authenticated:
                    headers = [(k, v) for k, v in headers if bytes(k).lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                elif not static:
                    default(b"cache-control", "no-store")
                message["headers"] = headers
            await send(message)

        return wrapped


def _text(raw: bytes | None) -> str | None:
    return raw.decode("latin-1") if raw is not None else None


def _nul_markers(scope: Scope) -> tuple[bytes, ...]:
    """What a NUL looks like in this request's body (nothing for multipart: a file may hold any byte)."""
    content_type = (_header(scope, b"content-type") or b"").lower()
    if content_type.startswith(b"application/x-www-form-urlencoded"):
        return NUL_MARKERS_FORM
    if content_type.startswith(b"multipart/"):
        return ()
    return NUL_MARKERS_JSON


def _counted(receive: Receive, limit: int, markers: tuple[bytes, ...]) -> Receive:
    """`receive` that raises BodyTooLarge past `limit` bytes, and refuses a NUL in a JSON or form body."""
    seen = 0
    tail = b""

    async def wrapped() -> Message:
        nonlocal seen, tail
        message = await receive()
        if message["type"] == "http.request":
            chunk = bytes(message.get("body", b""))
            seen += len(chunk)
            if seen > limit:
                raise BodyTooLarge(limit)
            if markers:
                window = tail + chunk
                if any(marker in window for marker in markers):
                    raise HTTPException(422, "the request contains a NUL character")
                tail = window[-5:]
        return message

    return wrapped


async def _send_problem(send: Send, status: int, detail: str, path: str) -> None:
    _body, payload = _problem(status, detail, path)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", PROBLEM_MEDIA_TYPE), (b"content-length", str(len(payload)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": payload})
