"""Errors of the loan-math area: each is a FairdueError and a ValueError."""

from __future__ import annotations

from decimal import Decimal

from fairdue.errors import Invalid


class LoanMathError(Invalid, ValueError):
    """Base of every loan-math error; a ValueError so edges can catch one type."""


class InvalidScheduleInput(LoanMathError):
    """A schedule request that cannot describe a plan (bad kind, periods, rate, dates)."""


class UnknownFrequency(InvalidScheduleInput):
    def __init__(self, frequency: object, known: tuple[str, ...]):
        super().__init__(f"unknown frequency {frequency!r}; known: {', '.join(known)}")
        self.frequency = frequency


class UnknownScheduleKind(InvalidScheduleInput):
    def __init__(self, kind: object, known: tuple[str, ...]):
        super().__init__(f"unknown schedule kind {kind!r}; known: {', '.join(known)}")
        self.kind = kind


class FloatRefused(LoanMathError):
    """A float reached a money or rate path; floats are never exact enough."""

    def __init__(self, what: str):
        super().__init__(f"{what} must be a Decimal, int or numeric str, never a float")


class InvalidFlow(LoanMathError):
    """Base of every error about the cash flows handed to `apr`."""


class NoAdvance(InvalidFlow):
    def __init__(self) -> None:
        super().__init__("no advance: the credit extended must have at least one (date, amount)")


class NoPayment(InvalidFlow):
    def __init__(self) -> None:
        super().__init__("no payment: a plan needs at least one (date, amount) paid back")


class NonPositiveAmount(InvalidFlow):
    def __init__(self, side: str, on: object, amount: object):
        super().__init__(f"{side} on {on} is {amount}; every advance and payment must be positive")
        self.side, self.on, self.amount = side, on, amount


class MalformedFlow(InvalidFlow):
    """A flow that is not a (datetime.date, amount) pair or whose amount is not a number."""


class PaymentBeforeAdvance(InvalidFlow):
    def __init__(self, paid_on: object, first_advance_on: object):
        super().__init__(f"payment on {paid_on} comes before the first advance on {first_advance_on}")
        self.paid_on, self.first_advance_on = paid_on, first_advance_on


class NoRoot(InvalidFlow):
    """The flows have no non-negative rate that makes them balance."""


class UnknownConvention(InvalidFlow):
    def __init__(self, convention: object, known: tuple[str, ...]):
        super().__init__(f"unknown APR convention {convention!r}; known: {', '.join(known)}")
        self.convention = convention


class UnknownJurisdiction(LoanMathError):
    def __init__(self, jurisdiction: object, known: tuple[str, ...]):
        super().__init__(f"unknown jurisdiction {jurisdiction!r}; known: {', '.join(known)}")
        self.jurisdiction = jurisdiction


class PricingCapExceeded(LoanMathError):
    """An installment option costs more, as an APR, than the product's all-in cap."""

    def __init__(self, apr: Decimal, cap: Decimal, convention: str, option: str):
        super().__init__(f"{option}: APR {apr * 100:.2f}% ({convention}) exceeds the all-in cost cap {cap * 100:.2f}%")
        self.apr, self.cap, self.convention, self.option = apr, cap, convention, option
