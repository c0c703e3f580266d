"""The field-encryption seam: AES-GCM round trips, keys rotate without losing data, tokens are bound to their field."""

from __future__ import annotations

import json
import os
import stat

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.adapters.crypto import (
    DecryptionFailed,
    FieldCipher,
    InvalidKeyConfig,
    Keyring,
    KeysNotConfigured,
    UnknownKeyId,
    load_keyring,
)

RING = Keyring.generate("k1")
CIPHER = FieldCipher(RING)


@settings(max_examples=60, deadline=None)
@given(value=st.text(max_size=200))
def test_round_trip_and_rotation(value):
    token = CIPHER.encrypt(value, context="borrower.name")
    assert CIPHER.decrypt(token, context="borrower.name") == __import__("unicodedata").normalize("NFC", value)
    rotated = FieldCipher(RING.rotated("k2"))
    assert rotated.decrypt(token, context="borrower.name") == CIPHER.decrypt(token, context="borrower.name")
    moved = rotated.reencrypt(token, context="borrower.name")
    assert rotated.key_id_of(moved) == "k2" and not rotated.needs_rotation(moved)
    assert rotated.decrypt(moved, context="borrower.name") == rotated.decrypt(token, context="borrower.name")


def test_same_value_encrypts_differently_each_time():
    assert CIPHER.encrypt("13800138000", context="borrower.phone") != CIPHER.encrypt(
        "13800138000", context="borrower.phone"
    )


def test_token_is_bound_to_its_field():
    token = CIPHER.encrypt("张三", context="borrower.name")
    with pytest.raises(DecryptionFailed, match=r"borrower\.address"):
        CIPHER.decrypt(token, context="borrower.address")


def test_tampering_is_detected():
    token = CIPHER.encrypt("张三", context="borrower.name")
    body = token.rsplit(":", 1)[1]
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    with pytest.raises(DecryptionFailed):
        CIPHER.decrypt(token.rsplit(":", 1)[0] + ":" + flipped, context="borrower.name")
    with pytest.raises(DecryptionFailed, match="not a fairdue field token"):
        CIPHER.decrypt("plaintext", context="borrower.name")


def test_old_key_missing_is_named():
    token = FieldCipher(Keyring.generate("old")).encrypt("x", context="c")
    with pytest.raises(UnknownKeyId, match="no key 'old'"):
        CIPHER.decrypt(token, context="c")


def test_blind_index_is_deterministic_keyed_and_contextual():
    a = CIPHER.blind_index("+8613800138000", context="borrower.phone")
    assert a == CIPHER.blind_index("+8613800138000", context="borrower.phone")
    assert a != CIPHER.blind_index("+8613800138000", context="emergency_contact.phone")
    assert a != FieldCipher(Keyring.generate()).blind_index("+8613800138000", context="borrower.phone")
    assert len(a) == 64
    # The index key survives a rotation of the encryption keys, so lookups keep working.
    assert FieldCipher(RING.rotated("k9")).blind_index("+8613800138000", context="borrower.phone") == a


def test_keys_from_environment_json_and_file(tmp_path):
    text = RING.to_json()
    assert load_keyring({"FAIRDUE_KEYS": text}).keys == RING.keys
    f = tmp_path / "keys.json"
    f.write_text(text)
    assert load_keyring({"FAIRDUE_KEY_FILE": str(f)}).current == "k1"


@pytest.mark.parametrize(
    "text, message",
    [
        ("{", "not JSON"),
        ('{"current": "a"}', "must be"),
        (json.dumps({"current": "b", "keys": {"a": "AAAA"}, "index_key": "AAAA"}), "current key 'b' is not among"),
        (json.dumps({"current": "a", "keys": {"a": "AAAA"}, "index_key": "AAAA"}), "must be 32 bytes"),
    ],
)
def test_bad_key_configuration_is_named(text, message):
    with pytest.raises(InvalidKeyConfig, match=message):
        load_keyring({"FAIRDUE_KEYS": text})


def test_dev_keys_only_for_sqlite(tmp_path):
    path = tmp_path / "var" / "dev-keys.json"
    env = {"FAIRDUE_DEV_KEY_FILE": str(path)}
    ring = load_keyring(env, database_url="sqlite:///x.db")
    assert ring.dev and path.exists()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_keyring(env, database_url="sqlite:///x.db").keys == ring.keys  # reused, not regenerated
    with pytest.raises(KeysNotConfigured, match="set FAIRDUE_KEYS"):
        load_keyring({}, database_url="postgresql+psycopg://u@h/db")


def test_dev_key_file_is_git_ignored():
    import pathlib
    import subprocess

    root = pathlib.Path(__file__).resolve().parents[2]
    res = subprocess.run(["git", "check-ignore", "-q", "var/dev-keys.json"], cwd=root)
    assert res.returncode == 0, "var/dev-keys.json must be ignored by git"
