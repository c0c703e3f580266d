"""Storage foundation: engines, migrations and the unit of work behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from fairdue.adapters.db.engine import UnsupportedDatabaseUrl, make_engine, normalize_url
from fairdue.adapters.db.migrate import current_revision, head_revision, migrate
from fairdue.adapters.db.uow import UnitOfWork, UnitOfWorkNotActive
from fairdue.errors import FairdueError

NOW = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)


def _insert_account(conn, code: str) -> None:
    conn.execute(
        sa.text("INSERT INTO ledger_account (code, kind, currency, created_at) VALUES (:c, 'asset', 'CNY', :t)"),
        {"c": code, "t": NOW},
    )


def _codes(engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT code FROM ledger_account ORDER BY code"))]


@pytest.mark.parametrize(
    "url",
    ["mysql://u@h/db", "postgresql+psycopg2://u@h/db", "sqlite+aiosqlite:///x.db", "", "not a url"],
)
def test_unsupported_urls_are_refused_with_a_clear_error(url):
    with pytest.raises(UnsupportedDatabaseUrl) as err:
        make_engine(url)
    assert isinstance(err.value, FairdueError)
    assert "unsupported database URL" in str(err.value)


def test_plain_postgresql_urls_mean_psycopg3():
    assert normalize_url("postgresql://postgres@127.0.0.1:5432/test").startswith("postgresql+psycopg://")
    assert normalize_url("postgres://postgres@127.0.0.1/test").startswith("postgresql+psycopg://")


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    finally:
        engine.dispose()


def test_migrate_reaches_head_and_is_idempotent(blank_database_url):
    engine = make_engine(blank_database_url)
    try:
        assert current_revision(engine) is None
        assert migrate(engine) == head_revision()
        assert migrate(engine) == head_revision()
        assert "ledger_entry" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_leaving_without_commit_rolls_back(uow_factory, engine):
    with uow_factory() as uow:
        _insert_account(uow.connection, "a")
    assert _codes(engine) == []


def test_commit_persists_and_a_new_transaction_continues(uow_factory, engine):
    with uow_factory() as uow:
        _insert_account(uow.connection, "a")
        uow.commit()
        _insert_account(uow.connection, "b")  # after commit: a fresh transaction, not committed
    assert _codes(engine) == ["a"]


def test_an_exception_inside_the_block_rolls_back(uow_factory, engine):
    with pytest.raises(RuntimeError), uow_factory() as uow:
        _insert_account(uow.connection, "a")
        raise RuntimeError("boom")
    assert _codes(engine) == []


def test_explicit_rollback_discards_and_continues(uow_factory, engine):
    with uow_factory() as uow:
        _insert_account(uow.connection, "a")
        uow.rollback()
        _insert_account(uow.connection, "b")
        uow.commit()
    assert _codes(engine) == ["b"]


def test_unit_of_work_outside_with_is_refused(engine):
    uow = UnitOfWork(engine)
    with pytest.raises(UnitOfWorkNotActive):
        _ = uow.connection
    with pytest.raises(UnitOfWorkNotActive):
        uow.commit()
    with pytest.raises(UnitOfWorkNotActive):
        _ = uow.ledger
    with pytest.raises(AttributeError):
        _ = uow.no_such_repository


def test_repositories_are_bound_to_the_unit_of_works_connection(uow_factory):
    with uow_factory() as uow:
        assert uow.ledger is uow.ledger
        assert uow.ledger.connection is uow.connection


def test_concurrent_writers_serialise_without_losing_work(engine):
    """Eight threads each commit one row; all eight land (SQLite: BEGIN IMMEDIATE + busy timeout)."""
    errors: list[BaseException] = []

    def work(i: int) -> None:
        try:
            with UnitOfWork(engine) as uow:
                _insert_account(uow.connection, f"t{i}")
                uow.commit()
        except BaseException as err:  # collected and re-raised in the main thread
            errors.append(err)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _codes(engine) == [f"t{i}" for i in range(8)]
