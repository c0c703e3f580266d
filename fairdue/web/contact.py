"""Composing and sending from the console, through the one request builder and the contact service.

`built_for(unit, form)` builds the gate request from stored facts
(fairdue.service.contact.gate_request.build): the form only names the debt, the recipient, channel, purpose,
time and text. `send` hands that request to the contact service
(fairdue.service.contact.enforcement.request_contact), which asks the gate again, logs the decision in the
hash-chained log and, only when allowed, queues the message in the outbox — all in one transaction. A denied
send is logged too. `record_address` puts an address the lender obtained lawfully on the borrower's profile
(with its source), which is the only way an address not on file can become one the gate accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairdue.errors import NotFound
from fairdue.service.borrower.registry import add_contact_address
from fairdue.service.collections import assignment
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact
from fairdue.service.contact.gate_request import BuiltRequest
from fairdue.service.servicing.debts import debt_id_for_line, line_id_of_debt
from fairdue.service.staff import audit_trail
from fairdue.web.compose import PURPOSES, ComposeForm, decide


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """sent: queued for delivery; decision: the gate's decision; reference: the decision-log seq."""

    sent: bool
    decision: dict[str, Any]
    reference: int | None = None


@dataclass(frozen=True, slots=True)
class Composed:
    """The request built for a form, the instant it names, and the zone its wall time was read in."""

    built: BuiltRequest
    at: datetime | None
    zone: str
    debt_id: str
    recipient: str | None


def _target(form: ComposeForm) -> tuple[str, str | None]:
    """(debt id, recipient address or None for the borrower's own) the form names."""
    account = form.account()
    if account is not None:
        if account < 1:
            raise NotFound("no such account")
        return debt_id_for_line(account), None
    return form.debt_id.strip() or "unassigned", form.address.strip()


def require_assigned(unit: Any, form: ComposeForm, *, who: Any) -> str:
    """The debt the form names, after the assignment check (ASVS V4.2.1): an agent composes only for an account
    whose open case is theirs (fairdue.service.collections.assignment; NotYourCase, a 403, otherwise)."""
    debt_id, _recipient = _target(form)
    assignment.require_debt(unit, who=who, debt_id=debt_id)
    return debt_id


def _zone(unit: Any, debt_id: str, cipher: Any) -> str:
    """The zone the form's wall time is read in: the borrower's first known zone (UTC for a debt not on file)."""
    return gate_requests.home_zone(unit, debt_id, cipher=cipher) or "UTC"


def built_for(unit: Any, form: ComposeForm, *, cipher: Any) -> Composed:
    """The gate request for what the form asks, from stored facts only."""
    debt_id, recipient = _target(form)
    zone = _zone(unit, debt_id, cipher)
    at = form.at_utc(zone)
    built = gate_requests.build(
        unit,
        debt_id=debt_id,
        recipient=recipient,
        channel=form.channel,
        # `authentication` (a login code the borrower asked for) is never a staff purpose: any purpose that is not
        # one stays malformed, and the gate denies it.
        purpose=form.purpose if form.purpose in PURPOSES else f"{form.purpose} (not a staff purpose)",
        at=at if at is not None else unit.clock(),
        message=form.message(),
        cipher=cipher,
    )
    if at is None:  # an unreadable time stays unreadable: the gate denies it
        built.request["at"] = form.at_local
    return Composed(built, at, zone, debt_id, recipient)


def verdict(unit: Any, form: ComposeForm, *, cipher: Any, who: Any) -> tuple[dict[str, Any], Composed]:
    """The gate's verdict on the built request (not logged: nothing is sent), and the request; only for an
    account the staff member `who` may work (require_assigned)."""
    require_assigned(unit, form, who=who)
    composed = built_for(unit, form, cipher=cipher)
    return decide(composed.built.request), composed


def send(unit: Any, *, form: ComposeForm, cipher: Any, who: Any, via: str = "console") -> SendOutcome:
    """Hand the composed message to the contact service, for an account the staff member `who` may work
    (require_assigned, before anything is built or logged); who sends (allowed or denied) is a
    `contact.send_requested` row of the staff audit trail (debt, channel, purpose, decision seq; no address or
    text), in the same transaction as the decision log."""
    require_assigned(unit, form, who=who)
    actor = audit_trail.actor_of(who, via=via)
    composed = built_for(unit, form, cipher=cipher)
    address = composed.built.request["recipient"]["address"]
    message = OutgoingMessage(
        channel=form.channel, recipient_address=address, language=form.language, text=form.message()["text"]
    )
    outcome = request_contact(unit, gate_request=composed.built, message=message, cipher=cipher, commit=False)
    audit_trail.record(
        unit,
        actor=actor,
        action="contact.send_requested",
        subject_kind="debt",
        subject_id=composed.debt_id[:64],
        details={
            "allowed": outcome.allowed,
            "decision_seq": outcome.decision_seq,
            "channel": str(form.channel)[:32],
            "purpose": str(form.purpose)[:32],
            "recipient_role": str(composed.built.request["recipient"].get("role", ""))[:32],
        },
    )
    unit.commit()  # the decision, the queued message and who asked for it: one transaction
    return SendOutcome(sent=outcome.allowed, decision=dict(outcome.decision), reference=outcome.decision_seq)


def record_address(unit: Any, *, debt_id: str, address: str, source: str, staff: Any, cipher: Any) -> str:
    """Put `address` on the profile of the debt's borrower with its lawful `source`, noting who did it in the
    access log; returns the address as stored. NotFound when the debt is not a stored line; NotYourCase when
    `staff` is an agent whose case it is not."""
    assignment.require_debt(unit, who=staff, debt_id=debt_id)
    line_id = line_id_of_debt(debt_id)
    owner = None if line_id is None else unit.contact.borrower_of_line(line_id)
    if owner is None:
        raise NotFound("the debt is not on file: an address can only be recorded for a borrower's debt")
    stored = add_contact_address(unit, borrower_id=owner, value=address, source=source, cipher=cipher)
    unit.staff.add_access(
        at=unit.clock(),
        staff_id=staff.staff_id,
        borrower_id=owner,
        fields=["email" if "@" in stored else "mobile"],
        purpose=f"recorded an address (source {source}) for {debt_id}",
        route="/console/compose/address",
    )
    audit_trail.record(
        unit,
        actor=audit_trail.actor_of(staff, via="console"),
        action="contact.address_recorded",
        subject_kind="borrower",
        subject_id=int(owner),
        details={"debt_id": debt_id[:64], "source": source[:32], "kind": "email" if "@" in stored else "mobile"},
    )
    return stored
