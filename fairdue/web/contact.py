"""Sending from the console: hand the composed message to the contact service
(fairdue.service.contact.enforcement.request_contact), which asks the gate again, logs the
decision in the hash-chained log and, only when allowed, queues the message in
the outbox — all in one transaction. A denied send is logged too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairdue.service.contact.enforcement import OutgoingMessage, history_for_debt, request_contact


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """sent: queued for delivery; decision: the gate's decision; reference: the decision-log seq."""

    sent: bool
    decision: dict[str, Any]
    reference: int | None = None


def history(unit: Any, debt_id: str, *, cipher: Any) -> list[dict[str, Any]]:
    """Earlier sent contacts about the debt, as the gate's `history` items."""
    return history_for_debt(unit, debt_id=debt_id, cipher=cipher) if debt_id else []


def send(unit: Any, *, form: Any, staff: Any, cipher: Any, borrower: dict[str, Any] | None = None) -> SendOutcome:
    request = form.gate_request(history=history(unit, form.debt_id, cipher=cipher), borrower=borrower)
    message = OutgoingMessage(
        channel=form.channel, recipient_address=form.address.strip(), language=form.language, text=form.text
    )
    outcome = request_contact(unit, gate_request=request, message=message, cipher=cipher)
    return SendOutcome(sent=outcome.allowed, decision=dict(outcome.decision), reference=outcome.decision_seq)
