"""Servicing arithmetic, pure: statement cycles, due dates, minimum due, early-payoff interest.

* Statement dates fall on the account's cycle day each month; a purchase made
  on or before a cycle date is billed on that date's statement.
* Due date = statement date + the product's `due_days_after_statement`,
  moved to the next business day when the product says `next_business_day`
  (weekends and public holidays of the jurisdiction: `fairdue.domain.calendar`,
  the calendar day-end ages by, with China's official make-up working days).
* Minimum due = every billed fee and interest + every billed installment's
  principal (installment plans) + the larger of percent_bps × revolving
  principal and the floor (never more than the revolving principal), capped
  at everything billed and unpaid.
* Early payoff charges interest and periodic fees only for the days used in
  the current period: scheduled × days used / days in the period, rounded
  half-even; later periods' interest and fees are dropped.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import polars as pl

from fairdue.domain.calendar import for_jurisdiction
from fairdue.domain.loanmath.calendar import add_months
from fairdue.domain.money import Money, Rounding, round_decimal
from fairdue.domain.products import Product
from fairdue.errors import FairdueError

BUSINESS_DAY_SEARCH_DAYS_MAX = 31


class ServicingMathError(FairdueError, ValueError):
    """Input to servicing arithmetic that cannot be right (a date before the plan began…)."""


@functools.lru_cache(maxsize=8192)
def is_business_day(on: date, jurisdiction: str) -> bool:
    """Not a weekend or public holiday in the jurisdiction (China's make-up working days count as business days):
    the same calendar day-end ages installments by (`fairdue.domain.calendar`, official adjustments included)."""
    return for_jurisdiction(jurisdiction).is_business_day(on)


def adjust_due_on(on: date, product: Product) -> date:
    """`on` moved by the product's business-day rule."""
    if product.business_day_rule == "none":
        return on
    d = on
    for _ in range(BUSINESS_DAY_SEARCH_DAYS_MAX):
        if is_business_day(d, product.jurisdiction):
            return d
        d += timedelta(days=1)
    raise ServicingMathError(f"no business day within {BUSINESS_DAY_SEARCH_DAYS_MAX} days of {on}")


def statement_on_or_after(on: date, cycle_day: int) -> date:
    """The first statement date (cycle_day of a month) on or after `on`."""
    candidate = on.replace(day=cycle_day)
    return candidate if candidate >= on else add_months(candidate, 1)


def previous_statement_on(statement_on: date) -> date:
    """The statement date one cycle before."""
    return add_months(statement_on, -1)


def due_on_for(statement_on: date, product: Product) -> date:
    """Payment due date of the statement closing on `statement_on`."""
    return adjust_due_on(statement_on + timedelta(days=product.due_days_after_statement), product)


def cycle_due_dates(first_statement_on: date, periods: int, product: Product) -> list[tuple[date, date]]:
    """(statement_on, due_on) for `periods` consecutive cycles starting at `first_statement_on`."""
    out = []
    for k in range(periods):
        st = add_months(first_statement_on, k)
        out.append((st, due_on_for(st, product)))
    return out


@dataclass(frozen=True, slots=True)
class BilledItem:
    """What a statement bills for one item (installment or charge), still unpaid.

    revolving: True for a purchase not converted to a plan (the minimum-due percentage applies to it).
    """

    fees_minor: int
    interest_minor: int
    principal_minor: int
    revolving: bool


BILLED_ITEM_SCHEMA = {
    "line_id": pl.Int64,
    "fees_minor": pl.Int64,
    "interest_minor": pl.Int64,
    "principal_minor": pl.Int64,
    "revolving": pl.Boolean,
}
MINIMUM_DUE_RULE_SCHEMA = {"line_id": pl.Int64, "min_due_bps": pl.Int64, "min_due_floor_minor": pl.Int64}
_BPS_FULL = 10_000


def statement_totals(items: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    """Amount due and minimum due of many statements at once — the one place the minimum-due rule lives.

    items: BILLED_ITEM_SCHEMA rows (what each line's statement bills and is still unpaid).
    rules: MINIMUM_DUE_RULE_SCHEMA, one row per line (its product's percent and floor).
    Returns line_id, amount_due_minor, minimum_due_minor for every line of `rules` (0, 0 without items):
    every fee, interest and non-revolving principal in full + min(revolving, max(ceil(bps × revolving),
    floor)), capped at everything billed. Integer arithmetic only; the percentage rounds up.
    """
    per_line = items.group_by("line_id").agg(
        (pl.col("fees_minor") + pl.col("interest_minor") + pl.col("principal_minor")).sum().alias("_total"),
        (
            pl.col("fees_minor")
            + pl.col("interest_minor")
            + pl.when(pl.col("revolving")).then(0).otherwise(pl.col("principal_minor"))
        )
        .sum()
        .alias("_fixed"),
        pl.col("principal_minor").filter(pl.col("revolving")).sum().alias("_revolving"),
    )
    out = rules.join(per_line, on="line_id", how="left").with_columns(
        pl.col("_total").fill_null(0), pl.col("_fixed").fill_null(0), pl.col("_revolving").fill_null(0)
    )
    # ceil(revolving × bps / 10,000) for revolving >= 0, exactly.
    pct = -((-(pl.col("_revolving") * pl.col("min_due_bps"))) // _BPS_FULL)
    share = pl.min_horizontal(pl.col("_revolving"), pl.max_horizontal(pct, pl.col("min_due_floor_minor")))
    return out.select(
        "line_id",
        pl.col("_total").cast(pl.Int64).alias("amount_due_minor"),
        pl.min_horizontal(pl.col("_total"), pl.col("_fixed") + share).cast(pl.Int64).alias("minimum_due_minor"),
    )


def minimum_due_minor(items: list[BilledItem], product: Product) -> int:
    """The statement's minimum payment (see the module docstring); one statement of `statement_totals`."""
    frame = pl.DataFrame(
        {
            "line_id": [0] * len(items),
            "fees_minor": [i.fees_minor for i in items],
            "interest_minor": [i.interest_minor for i in items],
            "principal_minor": [i.principal_minor for i in items],
            "revolving": [i.revolving for i in items],
        },
        schema=BILLED_ITEM_SCHEMA,
    )
    rule = product.minimum_due
    rules = pl.DataFrame(
        {"line_id": [0], "min_due_bps": [rule.percent_bps], "min_due_floor_minor": [rule.floor_minor]},
        schema=MINIMUM_DUE_RULE_SCHEMA,
    )
    return int(statement_totals(frame, rules).get_column("minimum_due_minor")[0])


# -- statement lines: the text each line shows (one function for the single and the bulk path) --------
MOVEMENT_LABELS = {
    "purchase": "purchase",
    "billing": "installment interest and fees billed",
    "payment": "payment",
    "early_payoff": "early payoff",
    "payoff_billing": "early payoff: interest for the days used",
    "late_fee": "late fee (违约金)",
    "interest": "interest",
    "interest_accrual": "interest",
    "fee": "fee",
    "reversal": "reversal",
    "refund_adjustment": "refund: repaid principal to credit, unpaid charges waived",
    "charge_off": "charged off",
}
STATEMENT_LINE_KIND_LEN_MAX = 20
STATEMENT_LINE_TEXT_LEN_MAX = 300


def movement_line(entry_kind: str, description: str | None, on_credit_minor: int, currency: str) -> tuple[str, str]:
    """(line kind, text) of a statement's movement line for a ledger entry of `entry_kind`."""
    bare = entry_kind.removeprefix("dayend_")
    label = MOVEMENT_LABELS.get(bare, entry_kind.replace("_", " "))
    if entry_kind == "credit_applied":
        text = f"credit {Money(on_credit_minor, currency).format()} applied to what is billed"
    elif entry_kind == "purchase":
        text = label + (f": {description}" if description else "")
    else:
        text = description or label
    return bare[:STATEMENT_LINE_KIND_LEN_MAX], text[:STATEMENT_LINE_TEXT_LEN_MAX]


@functools.lru_cache(maxsize=65_536)
def _money_text(amount_minor: int, currency: str) -> str:
    """Money(...).format(), remembered (a day's statements repeat the same installment amounts many times)."""
    return Money(amount_minor, currency).format()


def due_line_text(
    plan_id: int,
    plan_kind: str,
    periods: int,
    seq: int,
    principal_minor: int,
    interest_minor: int,
    fee_minor: int,
    currency: str,
) -> str:
    """Text of a statement's "due" line for one installment it bills."""
    label = "upfront fee" if seq == 0 else (f"installment {seq}/{periods}" if plan_kind != "full" else "balance due")
    parts = (
        f"principal {_money_text(principal_minor, currency)}, interest {_money_text(interest_minor, currency)}, "
        f"fee {_money_text(fee_minor, currency)}"
    )
    return f"plan #{plan_id} ({plan_kind}) {label}: {parts}"[:STATEMENT_LINE_TEXT_LEN_MAX]


def billing_description(statement_on: date) -> str:
    """Description of the ledger entry that bills a statement's installment interest and fees."""
    return f"installment interest and fees billed on {statement_on}"


def billing_key(line_id: int, statement_on: date) -> str:
    """Idempotency key of that entry."""
    return f"statement:{line_id}:{statement_on.isoformat()}"


@dataclass(frozen=True, slots=True)
class ScheduledRow:
    """An unbilled installment of a plan: seq, period start and due date, scheduled parts."""

    seq: int
    period_start_on: date
    due_on: date
    principal_minor: int
    interest_minor: int
    fee_minor: int


@dataclass(frozen=True, slots=True)
class PayoffQuote:
    """Early payoff of the unbilled part of a plan on `payoff_on`.

    principal_minor: all unbilled principal. interest_minor / fee_minor: the current period's
    interest and periodic fee for the days used only. dropped_interest_minor / dropped_fee_minor:
    what the schedule had that the borrower no longer owes.
    days_used / days_in_period: the pro-rating of the current period.
    """

    principal_minor: int
    interest_minor: int
    fee_minor: int
    dropped_interest_minor: int
    dropped_fee_minor: int
    days_used: int
    days_in_period: int

    @property
    def total_minor(self) -> int:
        return self.principal_minor + self.interest_minor + self.fee_minor


def payoff_quote(rows: list[ScheduledRow], payoff_on: date) -> PayoffQuote:
    """Interest only for time used: the current (first unbilled) period is pro-rated by days."""
    if not rows:
        return PayoffQuote(0, 0, 0, 0, 0, 0, 0)
    rows = sorted(rows, key=lambda r: r.seq)
    current = rows[0]
    days_in = max((current.due_on - current.period_start_on).days, 1)
    # A period that has not begun yet costs nothing.
    used = max(0, min((payoff_on - current.period_start_on).days, days_in))
    interest = round_decimal(Decimal(current.interest_minor) * used / days_in, Rounding.HALF_EVEN)
    fee = round_decimal(Decimal(current.fee_minor) * used / days_in, Rounding.HALF_EVEN)
    sched_interest = sum(r.interest_minor for r in rows)
    sched_fee = sum(r.fee_minor for r in rows)
    return PayoffQuote(
        principal_minor=sum(r.principal_minor for r in rows),
        interest_minor=interest,
        fee_minor=fee,
        dropped_interest_minor=sched_interest - interest,
        dropped_fee_minor=sched_fee - fee,
        days_used=used,
        days_in_period=days_in,
    )


def prorate_minor(scheduled_minor: int, period_start_on: date, due_on: date, on: date) -> int:
    """The part of a period's interest or fee earned by `on` (days used / days in the period, half-even)."""
    days_in = max((due_on - period_start_on).days, 1)
    used = max(0, min((on - period_start_on).days, days_in))
    return round_decimal(Decimal(scheduled_minor) * used / days_in, Rounding.HALF_EVEN)


def late_fee_minor(overdue_minimum_minor: int, product: Product) -> int:
    """违约金 for one missed due date: bps of the overdue minimum, clamped to [min, max], at most the overdue amount."""
    if overdue_minimum_minor <= 0:
        return 0
    rule = product.late_fee
    fee = round_decimal(Decimal(overdue_minimum_minor) * rule.percent_bps / 10_000, Rounding.HALF_EVEN)
    fee = max(rule.fee_minor_min, min(fee, rule.fee_minor_max))
    return min(fee, overdue_minimum_minor)
