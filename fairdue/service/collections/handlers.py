"""Collections' reactions to servicing's plan events, run in the publishing transaction.

A plan honoured stops collection (card rules Art. 70): acceptance closes the open case and plans the rows'
reminders; a broken plan reopens the case; a plan that ends or is undone drops its reminders not yet sent.
Wired in fairdue.bootstrap.EVENT_HANDLERS.
"""

from __future__ import annotations

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.events import PlanAccepted, PlanBroken, PlanCompleted, PlanReverted
from fairdue.service.collections.engine import (
    close_case,
    drop_plan_reminders,
    plan_installment_reminders,
    reopen_case,
    restore_case_closed_for_plan,
)


def on_plan_accepted(uow: UnitOfWork, event: PlanAccepted) -> None:
    """The case the plan was accepted on closes (reason `plan`) and each plan row gets its reminder."""
    if event.case_id is None:
        return
    close_case(uow, case_id=event.case_id, reason="plan", closed_on=event.business_on)
    plan_installment_reminders(uow, plan_id=event.plan_id)


def on_plan_reverted(uow: UnitOfWork, event: PlanReverted) -> None:
    """The plan's reminders go, and the case its acceptance closed is open again as it was."""
    drop_plan_reminders(uow, plan_id=event.plan_id)
    if event.case_id is not None:
        restore_case_closed_for_plan(uow, case_id=event.case_id)


def on_plan_broken(uow: UnitOfWork, event: PlanBroken) -> None:
    """The plan's reminders go and collection resumes: a case opens again in the line's current bucket."""
    drop_plan_reminders(uow, plan_id=event.plan_id)
    reopen_case(uow, account_id=event.account_id, on=event.business_on)


def on_plan_completed(uow: UnitOfWork, event: PlanCompleted) -> None:
    """The plan's reminders not yet sent go."""
    drop_plan_reminders(uow, plan_id=event.plan_id)
