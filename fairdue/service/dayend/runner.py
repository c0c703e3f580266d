"""Day-end use cases: close business dates in partitions, and close one account inline.

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
* A write to an account (a payment) calls `close_account_inline` first, in
  the writer's transaction: the account is locked, closed for every date
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Callable, Iterable

import polars as pl

from fairdue.adapters.db.repos.dayend import DayendRepository, lines_frame
from fairdue.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from fairdue.domain.dayend.kernel import LEDGER_ROLES, DayResult, close_day
from fairdue.domain.dayend.params import product_frames
from fairdue.domain.ledger import EntryDraft, PostingLine
from fairdue.errors import FairdueError

# Accounts per partition (by id range); the unit of work and of a later distributed run.
PARTITION_SPAN_DEFAULT = 50_000
# Longest catch-up in one call, a guard against a wrong date (10 years).
CATCH_UP_DAYS_MAX = 3_660
# Lines closed together by one inline close (servicing's writes; a repayment file): the ids go into IN lists.
LINES_PER_INLINE_CLOSE_MAX = 500
CRASH_ENV = "FAIRDUE_DAYEND_CRASH_AT"
# Extra passes over accounts that got work for a date after their partition closed it.
SWEEPS_MAX = 3
# PostgreSQL: partitions run this many at a time, each in its own transaction (they share nothing but the
# book balances, which a partition writes and locks only in its last statement before COMMIT, so the
# partitions' writes overlap too). SQLite has one writer at a time: always 1. FAIRDUE_DAYEND_WORKERS overrides (>= 1).
PARTITION_WORKERS = 2
WORKERS_ENV = "FAIRDUE_DAYEND_WORKERS"


class DayendError(FairdueError):
    """A day-end request that cannot be carried out."""


class NothingToClose(DayendError):
    """No accounts are enrolled, so there is no date to start from."""


class DateOutOfRange(DayendError):
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
    statements_seconds: float = 0.0  # in servicing's statement close (close_statements, all lines of a partition at once)

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
            raise DayendError(f"{WORKERS_ENV} must be a whole number >= 1, not {raw!r}")
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


def _repo(uow: UnitOfWork) -> DayendRepository:
    return DayendRepository(uow.connection, clock=uow.clock)


# -- products ----------------------------------------------------------------------------------
def _product_frames(uow: UnitOfWork) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Frames for every stored product version; product_code = str(products.id)."""
    from fairdue.service.servicing.products import list_products

    stored = list_products(uow)
    from dataclasses import replace

    prods = [replace(s.product, code=str(s.id)) for s in stored]
    return product_frames(prods)


# -- ledger ------------------------------------------------------------------------------------
# Kernel ledger roles -> the servicing chart (fairdue.service.servicing.accounts: cl:N:<part>, book:C:<part>).
_LINE_PARTS = {"interest_receivable": "interest", "fee_receivable": "fees", "principal_receivable": "principal"}
_BOOK_PARTS = {"interest_income": "interest_income", "late_fee_income": "fee_income",
               "charge_off_expense": "charge_off_expense"}


def ledger_code(role: str, account_id: int, currency: str) -> str:
    """Ledger account code for a role of LEDGER_ROLES, in the servicing chart of accounts."""
    from fairdue.service.servicing.accounts import book, code

    _kind, per_account = LEDGER_ROLES[role]
    if per_account:
        return code(account_id, _LINE_PARTS[role])
    return book(currency, _BOOK_PARTS[role])


def _post(uow: UnitOfWork, repo: DayendRepository, result: DayResult) -> None:
    entries = result.entries
    if entries.height == 0:
        return
    from fairdue.service.ledger.journal import post_entries_bulk

    rows = entries.to_dicts()
    wanted: dict[str, tuple[str, str, str | None]] = {}
    for r in rows:
        for role in (r["debit"], r["credit"]):
            kind, per_account = LEDGER_ROLES[role]
            code = ledger_code(role, r["account_id"], r["currency"])
            wanted[code] = (kind, r["currency"], f"credit_line:{r['account_id']}" if per_account else None)
    ids = repo.ensure_ledger_accounts(wanted)
    drafts = [
        EntryDraft(
            key=r["entry_key"],
            kind=f"dayend_{r['kind']}",
            business_on=result.business_on,
            postings=(
                PostingLine(ids[ledger_code(r["debit"], r["account_id"], r["currency"])], r["amount_minor"], r["currency"]),
                PostingLine(ids[ledger_code(r["credit"], r["account_id"], r["currency"])], -r["amount_minor"], r["currency"]),
            ),
        )
        for r in rows
    ]
    post_entries_bulk(uow, drafts, check_existing=False)
    fees = entries.filter(pl.col("kind").is_in(["late_fee", "interest_accrual"]))
    if fees.height:
        late = pl.col("kind") == "late_fee"
        repo.add_charges_for_entries(fees.select(
            pl.col("account_id").alias("credit_line_id"),
            pl.col("entry_key").alias("idempotency_key"),
            pl.when(late).then(pl.lit("late_fee")).otherwise(pl.lit("interest")).alias("kind"),
            pl.when(late).then(pl.lit("fees")).otherwise(pl.lit("interest")).alias("component"),
            "amount_minor",
            pl.lit(0, dtype=pl.Int64).alias("paid_minor"),
            "currency",
            pl.lit(result.business_on).alias("charged_on"),
            pl.lit(result.business_on).alias("due_on"),
            pl.when(late).then(pl.lit("违约金 late fee (day-end)")).otherwise(pl.lit("revolving interest (day-end)"))
            .alias("description"),
            pl.lit("open").alias("status"),
        ))
    off = entries.filter(pl.col("kind") == "charge_off").get_column("account_id").to_list()
    repo.mark_charged_off(off, result.business_on)


def _statements(uow: UnitOfWork, result: DayResult, installments: pl.DataFrame | None = None) -> DayResult:
    """Servicing statements for the lines whose cycle closes today (bills their installments), all at once;
    the `statement_closed` events get the stored statements' figures (one computation, servicing's) — content
    only, no row ids, so a rerun after a crash writes the same outbox as an uninterrupted run."""
    from fairdue.service.servicing.statements import close_statements

    closing = result.events.filter(pl.col("kind") == "statement_closed")
    if closing.height == 0:
        return result
    line_ids = closing.get_column("account_id").to_list()
    known = None
    if installments is not None:  # the partition's own read (load_installments), reused
        D = result.business_on
        known = installments.filter(
            pl.col("account_id").is_in(line_ids)
            & ((pl.col("status") == "billed") | ((pl.col("status") == "scheduled") & (pl.col("statement_on") <= D)))
        ).select(
            pl.col("installment_id").alias("id"), pl.col("account_id").alias("line_id"), "plan_id", "seq", "due_on",
            "status", "principal_due_minor", "interest_due_minor", "fee_due_minor", "principal_paid_minor",
            "interest_paid_minor", "fee_paid_minor", "plan_kind", "periods",
        )
    totals = close_statements(uow, line_ids=line_ids, statement_on=result.business_on, installments=known)
    payloads = pl.DataFrame(
        {
            "account_id": [t.line_id for t in totals],
            "statement_on": [t.statement_on.isoformat() for t in totals],
            "due_on": [t.due_on.isoformat() for t in totals],
            "closing_balance_minor": [t.closing_balance_minor for t in totals],
            "amount_due_minor": [t.amount_due_minor for t in totals],
            "minimum_due_minor": [t.minimum_due_minor for t in totals],
            "currency": [t.currency for t in totals],
        },
        schema={"account_id": pl.Int64, "statement_on": pl.String, "due_on": pl.String,
                "closing_balance_minor": pl.Int64, "amount_due_minor": pl.Int64, "minimum_due_minor": pl.Int64,
                "currency": pl.String},
    ).select("account_id", pl.struct(pl.exclude("account_id")).struct.json_encode().alias("_payload"),
             pl.lit("statement_closed").alias("kind"))
    events = (
        result.events.join(payloads, on=["account_id", "kind"], how="left")
        .with_columns(pl.coalesce("_payload", "payload").alias("payload"))
        .drop("_payload")
        .sort("event_key")
    )
    return replace(result, events=events)


def _changed_flags(result: DayResult) -> pl.DataFrame:
    """Installment rows whose day-end flags changed today (the per-installment DPD is stored with
    them as of that change; current DPD derives from the due date and is not rewritten daily)."""
    return result.installments.filter(pl.col("_flags_changed")) if "_flags_changed" in result.installments.columns \
        else result.installments


def _write(uow: UnitOfWork, repo: DayendRepository, result: DayResult, checkpoint: Callable[[str], None],
           installments: pl.DataFrame | None = None) -> float:
    """Write one result (`installments`: what load_installments read for it, reused by the statement close);
    returns the seconds spent in servicing statements (reported apart)."""
    started = time.perf_counter()
    result = _statements(uow, result, installments)
    statements_s = time.perf_counter() - started
    _post(uow, repo, result)
    checkpoint("ledger written")
    repo.update_accounts(result.accounts)
    repo.upsert_installment_flags(_changed_flags(result))
    checkpoint("state written")
    repo.add_bucket_moves(result.bucket_moves)
    repo.add_events(result.events)
    checkpoint("events written")
    return statements_s


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
        repo = _repo(uow)
        if repo.is_closed(business_on):
            summary.dates_skipped.append(business_on)
            return summary
        if enroll:
            repo.enroll_new_accounts()
            uow.commit()
        span = repo.account_id_range()
        done = repo.done_partitions(business_on)
        prods, buckets = _product_frames(uow)
        workers = partition_workers(uow.connection.dialect.name)
    summary_lock = threading.Lock()
    parts = [] if span is None else list(range(span[0] // partition_span, span[1] // partition_span + 1))
    todo = [p for p in parts if p not in done]
    if progress:
        progress(len(parts) - len(todo), len(parts))
    def run_partition(part: int) -> DayResult:
        lo, hi = part * partition_span, (part + 1) * partition_span - 1
        with uow_factory() as uow:
            repo = _repo(uow)
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
            statements_s = _write(uow, repo, result, checkpoint, insts)
            s = result.summary
            repo.mark_partition_done(business_on, part, lo, hi, accounts=s["accounts_touched"],
                                     entries=s["entries"], events=s["events"])
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
            repo = _repo(uow)
            if repo.work_left(business_on) == 0:
                repo.close_date(business_on)
                uow.commit()
                checkpoint("date closed")
                break
        if _sweep == SWEEPS_MAX:
            raise DayendError(f"{business_on}: accounts keep getting work while the date closes; run day-end again")
        # Accounts enrolled, or pulled in by a write, after their partition ran: sweep them up
        # (the id range is read again: a line opened meanwhile may lie beyond it).
        with uow_factory() as uow:
            span = _repo(uow).account_id_range()
        sweep_parts = [] if span is None else range(span[0] // partition_span, span[1] // partition_span + 1)
        for part in sweep_parts:
            lo, hi = part * partition_span, (part + 1) * partition_span - 1
            with uow_factory() as uow:
                repo = _repo(uow)
                accounts = repo.load_accounts(business_on, lo, hi)
                repo.lock_book_balances()
                result = close_day(business_on, accounts, repo.load_installments(business_on, lo, hi), prods, buckets)
                if result.accounts.height:
                    summary.statements_seconds += _write(uow, repo, result, checkpoint)
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
        raise DayendError("give a business date or the date to catch up through")
    target = business_on or through_on
    started = time.perf_counter()
    with uow_factory() as uow:
        repo = _repo(uow)
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
            if _repo(uow).is_closed(business_on):
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
        close_date(uow_factory, day, partition_span=partition_span, summary=summary, progress=cb,
                   checkpoint=checkpoint, enroll=day != start)
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
        for r in _repo(uow).pending_events(limit, kinds)
    ]


def mark_events_consumed(uow: UnitOfWork, *, event_ids: list[int]) -> int:
    """Mark events consumed in the caller's transaction (commit it with the work they caused)."""
    return _repo(uow).mark_consumed(event_ids)


# -- inline close (for writers) ----------------------------------------------------------------
def before_write(uow: UnitOfWork, account_id: int, business_on: date) -> int:
    """Servicing's hook, called first by every write to a line (payment, payoff, reversal, purchase, refund).

    A line day-end already looks after is closed inline up to `business_on` (see
    `close_lines_inline`): a write during a running batch is then neither lost nor
    applied twice, and locks follow the batch's order. A line day-end has never
    enrolled has no closed date to catch up from; the next batch enrolls it.
    """
    return before_writes(uow, [account_id], business_on)


def before_writes(uow: UnitOfWork, account_ids: Iterable[int], business_on: date) -> int:
    """`before_write` for many lines at once (a day's repayment file): the same work, one kernel call per date
    for all of them instead of one per line; each line's own write then finds it already done."""
    return close_lines_inline(uow, account_ids, business_on, enroll=False)


def close_account_inline(uow: UnitOfWork, account_id: int, business_on: date) -> int:
    """`close_lines_inline` for one line."""
    return close_lines_inline(uow, [account_id], business_on)


def close_lines_inline(uow: UnitOfWork, account_ids: Iterable[int], business_on: date, *, enroll: bool = True) -> int:
    """Before writing to lines on `business_on`: lock them (in id order), close each for every earlier date it still
    has work for, and pull them into `business_on`'s batch. Runs in the caller's transaction (call it first, before
    reading balances or installments). Lines are independent rows of the kernel, so closing them together gives
    each the result it gets alone. enroll=False leaves lines day-end has never enrolled alone. Returns how many
    line-dates it closed.
    """
    ids = sorted(set(account_ids))
    closed = 0
    for lo in range(0, len(ids), LINES_PER_INLINE_CLOSE_MAX):
        closed += _close_lines_inline(uow, ids[lo:lo + LINES_PER_INLINE_CLOSE_MAX], business_on, enroll)
    return closed


def _work_day(line, business_on: date) -> date | None:
    """The next date before `business_on` a line (a `load_lines` row) still has work for (its next event, never a
    date it has closed already); None when it has caught up."""
    nxt = line.next_event_on
    if line.charged_off or nxt is None or nxt >= business_on:
        return None
    day = max(nxt, line.last_closed_on + timedelta(days=1))
    return day if day < business_on else None


def _close_lines_inline(uow: UnitOfWork, ids: list[int], business_on: date, enroll: bool) -> int:
    repo = _repo(uow)
    if enroll:
        repo.enroll_new_accounts(ids)
    rows = repo.load_lines(ids, lock=True)
    if not rows:
        return 0
    repo.lock_book_balances()
    frames: tuple[pl.DataFrame, pl.DataFrame] | None = None

    def close(day: date, lines: pl.DataFrame) -> int:
        nonlocal frames
        frames = frames or _product_frames(uow)
        insts = repo.load_installments(day, 0, 0, account_ids=lines.get_column("account_id").to_list())
        _write(uow, repo, close_day(day, lines, insts, *frames), lambda _n: None)
        return lines.height

    # The kernel's frames are built only for lines with work: a write usually finds its line caught up already
    # (day-end ran, or `before_writes` closed the day's payers together).
    closed = 0
    for _ in range(CATCH_UP_DAYS_MAX):
        days = {r.account_id: d for r in rows if (d := _work_day(r, business_on))}
        if not days:
            break
        day = min(days.values())
        closed += close(day, lines_frame([r for r in rows if days.get(r.account_id) == day]))
        rows = repo.load_lines(ids, lock=False)
    # Accrual and principal-days are counted at touches: bring them up to the day before the write,
    # so the write's change of balance counts from its own date on, not retroactively.
    eve = business_on - timedelta(days=1)
    stale = [r for r in rows if not r.charged_off and r.last_closed_on < eve]
    if stale:
        closed += close(eve, lines_frame(stale).with_columns(pl.lit(eve).alias("next_event_on")))
    # Skip the update only when it is sure to change nothing: nothing was closed here (closing moves
    # next_event_on) and every line already has business_on's batch (or an earlier date) as its next event.
    if closed or any(r.next_event_on is None or r.next_event_on > business_on for r in rows):
        repo.pull_next_event([r.account_id for r in rows], business_on)
    return closed
