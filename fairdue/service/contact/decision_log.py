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

Signed checkpoints (issue 16 item 5, fairdue.domain.audit_checkpoint; keys: fairdue.adapters.log_signing): the
append that reaches a multiple of CHECKPOINT_INTERVAL_ENTRIES signs the new head in its own transaction, and
every verify run by `fairdue audit verify`, `fairdue audit checkpoint` or the API signs the head it found intact.
verify_log checks every stored checkpoint in the same streaming pass over the log, so a log rewritten with fresh
hashes at or before a checkpoint, a tail truncated below one, a forged checkpoint (bad signature, unknown key) and
a log missing the checkpoint of its last interval boundary (rows deleted) all fail without a hand-kept anchor.
"""

from __future__ import annotations

import heapq
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from fairdue.adapters.db.repos.audit import AuditRepository
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.adapters.log_signing import KeysNotConfigured, LogKeys, load_log_keys, require_log_keys
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
from fairdue.domain.audit_checkpoint import Checkpoint, CheckpointWatch
from fairdue.domain.instants import parse_utc_or_none
from fairdue.policy.pack import PURPOSES

VERIFY_BATCH_ROWS = 1000
# The append that writes decision N x CHECKPOINT_INTERVAL_ENTRIES signs a checkpoint of it (one signature per
# thousand decisions costs nothing next to the appends); verify requires a checkpoint at or after the log's last
# such boundary, which is what catches deleted checkpoint rows.
CHECKPOINT_INTERVAL_ENTRIES = 1000

logger = logging.getLogger(__name__)


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
    if entry.seq % CHECKPOINT_INTERVAL_ENTRIES == 0:
        _checkpoint_at_interval(uow, entry)
    return entry


def _url(uow: Any) -> str | None:
    engine = getattr(uow, "engine", None)
    return None if engine is None else engine.url.render_as_string(hide_password=False)


def log_keys(uow: Any) -> LogKeys | None:
    """The log signing keys configured for the unit's database (dev keys on SQLite); None on PostgreSQL without
    FAIRDUE_LOG_KEYS / FAIRDUE_LOG_KEY_FILE."""
    return load_log_keys(database_url=_url(uow))


def required_log_keys(uow: Any) -> LogKeys:
    """log_keys, refusing (KeysNotConfigured) a database with none configured: what verify and export use."""
    return require_log_keys(database_url=_url(uow))


def _checkpoint_at_interval(uow: Any, entry: Entry) -> None:
    """Sign the head the append just wrote, in its transaction. Without a private key the decision still goes
    through (the gate must not stop), and verify reports the missing checkpoint as "unsigned"."""
    keys = log_keys(uow)
    if keys is None or not keys.can_sign:
        logger.warning("decision %d: no log signing key configured, interval checkpoint not written", entry.seq)
        return
    checkpoint = keys.sign(seq=entry.seq, head_hash=entry.hash, signed_at=uow.clock())
    AuditRepository(uow.connection).add_checkpoint(checkpoint)


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


def _stored_entries(uow: Any, mismatch: list[int], *, upto: int | None = None) -> Iterator[Entry]:
    """Every stored entry in seq order (up to seq `upto` when given), read in batches; the first entry whose query
    columns no longer agree with its (parsed) record goes into `mismatch`."""
    column_names = list(columns_from_record({}).keys())
    last = 0
    while True:
        rows = uow.contact.decisions_after(last, limit=VERIFY_BATCH_ROWS)
        if not rows:
            return
        for row in rows:
            if upto is not None and row.seq > upto:
                return
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


def _column_mismatch(result: Verification, mismatch: list[int]) -> Verification:
    """The chain's result, or the first decision whose query columns disagree with its record if that is earlier."""
    if mismatch and (result.ok or (result.bad_seq or 0) > mismatch[0]):
        seq = mismatch[0]
        message = f"decision {seq} was altered: its columns no longer match its hashed record"
        return Verification(False, result.checked, seq, "edited", message)
    return result


def _anchored(uow: Any, result: Verification, anchor: tuple[int, str] | None) -> Verification:
    """The result, failed if the entry at a hand-kept anchor's seq no longer carries the anchored hash."""
    if not result.ok or anchor is None or anchor[0] <= 0:
        return result
    seq, expected = anchor
    entry = get_entry(uow, seq)
    if entry is None or entry.hash != expected:
        message = (
            f"decision {seq} no longer carries the anchored hash {expected[:16]}…: "
            "the log was rewritten from there or earlier"
        )
        return Verification(False, result.checked, seq, "edited", message)
    return result


def _beyond_head(uow: Any, result: Verification, head_seq: int | None) -> int | Verification:
    """The walk stops at the head read first, so decisions appended meanwhile (PostgreSQL runs READ COMMITTED) are
    left for the next verify. Read the head again now: rows beyond it are a malformed log (a failed Verification);
    else its seq, which tells the checkpoints of those appends from a truncation."""
    count = uow.contact.decision_count()  # before the head: every row counted was committed with its head move
    head_now = uow.contact.head()
    now_seq = max(head_now[0] if head_now is not None else 0, head_seq or 0)
    if result.ok and count > now_seq:
        message = f"decision {now_seq + 1} is beyond the log head ({now_seq})"
        return Verification(False, result.checked, now_seq + 1, "malformed", message)
    return now_seq


def _checkpoint_watch(uow: Any, keys: LogKeys | None, witness: Checkpoint | None) -> CheckpointWatch:
    """A watch over the stored checkpoints (and the witness's), merged in seq order."""
    audit = AuditRepository(uow.connection)
    stored: Iterable[Checkpoint] = audit.checkpoints()
    if keys is None:
        if witness is not None or audit.has_checkpoints():
            raise KeysNotConfigured(
                "the decision log has signed checkpoints but no log key is configured to check them: "
                "set FAIRDUE_LOG_KEYS or FAIRDUE_LOG_KEY_FILE (the public keys are enough)"
            )
        return CheckpointWatch((), authentic=lambda _: "no log key configured")
    if witness is not None:
        stored = heapq.merge(stored, [witness], key=lambda c: c.seq)
    return CheckpointWatch(stored, authentic=keys.authentic)


def verify_log(
    uow: Any,
    *,
    anchor: tuple[int, str] | None = None,
    witness: Checkpoint | None = None,
    keys: LogKeys | Literal["configured"] | None = "configured",
    sign: bool = False,
    adopt: bool = False,
) -> Verification:
    """Verify the whole stored chain, its head, that query columns agree with records, and the signed checkpoints.

    Every stored checkpoint must verify under a configured key and match the entry at its seq; none may lie past
    the log's end; a log of CHECKPOINT_INTERVAL_ENTRIES or more decisions needs one at or after its last interval
    boundary (`adopt` waives that rule: the first checkpoint of a log older than the checkpoints).
    anchor: a (seq, hash) kept by hand (log_head). witness: an exported checkpoint (an external copy), checked
    like a stored one. keys: the log keys ("configured": load them; None on PostgreSQL without any, which is
    fine only while no checkpoint exists). sign: when the log is intact, sign its head and store the checkpoint
    in the caller's transaction (the caller commits). Reads the log in batches: memory does not grow with it.
    """
    keys = log_keys(uow) if isinstance(keys, str) else keys
    if witness is not None and keys is not None and (why := keys.authentic(witness)) is not None:
        return Verification(False, 0, witness.seq, "forged", f"the witness checkpoint is forged: {why}")
    head = uow.contact.head()
    head_seq, head_hash = head if head is not None else (None, None)
    if head is None and uow.contact.decision_count():
        return _truncated()
    watch = _checkpoint_watch(uow, keys, witness)
    mismatch: list[int] = []
    entries = watch.follow(_stored_entries(uow, mismatch, upto=head_seq))
    result = _column_mismatch(verify_chain(entries, head_seq=head_seq, head_hash=head_hash), mismatch)
    head_now = _beyond_head(uow, result, head_seq)
    if isinstance(head_now, Verification):
        return head_now
    result = watch.finish(result, interval_entries=None if adopt else CHECKPOINT_INTERVAL_ENTRIES, head_now=head_now)
    result = _anchored(uow, result, anchor)
    if not result.ok:
        return result
    if watch.newest is not None:
        result = replace(result, checkpoint_seq=watch.newest.seq)
    if sign and keys is not None and keys.can_sign and head_seq and head_hash:
        checkpoint = keys.sign(seq=head_seq, head_hash=head_hash, signed_at=uow.clock())
        AuditRepository(uow.connection).add_checkpoint(checkpoint)
        message = f"{result.message}; head signed at decision {head_seq} (key {checkpoint.key_id})"
        result = replace(result, checkpoint_seq=head_seq, message=message)
    return result


def newest_checkpoint(uow: Any) -> Checkpoint | None:
    """The stored checkpoint of the highest seq (what `fairdue audit checkpoint --export` hands a witness)."""
    return AuditRepository(uow.connection).newest_checkpoint()


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
