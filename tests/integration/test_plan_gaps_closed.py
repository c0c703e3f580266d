"""Four gaps of negotiated plans, closed (SQLite and PostgreSQL): the charges a plan carries are not counted twice
toward the all-in cost cap, a broken plan repaid later is completed, plan rows are stored due on the day they are
honoured, and a refund of goods waives the late fees of the refunded purchase that the plan carried.

The line is test_plan_restructure's (hand-checked there): on 2026-02-01 it owes principal 40,000.00 (A 30,000.00
as 3 × 10,000.00 zero-fee, row 1 billed; B 10,000.00 in full, billed), interest 25.00 (B's revolving interest) and
fees 400.00 (a 200.00 late fee on A's row 1 and one on B, both assessed 1-30), all counted toward the cost cap.
"""

from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa
from test_plan_refund_payoff import _plan_status, _purchase_ids, _rows, holiday_line  # noqa: F401  (fixture)
from test_plan_restructure import ACCEPT_ON, _ledger, _proposal, line  # noqa: F401  (line is a fixture)

from fairdue.adapters.db.schema.accounts import charges
from fairdue.adapters.db.schema.collections_engine import coll_cases, coll_plans
from fairdue.adapters.db.schema.dayend import dayend_account, dayend_event_outbox
from fairdue.adapters.db.schema.ledger import ledger_entry
from fairdue.domain.money import Money
from fairdue.service.collections import engine as coll
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import balances, reconcile_line
from fairdue.service.servicing.payments import pay
from fairdue.service.servicing.plans import (
    PLAN_WAIVER_KIND,
    accept_plan,
    check_plans,
    plan_installments,
    propose_plans_for_account,
    revert_plan,
)
from fairdue.service.servicing.purchases import refund_purchase
from fairdue.service.servicing.statements import get_statement

CARRIED = 2_500 + 40_000  # the interest and fees a freeze plan carries on 2-01
CAP_BPS, DAYS_PER_YEAR, BPS_FULL = 2_400, 365, 10_000  # cn-ecard-std: annual_cost_cap 0.24


def _cost(conn, line_id):
    return conn.execute(
        sa.select(dayend_account.c.cost_charged_minor).where(dayend_account.c.account_id == line_id)
    ).scalar_one()


def _ok(uow, line_id):
    assert reconcile_line(uow, line_id=line_id) == [] and ledger.verify(uow).ok


# -- 1. the all-in cost cap counts carried charges once ----------------------------------------------------
def test_accepting_takes_the_carried_charges_out_of_the_running_cost_and_a_revert_puts_them_back(uow_factory, line):
    with uow_factory() as uow:
        plan = _proposal(uow, line, "freeze")
        uow.commit()  # the proposal's inline close: the line's cost is up to date through 1-31
    with uow_factory() as uow:
        before = _cost(uow.connection, line)
        assert before >= CARRIED  # the 25.00 interest and both late fees were counted when charged
        pid = accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)
        assert _cost(uow.connection, line) == before - CARRIED
        revert_plan(uow, plan_id=pid, business_on=ACCEPT_ON)
        assert _cost(uow.connection, line) == before


def test_a_freeze_waive_plan_takes_out_only_the_interest_it_carries(uow_factory, line):
    with uow_factory() as uow:
        plan = _proposal(uow, line, "freeze_waive")
        assert plan.carried_minor == 2_500
        before = _cost(uow.connection, line)
        accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)
        assert _cost(uow.connection, line) == before - 2_500


def test_a_billed_plan_row_is_counted_once_and_a_late_fee_that_fits_the_cap_is_not_cut(uow_factory, line):
    with uow_factory() as uow:
        plan = _proposal(uow, line, "freeze")
        uow.commit()
    with uow_factory() as uow:
        before = _cost(uow.connection, line)
        pid = accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)
        uow.commit()
    # Row 1 (25.00 interest + 17.50 fees, all carried) falls due 2-25 and day-end counts it; it stays unpaid.
    run_day_end(uow_factory, through_on=date(2026, 2, 28))
    with uow_factory() as uow:
        conn = uow.connection
        # Every carried charge counted once: rows 2..10's 382.50 count when they bill, not twice.
        assert _cost(conn, line) == before - CARRIED + 4_250
        # The cap nearly used: other cost brings the headroom on 3-01 (the day row 1 is overdue) to exactly its
        # late fee, min(5% × 4,042.50, 200.00) = 200.00. Counting row 1's carried 42.50 twice would cut it.
        acc = conn.execute(
            sa.select(dayend_account.c.principal_days_minor, dayend_account.c.accrued_through_on).where(
                dayend_account.c.account_id == line
            )
        ).one()
        principal_days = acc.principal_days_minor + 4_000_000 * (date(2026, 3, 1) - acc.accrued_through_on).days
        allowance = CAP_BPS * principal_days // (BPS_FULL * DAYS_PER_YEAR)
        other = allowance - 20_000 - (before - CARRIED + 4_250)
        assert other > 0
        conn.execute(
            dayend_account.update()
            .where(dayend_account.c.account_id == line)
            .values(cost_charged_minor=dayend_account.c.cost_charged_minor + other)
        )
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 3, 1))
    with uow_factory() as uow:
        conn = uow.connection
        assert (
            conn.execute(
                sa.select(dayend_account.c.principal_days_minor).where(dayend_account.c.account_id == line)
            ).scalar_one()
            == principal_days
        )
        fees = (
            conn.execute(
                sa.select(charges.c.amount_minor).where(
                    charges.c.credit_line_id == line,
                    charges.c.kind == "late_fee",
                    charges.c.charged_on == date(2026, 3, 1),
                )
            )
            .scalars()
            .all()
        )
        assert fees == [20_000]
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(dayend_event_outbox)
                .where(dayend_event_outbox.c.account_id == line, dayend_event_outbox.c.kind == "fee_capped")
            ).scalar_one()
            == 0
        )
        assert _cost(conn, line) == allowance  # used to the fen, not beyond
        assert [r.status for r in plan_installments(uow, plan_id=pid)][:2] == ["billed", "scheduled"]
        _ok(uow, line)


# -- 2. a broken plan repaid later is completed ------------------------------------------------------------
def test_a_broken_plan_whose_rows_are_all_paid_later_is_completed(uow_factory, line):
    with uow_factory() as uow:
        # Income enough for one row: 40,000.00 + 25.00 + 400.00, due 2-25.
        proposals = propose_plans_for_account(
            uow, account_id=line, monthly_income_minor=10_000_000, monthly_expenses_minor=480_000, as_of=ACCEPT_ON
        )
        one = next(p for p in proposals if p.kind == "freeze")
        assert one.months == 1 and one.rows[0].due_on == date(2026, 2, 25)
        pid = accept_plan(uow, account_id=line, proposal=one, business_on=ACCEPT_ON)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 3, 1))  # row 1 unpaid: overdue 3-01 with a 200.00 late fee
    with uow_factory() as uow:
        assert check_plans(uow, business_on=date(2026, 2, 26)) == 1
        assert _plan_status(uow.connection, pid) == "broken"
        broke_case = coll.open_case_of(uow, account_id=line)
        assert broke_case.opened_on == date(2026, 2, 26)
        assert check_plans(uow, business_on=date(2026, 3, 1)) == 0  # still unpaid: stays broken
        assert _plan_status(uow.connection, pid) == "broken"
        owed = balances(uow, line_id=line).owed_minor
        assert owed == 4_042_500 + 20_000
        pay(uow, line_id=line, amount=Money(owed, "CNY"), received_on=date(2026, 3, 2), key="all")
        assert [r[3] for r in _rows(uow, pid)] == ["paid"]
        assert check_plans(uow, business_on=date(2026, 3, 2)) == 0  # completing is not breaking
        plan = uow.connection.execute(sa.select(coll_plans).where(coll_plans.c.id == pid)).one()
        assert (plan.status, plan.ended_on) == ("completed", date(2026, 3, 2))
        # The break stays on record: the case reopened the day it broke.
        assert (
            uow.connection.execute(
                sa.select(sa.func.count())
                .select_from(coll_cases)
                .where(coll_cases.c.id == broke_case.id, coll_cases.c.opened_on == date(2026, 2, 26))
            ).scalar_one()
            == 1
        )
        _ok(uow, line)


def test_a_broken_plan_a_later_plan_restructured_stays_broken(uow_factory, line):
    with uow_factory() as uow:
        first = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 3, 1))
    with uow_factory() as uow:
        assert check_plans(uow, business_on=date(2026, 2, 26)) == 1
        proposals = propose_plans_for_account(
            uow,
            account_id=line,
            monthly_income_minor=10_000_000,
            monthly_expenses_minor=480_000,
            as_of=date(2026, 3, 2),
        )
        second = accept_plan(
            uow,
            account_id=line,
            proposal=next(p for p in proposals if p.kind == "freeze"),
            business_on=date(2026, 3, 2),
        )
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 3, 10))  # 3-05 bills the second plan's one row
    with uow_factory() as uow:
        pay(
            uow,
            line_id=line,
            amount=Money(balances(uow, line_id=line).owed_minor, "CNY"),
            received_on=date(2026, 3, 10),
            key="all",
        )
        assert check_plans(uow, business_on=date(2026, 3, 10)) == 0
        assert (_plan_status(uow.connection, first), _plan_status(uow.connection, second)) == ("broken", "completed")


# -- 3. plan rows are stored due on the day they are honoured ----------------------------------------------
def test_a_row_due_in_a_holiday_is_stored_due_on_the_business_day_the_statement_shows(uow_factory, holiday_line):
    on = date(2026, 8, 20)
    with uow_factory() as uow:
        proposals = propose_plans_for_account(
            uow, account_id=holiday_line, monthly_income_minor=1_000_000, monthly_expenses_minor=480_000, as_of=on
        )
        freeze = next(p for p in proposals if p.kind == "freeze")
        # 9-15 + 20 days = 10-05, in the National Day break: honoured (and shown) on 10-08.
        assert freeze.rows[0].due_on == date(2026, 10, 8)
        pid = accept_plan(uow, account_id=holiday_line, proposal=freeze, business_on=on)
        rows = plan_installments(uow, plan_id=pid)
        assert (rows[0].statement_on, rows[0].due_on) == (date(2026, 9, 15), date(2026, 10, 8))
        stored = json.loads(
            uow.connection.execute(sa.select(coll_plans.c.rows).where(coll_plans.c.id == pid)).scalar_one()
        )
        assert stored[0]["due_on"] == "2026-10-08"  # what the plan's reminders count back from
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 10, 9))
    with uow_factory() as uow:
        # The statement that billed the row is due the same day; day-end honours that day, not a later one.
        assert get_statement(uow, line_id=holiday_line, statement_on=date(2026, 9, 15)).due_on == date(2026, 10, 8)
        due = [
            json.loads(p)
            for p in uow.connection.execute(
                sa.select(dayend_event_outbox.c.payload).where(
                    dayend_event_outbox.c.account_id == holiday_line,
                    dayend_event_outbox.c.kind == "installment_due",
                    dayend_event_outbox.c.business_on == date(2026, 10, 8),
                )
            ).scalars()
        ]
        assert len(due) == 1
        assert check_plans(uow, business_on=date(2026, 10, 8)) == 0
        assert check_plans(uow, business_on=date(2026, 10, 9)) == 1
        _ok(uow, holiday_line)


# -- 4. a refund of goods waives the purchase's late fees the plan carried -------------------------------------
def test_a_refund_waives_the_refunded_purchases_late_fee_from_the_emptied_rows(uow_factory, line):
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        a = _purchase_ids(uow.connection, line)["pa"][0]
        refund_purchase(uow, purchase_id=a, refunded_on=date(2026, 2, 2), key="ra")
        # A's 30,000.00 comes off rows 10..4 and half of row 3; A's 200.00 late fee off rows 10..7 (42.50 each)
        # and 30.00 of row 6. Rows 10..7 owe nothing and are cancelled; B's late fee and interest stay.
        assert (
            _rows(uow, pid)
            == [
                (400_000, 2_500, 1_750, "scheduled"),
                (400_000, 0, 4_250, "scheduled"),
                (200_000, 0, 4_250, "scheduled"),
                (0, 0, 4_250, "scheduled"),
                (0, 0, 4_250, "scheduled"),
                (0, 0, 1_250, "scheduled"),
            ]
            + [(0, 0, 0, "cancelled")] * 4
        )
        # Nothing was billed: the rows' fees were off the ledger since the acceptance, so no entry is needed.
        assert _ledger(uow, line) == {"principal": 1_000_000, "interest": 0, "fees": 0, "credit": 0}
        assert sum(r[2] for r in _rows(uow, pid)) == 20_000
        _ok(uow, line)


def test_a_refund_after_billing_posts_the_late_fee_waiver_through_the_ledger(uow_factory, line):
    with uow_factory() as uow:
        # One row (income enough): 40,000.00 principal, 25.00 interest and 400.00 fees, billed 2-05, due 2-25.
        proposals = propose_plans_for_account(
            uow, account_id=line, monthly_income_minor=10_000_000, monthly_expenses_minor=480_000, as_of=ACCEPT_ON
        )
        pid = accept_plan(
            uow, account_id=line, proposal=next(p for p in proposals if p.kind == "freeze"), business_on=ACCEPT_ON
        )
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 6))
    with uow_factory() as uow:
        assert _rows(uow, pid) == [(4_000_000, 2_500, 40_000, "billed")]
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 2_500, "fees": 40_000, "credit": 0}
        fee_income = ledger.balance(uow, "book:CNY:fee_income", normal=True).amount_minor
        refund_purchase(
            uow, purchase_id=_purchase_ids(uow.connection, line)["pa"][0], refunded_on=date(2026, 2, 6), key="ra"
        )
        # A's 30,000.00 and its 200.00 late fee come off the billed row; B's late fee and interest stay owed.
        assert _rows(uow, pid) == [(1_000_000, 2_500, 20_000, "billed")]
        assert _ledger(uow, line) == {"principal": 1_000_000, "interest": 2_500, "fees": 20_000, "credit": 0}
        assert ledger.balance(uow, "book:CNY:fee_income", normal=True).amount_minor == fee_income - 20_000
        waiver = uow.connection.execute(
            sa.select(ledger_entry.c.kind, ledger_entry.c.business_on).where(
                ledger_entry.c.idempotency_key == "refund-plan-waiver:ra"
            )
        ).one()
        assert tuple(waiver) == (PLAN_WAIVER_KIND, date(2026, 2, 6))
        _ok(uow, line)


def test_a_freeze_waive_plan_has_no_late_fee_left_to_waive(uow_factory, line):
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze_waive"), business_on=ACCEPT_ON)
        before = [r[2] for r in _rows(uow, pid)]
        assert sum(before) == 0  # the fees were waived when the plan was accepted
        refund_purchase(
            uow, purchase_id=_purchase_ids(uow.connection, line)["pa"][0], refunded_on=date(2026, 2, 2), key="ra"
        )
        assert [r[2] for r in _rows(uow, pid)] == before
        _ok(uow, line)


def test_a_refund_without_a_plan_waives_the_purchases_late_fee_too(uow_factory, line):
    with uow_factory() as uow:
        # No plan: A's row 1 and B each carry a 200.00 late fee (open charges), B 25.00 of revolving interest.
        fee_income = ledger.balance(uow, "book:CNY:fee_income", normal=True).amount_minor
        refund_purchase(uow, purchase_id=_purchase_ids(uow.connection, line)["pa"][0], refunded_on=ACCEPT_ON, key="ra")
        assert _ledger(uow, line) == {"principal": 1_000_000, "interest": 2_500, "fees": 20_000, "credit": 0}
        assert ledger.balance(uow, "book:CNY:fee_income", normal=True).amount_minor == fee_income - 20_000
        late = uow.connection.execute(
            sa.select(charges.c.status, sa.func.count())
            .where(charges.c.credit_line_id == line, charges.c.kind == "late_fee")
            .group_by(charges.c.status)
        ).all()
        assert dict(late) == {"open": 1, "waived": 1}
        _ok(uow, line)
