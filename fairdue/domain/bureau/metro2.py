"""Metro 2 (US furnishers, FCRA): account status, payment rating, payment history profile, date of first
delinquency, compliance condition codes and whole-dollar amounts, derived from a `LineMonth`.

Sources. The code values are those of the CDIA Credit Reporting Resource Guide (CRRG), as the open-source
`moov-io/metro2` encodes them (pkg/lib/constants.go, pkg/lib/validators.go); the FCRA sections are 15 U.S.C.
§1681s-2 (§623) and §1681c (§605). Tags as in RULES.md: [V] checked in a primary text, [V2] secondary (moov,
furnisher guides quoting the CRRG), [R] recalled.

Account status (Field 17A) [V2: moov constants.go, furnisher guides]:
    11 current (0–29 days past the due date)      71 30–59 days past due     78 60–89
    80 90–119                                     82 120–149                 83 150–179
    84 180 or more                                13 paid or closed, zero balance
    97 unpaid balance reported as a loss (charge-off)
    64 paid in full, was a charge-off             DA delete the entire account (reported in error)
Payment rating (Field 17B) [V2: moov validators.go]: only with status 05, 13, 65, 88, 89, 94, 95 — of those
    fairdue reports 13 — else blank. 0 current, 1–6 the 30-day buckets above (1 = 30–59 … 6 = 180+),
    G collection, L charge-off.
Payment history profile (Field 18) [V2: CRRG as quoted by furnisher guides]: 24 characters for the 24
    reporting months *before* the Date of Account Information, most recent first. 0 current, 1–6 the
    buckets, B no history before this time (before the line opened), D no history reported for that month,
    E zero balance and current, L charge-off.
Date of first delinquency (Field 25) [V: FCRA §623(a)(5); V2: CRRG]: the date the delinquency that led to the
    reported status began. fairdue reports the due date of the oldest payment missed in the current, unbroken
    chain (the chain starts when the line reaches 30 days past due). Some furnisher guides date it 30 days
    later, on the first 30-day report; the earlier date is the one that never lengthens the §605(c) purge
    period. A chain ends only when the line is brought fully current (dpd 0) *without* a plan:
    re-aging by a plan does not end it, so a broken plan reports the original date (the FCRA purge clock,
    §605(c)(1), must not restart). Reported with statuses 71–84, 97, 64, and with 13 when the payment rating
    shows a delinquency; zero-filled otherwise.
Compliance condition code (Field 20) [V2: CRRG via furnisher guides]: XB account information disputed, under
    investigation; XC investigation completed, consumer disagrees; XH previously in dispute, now resolved.
Amounts [V2: CRRG]: whole dollars, cents dropped (not rounded); a credit balance is reported as zero [R].
"""

from __future__ import annotations

from datetime import date, timedelta

from fairdue.domain.bureau.errors import AmountNotReportable
from fairdue.domain.bureau.month import DisputeState, LineMonth
from fairdue.domain.loanmath.calendar import add_months

PROFILE_MONTHS = 24
DELINQUENT_DAYS_MIN = 30  # CRRG: an account is not reported delinquent before 30 days past the due date
AMOUNT_DIGITS_MAX = 9  # every Metro 2 character-format amount field is 9 digits
FCRA_PURGE_DELAY_DAYS = 180  # §605(c)(1): the 7 years start 180 days after the delinquency began
FCRA_PURGE_MONTHS = 7 * 12  # §605(a)(4)

# (dpd_min, status, rating/profile digit), highest first: the 30-day buckets of Field 17A / 17B / 18.
DELINQUENCY_BUCKETS: tuple[tuple[int, str, str], ...] = (
    (180, "84", "6"),
    (150, "83", "5"),
    (120, "82", "4"),
    (90, "80", "3"),
    (60, "78", "2"),
    (30, "71", "1"),
)
CURRENT = "11"
PAID_OR_CLOSED = "13"
CHARGED_OFF = "97"
PAID_AFTER_CHARGE_OFF = "64"
DELETE_ACCOUNT = "DA"
STATUSES = (CURRENT, "71", "78", "80", "82", "83", "84", PAID_OR_CLOSED, PAID_AFTER_CHARGE_OFF, CHARGED_OFF, "DA")
NEGATIVE_STATUSES = frozenset({"71", "78", "80", "82", "83", "84", CHARGED_OFF, PAID_AFTER_CHARGE_OFF})
RATED_STATUSES = frozenset({"05", PAID_OR_CLOSED, "65", "88", "89", "94", "95"})  # moov validators.go
PROFILE_CHARACTERS = frozenset("0123456BDEGHJKL")  # moov validators.go ValidatePaymentHistoryProfile
PROFILE_BEFORE_OPEN = "B"
PROFILE_NOT_REPORTED = "D"
COMPLIANCE_CODES: dict[DisputeState, str] = {
    DisputeState.NONE: "",
    DisputeState.OPEN: "XB",
    DisputeState.DISAGREES: "XC",
    DisputeState.RESOLVED: "XH",
}


def delinquency_digit(dpd: int) -> str:
    """The 30-day bucket digit for `dpd` days past due: "0" below 30, "1" for 30–59 … "6" for 180+."""
    for dpd_min, _status, digit in DELINQUENCY_BUCKETS:
        if dpd >= dpd_min:
            return digit
    return "0"


def account_status(line: LineMonth) -> str:
    """Field 17A for the month (CRRG status codes; see the module docstring), most decisive condition first."""
    if line.deleted:
        return DELETE_ACCOUNT
    if line.charged_off_on is not None:
        return PAID_AFTER_CHARGE_OFF if line.balance_minor <= 0 else CHARGED_OFF
    if (line.closed_on is not None or line.settled is not None) and line.balance_minor <= 0:
        return PAID_OR_CLOSED
    for dpd_min, status, _digit in DELINQUENCY_BUCKETS:
        if line.dpd >= dpd_min:
            return status
    return CURRENT


def payment_rating(status: str, line: LineMonth) -> str:
    """Field 17B: for a line paid or closed this month, the worst bucket it reached in the month; else blank."""
    if status not in RATED_STATUSES:
        return ""
    return delinquency_digit(line.dpd_max_in_month)


def profile_character(status: str, line: LineMonth) -> str:
    """The character this month leaves in next month's Field 18 (L charge-off, 1–6 past due, E zero, 0)."""
    if status in (CHARGED_OFF, PAID_AFTER_CHARGE_OFF):
        return "L"
    digit = delinquency_digit(line.dpd)
    if digit != "0":
        return digit
    return "E" if line.balance_minor <= 0 else "0"


def history_profile(month_end_on: date, opened_on: date, earlier: dict[date, str]) -> str:
    """Field 18: the 24 months before `month_end_on`, most recent first.

    `earlier` maps each earlier reported month end to the character it left (`profile_character`). A month
    before the line opened is B; a month after it opened that was not reported is D.
    """
    profile = []
    month = month_end_on
    for _ in range(PROFILE_MONTHS):
        month = _previous_month_end(month)
        if month in earlier:
            profile.append(earlier[month])
        elif month < opened_on:
            profile.append(PROFILE_BEFORE_OPEN)
        else:
            profile.append(PROFILE_NOT_REPORTED)
    return "".join(profile)


def _previous_month_end(month_end_on: date) -> date:
    return month_end_on.replace(day=1) - timedelta(days=1)


def delinquency_chain(line: LineMonth, carried: date | None) -> date | None:
    """The start of the current delinquency chain after this month (FCRA §623(a)(5)), carried month to month.

    A chain starts when the line reaches 30 days past due, dated at the oldest overdue due date (the
    commencement of the delinquency). It is kept while the line stays 1–29 days late (not brought current),
    while a plan runs (re-aging does not cure), and forever once charged off; only a line fully current
    without a plan ends it. A line charged off before 30 days late starts its chain then (at the oldest
    overdue date, or the charge-off date if nothing was overdue), so a charge-off always carries a date.
    """
    if carried is not None:
        cured = line.dpd == 0 and not line.plan_active and line.charged_off_on is None
        return None if cured else carried
    if line.dpd >= DELINQUENT_DAYS_MIN or line.charged_off_on is not None:
        return line.oldest_overdue_on or line.charged_off_on
    return None


def reported_first_delinquency(status: str, rating: str, chain: date | None, carried: date | None) -> date | None:
    """Field 25: the chain's start for a negative status; for 13, the chain that just ended if the rating
    shows a delinquency; else none (zero-filled)."""
    if status in NEGATIVE_STATUSES:
        return chain
    if status == PAID_OR_CLOSED and rating not in ("", "0"):
        return carried
    return None


def compliance_condition(dispute: DisputeState) -> str:
    """Field 20 from the dispute state: XB open, XC consumer disagrees, XH resolved, blank without one."""
    return COMPLIANCE_CODES[dispute]


def whole_dollars(amount_minor: int, currency: str) -> int:
    """A Metro 2 amount: whole dollars with the cents dropped (CRRG), a credit balance as 0, 9 digits max.

    Integer division toward zero on a non-negative amount: $1,234.99 is 1234, never 1235.
    """
    if currency != "USD":
        raise AmountNotReportable(f"Metro 2 amounts are US dollars; got {currency}")
    dollars = max(amount_minor, 0) // 100
    if dollars >= 10**AMOUNT_DIGITS_MAX:
        raise AmountNotReportable(f"{dollars} dollars does not fit the {AMOUNT_DIGITS_MAX}-digit Metro 2 field")
    return dollars


def fcra_purge_on(first_delinquency_on: date) -> date:
    """The day a negative item must leave a consumer report: 7 years after the 180 days that follow the
    commencement of the delinquency (FCRA §605(a)(4), §605(c)(1))."""
    return add_months(first_delinquency_on + timedelta(days=FCRA_PURGE_DELAY_DAYS), FCRA_PURGE_MONTHS)


def is_profile(text: str) -> bool:
    """Whether `text` is a well-formed Field 18: 24 characters from the CRRG set."""
    return len(text) == PROFILE_MONTHS and set(text) <= PROFILE_CHARACTERS
