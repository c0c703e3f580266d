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
The SQL is the contact repository's (`uow.contact`, fairdue.adapters.db.repos.contact).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairdue.adapters.db.uow import UnitOfWork
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
from fairdue.policy.pack import PURPOSES

VERIFY_BATCH_ROWS = 1000


def columns_from_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The query columns of decision_log, all derived from the hashed record."""
    decision = found if isinstance(found := record.get("decision"), Mapping) else {}
    recipient = to if isinstance(to := record.get("recipient"), Mapping) else {}
    violations = [v for v in decision.get("violations") or [] if isinstance(v, Mapping)]
    return {
        "decided_at": parse_utc_or_none(record.get("decided_at")),
        "debt_id": record.get("debt_id"),
        "channel": record.get("channel"),
        # A malformed purpose (the gate denied it) stays in the hashed record only, never in the short column.
        "purpose": purpose if (purpose := record.get("purpose")) in PURPOSES else None,
        "recipient_role": recipient.get("role"),
        "address_masked": recipient.get("address_masked"),
        "allowed": decision.get("allowed") is True,
        "fingerprint": record.get("fingerprint"),
        "violation_rules": ",".join(str(v.get("rule", "")) for v in violations),
        "violation_categories": ",".join(str(v.get("category", "")) for v in violations),
        "next_allowed_at": parse_utc_or_none(decision.get("next_allowed_at")),
    }


def _truncated() -> Verification:
    return Verification(False, 0, 1, "truncated", "the decision log head row is missing while the log holds decisions")


def _locked_head(uow: Any) -> tuple[int, str]:
    """(last seq, last hash) of the head row, locked for this transaction; recreated at genesis only for an empty log.

    Insert-if-missing comes before the lock, so two first appenders (e.g. right
    after a TRUNCATE) cannot both see "no head" and disagree about the log.

    Once this transaction holds the lock (SELECT … FOR UPDATE on PostgreSQL; the IMMEDIATE write lock on SQLite)
    and has appended, nobody else can move the head until it ends, so the head its own last append wrote is the
    head: it is remembered for the same transaction and savepoint only (a savepoint rolled back, or a new
    transaction, reads the row again).
    """
    log = uow.contact
    own = log.own_last_entry()
    if own is not None:
        return own.seq, own.hash
    head = log.lock_head()
    if head is None:
        head = log.add_genesis_head()
        if head[0] == 0 and log.decision_count():
            raise ChainBroken(_truncated())
    return head


def append_decision(uow: Any, record: Mapping[str, Any]) -> Entry:
    """Append one record at the end of the chain, in the caller's transaction."""
    last_seq, last_hash = _locked_head(uow)
    entry = make_entry(seq=last_seq + 1, prev_hash=last_hash, record=record)
    columns = columns_from_record(record)
    if columns["decided_at"] is None:
        raise AuditError("a decision record needs decided_at as an aware ISO 8601 instant")
    uow.contact.add_entry(entry, columns)
    return entry


def get_entry(uow: Any, seq: int) -> Entry | None:
    """The stored entry with this seq, or None (the one this transaction has just appended is not read back)."""
    own = uow.contact.own_last_entry()
    if own is not None and own.seq == seq:
        return own
    return uow.contact.entry(seq)


class DecisionLookup:
    """Reads decision entries on its own short transactions (what channel adapters use).

    cipher: the field cipher whose index key made the keyed text hashes of login-code decisions (text_hmac);
    fairdue.bootstrap.build_channels passes the app's; None loads the configured keys the first time they are needed."""

    def __init__(self, engine: Any, *, cipher: Any = None):
        self.engine = engine
        self._cipher = cipher

    def get(self, seq: int) -> Entry | None:
        with UnitOfWork(self.engine) as uow:
            return get_entry(uow, seq)

    def text_hmac(self, text: str) -> str:
        """The keyed hash of a message text, as request_contact logs it for a login code."""
        if self._cipher is None:
            self._cipher = UnitOfWork(self.engine).cipher
        return self._cipher.blind_index(text, context=MESSAGE_TEXT_CONTEXT)


def log_head(uow: Any) -> tuple[int, str]:
    """(last seq, last hash): publish it somewhere else (an anchor) to detect a rewritten log later."""
    head = uow.contact.head()
    return (0, GENESIS_HASH) if head is None else head


def _stored_entries(uow: Any, mismatch: list[int]) -> Iterator[Entry]:
    """Every stored entry in seq order, read in batches; the first entry whose query columns no longer agree with
    its (parsed) record goes into `mismatch`."""
    column_names = list(columns_from_record({}).keys())
    last = 0
    while True:
        rows = uow.contact.decisions_after(last, limit=VERIFY_BATCH_ROWS)
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


def verify_log(uow: Any, *, anchor: tuple[int, str] | None = None) -> Verification:
    """Verify the whole stored chain, its head, and that query columns agree with records.

    anchor: a (seq, hash) published earlier (log_head); the entry at that seq must
    still carry that hash. Without an anchor, someone able to rewrite every
    hash and the head row could replace the log undetected; with one, only
    decisions after the anchor are at risk.
    """
    head = uow.contact.head()
    head_seq, head_hash = head if head is not None else (None, None)
    if head is None and uow.contact.decision_count():
        return _truncated()
    mismatch: list[int] = []
    result = verify_chain(_stored_entries(uow, mismatch), head_seq=head_seq, head_hash=head_hash)
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
        entry = get_entry(uow, seq)
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


def require_intact(uow: Any) -> Verification:
    """verify_log, raising ChainBroken when anything is wrong."""
    result = verify_log(uow)
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


def contact_history(uow: Any, *, debt_id: str) -> list[ContactLogItem]:
    """Every decision about a debt, oldest first, from the contact_history view."""
    rows = uow.contact.contact_history_of_debt(debt_id)
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
