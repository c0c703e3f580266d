"""The outbox dispatcher: claim with a lease, send with a stable key, mark; retry with backoff.

One round (`Dispatcher.run_once`):

1. claim — in one short transaction, take up to `batch_max` rows that are
   pending and due, or `sending` with an expired lease (a dispatcher died
   holding them): status `sending`, our owner id, `lease_until = now + lease_s`,
   `attempts + 1` (PostgreSQL: FOR UPDATE SKIP LOCKED, so dispatchers share
   work; SQLite: the write lock of BEGIN IMMEDIATE);
2. send — outside any transaction, `adapter.send(message, idempotency_key=KEY)`
   where KEY is derived from the outbox id and fingerprint and never changes;
3. mark — `sent` (with the provider's id), or back to `pending` at
   `now + backoff` on a transient failure, or `dead` once attempts reach
   `attempts_max` or the provider rejects it for good, or `refused` when the
   adapter finds no allowing decision, or `expired` when the message (or its
   next retry) would leave after `send_by`: a decision covers the instant it
   judged, so a late message is decided again instead of sent out of hours.
   Only the lease holder may mark.

A crash between 2 and 3 leaves the row `sending`; when the lease expires it
is claimed again and re-sent with the same key, and the provider (or the
adapter's sent-ledger) recognises the key: the message's effect happens once.
The HTTP provider dedupes on the key itself, so re-sending *is* asking it.
SMTP has no key: the e-mail adapter records the handover `in_flight` before
DATA, so a crash between the server's 250 and the ledger write is found on the
next claim and reconciled against the relay's log by Message-ID, or, where no
log is available, the row is parked as `unknown` (adapter raised
DeliveryUnknown) — never re-sent blindly, counted by `fairdue outbox status`,
listed by `unknown_messages` and settled by an operator with `resolve_unknown`
(delivered -> `sent`; not delivered -> `pending` again, or `expired` if its
decision no longer covers it). An expired claim is reconciled first, too, so
a message the server did accept is not recorded as never sent.
Nothing is ever deleted: `dead`, `refused` and `expired` rows stay, counted by
`fairdue outbox status` and shown in the contact history; sending such a
message again takes a new gate decision (request_contact), never a requeue.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from fairdue.adapters.channels.base import (
    ChannelAdapter,
    DeliveryUnknown,
    Handover,
    OutboundMessage,
    PermanentSendError,
    Reconciled,
    SendRefused,
    TransientSendError,
)
from fairdue.adapters.channels.http_provider import signature_ok
from fairdue.adapters.crypto import CryptoError, FieldCipher
from fairdue.adapters.db.repos.contact import FINAL_DELIVERY_STATUSES
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.instants import parse_utc_or_none
from fairdue.domain.statuses import OutboxStatus
from fairdue.errors import Invalid
from fairdue.service.contact.enforcement import open_outbox_fields

LEASE_S = 120
BACKOFF_BASE_S = 30
BACKOFF_MAX_S = 6 * 3600
BATCH_MAX = 20
ERROR_CHARS_MAX = 1000
RECEIPT_STATUSES = ("queued", "sent", "delivered", "read", "failed", "undelivered", "invalid_number")


@dataclass(frozen=True, slots=True)
class DispatchPolicy:
    """lease_s: how long a claim holds (longer than any adapter timeout); backoff after attempt n
    is min(backoff_base_s * 2**(n-1), backoff_max_s); batch_max: rows per claim."""

    lease_s: int = LEASE_S
    backoff_base_s: int = BACKOFF_BASE_S
    backoff_max_s: int = BACKOFF_MAX_S
    batch_max: int = BATCH_MAX


def backoff_s(attempt_no: int, policy: DispatchPolicy) -> int:
    """Seconds to wait after failed attempt number attempt_no (1-based), exponential and capped."""
    exponent = max(0, min(attempt_no - 1, 30))  # 2**30 s already exceeds any cap
    return min(policy.backoff_base_s * 2**exponent, policy.backoff_max_s)


def idempotency_key(outbox_id: int, fingerprint: str) -> str:
    """Stable for a row for ever; unique across databases thanks to the fingerprint."""
    return f"fd-{outbox_id}-{fingerprint[:16]}"


def _sent(provider_message_id: str | None) -> dict[str, Any]:
    """The outbox values of a message the provider has (its id kept, no error)."""
    return {"status": OutboxStatus.SENT, "provider_message_id": provider_message_id, "last_error": None}


def _retry(at: datetime, err: Exception) -> dict[str, Any]:
    """The outbox values of a message to be sent again at `at` after a transient failure."""
    return {"status": OutboxStatus.PENDING, "next_attempt_at": at, "last_error": str(err)[:ERROR_CHARS_MAX]}


@dataclass(slots=True)
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    duplicates: int = 0
    retried: int = 0
    dead: int = 0
    refused: int = 0
    expired: int = 0
    unknown: int = 0
    lost_lease: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DispatchReport) -> None:
        for name in ("claimed", "sent", "duplicates", "retried", "dead", "refused", "expired", "unknown", "lost_lease"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A claimed row; message is None when its fields could not be decrypted (open_error says why)."""

    message: OutboundMessage | None
    fingerprint: str
    attempt_no: int
    attempts_max: int
    claimed_at: datetime
    outbox_id: int
    send_by: datetime
    open_error: str | None = None


class Dispatcher:
    """Delivers outbox rows through channel adapters; safe to run several at once and to kill."""

    def __init__(
        self,
        uow_factory: Callable[[], Any],
        adapters: Mapping[str, ChannelAdapter],
        *,
        owner: str | None = None,
        cipher: FieldCipher,
        policy: DispatchPolicy = DispatchPolicy(),
        after_send: Callable[[int], None] | None = None,
    ):
        self.uow_factory = uow_factory
        self.cipher = cipher
        self.adapters = dict(adapters)
        self.owner = owner or f"dispatcher-{uuid.uuid4().hex[:12]}"
        self.policy = policy
        # Test hook: called after a successful send and before the mark (fault injection).
        self.after_send = after_send

    # -- claim -------------------------------------------------------------------
    def claim(self) -> list[Claimed]:
        with self.uow_factory() as uow:
            now = uow.clock()
            ids = uow.contact.due_outbox_ids(now=now, channels=sorted(self.adapters), limit=self.policy.batch_max)
            if not ids:
                return []
            lease_until = now + timedelta(seconds=self.policy.lease_s)
            rows = uow.contact.lease_outbox(ids, now=now, owner=self.owner, lease_until=lease_until)
            uow.commit()
        claimed = []
        for r in rows:
            item = Claimed(
                message=None,
                fingerprint=r.fingerprint,
                attempt_no=r.attempts,
                attempts_max=r.attempts_max,
                claimed_at=now,
                outbox_id=r.id,
                send_by=r.send_by,
            )
            try:
                plain = open_outbox_fields(self.cipher, r)
            except CryptoError as err:  # a missing key is an operator's problem: keep the message, retry later
                claimed.append(dataclasses.replace(item, open_error=str(err)))
                continue
            claimed.append(
                dataclasses.replace(
                    item,
                    message=OutboundMessage(
                        outbox_id=r.id,
                        decision_seq=r.decision_seq,
                        channel=r.channel,
                        # NOT NULL columns: opened, they are never None
                        recipient_address=cast(str, plain["recipient_address"]),
                        language=r.language,
                        body=cast(str, plain["body"]),
                        subject=plain["subject"],
                        payload_json=plain["payload"],
                    ),
                )
            )
        return claimed

    # -- mark --------------------------------------------------------------------
    def _mark(
        self,
        item: Claimed,
        *,
        outcome: str,
        values: dict,
        error: str | None = None,
        provider_message_id: str | None = None,
    ) -> bool:
        with self.uow_factory() as uow:
            now = uow.clock()
            if values.get("status") == OutboxStatus.SENT:
                values = {**values, "sent_at": now}
            marked = uow.contact.release_outbox(item.outbox_id, owner=self.owner, values=values)
            uow.contact.add_delivery_attempt(
                outbox_id=item.outbox_id,
                attempt_no=item.attempt_no,
                owner=self.owner,
                started_at=item.claimed_at,
                finished_at=now,
                outcome=outcome,
                provider_message_id=provider_message_id,
                error=None if error is None else error[:ERROR_CHARS_MAX],
            )
            if marked and provider_message_id is not None and values.get("status") == OutboxStatus.SENT:
                _adopt_early_receipts(uow, item.outbox_id, provider_message_id)
            uow.commit()
            return marked

    def deliver(self, item: Claimed, report: DispatchReport) -> None:
        message = item.message
        key = idempotency_key(item.outbox_id, item.fingerprint)
        if item.claimed_at > item.send_by:
            earlier = self._reconcile(item) if item.attempt_no > 1 else None
            if earlier is not None and earlier.state == "delivered":
                report.sent += 1
                report.duplicates += 1
                self._mark(
                    item,
                    outcome="sent",
                    provider_message_id=earlier.provider_message_id,
                    values=_sent(earlier.provider_message_id),
                )
                return
            if earlier is not None and earlier.state == "unknown":
                self._park_unknown(
                    item,
                    report,
                    "an earlier attempt was in the server's hands when it stopped; its delivery cannot be told",
                )
                return
            report.expired += 1
            why = f"not handed over by {item.send_by.isoformat()}: the decision no longer covers it; decide again"
            if item.attempt_no > 1 and earlier is None:
                why += " (an earlier attempt may have reached the provider before a crash)"
            elif earlier is not None:
                why += " (the provider confirms no earlier attempt reached it)"
            self._mark(item, outcome="expired", values={"status": OutboxStatus.EXPIRED, "last_error": why}, error=why)
            return
        try:
            if message is None:
                raise TransientSendError(f"outbox {item.outbox_id} cannot be decrypted: {item.open_error}")
            result = self.adapters[message.channel].send(message, idempotency_key=key)
        except DeliveryUnknown as err:
            self._park_unknown(item, report, str(err))
            return
        except SendRefused as err:
            report.refused += 1
            report.errors.append(str(err))
            self._mark(
                item,
                outcome="refused",
                values={"status": OutboxStatus.REFUSED, "last_error": str(err)[:ERROR_CHARS_MAX]},
                error=str(err),
            )
            return
        except PermanentSendError as err:
            report.dead += 1
            report.errors.append(str(err))
            self._mark(
                item,
                outcome="dead",
                values={"status": OutboxStatus.DEAD, "last_error": str(err)[:ERROR_CHARS_MAX]},
                error=str(err),
            )
            return
        except TransientSendError as err:
            report.errors.append(str(err))
            retry_at = item.claimed_at + timedelta(seconds=backoff_s(item.attempt_no, self.policy))
            if retry_at > item.send_by:
                report.expired += 1
                why = f"{err}; a retry at {retry_at.isoformat()} would be after send_by {item.send_by.isoformat()}"
                self._mark(
                    item,
                    outcome="expired",
                    error=why,
                    values={"status": OutboxStatus.EXPIRED, "last_error": why[:ERROR_CHARS_MAX]},
                )
            elif item.attempt_no >= item.attempts_max:
                report.dead += 1
                self._mark(
                    item,
                    outcome="dead",
                    error=str(err),
                    values={
                        "status": OutboxStatus.DEAD,
                        "last_error": f"gave up after {item.attempt_no} attempts: {err}"[:ERROR_CHARS_MAX],
                    },
                )
            else:
                report.retried += 1
                self._mark(
                    item,
                    outcome="retry",
                    error=str(err),
                    values=_retry(retry_at, err),
                )
            return
        if self.after_send is not None:
            self.after_send(message.outbox_id)
        marked = self._mark(
            item,
            outcome="sent",
            provider_message_id=result.provider_message_id,
            values=_sent(result.provider_message_id),
        )
        if marked:
            report.sent += 1
            report.duplicates += int(result.duplicate)
        else:
            report.lost_lease += 1

    def _reconcile(self, item: Claimed) -> Reconciled | None:
        """Ask the adapter where an earlier, interrupted attempt stands (None: it cannot tell or never tried)."""
        adapter = self.adapters.get(item.message.channel) if item.message is not None else None
        reconcile = getattr(adapter, "reconcile", None)
        if reconcile is None:
            return None
        try:
            return reconcile(item.message, idempotency_key=idempotency_key(item.outbox_id, item.fingerprint))
        except (TransientSendError, PermanentSendError):  # the provider cannot be asked now: we cannot tell
            return None

    def _park_unknown(self, item: Claimed, report: DispatchReport, why: str) -> None:
        report.unknown += 1
        report.errors.append(why)
        text = f"delivery unknown: {why}; reconcile or decide (fairdue outbox resolve)"
        self._mark(
            item,
            outcome="unknown",
            error=text,
            values={"status": OutboxStatus.UNKNOWN, "last_error": text[:ERROR_CHARS_MAX]},
        )

    # -- rounds ------------------------------------------------------------------
    def run_once(self) -> DispatchReport:
        report = DispatchReport()
        claimed = self.claim()
        report.claimed = len(claimed)
        for item in claimed:
            self.deliver(item, report)
        return report

    def run_until_idle(self, *, rounds_max: int = 1000) -> DispatchReport:
        """Rounds until a claim finds nothing due (rows waiting for backoff stay pending)."""
        total = DispatchReport()
        for _ in range(rounds_max):
            report = self.run_once()
            total.add(report)
            if report.claimed == 0:
                break
        return total


# -- the SMTP adapter's sent-ledger -------------------------------------------------
class DbSentLedger:
    """channel_sent_ledger on its own committed transactions (adapters write it right after a send)."""

    def __init__(self, engine: Any):
        self.engine = engine

    def get(self, key: str) -> str | None:
        with UnitOfWork(self.engine) as uow:
            return uow.contact.sent_provider_message_id(key)

    def record(self, key: str, *, channel: str, provider_message_id: str, sent_at: datetime) -> None:
        with UnitOfWork(self.engine) as uow:
            uow.contact.add_sent(key, channel=channel, provider_message_id=provider_message_id, sent_at=sent_at)
            uow.commit()

    # Handovers (SMTP): recorded before DATA, each write committed at once.
    def handover(self, key: str) -> Handover | None:
        with UnitOfWork(self.engine) as uow:
            row = uow.contact.handover(key)
        if row is None:
            return None
        return Handover(
            idempotency_key=row.idempotency_key,
            outbox_id=row.outbox_id,
            message_id=row.message_id,
            state=row.state,
            attempts=row.attempts,
            started_at=row.started_at,
        )

    def begin_handover(self, key: str, *, outbox_id: int, channel: str, message_id: str, at: datetime) -> None:
        with UnitOfWork(self.engine) as uow:
            if not uow.contact.restart_handover(key, at=at):
                if uow.contact.handover_exists(key):
                    raise HandoverConflict(f"handover {key} is not in a state that may be sent again")
                uow.contact.add_handover(key, outbox_id=outbox_id, channel=channel, message_id=message_id, at=at)
            uow.commit()

    def settle_handover(
        self, key: str, *, state: str, at: datetime, by: str | None = None, note: str | None = None
    ) -> None:
        values: dict[str, Any] = {"state": state, "updated_at": at}
        if by is not None:  # who settled a doubt stays on record through later states
            values["resolved_by"] = by
        if note is not None:
            values["note"] = note
        with UnitOfWork(self.engine) as uow:
            uow.contact.set_handover(key, values)
            uow.commit()


class HandoverConflict(Invalid):
    """A handover was asked to start while an earlier one of the same key is still in doubt or done."""


# -- messages whose delivery is unknown --------------------------------------------
class NotUnknown(Invalid):
    """The outbox message is not in the `unknown` state."""


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    """An outbox row parked as `unknown`, with its handover (message_id: the Message-ID to look for)."""

    outbox_id: int
    channel: str
    address_masked: str
    message_id: str | None
    handed_over_at: datetime | None
    send_by: datetime
    last_error: str | None


def unknown_messages(uow: Any) -> list[UnknownMessage]:
    """Every message whose delivery is unknown, oldest first (what an operator must settle)."""
    return [
        UnknownMessage(
            outbox_id=r.id,
            channel=r.channel,
            address_masked=r.address_masked,
            message_id=r.message_id,
            handed_over_at=r.started_at,
            send_by=r.send_by,
            last_error=r.last_error,
        )
        for r in uow.contact.unknown_outbox()
    ]


def resolve_unknown(uow: Any, *, outbox_id: int, delivered: bool, by: str, note: str) -> str:
    """An operator's decision on a message whose delivery was unknown; returns its new outbox status.

    delivered=True (e.g. the relay's log or the recipient shows it): `sent`, never sent again.
    delivered=False (the relay shows it was not taken): `pending` to be sent once more under its
    decision — or `expired` when that decision no longer covers the present (decide again).
    The caller commits."""
    if not isinstance(by, str) or not by.strip() or len(by) > 64:
        raise NotUnknown("by: name who decides (1..64 characters)")
    if not isinstance(note, str) or not note.strip():
        raise NotUnknown("note: say what the decision rests on (e.g. the relay log line)")
    now = uow.clock()
    row = uow.contact.lock_outbox(outbox_id)
    if row is None or row.status != OutboxStatus.UNKNOWN:
        raise NotUnknown(
            f"outbox {outbox_id} is not awaiting a decision on its delivery"
            + ("" if row is None else f" (status {row.status})")
        )
    handover = uow.contact.handover_of_outbox(outbox_id)
    text = f"{by.strip()}: {note.strip()}"
    if delivered:
        message_id = handover.message_id if handover is not None else None
        if handover is not None:
            uow.contact.add_sent(
                handover.idempotency_key,
                channel=row.channel,
                provider_message_id=message_id,
                sent_at=handover.started_at,
            )
            uow.contact.settle_handovers_of_outbox(
                outbox_id, state="confirmed", at=now, resolved_by=by.strip(), note=note.strip()
            )
        status = OutboxStatus.SENT
        values = {
            "status": status,
            "sent_at": handover.started_at if handover is not None else now,
            "provider_message_id": message_id,
            "last_error": f"delivery confirmed by {text}"[:ERROR_CHARS_MAX],
        }
    else:
        if handover is not None:
            uow.contact.settle_handovers_of_outbox(
                outbox_id, state="resend", at=now, resolved_by=by.strip(), note=note.strip()
            )
        status = OutboxStatus.PENDING if now <= row.send_by else OutboxStatus.EXPIRED
        values = {
            "status": status,
            "next_attempt_at": now,
            "last_error": (
                f"not delivered per {text}"
                + (
                    ""
                    if status == OutboxStatus.PENDING
                    else "; its decision no longer covers the present: decide again"
                )
            )[:ERROR_CHARS_MAX],
        }
    uow.contact.settle_unknown_outbox(outbox_id, values)
    return status


# -- delivery receipts (provider webhook) ------------------------------------------
class ReceiptRejected(Invalid):
    """A delivery receipt is unsigned, wrongly signed or malformed; nothing was recorded."""


@dataclass(frozen=True, slots=True)
class ReceiptOutcome:
    """outbox_id: the message it is about (None if unknown to us); recorded: False for a repeat."""

    outbox_id: int | None
    status: str
    recorded: bool


def _adopt_early_receipts(uow: Any, outbox_id: int, provider_message_id: str) -> None:
    """Receipts that arrived before the message was marked sent (fast webhook, crash before mark) join it now."""
    statuses = uow.contact.adopt_receipts(outbox_id, provider_message_id)
    if statuses:
        final = [s for s in statuses if s in FINAL_DELIVERY_STATUSES]
        uow.contact.set_delivery_status(outbox_id, (final or statuses)[-1])


def record_receipt(uow: Any, *, body: bytes, signature: str, secret: bytes) -> ReceiptOutcome:
    """Webhook handler: verify the HMAC signature, store the receipt once, update the message's delivery status."""
    if not signature_ok(body, signature, secret):
        raise ReceiptRejected("delivery receipt signature does not match")
    try:
        data = json.loads(body)
        provider_id = str(data["id"])
        status = str(data["status"])
    except (ValueError, KeyError, TypeError) as err:
        raise ReceiptRejected(f"delivery receipt unreadable: {err}") from err
    if status not in RECEIPT_STATUSES:
        raise ReceiptRejected(f"delivery receipt status {status!r} is not one of {RECEIPT_STATUSES}")
    occurred_at = parse_utc_or_none(data.get("occurred_at"))
    outbox_id = uow.contact.outbox_id_of_provider_message(provider_id)
    inserted = uow.contact.add_receipt(
        outbox_id=outbox_id,
        provider_message_id=provider_id,
        status=status,
        occurred_at=occurred_at,
        received_at=uow.clock(),
        detail=body.decode("utf-8", "replace")[:ERROR_CHARS_MAX],
    )
    if inserted and outbox_id is not None:
        uow.contact.set_receipt_status(outbox_id, status)
    uow.commit()
    return ReceiptOutcome(outbox_id=outbox_id, status=status, recorded=bool(inserted))
