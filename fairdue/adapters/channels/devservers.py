"""Local stand-ins for the outside world, on 127.0.0.1: an SMTP server and an HTTP message provider.

Used by the tests and the demo; nothing here is reachable beyond the loopback
interface. The stub provider honours Idempotency-Key exactly as fairdue
requires of a real provider (a repeated key returns the first message id and
delivers nothing; GET /v1/messages?idempotency_key= looks one up), can be told to fail or stall, and produces signed delivery
receipts. The SMTP server (aiosmtpd, a development dependency) keeps every
message it accepted and can be told to answer 451 for a while; given a
`log_path` it also writes a relay mail log (a `message-id=<…>` line per
accepted message, flushed to disk before it answers 250), the shape
fairdue.adapters.channels.email.MailLogRelayLog reconciles against.
"""

from __future__ import annotations

import asyncio
import email
import email.header
import json
import os
import socket
import threading
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from fairdue.adapters.channels.http_provider import IDEMPOTENCY_HEADER, SIGNATURE_HEADER, sign

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


# -- HTTP provider stub ------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ProviderDelivery:
    id: str
    key: str
    channel: str
    to: str
    text: str


class StubProvider:
    """An SMS/voice/push provider on 127.0.0.1 that dedupes on Idempotency-Key."""

    def __init__(self, *, api_key: str = "test-key", receipt_secret: bytes = b"receipt-secret"):
        self.api_key = api_key
        self.receipt_secret = receipt_secret
        self.lock = threading.Lock()
        self.deliveries: list[ProviderDelivery] = []
        self.by_key: dict[str, str] = {}
        self.requests = 0
        self._fail: list[int] = []  # status codes to answer, one per coming request
        self._stall: list[float] = []  # seconds to sleep (then deliver), one per coming request
        self._receipts: list[tuple[bytes, str]] = []
        self._server = ThreadingHTTPServer((LOOPBACK, 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self._server.server_address[1]}"

    def start(self) -> StubProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> StubProvider:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def fail_next(self, count: int, status: int = 503) -> None:
        with self.lock:
            self._fail.extend([status] * count)

    def stall_next(self, count: int, seconds: float) -> None:
        """The next `count` requests are delivered only after `seconds` (the client may time out first)."""
        with self.lock:
            self._stall.extend([seconds] * count)

    def take_receipts(self) -> list[tuple[bytes, str]]:
        """Signed webhook bodies (body, signature) produced since the last call."""
        with self.lock:
            out, self._receipts = self._receipts, []
        return out

    def delivered_keys(self) -> list[str]:
        with self.lock:
            return [d.key for d in self.deliveries]

    def _accept(self, key: str, body: dict) -> tuple[int, dict]:
        with self.lock:
            self.requests += 1
            if self._fail:
                return self._fail.pop(0), {"error": "injected failure"}
            stall = self._stall.pop(0) if self._stall else 0.0
        if stall:
            time.sleep(stall)
        with self.lock:
            if key in self.by_key:
                return 200, {"id": self.by_key[key], "duplicate": True}
            message_id = f"pm-{len(self.deliveries) + 1:06d}"
            self.by_key[key] = message_id
            self.deliveries.append(
                ProviderDelivery(message_id, key, str(body.get("channel")), str(body.get("to")), str(body.get("text")))
            )
            receipt = json.dumps(
                {"id": message_id, "status": "delivered", "occurred_at": datetime.now(UTC).isoformat()}
            ).encode()
            self._receipts.append((receipt, sign(receipt, self.receipt_secret)))
            return 202, {"id": message_id, "duplicate": False}

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _reply(self, status: int, payload: dict) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    pass

            def do_GET(self) -> None:
                """Lookup by idempotency key: 200 with the message id, or 404."""
                path, _, query = self.path.partition("?")
                if path != "/v1/messages":
                    return self._reply(404, {"error": "not found"})
                if self.headers.get("Authorization") != f"Bearer {stub.api_key}":
                    return self._reply(401, {"error": "bad api key"})
                key = urllib.parse.parse_qs(query).get("idempotency_key", [""])[0]
                with stub.lock:
                    message_id = stub.by_key.get(key)
                if message_id is None:
                    return self._reply(404, {"error": "no message under this key"})
                return self._reply(200, {"id": message_id})

            def do_POST(self) -> None:
                if self.path != "/v1/messages":
                    return self._reply(404, {"error": "not found"})
                if self.headers.get("Authorization") != f"Bearer {stub.api_key}":
                    return self._reply(401, {"error": "bad api key"})
                key = self.headers.get(IDEMPOTENCY_HEADER)
                if not key:
                    return self._reply(400, {"error": f"{IDEMPOTENCY_HEADER} required"})
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length))
                except ValueError:
                    return self._reply(400, {"error": "bad json"})
                if not body.get("to") or not body.get("text"):
                    return self._reply(422, {"error": "to and text required"})
                status, payload = stub._accept(key, body)
                self._reply(status, payload)

        return Handler


# -- SMTP server -----------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message_id: str
    subject: str
    body: str


class LocalSmtpServer:
    """aiosmtpd on 127.0.0.1 keeping every accepted message; `refuse_next(n)` answers 451 n times.
    log_path: write a relay mail log there (see the module docstring)."""

    def __init__(self, *, log_path: str | os.PathLike | None = None) -> None:
        from aiosmtpd.controller import Controller  # development dependency

        self.lock = threading.Lock()
        self.messages: list[ReceivedMail] = []
        self._refuse = 0
        self._stall: list[float] = []  # seconds to wait before accepting, one per coming message
        self.log_path = log_path
        self.port = free_port()
        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                with server.lock:
                    if server._refuse > 0:
                        server._refuse -= 1
                        return "451 4.3.0 try again later (injected)"
                    stall = server._stall.pop(0) if server._stall else 0.0
                if stall:
                    await asyncio.sleep(stall)
                parsed = email.message_from_bytes(envelope.original_content or envelope.content)
                # decode=True gives bytes (None for a multipart message)
                payload = cast(bytes, parsed.get_payload(decode=True) or b"")
                charset = parsed.get_content_charset() or "utf-8"
                mail = ReceivedMail(
                    mail_from=envelope.mail_from,
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    message_id=str(parsed.get("Message-ID", "")),
                    subject=str(email.header.make_header(email.header.decode_header(parsed.get("Subject", "")))),
                    body=payload.decode(charset, "replace"),
                )
                with server.lock:
                    server.messages.append(mail)
                    if server.log_path is not None:
                        with open(server.log_path, "ab") as log:
                            log.write(
                                f"{datetime.now(UTC).isoformat()} smtpd: message-id={mail.message_id} "
                                f"to=<{','.join(mail.rcpt_tos)}> status=accepted\n".encode()
                            )
                            log.flush()
                            os.fsync(log.fileno())
                return "250 OK"

        self._controller = Controller(Handler(), hostname=LOOPBACK, port=self.port)

    def start(self) -> LocalSmtpServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> LocalSmtpServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def refuse_next(self, count: int) -> None:
        with self.lock:
            self._refuse += count

    def stall_next(self, count: int, seconds: float) -> None:
        """The next `count` messages are accepted only after `seconds` (the sender waits for the 250)."""
        with self.lock:
            self._stall.extend([seconds] * count)

    def received(self) -> list[ReceivedMail]:
        with self.lock:
            return list(self.messages)


__all__ = ["SIGNATURE_HEADER", "LocalSmtpServer", "ProviderDelivery", "ReceivedMail", "StubProvider", "free_port"]
