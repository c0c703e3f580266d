"""Idempotency and balances hold under real concurrency: 50 threads racing on one key leave exactly one entry."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa

from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.ledger import AlreadyReversed, IdempotencyConflict
from fairdue.domain.money import Money
from fairdue.service.ledger import journal as L

DAY = date(2026, 1, 15)
THREADS = 50


def race(n: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run work(i) on n threads released together; collect results and exceptions."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = work(i)
        except BaseException as err:  # reported to the test thread
            with lock:
                errors.append(err)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results, errors


@pytest.fixture
def wide_engine(database_url):
    """An engine whose pool lets every racing thread hold its own connection."""
    engine = make_engine(database_url, pool_size=THREADS, max_overflow=0, pool_timeout=120)
    yield engine
    engine.dispose()


@pytest.fixture
def accounts(wide_engine):
    with UnitOfWork(wide_engine) as uow:
        cash = L.ensure_account(uow, code="book:cash:CNY", kind="asset", currency="CNY")
        rec = L.ensure_account(uow, code="cl:7:receivable_principal", kind="asset", currency="CNY")
        uow.commit()
    return cash, rec


def _payment(uow: UnitOfWork, accounts, minor: int, key: str = "payment:cl7:2026-01-15:abc"):
    cash, rec = accounts
    return L.post_entry(
        uow,
        key=key,
        kind="payment",
        business_on=DAY,
        postings=[(cash, Money(minor, "CNY")), (rec, Money(-minor, "CNY"))],
    )


def _count(engine, sql: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar_one()


@pytest.mark.slow
def test_fifty_threads_posting_one_payment_key_leave_exactly_one_entry(wide_engine, accounts, backend):
    def work(_i: int):
        with UnitOfWork(wide_engine) as uow:
            entry = _payment(uow, accounts, 30_000)
            uow.commit()
            return entry.id

    ids, errors = race(THREADS, work)
    assert errors == []
    assert len(set(ids)) == 1
    assert _count(wide_engine, "SELECT count(*) FROM ledger_entry") == 1
    assert _count(wide_engine, "SELECT count(*) FROM ledger_posting") == 2
    with UnitOfWork(wide_engine) as uow:
        assert L.balance(uow, accounts[0]) == Money(30_000, "CNY")
        assert L.verify(uow).ok


@pytest.mark.slow
def test_fifty_threads_racing_one_key_with_different_amounts_one_wins_the_rest_conflict(wide_engine, accounts):
    def work(i: int):
        with UnitOfWork(wide_engine) as uow:
            entry = _payment(uow, accounts, 1_000 + i)
            uow.commit()
            return entry.id

    results, errors = race(THREADS, work)
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert len(errors) == THREADS - 1 and all(isinstance(e, IdempotencyConflict) for e in errors)
    assert _count(wide_engine, "SELECT count(*) FROM ledger_entry") == 1
    with UnitOfWork(wide_engine) as uow:
        stored = L.get_entry(uow, key="payment:cl7:2026-01-15:abc")
        assert L.balance(uow, accounts[0]).amount_minor == max(p.amount_minor for p in stored.postings)
        assert L.verify(uow).ok


@pytest.mark.slow
def test_concurrent_entries_on_shared_accounts_all_land_without_deadlock(wide_engine, accounts):
    """Each thread touches both accounts in its own order; sorted balance updates keep them deadlock-free."""
    cash, rec = accounts

    def work(i: int):
        legs = [(cash, Money(100 + i, "CNY")), (rec, Money(-(100 + i), "CNY"))]
        with UnitOfWork(wide_engine) as uow:
            L.post_entry(uow, key=f"k{i}", kind="payment", business_on=DAY, postings=legs[:: 1 if i % 2 else -1])
            uow.commit()

    _, errors = race(THREADS, work)
    assert errors == []
    with UnitOfWork(wide_engine) as uow:
        assert L.balance(uow, cash) == Money(sum(100 + i for i in range(THREADS)), "CNY")
        assert L.verify(uow).ok


@pytest.mark.slow
def test_concurrent_ensure_account_creates_one_account(wide_engine):
    def work(_i: int):
        with UnitOfWork(wide_engine) as uow:
            acct = L.ensure_account(uow, code="cl:9:fees", kind="asset", currency="CNY", owner="credit_line:9")
            uow.commit()
            return acct.id

    ids, errors = race(20, work)
    assert errors == [] and len(set(ids)) == 1
    assert _count(wide_engine, "SELECT count(*) FROM ledger_account WHERE code = 'cl:9:fees'") == 1
    assert _count(wide_engine, "SELECT count(*) FROM ledger_balance") == 1


@pytest.mark.slow
def test_concurrent_reversals_with_different_keys_reverse_once(wide_engine, accounts):
    with UnitOfWork(wide_engine) as uow:
        original = _payment(uow, accounts, 5_000)
        uow.commit()

    def work(i: int):
        with UnitOfWork(wide_engine) as uow:
            rev = L.reverse_entry(uow, entry_id=original.id, key=f"refund-{i}", business_on=DAY)
            uow.commit()
            return rev.id

    results, errors = race(20, work)
    assert len([r for r in results if r is not None]) == 1
    assert len(errors) == 19 and all(isinstance(e, AlreadyReversed) for e in errors)
    with UnitOfWork(wide_engine) as uow:
        assert L.balance(uow, accounts[0]) == Money(0, "CNY")
        assert L.verify(uow).ok
