"""Issue 16, configuration: development keys and demo seeding are refused on any database but SQLite, a server on
PostgreSQL refuses to start without a fixed secret key of at least 32 bytes, and SQLite files are created 0600."""

from __future__ import annotations

import json
import os
import stat

import pytest
from typer.testing import CliRunner

from fairdue.adapters.crypto import DevKeysRefused, Keyring, dev_keyring, load_keyring
from fairdue.bootstrap import bootstrap, private_sqlite_file
from fairdue.config import ConfigurationRefused
from fairdue.web.app import WebConfig

PG_URL = "postgresql+psycopg://nobody@127.0.0.1:1/never_connected"
GOOD_SECRET = "s" * 32


def test_v6_4_1_dev_keys_named_in_fairdue_keys_are_refused_on_postgresql():
    """ASVS V6.4.1 / V14.1.x: a production server accepted the dev key file when FAIRDUE_KEY_FILE named it."""
    dev = Keyring.generate("k1", dev=True).to_json()
    with pytest.raises(DevKeysRefused, match="SQLite"):
        load_keyring({"FAIRDUE_KEYS": dev}, database_url=PG_URL)
    assert load_keyring({"FAIRDUE_KEYS": dev}, database_url="sqlite:///x.db").dev


def test_v6_4_1_the_dev_key_file_is_refused_on_postgresql(tmp_path, monkeypatch):
    path = tmp_path / "dev-keys.json"
    dev_keyring(path)  # what `fairdue demo` writes
    assert json.loads(path.read_text())["dev"] is True
    with pytest.raises(DevKeysRefused):
        load_keyring({"FAIRDUE_KEY_FILE": str(path)}, database_url=PG_URL)
    monkeypatch.delenv("FAIRDUE_KEYS", raising=False)
    monkeypatch.setenv("FAIRDUE_KEY_FILE", str(path))
    with pytest.raises(DevKeysRefused):  # the server's own start-up path: bootstrap() loads the keys
        bootstrap(database_url=PG_URL)


def test_v6_4_1_production_keys_still_load_on_postgresql():
    ring = Keyring.generate("k1")  # dev=False by default
    assert not load_keyring({"FAIRDUE_KEYS": ring.to_json()}, database_url=PG_URL).dev


def test_v14_1_x_fairdue_demo_refuses_a_postgresql_database(tmp_path, monkeypatch):
    """`fairdue demo` on PostgreSQL silently wrote and used a development key; now it stops before any write."""
    from fairdue.cli import app as cli_app

    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli_app, ["demo", "--no-serve", "--database-url", PG_URL, "--sim-accounts", "0"])
    assert result.exit_code == 2
    assert "SQLite" in result.output
    assert not (tmp_path / "var").exists()  # no dev key file written


def test_v14_1_x_the_demo_web_app_refuses_postgresql():
    from fairdue.web import demo as web_demo

    with pytest.raises(ConfigurationRefused, match="SQLite"):
        web_demo.demo_app(PG_URL, as_of=__import__("datetime").date(2026, 1, 15))


def test_v2_9_x_server_on_postgresql_needs_a_fixed_secret_key():
    """The default secret key was random per process: a restart reset limits and codes."""
    with pytest.raises(ConfigurationRefused, match="FAIRDUE_SECRET_KEY"):
        WebConfig.from_env({}, database_url=PG_URL)
    with pytest.raises(ConfigurationRefused, match="32 bytes"):
        WebConfig.from_env({"FAIRDUE_SECRET_KEY": "short"}, database_url=PG_URL)
    assert (
        WebConfig.from_env({"FAIRDUE_SECRET_KEY": GOOD_SECRET}, database_url=PG_URL).secret_key == GOOD_SECRET.encode()
    )
    # SQLite (a demo, a first try): a random per-process key is still allowed
    assert len(WebConfig.from_env({}, database_url="sqlite:///x.db").secret_key) >= 32


def test_v2_9_x_create_app_on_postgresql_refuses_to_start_without_a_secret_key(monkeypatch):
    from fairdue.adapters.crypto import FieldCipher
    from fairdue.web.app import create_app

    monkeypatch.delenv("FAIRDUE_SECRET_KEY", raising=False)
    core = bootstrap(database_url=PG_URL, cipher=FieldCipher(Keyring.generate("k1")))
    try:
        with pytest.raises(ConfigurationRefused):
            create_app(core)
    finally:
        core.dispose()


def test_v2_9_x_fairdue_serve_refuses_plain_http_off_loopback(monkeypatch, tmp_path):
    from fairdue.cli import app as cli_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FAIRDUE_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    monkeypatch.setenv("FAIRDUE_DEV_KEY_FILE", str(tmp_path / "keys.json"))
    result = CliRunner().invoke(cli_app, ["serve", "--dev-http", "--host", "0.0.0.0"])
    assert result.exit_code == 2 and "127.0.0.1" in result.output


def test_v14_1_x_sqlite_database_files_are_created_owner_only(tmp_path, monkeypatch):
    """The SQLite file (personal data) was world-readable under the usual umask 022."""
    monkeypatch.setenv("FAIRDUE_DEV_KEY_FILE", str(tmp_path / "keys.json"))
    old = os.umask(0o022)
    try:
        path = tmp_path / "data" / "fairdue.db"
        app = bootstrap(database_url=f"sqlite:///{path}")
        try:
            app.migrate()
        finally:
            app.dispose()
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        assert stat.S_IMODE(wal.stat().st_mode) & 0o077 == 0


def test_v14_1_x_an_existing_world_readable_sqlite_file_is_tightened(tmp_path):
    path = tmp_path / "old.db"
    path.write_bytes(b"")
    path.chmod(0o644)
    assert private_sqlite_file(f"sqlite:///{path}") == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert private_sqlite_file(PG_URL) is None and private_sqlite_file("sqlite://") is None
