"""Servicing tells collections about a plan only by events on the unit of work: the reaction commits with the
plan or not at all, a handler's error rolls the whole acceptance back, and an event nobody handles is refused
(card rules Art. 70: collection stops while a negotiated plan is honoured, so a plan must never be stored with
its case left open)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from test_collections import world  # noqa: F401  (fixture)

from fairdue.adapters.db.schema.collections_engine import coll_plans
from fairdue.adapters.db.uow import UnhandledEvent, UnitOfWork
from fairdue.bootstrap import EVENT_HANDLERS
from fairdue.domain.events import PlanAccepted, PlanCompleted
from fairdue.service.collections import engine as coll
from fairdue.service.servicing.plans import accept_plan, propose_plans_for_account

ON = date(2026, 2, 1)


def _proposal(uow, line):
    return propose_plans_for_account(
        uow, account_id=line, monthly_income_minor=600_000, monthly_expenses_minor=580_000, as_of=ON
    )[-1]


def _plans(uow) -> int:
    return uow.connection.execute(sa.select(sa.func.count()).select_from(coll_plans)).scalar_one()


def test_art70_accepted_plan_closes_its_case_in_the_same_transaction(uow_factory, world):
    coll.consume_events(uow_factory)
    line = world["lines"][0]
    with uow_factory() as uow:
        case = coll.open_case_of(uow, account_id=line)
        assert case is not None
        accept_plan(uow, account_id=line, proposal=_proposal(uow, line), business_on=ON)
        assert coll.open_case_of(uow, account_id=line) is None  # before commit: same transaction
        uow.rollback()
        assert coll.open_case_of(uow, account_id=line).id == case.id and _plans(uow) == 0  # and undone together


def test_art70_a_failing_handler_rolls_the_plan_back(engine, clock, world, uow_factory):
    coll.consume_events(uow_factory)
    line = world["lines"][0]

    def broken(_uow, _event):
        raise RuntimeError("collections is down")

    handlers = {**EVENT_HANDLERS, PlanAccepted: (broken,)}
    # Not swallowed: the handler's error reaches the caller.
    with (
        UnitOfWork(engine, clock=clock, handlers=handlers) as uow,
        pytest.raises(RuntimeError, match="collections is down"),
    ):
        accept_plan(uow, account_id=line, proposal=_proposal(uow, line), business_on=ON)
    with uow_factory() as uow:
        assert _plans(uow) == 0 and coll.open_case_of(uow, account_id=line) is not None


def test_an_event_nobody_handles_is_refused(engine, clock, world, uow_factory):
    coll.consume_events(uow_factory)
    line = world["lines"][0]
    with UnitOfWork(engine, clock=clock) as uow:  # no handlers wired: fail closed
        with pytest.raises(UnhandledEvent, match="PlanAccepted"):
            accept_plan(uow, account_id=line, proposal=_proposal(uow, line), business_on=ON)
        with pytest.raises(UnhandledEvent, match="PlanCompleted"):
            uow.publish(PlanCompleted(plan_id=1, account_id=line, business_on=ON))


def test_every_event_type_is_wired():
    from fairdue.domain import events

    kinds = {
        obj
        for obj in vars(events).values()
        if isinstance(obj, type) and issubclass(obj, events.Event) and obj is not events.Event
    }
    assert kinds == set(EVENT_HANDLERS) and all(EVENT_HANDLERS[k] for k in kinds)
