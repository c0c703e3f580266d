"""The log signing keys and the checkpoint format (ASVS 4.0 V7.3.3 / V7.3.4): keys load like the field keys (dev
keys on SQLite only), a public key alone verifies, and any change to a signed field breaks the signature."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from fairdue.adapters.crypto import InvalidKeyConfig, KeysNotConfigured
from fairdue.adapters.log_signing import LogKeys, load_log_keys, require_log_keys
from fairdue.domain.audit import GENESIS_HASH, Verification, make_entry
from fairdue.domain.audit_checkpoint import (
    CheckpointWatch,
    MalformedCheckpoint,
    checkpoint_from_dict,
    checkpoint_to_dict,
)

AT = datetime(2026, 3, 2, 1, 0, 30, 123456, tzinfo=UTC)
PG = "postgresql+psycopg://u@127.0.0.1:5432/db"


def test_dev_keys_are_generated_for_sqlite_only(tmp_path):
    path = tmp_path / "dev-log-keys.json"
    env = {"FAIRDUE_DEV_LOG_KEY_FILE": str(path)}
    keys = load_log_keys(env, database_url="sqlite:///x.db")
    assert keys is not None and keys.dev and keys.can_sign
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert LogKeys.from_json(path.read_text()).public_key_text("log1") == keys.public_key_text("log1")
    assert load_log_keys(env, database_url=PG) is None
    with pytest.raises(KeysNotConfigured, match="dev keys are only generated for SQLite"):
        require_log_keys(env, database_url=PG)


def test_a_dev_key_set_is_refused_on_postgresql():
    dev = LogKeys.generate(dev=True).to_json()
    with pytest.raises(InvalidKeyConfig, match="development log key"):
        load_log_keys({"FAIRDUE_LOG_KEYS": dev}, database_url=PG)
    assert load_log_keys({"FAIRDUE_LOG_KEYS": LogKeys.generate(dev=False).to_json()}, database_url=PG) is not None


def test_a_key_file_that_cannot_be_read_is_named(tmp_path):
    with pytest.raises(KeysNotConfigured, match="cannot read FAIRDUE_LOG_KEY_FILE"):
        load_log_keys({"FAIRDUE_LOG_KEY_FILE": str(tmp_path / "absent.json")}, database_url=PG)


def test_the_public_key_alone_verifies_and_cannot_sign():
    keys = LogKeys.generate(dev=False)
    checkpoint = keys.sign(seq=3, head_hash="a" * 64, signed_at=AT)
    assert checkpoint.signed_at == AT.replace(microsecond=0) and checkpoint.entry_count == 3
    public = LogKeys.from_json(keys.to_json(public_only=True))
    assert not public.can_sign and public.private == {}
    assert public.authentic(checkpoint) is None
    with pytest.raises(KeysNotConfigured):
        public.sign(seq=4, head_hash="b" * 64, signed_at=AT)


@pytest.mark.parametrize(
    "change",
    [
        {"seq": 4, "entry_count": 4},
        {"head_hash": "b" * 64},
        {"signed_at": AT.replace(microsecond=0) + timedelta(seconds=1)},
        {"entry_count": 2},
    ],
    ids=["seq", "head_hash", "signed_at", "entry_count"],
)
def test_v7_3_3_any_signed_field_changed_breaks_the_signature(change):
    keys = LogKeys.generate(dev=False)
    checkpoint = keys.sign(seq=3, head_hash="a" * 64, signed_at=AT)
    assert keys.authentic(replace(checkpoint, **change)) is not None


def test_v7_3_3_a_key_id_swap_is_refused():
    keys = LogKeys(None, {}, {**LogKeys.generate("log1", dev=False).public, **LogKeys.generate("log2").public})
    signer = LogKeys.generate("log1", dev=False)
    checkpoint = signer.sign(seq=3, head_hash="a" * 64, signed_at=AT)
    assert "does not verify" in (keys.authentic(checkpoint) or "")
    assert "not a configured log key" in (keys.authentic(replace(checkpoint, key_id="log9")) or "")


def test_a_public_key_that_is_not_the_private_keys_half_is_refused():
    one, two = LogKeys.generate("log1"), LogKeys.generate("log1")
    with pytest.raises(InvalidKeyConfig, match="not the private key's half"):
        LogKeys("log1", one.private, two.public)


@pytest.mark.parametrize(
    "change",
    [
        {"format": "other/1"},
        {"seq": 0, "entry_count": 0},
        {"entry_count": 9},
        {"seq": "3"},
        {"head_hash": "A" * 64},
        {"signed_at": "2026-03-02 01:00:30"},
        {"key_id": ""},
        {"signature": "x" * 500},
    ],
)
def test_a_malformed_export_is_refused(change):
    checkpoint = LogKeys.generate(dev=False).sign(seq=3, head_hash="a" * 64, signed_at=AT)
    data = checkpoint_to_dict(checkpoint)
    assert checkpoint_from_dict(data) == checkpoint
    with pytest.raises(MalformedCheckpoint):
        checkpoint_from_dict({**data, **change})


def _chain(n: int):
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        entries.append(make_entry(seq=seq, prev_hash=prev, record={"n": seq}))
        prev = entries[-1].hash
    return entries


def test_the_watch_passes_every_entry_through_and_names_the_newest_match():
    keys = LogKeys.generate(dev=False)
    entries = _chain(7)
    marks = [keys.sign(seq=s, head_hash=entries[s - 1].hash, signed_at=AT) for s in (2, 5, 5)]
    watch = CheckpointWatch(marks, authentic=keys.authentic)
    assert list(watch.follow(entries)) == entries
    result = watch.finish(Verification(True, 7), interval_entries=5)
    assert result.ok and watch.newest is not None and watch.newest.seq == 5 and watch.matched == 3
    lagging = CheckpointWatch(marks[:1], authentic=keys.authentic)
    list(lagging.follow(entries))
    assert lagging.finish(Verification(True, 7), interval_entries=5).problem == "unsigned"
    assert lagging.finish(Verification(True, 7), interval_entries=None).ok


def test_checkpoints_of_decisions_appended_during_the_walk_are_not_a_truncation():
    """PostgreSQL runs READ COMMITTED: a verify walks up to the head it read first, and a decision (with its
    interval checkpoint) committed meanwhile is past the walk's end but not past the head read again after it."""
    keys = LogKeys.generate(dev=False)
    entries = _chain(6)
    later = [keys.sign(seq=6, head_hash=entries[5].hash, signed_at=AT)]
    concurrent = CheckpointWatch(later, authentic=keys.authentic)
    list(concurrent.follow(entries[:5]))
    assert concurrent.finish(Verification(True, 5), interval_entries=None, head_now=6).ok
    truncated = CheckpointWatch(later, authentic=keys.authentic)
    list(truncated.follow(entries[:5]))
    assert truncated.finish(Verification(True, 5), interval_entries=None, head_now=5).problem == "truncated"
    forged = CheckpointWatch([replace(later[0], key_id="zz")], authentic=keys.authentic)
    list(forged.follow(entries[:5]))
    assert forged.finish(Verification(True, 5), interval_entries=None, head_now=6).problem == "forged"
