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
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine

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
from fairdue.adapters.db.schema.collections import (
    channel_sent_ledger,
    delivery_attempts,
    delivery_receipts,
    outbox_messages,
)
from fairdue.adapters.db.schema.handovers import channel_handovers
from fairdue.domain.instants import parse_utc_or_none
from fairdue.errors import Invalid
from fairdue.service.contact.enforcement import open_outbox_fields

LEASE_S = 120
BACKOFF_BASE_S = 30
BACKOFF_MAX_S = 6 * 3600
BATCH_MAX = 20
ERROR_CHARS_MAX = 1000
FINAL_DELIVERY_STATUSES = ("delivered", "failed", "undelivered", "invalid_number")
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
        o = outbox_messages.c
        with self.uow_factory() as uow:
            now = uow.clock()
            due = sa.or_(
                sa.and_(o.status == "pending", o.next_attempt_at <= now),
                sa.and_(o.status == "sending", o.lease_until <= now),
            )
            channels = sorted(self.adapters)
            query = (
                sa.select(o.id)
                .where(due, o.channel.in_(channels))
                .order_by(o.next_attempt_at, o.id)
                .limit(self.policy.batch_max)
            )
            if uow.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list(uow.connection.execute(query).scalars())
            if not ids:
                return []
            lease_until = now + timedelta(seconds=self.policy.lease_s)
            uow.connection.execute(
                outbox_messages.update()
                .where(o.id.in_(ids), due)
                .values(status="sending", lease_owner=self.owner, lease_until=lease_until, attempts=o.attempts + 1)
            )
            rows = uow.connection.execute(
                sa.select(outbox_messages)
                .where(o.id.in_(ids), o.lease_owner == self.owner, o.status == "sending")
                .order_by(o.id)
            ).all()
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
                        recipient_address=plain["recipient_address"],
                        language=r.language,
                        body=plain["body"],
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
        o = outbox_messages.c
        with self.uow_factory() as uow:
            now = uow.clock()
            if values.get("status") == "sent":
                values = {**values, "sent_at": now}
            result = uow.connection.execute(
                outbox_messages.update()
                .where(o.id == item.outbox_id, o.lease_owner == self.owner, o.status == "sending")
                .values(lease_owner=None, lease_until=None, **values)
            )
            uow.connection.execute(
                delivery_attempts.insert().values(
                    outbox_id=item.outbox_id,
                    attempt_no=item.attempt_no,
                    owner=self.owner,
                    started_at=item.claimed_at,
                    finished_at=now,
                    outcome=outcome,
                    provider_message_id=provider_message_id,
                    error=None if error is None else error[:ERROR_CHARS_MAX],
                )
            )
            if result.rowcount == 1 and provider_message_id is not None and values.get("status") == "sent":
                _adopt_early_receipts(uow.connection, item.outbox_id, provider_message_id)
            uow.commit()
            return result.rowcount == 1

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
                    values={"status": "sent", "provider_message_id": earlier.provider_message_id, "last_error": None},
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
            self._mark(item, outcome="expired", values={"status": "expired", "last_error": why}, error=why)
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
                values={"status": "refused", "last_error": str(err)[:ERROR_CHARS_MAX]},
                error=str(err),
            )
            return
        except PermanentSendError as err:
            report.dead += 1
            report.errors.append(str(err))
            self._mark(
                item,
                outcome="dead",
                values={"status": "dead", "last_error": str(err)[:ERROR_CHARS_MAX]},
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
                    values={"status": "expired", "last_error": why[:ERROR_CHARS_MAX]},
                )
            elif item.attempt_no >= item.attempts_max:
                report.dead += 1
                self._mark(
                    item,
                    outcome="dead",
                    error=str(err),
                    values={
                        "status": "dead",
                        "last_error": f"gave up after {item.attempt_no} attempts: {err}"[:ERROR_CHARS_MAX],
                    },
                )
            else:
                report.retried += 1
                self._mark(
                    item,
                    outcome="retry",
                    error=str(err),
                    values={"status": "pending", "next_attempt_at": retry_at, "last_error": str(err)[:ERROR_CHARS_MAX]},
                )
            return
        if self.after_send is not None:
            self.after_send(message.outbox_id)
        marked = self._mark(
            item,
            outcome="sent",
            provider_message_id=result.provider_message_id,
            values={"status": "sent", "provider_message_id": result.provider_message_id, "last_error": None},
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
            item, outcome="unknown", error=text, values={"status": "unknown", "last_error": text[:ERROR_CHARS_MAX]}
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

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(
                sa.select(channel_sent_ledger.c.provider_message_id).where(channel_sent_ledger.c.idempotency_key == key)
            ).scalar_one_or_none()

    def record(self, key: str, *, channel: str, provider_message_id: str, sent_at: datetime) -> None:
        if self.engine.dialect.name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        with self.engine.begin() as conn:
            conn.execute(
                insert(channel_sent_ledger)
                .values(
                    idempotency_key=key,
                    channel=channel,
                    provider_message_id=provider_message_id,
                    sent_at=sent_at,
                )
                .on_conflict_do_nothing()
            )

    # Handovers (SMTP): recorded before DATA, each write committed at once.
    def handover(self, key: str) -> Handover | None:
        h = channel_handovers.c
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(channel_handovers).where(h.idempotency_key == key)).first()
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
        h = channel_handovers.c
        with self.engine.begin() as conn:
            moved = conn.execute(
                channel_handovers.update()
                .where(h.idempotency_key == key, h.state.in_(("failed", "resend")))
                .values(state="in_flight", attempts=h.attempts + 1, started_at=at, updated_at=at, note=None)
            ).rowcount
            if moved == 1:
                return
            if conn.execute(sa.select(h.state).where(h.idempotency_key == key)).first() is not None:
                raise HandoverConflict(f"handover {key} is not in a state that may be sent again")
            conn.execute(
                channel_handovers.insert().values(
                    idempotency_key=key,
                    outbox_id=outbox_id,
                    channel=channel,
                    message_id=message_id,
                    state="in_flight",
                    attempts=1,
                    started_at=at,
                    updated_at=at,
                    resolved_by=None,
                    note=None,
                )
            )

    def settle_handover(
        self, key: str, *, state: str, at: datetime, by: str | None = None, note: str | None = None
    ) -> None:
        h = channel_handovers.c
        values: dict[str, Any] = {"state": state, "updated_at": at}
        if by is not None:  # who settled a doubt stays on record through later states
            values["resolved_by"] = by
        if note is not None:
            values["note"] = note
        with self.engine.begin() as conn:
            conn.execute(channel_handovers.update().where(h.idempotency_key == key).values(**values))


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
    o, h = outbox_messages.c, channel_handovers.c
    rows = uow.connection.execute(
        sa.select(o.id, o.channel, o.address_masked, o.send_by, o.last_error, h.message_id, h.started_at)
        .select_from(outbox_messages.outerjoin(channel_handovers, h.outbox_id == o.id))
        .where(o.status == "unknown")
        .order_by(o.id)
    ).all()
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
        for r in rows
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
    o, h = outbox_messages.c, channel_handovers.c
    conn = uow.connection
    now = uow.clock()
    row = conn.execute(sa.select(outbox_messages).where(o.id == outbox_id).with_for_update()).first()
    if row is None or row.status != "unknown":
        raise NotUnknown(
            f"outbox {outbox_id} is not awaiting a decision on its delivery"
            + ("" if row is None else f" (status {row.status})")
        )
    handover = conn.execute(sa.select(channel_handovers).where(h.outbox_id == outbox_id)).first()
    text = f"{by.strip()}: {note.strip()}"
    if delivered:
        message_id = handover.message_id if handover is not None else None
        if handover is not None:
            if conn.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            conn.execute(
                insert(channel_sent_ledger)
                .values(
                    idempotency_key=handover.idempotency_key,
                    channel=row.channel,
                    provider_message_id=message_id,
                    sent_at=handover.started_at,
                )
                .on_conflict_do_nothing()
            )
            conn.execute(
                channel_handovers.update()
                .where(h.outbox_id == outbox_id)
                .values(state="confirmed", updated_at=now, resolved_by=by.strip(), note=note.strip())
            )
        status = "sent"
        values = {
            "status": "sent",
            "sent_at": handover.started_at if handover is not None else now,
            "provider_message_id": message_id,
            "last_error": f"delivery confirmed by {text}"[:ERROR_CHARS_MAX],
        }
    else:
        if handover is not None:
            conn.execute(
                channel_handovers.update()
                .where(h.outbox_id == outbox_id)
                .values(state="resend", updated_at=now, resolved_by=by.strip(), note=note.strip())
            )
        status = "pending" if now <= row.send_by else "expired"
        values = {
            "status": status,
            "next_attempt_at": now,
            "last_error": (
                f"not delivered per {text}"
                + ("" if status == "pending" else "; its decision no longer covers the present: decide again")
            )[:ERROR_CHARS_MAX],
        }
    conn.execute(outbox_messages.update().where(o.id == outbox_id, o.status == "unknown").values(**values))
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


def _adopt_early_receipts(conn: Any, outbox_id: int, provider_message_id: str) -> None:
    """Receipts that arrived before the message was marked sent (fast webhook, crash before mark) join it now."""
    r = delivery_receipts.c
    conn.execute(
        delivery_receipts.update()
        .where(r.provider_message_id == provider_message_id, r.outbox_id.is_(None))
        .values(outbox_id=outbox_id)
    )
    statuses = list(conn.execute(sa.select(r.status).where(r.outbox_id == outbox_id).order_by(r.id)).scalars())
    if statuses:
        final = [s for s in statuses if s in FINAL_DELIVERY_STATUSES]
        conn.execute(
            outbox_messages.update()
            .where(outbox_messages.c.id == outbox_id)
            .values(delivery_status=(final or statuses)[-1])
        )


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
    conn = uow.connection
    o = outbox_messages.c
    outbox_id = conn.execute(sa.select(o.id).where(o.provider_message_id == provider_id)).scalar_one_or_none()
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    inserted = conn.execute(
        insert(delivery_receipts)
        .values(
            outbox_id=outbox_id,
            provider_message_id=provider_id,
            status=status,
            occurred_at=occurred_at,
            received_at=uow.clock(),
            detail=body.decode("utf-8", "replace")[:ERROR_CHARS_MAX],
        )
        .on_conflict_do_nothing()
    ).rowcount
    if inserted and outbox_id is not None:
        final = sa.or_(o.delivery_status.is_(None), o.delivery_status.notin_(FINAL_DELIVERY_STATUSES))
        condition = final if status not in FINAL_DELIVERY_STATUSES else sa.true()
        conn.execute(outbox_messages.update().where(o.id == outbox_id, condition).values(delivery_status=status))
    uow.commit()
    return ReceiptOutcome(outbox_id=outbox_id, status=status, recorded=bool(inserted))
