"""The day-end kernel: one business date over one partition of accounts, as Polars frames.

    result = close_day(business_on, accounts, installments, products, buckets)

Pure and vectorised: state in (ACCOUNT_SCHEMA, INSTALLMENT_SCHEMA rows, the
product frames of `params.product_frames`) → entries to post, new state,
events and bucket moves out. There is no Python loop per account; the only
Python loops run over distinct due dates (calendar) — a few hundred at most.

Which accounts it touches: those whose `next_event_on` is on or before the
business date and that are not yet closed for it (`last_closed_on` earlier).
Every other account has nothing to do today and is left alone; the kernel
computes each touched account's next event date so tomorrow's run can skip
it until then.

The rules, for business date D (each one is a named step below):

* accrual — revolving principal (the state's `revolving_principal_minor` plus
  revolving items unpaid after their due date, from the day after it) accrues
  interest daily at the product's daily rate; the sub-minor-unit remainder (units of 1/RATE_SCALE) is carried, so
  the per-day amounts over any span sum exactly to the span's interest
  computed in one step (`daily_accruals` proves it day by day). Days since the
  last touch are accrued in one go — the balance cannot have changed in
  between, because every write to an account closes it inline first.
  The same step adds outstanding principal × days to `principal_days_minor`,
  the base of the all-in cost cap.
* billing — an installment falls due on its due date, moved to the next
  business day when the product says so (`installment_due`); contractual
  interest and fees count toward the borrower's cost. On the cycle day a
  statement closes (`statement_closed`); servicing's statement close computes
  its figures (the service fills the event's payload with them).
* overdue — an unpaid installment past due date + grace days is overdue
  (`became_overdue`, once per occurrence), and that occurrence bears one late
  fee (违约金): bps of the overdue amount, clamped to [min, max] and never more
  than the overdue amount; fees never bear interest. The fee is cut to the
  headroom under the all-in cost cap (cap × principal-days / 365 minus cost
  already charged); a cut fee raises `fee_capped` with the numbers.
* DPD — per installment and per account, from the oldest overdue due date
  (stored, not rewritten daily); bucket from the product's ranges,
  `bucket_changed` + a history row on change, `cured` back to current.
* charge-off — at the product's DPD: outstanding principal written off,
  `charged_off`; the account then has no further day-end work.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from fairdue.domain.calendar import Calendar
from fairdue.domain.calendar import calendar as default_calendar
from fairdue.domain.dayend.params import BPS_FULL, DAYS_PER_YEAR, RATE_SCALE
from fairdue.errors import FairdueError

if TYPE_CHECKING:
    from polars._typing import ColumnNameOrSelector, PolarsDataType, SchemaDict

ACCOUNT_SCHEMA: dict[str, PolarsDataType] = {
    "account_id": pl.Int64,
    "product_code": pl.String,
    "cycle_day": pl.Int32,
    "last_closed_on": pl.Date,  # the last business date this account was closed for
    "next_event_on": pl.Date,  # null = no day-end work until something is written to it
    "bucket": pl.String,
    "oldest_overdue_on": pl.Date,  # effective due date of the oldest overdue installment; null = none
    "charged_off": pl.Boolean,
    "revolving_principal_minor": pl.Int64,
    "accrual_remainder": pl.Int64,  # sub-minor-unit interest carried, in 1/RATE_SCALE minor units
    "interest_unbilled_minor": pl.Int64,  # revolving interest accrued since the last statement
    "accrued_through_on": pl.Date,  # accrual and principal-days are counted up to this date
    "principal_days_minor": pl.Int64,  # Σ outstanding principal × days, base of the cost cap
    "cost_charged_minor": pl.Int64,  # interest + fees charged so far (what the cap limits)
}

INSTALLMENT_SCHEMA: dict[str, PolarsDataType] = {
    "installment_id": pl.Int64,
    "account_id": pl.Int64,
    "plan_id": pl.Int64,
    "seq": pl.Int32,
    "due_on": pl.Date,  # contractual due date (before the business-day rule)
    "principal_due_minor": pl.Int64,
    "interest_due_minor": pl.Int64,
    "fee_due_minor": pl.Int64,  # contractual fees (e.g. an upfront plan fee); late fees are not here
    "principal_paid_minor": pl.Int64,
    "interest_paid_minor": pl.Int64,
    "fee_paid_minor": pl.Int64,
    "billed": pl.Boolean,  # installment_due raised
    "overdue": pl.Boolean,  # became_overdue raised for the current occurrence
    "late_fee_minor": pl.Int64,  # late fees assessed on this installment so far
    "revolving": pl.Boolean,  # a revolving item (not an installment plan): its principal bears the daily
    #                           rate from the day after its due date while unpaid
}

ENTRY_SCHEMA: dict[str, PolarsDataType] = {
    "entry_key": pl.String,
    "kind": pl.String,  # interest_accrual | late_fee | charge_off
    "account_id": pl.Int64,
    "currency": pl.String,
    "amount_minor": pl.Int64,  # > 0
    "debit": pl.String,  # ledger role, see LEDGER_ROLES
    "credit": pl.String,
}

EVENT_SCHEMA: dict[str, PolarsDataType] = {
    "event_key": pl.String,
    "account_id": pl.Int64,
    "kind": pl.String,
    "business_on": pl.Date,
    "payload": pl.String,  # JSON object
}

BUCKET_MOVE_SCHEMA: dict[str, PolarsDataType] = {
    "account_id": pl.Int64,
    "business_on": pl.Date,
    "bucket_from": pl.String,
    "bucket_to": pl.String,
    "dpd": pl.Int32,
}

# Ledger roles the entries name: (kind, per-account?) — the service maps them to ledger accounts.
LEDGER_ROLES = {
    "interest_receivable": ("asset", True),
    "fee_receivable": ("asset", True),
    "principal_receivable": ("asset", True),
    "interest_income": ("income", False),
    "late_fee_income": ("income", False),
    "charge_off_expense": ("expense", False),
}

EVENT_KINDS = (
    "statement_closed",
    "installment_due",
    "became_overdue",
    "fee_assessed",
    "fee_capped",
    "bucket_changed",
    "cured",
    "charged_off",
)

# The reason recorded on a capped fee.
FEE_CAP_RULE = "all_in_cost_cap"


class DayendStateInvalid(FairdueError):
    """The state handed to the kernel breaks an invariant (wrong columns, paid more than due, …)."""


@dataclass(frozen=True, slots=True)
class DayResult:
    """What closing one business date over one partition produced.

    accounts: the touched accounts' new state (ACCOUNT_SCHEMA + `dpd`).
    installments: the touched accounts' installments (INSTALLMENT_SCHEMA + `effective_due_on`, `dpd`,
        `_flags_changed`: billed/overdue/late fee differ from the input).
    entries: one row per ledger entry to post (ENTRY_SCHEMA); two postings each.
    events: outbox rows (EVENT_SCHEMA). bucket_moves: bucket history rows (BUCKET_MOVE_SCHEMA).
    """

    business_on: date
    accounts: pl.DataFrame
    installments: pl.DataFrame
    entries: pl.DataFrame
    events: pl.DataFrame
    bucket_moves: pl.DataFrame

    @property
    def summary(self) -> dict[str, int]:
        kinds = self.events.get_column("kind")
        return {
            "accounts_touched": self.accounts.height,
            "entries": self.entries.height,
            "postings": 2 * self.entries.height,
            "fees": int((kinds == "fee_assessed").sum()),
            "fees_capped": int((kinds == "fee_capped").sum()),
            "bucket_moves": self.bucket_moves.height,
            "events": self.events.height,
            "charged_off": int((kinds == "charged_off").sum()),
        }


def empty(schema: SchemaDict) -> pl.DataFrame:
    return pl.DataFrame(schema=dict(schema))


def _check_columns(frame: pl.DataFrame, schema: SchemaDict, what: str) -> pl.DataFrame:
    missing = [c for c in schema if c not in frame.columns]
    if missing:
        raise DayendStateInvalid(f"{what} frame lacks columns: {', '.join(missing)}")
    return frame.select([pl.col(c).cast(t) for c, t in schema.items()])


# -- exact integer helpers (expressions) ------------------------------------------------------
def round_half_even_div(numerator: pl.Expr, denominator: int) -> pl.Expr:
    """numerator / denominator rounded half to even, for non-negative integer expressions."""
    q = numerator // denominator
    r = numerator % denominator
    up = (2 * r > denominator) | ((2 * r == denominator) & (q % 2 == 1))
    return q + up.cast(pl.Int64)


def daily_accruals(principal_minor: int, rate_scaled: int, days: int, remainder: int = 0) -> tuple[list[int], int]:
    """Per-day interest on a constant balance with the carried remainder; returns (amounts, new remainder).

    sum(amounts) == (principal × rate × days + remainder) // RATE_SCALE exactly.
    """
    out = []
    for _ in range(days):
        total = principal_minor * rate_scaled + remainder
        out.append(total // RATE_SCALE)
        remainder = total % RATE_SCALE
    return out, remainder


def _days(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_days().cast(pl.Int64)


# -- calendars --------------------------------------------------------------------------------
def effective_due_dates(
    frame: pl.DataFrame,
    calendars: Callable[[str], Calendar] = default_calendar,
) -> pl.DataFrame:
    """Add `effective_due_on` to a frame with due_on, calendar, following_business_day.

    The calendar runs once per distinct (due date, calendar) — not per row.
    """
    keys = (
        frame.select("due_on", "calendar", "following_business_day").unique().filter(pl.col("following_business_day"))
    )
    mapped = [
        calendars(cal).next_business_day(due)
        for due, cal in zip(keys.get_column("due_on").to_list(), keys.get_column("calendar").to_list(), strict=True)
    ]
    lookup = keys.with_columns(pl.Series("_adjusted", mapped, dtype=pl.Date))
    out = frame.join(lookup, on=["due_on", "calendar", "following_business_day"], how="left")
    return out.with_columns(pl.coalesce("_adjusted", "due_on").alias("effective_due_on")).drop("_adjusted")


def _next_cycle_date(business_on: date) -> pl.Expr:
    """The next statement date strictly after business_on for each account's cycle_day (1..28)."""
    y, m = business_on.year, business_on.month
    ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
    this_month = pl.date(pl.lit(y), pl.lit(m), pl.col("cycle_day"))
    next_month = pl.date(pl.lit(ny), pl.lit(nm), pl.col("cycle_day"))
    return pl.when(pl.col("cycle_day") > business_on.day).then(this_month).otherwise(next_month)


def _json(*fields: pl.Expr) -> pl.Expr:
    return pl.struct(*fields).struct.json_encode()


def _events(
    frame: pl.DataFrame, kind: str, business_on: date, key_suffix: pl.Expr | None, *payload: pl.Expr
) -> pl.DataFrame:
    if frame.height == 0:
        return empty(EVENT_SCHEMA)
    key = pl.lit(f"dayend:{business_on.isoformat()}:{kind}:") + pl.col("account_id").cast(pl.String)
    if key_suffix is not None:
        key = key + pl.lit(":") + key_suffix.cast(pl.String)
    return frame.select(
        key.alias("event_key"),
        pl.col("account_id"),
        pl.lit(kind).alias("kind"),
        pl.lit(business_on).alias("business_on"),
        _json(*payload).alias("payload"),
    )


def _entries(
    frame: pl.DataFrame,
    kind: str,
    business_on: date,
    amount: str,
    debit: str,
    credit: str,
    key_suffix: pl.Expr | None = None,
) -> pl.DataFrame:
    rows = frame.filter(pl.col(amount) > 0)
    if rows.height == 0:
        return empty(ENTRY_SCHEMA)
    key = pl.lit(f"dayend:{business_on.isoformat()}:{kind}:") + pl.col("account_id").cast(pl.String)
    if key_suffix is not None:
        key = key + pl.lit(":") + key_suffix.cast(pl.String)
    return rows.select(
        key.alias("entry_key"),
        pl.lit(kind).alias("kind"),
        pl.col("account_id"),
        pl.col("currency"),
        pl.col(amount).cast(pl.Int64).alias("amount_minor"),
        pl.lit(debit).alias("debit"),
        pl.lit(credit).alias("credit"),
    )


# -- the kernel -------------------------------------------------------------------------------
def close_day(
    business_on: date,
    accounts: pl.DataFrame,
    installments: pl.DataFrame,
    products: pl.DataFrame,
    buckets: pl.DataFrame,
    *,
    calendars: Callable[[str], Calendar] = default_calendar,
) -> DayResult:
    """Close `business_on` for the accounts of one partition; see the module docstring."""
    D = business_on
    accounts = _check_columns(accounts, ACCOUNT_SCHEMA, "accounts")
    installments = _check_columns(installments, INSTALLMENT_SCHEMA, "installments")
    acc = _touched_accounts(D, accounts, products)
    inst = _open_installments(installments, acc, calendars)
    acc, inst, accrual_entries = _accrue(D, acc, inst)
    acc, inst, due_events = _bill_installments(D, acc, inst)
    acc, statement_events = _close_statements(D, acc)
    inst = _mark_overdue(D, inst)
    newly = _late_fees(acc, inst)
    acc, inst, fee_events, fee_entries = _assess_late_fees(D, acc, inst, newly)
    acc, bucket_events, bucket_moves = _move_buckets(D, acc, inst, buckets)
    acc, off_events, off_entries = _charge_off(D, acc)
    acc = _schedule_next_event(D, acc, inst)
    return DayResult(
        business_on=D,
        accounts=acc.select(*ACCOUNT_SCHEMA, "dpd").sort("account_id"),
        installments=_installments_out(inst),
        entries=_concat([*accrual_entries, *fee_entries, *off_entries], ENTRY_SCHEMA).sort("entry_key"),
        events=_concat([*due_events, *statement_events, *fee_events, *bucket_events, *off_events], EVENT_SCHEMA).sort(
            "event_key"
        ),
        bucket_moves=bucket_moves.cast(_dtypes(BUCKET_MOVE_SCHEMA)).sort("account_id"),
    )


def _touched_accounts(D: date, accounts: pl.DataFrame, products: pl.DataFrame) -> pl.DataFrame:
    """The accounts with work due on D, not yet closed for D and not charged off, joined to their product."""
    acc = accounts.filter((pl.col("next_event_on") <= D) & (pl.col("last_closed_on") < D) & ~pl.col("charged_off"))
    unknown = acc.join(products, on="product_code", how="anti")
    if unknown.height:
        raise DayendStateInvalid(
            f"accounts refer to unknown products: {', '.join(sorted(set(unknown.get_column('product_code'))))}"
        )
    return acc.join(products, on="product_code", how="left")


def _open_installments(
    installments: pl.DataFrame, acc: pl.DataFrame, calendars: Callable[[str], Calendar]
) -> pl.DataFrame:
    """The touched accounts' installments with their effective due date, open principal and unpaid amount."""
    inst = installments.join(
        acc.select("account_id", "calendar", "following_business_day", "grace_days"), on="account_id", how="inner"
    )
    overpaid = inst.filter(
        (pl.col("principal_paid_minor") > pl.col("principal_due_minor"))
        | (pl.col("interest_paid_minor") > pl.col("interest_due_minor"))
        | (pl.col("fee_paid_minor") > pl.col("fee_due_minor"))
    )
    if overpaid.height:
        raise DayendStateInvalid(
            f"installments paid beyond what is due: ids {overpaid.get_column('installment_id').head(5).to_list()}"
        )
    inst = inst.with_columns(pl.struct("billed", "overdue", "late_fee_minor").alias("_flags_before"))
    return effective_due_dates(inst, calendars).with_columns(
        (pl.col("principal_due_minor") - pl.col("principal_paid_minor")).alias("_principal_open"),
        (
            pl.col("principal_due_minor")
            + pl.col("interest_due_minor")
            + pl.col("fee_due_minor")
            - pl.col("principal_paid_minor")
            - pl.col("interest_paid_minor")
            - pl.col("fee_paid_minor")
        ).alias("_unpaid"),
    )


def _accrue(D: date, acc: pl.DataFrame, inst: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    """Accrual and principal-days for the days since the last touch, in one step; the interest entries."""
    # Revolving items past their due date accrue for each day after it (the part of the span
    # after the due date); Σ principal × days is linear, so one step equals the daily steps.
    inst = inst.join(acc.select("account_id", pl.col("accrued_through_on").alias("_through")), on="account_id")
    rev_days = _days(pl.lit(D), pl.max_horizontal("_through", "effective_due_on")).clip(lower_bound=0)
    principal_open = inst.group_by("account_id").agg(
        pl.col("_principal_open").sum().alias("_plan_principal"),
        (pl.col("_principal_open") * rev_days).filter(pl.col("revolving")).sum().alias("_rev_weighted"),
    )
    acc = acc.join(principal_open, on="account_id", how="left").with_columns(
        pl.col("_plan_principal").fill_null(0),
        pl.col("_rev_weighted").fill_null(0),
        _days(pl.lit(D), pl.col("accrued_through_on")).clip(lower_bound=0).alias("_days"),
    )
    accrual_total = (
        pl.col("revolving_principal_minor").cast(pl.Int128) * pl.col("_days") + pl.col("_rev_weighted")
    ) * pl.col("daily_rate_scaled") + pl.col("accrual_remainder")
    acc = acc.with_columns(
        (accrual_total // RATE_SCALE).cast(pl.Int64).alias("_interest"),
        (accrual_total % RATE_SCALE).cast(pl.Int64).alias("accrual_remainder"),
        (
            pl.col("principal_days_minor")
            + (pl.col("_plan_principal") + pl.col("revolving_principal_minor")) * pl.col("_days")
        ).alias("principal_days_minor"),
        pl.lit(D).alias("accrued_through_on"),
    ).with_columns(
        (pl.col("interest_unbilled_minor") + pl.col("_interest")).alias("interest_unbilled_minor"),
        (pl.col("cost_charged_minor") + pl.col("_interest")).alias("cost_charged_minor"),
    )
    return acc, inst, [_entries(acc, "interest_accrual", D, "_interest", "interest_receivable", "interest_income")]


def _bill_installments(
    D: date, acc: pl.DataFrame, inst: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame]]:
    """Bill the installments falling due by D: `installment_due` events, their interest and fees to the cost."""
    inst = inst.with_columns((~pl.col("billed") & (pl.col("effective_due_on") <= D)).alias("_falls_due"))
    falling = inst.filter(pl.col("_falls_due"))
    events = [
        _events(
            falling,
            "installment_due",
            D,
            pl.col("installment_id"),
            pl.col("installment_id"),
            pl.col("plan_id"),
            pl.col("seq"),
            pl.col("due_on").cast(pl.String),
            pl.col("effective_due_on").cast(pl.String),
            pl.col("principal_due_minor"),
            pl.col("interest_due_minor"),
            pl.col("fee_due_minor"),
            pl.col("_unpaid").alias("unpaid_minor"),
        )
    ]
    billed_cost = falling.group_by("account_id").agg(
        (pl.col("interest_due_minor") + pl.col("fee_due_minor")).sum().alias("_billed_cost")
    )
    acc = acc.join(billed_cost, on="account_id", how="left").with_columns(
        (pl.col("cost_charged_minor") + pl.col("_billed_cost").fill_null(0)).alias("cost_charged_minor")
    )
    inst = inst.with_columns((pl.col("billed") | pl.col("_falls_due")).alias("billed"))
    return acc, inst, events


def _close_statements(D: date, acc: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """On the cycle day: a `statement_closed` event, and the unbilled interest starts again from 0."""
    # The kernel only says which lines close a statement today; servicing's statement close
    # (fairdue.service.servicing.statements.close_statements) computes it — due date, amount and minimum due, one
    # rule in fairdue.domain.statements — and the service puts the stored figures in the event's payload.
    acc = acc.with_columns((pl.col("cycle_day") == D.day).alias("_statement"))
    stmt = acc.filter(pl.col("_statement"))
    if not stmt.height:
        return acc, []
    events = [
        _events(stmt, "statement_closed", D, None, pl.lit(D.isoformat()).alias("statement_on"), pl.col("currency"))
    ]
    acc = acc.with_columns(
        pl.when(pl.col("_statement"))
        .then(0)
        .otherwise(pl.col("interest_unbilled_minor"))
        .alias("interest_unbilled_minor")
    )
    return acc, events


def _mark_overdue(D: date, inst: pl.DataFrame) -> pl.DataFrame:
    """Which installments are overdue on D (past due date + grace, unpaid), newly so, and their DPD."""
    grace_end = pl.col("effective_due_on") + pl.duration(days=pl.col("grace_days"))
    return inst.with_columns(
        (pl.col("billed") & (pl.col("_unpaid") > 0) & (pl.lit(D) > grace_end)).alias("_overdue_now")
    ).with_columns(
        (pl.col("_overdue_now") & ~pl.col("overdue")).alias("_newly_overdue"),
        pl.when(pl.col("_overdue_now"))
        .then(_days(pl.lit(D), pl.col("effective_due_on")))
        .otherwise(0)
        .cast(pl.Int32)
        .alias("dpd"),
    )


def _late_fees(acc: pl.DataFrame, inst: pl.DataFrame) -> pl.DataFrame:
    """The newly overdue installments with the late fee each bears, cut to the headroom under the cost cap."""
    newly = (
        inst.filter(pl.col("_newly_overdue"))
        .join(
            acc.select(
                "account_id",
                "currency",
                "late_fee_bps",
                "late_fee_min_minor",
                "late_fee_max_minor",
                "cost_cap_bps",
                "principal_days_minor",
                "cost_charged_minor",
            ),
            on="account_id",
        )
        .sort("account_id", "effective_due_on", "seq", "installment_id")
    )
    wanted = pl.min_horizontal(
        pl.max_horizontal(
            pl.min_horizontal(
                round_half_even_div(pl.col("_unpaid") * pl.col("late_fee_bps"), BPS_FULL), pl.col("late_fee_max_minor")
            ),
            pl.col("late_fee_min_minor"),
        ),
        pl.col("_unpaid"),
    )
    allowance = (
        pl.col("cost_cap_bps").cast(pl.Int128) * pl.col("principal_days_minor") // (BPS_FULL * DAYS_PER_YEAR)
    ).cast(pl.Int64)
    return (
        newly.with_columns(wanted.alias("_fee_wanted"), allowance.alias("_allowance"))
        .with_columns(
            (pl.col("_allowance") - pl.col("cost_charged_minor")).clip(lower_bound=0).alias("_headroom"),
            (pl.col("_fee_wanted").cum_sum().over("account_id") - pl.col("_fee_wanted")).alias("_fee_before"),
        )
        .with_columns(
            pl.when(pl.col("cost_cap_bps").is_null())
            .then(pl.col("_fee_wanted"))
            .otherwise(
                pl.min_horizontal(
                    pl.col("_fee_wanted"), (pl.col("_headroom") - pl.col("_fee_before")).clip(lower_bound=0)
                )
            )
            .alias("_fee")
        )
    )


def _assess_late_fees(
    D: date, acc: pl.DataFrame, inst: pl.DataFrame, newly: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, list[pl.DataFrame], list[pl.DataFrame]]:
    """`became_overdue`, `fee_assessed` and `fee_capped` events, the fee entries, fees onto installments and cost."""
    fees = newly.filter(pl.col("_fee") > 0)
    capped = newly.filter(pl.col("_fee") < pl.col("_fee_wanted"))
    events = [
        _events(
            newly,
            "became_overdue",
            D,
            pl.col("installment_id"),
            pl.col("installment_id"),
            pl.col("plan_id"),
            pl.col("seq"),
            pl.col("effective_due_on").cast(pl.String).alias("due_on"),
            pl.col("grace_days"),
            pl.col("dpd"),
            pl.col("_unpaid").alias("overdue_minor"),
        ),
        _events(
            fees,
            "fee_assessed",
            D,
            pl.col("installment_id"),
            pl.col("installment_id"),
            pl.col("_fee").alias("fee_minor"),
            pl.col("currency"),
            pl.col("_unpaid").alias("overdue_minor"),
            pl.col("late_fee_bps").alias("rate_bps"),
            pl.col("late_fee_min_minor").alias("fee_minor_min"),
            pl.col("late_fee_max_minor").alias("fee_minor_max"),
        ),
        _events(
            capped,
            "fee_capped",
            D,
            pl.col("installment_id"),
            pl.col("installment_id"),
            pl.lit(FEE_CAP_RULE).alias("rule"),
            pl.col("_fee_wanted").alias("fee_wanted_minor"),
            pl.col("_fee").alias("fee_charged_minor"),
            pl.col("cost_cap_bps").alias("cap_bps"),
            pl.col("principal_days_minor"),
            pl.col("_allowance").alias("allowance_minor"),
            (pl.col("cost_charged_minor") + pl.col("_fee_before")).alias("cost_before_minor"),
            pl.col("currency"),
        ),
    ]
    entries = [_entries(fees, "late_fee", D, "_fee", "fee_receivable", "late_fee_income", pl.col("installment_id"))]
    fee_by_inst = newly.select("installment_id", pl.col("_fee"))
    inst = inst.join(fee_by_inst, on="installment_id", how="left").with_columns(
        (pl.col("late_fee_minor") + pl.col("_fee").fill_null(0)).alias("late_fee_minor"),
        pl.col("_overdue_now").alias("overdue"),
    )
    fee_by_acc = newly.group_by("account_id").agg(pl.col("_fee").sum().alias("_fees"))
    acc = acc.join(fee_by_acc, on="account_id", how="left").with_columns(
        (pl.col("cost_charged_minor") + pl.col("_fees").fill_null(0)).alias("cost_charged_minor")
    )
    return acc, inst, events, entries


def _move_buckets(
    D: date, acc: pl.DataFrame, inst: pl.DataFrame, buckets: pl.DataFrame
) -> tuple[pl.DataFrame, list[pl.DataFrame], pl.DataFrame]:
    """Account DPD from the oldest overdue due date, its bucket, `bucket_changed` / `cured` and history rows."""
    oldest = (
        inst.filter(pl.col("_overdue_now"))
        .group_by("account_id")
        .agg(pl.col("effective_due_on").min().alias("_oldest"))
    )
    acc = acc.join(oldest, on="account_id", how="left").with_columns(
        pl.col("_oldest").alias("oldest_overdue_on"),
        pl.when(pl.col("_oldest").is_null())
        .then(0)
        .otherwise(_days(pl.lit(D), pl.col("_oldest")))
        .cast(pl.Int32)
        .alias("dpd"),
    )
    acc = acc.join(buckets.rename({"bucket": "_bucket_new"}), on="product_code", how="left").filter(
        (pl.col("dpd") >= pl.col("dpd_min")) & (pl.col("dpd") <= pl.col("dpd_max"))
    )
    if acc.height != acc.get_column("account_id").n_unique():
        raise DayendStateInvalid("product bucket ranges overlap")
    current = buckets.filter(pl.col("dpd_min") == 0).select("product_code", pl.col("bucket").alias("_current"))
    acc = acc.join(current, on="product_code", how="left")
    moved = acc.filter(pl.col("_bucket_new") != pl.col("bucket"))
    cured = moved.filter(pl.col("_bucket_new") == pl.col("_current"))
    events = [
        _events(
            moved,
            "bucket_changed",
            D,
            None,
            pl.col("bucket").alias("bucket_from"),
            pl.col("_bucket_new").alias("bucket_to"),
            pl.col("dpd"),
            pl.col("oldest_overdue_on").cast(pl.String).alias("oldest_overdue_on"),
        ),
        _events(cured, "cured", D, None, pl.col("bucket").alias("bucket_from"), pl.col("dpd")),
    ]
    bucket_moves = moved.select(
        "account_id",
        pl.lit(D).alias("business_on"),
        pl.col("bucket").alias("bucket_from"),
        pl.col("_bucket_new").alias("bucket_to"),
        pl.col("dpd"),
    )
    return acc.with_columns(pl.col("_bucket_new").alias("bucket")), events, bucket_moves


def _charge_off(D: date, acc: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.DataFrame], list[pl.DataFrame]]:
    """At the product's charge-off DPD: write the outstanding principal off, a `charged_off` event and entry."""
    acc = acc.with_columns((pl.col("dpd") >= pl.col("charge_off_dpd")).alias("_charge_off")).with_columns(
        pl.when(pl.col("_charge_off"))
        .then(pl.col("_plan_principal") + pl.col("revolving_principal_minor"))
        .otherwise(0)
        .alias("_written_off")
    )
    off = acc.filter(pl.col("_charge_off"))
    events = [
        _events(
            off,
            "charged_off",
            D,
            None,
            pl.col("dpd"),
            pl.col("_written_off").alias("principal_written_off_minor"),
            pl.col("charge_off_dpd"),
            pl.col("currency"),
        )
    ]
    entries = [_entries(off, "charge_off", D, "_written_off", "charge_off_expense", "principal_receivable")]
    return acc.with_columns(pl.col("_charge_off").alias("charged_off")), events, entries


def _schedule_next_event(D: date, acc: pl.DataFrame, inst: pl.DataFrame) -> pl.DataFrame:
    """Each account's next event date (due, overdue, bucket move, cycle day; none once charged off)."""
    nxt = inst.group_by("account_id").agg(
        pl.col("effective_due_on").filter(~pl.col("billed")).min().alias("_next_due"),
        (pl.col("effective_due_on") + pl.duration(days=pl.col("grace_days") + 1))
        .filter(pl.col("billed") & (pl.col("_unpaid") > 0) & ~pl.col("_overdue_now"))
        .min()
        .alias("_next_overdue"),
    )
    acc = acc.join(nxt, on="account_id", how="left").with_columns(
        pl.when(pl.col("_oldest").is_not_null())
        .then(pl.col("_oldest") + pl.duration(days=pl.col("dpd_max") + 1))
        .alias("_next_bucket"),
        _next_cycle_date(D).alias("_next_cycle"),
    )
    return acc.with_columns(
        pl.when(pl.col("charged_off"))
        .then(pl.lit(None, dtype=pl.Date))
        .otherwise(pl.min_horizontal("_next_due", "_next_overdue", "_next_bucket", "_next_cycle"))
        .alias("next_event_on"),
        pl.lit(D).alias("last_closed_on"),
    )


def _installments_out(inst: pl.DataFrame) -> pl.DataFrame:
    """The installments as `DayResult.installments` holds them, flagged where billed/overdue/late fee changed."""
    inst = inst.with_columns(
        (pl.struct("billed", "overdue", "late_fee_minor") != pl.col("_flags_before")).alias("_flags_changed")
    )
    return inst.select(*INSTALLMENT_SCHEMA, "effective_due_on", "dpd", "_flags_changed").sort("installment_id")


def _dtypes(schema: SchemaDict) -> dict[ColumnNameOrSelector | PolarsDataType, PolarsDataType]:
    """`schema` as the mapping `DataFrame.cast` takes (whose keys may also be selectors or dtypes)."""
    return {column: dtype for column, dtype in schema.items()}


def _concat(frames: list[pl.DataFrame], schema: SchemaDict) -> pl.DataFrame:
    frames = [f.cast(_dtypes(schema)) for f in frames if f.height]
    return pl.concat(frames) if frames else empty(schema)


def payload(event_row: Mapping[str, object]) -> dict[str, Any]:
    """The decoded JSON payload of one event row."""
    decoded: dict[str, Any] = json.loads(str(event_row["payload"]))  # payloads are JSON objects (`_json`)
    return decoded
