"""A CAIS-modelled monthly account record for the UK credit reference agencies (JSON Lines and CSV).

The CAIS file layout is given only to member lenders; this record is modelled on the public description of
what a lender shares each month (SCOR principles): the account, its balance and limit, the monthly status
(0–6, 8 default, U, D), the arrangement flag, the default date and balance. A month past its 6-year
drop-off (`BureauMonth.cais_reportable` false) is not written. Amounts stay in integer minor units (pence).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from fairdue.adapters.bureau.tabular import Record, write_csv, write_jsonl
from fairdue.domain.bureau.derive import BureauMonth
from fairdue.domain.bureau.month import DisputeState

FORMAT_NAME = "fairdue-cais-modelled"
FORMAT_VERSION = 1
AMOUNT_KEYS = ("balance_minor", "credit_limit_minor", "default_balance_minor")
COLUMNS = (
    "lender_code",
    "account_number",
    "report_month",
    "currency",
    "opened_on",
    "closed_on",
    "balance_minor",
    "credit_limit_minor",
    "scheduled_payment_minor",
    "status",
    "arrangement_flag",
    "default_on",
    "default_balance_minor",
    "in_dispute",
    "correction",
)


def record(month: BureauMonth, *, lender_code: str, correction: bool = False) -> Record:
    """One line-month as the modelled record (keys in COLUMNS order)."""
    line = month.line
    return {
        "lender_code": lender_code,
        "account_number": line.line_id,
        "report_month": line.month_end_on.strftime("%Y-%m"),
        "currency": line.currency,
        "opened_on": line.opened_on.isoformat(),
        "closed_on": line.closed_on.isoformat() if line.closed_on else None,
        "balance_minor": max(line.balance_minor, 0),
        "credit_limit_minor": line.credit_limit_minor,
        "scheduled_payment_minor": line.scheduled_payment_minor,
        "status": month.cais_status,
        "arrangement_flag": month.cais_flag,
        "default_on": line.default_on.isoformat() if line.default_on else None,
        "default_balance_minor": max(line.balance_minor, 0) if line.default_on else 0,
        "in_dispute": line.dispute in (DisputeState.OPEN, DisputeState.DISAGREES),
        "correction": correction,
    }


def reportable(months: Sequence[BureauMonth]) -> list[BureauMonth]:
    """The months still inside their 6-year retention (the others have dropped off)."""
    return [m for m in months if m.cais_reportable]


def write_jsonl_file(
    months: Sequence[BureauMonth], *, lender_code: str, report_month: str, created_at: datetime
) -> str:
    """The month's JSON Lines file: header, one record per reportable line-month, trailer with totals."""
    header = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "lender_code": lender_code,
        "report_month": report_month,
        "created_at": created_at.isoformat(),
    }
    records = [record(m, lender_code=lender_code) for m in reportable(months)]
    return write_jsonl(records, header=header, amount_keys=AMOUNT_KEYS)


def write_csv_file(months: Sequence[BureauMonth], *, lender_code: str) -> str:
    """The month's CSV: a header row of COLUMNS, then one row per reportable line-month."""
    return write_csv([record(m, lender_code=lender_code) for m in reportable(months)], COLUMNS)
