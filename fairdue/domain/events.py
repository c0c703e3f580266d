"""Events between contexts: frozen records of what happened, published on the unit of work.

A context that changes something another context must react to publishes an event instead of calling into
it (servicing never imports collections). Handlers run in the publishing transaction, so the reaction commits
with the change or not at all; a handler's error propagates and rolls everything back. Which handlers an event
has is wired in one place (fairdue.bootstrap.EVENT_HANDLERS); an event nobody handles is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class Event:
    """Base of every cross-context event."""


@dataclass(frozen=True, slots=True)
class PlanAccepted(Event):
    """A negotiated plan was accepted for a line; case_id: the open case it was accepted on (None: no case)."""

    plan_id: int
    account_id: int
    case_id: int | None
    business_on: date


@dataclass(frozen=True, slots=True)
class PlanReverted(Event):
    """A plan was undone as if never accepted; case_id: the case its acceptance closed (None: no case)."""

    plan_id: int
    account_id: int
    case_id: int | None
    business_on: date


@dataclass(frozen=True, slots=True)
class PlanBroken(Event):
    """A row of an active plan was missed past its honoured due date: collection resumes."""

    plan_id: int
    account_id: int
    business_on: date


@dataclass(frozen=True, slots=True)
class PlanCompleted(Event):
    """Every row of a plan is repaid (an active plan, or a broken one repaid later)."""

    plan_id: int
    account_id: int
    business_on: date
