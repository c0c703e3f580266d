"""Negotiated repayment plans on storage: propose from the line's owed amounts, accept, revert, check.

`propose_plans_for_account` feeds the line's ledger balances and its product's limits (term cap,
cost cap, revolving rate) into the pure `fairdue.domain.collections.plans.propose_plans`.
`accept_plan` records the chosen proposal, posts the restructuring entry through the ledger
service (today: the waived fees of a `freeze_waive` plan, fee income given back), closes the open
case with reason `plan` (the gate then sees plan_active and suppresses collection), and
`revert_plan` undoes all of it while the plan is the latest action on the line. `check_plans`
(day-end) marks a plan broken when what was paid since acceptance falls short of what was due by
the day before, and reopens the case; a plan whose rows are all paid is completed.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from fairdue.adapters.db.schema.collections_engine import coll_cases, coll_plans, coll_promises
from fairdue.domain.collections.plans import PlanProposal, propose_plans
from fairdue.domain.money import Money
from fairdue.errors import FairdueError
from fairdue.service import ledger
from fairdue.service.promises import paid_total_minor

PLAN_WAIVER_KIND = "plan_fee_waiver"
DEFAULT_MONTHLY_RATE = Decimal("0.005")  # used when the product has no revolving rate


class PlanNotAllowed(FairdueError):
    """A plan cannot be accepted or reverted now (the message says why)."""


def propose_plans_for_account(uow: Any, *, account_id: int, monthly_income_minor: int, monthly_expenses_minor: int,
                              as_of: date) -> list[PlanProposal]:
    """Plan proposals for the line from its owed amounts and its product's limits."""
    from fairdue.service.accounts import balances, get_account, product_of

    line = get_account(uow, line_id=account_id)
    product = product_of(uow, line)
    b = balances(uow, line_id=account_id, line=line)
    rate = (product.revolving_daily_rate * 30).quantize(Decimal("0.000001")) if product.revolving_daily_rate \
        else DEFAULT_MONTHLY_RATE
    return propose_plans(
        principal=Money(max(0, b.principal_minor - b.credit_minor), b.currency), unpaid_interest_minor=b.interest_minor,
        unpaid_fees_minor=b.fees_minor, monthly_income_minor=monthly_income_minor,
        monthly_expenses_minor=monthly_expenses_minor, monthly_rate=rate,
        months_max=product.negotiated_plan_months_max, jurisdiction=product.jurisdiction,
        annual_cost_cap=product.annual_cost_cap, as_of=as_of, first_due_on=as_of + timedelta(days=30))


def _proposal_json(p: PlanProposal) -> str:
    d = asdict(p)
    d["monthly_rate"] = str(p.monthly_rate)
    d["apr"] = None if p.apr is None else str(p.apr)
    d["rows"] = [{**r, "due_on": r["due_on"].isoformat()} for r in d["rows"]]
    return json.dumps(d, sort_keys=True)


def accept_plan(uow: Any, *, account_id: int, proposal: PlanProposal, business_on: date) -> int:
    """Accept a proposal: record it, post its ledger restructuring, close the open case (reason plan)."""
    from fairdue.service.accounts import book, code

    conn = uow.connection
    if conn.execute(sa.select(coll_plans.c.id).where(coll_plans.c.account_id == account_id,
                                                      coll_plans.c.status == "active")).first():
        raise PlanNotAllowed(f"line {account_id} already has an active plan")
    entry_ids = []
    if proposal.waived_fees_minor > 0:
        waived = Money(proposal.waived_fees_minor, proposal.currency)
        entry = ledger.post_entry(
            uow, key=f"plan-waiver:{account_id}:{business_on.isoformat()}:{uow.clock().timestamp()}",
            kind=PLAN_WAIVER_KIND, business_on=business_on,
            postings=[(code(account_id, "fees"), -waived), (book(proposal.currency, "fee_income"), waived)],
            description="fees waived by a negotiated plan")
        entry_ids.append(entry.id)
    case_id = conn.execute(sa.select(coll_cases.c.id).where(coll_cases.c.account_id == account_id,
                                                           coll_cases.c.status == "open")).scalar_one_or_none()
    rows = [{"due_on": r.due_on.isoformat(), "amount_minor": r.total_minor} for r in proposal.rows]
    pid = conn.execute(coll_plans.insert().values(
        account_id=account_id, case_id=case_id, kind=proposal.kind, proposal=_proposal_json(proposal),
        rows=json.dumps(rows), currency=proposal.currency, status="active", accepted_on=business_on,
        accepted_at=uow.clock(), paid_before_minor=paid_total_minor(uow, account_id=account_id),
        ledger_entry_ids=json.dumps(entry_ids), ended_on=None).returning(coll_plans.c.id)).scalar_one()
    if case_id is not None:
        from fairdue.service.collections import close_case, plan_installment_reminders

        close_case(uow, case_id=case_id, reason="plan", closed_on=business_on)
        plan_installment_reminders(uow, plan_id=pid)
    return pid


def revert_plan(uow: Any, *, plan_id: int, business_on: date) -> None:
    """Undo an accepted plan while it is the latest action on the line (no payment or promise since)."""
    from fairdue.service.collections import drop_plan_reminders

    conn = uow.connection
    plan = conn.execute(sa.select(coll_plans).where(coll_plans.c.id == plan_id)).one_or_none()
    if plan is None or plan.status != "active":
        raise PlanNotAllowed(f"plan {plan_id} is not active")
    if paid_total_minor(uow, account_id=plan.account_id) != plan.paid_before_minor:
        raise PlanNotAllowed(f"plan {plan_id}: a payment was taken since it was accepted")
    later = conn.execute(sa.select(coll_promises.c.id).where(coll_promises.c.account_id == plan.account_id,
                                                             coll_promises.c.recorded_at > plan.accepted_at)).first()
    if later:
        raise PlanNotAllowed(f"plan {plan_id}: a promise was recorded since it was accepted")
    for entry_id in json.loads(plan.ledger_entry_ids):
        ledger.reverse_entry(uow, entry_id=entry_id, key=f"plan-revert:{plan_id}:{entry_id}", business_on=business_on)
    conn.execute(coll_plans.update().where(coll_plans.c.id == plan_id).values(status="reverted", ended_on=business_on))
    drop_plan_reminders(uow, plan_id=plan_id)
    if plan.case_id is not None:
        conn.execute(coll_cases.update().where(coll_cases.c.id == plan.case_id, coll_cases.c.close_reason == "plan")
                     .values(status="open", close_reason=None, closed_on=None))


def check_plans(uow: Any, *, business_on: date) -> int:
    """Day-end: break plans short of what was due before business_on (reopening the case), complete paid ones."""
    from fairdue.service.collections import drop_plan_reminders, reopen_case

    broken = 0
    for plan in uow.connection.execute(sa.select(coll_plans).where(coll_plans.c.status == "active")).all():
        rows = json.loads(plan.rows)
        paid = paid_total_minor(uow, account_id=plan.account_id) - plan.paid_before_minor
        due = sum(r["amount_minor"] for r in rows if date.fromisoformat(r["due_on"]) < business_on)
        if paid >= sum(r["amount_minor"] for r in rows):
            uow.connection.execute(coll_plans.update().where(coll_plans.c.id == plan.id)
                                   .values(status="completed", ended_on=business_on))
            drop_plan_reminders(uow, plan_id=plan.id)
        elif paid < due:
            uow.connection.execute(coll_plans.update().where(coll_plans.c.id == plan.id)
                                   .values(status="broken", ended_on=business_on))
            drop_plan_reminders(uow, plan_id=plan.id)
            reopen_case(uow, account_id=plan.account_id, on=business_on)
            broken += 1
    return broken
