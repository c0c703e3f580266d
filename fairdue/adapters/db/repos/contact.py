"""The contact context's rows: the gate's stored facts, the decision log, the message outbox and its deliveries.

The decision log is appended under the head row's lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's BEGIN
IMMEDIATE holds the write lock already). Within one transaction (and savepoint) the entry its own last append
wrote is kept (`own_last_entry`): the lock is held, so it is still the head, and the log is append-only, so the
stored row is exactly that entry. Statements that every gate request, append or delivery runs are built once at
module level and run with bound parameters.

OUTBOX_CONTEXTS and FACT_CONTEXTS are the field-cipher contexts of the encrypted columns (the contact service
seals and opens them with them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from fairdue.adapters.db.schema.accounts import borrowers, credit_lines
from fairdue.adapters.db.schema.collections import (
    OUTBOX_CONTEXTS as OUTBOX_CONTEXTS,
)
from fairdue.adapters.db.schema.collections import (
    channel_sent_ledger,
    decision_log,
    decision_log_head,
    delivery_attempts,
    delivery_receipts,
    outbox_messages,
)
from fairdue.adapters.db.schema.collections import (
    contact_history as contact_history_view,
)
from fairdue.adapters.db.schema.contact_facts import FACT_CONTEXTS as FACT_CONTEXTS
from fairdue.adapters.db.schema.contact_facts import contact_facts
from fairdue.adapters.db.schema.handovers import channel_handovers
from fairdue.domain.audit import GENESIS_HASH, Entry
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.statuses import OutboxStatus

# Receipt statuses after which a message's delivery status no longer changes (a later "sent" does not undo them).
FINAL_DELIVERY_STATUSES = ("delivered", "failed", "undelivered", "invalid_number")
CALL_HISTORY_MAX = 200  # the debt's most recent logged calls fed to the gate (the caps look back days, not years)


def _insert(conn: Connection, table: sa.Table) -> Any:
    """INSERT for `table` in the connection's dialect (what ON CONFLICT DO NOTHING needs)."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def facts_stored(borrower_id: Any) -> sa.Exists:
    """EXISTS: the borrower has a stored contact fact (any kind, ended or not). A gate-request builder reads it
    beside its other flags and, when false, tells gate_facts (`none_stored`) so the facts are not read at all."""
    return sa.exists().where(contact_facts.c.borrower_id == borrower_id)


# -- statements built once -------------------------------------------------------------------------------------
_HEAD = sa.select(decision_log_head.c.last_seq, decision_log_head.c.last_hash).where(decision_log_head.c.id == 1)
_HEAD_FOR_UPDATE = _HEAD.with_for_update()
_HEAD_UPDATE = (
    decision_log_head.update()
    .where(decision_log_head.c.id == 1)
    .values(last_seq=sa.bindparam("new_seq"), last_hash=sa.bindparam("new_hash"))
)
_DECISION_COUNT = sa.select(sa.func.count()).select_from(decision_log)
_ENTRY_INSERT = decision_log.insert()
_ENTRY_BY_SEQ = sa.select(
    decision_log.c.seq, decision_log.c.record, decision_log.c.prev_hash, decision_log.c.hash
).where(decision_log.c.seq == sa.bindparam("seq"))

_BORROWER_OF_LINE = sa.select(credit_lines.c.borrower_id).where(credit_lines.c.id == sa.bindparam("account_id"))
_OUTBOX_INSERT = outbox_messages.insert().returning(outbox_messages.c.id)

# The debt's most recent logged calls (call_history).
_CALLS_OF_DEBT = (
    sa.select(decision_log.c.seq, decision_log.c.decided_at.label("at"), decision_log.c.record)
    .where(
        decision_log.c.debt_id == sa.bindparam("debt_id"),
        decision_log.c.channel == "call",
        decision_log.c.allowed.is_(True),
        decision_log.c.record.like('%"call_outcome"%'),
    )
    .order_by(decision_log.c.seq.desc())
    .limit(CALL_HISTORY_MAX)
)


def _history_of_debt_query() -> sa.CompoundSelect:
    # One round trip for every gate request: the debt's sent and queued messages (kind 'sent', by time and id), its most
    # recent logged calls (kind 'call', oldest first), as one UNION ALL; columns a kind does not have are NULL.
    o = outbox_messages.c
    calls = _CALLS_OF_DEBT.subquery()
    # Queued rows count too, from when they were queued: a message decided is a contact made (two location messages
    # queued before the dispatcher runs are two contacts).
    when = sa.func.coalesce(o.sent_at, o.created_at, type_=o.sent_at.type)
    sent = (
        sa.select(
            sa.literal_column("'sent'").label("kind"),
            o.id.label("ord"),
            when.label("sort_at"),
            when.label("at"),
            o.channel,
            o.recipient_address_enc,
            o.recipient_role,
            o.delivery_status,
            sa.null().label("record"),
            decision_log.c.purpose,
        )
        .select_from(outbox_messages.join(decision_log, decision_log.c.seq == o.decision_seq))
        .where(
            o.debt_id == sa.bindparam("debt_id"),
            sa.or_(*(o.status == s for s in (OutboxStatus.SENT, OutboxStatus.PENDING, OutboxStatus.SENDING))),
        )
    )
    logged = sa.select(
        sa.literal_column("'call'"),
        calls.c.seq,
        sa.null(),
        calls.c.at,
        sa.null(),
        sa.null(),
        sa.null(),
        sa.null(),
        calls.c.record,
        sa.null(),
    )
    both = sa.union_all(sent, logged)
    return both.order_by(both.selected_columns.kind, both.selected_columns.sort_at, both.selected_columns.ord)


HISTORY_OF_DEBT = _history_of_debt_query()


def _gate_facts_query() -> sa.Select:
    t = contact_facts.c
    return (
        sa.select(
            t.kind,
            t.account_id,
            t.effective_from,
            t.effective_until,
            t.ended_at,
            t.hours_start,
            t.hours_end,
            t.attorney_contact_ct,
        )
        .where(
            t.borrower_id == sa.bindparam("borrower_id"),
            sa.or_(t.account_id.is_(None), t.account_id == sa.bindparam("account_id")),
            t.effective_from <= sa.bindparam("at", type_=contact_facts.c.effective_from.type),
        )
        .order_by(t.hours_start, t.hours_end, t.id)
    )


_GATE_FACTS = _gate_facts_query()  # every gate request about a stored line reads it


def _due(now: datetime) -> sa.ColumnElement[bool]:
    """An outbox row a dispatcher may claim at `now`: pending and due, or sending with an expired lease."""
    o = outbox_messages.c
    return sa.or_(
        sa.and_(o.status == OutboxStatus.PENDING, o.next_attempt_at <= now),
        sa.and_(o.status == OutboxStatus.SENDING, o.lease_until <= now),
    )


class ContactRepository:
    """Named reads and writes on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock
        # The entry this repository's last append wrote: (transaction, savepoint, entry).
        self._own_head: tuple[Any, Any, Entry] | None = None

    # -- the decision log --------------------------------------------------------------------------------------
    def own_last_entry(self) -> Entry | None:
        """The entry this transaction's last append wrote, while the same transaction and savepoint go on, else None
        (a savepoint rolled back, or a new transaction, forgets it)."""
        tx, nested = self.conn.get_transaction(), self.conn.get_nested_transaction()
        held = self._own_head
        if held is not None and tx is not None and held[0] is tx and held[1] is nested and tx.is_active:
            return held[2]
        return None

    def lock_head(self) -> tuple[int, str] | None:
        """(last seq, last hash) of the decision log's head row, locked for this transaction; None if it is missing."""
        head = self.conn.execute(_HEAD_FOR_UPDATE).one_or_none()
        return None if head is None else (head.last_seq, head.last_hash)

    def add_genesis_head(self) -> tuple[int, str]:
        """Insert the head row at genesis unless it exists (ON CONFLICT DO NOTHING), then lock and return it."""
        values = {"id": 1, "last_seq": 0, "last_hash": GENESIS_HASH}
        self.conn.execute(_insert(self.conn, decision_log_head).values(**values).on_conflict_do_nothing())
        head = self.conn.execute(_HEAD_FOR_UPDATE).one()
        return head.last_seq, head.last_hash

    def decision_count(self) -> int:
        """How many decisions the log holds."""
        count: int = self.conn.execute(_DECISION_COUNT).scalar_one()
        return count

    def add_entry(self, entry: Entry, columns: dict[str, Any]) -> None:
        """Write the entry with its query columns and move the head to it (the caller holds the head's lock)."""
        self._own_head = None  # a failing write below must not leave a head that was never stored
        self.conn.execute(
            _ENTRY_INSERT,
            {
                "seq": entry.seq,
                "record": entry.record_text,
                "prev_hash": entry.prev_hash,
                "hash": entry.hash,
                **columns,
            },
        )
        self.conn.execute(_HEAD_UPDATE, {"new_seq": entry.seq, "new_hash": entry.hash})
        self._own_head = (self.conn.get_transaction(), self.conn.get_nested_transaction(), entry)

    def entry(self, seq: int) -> Entry | None:
        """The stored entry with this seq, or None."""
        row = self.conn.execute(_ENTRY_BY_SEQ, {"seq": seq}).one_or_none()
        if row is None:
            return None
        return Entry(seq=row.seq, record_text=row.record, prev_hash=row.prev_hash, hash=row.hash)

    def head(self) -> tuple[int, str] | None:
        """(last seq, last hash) of the head row, unlocked; None if it is missing."""
        head = self.conn.execute(_HEAD).one_or_none()
        return None if head is None else (head.last_seq, head.last_hash)

    def decisions_after(self, seq: int, *, limit: int) -> Sequence[sa.Row]:
        """Up to `limit` whole decision rows after `seq`, in seq order."""
        return self.conn.execute(
            sa.select(decision_log).where(decision_log.c.seq > seq).order_by(decision_log.c.seq).limit(limit)
        ).all()

    def contact_history_of_debt(self, debt_id: str) -> Sequence[sa.Row]:
        """Every decision about a debt with its message's state (the contact_history view) and record, oldest first."""
        return self.conn.execute(
            sa.select(contact_history_view, decision_log.c.record)
            .join(decision_log, decision_log.c.seq == contact_history_view.c.decision_seq)
            .where(contact_history_view.c.debt_id == debt_id)
            .order_by(contact_history_view.c.decision_seq)
        ).all()

    def logged_calls_of_debt(self, debt_id: str) -> Sequence[sa.Row]:
        """The debt's most recent allowed call decisions that log a call outcome (seq, at, record), newest first."""
        return self.conn.execute(_CALLS_OF_DEBT, {"debt_id": debt_id}).all()

    def history_of_debt(self, debt_id: str) -> Sequence[sa.Row]:
        """One query: the debt's sent messages (kind 'sent') and its most recent logged calls (kind 'call')."""
        return self.conn.execute(HISTORY_OF_DEBT, {"debt_id": debt_id}).all()

    # -- stored lines (read by the gate) -----------------------------------------------------------------------
    def borrower_of_line(self, account_id: int) -> int | None:
        """The borrower id of a stored credit line, or None."""
        borrower_id: BorrowerId | None = self.conn.execute(
            _BORROWER_OF_LINE, {"account_id": account_id}
        ).scalar_one_or_none()
        return borrower_id

    def withdraw_pending(
        self, *, debt_ids: Sequence[str], channels: Sequence[str] | None, reason: str, purposes: Sequence[str] | None
    ) -> int:
        """Mark these debts' messages still waiting to leave (pending, not yet leased) refused with `reason`, on
        `channels` (None: every channel) and of `purposes` (None: any); returns how many. A stored fact that came
        after their decision (a cease request, a dispute) withdraws them: they were judged without it."""
        o = outbox_messages.c
        conditions = [o.debt_id.in_(list(debt_ids)), o.status == OutboxStatus.PENDING]
        if channels is not None:
            conditions.append(o.channel.in_(list(channels)))
        if purposes is not None:
            decided = sa.select(decision_log.c.seq).where(decision_log.c.purpose.in_(list(purposes)))
            conditions.append(o.decision_seq.in_(decided))
        if not debt_ids:
            return 0
        done = self.conn.execute(
            outbox_messages.update().where(*conditions).values(status=OutboxStatus.REFUSED, last_error=reason)
        )
        return int(done.rowcount or 0)

    def line_ids_of_borrower(self, borrower_id: BorrowerId) -> list[int]:
        """The borrower's credit line ids."""
        return list(
            self.conn.execute(sa.select(credit_lines.c.id).where(credit_lines.c.borrower_id == borrower_id)).scalars()
        )

    def borrower_exists(self, borrower_id: BorrowerId) -> bool:
        """Whether a borrower with this id is stored."""
        return self.conn.execute(sa.select(borrowers.c.id).where(borrowers.c.id == borrower_id)).first() is not None

    # -- contact facts -----------------------------------------------------------------------------------------
    def open_fact_kinds(self, borrower_id: BorrowerId) -> list[str]:
        """The kinds of the borrower's facts not ended (one per fact)."""
        rows = self.conn.execute(
            sa.select(contact_facts.c.kind).where(
                contact_facts.c.borrower_id == borrower_id, contact_facts.c.ended_at.is_(None)
            )
        ).all()
        return [row.kind for row in rows]

    def add_fact(self, values: dict[str, Any]) -> int:
        """Store a contact fact (every column but id given); returns its id."""
        fact_id: int = self.conn.execute(contact_facts.insert().returning(contact_facts.c.id), values).scalar_one()
        return fact_id

    def lock_fact(self, fact_id: int) -> sa.Row | None:
        """(id, ended_at, borrower_id, kind) of a fact, locked for this transaction; None if there is none."""
        return self.conn.execute(
            sa.select(contact_facts.c.id, contact_facts.c.ended_at, contact_facts.c.borrower_id, contact_facts.c.kind)
            .where(contact_facts.c.id == fact_id)
            .with_for_update()
        ).first()

    def end_fact(self, fact_id: int, *, at: datetime, ended_by: str, reason: str) -> None:
        """End a fact not ended yet."""
        self.conn.execute(
            sa.update(contact_facts)
            .where(contact_facts.c.id == fact_id, contact_facts.c.ended_at.is_(None))
            .values(ended_at=at, ended_by=ended_by, end_reason=reason)
        )

    def facts_of_borrower(self, borrower_id: BorrowerId) -> Sequence[sa.Row]:
        """Every fact of the borrower (whole rows, still encrypted), ended ones included, oldest first."""
        return self.conn.execute(
            sa.select(contact_facts).where(contact_facts.c.borrower_id == borrower_id).order_by(contact_facts.c.id)
        ).all()

    def gate_fact_rows(self, *, borrower_id: BorrowerId, account_id: int, at: datetime) -> Sequence[sa.Row]:
        """One query: the facts of the borrower about this debt or all its debts, effective from `at` or earlier
        (kind, account_id, effective_from, effective_until, ended_at, hours_start, hours_end, attorney_contact_ct), by
        hours then id."""
        return self.conn.execute(_GATE_FACTS, {"borrower_id": borrower_id, "account_id": account_id, "at": at}).all()

    # -- the outbox --------------------------------------------------------------------------------------------
    def add_outbox_message(self, values: dict[str, Any]) -> int:
        """Queue a message (every column but id given); returns its outbox id."""
        outbox_id: int = self.conn.execute(_OUTBOX_INSERT, values).scalar_one()
        return outbox_id

    def due_outbox_ids(self, *, now: datetime, channels: list[str], limit: int) -> list[int]:
        """Up to `limit` claimable rows on these channels, by next attempt then id (PostgreSQL: locked, SKIP LOCKED)."""
        o = outbox_messages.c
        query = sa.select(o.id).where(_due(now), o.channel.in_(channels)).order_by(o.next_attempt_at, o.id).limit(limit)
        if self.conn.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(self.conn.execute(query).scalars())

    def lease_outbox(self, ids: list[int], *, now: datetime, owner: str, lease_until: datetime) -> Sequence[sa.Row]:
        """Lease those of `ids` still due to `owner` (status sending, attempts + 1); returns the leased rows by id."""
        o = outbox_messages.c
        self.conn.execute(
            outbox_messages.update()
            .where(o.id.in_(ids), _due(now))
            .values(status=OutboxStatus.SENDING, lease_owner=owner, lease_until=lease_until, attempts=o.attempts + 1)
        )
        return self.conn.execute(
            sa.select(outbox_messages)
            .where(o.id.in_(ids), o.lease_owner == owner, o.status == OutboxStatus.SENDING)
            .order_by(o.id)
        ).all()

    def release_outbox(self, outbox_id: int, *, owner: str, values: dict[str, Any]) -> bool:
        """Set `values` on a row `owner` still holds the lease of, and drop the lease; False if it holds none."""
        o = outbox_messages.c
        result = self.conn.execute(
            outbox_messages.update()
            .where(o.id == outbox_id, o.lease_owner == owner, o.status == OutboxStatus.SENDING)
            .values(lease_owner=None, lease_until=None, **values)
        )
        return result.rowcount == 1

    def add_delivery_attempt(
        self,
        *,
        outbox_id: int,
        attempt_no: int,
        owner: str,
        started_at: datetime,
        finished_at: datetime,
        outcome: str,
        provider_message_id: str | None,
        error: str | None,
    ) -> None:
        """Record one finished delivery attempt."""
        self.conn.execute(
            delivery_attempts.insert().values(
                outbox_id=outbox_id,
                attempt_no=attempt_no,
                owner=owner,
                started_at=started_at,
                finished_at=finished_at,
                outcome=outcome,
                provider_message_id=provider_message_id,
                error=error,
            )
        )

    def adopt_receipts(self, outbox_id: int, provider_message_id: str) -> list[str]:
        """Join the receipts of this provider id not yet tied to a message to it; returns all its receipt statuses
        in arrival order."""
        r = delivery_receipts.c
        self.conn.execute(
            delivery_receipts.update()
            .where(r.provider_message_id == provider_message_id, r.outbox_id.is_(None))
            .values(outbox_id=outbox_id)
        )
        return list(self.conn.execute(sa.select(r.status).where(r.outbox_id == outbox_id).order_by(r.id)).scalars())

    def set_delivery_status(self, outbox_id: int, status: str) -> None:
        """The message's delivery status, as its receipts tell."""
        self.conn.execute(
            outbox_messages.update().where(outbox_messages.c.id == outbox_id).values(delivery_status=status)
        )

    def unknown_outbox(self) -> Sequence[sa.Row]:
        """Rows whose delivery is unknown with their handover (message_id, started_at; None without one), by id."""
        o, h = outbox_messages.c, channel_handovers.c
        return self.conn.execute(
            sa.select(o.id, o.channel, o.address_masked, o.send_by, o.last_error, h.message_id, h.started_at)
            .select_from(outbox_messages.outerjoin(channel_handovers, h.outbox_id == o.id))
            .where(o.status == OutboxStatus.UNKNOWN)
            .order_by(o.id)
        ).all()

    def lock_outbox(self, outbox_id: int) -> sa.Row | None:
        """The whole outbox row, locked for this transaction; None if there is none."""
        return self.conn.execute(
            sa.select(outbox_messages).where(outbox_messages.c.id == outbox_id).with_for_update()
        ).first()

    def settle_unknown_outbox(self, outbox_id: int, values: dict[str, Any]) -> None:
        """Set `values` on an outbox row still `unknown`."""
        o = outbox_messages.c
        self.conn.execute(
            outbox_messages.update().where(o.id == outbox_id, o.status == OutboxStatus.UNKNOWN).values(**values)
        )

    # -- delivery receipts -------------------------------------------------------------------------------------
    def outbox_id_of_provider_message(self, provider_message_id: str) -> int | None:
        """The outbox id the provider knows by this id, or None."""
        o = outbox_messages.c
        outbox_id: int | None = self.conn.execute(
            sa.select(o.id).where(o.provider_message_id == provider_message_id)
        ).scalar_one_or_none()
        return outbox_id

    def add_receipt(
        self,
        *,
        outbox_id: int | None,
        provider_message_id: str,
        status: str,
        occurred_at: datetime | None,
        received_at: datetime,
        detail: str,
    ) -> int:
        """Store a receipt once per (provider id, status); returns 1 if stored, 0 for a repeat."""
        rowcount: int = self.conn.execute(
            _insert(self.conn, delivery_receipts)
            .values(
                outbox_id=outbox_id,
                provider_message_id=provider_message_id,
                status=status,
                occurred_at=occurred_at,
                received_at=received_at,
                detail=detail,
            )
            .on_conflict_do_nothing()
        ).rowcount
        return rowcount

    def set_receipt_status(self, outbox_id: int, status: str) -> None:
        """A receipt's status as the message's delivery status; a final one is not replaced by a non-final one."""
        o = outbox_messages.c
        final = sa.or_(o.delivery_status.is_(None), o.delivery_status.notin_(FINAL_DELIVERY_STATUSES))
        condition = final if status not in FINAL_DELIVERY_STATUSES else sa.true()
        self.conn.execute(outbox_messages.update().where(o.id == outbox_id, condition).values(delivery_status=status))

    # -- the channels' sent-ledger and handovers ---------------------------------------------------------------
    def sent_provider_message_id(self, key: str) -> str | None:
        """The provider's id of what was handed over under this idempotency key, or None."""
        provider_message_id: str | None = self.conn.execute(
            sa.select(channel_sent_ledger.c.provider_message_id).where(channel_sent_ledger.c.idempotency_key == key)
        ).scalar_one_or_none()
        return provider_message_id

    def add_sent(self, key: str, *, channel: str, provider_message_id: str | None, sent_at: datetime) -> None:
        """Record a handover under its idempotency key, unless one is recorded (ON CONFLICT DO NOTHING)."""
        self.conn.execute(
            _insert(self.conn, channel_sent_ledger)
            .values(idempotency_key=key, channel=channel, provider_message_id=provider_message_id, sent_at=sent_at)
            .on_conflict_do_nothing()
        )

    def handover(self, key: str) -> sa.Row | None:
        """The handover row of this idempotency key, or None."""
        h = channel_handovers.c
        return self.conn.execute(sa.select(channel_handovers).where(h.idempotency_key == key)).first()

    def handover_of_outbox(self, outbox_id: int) -> sa.Row | None:
        """A handover row of this outbox message, or None."""
        h = channel_handovers.c
        return self.conn.execute(sa.select(channel_handovers).where(h.outbox_id == outbox_id)).first()

    def handover_exists(self, key: str) -> bool:
        """Whether a handover of this idempotency key is stored."""
        h = channel_handovers.c
        return self.conn.execute(sa.select(h.state).where(h.idempotency_key == key)).first() is not None

    def restart_handover(self, key: str, *, at: datetime) -> bool:
        """A failed (or to-be-resent) handover in flight again (attempts + 1); False if there is none such."""
        h = channel_handovers.c
        moved: int = self.conn.execute(
            channel_handovers.update()
            .where(h.idempotency_key == key, h.state.in_(("failed", "resend")))
            .values(state="in_flight", attempts=h.attempts + 1, started_at=at, updated_at=at, note=None)
        ).rowcount
        return moved == 1

    def add_handover(self, key: str, *, outbox_id: int, channel: str, message_id: str, at: datetime) -> None:
        """A first handover, in flight."""
        self.conn.execute(
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

    def set_handover(self, key: str, values: dict[str, Any]) -> None:
        """Set `values` (state, updated_at, resolved_by, note) on the handover of this idempotency key."""
        h = channel_handovers.c
        self.conn.execute(channel_handovers.update().where(h.idempotency_key == key).values(**values))

    def settle_handovers_of_outbox(
        self, outbox_id: int, *, state: str, at: datetime, resolved_by: str, note: str
    ) -> None:
        """An operator's settlement on the handovers of this outbox message."""
        h = channel_handovers.c
        self.conn.execute(
            channel_handovers.update()
            .where(h.outbox_id == outbox_id)
            .values(state=state, updated_at=at, resolved_by=resolved_by, note=note)
        )
