"""What every channel adapter shares: the message shape, the errors, the decision check.

An adapter's `send(message, idempotency_key=...)` returns a `SendResult` or
raises one of:

- `SendRefused`   — no intact allowing decision for exactly this message; never retried;
- `TransientSendError` — the provider failed or timed out; the dispatcher retries with backoff;
- `PermanentSendError` — the provider rejected the message for good (bad address, ...).

The idempotency key is stable per outbox row; an adapter called twice with
the same key must not deliver twice (the provider dedupes, or the adapter
keeps a sent-ledger).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from fairdue.domain.audit import Entry, entry_is_intact, message_fingerprint
from fairdue.errors import FairdueError


class ChannelError(FairdueError):
    """A channel could not deliver a message."""


class SendRefused(ChannelError):
    """The adapter refuses: there is no intact, allowing decision for exactly this message."""


class TransientSendError(ChannelError):
    """The provider failed or timed out; the same message may be retried with the same key."""


class PermanentSendError(ChannelError):
    """The provider rejected the message for good; retrying will not help."""


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


class SentLedger(Protocol):
    """Durable record of keys an adapter has handed over (committed on write)."""

    def get(self, key: str) -> str | None: ...

    def record(self, key: str, *, channel: str, provider_message_id: str, sent_at: datetime) -> None: ...


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
    expected = message_fingerprint(channel=channel, recipient=message.recipient_address, text=message.body)
    if record.get("fingerprint") != expected:
        raise SendRefused(
            f"outbox {message.outbox_id}: decision {message.decision_seq} allowed a different message "
            "(recipient, channel or text differ)"
        )
    return entry
