"""What every channel adapter shares: the message shape, the errors, the decision check.

An adapter's `send(message, idempotency_key=...)` returns a `SendResult` or
raises one of:

- `SendRefused`   — no intact allowing decision for exactly this message; never retried;
- `TransientSendError` — the provider failed or timed out; the dispatcher retries with backoff;
- `PermanentSendError` — the provider rejected the message for good (bad address, ...);
- `DeliveryUnknown` — the message may or may not have left (an SMTP handover interrupted after DATA,
  or found in flight after a crash, with no relay log to settle it); never retried blindly: the
  dispatcher parks it as `unknown` until reconciliation or an operator decides.

The idempotency key is stable per outbox row; an adapter called twice with
the same key must not deliver twice (the provider dedupes, or the adapter
keeps a sent-ledger).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fairdue.domain.audit import Entry, entry_is_intact, keyed_message_fingerprint, message_fingerprint
from fairdue.errors import FairdueError


class ChannelError(FairdueError):
    """A channel could not deliver a message."""


class SendRefused(ChannelError):
    """The adapter refuses: there is no intact, allowing decision for exactly this message."""


class TransientSendError(ChannelError):
    """The provider failed or timed out; the same message may be retried with the same key."""


class PermanentSendError(ChannelError):
    """The provider rejected the message for good; retrying will not help."""


class DeliveryUnknown(ChannelError):
    """Whether the server accepted the message cannot be told; sending again could deliver it twice."""


@dataclass(frozen=True, slots=True)
class OutboundMessage:
    """A message as the dispatcher hands it to an adapter.

    decision_seq: the decision that allowed it; recipient_address: phone,
    email or postal id, unmasked; subject: email only (None elsewhere);
    payload_json: the letter's structured fields (letters only, else None).
    """

    outbox_id: int
    decision_seq: int
    channel: str
    recipient_address: str
    language: str
    body: str
    subject: str | None = None
    payload_json: str | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """provider_message_id: the provider's id (or our Message-ID / file name);
    duplicate: True when the key had already been delivered and nothing new left."""

    provider_message_id: str
    duplicate: bool = False


class DecisionSource(Protocol):
    def get(self, seq: int) -> Entry | None: ...

    def text_hmac(self, text: str) -> str:
        """The keyed hash of a text (only needed for decisions that carry one: login codes)."""
        ...


class SentLedger(Protocol):
    """Durable record of keys an adapter has handed over (committed on write)."""

    def get(self, key: str) -> str | None: ...

    def record(self, key: str, *, channel: str, provider_message_id: str, sent_at: datetime) -> None: ...


@dataclass(frozen=True, slots=True)
class Reconciled:
    """Where an earlier, interrupted send of a key stands, as far as the adapter can find out.

    state: 'delivered' (provider_message_id set), 'not_delivered', or 'unknown' (cannot be told)."""

    state: str
    provider_message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Handover:
    """A handover to a server without idempotency keys (fairdue.adapters.db.schema.handovers)."""

    idempotency_key: str
    outbox_id: int
    message_id: str
    state: str  # in_flight | accepted | failed | unknown | confirmed | resend
    attempts: int
    started_at: datetime


class HandoverLedger(SentLedger, Protocol):
    """A sent-ledger that also records handovers before they start (every write committed at once)."""

    def handover(self, key: str) -> Handover | None: ...

    def begin_handover(self, key: str, *, outbox_id: int, channel: str, message_id: str, at: datetime) -> None: ...

    def settle_handover(
        self, key: str, *, state: str, at: datetime, by: str | None = None, note: str | None = None
    ) -> None: ...


class RelayLog(Protocol):
    """The relay's own record of accepted messages, by Message-ID (e.g. a mail log).

    accepted(): True — the relay took it; False — the log is readable and it is not there (the relay
    writes its log before it answers 250); None — cannot tell (log unavailable)."""

    def accepted(self, message_id: str) -> bool | None: ...


class ChannelAdapter(Protocol):
    channel: str

    def send(self, message: OutboundMessage, *, idempotency_key: str) -> SendResult: ...


def require_allowing_decision(decisions: DecisionSource, message: OutboundMessage, *, channel: str) -> Entry:
    """The stored decision for this message, if it is intact, allowing, and for exactly this message."""
    if message.channel != channel:
        raise SendRefused(f"outbox {message.outbox_id}: a {message.channel} message given to the {channel} adapter")
    entry = decisions.get(message.decision_seq)
    if entry is None:
        raise SendRefused(f"outbox {message.outbox_id}: decision {message.decision_seq} is not in the decision log")
    if not entry_is_intact(entry):
        raise SendRefused(f"outbox {message.outbox_id}: decision {message.decision_seq} was altered; not sending")
    record = entry.record()
    decision = record.get("decision")
    if not isinstance(decision, dict) or decision.get("allowed") is not True or decision.get("violations"):
        raise SendRefused(f"outbox {message.outbox_id}: decision {message.decision_seq} did not allow this contact")
    if record.get("text_hmac") is not None:  # a login code: bound by a keyed hash of its text
        keyed = getattr(decisions, "text_hmac", None)
        if keyed is None:
            raise SendRefused(
                f"outbox {message.outbox_id}: decision {message.decision_seq} binds a keyed text hash "
                "and this decision source holds no key to check it"
            )
        expected = keyed_message_fingerprint(
            channel=channel, recipient=message.recipient_address, text_hmac=keyed(message.body)
        )
    else:
        expected = message_fingerprint(channel=channel, recipient=message.recipient_address, text=message.body)
    if record.get("fingerprint") != expected:
        raise SendRefused(
            f"outbox {message.outbox_id}: decision {message.decision_seq} allowed a different message "
            "(recipient, channel or text differ)"
        )
    return entry
