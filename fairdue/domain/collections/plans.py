"""Negotiated repayment plans (协商还款 / 个性化分期): proposals a struggling borrower can afford.

From what the borrower owes (principal, unpaid interest, unpaid fees) and
what they can pay each month (income less expenses), propose up to three
plans, each computed with loan math and shown with its true annual rate:

- ``extend``: the principal re-amortised (annuity) at the plan's periodic
  rate over the shortest term the borrower can afford, up to the product's
  limit (China cards: 60 months); unpaid interest and fees are spread evenly
  over the term **without** interest on them (PBOC 银发〔2016〕111号: no
  interest on fees; no interest on interest either).
- ``freeze``: interest frozen — principal in equal parts with no further
  interest; unpaid interest and fees spread evenly.
- ``freeze_waive``: as ``freeze`` and the unpaid fees (违约金) waived.

A plan's true rate is measured against the principal restructured, so the
carried interest and fees count as cost. A proposal above the jurisdiction's
all-in cost cap is never offered. Pure: no I/O, no clock (``as_of`` is given).

Rows fall due on the dates they are honoured (``honoured_on``: the product's
business-day rule, given by the caller), as a purchase's installments and the
statement that bills them do: what the borrower is shown is the date day-end
ages. The amounts come from the contractual monthly schedule; the true rate is
measured on the honoured payment dates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fairdue.domain.loanmath.apr import apr
from fairdue.domain.loanmath.calendar import add_months
from fairdue.domain.loanmath.pricing import convention_for
from fairdue.domain.loanmath.schedules import schedule
from fairdue.domain.money import Money, split_minor, to_decimal
from fairdue.errors import Invalid

PLAN_KINDS = ("extend", "freeze", "freeze_waive")
# Share of the monthly surplus (income − expenses) a plan installment may take,
# in basis points: a plan the borrower can keep is one that leaves a margin.
AFFORDABLE_SURPLUS_BPS_DEFAULT = 8000
PLAN_MONTHS_MIN = 1


class PlanInputError(Invalid, ValueError):
    """The borrower's figures cannot produce a plan; the message says which."""


@dataclass(frozen=True, slots=True)
class PlanRow:
    """One plan installment: principal, interest and carried charges (old interest/fees)."""

    seq: int
    due_on: date
    principal_minor: int
    interest_minor: int
    carried_minor: int
    total_minor: int


@dataclass(frozen=True, slots=True)
class PlanProposal:
    """A plan offered to the borrower.

    kind: extend | freeze | freeze_waive.
    months: number of monthly installments.
    monthly_rate: periodic rate on principal (0 for freezes).
    waived_fees_minor: fees forgiven by this plan (0 unless freeze_waive).
    installment_max_minor: the largest installment.
    affordable: True when every installment fits the borrower's affordable surplus;
      False only for the longest-term fallback when nothing fits (then say so to the borrower).
    apr: true annual rate under the jurisdiction's convention, None for a plan with no cost.
    """

    kind: str
    currency: str
    months: int
    monthly_rate: Decimal
    principal_minor: int
    carried_minor: int
    waived_fees_minor: int
    rows: tuple[PlanRow, ...]
    installment_max_minor: int
    total_cost_minor: int
    affordable: bool
    apr: Decimal | None

    @property
    def total_minor(self) -> int:
        return sum(r.total_minor for r in self.rows)


def _identity(on: date) -> date:
    return on


def _plan(
    kind: str,
    *,
    principal: Money,
    carried_minor: int,
    waived_fees_minor: int,
    months: int,
    rate: Decimal,
    first_due_on: date,
    as_of: date,
    honoured_on: Callable[[date], date] = _identity,
) -> tuple[PlanRow, ...]:
    carried = split_minor(carried_minor, [1] * months) if carried_minor else [0] * months
    if principal.amount_minor > 0:
        plan_kind = "annuity" if rate > 0 else "zero_fee"
        base = schedule(plan_kind, principal, months, rate, first_due_on, "monthly", start_on=as_of).rows
        parts = [(r.due_on, r.principal_minor, r.interest_minor) for r in base if r.seq > 0]
    else:
        parts = [(add_months(first_due_on, i), 0, 0) for i in range(months)]
    return tuple(
        PlanRow(
            seq=i + 1,
            due_on=_honoured(honoured_on, due_on),
            principal_minor=p,
            interest_minor=interest,
            carried_minor=c,
            total_minor=p + interest + c,
        )
        for i, ((due_on, p, interest), c) in enumerate(zip(parts, carried, strict=True))
    )


def _honoured(honoured_on: Callable[[date], date], due_on: date) -> date:
    moved = honoured_on(due_on)
    if not isinstance(moved, date) or moved < due_on:
        raise PlanInputError(f"honoured_on moved {due_on} to {moved!r}: a due date can only stay or move later")
    return moved


def _true_rate(
    rows: tuple[PlanRow, ...], principal_minor: int, currency: str, as_of: date, jurisdiction: str
) -> Decimal | None:
    cost = sum(r.total_minor for r in rows) - principal_minor
    if cost <= 0 or principal_minor <= 0:
        return None
    payments = [(r.due_on, to_decimal(r.total_minor, currency)) for r in rows if r.total_minor > 0]
    return apr([(as_of, to_decimal(principal_minor, currency))], payments, convention_for(jurisdiction))


def propose_plans(
    *,
    principal: Money,
    unpaid_interest_minor: int,
    unpaid_fees_minor: int,
    monthly_income_minor: int,
    monthly_expenses_minor: int,
    monthly_rate: Decimal,
    months_max: int,
    jurisdiction: str,
    annual_cost_cap: Decimal | None,
    as_of: date,
    first_due_on: date,
    affordable_surplus_bps: int = AFFORDABLE_SURPLUS_BPS_DEFAULT,
    honoured_on: Callable[[date], date] | None = None,
) -> list[PlanProposal]:
    """Plans the borrower can afford, cheapest-for-the-borrower last; see the module docstring.

    honoured_on: a contractual due date -> the date it is honoured on (the product's business-day rule);
      None keeps the contractual dates.
    """
    honoured = _identity if honoured_on is None else honoured_on
    for name, value in (
        ("unpaid_interest_minor", unpaid_interest_minor),
        ("unpaid_fees_minor", unpaid_fees_minor),
        ("monthly_income_minor", monthly_income_minor),
        ("monthly_expenses_minor", monthly_expenses_minor),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PlanInputError(f"{name} must be a non-negative int of minor units, got {value!r}")
    if principal.amount_minor < 0:
        raise PlanInputError("principal owed cannot be negative")
    owed = principal.amount_minor + unpaid_interest_minor + unpaid_fees_minor
    if owed <= 0:
        raise PlanInputError("nothing is owed: no plan is needed")
    if isinstance(months_max, bool) or not isinstance(months_max, int) or months_max < PLAN_MONTHS_MIN:
        raise PlanInputError(f"months_max must be an int >= {PLAN_MONTHS_MIN}, got {months_max!r}")
    if not isinstance(monthly_rate, Decimal) or not Decimal(0) <= monthly_rate < 1:
        raise PlanInputError(f"monthly_rate must be a Decimal in [0, 1), got {monthly_rate!r}")
    if first_due_on <= as_of:
        raise PlanInputError(f"the first installment ({first_due_on}) must fall after {as_of}")
    if not 0 < affordable_surplus_bps <= 10_000:
        raise PlanInputError("affordable_surplus_bps must be in 1..10000")
    surplus = monthly_income_minor - monthly_expenses_minor
    if surplus <= 0:
        raise PlanInputError(
            "expenses meet or exceed income: no instalment is affordable; "
            "a hardship review (payment holiday or settlement) is needed instead of a plan"
        )
    capacity = surplus * affordable_surplus_bps // 10_000

    variants = (
        ("extend", monthly_rate, unpaid_interest_minor + unpaid_fees_minor, 0),
        ("freeze", Decimal(0), unpaid_interest_minor + unpaid_fees_minor, 0),
        ("freeze_waive", Decimal(0), unpaid_interest_minor, unpaid_fees_minor),
    )
    proposals: list[PlanProposal] = []
    seen: set[tuple[int, ...]] = set()
    for kind, rate, carried, waived in variants:
        if kind == "extend" and rate == 0:
            continue  # identical to freeze
        if kind == "freeze_waive" and waived == 0:
            continue  # identical to freeze
        chosen = None
        for months in range(PLAN_MONTHS_MIN, months_max + 1):
            rows = _plan(
                kind,
                principal=principal,
                carried_minor=carried,
                waived_fees_minor=waived,
                months=months,
                rate=rate,
                first_due_on=first_due_on,
                as_of=as_of,
                honoured_on=honoured,
            )
            if max(r.total_minor for r in rows) <= capacity:
                chosen = (months, rows, True)
                break
        if chosen is None:
            rows = _plan(
                kind,
                principal=principal,
                carried_minor=carried,
                waived_fees_minor=waived,
                months=months_max,
                rate=rate,
                first_due_on=first_due_on,
                as_of=as_of,
                honoured_on=honoured,
            )
            chosen = (months_max, rows, False)
        months, rows, affordable = chosen
        true_rate = _true_rate(rows, principal.amount_minor, principal.currency, as_of, jurisdiction)
        if annual_cost_cap is not None and true_rate is not None and true_rate > annual_cost_cap:
            continue  # never offer a plan above the all-in cost cap
        key = tuple(r.total_minor for r in rows)
        if key in seen:
            continue
        seen.add(key)
        proposals.append(
            PlanProposal(
                kind=kind,
                currency=principal.currency,
                months=months,
                monthly_rate=rate,
                principal_minor=principal.amount_minor,
                carried_minor=carried,
                waived_fees_minor=waived,
                rows=rows,
                installment_max_minor=max(r.total_minor for r in rows),
                total_cost_minor=sum(r.total_minor for r in rows) - principal.amount_minor,
                affordable=affordable,
                apr=true_rate,
            )
        )
    return proposals


def split_carried(rows: tuple[PlanRow, ...], *, interest_minor: int, fees_minor: int) -> list[tuple[int, int]]:
    """(interest, fees) of each row's carried part: the carried interest fills the rows first, then the fees.

    Storage keeps the two apart (an installment has interest and fee columns); filling in order keeps
    every part a non-negative integer and the totals exact. PlanInputError if the rows do not carry
    exactly interest_minor + fees_minor.
    """
    for name, value in (("interest_minor", interest_minor), ("fees_minor", fees_minor)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise PlanInputError(f"{name} must be a non-negative int of minor units, got {value!r}")
    carried = sum(r.carried_minor for r in rows)
    if carried != interest_minor + fees_minor:
        raise PlanInputError(f"the rows carry {carried}, not interest {interest_minor} + fees {fees_minor}")
    out, interest_left = [], interest_minor
    for r in rows:
        interest = min(r.carried_minor, interest_left)
        interest_left -= interest
        out.append((interest, r.carried_minor - interest))
    return out
