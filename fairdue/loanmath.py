"""Public loan-math API (stable contract): schedules, true APR, batch forms, pricing guard.

    from fairdue.loanmath import schedule, apr, schedule_apr, check_option_pricing

`apr(advances, payments, convention)` is a stable contract: advances and
payments are lists of `(datetime.date, amount)` with amounts in major units
(Decimal, int or numeric str), convention one of "us-reg-z", "cn-irr",
"eu-ccd"; the result is the annual rate as an unrounded Decimal fraction.
Everything here is pure: no I/O, no clock.
"""

from __future__ import annotations

from fairdue.domain.loanmath.apr import CONVENTIONS, UnitPeriod, apr, unit_period
from fairdue.domain.loanmath.batch import (
    BatchSchedules,
    annuity_schedules,
    equal_principal_schedules,
    regular_aprs,
    regular_rates,
)
from fairdue.domain.loanmath.calendar import FREQUENCIES, add_months, due_dates
from fairdue.domain.loanmath.errors import (
    FloatRefused,
    InvalidFlow,
    InvalidScheduleInput,
    LoanMathError,
    MalformedFlow,
    NoAdvance,
    NonPositiveAmount,
    NoPayment,
    NoRoot,
    PaymentBeforeAdvance,
    PricingCapExceeded,
    UnknownConvention,
    UnknownFrequency,
    UnknownJurisdiction,
    UnknownScheduleKind,
)
from fairdue.domain.loanmath.pricing import (
    CN_COST_CAP,
    JURISDICTION_CONVENTIONS,
    PricedOption,
    check_option_pricing,
    convention_for,
    price_option,
    schedule_apr,
)
from fairdue.domain.loanmath.schedules import KINDS, Schedule, ScheduleRow, annuity_installment_minor, schedule

__all__ = [
    "CN_COST_CAP",
    "CONVENTIONS",
    "FREQUENCIES",
    "JURISDICTION_CONVENTIONS",
    "KINDS",
    "BatchSchedules",
    "FloatRefused",
    "InvalidFlow",
    "InvalidScheduleInput",
    "LoanMathError",
    "MalformedFlow",
    "NoAdvance",
    "NoPayment",
    "NoRoot",
    "NonPositiveAmount",
    "PaymentBeforeAdvance",
    "PricedOption",
    "PricingCapExceeded",
    "Schedule",
    "ScheduleRow",
    "UnitPeriod",
    "UnknownConvention",
    "UnknownFrequency",
    "UnknownJurisdiction",
    "UnknownScheduleKind",
    "add_months",
    "annuity_installment_minor",
    "annuity_schedules",
    "apr",
    "check_option_pricing",
    "convention_for",
    "due_dates",
    "equal_principal_schedules",
    "price_option",
    "regular_aprs",
    "regular_rates",
    "schedule",
    "schedule_apr",
    "unit_period",
]
