"""The decision log as a hash chain: pure logic, no storage.

Each entry is a record (a JSON object) with its sequence number `seq`
(1, 2, 3, ...). Its canonical form is JSON with sorted keys, no spaces,
UTF-8, no NaN. The entry's hash is

    hash[n] = SHA-256( prev_hash + "\\n" + canonical(record[n]) )   (hex)

with prev_hash of entry 1 = GENESIS_HASH and prev_hash of entry n = hash[n-1].
The record carries its own `seq`, so renumbering changes the hash too.

`verify_chain` walks stored entries in `seq` order and names the first bad
one: an edited record (its hash no longer matches), a missing one (a gap in
`seq`, or a link that points at a hash that is not its predecessor's), a
reordering (links out of order) or a truncated tail (the chain head, kept
apart from the entries, names a later entry than the last one found).

A message's fingerprint binds a decision to exactly one message:
SHA-256 over canonical {"channel", "recipient", "text_sha256"} (for a login
code: {"channel", "recipient", "text_hmac"}, a keyed hash). A channel
adapter recomputes it from what it is about to send and compares.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fairdue.errors import FairdueError

GENESIS_HASH = "0" * 64
HASH_HEX_CHARS = 64
# verify_chain remembers this many recent hashes to say where a misplaced link points.
RECENT_HASHES_MAX = 10_000
RECORD_CHARS_MAX = 1_000_000


class AuditError(FairdueError):
    """The decision log or one of its records is not what it must be."""


class NotCanonical(AuditError):
    """A record cannot be put in canonical form (a float NaN/inf, mixed key types, a non-JSON value)."""


class ChainBroken(AuditError):
    """Verification found a bad entry; `.result` says which and why."""

    def __init__(self, result: Verification):
        super().__init__(result.message)
        self.result = result


def canonical_json(record: Mapping[str, Any]) -> str:
    """The one text form of a record that is hashed and stored."""
    try:
        text = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as err:  # NaN/inf, keys that cannot be sorted, objects JSON cannot hold
        raise NotCanonical(f"record has no canonical JSON form: {err}") from None
    if len(text) > RECORD_CHARS_MAX:
        raise NotCanonical(f"record is {len(text)} characters, more than {RECORD_CHARS_MAX}")
    return text


_JSON_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))


def copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data (plain dicts and lists of str / int / float / bool / None), much cheaper
    than copy.deepcopy, which gate requests and records are copied with several times per decision. Anything
    else inside (a tuple, a datetime, a dict subclass) is copied by copy.deepcopy, so no caller shares a mutable
    object with the copy."""
    kind = type(value)
    # Scalars (most of the values) are taken in place by the comprehensions, not through one call each.
    if kind is dict:
        return {k: v if type(v) in _JSON_SCALAR_TYPES else copy_json(v) for k, v in value.items()}
    if kind is list:
        return [v if type(v) in _JSON_SCALAR_TYPES else copy_json(v) for v in value]
    if kind in _JSON_SCALAR_TYPES:
        return value
    return copy.deepcopy(value)


def entry_hash(prev_hash: str, record_text: str) -> str:
    """SHA-256 (hex) over the previous hash and the canonical record text."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + record_text.encode("utf-8")).hexdigest()


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def message_fingerprint(*, channel: str, recipient: str, text: str) -> str:
    """What a decision allows: exactly this text to exactly this address on this channel."""
    body = {"channel": channel, "recipient": recipient.strip(), "text_sha256": sha256_text(text)}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


# A one-time login code's text (10^6 possible codes) must not be recoverable from the log or the outbox, so
# authentication messages are bound by a keyed hash of the text (an HMAC the caller computes with the keyring's
# index key under this context, fairdue.adapters.crypto.FieldCipher.blind_index) instead of its SHA-256.
MESSAGE_TEXT_CONTEXT = "message.text"
KEYED_TEXT_PURPOSES = frozenset({"authentication"})


def keyed_message_fingerprint(*, channel: str, recipient: str, text_hmac: str) -> str:
    """message_fingerprint over a keyed hash of the text (text_hmac) instead of its SHA-256."""
    body = {"channel": channel, "recipient": recipient.strip(), "text_hmac": text_hmac}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """One link of the chain.

    seq: 1-based position; record_text: canonical JSON of the record (which
    holds `seq` itself); prev_hash: the hash of entry seq-1 (GENESIS_HASH for
    seq 1); hash: entry_hash(prev_hash, record_text). parsed: json.loads(record_text)
    when the reader already has it (saves a second parse while verifying), else None.
    """

    seq: int
    record_text: str
    prev_hash: str
    hash: str
    parsed: Any = field(default=None, compare=False, repr=False)

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = json.loads(self.record_text)  # a record is always a JSON object
        return record


def make_entry(*, seq: int, prev_hash: str, record: Mapping[str, Any]) -> Entry:
    """The next entry of a chain whose last hash is prev_hash."""
    if seq < 1:
        raise AuditError(f"seq must be at least 1, not {seq}")
    if len(prev_hash) != HASH_HEX_CHARS:
        raise AuditError(f"prev_hash must be {HASH_HEX_CHARS} hex characters")
    if "seq" in record and record["seq"] != seq:
        raise AuditError(f"record says seq {record['seq']}, entry is {seq}")
    text = canonical_json({**record, "seq": seq})
    return Entry(seq=seq, record_text=text, prev_hash=prev_hash, hash=entry_hash(prev_hash, text))


def entry_is_intact(entry: Entry) -> bool:
    """The entry's hash matches its own text and link, and the text names its seq."""
    if entry_hash(entry.prev_hash, entry.record_text) != entry.hash:
        return False
    try:
        record = json.loads(entry.record_text)
    except ValueError:
        return False
    return isinstance(record, dict) and record.get("seq") == entry.seq


@dataclass(frozen=True, slots=True)
class Verification:
    """ok: the whole chain is intact; checked: entries read; bad_seq: first bad entry
    (None when ok); problem: edited | missing | reordered | truncated | malformed, or from the signed
    checkpoints (fairdue.domain.audit_checkpoint) forged | unsigned (None when ok); message: one line for a
    person; checkpoint_seq: the newest signed checkpoint the log was found to match (None: none checked)."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str | None = None
    message: str = ""
    checkpoint_seq: int | None = None


def verify_chain(
    entries: Iterable[Entry],
    *,
    head_seq: int | None = None,
    head_hash: str | None = None,
) -> Verification:
    """Check every link in seq order; stop at the first bad entry and name it.

    head_seq/head_hash: the chain head stored apart from the entries (the last
    seq and hash written); when given, a missing tail is detected too.
    """
    prev_hash = GENESIS_HASH
    expected_seq = 1
    checked = 0
    seen_hashes: dict[str, int] = {}
    for entry in entries:
        checked += 1
        text_ok = entry_hash(entry.prev_hash, entry.record_text) == entry.hash
        if entry.seq != expected_seq:
            if entry.seq > expected_seq:
                return Verification(
                    False,
                    checked,
                    expected_seq,
                    "missing",
                    f"decision {expected_seq} is missing (next found is {entry.seq})",
                )
            return Verification(
                False,
                checked,
                entry.seq,
                "reordered",
                f"decision {entry.seq} appears out of order after {expected_seq - 1}",
            )
        if not text_ok:
            return Verification(
                False,
                checked,
                entry.seq,
                "edited",
                f"decision {entry.seq} was altered: its content no longer matches its hash",
            )
        record = entry.parsed
        if record is None:
            try:
                record = json.loads(entry.record_text)
            except ValueError:
                record = None
        if not isinstance(record, dict) or not isinstance(record.get("seq"), int):
            return Verification(
                False, checked, entry.seq, "malformed", f"decision {entry.seq} does not carry its own sequence number"
            )
        if record["seq"] != entry.seq:
            return Verification(
                False,
                checked,
                entry.seq,
                "reordered",
                f"decision {entry.seq} holds the record written as decision {record['seq']}",
            )
        if entry.prev_hash != prev_hash:
            if entry.prev_hash in seen_hashes:
                return Verification(
                    False,
                    checked,
                    entry.seq,
                    "reordered",
                    f"decision {entry.seq} links back to decision {seen_hashes[entry.prev_hash]}, "
                    f"not to {entry.seq - 1}",
                )
            return Verification(
                False,
                checked,
                entry.seq,
                "missing",
                f"decision {entry.seq} links to a decision that is not its predecessor "
                f"(one was removed or replaced before it)",
            )
        seen_hashes[entry.hash] = entry.seq
        if len(seen_hashes) > RECENT_HASHES_MAX:
            del seen_hashes[next(iter(seen_hashes))]
        prev_hash = entry.hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if head_seq is not None:
        if head_seq > last_seq:
            return Verification(
                False,
                checked,
                last_seq + 1,
                "truncated",
                f"decision {last_seq + 1} is missing: the log ends at {last_seq}, its head says {head_seq}",
            )
        if head_seq < last_seq:
            return Verification(
                False,
                checked,
                head_seq + 1,
                "malformed",
                f"decision {head_seq + 1} is beyond the log head ({head_seq})",
            )
        if head_hash is not None and head_seq > 0 and head_hash != prev_hash:
            return Verification(
                False,
                checked,
                last_seq,
                "edited",
                f"decision {last_seq} does not match the hash recorded in the log head",
            )
    return Verification(True, checked, message=f"{checked} decisions verified, chain intact")
