"""The bureau month's input: one line's state at one month end, as day-end will derive it from stored facts.

A `LineMonth` is never typed by hand: day-end fills it from the ledger, the installments, the plan and the
dispute case (a later session). Everything the three bureaus need is here, in the project's units: money in
integer minor units with its currency, calendar dates (`*_on`) in the lender's local calendar, days past due
as day-end counts them (`dpd` = month end − the oldest overdue effective due date, 0 while in grace).

`check_line_month` refuses a record that cannot describe a real month; the derivations in `derive.py` trust
only checked records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from fairdue.domain.bureau.errors import BureauInputInvalid
from fairdue.domain.loanmath.calendar import is_month_end
from fairdue.domain.money import check_currency


class DisputeState(StrEnum):
    """Where a borrower's dispute (异议) about the line stands at month end.

    none: no dispute. open: under investigation (Metro 2 XB; 征信 异议标注).
    resolved: the case closed this month and the borrower accepted the outcome (XH, reported once).
    disagrees: the investigation finished and the borrower still disagrees (XC).
    """

    NONE = "none"
    OPEN = "open"
    RESOLVED = "resolved"
    DISAGREES = "disagrees"


class Settlement(StrEnum):
    """How a line ended, when it has (征信 C/D/Z/G; Metro 2 13/64).

    paid: the borrower paid it off (结清). guarantor: a guarantor paid (担保人代还).
    assets: settled with assets (以资抵债). other: ended abnormally otherwise (结束, e.g. transferred).
    """

    PAID = "paid"
    GUARANTOR = "guarantor"
    ASSETS = "assets"
    OTHER = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class LineMonth:
    """One credit line at one month end: the facts every bureau record is derived from.

    line_id: the lender's account number for the line (Metro 2 Consumer Account Number).
    month_end_on: the last day of the reporting month (Metro 2 Date of Account Information).
    currency: ISO 4217 code of every *_minor amount.
    balance_minor: what the borrower owes at month end; negative for a credit balance.
    past_due_minor: the overdue part of the balance (0 when current).
    dpd: days past due at month end (0 while current or in grace).
    dpd_max_in_month: the highest DPD reached during the month (≥ dpd); >0 with dpd 0 means "paid late within
        the month" (征信 M) and sets the Metro 2 payment rating of a line closed this month.
    oldest_overdue_on: effective due date of the oldest unpaid overdue amount; None exactly when dpd is 0.
    opened_on: the day the line opened.
    closed_on: the day it closed to further use; None while open.
    credit_limit_minor: the line's limit (0 for a loan without one).
    original_minor: highest credit used or the original amount (Metro 2 Highest Credit).
    scheduled_payment_minor: the monthly payment the contract (or the active plan) asks for.
    actual_payment_minor: what the borrower paid in the month.
    last_payment_on: the day of the last payment; None if never paid.
    due_in_month: an installment fell due in this month (征信 "*" when nothing was due and nothing is owed late).
    plan_active: a negotiated repayment plan / arrangement is in force (re-aged: dpd is counted on its terms).
    plan_kept: the plan's payments are being made as agreed (meaningful only with plan_active).
    charged_off_on: the day the line was charged off / written off (核销); None if never.
    charge_off_minor: the amount charged to loss on that day (Metro 2 Original Charge-off Amount).
    settled: how the line ended; None while it runs.
    dispute: where a dispute stands at month end.
    deleted: the whole account must be deleted from the bureau (reported in error; Metro 2 DA).
    status_known: False when the month's state cannot be established (征信 "#", CAIS "U").
    dormant: no activity and nothing owed (CAIS "D").
    default_notice_on: UK: the day the notice of intention to file a default was sent; None if never.
    default_on: UK: the day a default was filed; None if never.
    """

    line_id: str
    month_end_on: date
    currency: str
    balance_minor: int
    past_due_minor: int = 0
    dpd: int = 0
    dpd_max_in_month: int = 0
    oldest_overdue_on: date | None = None
    opened_on: date
    closed_on: date | None = None
    credit_limit_minor: int = 0
    original_minor: int = 0
    scheduled_payment_minor: int = 0
    actual_payment_minor: int = 0
    last_payment_on: date | None = None
    due_in_month: bool = True
    plan_active: bool = False
    plan_kept: bool = False
    charged_off_on: date | None = None
    charge_off_minor: int = 0
    settled: Settlement | None = None
    dispute: DisputeState = DisputeState.NONE
    deleted: bool = False
    status_known: bool = True
    dormant: bool = False
    default_notice_on: date | None = None
    default_on: date | None = None


def _refuse(line: LineMonth, why: str) -> BureauInputInvalid:
    return BureauInputInvalid(f"line {line.line_id} at {line.month_end_on}: {why}")


def check_line_month(line: LineMonth) -> LineMonth:
    """Return `line` if it can describe a real month end, else raise BureauInputInvalid saying why."""
    check_currency(line.currency)
    if not line.line_id or len(line.line_id) > 30:
        raise _refuse(line, "line_id must be 1 to 30 characters (Metro 2 Consumer Account Number)")
    if not is_month_end(line.month_end_on):
        raise _refuse(line, "month_end_on is not the last day of its month")
    if line.opened_on > line.month_end_on:
        raise _refuse(line, f"the line opened on {line.opened_on}, after the month end")
    _check_amounts(line)
    _check_days_past_due(line)
    _check_end_states(line)
    for name in ("closed_on", "charged_off_on", "last_payment_on", "default_notice_on", "default_on"):
        value = getattr(line, name)
        if value is not None and not line.opened_on <= value <= line.month_end_on:
            raise _refuse(line, f"{name} {value} is outside {line.opened_on}..{line.month_end_on}")
    return line


def _check_amounts(line: LineMonth) -> None:
    for name in (
        "past_due_minor",
        "credit_limit_minor",
        "original_minor",
        "scheduled_payment_minor",
        "actual_payment_minor",
        "charge_off_minor",
    ):
        value = getattr(line, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise _refuse(line, f"{name} must be a non-negative int of minor units, got {value!r}")
    if isinstance(line.balance_minor, bool) or not isinstance(line.balance_minor, int):
        raise _refuse(line, f"balance_minor must be an int of minor units, got {line.balance_minor!r}")
    if line.past_due_minor > max(line.balance_minor, 0):
        raise _refuse(line, f"past due {line.past_due_minor} exceeds the balance {line.balance_minor}")


def _check_days_past_due(line: LineMonth) -> None:
    if line.dpd < 0 or line.dpd_max_in_month < line.dpd:
        raise _refuse(line, f"dpd {line.dpd} must be ≥ 0 and ≤ dpd_max_in_month {line.dpd_max_in_month}")
    if (line.dpd == 0) != (line.oldest_overdue_on is None):
        raise _refuse(line, "oldest_overdue_on is set exactly when dpd > 0")
    if line.oldest_overdue_on is not None and (line.month_end_on - line.oldest_overdue_on).days != line.dpd:
        raise _refuse(line, f"dpd {line.dpd} disagrees with the oldest overdue date {line.oldest_overdue_on}")
    if line.oldest_overdue_on is not None and line.oldest_overdue_on < line.opened_on:
        raise _refuse(line, f"the oldest overdue date {line.oldest_overdue_on} is before the line opened")
    if line.dpd > 0 and line.past_due_minor == 0:
        raise _refuse(line, "a line past due has a past-due amount")


def _check_end_states(line: LineMonth) -> None:
    if line.plan_kept and not line.plan_active:
        raise _refuse(line, "plan_kept without an active plan")
    if line.charge_off_minor and line.charged_off_on is None:
        raise _refuse(line, "a charge-off amount without a charge-off date")
    if line.settled is not None and line.balance_minor > 0:
        raise _refuse(line, f"settled ({line.settled}) with {line.balance_minor} still owed")
