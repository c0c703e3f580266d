"""Payments posted while a day-end batch runs are applied exactly once, and the outcome equals a sequential run."""

from __future__ import annotations

import os
import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa
from dayend_helpers import dayend_digest, journal_digest
from test_dayend_crash import _context, _seed, copies  # noqa: F401  (fixture reused)

from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.money import Money

pytestmark = [pytest.mark.slow]

THROUGH = date(2026, 3, 10)
PAY_ON = date(2026, 3, 11)  # the open business date while THROUGH's batch runs
PAYMENT_MINOR = 105_000
SPAN = 2


def _batch(url: str, started) -> None:
    from fairdue.service.dayend.runner import run_day_end

    engine = make_engine(url)
    run_day_end(
        lambda: UnitOfWork(engine),
        through_on=THROUGH,
        partition_span=SPAN,
        progress=lambda day, done, total: started.set() if done else None,
    )
    engine.dispose()
    os._exit(0)


def _pay(engine, line_id: int) -> None:
    from fairdue.service.servicing.payments import pay

    with UnitOfWork(engine) as uow:
        # pay() closes the line inline first (servicing's close_inline), as every servicing write does.
        pay(uow, line_id=line_id, amount=Money(PAYMENT_MINOR, "CNY"), received_on=PAY_ON, key=f"pay-{line_id}")
        uow.commit()


def _lines(engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(sa.text("SELECT id FROM credit_lines ORDER BY id"))]


def _closed_max(engine):
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT max(business_on) FROM dayend_business_date")).scalar()


def _finish_and_digest(url: str) -> tuple:
    from fairdue.service.dayend.runner import run_day_end
    from fairdue.service.ledger.journal import verify

    engine = make_engine(url)
    try:
        run_day_end(lambda: UnitOfWork(engine), through_on=PAY_ON, partition_span=SPAN)
        with UnitOfWork(engine) as uow:
            c = uow.connection
            payments = c.execute(sa.text("SELECT idempotency_key, amount_minor FROM payments ORDER BY 1")).all()
            allocated = c.execute(
                sa.text("SELECT coalesce(sum(amount_minor), 0) FROM payment_allocations")
            ).scalar_one()
            unapplied = c.execute(sa.text("SELECT coalesce(sum(unapplied_minor), 0) FROM payments")).scalar_one()
            fees = c.execute(
                sa.text(
                    "SELECT count(*), count(DISTINCT event_key) FROM dayend_event_outbox WHERE kind = 'fee_assessed'"
                )
            ).first()
            return (journal_digest(c), dayend_digest(c), verify(uow).ok, payments, allocated + unapplied, tuple(fees))
    finally:
        engine.dispose()


def test_payments_during_a_running_batch_are_applied_exactly_once(copies):
    # Sequential reference: the batch, then the payments, then the next date.
    ref_url = copies()
    from fairdue.service.dayend.runner import run_day_end

    ref_engine = make_engine(ref_url)
    run_day_end(lambda: UnitOfWork(ref_engine), through_on=THROUGH, partition_span=SPAN)
    lines = _lines(ref_engine)
    for line in lines:
        _pay(ref_engine, line)
    ref_engine.dispose()
    reference = _finish_and_digest(ref_url)

    # Concurrent: the batch in another process, payments from here while it runs.
    url = copies()
    engine = make_engine(url)
    ctx = _context()
    started = ctx.Event()
    proc = ctx.Process(target=_batch, args=(url, started))
    proc.start()
    assert started.wait(60), "the batch never committed a partition"
    overlapped: list[bool] = []

    def payer(n: int, line: int) -> None:
        time.sleep(0.03 * n)  # staggered arrivals while the batch runs
        overlapped.append(proc.is_alive())
        _pay(engine, line)

    threads = [threading.Thread(target=payer, args=(n, line)) for n, line in enumerate(lines)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    during = sum(overlapped)
    proc.join(120)
    assert proc.exitcode == 0
    engine.dispose()
    assert during >= 3, f"only {during} payments overlapped the batch; the test did not exercise concurrency"
    result = _finish_and_digest(url)

    _journal, _state, ok, payments, applied, fees = result  # journal and state: compared whole below
    assert ok, "ledger verify must pass"
    assert payments == [(f"pay-{line}", PAYMENT_MINOR) for line in sorted(lines, key=lambda x: f"pay-{x}")]
    assert applied == PAYMENT_MINOR * len(lines)  # allocated + unapplied: every fen of every payment, once
    assert fees[0] == fees[1]
    assert result == reference
