"""A PBOC-modelled monthly account record (JSON Lines and CSV).

The credit reference centre's submission format (二代征信 报文) is given only to reporting institutions; this
record is modelled on the public description of what a lender reports for a personal credit account each
month — the account, its limit and balance, the overdue amount, the 当月还款状态 code, the 五级分类, and the
objection (异议) mark of 征信业管理条例 Art. 25 — and is documented as such in docs/credit-reporting.md.
Amounts stay in integer minor units (fen) with their currency; dates are ISO 8601.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fairdue.adapters.bureau.tabular import Record, write_csv, write_jsonl
from fairdue.domain.bureau.derive import BureauMonth
from fairdue.domain.bureau.month import DisputeState
from fairdue.domain.bureau.pboc import LOAN_CLASS_ZH

FORMAT_NAME = "fairdue-pboc-modelled"
FORMAT_VERSION = 1
AMOUNT_KEYS = ("credit_limit_minor", "balance_minor", "overdue_minor", "actual_payment_minor")
# 异议标注: an objection being verified is "open"; one verified where the borrower still disagrees is "noted".
OBJECTION_MARKS: dict[DisputeState, str] = {
    DisputeState.NONE: "",
    DisputeState.RESOLVED: "",
    DisputeState.OPEN: "open",
    DisputeState.DISAGREES: "noted",
}
COLUMNS = (
    "institution_code",
    "account_id",
    "report_month",
    "settlement_on",
    "currency",
    "credit_limit_minor",
    "balance_minor",
    "overdue_minor",
    "days_overdue",
    "repayment_status",
    "five_class",
    "five_class_zh",
    "opened_on",
    "closed_on",
    "last_payment_on",
    "actual_payment_minor",
    "scheduled_payment_minor",
    "objection_mark",
    "correction",
)


def record(month: BureauMonth, *, institution_code: str, correction: bool = False) -> Record:
    """One line-month as the modelled record (keys in COLUMNS order)."""
    line = month.line
    return {
        "institution_code": institution_code,
        "account_id": line.line_id,
        "report_month": line.month_end_on.strftime("%Y-%m"),
        "settlement_on": line.month_end_on.isoformat(),
        "currency": line.currency,
        "credit_limit_minor": line.credit_limit_minor,
        "balance_minor": max(line.balance_minor, 0),
        "overdue_minor": line.past_due_minor,
        "days_overdue": line.dpd,
        "repayment_status": month.pboc_code,
        "five_class": int(month.loan_class),
        "five_class_zh": LOAN_CLASS_ZH[month.loan_class],
        "opened_on": line.opened_on.isoformat(),
        "closed_on": line.closed_on.isoformat() if line.closed_on else None,
        "last_payment_on": line.last_payment_on.isoformat() if line.last_payment_on else None,
        "actual_payment_minor": line.actual_payment_minor,
        "scheduled_payment_minor": line.scheduled_payment_minor,
        "objection_mark": OBJECTION_MARKS[line.dispute],
        "correction": correction,
    }


def write_jsonl_file(
    months: Sequence[BureauMonth], *, institution_code: str, report_month: str, created_at: datetime
) -> str:
    """The month's JSON Lines file: header, one record per line-month, trailer with counts and totals."""
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "institution_code": institution_code,
        "report_month": report_month,
        "created_at": created_at.isoformat(),
    }
    records = [record(m, institution_code=institution_code) for m in months]
    return write_jsonl(records, header=header, amount_keys=AMOUNT_KEYS)


def write_csv_file(months: Sequence[BureauMonth], *, institution_code: str) -> str:
    """The month's CSV: a header row of COLUMNS, then one row per line-month."""
    return write_csv([record(m, institution_code=institution_code) for m in months], COLUMNS)
