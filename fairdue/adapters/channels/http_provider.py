"""SMS, voice and app push through an HTTP message provider (httpx).

The provider interface fairdue speaks (a real provider is wrapped to it):

    POST {base_url}/v1/messages
    Authorization: Bearer API_KEY
    Idempotency-Key: KEY                 # the outbox id; a repeat returns the first result
    {"channel": "sms"|"voicemail"|"call"|"app_push", "to": ADDRESS, "text": TEXT, "language": "zh"|"en"}
    -> 200/201/202 {"id": PROVIDER_MESSAGE_ID, "duplicate": bool}

    GET {base_url}/v1/messages?idempotency_key=KEY     (optional: a provider without it answers 404/405
    -> 200 {"id": PROVIDER_MESSAGE_ID}                   for every key, or 405/501)
    -> 404 no message was accepted under KEY

429 and 5xx and timeouts are transient (retried with the same key, so the
provider's dedupe makes the retry harmless); other 4xx are permanent.
Re-sending under the same key is itself the safe question "did you take it?";
the lookup is for a message whose decision lapsed after a crash: the dispatcher
asks (`reconcile`) before recording it `expired`, so an SMS that did leave is
recorded `sent`, not "never sent".
Delivery receipts come back through a webhook: see
fairdue.service.contact.dispatcher.record_receipt (HMAC-SHA256 signed body).
"""

from __future__ import annotations

import hashlib
import hmac

import httpx

from fairdue.adapters.channels.base import (
    DecisionSource,
    OutboundMessage,
    PermanentSendError,
    Reconciled,
    SendResult,
    TransientSendError,
    require_allowing_decision,
)

HTTP_TIMEOUT_S = 10.0
PROVIDER_CHANNELS = ("sms", "voicemail", "call", "app_push")
SIGNATURE_HEADER = "X-Fairdue-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"


def sign(body: bytes, secret: bytes) -> str:
    """Hex HMAC-SHA256 of a webhook body."""
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


def signature_ok(body: bytes, signature: str, secret: bytes) -> bool:
    return hmac.compare_digest(sign(body, secret), signature or "")


class HttpProviderAdapter:
    """One channel (sms, voicemail, call or app_push) through an HTTP provider."""

    def __init__(
        self,
        channel: str,
        *,
        base_url: str,
        api_key: str,
        decisions: DecisionSource,
        timeout_s: float = HTTP_TIMEOUT_S,
        transport: httpx.BaseTransport | None = None,
    ):
        if channel not in PROVIDER_CHANNELS:
            raise ValueError(f"channel {channel!r} is not sent through an HTTP provider")
        self.channel = channel
        self.decisions = decisions
        self._client = httpx.Client(
            base_url=base_url,
            timeout=timeout_s,
            transport=transport,
            headers={"Authorization": f"Bearer {api_key}"},
        )

    def close(self) -> None:
        self._client.close()

    def send(self, message: OutboundMessage, *, idempotency_key: str) -> SendResult:
        require_allowing_decision(self.decisions, message, channel=self.channel)
        body = {
            "channel": self.channel,
            "to": message.recipient_address,
            "text": message.body,
            "language": message.language,
        }
        try:
            response = self._client.post("/v1/messages", json=body, headers={IDEMPOTENCY_HEADER: idempotency_key})
        except httpx.TimeoutException as err:
            raise TransientSendError(f"provider timed out: {type(err).__name__}") from err
        except httpx.TransportError as err:
            raise TransientSendError(f"provider unreachable: {err}") from err
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientSendError(f"provider answered {response.status_code}")
        if response.status_code >= 400:
            raise PermanentSendError(f"provider rejected the message: {response.status_code} {response.text[:200]}")
        try:
            data = response.json()
            provider_id = str(data["id"])
        except (ValueError, KeyError, TypeError) as err:
            raise TransientSendError("provider answered without a message id") from err
        return SendResult(provider_message_id=provider_id, duplicate=bool(data.get("duplicate")))

    def reconcile(self, message: OutboundMessage, *, idempotency_key: str) -> Reconciled | None:
        """Ask the provider whether it accepted a message under this key (None: it offers no lookup)."""
        try:
            response = self._client.get("/v1/messages", params={"idempotency_key": idempotency_key})
        except httpx.TimeoutException as err:
            raise TransientSendError(f"provider timed out: {type(err).__name__}") from err
        except httpx.TransportError as err:
            raise TransientSendError(f"provider unreachable: {err}") from err
        if response.status_code in (405, 501):
            return None
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientSendError(f"provider answered {response.status_code}")
        if response.status_code == 404:
            return Reconciled("not_delivered")
        if response.status_code >= 400:
            raise PermanentSendError(f"provider refused the lookup: {response.status_code}")
        try:
            return Reconciled("delivered", str(response.json()["id"]))
        except (ValueError, KeyError, TypeError) as err:
            raise TransientSendError("provider answered the lookup without a message id") from err
