"""Negotiated repayment plans on storage: propose from the line's owed amounts, accept (restructuring the
debt), revert, check.

`propose_plans_for_account` feeds the line's ledger balances and its product's limits (term cap,
cost cap, revolving rate) into the pure `fairdue.domain.collections.plans.propose_plans`; the plan's
rows fall due on the line's statement due dates (the first statement after the proposal's date), so
each row is billed by a statement before it is due. A row's stored due date is the date it is honoured
(moved to the next business day by the product's calendar, as a purchase's installments and the statement
that bills the row are), so the schedule page, the statement, the reminders and day-end show one date.

`accept_plan` restructures the debt, as Fineract's re-aging (FINERACT-2398: paid parts of old installments
stay as they are, unpaid charges are spread over the new installments, reversible while it is the latest
transaction) and Frappe Lending's loan restructure (old schedule kept as restructured, a new one made) do:

* the line's open servicing installments (scheduled or billed) and open charges (late fees, revolving
  interest) are closed with status `restructured` — day-end reads only scheduled/billed rows, so it stops
  ageing them — and what each was is kept in `plan_restructured_items`;
* the plan's rows become the line's new installments, under an installment plan of kind `negotiated`:
  principal per row from the proposal, interest = the plan's own interest (extension) + the carried
  interest, fees = the carried fees (carried interest fills the rows first, then fees);
* the ledger gets balanced entries: the carried interest and fees leave cl:N:interest / cl:N:fees (they
  are billed again, row by row, when a statement bills the plan's installments), a credit balance is set
  against the principal, and a `freeze_waive` plan's fees are waived (fee income given back);
* day-end re-reads the line on the acceptance date (inline close first, then pulled into that date's
  batch), so the account re-ages from the plan: DPD 0 and the current bucket while it is honoured. No
  revolving interest accrues on a plan: its installments are not revolving items (an interest freeze
  charges nothing more; an extension charges only the interest in its rows);
* the open case is closed with reason `plan` (the gate then sees plan_active and suppresses collection).

`revert_plan` (while the plan is the latest action on the line: no payment, promise or statement billing
since) restores the original installments and charges exactly, deletes the plan's installments and
reverses the entries (the days the plan stood accrued no revolving interest; day-end resumes from the
revert). `check_plans` (day-end) marks a plan broken when one of its installments is unpaid after its
due date as day-end honours it (moved to the next business day by the product's calendar), and reopens
the case; the debt stays restructured — day-end then ages the plan's installments like any other (late
fee, DPD, buckets). A plan whose installments are all paid is completed, a broken one too (the case it
reopened and its rows' late fees keep the record of the break). Accepting a plan takes the charges it carries
out of day-end's running all-in cost (they are counted again as its rows bill), reverting puts them back.

A refund of goods whose installments a plan restructured is credited to the plan's rows
(`credit_refund_to_plan`); an early payoff of the plan's installments pays off the whole restructured
debt (fairdue.service.servicing.payments.early_payoff), and a purchase's own restructured plan cannot be paid off.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fairdue.adapters.db.repos.dayend import (
    OPEN_INSTALLMENT_STATUSES,  # what day-end ages
)
from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.domain.collections.plans import PlanProposal, propose_plans, split_carried
from fairdue.domain.events import PlanAccepted, PlanBroken, PlanCompleted, PlanReverted
from fairdue.domain.loanmath.calendar import add_months
from fairdue.domain.money import Money
from fairdue.domain.statements import adjust_due_on, statement_on_or_after
from fairdue.domain.statuses import (
    CreditLineStatus,
    InstallmentStatus,
    PlanStatus,
)
from fairdue.errors import Conflict, FairdueError, Invalid
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import balances, book, code, get_account, product_of, reconcile_line
from fairdue.service.servicing.close import close_inline
from fairdue.service.servicing.posting import paid_total_minor
from fairdue.service.servicing.products import get_product

PLAN_WAIVER_KIND = "plan_fee_waiver"
LATE_FEE_KEY_PARTS = 5  # dayend:<date>:late_fee:<line id>:<installment id>
PLAN_RESTRUCTURE_KIND = "plan_restructure"
# Kept in coll_plans.proposal at acceptance: what the acceptance took out of day-end's running all-in cost.
COST_MOVED_KEY = "cost_moved_minor"
RESTRUCTURED = "restructured"  # status of an installment or charge a plan replaced
DEFAULT_MONTHLY_RATE = Decimal("0.005")  # used when the product has no revolving rate


class PlanNotAllowed(Invalid):
    """A plan cannot be accepted or reverted now (the message says why)."""


class PlanStateInvalid(FairdueError):
    """Stored plan rows disagree with what the plan restructured (an invariant, never expected)."""


class DebtRestructured(Conflict):
    """The installments asked for were restructured by a negotiated plan: the plan's installments carry the
    debt now (the message names them)."""


# A plan still to repay: an active one, or a broken one whose installments day-end ages until they are paid.
COMPLETABLE_STATUSES = (PlanStatus.ACTIVE, PlanStatus.BROKEN)
# A plan can restructure an earlier broken plan's rows; a chain longer than this is a broken state.
PLAN_CHAIN_MAX = 64


def propose_plans_for_account(
    uow: Any, *, account_id: int, monthly_income_minor: int, monthly_expenses_minor: int, as_of: date
) -> list[PlanProposal]:
    """Plan proposals for the line from its owed amounts and its product's limits; rows due on statement due dates.

    The line is first closed inline up to the day before `as_of` (day-end's accruals and fees for the days it
    has not been touched), so the proposal restructures exactly what `accept_plan` on `as_of` will find.
    """
    close_inline(uow, [account_id], as_of)
    line = get_account(uow, line_id=account_id)
    product = product_of(uow, line)
    b = balances(uow, line_id=account_id, line=line)
    rate = (
        (product.revolving_daily_rate * 30).quantize(Decimal("0.000001"))
        if product.revolving_daily_rate
        else DEFAULT_MONTHLY_RATE
    )
    first_statement_on = statement_on_or_after(as_of + timedelta(days=1), line.cycle_day)
    return propose_plans(
        principal=Money(max(0, b.principal_minor - b.credit_minor), b.currency),
        unpaid_interest_minor=b.interest_minor,
        unpaid_fees_minor=b.fees_minor,
        monthly_income_minor=monthly_income_minor,
        monthly_expenses_minor=monthly_expenses_minor,
        monthly_rate=rate,
        months_max=product.negotiated_plan_months_max,
        jurisdiction=product.jurisdiction,
        annual_cost_cap=product.annual_cost_cap,
        as_of=as_of,
        first_due_on=first_statement_on + timedelta(days=product.due_days_after_statement),
        honoured_on=honoured_due_on(uow, account_id=account_id),
    )


def _proposal_json(p: PlanProposal) -> str:
    d = asdict(p)
    d["monthly_rate"] = str(p.monthly_rate)
    d["apr"] = None if p.apr is None else str(p.apr)
    d["rows"] = [{**r, "due_on": r["due_on"].isoformat()} for r in d["rows"]]
    return json.dumps(d, sort_keys=True)


def _statement_dates(due_dates: list[date], *, cycle_day: int, after: date) -> list[date]:
    """Per row: the last statement date (the line's cycle day) on or before its due date and after `after`."""
    out = []
    for seq, due_on in enumerate(due_dates, start=1):
        st = statement_on_or_after(after + timedelta(days=1), cycle_day)
        if st > due_on:
            raise PlanNotAllowed(
                f"plan row {seq} falls due on {due_on}, before the line's next statement ({st}); "
                f"propose the plans again"
            )
        k = 0
        while add_months(st, k + 1) <= due_on:
            k += 1
        out.append(add_months(st, k))
    return out


def _check_against_balances(proposal: PlanProposal, b: Any, currency: str) -> None:
    """The proposal must restructure exactly what the line owes now (balances move with payments and day-end)."""
    if proposal.currency != currency:
        raise PlanNotAllowed(f"the plan is in {proposal.currency}; the line lends in {currency}")
    if b.credit_minor > b.principal_minor:
        raise PlanNotAllowed("the line's credit covers its principal: apply the credit instead of a plan")
    waived_ok = proposal.waived_fees_minor in ((b.fees_minor,) if proposal.kind == "freeze_waive" else (0,))
    if (
        proposal.principal_minor != b.principal_minor - b.credit_minor
        or not waived_ok
        or proposal.carried_minor + proposal.waived_fees_minor != b.interest_minor + b.fees_minor
    ):
        raise PlanNotAllowed(
            f"the line's balances changed since the plan was proposed (principal {b.principal_minor}, credit "
            f"{b.credit_minor}, interest {b.interest_minor}, fees {b.fees_minor}); propose the plans again"
        )
    if (
        sum(r.principal_minor for r in proposal.rows) != proposal.principal_minor
        or sum(r.carried_minor for r in proposal.rows) != proposal.carried_minor
    ):
        raise PlanNotAllowed("the plan's rows do not add up to its principal and carried charges")


def accept_plan(
    uow: Any, *, account_id: int, proposal: PlanProposal, business_on: date, actor: StaffActor | None = None
) -> int:
    """Accept a proposal: restructure the line's debt into the plan's installments (see the module docstring),
    post the ledger entries, close the open case (reason plan); returns the plan id. `actor`: the staff member
    who accepts it (None only off the staff paths: simulation, tests), recorded in the staff audit trail."""
    # Day-end first: close the line for every earlier date and pull it into this date's batch (re-aging).
    # It also locks the line, so a concurrent accept waits here and then sees this plan.
    close_inline(uow, [account_id], business_on)
    line, b = _acceptable(uow, account_id=account_id, proposal=proposal)
    carried_fees = b.fees_minor - proposal.waived_fees_minor
    # Rows are stored due on the date they are honoured (a proposal from propose_plans_for_account has them
    # already; the adjustment is idempotent), as a purchase's installments are.
    honoured = honoured_due_on(uow, account_id=account_id)
    due_dates = [honoured(r.due_on) for r in proposal.rows]
    statement_on = _statement_dates(due_dates, cycle_day=line.cycle_day, after=business_on)  # may refuse: no writes yet

    old_insts, old_charges = uow.plans.open_rows_of(account_id)  # what the plan closes as restructured
    # What of the carried charges day-end's running all-in cost has counted: taken out below, kept with the
    # accepted proposal (`cost_moved_minor`) so a revert puts back exactly that.
    cost_moved = _carried_cost_counted(
        uow,
        installment_ids=[r.id for r in old_insts if r.status == InstallmentStatus.BILLED],
        carried_minor=b.interest_minor + carried_fees,
        fees_carried=proposal.kind != "freeze_waive",
    )
    case_id = uow.plans.open_case_id_of(account_id)
    pid = _store_plan(
        uow,
        account_id=account_id,
        case_id=case_id,
        proposal=proposal,
        due_dates=due_dates,
        cost_moved=cost_moved,
        business_on=business_on,
    )
    uow.plans.restructure_rows(plan_id=pid, old_insts=old_insts, old_charges=old_charges)
    _add_plan_installments(
        uow,
        account_id=account_id,
        plan_id=pid,
        proposal=proposal,
        due_dates=due_dates,
        statement_on=statement_on,
        carried=split_carried(proposal.rows, interest_minor=b.interest_minor, fees_minor=carried_fees),
        business_on=business_on,
    )
    entry_ids = _post_restructure(
        uow,
        account_id=account_id,
        plan_id=pid,
        b=b,
        carried_fees_minor=carried_fees,
        waived_fees_minor=proposal.waived_fees_minor,
        currency=line.currency,
        business_on=business_on,
    )
    uow.plans.set_ledger_entries(pid, entry_ids)
    # The carried charges are counted toward the cost cap again as the rows bill: take them out now.
    _adjust_running_cost(uow, account_id=account_id, delta_minor=-cost_moved)
    problems = reconcile_line(uow, line_id=account_id)
    if problems:
        raise PlanStateInvalid("after restructuring: " + "; ".join(problems))
    uow.publish(PlanAccepted(plan_id=pid, account_id=account_id, case_id=case_id, business_on=business_on))
    _audit_acceptance(uow, actor=actor, plan_id=pid, account_id=account_id, proposal=proposal)
    return pid


def _audit_acceptance(
    uow: Any, *, actor: StaffActor | None, plan_id: int, account_id: int, proposal: PlanProposal
) -> None:
    """The staff audit rows of an acceptance: `plan.accepted`, and `plan.fee_waived` when fees are waived."""
    if actor is None:
        return
    trail = staff_audit_of(uow)
    facts = {"account_id": account_id, "kind": proposal.kind, "currency": proposal.currency}
    trail.append(
        actor=actor,
        action="plan.accepted",
        subject_kind="plan",
        subject_id=plan_id,
        details={**facts, "months": proposal.months, "waived_fees_minor": proposal.waived_fees_minor},
    )
    if proposal.waived_fees_minor > 0:
        trail.append(
            actor=actor,
            action="plan.fee_waived",
            subject_kind="plan",
            subject_id=plan_id,
            details={**facts, "amount_minor": proposal.waived_fees_minor},
        )


def _acceptable(uow: Any, *, account_id: int, proposal: PlanProposal) -> tuple[Any, Any]:
    """The locked line and its balances, once the plan is allowed: no active plan, an active line, the proposal
    still matching the balances, and the line's records agreeing with its ledger."""
    line = get_account(uow, line_id=account_id, lock=True)
    if uow.plans.has_active_plan(account_id):
        raise PlanNotAllowed(f"line {account_id} already has an active plan")
    if line.status != CreditLineStatus.ACTIVE:
        raise PlanNotAllowed(f"line {account_id} is {line.status}")
    b = balances(uow, line_id=account_id, line=line)
    _check_against_balances(proposal, b, line.currency)
    problems = reconcile_line(uow, line_id=account_id)
    if problems:
        raise PlanNotAllowed("the line's records disagree with its ledger: " + "; ".join(problems))
    return line, b


def _store_plan(
    uow: Any,
    *,
    account_id: int,
    case_id: int | None,
    proposal: PlanProposal,
    due_dates: list[date],
    cost_moved: int,
    business_on: date,
) -> int:
    """The accepted plan's record: the proposal (with the cost moved out of day-end's running cost), its rows as
    agreed, and what the line had paid before (a payment since then makes the plan irreversible)."""
    stored_proposal = json.dumps({**json.loads(_proposal_json(proposal)), COST_MOVED_KEY: cost_moved}, sort_keys=True)
    rows = [
        {"due_on": d.isoformat(), "amount_minor": r.total_minor} for r, d in zip(proposal.rows, due_dates, strict=True)
    ]
    return uow.plans.add_plan(
        account_id=account_id,
        case_id=case_id,
        kind=proposal.kind,
        proposal=stored_proposal,
        rows=json.dumps(rows),
        currency=proposal.currency,
        accepted_on=business_on,
        accepted_at=uow.clock(),
        paid_before_minor=paid_total_minor(uow, account_id=account_id),
    )


def _add_plan_installments(
    uow: Any,
    *,
    account_id: int,
    plan_id: int,
    proposal: PlanProposal,
    due_dates: list[date],
    statement_on: list[date],
    carried: list[tuple[int, int]],
    business_on: date,
) -> None:
    """The plan's rows become the line's installments (an installment plan of kind negotiated), each carrying its
    share of the owed interest and fees on top of its own."""
    starts = [business_on] + due_dates[:-1]
    uow.plans.add_plan_schedule(
        account_id=account_id,
        plan_id=plan_id,
        periods=proposal.months,
        rate=str(proposal.monthly_rate),
        principal_minor=proposal.principal_minor,
        currency=proposal.currency,
        start_on=business_on,
        created_at=uow.clock(),
        rows=[
            {
                "seq": r.seq,
                "period_start_on": start,
                "statement_on": st,
                "due_on": due_on,
                "principal_due_minor": r.principal_minor,
                "interest_due_minor": r.interest_minor + interest,
                "fee_due_minor": fees,
            }
            for r, due_on, start, st, (interest, fees) in zip(
                proposal.rows, due_dates, starts, statement_on, carried, strict=True
            )
        ],
    )


def _post_restructure(
    uow: Any,
    *,
    account_id: int,
    plan_id: int,
    b: Any,
    carried_fees_minor: int,
    waived_fees_minor: int,
    currency: str,
    business_on: date,
) -> list[int]:
    """The ledger: carried interest and fees move into the plan's rows (billed again as each falls due), a credit
    balance is set against the principal, waived fees are given back; returns the entry ids."""
    cur = currency
    entry_ids = []
    postings = []
    if b.interest_minor:
        postings += [
            (code(account_id, "interest"), Money(-b.interest_minor, cur)),
            (book(cur, "interest_income"), Money(b.interest_minor, cur)),
        ]
    if carried_fees_minor:
        postings += [
            (code(account_id, "fees"), Money(-carried_fees_minor, cur)),
            (book(cur, "fee_income"), Money(carried_fees_minor, cur)),
        ]
    if b.credit_minor:
        postings += [
            (code(account_id, "credit"), Money(b.credit_minor, cur)),
            (code(account_id, "principal"), Money(-b.credit_minor, cur)),
        ]
    if postings:
        entry_ids.append(
            ledger.post_entry(
                uow,
                key=f"plan-restructure:{plan_id}",
                kind=PLAN_RESTRUCTURE_KIND,
                business_on=business_on,
                postings=postings,
                description=f"negotiated plan #{plan_id}: owed interest and fees moved into the plan's installments",
            ).id
        )
    if waived_fees_minor > 0:
        waived = Money(waived_fees_minor, cur)
        entry_ids.append(
            ledger.post_entry(
                uow,
                key=f"plan-waiver:{plan_id}",
                kind=PLAN_WAIVER_KIND,
                business_on=business_on,
                postings=[(code(account_id, "fees"), -waived), (book(cur, "fee_income"), waived)],
                description=f"negotiated plan #{plan_id}: fees waived",
            ).id
        )
    return entry_ids


def _carried_cost_counted(uow: Any, *, installment_ids: list[int], carried_minor: int, fees_carried: bool) -> int:
    """Of the interest and fees a plan carries (`carried_minor`), what day-end's running all-in cost has counted.

    Day-end counts revolving interest as it accrues, a late fee when it is assessed, and an installment's interest
    and fees when the installment falls due (its own `billed` flag); a statement bills an installment earlier, on
    its statement date. So the unpaid interest (and fees, unless the plan waived them) of a restructured
    installment billed by a statement but not yet due is carried without ever having been counted: it is left
    out. `installment_ids`: the restructured installments that were billed.
    """
    uncounted = 0
    if installment_ids:
        uncounted = uow.plans.uncounted_carried_minor(installment_ids, fees_carried=fees_carried)
    counted = carried_minor - uncounted
    if counted < 0:
        raise PlanStateInvalid(f"the plan carries {carried_minor}, less than its rows' uncounted {uncounted}")
    return counted


def _adjust_running_cost(uow: Any, *, account_id: int, delta_minor: int) -> None:
    """Move day-end's running all-in cost of the line (what the late-fee cost cap limits) by `delta_minor`.

    A line day-end has not enrolled has no running cost yet: the update touches no row.
    """
    if delta_minor:
        uow.dayend.adjust_cost_charged(account_id, delta_minor)


def plan_installments(uow: Any, *, plan_id: int) -> list[Any]:
    """The servicing installments that carry out a negotiated plan (empty for a plan from before restructuring)."""
    return uow.plans.plan_installments(plan_id)


def revert_plan(uow: Any, *, plan_id: int, business_on: date, actor: StaffActor | None = None) -> None:
    """Undo an accepted plan while it is the latest action on the line (no payment, promise or billing since):
    the original installments and charges come back exactly, the plan's installments go, the entries are reversed.
    `actor`: the staff member who reverts it, recorded in the staff audit trail (`plan.reverted`)."""
    plan = uow.plans.find_plan(plan_id)
    if plan is None or plan.status != PlanStatus.ACTIVE:
        raise PlanNotAllowed(f"plan {plan_id} is not active")
    # Lock the line (inline close first, as every writer does), then read the plan again: a concurrent
    # payment, check or revert has either finished or waits for us.
    close_inline(uow, [plan.account_id], business_on)
    get_account(uow, line_id=plan.account_id, lock=True)
    plan = uow.plans.plan(plan_id)
    if plan.status != PlanStatus.ACTIVE:
        raise PlanNotAllowed(f"plan {plan_id} is not active")
    if paid_total_minor(uow, account_id=plan.account_id) != plan.paid_before_minor:
        raise PlanNotAllowed(f"plan {plan_id}: a payment was taken since it was accepted")
    if uow.plans.promise_recorded_since(plan.account_id, plan.accepted_at):
        raise PlanNotAllowed(f"plan {plan_id}: a promise was recorded since it was accepted")
    rows = plan_installments(uow, plan_id=plan_id)
    # (A refund can have cancelled rows it emptied: that is the refund check's, below.)
    if any(
        r.status not in (InstallmentStatus.SCHEDULED, InstallmentStatus.CANCELLED) or r.billed_statement_id is not None
        for r in rows
    ):
        raise PlanNotAllowed(f"plan {plan_id}: a statement has billed its installments since it was accepted")
    if not _rows_as_accepted(uow, plan, rows):
        raise PlanNotAllowed(f"plan {plan_id}: a refund was credited to its installments since it was accepted")
    for entry_id in json.loads(plan.ledger_entry_ids):
        ledger.reverse_entry(uow, entry_id=entry_id, key=f"plan-revert:{plan_id}:{entry_id}", business_on=business_on)
    items = uow.plans.restructured_items(plan_id)
    for kind in ("installment", "charge"):
        for status in sorted({it.status_before for it in items if it.target_kind == kind}):
            ids = [it.target_id for it in items if it.target_kind == kind and it.status_before == status]
            restored = uow.plans.restore_restructured(target_kind=kind, ids=ids, status=status)
            if restored != len(ids):
                raise PlanStateInvalid(f"plan {plan_id}: {len(ids) - restored} restructured {kind}s changed since")
    # The carried charges count toward the cost cap as they did before: what acceptance took out goes back
    # (a plan accepted before acceptance took any out has no record of it, and nothing goes back).
    _adjust_running_cost(
        uow, account_id=plan.account_id, delta_minor=int(json.loads(plan.proposal).get(COST_MOVED_KEY, 0))
    )
    uow.plans.drop_plan_schedule(plan_id, installment_ids=[r.id for r in rows])
    uow.plans.end_plan(plan_id, status=PlanStatus.REVERTED, ended_on=business_on)
    uow.publish(
        PlanReverted(plan_id=plan_id, account_id=plan.account_id, case_id=plan.case_id, business_on=business_on)
    )
    if actor is not None:
        staff_audit_of(uow).append(
            actor=actor,
            action="plan.reverted",
            subject_kind="plan",
            subject_id=plan_id,
            details={"account_id": plan.account_id, "kind": plan.kind},
        )


def honoured_due_on(uow: Any, *, account_id: int) -> Callable[[date], date]:
    """The date a row due on a given date is honoured on for this line: day-end's business-day adjustment
    (the product's calendar and rule, as `fairdue.domain.dayend.kernel.effective_due_dates` applies it; statements
    use the same calendar)."""
    return _honoured_under(product_of(uow, get_account(uow, line_id=account_id)))


def _honoured_under(product: Any) -> Callable[[date], date]:
    """`honoured_due_on` for a line of this product."""
    return lambda due_on: adjust_due_on(due_on, product)


def _plan_state(
    uow: Any, plan: Any, business_on: date, *, honoured: Callable[[date], date], rows: list[Any]
) -> PlanStatus:
    """'completed', 'broken' or 'active' for an active plan as of business_on; honoured: the line's
    `honoured_due_on`, rows: the plan's `plan_installments`.

    A row is missed the day after its business-day-adjusted due date (a row due on a holiday is honoured on
    the next business day, as day-end ages it), not the day after the contractual date.
    """
    if rows:

        def unpaid(r: Any) -> int:
            return (
                r.principal_due_minor
                + r.interest_due_minor
                + r.fee_due_minor
                - r.principal_paid_minor
                - r.interest_paid_minor
                - r.fee_paid_minor
            )

        if all(r.status in (InstallmentStatus.PAID, InstallmentStatus.CANCELLED) for r in rows):
            return PlanStatus.COMPLETED
        if any(honoured(r.due_on) < business_on and unpaid(r) > 0 for r in rows):
            return PlanStatus.BROKEN
        return PlanStatus.ACTIVE
    # A plan recorded before plans restructured the debt: compare what was paid with what was due.
    json_rows = json.loads(plan.rows)
    paid = paid_total_minor(uow, account_id=plan.account_id) - plan.paid_before_minor
    due = sum(r["amount_minor"] for r in json_rows if honoured(date.fromisoformat(r["due_on"])) < business_on)
    if paid >= sum(r["amount_minor"] for r in json_rows):
        return PlanStatus.COMPLETED
    return PlanStatus.BROKEN if paid < due else PlanStatus.ACTIVE


def _active_plans_with_rows(uow: Any) -> list[tuple[Any, Callable[[date], date], list[Any]]]:
    """Each active plan with its line's `honoured_due_on` and its `plan_installments`, oldest plan first."""
    plans = uow.plans.active_plans()
    plan_ids, line_ids = [p.id for p in plans], sorted({p.account_id for p in plans})
    rows = uow.plans.installments_of_plans(plan_ids)
    product_ids = uow.plans.product_ids_of_lines(line_ids)

    return [
        (
            plan,
            _honoured_under(get_product(uow, product_id=product_ids[plan.account_id]).product),
            rows.get(plan.id, []),
        )
        for plan in plans
    ]


def check_plans(uow: Any, *, business_on: date) -> int:
    """Day-end: break plans with an installment unpaid after its due date (reopening the case), complete paid ones.

    A broken plan's debt stays restructured: its installments are the line's schedule from then on, and
    day-end ages them (late fee, DPD, buckets) like any other installments. A broken plan whose installments
    are all paid later is completed too (see `complete_if_paid`); returns how many plans broke.
    """
    # Broken plans repaid since: one query (broken plans pile up; those a later plan restructured never qualify).
    for plan_id in uow.plans.repaid_broken_plan_ids():
        complete_if_paid(uow, plan_id=plan_id, on=business_on)
    broken = 0
    # Read up front: nothing below changes an active plan's installments or its line's product.
    for plan, honoured, rows in _active_plans_with_rows(uow):
        state = _plan_state(uow, plan, business_on, honoured=honoured, rows=rows)
        if state == PlanStatus.ACTIVE:
            continue
        uow.plans.end_plan(plan.id, status=state, ended_on=business_on)
        if state == PlanStatus.BROKEN:
            uow.publish(PlanBroken(plan_id=plan.id, account_id=plan.account_id, business_on=business_on))
            broken += 1
        else:
            uow.publish(PlanCompleted(plan_id=plan.id, account_id=plan.account_id, business_on=business_on))
    return broken


def live_plan_of(uow: Any, *, installment_ids: list[int]) -> tuple[Any, list[Any]]:
    """The negotiated plan whose installments carry these restructured installments now, with its installments.

    A plan can restructure an earlier (broken) plan's rows, so the chain is followed to the plan whose rows
    are not restructured themselves. PlanStateInvalid when the items name no plan or several.
    """
    ids = list(installment_ids)
    for _ in range(PLAN_CHAIN_MAX):
        plan_ids = uow.plans.plans_restructuring_installments(ids)
        if len(plan_ids) != 1:
            raise PlanStateInvalid(f"restructured installments {ids} belong to plans {sorted(plan_ids)}, not one")
        (pid,) = plan_ids
        rows = plan_installments(uow, plan_id=pid)
        later = [r.id for r in rows if r.status == RESTRUCTURED]
        if not later:
            return uow.plans.plan(pid), rows
        ids = later
    raise PlanStateInvalid(f"installments {installment_ids}: more than {PLAN_CHAIN_MAX} plans restructured them")


def own_interest_by_seq(uow: Any, *, plan_id: int) -> dict[int, int]:
    """Per row seq: the plan's own interest (an extension's); the rest of a row's interest is carried interest."""
    proposal = uow.plans.proposal_of(plan_id)
    return {r["seq"]: r["interest_minor"] for r in json.loads(proposal)["rows"]}


def _rows_as_accepted(uow: Any, plan: Any, rows: list[Any]) -> bool:
    """True while the plan's installments still carry the amounts accepted (a refund credited to them changes them)."""
    proposed = {r["seq"]: r for r in json.loads(plan.proposal)["rows"]}
    return all(
        r.seq in proposed
        and r.principal_due_minor == proposed[r.seq]["principal_minor"]
        and r.interest_due_minor + r.fee_due_minor
        == proposed[r.seq]["interest_minor"] + proposed[r.seq]["carried_minor"]
        for r in rows
    )


@dataclass(frozen=True, slots=True)
class PlanRefundCredit:
    """What a refund of goods did to the negotiated plan that carries the purchase's debt.

    principal_minor: taken off the plan rows' unpaid principal (newest rows first).
    credit_minor: the refunded principal the rows could not take (already repaid): the borrower's credit.
    interest_waived_minor / fees_waived_minor: the purchase's billed, unpaid interest and fees that the plan
      carried, taken off the rows' unpaid carried charges (newest rows first); what was paid stays paid.
    late_fees_waived_minor: the unpaid late fees (违约金) day-end assessed on the purchase's installments before
      the plan, which the plan carried (0 when a freeze_waive plan waived them already), waived the same way.
    """

    plan_id: int
    principal_minor: int
    credit_minor: int
    interest_waived_minor: int
    fees_waived_minor: int
    late_fees_waived_minor: int = 0


def credit_refund_to_plan(
    uow: Any, *, line_id: int, currency: str, purchase_id: int, restructured: list[Any], refunded_on: date, key: str
) -> PlanRefundCredit:
    """A refund of goods whose installments a negotiated plan restructured: the refund reduces the negotiated
    debt instead of rows that no longer carry it.

    What the purchase still owed when restructured (its unpaid principal, and its billed unpaid interest and fees
    unless the plan waived the fees) comes off the live plan's unpaid rows, newest rows first — Fineract applies
    a merchant-issued refund to a re-aged schedule the same way (future installments, last first), and any
    excess becomes the borrower's credit (its overpayment). The late fees day-end charged on the purchase's
    installments and the plan carried are waived with it: the goods went back, so the lateness on them is not
    billed to the borrower (a refund emptying a row of principal would otherwise leave it owing only that fee);
    billed rows' share is posted as a fee waiver (kind `plan_fee_waiver`). Billed rows' waived charges leave the
    ledger; unbilled rows' charges were never on it. Rows left with nothing owed are closed (paid or cancelled).

    An extension plan with interest still to pay is refused (PlanNotAllowed): that interest was computed on
    the refunded principal and is not recomputed here (Fineract re-ages interest-bearing loans only with
    interest recalculation, FINERACT-2354); the operator reverts the plan while possible.
    The caller has reversed the purchase entry and moved the principal repaid before the plan to credit.
    """
    ids = [r.id for r in restructured]
    plan, rows = live_plan_of(uow, installment_ids=ids)
    first = uow.plans.plan_restructuring_installment(ids[0])
    own = own_interest_by_seq(uow, plan_id=plan.id)
    if any(own.get(r.seq, 0) for r in rows if r.status in OPEN_INSTALLMENT_STATUSES):
        raise PlanNotAllowed(
            f"purchase {purchase_id} is carried by extension plan #{plan.id}, whose interest still to pay was "
            f"computed on the refunded principal and is not recomputed: revert the plan while it is the latest "
            f"action on the line, or refund once its interest-bearing rows are paid or a freeze plan replaces it"
        )
    before = uow.plans.installment_statuses_before(first.id, ids)
    left_p = sum(r.principal_due_minor - r.principal_paid_minor for r in restructured)
    billed = [r for r in restructured if before[r.id] == InstallmentStatus.BILLED]
    left_i = sum(r.interest_due_minor - r.interest_paid_minor for r in billed)
    left_f = 0 if first.kind == "freeze_waive" else sum(r.fee_due_minor - r.fee_paid_minor for r in billed)
    left_l = 0 if first.kind == "freeze_waive" else _late_fees_carried(uow, plan_id=first.id, installment_ids=ids)
    taken_p = waived_i = waived_f = waived_l = billed_i = billed_f = billed_l = 0
    for r in sorted(rows, key=lambda r: r.seq, reverse=True):
        if r.status not in OPEN_INSTALLMENT_STATUSES:
            continue
        dp = min(left_p, r.principal_due_minor - r.principal_paid_minor)
        di = min(left_i, r.interest_due_minor - r.interest_paid_minor)
        df = min(left_f, r.fee_due_minor - r.fee_paid_minor)
        dl = min(left_l, r.fee_due_minor - r.fee_paid_minor - df)
        if not (dp or di or df or dl):
            continue
        left_p, left_i, left_f, left_l = left_p - dp, left_i - di, left_f - df, left_l - dl
        taken_p, waived_i, waived_f, waived_l = taken_p + dp, waived_i + di, waived_f + df, waived_l + dl
        if r.status == InstallmentStatus.BILLED:
            billed_i, billed_f, billed_l = billed_i + di, billed_f + df, billed_l + dl
        owed = (r.principal_due_minor - dp, r.interest_due_minor - di, r.fee_due_minor - df - dl)
        status = None
        if owed == (r.principal_paid_minor, r.interest_paid_minor, r.fee_paid_minor):
            paid_any = r.principal_paid_minor + r.interest_paid_minor + r.fee_paid_minor
            status = InstallmentStatus.PAID if paid_any else InstallmentStatus.CANCELLED
        uow.plans.set_installment_owed(
            r.id, principal_due_minor=owed[0], interest_due_minor=owed[1], fee_due_minor=owed[2], status=status
        )
    postings = []
    if left_p:
        postings += [
            (code(line_id, "principal"), Money(left_p, currency)),
            (code(line_id, "credit"), Money(-left_p, currency)),
        ]
    if billed_i:
        postings += [
            (book(currency, "interest_income"), Money(billed_i, currency)),
            (code(line_id, "interest"), Money(-billed_i, currency)),
        ]
    if billed_f:
        postings += [
            (book(currency, "fee_income"), Money(billed_f, currency)),
            (code(line_id, "fees"), Money(-billed_f, currency)),
        ]
    if postings:
        ledger.post_entry(
            uow,
            key=f"refund-plan:{key}",
            kind="refund_adjustment",
            business_on=refunded_on,
            postings=postings,
            description=f"refund of purchase {purchase_id} credited to negotiated "
            f"plan #{plan.id}: excess to credit, billed carried charges waived",
        )
    if billed_l:
        waived = Money(billed_l, currency)
        ledger.post_entry(
            uow,
            key=f"refund-plan-waiver:{key}",
            kind=PLAN_WAIVER_KIND,
            business_on=refunded_on,
            postings=[(code(line_id, "fees"), -waived), (book(currency, "fee_income"), waived)],
            description=f"refund of purchase {purchase_id}: its late fees carried by negotiated plan #{plan.id} waived",
        )
    complete_if_paid(uow, plan_id=plan.id, on=refunded_on)
    return PlanRefundCredit(plan.id, taken_p, left_p, waived_i, waived_f, waived_l)


def late_fee_installment_id(idempotency_key: str) -> int | None:
    """The installment a day-end late fee was assessed on, from its charge's key
    (`dayend:<date>:late_fee:<line id>:<installment id>`, fairdue.domain.dayend.kernel `_entries`); None otherwise."""
    parts = idempotency_key.split(":")
    if len(parts) != LATE_FEE_KEY_PARTS or parts[0] != "dayend" or parts[2] != "late_fee" or not parts[4].isdigit():
        return None
    return int(parts[4])


def _late_fees_carried(uow: Any, *, plan_id: int, installment_ids: list[int]) -> int:
    """The unpaid late fees on these installments that plan `plan_id` restructured (carried into its rows)."""
    wanted = set(installment_ids)
    fees = uow.plans.late_fees_restructured_by(plan_id)
    return sum(f.amount_minor - f.paid_minor for f in fees if late_fee_installment_id(f.idempotency_key) in wanted)


def complete_if_paid(uow: Any, *, plan_id: int, on: date) -> bool:
    """Mark a negotiated plan completed once its installments are all paid or cancelled (as check_plans would).

    An active plan, or a broken one: a broken plan's installments stay the line's schedule and day-end ages
    them, so once they are all paid the debt the plan restructured is repaid and the plan is `completed`
    (ended on that date). That it broke stays on record where it happened: the case check_plans reopened on
    the day it broke, and the late fees and overdue days day-end gave its installments. A broken plan whose
    rows a later plan restructured never completes: its installments are `restructured`, not paid.
    """
    rows = plan_installments(uow, plan_id=plan_id)
    if not rows or not all(r.status in (InstallmentStatus.PAID, InstallmentStatus.CANCELLED) for r in rows):
        return False
    done = uow.plans.end_plan(plan_id, status=PlanStatus.COMPLETED, ended_on=on, if_status_in=COMPLETABLE_STATUSES)
    if done:
        account_id = uow.plans.account_of_plan(plan_id)
        uow.publish(PlanCompleted(plan_id=plan_id, account_id=account_id, business_on=on))
    return bool(done)
