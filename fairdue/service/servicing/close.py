"""Close of business: one day's kernel result written for a set of lines, and the inline close before a write.

Day-end's batch runner (fairdue.service.dayend) and every servicing write share this code: the pure kernel
(fairdue.domain.dayend.close_day) decides, `write_day` writes its result (ledger entries, servicing statements,
account state, installment flags, bucket history, outbox events) in the caller's transaction, and `close_inline`
brings lines up to date before a payment, purchase, refund or plan touches them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, timedelta

import polars as pl

from fairdue.adapters.db.repos.dayend import DayendRepository, lines_frame
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.dayend.kernel import LEDGER_ROLES, DayResult, close_day
from fairdue.domain.dayend.params import product_frames
from fairdue.domain.ledger import EntryDraft, PostingLine
from fairdue.service.ledger.journal import post_entries_bulk
from fairdue.service.servicing.accounts import book, code
from fairdue.service.servicing.products import list_products
from fairdue.service.servicing.statements import close_statements

# Longest catch-up in one call, a guard against a wrong date (10 years).
CATCH_UP_DAYS_MAX = 3_660
# Lines closed together by one inline close (servicing's writes; a repayment file): the ids go into IN lists.
LINES_PER_INLINE_CLOSE_MAX = 500


def product_frames_of(uow: UnitOfWork) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Frames for every stored product version; product_code = str(products.id)."""
    stored = list_products(uow)
    prods = [replace(s.product, code=str(s.id)) for s in stored]
    return product_frames(prods)


# -- ledger ------------------------------------------------------------------------------------
# Kernel ledger roles -> the servicing chart (fairdue.service.servicing.accounts: cl:N:<part>, book:C:<part>).
_LINE_PARTS = {"interest_receivable": "interest", "fee_receivable": "fees", "principal_receivable": "principal"}
_BOOK_PARTS = {
    "interest_income": "interest_income",
    "late_fee_income": "fee_income",
    "charge_off_expense": "charge_off_expense",
}


def ledger_code(role: str, account_id: int, currency: str) -> str:
    """Ledger account code for a role of LEDGER_ROLES, in the servicing chart of accounts."""
    _kind, per_account = LEDGER_ROLES[role]
    if per_account:
        return code(account_id, _LINE_PARTS[role])
    return book(currency, _BOOK_PARTS[role])


def _post(uow: UnitOfWork, repo: DayendRepository, result: DayResult) -> None:
    entries = result.entries
    if entries.height == 0:
        return
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
                PostingLine(
                    ids[ledger_code(r["debit"], r["account_id"], r["currency"])], r["amount_minor"], r["currency"]
                ),
                PostingLine(
                    ids[ledger_code(r["credit"], r["account_id"], r["currency"])], -r["amount_minor"], r["currency"]
                ),
            ),
        )
        for r in rows
    ]
    post_entries_bulk(uow, drafts, check_existing=False)
    fees = entries.filter(pl.col("kind").is_in(["late_fee", "interest_accrual"]))
    if fees.height:
        late = pl.col("kind") == "late_fee"
        repo.add_charges_for_entries(
            fees.select(
                pl.col("account_id").alias("credit_line_id"),
                pl.col("entry_key").alias("idempotency_key"),
                pl.when(late).then(pl.lit("late_fee")).otherwise(pl.lit("interest")).alias("kind"),
                pl.when(late).then(pl.lit("fees")).otherwise(pl.lit("interest")).alias("component"),
                "amount_minor",
                pl.lit(0, dtype=pl.Int64).alias("paid_minor"),
                "currency",
                pl.lit(result.business_on).alias("charged_on"),
                pl.lit(result.business_on).alias("due_on"),
                pl.when(late)
                .then(pl.lit("违约金 late fee (day-end)"))
                .otherwise(pl.lit("revolving interest (day-end)"))
                .alias("description"),
                pl.lit("open").alias("status"),
            )
        )
    off = entries.filter(pl.col("kind") == "charge_off").get_column("account_id").to_list()
    repo.mark_charged_off(off, result.business_on)


def _statements(uow: UnitOfWork, result: DayResult, installments: pl.DataFrame | None = None) -> DayResult:
    """Servicing statements for the lines whose cycle closes today (bills their installments), all at once;
    the `statement_closed` events get the stored statements' figures (one computation, servicing's) — content
    only, no row ids, so a rerun after a crash writes the same outbox as an uninterrupted run."""
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
            pl.col("installment_id").alias("id"),
            pl.col("account_id").alias("line_id"),
            "plan_id",
            "seq",
            "due_on",
            "status",
            "principal_due_minor",
            "interest_due_minor",
            "fee_due_minor",
            "principal_paid_minor",
            "interest_paid_minor",
            "fee_paid_minor",
            "plan_kind",
            "periods",
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
        schema={
            "account_id": pl.Int64,
            "statement_on": pl.String,
            "due_on": pl.String,
            "closing_balance_minor": pl.Int64,
            "amount_due_minor": pl.Int64,
            "minimum_due_minor": pl.Int64,
            "currency": pl.String,
        },
    ).select(
        "account_id",
        pl.struct(pl.exclude("account_id")).struct.json_encode().alias("_payload"),
        pl.lit("statement_closed").alias("kind"),
    )
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
    return (
        result.installments.filter(pl.col("_flags_changed"))
        if "_flags_changed" in result.installments.columns
        else result.installments
    )


def write_day(
    uow: UnitOfWork,
    repo: DayendRepository,
    result: DayResult,
    checkpoint: Callable[[str], None],
    installments: pl.DataFrame | None = None,
) -> float:
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


# -- inline close (for writers) ----------------------------------------------------------------
def close_inline(uow: UnitOfWork, line_ids: Iterable[int], business_on: date, *, enroll: bool = False) -> int:
    """Servicing's inline close-of-business, called first by every write to lines (payment, payoff, reversal,
    purchase, refund, plan), in the writer's transaction, before it reads balances or installments.

    Locks the lines (in id order), closes each for every earlier date it still has work for, and pulls them into
    `business_on`'s batch: a write during a running batch is then neither lost nor applied twice, and locks follow
    the batch's order. Lines are independent rows of the kernel, so closing many together (a day's repayment file)
    gives each the result it gets alone, with one kernel call per date. A line day-end has never enrolled has no
    closed date to catch up from: the next batch enrolls it, unless `enroll=True` enrolls it here. Returns how many
    line-dates it closed.
    """
    ids = sorted(set(line_ids))
    closed = 0
    for lo in range(0, len(ids), LINES_PER_INLINE_CLOSE_MAX):
        closed += _close_lines_inline(uow, ids[lo : lo + LINES_PER_INLINE_CLOSE_MAX], business_on, enroll)
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
    repo = uow.dayend
    if enroll:
        repo.enroll_new_accounts(ids)
    rows = repo.load_lines(ids, lock=True)
    if not rows:
        return 0
    repo.lock_book_balances()
    frames: tuple[pl.DataFrame, pl.DataFrame] | None = None

    def close(day: date, lines: pl.DataFrame) -> int:
        nonlocal frames
        frames = frames or product_frames_of(uow)
        insts = repo.load_installments(day, 0, 0, account_ids=lines.get_column("account_id").to_list())
        write_day(uow, repo, close_day(day, lines, insts, *frames), lambda _n: None)
        return lines.height

    # The kernel's frames are built only for lines with work: a write usually finds its line caught up already
    # (day-end ran, or one `close_inline` closed the day's payers together).
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
