"""The decision log in the database: append under a lock, read, verify, contact history.

Appends are serialised so the chain never forks: the single head row is read
with SELECT … FOR UPDATE on PostgreSQL; on SQLite every unit of work already
begins IMMEDIATE (fairdue.adapters.db.engine), which holds the write lock.
The append happens in the caller's transaction, so a decision and the outbox
message it allows commit together or not at all. Within one transaction (and
savepoint) the head its own last append wrote is kept and reused: the lock is
held, so nobody else can have moved it; every entry still carries the hash of
the one before it and the head row is still written on every append. Reading
that last entry back (get_entry) in the same transaction is served from it.
"""

from __future__ import annotations

import json
import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection, Engine

from fairdue.adapters.crypto import load_cipher
from fairdue.adapters.db.schema.collections import (
    contact_history as contact_history_view,
)
from fairdue.adapters.db.schema.collections import (
    decision_log,
    decision_log_head,
)
from fairdue.domain.audit import (
    GENESIS_HASH,
    MESSAGE_TEXT_CONTEXT,
    AuditError,
    ChainBroken,
    Entry,
    Verification,
    make_entry,
    verify_chain,
)
from fairdue.domain.instants import parse_utc_or_none

VERIFY_BATCH_ROWS = 1000


def _connection(uow_or_conn: Any) -> Connection:
    return uow_or_conn if isinstance(uow_or_conn, Connection) else uow_or_conn.connection


def columns_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The query columns of decision_log, all derived from the hashed record."""
    decision = record.get("decision") if isinstance(record.get("decision"), Mapping) else {}
    recipient = record.get("recipient") if isinstance(record.get("recipient"), Mapping) else {}
    violations = [v for v in decision.get("violations") or [] if isinstance(v, Mapping)]
    return {
        "decided_at": parse_utc_or_none(record.get("decided_at")),
        "debt_id": record.get("debt_id"),
        "channel": record.get("channel"),
        "purpose": record.get("purpose"),
        "recipient_role": recipient.get("role"),
        "address_masked": recipient.get("address_masked"),
        "allowed": decision.get("allowed") is True,
        "fingerprint": record.get("fingerprint"),
        "violation_rules": ",".join(str(v.get("rule", "")) for v in violations),
        "violation_categories": ",".join(str(v.get("category", "")) for v in violations),
        "next_allowed_at": parse_utc_or_none(decision.get("next_allowed_at")),
    }


_HEAD_UPDATE = (
    decision_log_head.update()
    .where(decision_log_head.c.id == 1)
    .values(last_seq=sa.bindparam("new_seq"), last_hash=sa.bindparam("new_hash"))
)


def _insert_genesis_head(conn: Connection) -> None:
    values = {"id": 1, "last_seq": 0, "last_hash": GENESIS_HASH}
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    conn.execute(insert(decision_log_head).values(**values).on_conflict_do_nothing())


_HEAD_FOR_UPDATE = (
    sa.select(decision_log_head.c.last_seq, decision_log_head.c.last_hash)
    .where(decision_log_head.c.id == 1)
    .with_for_update()
)
_ENTRY_INSERT = decision_log.insert()
# The entry this connection's own last append wrote (the head), per transaction: (transaction, savepoint, entry).
_HEAD_MEMO: weakref.WeakKeyDictionary[Connection, tuple[Any, Any, Entry]] = weakref.WeakKeyDictionary()


def _own_last_entry(conn: Connection) -> Entry | None:
    """The entry this transaction's last append wrote, while the same transaction and savepoint go on, else None.

    The lock is held until the transaction ends, so it is still the head, and the log is append-only, so the
    stored row is exactly this entry; a savepoint rolled back, or a new transaction, forgets it.
    """
    tx, nested = conn.get_transaction(), conn.get_nested_transaction()
    held = _HEAD_MEMO.get(conn)
    if held is not None and tx is not None and held[0] is tx and held[1] is nested and tx.is_active:
        return held[2]
    return None


def _locked_head(conn: Connection) -> tuple[int, str]:
    """(last seq, last hash) of the head row, locked for this transaction; recreated at genesis only for an empty log.

    Insert-if-missing comes before the lock, so two first appenders (e.g. right
    after a TRUNCATE) cannot both see "no head" and disagree about the log.

    Once this transaction holds the lock (SELECT … FOR UPDATE on PostgreSQL; the IMMEDIATE write lock on SQLite)
    and has appended, nobody else can move the head until it ends, so the head its own last append wrote is the
    head: it is remembered for the same transaction and savepoint only (a savepoint rolled back, or a new
    transaction, reads the row again).
    """
    own = _own_last_entry(conn)
    if own is not None:
        return own.seq, own.hash
    head = conn.execute(_HEAD_FOR_UPDATE).one_or_none()
    if head is None:
        _insert_genesis_head(conn)
        head = conn.execute(_HEAD_FOR_UPDATE).one()
        if head.last_seq == 0 and conn.execute(sa.select(sa.func.count()).select_from(decision_log)).scalar_one():
            raise ChainBroken(
                Verification(
                    False, 0, 1, "truncated", "the decision log head row is missing while the log holds decisions"
                )
            )
    return head.last_seq, head.last_hash


def append_decision(uow_or_conn: Any, record: Mapping[str, Any]) -> Entry:
    """Append one record at the end of the chain, in the caller's transaction."""
    conn = _connection(uow_or_conn)
    last_seq, last_hash = _locked_head(conn)
    entry = make_entry(seq=last_seq + 1, prev_hash=last_hash, record=record)
    columns = columns_from_record(record)
    if columns["decided_at"] is None:
        raise AuditError("a decision record needs decided_at as an aware ISO 8601 instant")
    _HEAD_MEMO.pop(conn, None)  # a failing write below must not leave a head that was never stored
    # Statements built once, parameters apart: SQLAlchemy compiles and caches them once.
    conn.execute(
        _ENTRY_INSERT,
        {"seq": entry.seq, "record": entry.record_text, "prev_hash": entry.prev_hash, "hash": entry.hash, **columns},
    )
    conn.execute(_HEAD_UPDATE, {"new_seq": entry.seq, "new_hash": entry.hash})
    _HEAD_MEMO[conn] = (conn.get_transaction(), conn.get_nested_transaction(), entry)
    return entry


_ENTRY_BY_SEQ = sa.select(
    decision_log.c.seq, decision_log.c.record, decision_log.c.prev_hash, decision_log.c.hash
).where(decision_log.c.seq == sa.bindparam("seq"))


def get_entry(uow_or_conn: Any, seq: int) -> Entry | None:
    """The stored entry with this seq, or None (the one this transaction has just appended is not read back)."""
    conn = _connection(uow_or_conn)
    own = _own_last_entry(conn)
    if own is not None and own.seq == seq:
        return own
    row = conn.execute(_ENTRY_BY_SEQ, {"seq": seq}).one_or_none()
    if row is None:
        return None
    return Entry(seq=row.seq, record_text=row.record, prev_hash=row.prev_hash, hash=row.hash)


class DecisionLookup:
    """Reads decision entries on its own short transactions (what channel adapters use).

    cipher: the field cipher whose index key made the keyed text hashes of login-code decisions (text_hmac);
    None loads the configured one for the engine's database the first time it is needed."""

    def __init__(self, engine: Engine, *, cipher: Any = None):
        self.engine = engine
        self._cipher = cipher

    def get(self, seq: int) -> Entry | None:
        with self.engine.connect() as conn:
            return get_entry(conn, seq)

    def text_hmac(self, text: str) -> str:
        """The keyed hash of a message text, as request_contact logs it for a login code."""
        if self._cipher is None:
            self._cipher = load_cipher(database_url=self.engine.url.render_as_string(hide_password=False))
        return self._cipher.blind_index(text, context=MESSAGE_TEXT_CONTEXT)


def log_head(uow_or_conn: Any) -> tuple[int, str]:
    """(last seq, last hash): publish it somewhere else (an anchor) to detect a rewritten log later."""
    head = (
        _connection(uow_or_conn)
        .execute(
            sa.select(decision_log_head.c.last_seq, decision_log_head.c.last_hash).where(decision_log_head.c.id == 1)
        )
        .one_or_none()
    )
    return (0, GENESIS_HASH) if head is None else (head.last_seq, head.last_hash)


def verify_log(uow_or_conn: Any, *, anchor: tuple[int, str] | None = None) -> Verification:
    """Verify the whole stored chain, its head, and that query columns agree with records.

    anchor: a (seq, hash) published earlier (log_head); the entry at that seq must
    still carry that hash. Without an anchor, someone able to rewrite every
    hash and the head row could replace the log undetected; with one, only
    decisions after the anchor are at risk.
    """
    conn = _connection(uow_or_conn)
    head = conn.execute(
        sa.select(decision_log_head.c.last_seq, decision_log_head.c.last_hash).where(decision_log_head.c.id == 1)
    ).one_or_none()
    head_seq, head_hash = (head.last_seq, head.last_hash) if head is not None else (None, None)
    if head is None and conn.execute(sa.select(sa.func.count()).select_from(decision_log)).scalar_one():
        return Verification(
            False, 0, 1, "truncated", "the decision log head row is missing while the log holds decisions"
        )
    column_names = list(columns_from_record({}).keys())
    mismatch: list[int] = []

    def entries() -> Iterator[Entry]:
        last = 0
        while True:
            rows = conn.execute(
                sa.select(decision_log)
                .where(decision_log.c.seq > last)
                .order_by(decision_log.c.seq)
                .limit(VERIFY_BATCH_ROWS)
            ).all()
            if not rows:
                return
            for row in rows:
                last = row.seq
                try:
                    parsed = json.loads(row.record)
                except ValueError:
                    parsed = None
                if not mismatch and isinstance(parsed, dict):
                    expected = columns_from_record(parsed)
                    if any(getattr(row, name) != expected[name] for name in column_names):
                        mismatch.append(row.seq)
                yield Entry(seq=row.seq, record_text=row.record, prev_hash=row.prev_hash, hash=row.hash, parsed=parsed)

    result = verify_chain(entries(), head_seq=head_seq, head_hash=head_hash)
    if mismatch and (result.ok or (result.bad_seq or 0) > mismatch[0]):
        seq = mismatch[0]
        return Verification(
            False,
            result.checked,
            seq,
            "edited",
            f"decision {seq} was altered: its columns no longer match its hashed record",
        )
    if result.ok and anchor is not None and anchor[0] > 0:
        seq, expected = anchor
        entry = get_entry(conn, seq)
        if entry is None or entry.hash != expected:
            return Verification(
                False,
                result.checked,
                seq,
                "edited",
                f"decision {seq} no longer carries the anchored hash {expected[:16]}…: "
                "the log was rewritten from there or earlier",
            )
    return result


def require_intact(uow_or_conn: Any) -> Verification:
    """verify_log, raising ChainBroken when anything is wrong."""
    result = verify_log(uow_or_conn)
    if not result.ok:
        raise ChainBroken(result)
    return result


@dataclass(frozen=True, slots=True)
class ContactLogItem:
    """One line of a borrower's contact log.

    outbox_status/sent_at/delivery_status: None when nothing was sent (denied).
    reasons: (rule, category, reason_en, reason_zh) for each violation.
    """

    decision_seq: int
    decided_at: datetime
    channel: str | None
    recipient_role: str | None
    address_masked: str | None
    allowed: bool
    next_allowed_at: datetime | None
    outbox_status: str | None
    sent_at: datetime | None
    delivery_status: str | None
    reasons: tuple[tuple[str, str, str, str], ...]


def contact_history(uow_or_conn: Any, *, debt_id: str) -> list[ContactLogItem]:
    """Every decision about a debt, oldest first, from the contact_history view."""
    conn = _connection(uow_or_conn)
    rows = conn.execute(
        sa.select(contact_history_view, decision_log.c.record)
        .join(decision_log, decision_log.c.seq == contact_history_view.c.decision_seq)
        .where(contact_history_view.c.debt_id == debt_id)
        .order_by(contact_history_view.c.decision_seq)
    ).all()
    items = []
    for row in rows:
        decision = json.loads(row.record).get("decision") or {}
        reasons = tuple(
            (
                str(v.get("rule", "")),
                str(v.get("category", "")),
                str(v.get("reason_en", "")),
                str(v.get("reason_zh", "")),
            )
            for v in decision.get("violations") or []
            if isinstance(v, dict)
        )
        items.append(
            ContactLogItem(
                decision_seq=row.decision_seq,
                decided_at=row.decided_at,
                channel=row.channel,
                recipient_role=row.recipient_role,
                address_masked=row.address_masked,
                allowed=bool(row.allowed),
                next_allowed_at=row.next_allowed_at,
                outbox_status=row.outbox_status,
                sent_at=row.sent_at,
                delivery_status=row.delivery_status,
                reasons=reasons,
            )
        )
    return items
