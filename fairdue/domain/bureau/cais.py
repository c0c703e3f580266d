"""United Kingdom (the credit reference agencies' shared CAIS data): the monthly account status, the
arrangement flag, and the rules on defaults, derived from a `LineMonth`.

Sources. The Steering Committee on Reciprocity's *Principles for the Reporting of Arrears, Arrangements and
Defaults at Credit Reference Agencies* (SCOR principles) and the ICO's technical guidance on filing defaults
[V2]; the CAIS status values as publicly described by the agencies [V2]. The CAIS file layout is given only
to members: fairdue's record is *modelled* on the public description (docs/credit-reporting.md).

Status [V2]: 0 up to date; 1–6 payments in arrears (fairdue counts one per 30 days past due, 6 = six or more);
8 default; U unclassified (the month's state is unknown); D dormant (nothing owed, no activity).
Arrangement flag "A" [V2]: an agreed arrangement is in force; while it is kept the status does not worsen
(SCOR: report the arrangement, not growing arrears) — fairdue holds the status reached before the month.
Defaults [V2]: filed only after a notice of intention to file, at least 28 days before (ICO guidance); never
while an agreed arrangement is being kept (SCOR); a default stays on the file 6 years from the default date,
and a settled line 6 years from closure, then drops off.
"""

from __future__ import annotations

from datetime import date, timedelta

from fairdue.domain.bureau.errors import DefaultNotAllowed
from fairdue.domain.bureau.month import LineMonth
from fairdue.domain.loanmath.calendar import add_months

DEFAULT = "8"
UNCLASSIFIED = "U"
DORMANT = "D"
UP_TO_DATE = "0"
STATUSES = ("0", "1", "2", "3", "4", "5", "6", "8", "U", "D")
ARRANGEMENT_FLAG = "A"
ARREARS_DAYS_PER_STATUS = 30
ARREARS_STATUS_MAX = 6
DEFAULT_NOTICE_DAYS_MIN = 28  # ICO guidance: the notice of intention to file a default, 28 days ahead
RETENTION_MONTHS = 6 * 12  # SCOR: defaults (and settled accounts) stay 6 years


def check_default(line: LineMonth) -> None:
    """Refuse a default the rules forbid (DefaultNotAllowed): no notice served 28+ days before, or filed in a
    month in which an agreed arrangement is kept (an arrangement agreed after the default does not undo it)."""
    if line.default_on is None:
        return
    notice = line.default_notice_on
    if notice is None or line.default_on - notice < timedelta(days=DEFAULT_NOTICE_DAYS_MIN):
        raise DefaultNotAllowed(
            f"line {line.line_id}: a default on {line.default_on} needs a notice of intention to file sent at "
            f"least {DEFAULT_NOTICE_DAYS_MIN} days before (sent: {notice or 'never'})"
        )
    filed_this_month = (line.default_on.year, line.default_on.month) == (
        line.month_end_on.year,
        line.month_end_on.month,
    )
    if filed_this_month and line.plan_active and line.plan_kept:
        raise DefaultNotAllowed(
            f"line {line.line_id}: no default may be filed while an agreed arrangement is being kept (SCOR)"
        )


def arrears_status(dpd: int) -> str:
    """ "0" below 30 days past due, then one step per 30 days: "1" for 30–59 … "6" for 180 and more."""
    return str(min(dpd // ARREARS_DAYS_PER_STATUS, ARREARS_STATUS_MAX))


def account_status(line: LineMonth, previous: str | None) -> str:
    """The month's CAIS status (codes in the module docstring); `previous` is last month's, if reported."""
    check_default(line)
    if line.default_on is not None or previous == DEFAULT:
        return DEFAULT
    if not line.status_known:
        return UNCLASSIFIED
    if line.dormant and line.balance_minor <= 0 and line.dpd == 0:
        return DORMANT
    status = arrears_status(line.dpd)
    if line.plan_active and line.plan_kept and previous is not None and previous.isdigit():
        return min(status, previous)
    return status


def arrangement_flag(line: LineMonth) -> str:
    """ "A" while an agreed arrangement is in force, else blank."""
    return ARRANGEMENT_FLAG if line.plan_active else ""


def drops_off_on(line: LineMonth) -> date | None:
    """The day the record leaves the file: 6 years after the default, else 6 years after closure; None while
    the line is open and never defaulted."""
    if line.default_on is not None:
        return add_months(line.default_on, RETENTION_MONTHS)
    if line.closed_on is not None:
        return add_months(line.closed_on, RETENTION_MONTHS)
    return None


def is_reportable(line: LineMonth) -> bool:
    """Whether the month still goes to the agencies: before its drop-off day (a filed default is a stored
    fact, so every later month carries `default_on`)."""
    ends_on = drops_off_on(line)
    return ends_on is None or line.month_end_on < ends_on
