"""Issue 14 §5: the field-encryption keys are loaded once, at start-up, by fairdue.bootstrap — a PostgreSQL
deployment without keys is refused before it serves anything, and every unit of work shares the loaded cipher."""

from __future__ import annotations

import pytest

from fairdue.adapters.crypto import FieldCipher, Keyring, KeysNotConfigured
from fairdue.bootstrap import bootstrap
from fairdue.config import Settings

PG_URL = "postgresql+psycopg://nobody@127.0.0.1:1/never_connected"


def _clear_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("FAIRDUE_KEYS", "FAIRDUE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)


def test_bootstrap_refuses_postgresql_without_keys_at_start_up(monkeypatch):
    _clear_keys(monkeypatch)
    with pytest.raises(KeysNotConfigured, match="FAIRDUE_KEYS"):
        bootstrap(Settings(database_url=PG_URL))


def test_bootstrap_loads_configured_keys_once_and_every_unit_of_work_shares_them(monkeypatch):
    ring = Keyring.generate("boot")
    monkeypatch.setenv("FAIRDUE_KEYS", ring.to_json())
    app = bootstrap(Settings(database_url=PG_URL))
    try:
        assert isinstance(app.cipher, FieldCipher)
        assert app.cipher.keyring.current == ring.current
        assert app.uow_factory().cipher is app.cipher
        assert app.uow_factory().cipher is app.uow_factory().cipher
    finally:
        app.dispose()


def test_bootstrap_on_sqlite_without_keys_uses_the_dev_key_file(monkeypatch, tmp_path):
    _clear_keys(monkeypatch)
    monkeypatch.setenv("FAIRDUE_DEV_KEY_FILE", str(tmp_path / "dev-keys.json"))
    app = bootstrap(Settings(database_url=f"sqlite:///{tmp_path / 'boot.db'}"))
    try:
        assert app.cipher is not None and app.cipher.keyring.dev
        assert (tmp_path / "dev-keys.json").exists()
    finally:
        app.dispose()


def test_bootstrap_takes_given_keys_instead_of_the_configured_ones(monkeypatch):
    _clear_keys(monkeypatch)
    given = FieldCipher(Keyring.generate("given"))
    app = bootstrap(Settings(database_url=PG_URL), cipher=given)
    try:
        assert app.cipher is given and app.uow_factory().cipher is given
    finally:
        app.dispose()


def test_commands_that_read_no_personal_data_start_without_keys_but_their_units_still_refuse_pii(monkeypatch):
    _clear_keys(monkeypatch)
    app = bootstrap(Settings(database_url=PG_URL), keys=False)
    try:
        assert app.cipher is None
        with pytest.raises(KeysNotConfigured):
            _ = app.uow_factory().cipher
    finally:
        app.dispose()
