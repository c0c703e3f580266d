"""Day-end: close business dates in partitions (the batch runner), and the day-end event outbox.

    summary = run_day_end(uow_factory, business_on=date(2026, 3, 20))   # one date (and any before it)
    summary = run_day_end(uow_factory, through_on=yesterday)            # catch up every unclosed date

How it stays correct when things go wrong:

* A date is split into partitions by account-id range (`account_id //
  partition_span`). Each partition is read, run through the pure kernel
  (fairdue.domain.dayend.close_day) and written — ledger entries, account
  state, installment flags, bucket history, outbox events, the partition's
  `done` row — in one transaction. A crash leaves whole partitions done or not
  done; the rerun skips the done ones. Ledger keys are deterministic, so the
  journal after a rerun is the journal of an uninterrupted run.
* The date is recorded closed, in the transaction of a final check that no
  account has work left for it; a closed date is a no-op.
* Dates close strictly in order: asking for a date closes every unclosed
  date before it first.
* A write to an account (a payment) calls servicing's `close_inline` first
  (fairdue.service.servicing.close), in the writer's transaction: the account is locked, closed for every date
  before the write's business date that it still has work for, and pulled
  into that date's batch. The batch skips accounts already closed for its
  date, so a payment is neither lost nor applied twice.

`FAIRDUE_DAYEND_CRASH_AT=N` (fault injection for the crash test) kills the
process with SIGKILL at the N-th checkpoint of a run.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import cast

from fairdue.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from fairdue.domain.dayend.kernel import DayResult, close_day
from fairdue.errors import FairdueError, Invalid
from fairdue.service.servicing.close import CATCH_UP_DAYS_MAX, product_frames_of, write_day

# Accounts per partition (by id range); the unit of work and of a later distributed run.
PARTITION_SPAN_DEFAULT = 50_000
CRASH_ENV = "FAIRDUE_DAYEND_CRASH_AT"
# Extra passes over accounts that got work for a date after their partition closed it.
SWEEPS_MAX = 3
# PostgreSQL: partitions run this many at a time, each in its own transaction (they share nothing but the
# book balances, which a partition writes and locks only in its last statement before COMMIT, so the
# partitions' writes overlap too). SQLite has one writer at a time: always 1. FAIRDUE_DAYEND_WORKERS overrides (>= 1).
PARTITION_WORKERS = 2
WORKERS_ENV = "FAIRDUE_DAYEND_WORKERS"


class DayendError(FairdueError):
    """A day-end request that cannot be carried out (the context base; raise a subclass)."""


class DayendInvalid(DayendError, Invalid):
    """A day-end request or setting with bad input (no date given, a bad worker count)."""


class DayendBusy(DayendError, Invalid):
    """Accounts kept getting work while the date closed; run day-end again."""


class NothingToClose(DayendError, Invalid):
    """No accounts are enrolled, so there is no date to start from."""


class DateOutOfRange(DayendError, Invalid):
    """The requested business date is too far from the last closed one."""


@dataclass
class Summary:
    """What a run did: dates closed (and skipped as already closed), and totals over them."""

    dates_closed: list[date] = field(default_factory=list)
    dates_skipped: list[date] = field(default_factory=list)
    partitions: int = 0
    accounts_touched: int = 0
    entries: int = 0
    postings: int = 0
    events: int = 0
    fees: int = 0
    fees_capped: int = 0
    bucket_moves: int = 0
    charged_off: int = 0
    seconds: float = 0.0
    kernel_seconds: float = 0.0  # in the pure kernel
    statements_seconds: float = (
        0.0  # in servicing's statement close (close_statements, all lines of a partition at once)
    )

    def add(self, result: DayResult) -> None:
        s = result.summary
        self.accounts_touched += s["accounts_touched"]
        self.entries += s["entries"]
        self.postings += s["postings"]
        self.events += s["events"]
        self.fees += s["fees"]
        self.fees_capped += s["fees_capped"]
        self.bucket_moves += s["bucket_moves"]
        self.charged_off += s["charged_off"]

    def as_dict(self) -> dict:
        return {
            "dates_closed": [d.isoformat() for d in self.dates_closed],
            "dates_skipped": [d.isoformat() for d in self.dates_skipped],
            "partitions": self.partitions,
            "accounts_touched": self.accounts_touched,
            "entries": self.entries,
            "postings": self.postings,
            "events": self.events,
            "fees": self.fees,
            "fees_capped": self.fees_capped,
            "bucket_moves": self.bucket_moves,
            "charged_off": self.charged_off,
            "seconds": round(self.seconds, 3),
            "kernel_seconds": round(self.kernel_seconds, 3),
            "statements_seconds": round(self.statements_seconds, 3),
        }


def partition_workers(dialect: str) -> int:
    """Partitions run at once on this database (see PARTITION_WORKERS)."""
    if dialect != "postgresql":
        return 1
    raw = os.environ.get(WORKERS_ENV, "").strip()
    if raw:
        if not raw.isdigit() or int(raw) < 1:
            raise DayendInvalid(f"{WORKERS_ENV} must be a whole number >= 1, not {raw!r}")
        return int(raw)
    return PARTITION_WORKERS


class _Checkpoints:
    """Counts checkpoints; SIGKILLs the process at the configured one (fault injection only)."""

    def __init__(self) -> None:
        raw = os.environ.get(CRASH_ENV, "").strip()
        self.kill_at = int(raw) if raw.isdigit() else None
        self.count = 0
        self._lock = threading.Lock()

    def __call__(self, _name: str) -> None:
        with self._lock:
            self.count += 1
            count = self.count
        if self.kill_at is not None and count == self.kill_at:
            os.kill(os.getpid(), signal.SIGKILL)


# -- one date ----------------------------------------------------------------------------------
def close_date(
    uow_factory: UnitOfWorkFactory,
    business_on: date,
    *,
    partition_span: int = PARTITION_SPAN_DEFAULT,
    summary: Summary | None = None,
    progress: Callable[[int, int], None] | None = None,
    checkpoint: Callable[[str], None] | None = None,
    enroll: bool = True,
) -> Summary:
    """Close one business date (partition by partition); a closed date is a no-op.

    enroll=False skips enrolling new lines first (the caller just did; it scans every line)."""
    summary = summary if summary is not None else Summary()
    checkpoint = checkpoint or _Checkpoints()
    with uow_factory() as uow:
        repo = uow.dayend
        if repo.is_closed(business_on):
            summary.dates_skipped.append(business_on)
            return summary
        if enroll:
            repo.enroll_new_accounts()
            uow.commit()
        span = repo.account_id_range()
        done = repo.done_partitions(business_on)
        prods, buckets = product_frames_of(uow)
        workers = partition_workers(uow.dialect)
    summary_lock = threading.Lock()
    parts = [] if span is None else list(range(span[0] // partition_span, span[1] // partition_span + 1))
    todo = [p for p in parts if p not in done]
    if progress:
        progress(len(parts) - len(todo), len(parts))

    def run_partition(part: int) -> DayResult:
        lo, hi = part * partition_span, (part + 1) * partition_span - 1
        with uow_factory() as uow:
            repo = uow.dayend
            repo.tune_for_batch()
            accounts = repo.load_accounts(business_on, lo, hi)
            insts = repo.load_installments(business_on, lo, hi)
            checkpoint("partition loaded")
            kernel_started = time.perf_counter()
            result = close_day(business_on, accounts, insts, prods, buckets)
            kernel_s = time.perf_counter() - kernel_started
            # The book balances (income, expense: rows every partition and payment shares) are written
            # last: their deltas are held in memory while the partition writes, then the books are locked
            # (the same order as an inline close: accounts, then books) and updated in one statement just
            # before COMMIT, so another partition waits for milliseconds, not for this one's whole write.
            uow.ledger.hold_balances(repo.book_account_ids())
            statements_s = write_day(uow, repo, result, checkpoint, insts)
            s = result.summary
            repo.mark_partition_done(
                business_on, part, lo, hi, accounts=s["accounts_touched"], entries=s["entries"], events=s["events"]
            )
            repo.lock_book_balances()
            uow.ledger.apply_held_balances()
            checkpoint("before commit")
            uow.commit()
            checkpoint("after commit")
        with summary_lock:
            summary.kernel_seconds += kernel_s
            summary.statements_seconds += statements_s
        return result

    def finished(n: int, result: DayResult) -> None:
        summary.add(result)
        summary.partitions += 1
        if progress:
            progress(n, len(parts))

    first_n = len(parts) - len(todo) + 1
    if workers > 1 and len(todo) > 1:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="dayend") as pool:
            futures = [pool.submit(run_partition, part) for part in todo]
            try:
                for n, future in enumerate(futures, start=first_n):
                    finished(n, future.result())
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
    else:
        for n, part in enumerate(todo, start=first_n):
            finished(n, run_partition(part))
    for _sweep in range(SWEEPS_MAX + 1):
        with uow_factory() as uow:
            repo = uow.dayend
            if repo.work_left(business_on) == 0:
                repo.close_date(business_on)
                uow.commit()
                checkpoint("date closed")
                break
        if _sweep == SWEEPS_MAX:
            raise DayendBusy(f"{business_on}: accounts keep getting work while the date closes; run day-end again")
        # Accounts enrolled, or pulled in by a write, after their partition ran: sweep them up
        # (the id range is read again: a line opened meanwhile may lie beyond it).
        with uow_factory() as uow:
            span = uow.dayend.account_id_range()
        sweep_parts = [] if span is None else range(span[0] // partition_span, span[1] // partition_span + 1)
        for part in sweep_parts:
            lo, hi = part * partition_span, (part + 1) * partition_span - 1
            with uow_factory() as uow:
                repo = uow.dayend
                accounts = repo.load_accounts(business_on, lo, hi)
                repo.lock_book_balances()
                result = close_day(business_on, accounts, repo.load_installments(business_on, lo, hi), prods, buckets)
                if result.accounts.height:
                    summary.statements_seconds += write_day(uow, repo, result, checkpoint)
                    uow.commit()
                    summary.add(result)
    summary.dates_closed.append(business_on)
    return summary


def run_day_end(
    uow_factory: UnitOfWorkFactory,
    *,
    business_on: date | None = None,
    through_on: date | None = None,
    partition_span: int = PARTITION_SPAN_DEFAULT,
    progress: Callable[[date, int, int], None] | None = None,
) -> Summary:
    """Close `business_on` — or, without it, every unclosed date through `through_on` — in date order."""
    if business_on is None and through_on is None:
        raise DayendInvalid("give a business date or the date to catch up through")
    target = cast(date, business_on or through_on)  # one of them is given (checked above)
    started = time.perf_counter()
    with uow_factory() as uow:
        repo = uow.dayend
        repo.enroll_new_accounts()
        uow.commit()
        last = repo.last_closed_date()
        start = last + timedelta(days=1) if last is not None else None
        if start is None:
            first = repo.earliest_unclosed_account_date()
            if first is None:
                raise NothingToClose("no accounts are enrolled for day-end yet; open a credit line first")
            start = first + timedelta(days=1)
    summary = Summary()
    if business_on is not None and last is not None and business_on <= last:
        with uow_factory() as uow:
            if uow.dayend.is_closed(business_on):
                summary.dates_skipped.append(business_on)
                summary.seconds = time.perf_counter() - started
                return summary
        start = business_on  # a gap before the first closed date: close just this one
    if (target - start).days > CATCH_UP_DAYS_MAX:
        raise DateOutOfRange(
            f"closing {start} through {target} is {(target - start).days + 1} days; more than {CATCH_UP_DAYS_MAX} "
            f"looks like a wrong date"
        )
    checkpoint = _Checkpoints()
    day = start
    while day <= target:
        cb = (lambda done, total, d=day: progress(d, done, total)) if progress else None
        close_date(
            uow_factory,
            day,
            partition_span=partition_span,
            summary=summary,
            progress=cb,
            checkpoint=checkpoint,
            enroll=day != start,
        )
        day += timedelta(days=1)
    summary.seconds = time.perf_counter() - started
    return summary


# -- the event outbox -------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DayendEvent:
    """One outbox event: id, key (unique), account_id (credit line), kind (EVENT_KINDS),
    business_on, payload (decoded JSON object)."""

    id: int
    key: str
    account_id: int
    kind: str
    business_on: date
    payload: dict


def pending_events(uow: UnitOfWork, *, limit: int = 1000, kinds: tuple[str, ...] | None = None) -> list[DayendEvent]:
    """Unconsumed day-end events, oldest first (PostgreSQL: rows other consumers hold are skipped)."""
    import json

    return [
        DayendEvent(r.id, r.event_key, r.account_id, r.kind, r.business_on, json.loads(r.payload))
        for r in uow.dayend.pending_events(limit, kinds)
    ]


def mark_events_consumed(uow: UnitOfWork, *, event_ids: list[int]) -> int:
    """Mark events consumed in the caller's transaction (commit it with the work they caused)."""
    return uow.dayend.mark_consumed(event_ids)
