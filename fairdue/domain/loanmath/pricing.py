"""Pricing guard: an installment option's cost shown as an APR, and refused above the cap.

The APR of an option is the true rate of a reference plan built with the
option's own kind, periods, rate and frequency, under the convention of the
product's jurisdiction (CN → cn-irr, US → us-reg-z, UK/EU → eu-ccd). The
reference principal is large (1,000,000.00) so that row rounding does not
move the rate; the reference start date is fixed (15 Jan 2025, mid-month, so
no month-end clamping skews a period).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fairdue.domain.loanmath.apr import apr
from fairdue.domain.loanmath.calendar import due_dates, frequency
from fairdue.domain.loanmath.errors import InvalidScheduleInput, PricingCapExceeded, UnknownJurisdiction
from fairdue.domain.loanmath.schedules import Schedule, check_rate, schedule
from fairdue.domain.money import Money, to_decimal

JURISDICTION_CONVENTIONS: dict[str, str] = {
    "CN": "cn-irr",
    "US": "us-reg-z",
    "UK": "eu-ccd",
    "GB": "eu-ccd",
    "EU": "eu-ccd",
}
CN_COST_CAP = Decimal("0.24")  # all-in borrower cost cap, China (NFRA 金规〔2025〕9号 read with SPC 法发〔2017〕22号)
_REFERENCE_PRINCIPAL = Money(100_000_000, "CNY")
_REFERENCE_START = date(2025, 1, 15)


@dataclass(frozen=True, slots=True)
class PricedOption:
    """An installment option's true cost.

    apr: annual rate as a fraction (0.1795 is 17.95%), unrounded.
    convention: the APR convention of the product's jurisdiction.
    """

    apr: Decimal
    convention: str


def convention_for(jurisdiction: str) -> str:
    """The APR convention a jurisdiction uses; UnknownJurisdiction names the known ones."""
    key = jurisdiction.upper() if isinstance(jurisdiction, str) else jurisdiction
    try:
        return JURISDICTION_CONVENTIONS[key]
    except (KeyError, TypeError):
        raise UnknownJurisdiction(jurisdiction, tuple(JURISDICTION_CONVENTIONS)) from None


def schedule_apr(plan: Schedule, advance_on: date, convention: str) -> Decimal:
    """The true annual rate of a generated plan advanced on `advance_on`.

    Every row's total is a payment on its due date; an upfront fee (seq 0)
    collected on the day of the advance is netted against the advance, since
    the borrower only ever had the difference.
    """
    advance_minor = plan.principal_minor
    payments = []
    for row in plan.rows:
        if row.total_minor == 0:
            continue
        if row.due_on <= advance_on:
            advance_minor -= row.total_minor
            continue
        payments.append((row.due_on, to_decimal(row.total_minor, plan.currency)))
    if advance_minor <= 0:
        raise InvalidScheduleInput("fees collected at the advance are as large as the advance itself")
    return apr([(advance_on, to_decimal(advance_minor, plan.currency))], payments, convention)


def price_option(kind: str, periods: int, rate: Decimal, frequency_name: str, jurisdiction: str) -> PricedOption:
    """The APR of one installment option under its jurisdiction's convention."""
    convention = convention_for(jurisdiction)
    r = check_rate(rate)
    freq = frequency(frequency_name)
    first_due = due_dates(_REFERENCE_START, 2, freq)[1]
    plan = schedule(kind, _REFERENCE_PRINCIPAL, periods, r, first_due, freq.name, start_on=_REFERENCE_START)
    return PricedOption(schedule_apr(plan, _REFERENCE_START, convention), convention)


def check_option_pricing(
    kind: str,
    periods: int,
    rate: Decimal,
    frequency: str,
    jurisdiction: str,
    cost_cap: Decimal = CN_COST_CAP,
) -> PricedOption:
    """Price an option and refuse it when its APR exceeds `cost_cap` (PricingCapExceeded names both)."""
    cap = check_rate(cost_cap, "cost_cap")
    priced = price_option(kind, periods, rate, frequency, jurisdiction)
    if priced.apr > cap:
        option = f"{kind} {periods}×{frequency} at {rate}"
        raise PricingCapExceeded(priced.apr, cap, priced.convention, option)
    return priced


__all__ = [
    "CN_COST_CAP",
    "JURISDICTION_CONVENTIONS",
    "PricedOption",
    "check_option_pricing",
    "convention_for",
    "price_option",
    "schedule_apr",
]
