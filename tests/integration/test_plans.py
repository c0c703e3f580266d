"""Negotiated plans on storage: one active plan per line, reversible only while it is the latest action, proposals
within the product's term limit and cost cap (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest
from test_collections import world  # noqa: F401  (fixture)

from fairdue.domain.money import Money
from fairdue.service.collections import engine as coll
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.payments import pay
from fairdue.service.servicing.plans import PlanNotAllowed, accept_plan, propose_plans_for_account, revert_plan


def _proposals(uow, line):
    return propose_plans_for_account(
        uow, account_id=line, monthly_income_minor=600_000, monthly_expenses_minor=580_000, as_of=date(2026, 2, 1)
    )


def test_proposals_respect_the_product_limits(uow_factory, world):
    coll.consume_events(uow_factory)
    with uow_factory() as uow:
        proposals = _proposals(uow, world["lines"][0])
    assert {p.kind for p in proposals} <= {"extend", "freeze", "freeze_waive"} and proposals
    assert all(1 <= p.months <= 60 for p in proposals)  # cn-ecard-std: up to 60 months
    assert all(p.currency == "CNY" and p.rows for p in proposals)


def test_one_active_plan_and_no_revert_after_a_payment(uow_factory, world):
    coll.consume_events(uow_factory)
    line = world["lines"][0]
    with uow_factory() as uow:
        plan = _proposals(uow, line)[-1]
        pid = accept_plan(uow, account_id=line, proposal=plan, business_on=date(2026, 2, 1))
        with pytest.raises(PlanNotAllowed, match="already has an active plan"):
            accept_plan(uow, account_id=line, proposal=plan, business_on=date(2026, 2, 1))
        pay(uow, line_id=line, amount=Money(10_000, "CNY"), received_on=date(2026, 2, 2), key="after-plan")
        with pytest.raises(PlanNotAllowed, match="payment"):
            revert_plan(uow, plan_id=pid, business_on=date(2026, 2, 2))
        assert ledger.verify(uow).ok
        uow.commit()
    with uow_factory() as uow, pytest.raises(PlanNotAllowed, match="not active"):
        revert_plan(uow, plan_id=pid + 1000, business_on=date(2026, 2, 2))
