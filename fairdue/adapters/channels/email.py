"""Email over real SMTP (smtplib), delivered at most once per idempotency key — and never silently lost.

SMTP has no idempotency key. The Message-ID is derived from the key (`<KEY@domain>`), so an outbox row
always produces the same message, and the adapter keeps two durable records (each committed at once):

1. before the DATA command — before connecting, in fact — a handover row in state `in_flight`
   (fairdue.adapters.db.schema.handovers);
2. as soon as the server answers 250 to the message, the key in the sent-ledger (and the handover
   moves to `accepted`).

A later call with the key then knows where the earlier one stopped:

* in the sent-ledger: nothing is sent; the first Message-ID is returned (`duplicate=True`);
* handover `failed` (the server refused before or at DATA) or `resend` (reconciled as not delivered):
  sent again, a new handover;
* handover `in_flight` or `unknown`: the earlier attempt died between DATA and the ledger write (the
  crash window). It is reconciled by Message-ID against the relay's log when one is configured
  (`relay_log`, e.g. `MailLogRelayLog`): found -> recorded as delivered, nothing sent; not found ->
  sent again. Without a relay log the handover becomes `unknown` and `DeliveryUnknown` is raised: the
  dispatcher parks the message in the explicit outbox status `unknown`, counted by `fairdue outbox
  status`, until an operator decides (fairdue.service.contact.dispatcher.resolve_unknown).

A dropped line or timeout *after* DATA is the same ambiguity and gets the same treatment; failures
before DATA, and any SMTP reply code, are certain and keep the ordinary retry / permanent rules.
"""

from __future__ import annotations

import contextlib
import email.policy
import pathlib
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from fairdue.adapters.channels.base import (
    DecisionSource,
    DeliveryUnknown,
    HandoverLedger,
    OutboundMessage,
    PermanentSendError,
    Reconciled,
    RelayLog,
    SendResult,
    TransientSendError,
    require_allowing_decision,
)

SMTP_TIMEOUT_S = 10.0
RELAY_LOG_BYTES_MAX = 256 * 1024 * 1024  # a larger log is not scanned: the answer is "cannot tell"
RESENDABLE = ("failed", "resend")
IN_DOUBT = ("in_flight", "unknown")


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


class MailLogRelayLog:
    """A relay's mail log on a file system we can read, searched for `message-id=<…>` (Postfix's
    cleanup line has that shape). Assumes the relay logs a message before answering 250 to it."""

    def __init__(self, path: str | pathlib.Path):
        self.path = pathlib.Path(path)

    def accepted(self, message_id: str) -> bool | None:
        needle = f"message-id={message_id}".encode()
        try:
            if self.path.stat().st_size > RELAY_LOG_BYTES_MAX:
                return None
            data = self.path.read_bytes()
        except OSError:
            return None
        return needle in data


class SmtpEmailAdapter:
    """Sends allowed email through an SMTP server.

    after_accept: test hook, called with the outbox id after the server's 250 and before the ledger
    write — the exact window a crash used to turn into a duplicate."""

    channel = "email"

    def __init__(
        self,
        settings: SmtpSettings,
        *,
        decisions: DecisionSource,
        ledger: HandoverLedger,
        relay_log: RelayLog | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        after_accept: Callable[[int], None] | None = None,
    ):
        self.settings = settings
        self.decisions = decisions
        self.ledger = ledger
        self.relay_log = relay_log
        self.clock = clock
        self.after_accept = after_accept

    def build(self, message: OutboundMessage, *, idempotency_key: str) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.sender
        mail["To"] = message.recipient_address
        mail["Subject"] = message.subject or ("账户提醒" if message.language == "zh" else "Account notice")
        mail["Message-ID"] = message_id_for(idempotency_key, self.settings.domain)
        mail["Date"] = format_datetime(self.clock())
        mail["Content-Language"] = message.language
        mail.set_content(message.body)
        return mail

    # -- reconciliation ----------------------------------------------------------------
    def reconcile(self, message: OutboundMessage, *, idempotency_key: str) -> Reconciled | None:
        """Where an earlier handover of this key stands, settling it where the relay log can;
        None when nothing was ever handed over."""
        sent = self.ledger.get(idempotency_key)
        if sent is not None:
            return Reconciled("delivered", sent)
        handover = self.ledger.handover(idempotency_key)
        if handover is None:
            return None
        if handover.state in ("accepted", "confirmed"):
            self.ledger.record(
                idempotency_key, channel=self.channel, provider_message_id=handover.message_id, sent_at=self.clock()
            )
            return Reconciled("delivered", handover.message_id)
        if handover.state in RESENDABLE:
            return Reconciled("not_delivered")
        verdict = self.relay_log.accepted(handover.message_id) if self.relay_log is not None else None
        now = self.clock()
        if verdict is True:
            self.ledger.record(
                idempotency_key, channel=self.channel, provider_message_id=handover.message_id, sent_at=now
            )
            self.ledger.settle_handover(
                idempotency_key,
                state="confirmed",
                at=now,
                by="relay-log",
                note=f"{handover.message_id} found in the relay log",
            )
            return Reconciled("delivered", handover.message_id)
        if verdict is False:
            self.ledger.settle_handover(
                idempotency_key,
                state="resend",
                at=now,
                by="relay-log",
                note=f"{handover.message_id} not in the relay log",
            )
            return Reconciled("not_delivered")
        if handover.state != "unknown":
            self.ledger.settle_handover(
                idempotency_key,
                state="unknown",
                at=now,
                note="found in flight (the sender stopped between DATA and the ledger "
                "write); no relay log to reconcile it",
            )
        return Reconciled("unknown")

    # -- sending ---------------------------------------------------------------------------
    def send(self, message: OutboundMessage, *, idempotency_key: str) -> SendResult:
        require_allowing_decision(self.decisions, message, channel=self.channel)
        mail = self.build(message, idempotency_key=idempotency_key)
        message_id = mail["Message-ID"]
        earlier = self.reconcile(message, idempotency_key=idempotency_key)
        state = earlier.state if earlier is not None else None
        if earlier is not None and state == "delivered":
            return SendResult(provider_message_id=earlier.provider_message_id or message_id, duplicate=True)
        if state == "unknown":
            raise DeliveryUnknown(
                f"outbox {message.outbox_id}: {message_id} may already have been accepted by the "
                "SMTP server; not resending without reconciliation or an operator's decision"
            )
        self.ledger.begin_handover(
            idempotency_key, outbox_id=message.outbox_id, channel=self.channel, message_id=message_id, at=self.clock()
        )
        try:
            self._transmit(mail)
        except DeliveryUnknown as err:
            self.ledger.settle_handover(idempotency_key, state="unknown", at=self.clock(), note=str(err)[:1000])
            raise DeliveryUnknown(f"outbox {message.outbox_id}: {err}") from err
        except (TransientSendError, PermanentSendError) as err:
            self.ledger.settle_handover(idempotency_key, state="failed", at=self.clock(), note=str(err)[:1000])
            raise
        if self.after_accept is not None:
            self.after_accept(message.outbox_id)
        now = self.clock()
        self.ledger.record(idempotency_key, channel=self.channel, provider_message_id=message_id, sent_at=now)
        self.ledger.settle_handover(idempotency_key, state="accepted", at=now)
        return SendResult(provider_message_id=message_id)

    def _transmit(self, mail: EmailMessage) -> None:
        """One SMTP session. Raises Transient/PermanentSendError when the server surely does not have the
        message, DeliveryUnknown when the line failed after DATA began."""
        s = self.settings
        data = mail.as_bytes(policy=email.policy.SMTP)
        try:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout_s)
        except (smtplib.SMTPException, OSError) as err:
            raise TransientSendError(f"SMTP server unavailable: {err}") from err
        try:
            try:
                smtp.ehlo_or_helo_if_needed()
                if s.starttls:
                    smtp.starttls()
                    smtp.ehlo()
                if s.username:
                    smtp.login(s.username, s.password or "")
                code, reply = smtp.mail(s.sender)
                if code != 250:
                    raise smtplib.SMTPSenderRefused(code, reply, s.sender)
                code, reply = smtp.rcpt(str(mail["To"]))
                if code not in (250, 251):
                    raise smtplib.SMTPRecipientsRefused({str(mail["To"]): (code, reply)})
            except smtplib.SMTPRecipientsRefused as err:
                raise PermanentSendError(f"SMTP server refused the recipient: {err.recipients}") from err
            except smtplib.SMTPResponseException as err:
                raise _by_code(err) from err
            except (TimeoutError, smtplib.SMTPException, OSError) as err:
                raise TransientSendError(f"SMTP server unavailable: {err}") from err
            # From here on the server may have the message: only a reply code is certain.
            try:
                code, reply = smtp.data(data)
                if code != 250:
                    raise smtplib.SMTPDataError(code, reply)
            except smtplib.SMTPResponseException as err:
                raise _by_code(err) from err
            except (TimeoutError, smtplib.SMTPException, OSError) as err:
                raise DeliveryUnknown(
                    f"the SMTP line failed during DATA ({type(err).__name__}: {err}); "
                    "the server may have accepted the message"
                ) from err
            with contextlib.suppress(smtplib.SMTPException, OSError):
                smtp.quit()  # accepted already; a failed QUIT changes nothing
        finally:
            smtp.close()


def _by_code(err: smtplib.SMTPResponseException) -> Exception:
    if 500 <= err.smtp_code < 600:
        return PermanentSendError(f"SMTP {err.smtp_code}: {err.smtp_error!r}")
    return TransientSendError(f"SMTP {err.smtp_code}: {err.smtp_error!r}")
