"""Sending from the console: the gate decides again on the server, then the contact service
(collections/outbox, issue 6) records the decision and queues the message in one transaction.

Until that service is installed, an allowed message is refused with 503 and the reason:
nothing pretends to have been sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairdue.web.problems import Problem


class DeliveryUnavailable(Problem):
    status = 503
    slug = "delivery-unavailable"


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """sent: queued for delivery; decision: the gate's decision; reference: the decision-log seq."""

    sent: bool
    decision: dict[str, Any]
    reference: int | None = None


def send(unit: Any, *, form: Any, staff: Any) -> SendOutcome:
    from fairdue.web.compose import decide

    request = form.gate_request()
    decision = decide(request)
    if not decision.get("allowed"):
        return SendOutcome(sent=False, decision=decision)
    request_contact = _request_contact()
    if request_contact is None:
        raise DeliveryUnavailable("the contact service (decision log and outbox) is not installed yet; nothing was sent")
    return request_contact(unit, form=form, request=request, staff=staff)


def _request_contact():
    return None
