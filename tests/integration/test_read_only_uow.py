"""Read-only units of work (issue 22): no SQLite write lock, every write refused, the pooled connection left
writable."""

from __future__ import annotations

import sqlite3

import pytest
import sqlalchemy as sa

from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.uow import ReadOnlyUnitOfWork, UnitOfWork
from fairdue.service.staff.auth import create_staff

PASSWORD = "correct horse battery"  # nosec B105 - a test staff member


def _add_staff(uow_factory, username: str, *roles: str) -> int:
    with uow_factory() as uow:
        staff_id = create_staff(
            uow, username=username, display_name=username, password=PASSWORD, roles=roles, now=uow.clock()
        )
        uow.commit()
    return staff_id


def test_read_only_unit_refuses_a_write_on_both_engines_sqlite_query_only_pg_read_only_transaction(uow_factory):
    with uow_factory().as_read_only() as uow, pytest.raises(sa.exc.DBAPIError):
        create_staff(uow, username="reader", display_name="r", password=PASSWORD, roles=["agent"], now=uow.clock())
    with uow_factory() as uow:
        assert uow.staff.id_of_username("reader") is None


def test_read_only_unit_refuses_commit_and_says_so(uow_factory):
    with uow_factory().as_read_only() as uow, pytest.raises(ReadOnlyUnitOfWork, match="read-only"):
        uow.commit()


def test_connection_is_writable_again_after_a_read_only_unit(engine, clock):
    # StaticPool-free engines hand the same pooled connection back: query_only must not stick to it.
    for _round in range(3):
        with UnitOfWork(engine, clock=clock, read_only=True) as reader:
            reader.staff.id_of_username("nobody")
    with UnitOfWork(engine, clock=clock) as writer:
        staff_id = create_staff(
            writer, username="writer", display_name="w", password=PASSWORD, roles=["agent"], now=clock()
        )
        writer.commit()
        assert writer.staff.user(staff_id) is not None


def test_sqlite_read_only_unit_leaves_the_write_lock_free_begin_deferred_sqlite_lang_transaction(tmp_path, clock):
    path = tmp_path / "lock.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        with UnitOfWork(engine, clock=clock, read_only=True) as reader:
            reader.connection.exec_driver_sql("SELECT count(*) FROM t").scalar_one()  # the read has begun
            other = sqlite3.connect(path, timeout=0, isolation_level=None)  # a writer that never waits
            try:
                other.execute("BEGIN IMMEDIATE")  # "database is locked" at once if the reader held the lock
                other.execute("INSERT INTO t VALUES (1)")
                other.execute("COMMIT")
            finally:
                other.close()
        with UnitOfWork(engine, clock=clock) as writer:
            assert writer.connection.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 1
            held = sqlite3.connect(path, timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    held.execute("BEGIN IMMEDIATE")  # a writing unit still holds it (BEGIN IMMEDIATE)
            finally:
                held.close()
    finally:
        engine.dispose()
