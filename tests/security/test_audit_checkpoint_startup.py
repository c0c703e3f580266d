"""The decision-log signing key at start-up and at day-end (issue 16 items 5/6; OWASP ASVS 4.0 V7.3.3, V7.3.4,
V14.1.x).

Before the fix `fairdue serve` on PostgreSQL started without any log signing key (the gate then skipped every
interval checkpoint with a warning nobody read), and a day-end run signed nothing: the first two tests and the
day-end tests failed on that code. On SQLite a development key file is generated, as before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from test_audit_checkpoint_attacks import fill, head_hash, tamper
from typer.testing import CliRunner

from fairdue.adapters.crypto import Keyring
from fairdue.adapters.log_signing import LogKeys
from fairdue.config import ConfigurationRefused

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from cli_helpers import CN, OPEN, cli_runner

PG_URL = "postgresql+psycopg://nobody@127.0.0.1:1/never_connected"
GOOD_SECRET = "s" * 32


@pytest.fixture
def pg_server_env(monkeypatch, tmp_path):
    """A PostgreSQL server's environment with every setting but the log key (the database is never reached)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAIRDUE_DATABASE_URL", PG_URL)
    monkeypatch.setenv("FAIRDUE_SECRET_KEY", GOOD_SECRET)
    monkeypatch.setenv("FAIRDUE_KEYS", Keyring.generate("k1").to_json())
    for name in ("FAIRDUE_LOG_KEYS", "FAIRDUE_LOG_KEY_FILE", "FAIRDUE_DEV_LOG_KEY_FILE", "FAIRDUE_DEV_HTTP"):
        monkeypatch.delenv(name, raising=False)


def test_v14_1_x_fairdue_serve_on_postgresql_refuses_to_start_without_a_log_signing_key(pg_server_env):
    """ASVS V7.3.3 / V14.1.x: the refusal names the setting, like the one for FAIRDUE_SECRET_KEY."""
    from fairdue.cli import app as cli_app

    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 2, result.output
    assert "FAIRDUE_LOG_KEYS" in result.output and "decision-log signing key" in result.output


def test_v14_1_x_fairdue_serve_refuses_a_verify_only_log_key_set(pg_server_env, monkeypatch):
    """A witness's public keys verify but never sign: not enough for a server."""
    from fairdue.cli import app as cli_app

    monkeypatch.setenv("FAIRDUE_LOG_KEYS", LogKeys.generate("log1").to_json(public_only=True))
    result = CliRunner().invoke(cli_app, ["serve"])
    assert result.exit_code == 2 and "public keys only" in result.output


def test_v14_1_x_a_private_log_key_or_sqlite_passes_the_start_up_check(monkeypatch, tmp_path):
    from fairdue.cli.web import check_log_signing

    check_log_signing(PG_URL, {"FAIRDUE_LOG_KEYS": LogKeys.generate("log1").to_json()})
    with pytest.raises(ConfigurationRefused, match="FAIRDUE_LOG_KEYS"):
        check_log_signing(PG_URL, {})
    with pytest.raises(ConfigurationRefused, match="SQLite"):  # the dev set stays refused on PostgreSQL
        check_log_signing(PG_URL, {"FAIRDUE_LOG_KEYS": LogKeys.generate("log1", dev=True).to_json()})
    check_log_signing(f"sqlite:///{tmp_path / 'x.db'}", {})  # the dev key file is generated when first used


def _checkpoints(engine) -> list[tuple[int, str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, head_hash, key_id FROM decision_log_checkpoints ORDER BY id")).all()
    return [tuple(r) for r in rows]


def test_v7_3_3_day_end_signs_the_decision_log_head_at_its_end(uow_factory, engine, database_url, monkeypatch, capsys):
    """ASVS V7.3.3: with a key configured, `fairdue day-end` ends with a verified, signed checkpoint of the head."""
    keys = LogKeys.generate("log1")
    monkeypatch.setenv("FAIRDUE_LOG_KEYS", keys.to_json())
    cli = cli_runner(database_url, monkeypatch, capsys)
    assert cli("product", "load", CN)[0] == 0 and cli(*OPEN)[0] == 0
    fill(uow_factory, 3)
    assert _checkpoints(engine) == []
    code, _out, err = cli("day-end", "--date", "2026-01-05")
    assert code == 0, err
    assert _checkpoints(engine) == [(3, head_hash(engine), "log1")]
    assert "head signed at decision 3 (key log1)" in err


def test_v7_3_4_day_end_does_not_sign_a_rewritten_log_and_says_so(
    uow_factory, engine, database_url, monkeypatch, capsys
):
    """A log that fails verification is not signed at day-end (signing it would bless the rewrite); the run
    reports it and exits 3 (a scheduler must see it), and the day's own work stays committed."""
    monkeypatch.setenv("FAIRDUE_LOG_KEYS", LogKeys.generate("log1").to_json())
    cli = cli_runner(database_url, monkeypatch, capsys)
    assert cli("product", "load", CN)[0] == 0 and cli(*OPEN)[0] == 0
    fill(uow_factory, 3)
    tamper(engine, ("UPDATE decision_log SET hash = :h WHERE seq = 2", {"h": "0" * 64}))
    code, out, err = cli("day-end", "--date", "2026-01-05")
    assert code == 3 and "2026-01-05" in out  # closed, but the log failed verification
    assert "decision log NOT signed" in err and _checkpoints(engine) == []


def test_v7_3_3_day_end_without_decisions_or_keys_writes_no_checkpoint(database_url, engine, monkeypatch, capsys):
    """An empty log has no head to sign; on PostgreSQL without a key nothing is signed (and nothing fails)."""
    for name in ("FAIRDUE_LOG_KEYS", "FAIRDUE_LOG_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    cli = cli_runner(database_url, monkeypatch, capsys)
    assert cli("product", "load", CN)[0] == 0 and cli(*OPEN)[0] == 0
    code, _out, err = cli("day-end", "--date", "2026-01-05")
    assert code == 0, err
    assert _checkpoints(engine) == [] and "decision log" not in err
