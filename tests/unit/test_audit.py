"""The hash chain names the first bad record for any edit, deletion, reordering or truncation."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.domain.audit import (
    GENESIS_HASH,
    AuditError,
    Entry,
    NotCanonical,
    canonical_json,
    entry_is_intact,
    make_entry,
    message_fingerprint,
    verify_chain,
)


def chain(n: int) -> list[Entry]:
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        entry = make_entry(seq=seq, prev_hash=prev, record={"allowed": seq % 2 == 0, "debt": f"D{seq}", "note": "账单"})
        entries.append(entry)
        prev = entry.hash
    return entries


def test_canonical_json_is_key_order_independent_and_utf8():
    assert canonical_json({"b": 1, "a": "张"}) == canonical_json({"a": "张", "b": 1}) == '{"a":"张","b":1}'


def test_canonical_json_refuses_nan():
    with pytest.raises(NotCanonical):
        canonical_json({"x": float("nan")})


def test_intact_chain_verifies_with_its_head():
    entries = chain(10)
    result = verify_chain(entries, head_seq=10, head_hash=entries[-1].hash)
    assert result.ok and result.checked == 10 and result.bad_seq is None


def test_empty_chain_is_intact():
    assert verify_chain([], head_seq=0).ok


def test_flipped_byte_names_the_record():
    entries = chain(10)
    victim = entries[6]
    raw = bytearray(victim.record_text.encode())
    raw[raw.index(b"D7")] ^= 0x01  # "D7" becomes "E7"
    entries[6] = dataclasses.replace(victim, record_text=raw.decode())
    result = verify_chain(entries, head_seq=10, head_hash=entries[-1].hash)
    assert (result.ok, result.bad_seq, result.problem) == (False, 7, "edited")
    assert "decision 7" in result.message


def test_edit_with_rehash_is_caught_at_the_next_link():
    entries = chain(5)
    forged_text = entries[2].record_text.replace('"allowed":false', '"allowed":true')
    forged = make_entry(seq=3, prev_hash=entries[1].hash, record=__import__("json").loads(forged_text))
    entries[2] = forged
    result = verify_chain(entries, head_seq=5, head_hash=entries[-1].hash)
    assert (result.bad_seq, result.problem) == (4, "missing")


def test_deleted_record_names_the_gap():
    entries = chain(10)
    del entries[3]
    result = verify_chain(entries, head_seq=10, head_hash=entries[-1].hash)
    assert (result.ok, result.bad_seq, result.problem) == (False, 4, "missing")


def test_deleted_and_renumbered_record_is_caught():
    entries = chain(6)
    del entries[2]
    entries = [dataclasses.replace(e, seq=i + 1) for i, e in enumerate(entries)]
    result = verify_chain(entries)
    assert (result.ok, result.bad_seq) == (False, 3)


def test_swapped_records_name_the_first_position():
    entries = chain(10)
    a, b = entries[2], entries[7]
    entries[2] = dataclasses.replace(b, seq=3)
    entries[7] = dataclasses.replace(a, seq=8)
    result = verify_chain(entries)
    assert (result.ok, result.bad_seq, result.problem) == (False, 3, "reordered")


def test_truncated_tail_is_caught_by_the_head():
    entries = chain(10)
    head_hash = entries[-1].hash
    result = verify_chain(entries[:8], head_seq=10, head_hash=head_hash)
    assert (result.ok, result.bad_seq, result.problem) == (False, 9, "truncated")


def test_head_hash_mismatch_names_the_last_record():
    entries = chain(3)
    result = verify_chain(entries, head_seq=3, head_hash="f" * 64)
    assert (result.ok, result.bad_seq) == (False, 3)


def test_make_entry_refuses_a_record_with_another_seq():
    with pytest.raises(AuditError):
        make_entry(seq=2, prev_hash=GENESIS_HASH, record={"seq": 3})


def test_entry_is_intact_detects_any_change():
    entry = chain(1)[0]
    assert entry_is_intact(entry)
    assert not entry_is_intact(dataclasses.replace(entry, record_text=entry.record_text.replace("D1", "D2")))
    assert not entry_is_intact(dataclasses.replace(entry, seq=2))


def test_fingerprint_binds_channel_recipient_and_text():
    base = message_fingerprint(channel="sms", recipient="+8613800138000", text="您好")
    assert base == message_fingerprint(channel="sms", recipient=" +8613800138000 ", text="您好")
    assert base != message_fingerprint(channel="email", recipient="+8613800138000", text="您好")
    assert base != message_fingerprint(channel="sms", recipient="+8613800138001", text="您好")
    assert base != message_fingerprint(channel="sms", recipient="+8613800138000", text="您好。")


@settings(max_examples=60)
@given(n=st.integers(2, 12), data=st.data())
def test_any_single_character_change_is_named(n, data):
    entries = chain(n)
    i = data.draw(st.integers(0, n - 1))
    text = entries[i].record_text
    pos = data.draw(st.integers(0, len(text) - 1))
    replacement = data.draw(st.characters(codec="utf-8").filter(lambda c: c != text[pos]))
    entries[i] = dataclasses.replace(entries[i], record_text=text[:pos] + replacement + text[pos + 1 :])
    result = verify_chain(entries)
    assert not result.ok and result.bad_seq == i + 1
