"""Signed checkpoints of the decision log: what is signed and how a chain walk is checked against them (pure).

A checkpoint says: "the decision log held `entry_count` decisions and the last one, decision `seq`, had hash
`head_hash`", signed at `signed_at` with the Ed25519 key `key_id` (fairdue.adapters.log_signing). The bytes
signed are `checkpoint_payload`: canonical JSON of every field but the signature, tagged with CHECKPOINT_FORMAT
so a signature over anything else never passes for a checkpoint. The log is gapless from 1, so entry_count is
always seq; both are signed so a reader need not know that.

Someone able to rewrite the log's rows and every hash after an edit (and the head row) leaves a chain that
verifies by itself; a checkpoint signed before the rewrite no longer matches the entry at its seq, and they
cannot sign a new one without the private key. A checkpoint beyond the log's end means a truncated tail.

`CheckpointWatch` follows a chain walk (fairdue.domain.audit.verify_chain) entry by entry, so the checkpoints
are checked in the same single pass over the log: a forged checkpoint (bad signature, unknown key), an entry
that no longer carries its checkpoint's hash, a checkpoint past the end, and (with a cadence) a log whose
newest checkpoint is older than the last interval boundary all come out as a failed Verification.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fairdue.domain.audit import HASH_HEX_CHARS, AuditError, Entry, Verification, canonical_json

CHECKPOINT_FORMAT = "fairdue.decision-log.checkpoint/1"
KEY_ID_LEN_MAX = 32
SIGNATURE_CHARS_MAX = 128  # an Ed25519 signature is 64 bytes: 86 base64url characters

# authentic(checkpoint) -> None when its signature verifies under a configured key, else the reason it does not.
Authenticity = Callable[["Checkpoint"], str | None]


class MalformedCheckpoint(AuditError):
    """An exported checkpoint (a witness file) is not a checkpoint."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """seq: the last decision covered (>= 1); head_hash: its hash; entry_count: decisions covered (== seq);
    signed_at: aware UTC, whole seconds; key_id: the signing key's id; signature: base64url Ed25519 signature
    over checkpoint_payload(...) of the other fields."""

    seq: int
    head_hash: str
    entry_count: int
    signed_at: datetime
    key_id: str
    signature: str

    def payload(self) -> bytes:
        return checkpoint_payload(
            seq=self.seq,
            head_hash=self.head_hash,
            entry_count=self.entry_count,
            signed_at=self.signed_at,
            key_id=self.key_id,
        )


def instant_text(at: datetime) -> str:
    """The one text form of signed_at: UTC, whole seconds, `Z`."""
    if at.tzinfo is None:
        raise AuditError("a checkpoint's signed_at must be an aware instant")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def checkpoint_payload(*, seq: int, head_hash: str, entry_count: int, signed_at: datetime, key_id: str) -> bytes:
    """The bytes a checkpoint's signature covers."""
    body = {
        "format": CHECKPOINT_FORMAT,
        "seq": seq,
        "head_hash": head_hash,
        "entry_count": entry_count,
        "signed_at": instant_text(signed_at),
        "key_id": key_id,
    }
    return canonical_json(body).encode("utf-8")


def checkpoint_to_dict(checkpoint: Checkpoint) -> dict[str, Any]:
    """The exported form (JSON-ready) of a checkpoint, as an external witness keeps it."""
    return {
        "format": CHECKPOINT_FORMAT,
        "seq": checkpoint.seq,
        "head_hash": checkpoint.head_hash,
        "entry_count": checkpoint.entry_count,
        "signed_at": instant_text(checkpoint.signed_at),
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def _field(data: Mapping[str, Any], name: str, kind: type) -> Any:
    value = data.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise MalformedCheckpoint(f"checkpoint field {name!r} must be a {kind.__name__}")
    return value


def checkpoint_from_dict(data: Any) -> Checkpoint:
    """A checkpoint from its exported form; MalformedCheckpoint names the first field that is wrong.
    (Whether it is authentic is the signature's business: see Authenticity.)"""
    if not isinstance(data, Mapping) or data.get("format") != CHECKPOINT_FORMAT:
        raise MalformedCheckpoint(f"not a decision-log checkpoint (format must be {CHECKPOINT_FORMAT!r})")
    seq, count = _field(data, "seq", int), _field(data, "entry_count", int)
    head_hash, key_id = _field(data, "head_hash", str), _field(data, "key_id", str)
    signature, signed_text = _field(data, "signature", str), _field(data, "signed_at", str)
    if seq < 1 or count != seq:
        raise MalformedCheckpoint("checkpoint seq must be >= 1 and equal to entry_count")
    if len(head_hash) != HASH_HEX_CHARS or any(c not in "0123456789abcdef" for c in head_hash):
        raise MalformedCheckpoint(f"checkpoint head_hash must be {HASH_HEX_CHARS} lower-case hex characters")
    if not 0 < len(key_id) <= KEY_ID_LEN_MAX or not 0 < len(signature) <= SIGNATURE_CHARS_MAX:
        raise MalformedCheckpoint("checkpoint key_id or signature has an impossible length")
    try:
        signed_at = datetime.strptime(signed_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise MalformedCheckpoint("checkpoint signed_at must be YYYY-MM-DDTHH:MM:SSZ") from None
    return Checkpoint(seq, head_hash, count, signed_at, key_id, signature)


def _fail(checked: int, seq: int, problem: str, message: str) -> Verification:
    return Verification(False, checked, seq, problem, message)


class CheckpointWatch:
    """Checks checkpoints (in seq order) against the entries a chain walk reads, in the same pass.

    `follow(entries)` hands every entry on unchanged; `finish(result, ...)` merges what it found with the chain
    walk's own result: the first problem by seq wins (the chain's on a tie: it is the more precise)."""

    def __init__(self, checkpoints: Iterable[Checkpoint], *, authentic: Authenticity):
        self._pending: Iterator[Checkpoint] = iter(checkpoints)
        self._next: Checkpoint | None = next(self._pending, None)
        self._authentic = authentic
        self._last: Entry | None = None
        self.problem: Verification | None = None
        self.newest: Checkpoint | None = None  # the newest checkpoint that is authentic and matched
        self.matched = 0

    def follow(self, entries: Iterable[Entry]) -> Iterator[Entry]:
        for entry in entries:
            while self._next is not None and self._next.seq <= entry.seq:
                self._check(self._next, entry)
                self._next = next(self._pending, None)
            self._last = entry
            yield entry

    def _check(self, checkpoint: Checkpoint, entry: Entry | None) -> None:
        if self.problem is not None:
            return
        seq = checkpoint.seq
        why = self._authentic(checkpoint)
        if why is not None or checkpoint.entry_count != seq:
            why = why or f"it counts {checkpoint.entry_count} decisions up to decision {seq}"
            self.problem = _fail(0, seq, "forged", f"the checkpoint at decision {seq} is forged: {why}")
        elif entry is None:
            first = self._last.seq + 1 if self._last is not None else 1
            self.problem = _fail(
                0,
                first,
                "truncated",
                f"decisions {first}..{seq} are missing: the log ends at {first - 1}, a checkpoint signed "
                f"{instant_text(checkpoint.signed_at)} covers decision {seq} (truncated)",
            )
        elif entry.seq != seq or entry.hash != checkpoint.head_hash:
            since = f" after decision {self.newest.seq}" if self.newest is not None else ""
            self.problem = _fail(
                0,
                seq,
                "edited",
                f"the log was rewritten at or before decision {seq}{since}: the checkpoint signed "
                f"{instant_text(checkpoint.signed_at)} with key {checkpoint.key_id} says "
                f"{checkpoint.head_hash[:16]}…, the log has {entry.hash[:16]}…",
            )
        else:
            self.newest = checkpoint
            self.matched += 1

    def _drain(self, head_now: int | None) -> None:
        """Checkpoints after the last entry read (once the walk read it all): past the log's end, unless the log
        has grown to them since the walk began (head_now); those are only checked for their signature."""
        while self._next is not None and self.problem is None:
            checkpoint = self._next
            if head_now is not None and checkpoint.seq <= head_now and (why := self._authentic(checkpoint)):
                self.problem = _fail(
                    0, checkpoint.seq, "forged", f"the checkpoint at decision {checkpoint.seq} is forged: {why}"
                )
            elif head_now is None or checkpoint.seq > head_now:
                self._check(checkpoint, None)
            self._next = next(self._pending, None)

    def finish(
        self, result: Verification, *, interval_entries: int | None, head_now: int | None = None
    ) -> Verification:
        """The walk's result with the checkpoints' problems. interval_entries: the cadence checkpoints are written
        at (None: no cadence rule), so a log past a boundary must have a checkpoint at or after it. head_now: the
        log head's seq read again after the walk (None: the walk read the log as it is now)."""
        if result.ok:
            self._drain(head_now)
        found = self.problem
        if found is not None and (result.ok or (result.bad_seq or 0) > (found.bad_seq or 0)):
            return Verification(False, result.checked, found.bad_seq, found.problem, found.message)
        if not result.ok:
            return result
        last_seq = self._last.seq if self._last is not None else 0
        if interval_entries and last_seq >= interval_entries:
            due = last_seq - last_seq % interval_entries
            if self.newest is None or self.newest.seq < due:
                return _fail(
                    result.checked,
                    due,
                    "unsigned",
                    f"no signed checkpoint covers decision {due}: checkpoints were deleted, or decisions were "
                    f"appended without the log signing key",
                )
        return result
