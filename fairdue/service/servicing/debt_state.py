"""What is true of a debt on a given day, as the gate's `debt.state` (the truth check compares messages to it).

    debt_state(uow, line_id=42, on=date(2026, 3, 2)).as_gate()
    # {"overdue": True, "days_past_due": 5, "amount_due": 105000, "balance": 320000, "fees_charged": 5000,
    #  "currency": "CNY", "next_due_on": "2026-04-01", "legal_action": False}

Read from what servicing stores (open installments and charges, the ledger's balances, charges not waived),
never from what a caller says. fairdue starts no legal proceedings, so `legal_action` is False until a
proceeding is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from fairdue.service.servicing.accounts import balances
from fairdue.service.servicing.posting import open_items


@dataclass(frozen=True, slots=True)
class DebtState:
    """overdue: something billed is unpaid after its due date; amount_due: billed and due on or before `on`;
    balance: everything owed; fees_charged: late fees and fees charged, not waived. Minor units."""

    overdue: bool
    days_past_due: int
    amount_due: int
    balance: int
    fees_charged: int
    currency: str
    next_due_on: date | None
    legal_action: bool = False

    def as_gate(self) -> dict[str, Any]:
        """The gate request's `debt.state` object (fairdue.policy.request)."""
        return {
            "overdue": self.overdue,
            "days_past_due": self.days_past_due,
            "amount_due": self.amount_due,
            "balance": self.balance,
            "fees_charged": self.fees_charged,
            "currency": self.currency,
            "next_due_on": None if self.next_due_on is None else self.next_due_on.isoformat(),
            "legal_action": self.legal_action,
        }


@dataclass(frozen=True, slots=True)
class _LineRef:
    """A line as accounts.balances reads it when handed one: id and currency name the ledger accounts and the
    money (limit_minor is not read here), so the account row is not read again."""

    id: int
    currency: str
    limit_minor: int = 0


def debt_state(uow: Any, *, line_id: int, on: date, currency: str | None = None) -> DebtState:
    """The state of credit line `line_id` on local day `on`; currency: the line's, when the caller has read it."""
    bal = balances(uow, line_id=line_id, line=None if currency is None else _LineRef(line_id, currency))
    items = [item for item, _kind, _id in open_items(uow, line_id=line_id)]
    late = [i.due_on for i in items if i.due_on < on]
    upcoming = sorted(i.due_on for i in items if i.due_on >= on)
    return DebtState(
        overdue=bool(late),
        days_past_due=(on - min(late)).days if late else 0,
        amount_due=sum(i.total_minor for i in items if i.due_on <= on),
        balance=bal.owed_minor,
        fees_charged=uow.accounts.fees_charged_minor(line_id),
        currency=bal.currency,
        next_due_on=upcoming[0] if upcoming else None,
    )
