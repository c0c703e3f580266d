"""The signed checkpoints through the entry points an auditor uses (ASVS 4.0 V7.3.3 / V7.3.4): `fairdue audit
verify|checkpoint|keygen` and the API's verify, which sign on every intact verify and take an exported
checkpoint (an external witness's copy) as an extra anchor; before, the API could use no anchor at all."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from test_audit_checkpoint_attacks import fill, head_hash, rewrite_from, tamper
from web_testing import add_staff, make_app, staff_token

from fairdue.adapters.log_signing import LogKeys
from fairdue.service.contact import decision_log

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from cli_helpers import cli_runner


@pytest.fixture
def keys(monkeypatch) -> LogKeys:
    keys = LogKeys.generate("log1", dev=False)
    monkeypatch.setenv("FAIRDUE_LOG_KEYS", keys.to_json())
    monkeypatch.setattr(decision_log, "CHECKPOINT_INTERVAL_ENTRIES", 5)
    return keys


def test_v7_3_3_cli_exported_checkpoint_is_an_anchor_for_verify(
    keys, uow_factory, engine, database_url, tmp_path, monkeypatch, capsys
):
    run = cli_runner(database_url, monkeypatch, capsys)
    fill(uow_factory, 4)
    witness = tmp_path / "checkpoint.json"
    code, out, err = run("audit", "checkpoint", "--export", str(witness))
    assert code == 0, err
    exported = json.loads(witness.read_text())
    assert json.loads(out) == exported
    assert (exported["seq"], exported["key_id"], exported["head_hash"]) == (4, "log1", head_hash(engine))
    assert exported["public_key"] == keys.public_key_text("log1")
    tamper(engine, ("DELETE FROM decision_log_checkpoints", {}))
    rewrite_from(engine, 4)
    code, out, err = run("audit", "verify", "--witness", str(witness), "--json")
    assert code == 1
    result = json.loads(out)
    assert (result["ok"], result["bad_seq"], result["problem"]) == (False, 4, "edited")
    assert "rewritten at or before decision 4" in err


def test_v7_3_4_cli_verify_signs_and_then_catches_a_truncation(
    keys, uow_factory, engine, database_url, monkeypatch, capsys
):
    run = cli_runner(database_url, monkeypatch, capsys)
    fill(uow_factory, 7)
    code, out, err = run("audit", "verify", "--json")
    assert code == 0, err
    assert json.loads(out)["checkpoint_seq"] == 7
    tamper(
        engine,
        ("DELETE FROM decision_log WHERE seq = 7", {}),
        ("UPDATE decision_log_head SET last_seq = 6, last_hash = (SELECT hash FROM decision_log WHERE seq = 6)", {}),
    )
    code, out, err = run("audit", "verify")
    assert code == 1 and "TAMPERED" in out and "decisions 7..7 are missing" in out


def test_cli_verify_refuses_postgresql_without_a_log_key(uow_factory, postgres_url, monkeypatch, capsys):
    monkeypatch.delenv("FAIRDUE_LOG_KEYS", raising=False)
    monkeypatch.delenv("FAIRDUE_LOG_KEY_FILE", raising=False)
    run = cli_runner(postgres_url, monkeypatch, capsys)
    code, _out, err = run("audit", "verify")
    assert code == 1 and "no decision-log signing key configured" in err


def test_keygen_writes_a_private_file_and_prints_only_the_public_half(
    tmp_path, uow_factory, database_url, monkeypatch, capsys
):
    from fairdue.cli import main

    path = tmp_path / "log-keys.json"
    monkeypatch.setattr(sys, "argv", ["fairdue", "audit", "keygen", "--out", str(path), "--key-id", "log7"])
    main()
    printed = json.loads(capsys.readouterr().out)
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert set(printed) == {"public_keys"} and set(printed["public_keys"]) == {"log7"}
    stored = LogKeys.from_json(path.read_text())
    assert stored.current == "log7" and not stored.dev
    rotated = tmp_path / "rotated.json"
    monkeypatch.setattr(
        sys, "argv", ["fairdue", "audit", "keygen", "--out", str(rotated), "--key-id", "log8", "--keep", str(path)]
    )
    main()
    capsys.readouterr()
    new = LogKeys.from_json(rotated.read_text())
    assert new.current == "log8" and set(new.private) == {"log8"} and set(new.public) == {"log7", "log8"}
    monkeypatch.delenv("FAIRDUE_LOG_KEYS", raising=False)
    monkeypatch.setenv("FAIRDUE_LOG_KEY_FILE", str(path))
    run = cli_runner(database_url, monkeypatch, capsys)
    fill(uow_factory, 3)
    code, out, err = run("audit", "verify")
    assert code == 0 and "key log7" in out, err
    monkeypatch.setenv("FAIRDUE_LOG_KEY_FILE", str(rotated))  # the old key's checkpoints still verify
    code, out, err = run("audit", "verify")
    assert code == 0 and "key log8" in out, err


@pytest.fixture
def api(keys, engine, clock):
    app = make_app(engine, clock)
    add_staff(app, "comp", "compliance")
    add_staff(app, "ag", "agent")
    with TestClient(app) as client:
        yield client, staff_token(client, "comp"), staff_token(client, "ag")


def test_v7_3_3_api_verify_signs_and_takes_a_witness(api, keys, uow_factory, engine):
    client, comp, agent = api
    fill(uow_factory, 4)
    r = client.get("/api/v1/audit/verify", headers=comp)
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["checkpoint_seq"] == 4
    exported = client.get("/api/v1/audit/checkpoint", headers=comp).json()
    assert (exported["seq"], exported["key_id"], exported["public_key"]) == (4, "log1", keys.public_key_text("log1"))
    assert client.get("/api/v1/audit/checkpoint", headers=agent).status_code == 403
    assert client.post("/api/v1/audit/verify", headers=agent, json=exported).status_code == 403
    tamper(engine, ("DELETE FROM decision_log_checkpoints", {}))
    rewrite_from(engine, 4)
    r = client.post("/api/v1/audit/verify", headers=comp, json=exported)
    assert r.status_code == 200
    assert (r.json()["ok"], r.json()["bad_seq"], r.json()["problem"]) == (False, 4, "edited")
    forged = {**exported, "head_hash": head_hash(engine)}
    r = client.post("/api/v1/audit/verify", headers=comp, json=forged)
    assert (r.json()["ok"], r.json()["problem"]) == (False, "forged")
    r = client.post("/api/v1/audit/verify", headers=comp, json={**exported, "format": "x"})
    assert r.status_code == 422


def test_v7_3_3_api_verify_catches_a_rewrite_below_its_own_checkpoint(api, uow_factory, engine):
    client, comp, _agent = api
    fill(uow_factory, 4)
    assert client.get("/api/v1/audit/verify", headers=comp).json()["checkpoint_seq"] == 4
    rewrite_from(engine, 1)
    r = client.get("/api/v1/audit/verify", headers=comp).json()
    assert (r["ok"], r["bad_seq"], r["problem"]) == (False, 4, "edited")


def test_checkpoint_adopt_signs_a_log_older_than_its_checkpoints(
    keys, uow_factory, engine, database_url, monkeypatch, capsys
):
    """A log upgraded to 0012 has no checkpoint (here: rows removed as if they never existed): verify says
    `unsigned` and refuses to sign; `audit checkpoint --adopt` signs the head after every other check."""
    run = cli_runner(database_url, monkeypatch, capsys)
    fill(uow_factory, 6)
    tamper(engine, ("DELETE FROM decision_log_checkpoints", {}))
    code, out, _err = run("audit", "verify")
    assert code == 1 and "no signed checkpoint covers decision 5" in out
    code, out, _err = run("audit", "checkpoint")
    assert code == 1
    code, out, err = run("audit", "checkpoint", "--adopt")
    assert code == 0 and json.loads(out)["seq"] == 6, err
    code, out, err = run("audit", "verify")
    assert code == 0, out + err
