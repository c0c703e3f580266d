"""Data-correction values written before they were encrypted are sealed by `fairdue pii reseal`, and key rotation
re-encrypts sealed ones (issue 16, OWASP ASVS 4.0 V8.3.x "sensitive data encrypted at rest", V6.2.x key
rotation), on SQLite and PostgreSQL.

Before the fix a correction value stored before issue 16 stayed plain text in `data_rights_requests.details`
forever (only masked on screen), and `fairdue pii rotate-keys` left every sealed correction value under the old
key: there was no command to fix either, so each test below failed.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.uow import UnitOfWork

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from cli_helpers import CN, OPEN, cli_runner

PLAIN_ID = "11010119900307001X"  # an ID number a borrower asked to correct to, stored before issue 16
NEW_MOBILE = "+8613700137000"
NOW = dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC)


def _requests(database_url: str, keyring: Keyring) -> tuple[int, int]:
    """(a request stored with a plain value as before issue 16, one stored sealed as today)."""
    from fairdue.domain.borrowers import BorrowerId
    from fairdue.service.portal.data_rights import file_request

    engine = make_engine(database_url)
    try:
        with UnitOfWork(engine) as uow:
            plain = uow.portal.add_data_request(
                borrower_id=BorrowerId(1),
                kind="correction",
                details=json.dumps({"field": "id_number", "value": PLAIN_ID}, ensure_ascii=False, sort_keys=True),
                status="received",
                received_at=NOW,
                due_at=NOW + dt.timedelta(days=15),
            )
            sealed = file_request(
                uow,
                borrower_id=BorrowerId(1),
                kind="correction",
                details={"field": "mobile", "value": NEW_MOBILE},
                now=NOW,
                cipher=FieldCipher(keyring),
            )
            uow.commit()
    finally:
        engine.dispose()
    return plain, sealed


def _stored(database_url: str) -> dict[int, dict]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT id, details FROM data_rights_requests ORDER BY id")).all()
    finally:
        engine.dispose()
    return {r.id: json.loads(r.details) for r in rows}


def _value(database_url: str, request_id: int, keyring: Keyring) -> str | None:
    from fairdue.service.portal.data_rights import correction_value

    engine = make_engine(database_url)
    try:
        with UnitOfWork(engine) as uow:
            return correction_value(uow, request_id=request_id, cipher=FieldCipher(keyring))
    finally:
        engine.dispose()


def test_v8_3_x_pii_reseal_encrypts_plain_correction_values_and_is_safe_to_rerun(database_url, monkeypatch, capsys):
    """ASVS V8.3.x: after `fairdue pii reseal` no correction value is plain at rest; the value still opens through
    the cipher (for the borrower and a logged reveal); a second run changes nothing and says so."""
    ring = Keyring.generate("k1")
    cli = cli_runner(database_url, monkeypatch, capsys, keyring=ring)
    assert cli("product", "load", CN)[0] == 0 and cli(*OPEN)[0] == 0
    plain, sealed = _requests(database_url, ring)
    assert _stored(database_url)[plain]["value"] == PLAIN_ID  # the state before the fix
    code, out, err = cli("pii", "reseal")
    assert code == 0, err
    assert "correction values: 1 plain sealed, 0 re-encrypted under key 'k1', 1 already sealed" in out
    stored = _stored(database_url)
    assert "value" not in stored[plain] and stored[plain]["value_ct"] and stored[plain]["field"] == "id_number"
    assert PLAIN_ID not in json.dumps(stored, ensure_ascii=False) and NEW_MOBILE not in json.dumps(stored)
    assert _value(database_url, plain, ring) == PLAIN_ID and _value(database_url, sealed, ring) == NEW_MOBILE
    before = _stored(database_url)
    code, out, _ = cli("pii", "reseal")
    assert code == 0 and "0 plain sealed, 0 re-encrypted under key 'k1', 2 already sealed" in out
    assert _stored(database_url) == before  # idempotent: not even re-encrypted with a fresh nonce


def test_v8_3_x_key_rotation_re_encrypts_correction_values(database_url, monkeypatch, capsys):
    """ASVS V6.2.x / V8.3.x: `fairdue pii rotate-keys` moves sealed correction values to the new key (and seals a
    plain one left over); they open with the new key alone afterwards."""
    old = Keyring.generate("k1")
    cli = cli_runner(database_url, monkeypatch, capsys, keyring=old)
    assert cli("product", "load", CN)[0] == 0 and cli(*OPEN)[0] == 0
    plain, sealed = _requests(database_url, old)
    new = old.rotated("k2")
    cli = cli_runner(database_url, monkeypatch, capsys, keyring=new)
    code, out, err = cli("pii", "rotate-keys")
    assert code == 0, err
    assert "correction values: 1 re-encrypted, 1 plain sealed" in out
    cipher = FieldCipher(new)
    stored = _stored(database_url)
    assert {cipher.key_id_of(stored[i]["value_ct"]) for i in (plain, sealed)} == {"k2"}
    only_new = Keyring("k2", {"k2": new.keys["k2"]}, new.index_key)
    assert _value(database_url, sealed, only_new) == NEW_MOBILE and _value(database_url, plain, only_new) == PLAIN_ID
    assert "correction values: 0 re-encrypted, 0 plain sealed" in cli("pii", "rotate-keys")[1]


def test_v8_3_x_reseal_service_counts_in_one_transaction(uow_factory):
    """The service function on its own (what the CLI calls): counts, and nothing but correction values touched."""
    from fairdue.service.portal.data_rights import reseal_correction_values

    cipher = FieldCipher(Keyring.generate("k1"))
    with uow_factory() as uow:
        counts = reseal_correction_values(uow, cipher=cipher)
    assert (counts.sealed, counts.rotated, counts.kept) == (0, 0, 0)
