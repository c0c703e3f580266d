"""Email over real SMTP (smtplib), delivered at most once per idempotency key.

Exactly-once effect: the Message-ID is derived from the idempotency key
(`<KEY@domain>`), so the same outbox row always produces the same message,
and a sent-ledger records the key as soon as the server accepts the message.
A second call with a recorded key sends nothing. What remains is the gap
between the server's "250 OK" and the ledger write (milliseconds, in this
process): a crash exactly there can still duplicate; the stable Message-ID
lets the receiving side recognise such a duplicate.
"""

from __future__ import annotations

import smtplib
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Callable

from fairdue.adapters.channels.base import (
    DecisionSource,
    OutboundMessage,
    PermanentSendError,
    SendResult,
    SentLedger,
    TransientSendError,
    require_allowing_decision,
)

SMTP_TIMEOUT_S = 10.0


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """host/port of the SMTP server; sender: the From address; domain: right side of Message-IDs;
    starttls/username/password: optional, for a real relay."""

    host: str
    port: int
    sender: str
    domain: str = "fairdue.invalid"
    starttls: bool = False
    username: str | None = None
    password: str | None = None
    timeout_s: float = SMTP_TIMEOUT_S


def message_id_for(key: str, domain: str) -> str:
    return f"<{key}@{domain}>"


class SmtpEmailAdapter:
    """Sends allowed email through an SMTP server."""

    channel = "email"

    def __init__(self, settings: SmtpSettings, *, decisions: DecisionSource, ledger: SentLedger,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.settings = settings
        self.decisions = decisions
        self.ledger = ledger
        self.clock = clock

    def build(self, message: OutboundMessage, *, idempotency_key: str) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = message.recipient_address
        email["Subject"] = message.subject or ("账户提醒" if message.language == "zh" else "Account notice")
        email["Message-ID"] = message_id_for(idempotency_key, self.settings.domain)
        email["Date"] = format_datetime(self.clock())
        email["Content-Language"] = message.language
        email.set_content(message.body)
        return email

    def send(self, message: OutboundMessage, *, idempotency_key: str) -> SendResult:
        require_allowing_decision(self.decisions, message, channel=self.channel)
        already = self.ledger.get(idempotency_key)
        if already is not None:
            return SendResult(provider_message_id=already, duplicate=True)
        email = self.build(message, idempotency_key=idempotency_key)
        s = self.settings
        try:
            with smtplib.SMTP(s.host, s.port, timeout=s.timeout_s) as smtp:
                if s.starttls:
                    smtp.starttls()
                if s.username:
                    smtp.login(s.username, s.password or "")
                refused = smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as err:
            raise PermanentSendError(f"SMTP server refused the recipient: {err.recipients}") from err
        except smtplib.SMTPResponseException as err:
            if 500 <= err.smtp_code < 600:
                raise PermanentSendError(f"SMTP {err.smtp_code}: {err.smtp_error!r}") from err
            raise TransientSendError(f"SMTP {err.smtp_code}: {err.smtp_error!r}") from err
        except (smtplib.SMTPException, OSError, socket.timeout) as err:
            raise TransientSendError(f"SMTP server unavailable: {err}") from err
        if refused:
            raise PermanentSendError(f"SMTP server refused recipients: {sorted(refused)}")
        provider_id = email["Message-ID"]
        self.ledger.record(idempotency_key, channel=self.channel, provider_message_id=provider_id,
                           sent_at=self.clock())
        return SendResult(provider_message_id=provider_id)
