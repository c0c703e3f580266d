"""An accepted negotiated plan restructures the debt (SQLite and PostgreSQL): the line's installments become the
plan's rows, day-end re-ages the line and stops ageing the old rows, no revolving interest accrues on a freeze,
the ledger stays exact and verifiable, a revert restores everything, a missed plan row breaks and reopens.

The line (hand-checked figures, product cn-ecard-std: cycle day 5, due 20 days after the statement, grace 3,
late fee 5% capped at CNY 200.00, revolving 0.05% a day):
  1-03  purchase A 30,000.00 as 3 × 10,000.00 zero-fee installments; purchase B 10,000.00 in full (revolving)
  1-05  statement bills A's row 1 and B, due 1-25 (a Sunday) -> 1-26
  1-30  both overdue (1-26 + 3 days grace): two late fees of min(5% × 10,000.00, 200.00) = 200.00 each
  1-27..1-31  B's 10,000.00 accrues 5.00 a day: 25.00 of interest
so on 2-01 the line owes principal 40,000.00, interest 25.00, fees 400.00, DPD 6 (M1).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from portfolio_helpers import cn_borrower, cn_line, cn_ric, load_products, staff_user
from test_collections import CIPHER

from fairdue.adapters.db.schema.accounts import charges, installment_plans, installments, plan_restructured_items
from fairdue.adapters.db.schema.dayend import dayend_account, dayend_bucket_history
from fairdue.domain.money import Money
from fairdue.service.collections import engine as coll
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.ledger import journal as ledger
from fairdue.service.portal.lines import plans_of_line
from fairdue.service.servicing.accounts import balances, reconcile_line
from fairdue.service.servicing.payments import pay
from fairdue.service.servicing.plans import (
    PlanNotAllowed,
    accept_plan,
    check_plans,
    plan_installments,
    propose_plans_for_account,
    revert_plan,
)
from fairdue.service.servicing.purchases import purchase
from fairdue.service.servicing.statements import get_statement

ACCEPT_ON = date(2026, 2, 1)
# Surplus 5,200.00 a month, of which 80% (4,160.00) is affordable.
INCOME, EXPENSES = 1_000_000, 480_000


@pytest.fixture
def line(uow_factory):
    with uow_factory() as uow:
        load_products(uow)
        bid = cn_borrower(
            uow, cipher=CIPHER, name="王五", id_number=cn_ric(7), mobile="13800138007", address="北京市东城区示例路7号"
        )
        line_id = cn_line(uow, borrower_id=bid, key="open-restructure", limit_minor=5_000_000)
        purchase(
            uow,
            line_id=line_id,
            amount=Money(3_000_000, "CNY"),
            purchased_on=date(2026, 1, 3),
            key="pa",
            plan="3-zero_fee",
        )
        purchase(uow, line_id=line_id, amount=Money(1_000_000, "CNY"), purchased_on=date(2026, 1, 3), key="pb")
        agent = staff_user(uow, "agent-r")
        coll.create_team(uow, code="early", name="Early", buckets="*", staff_ids=(agent,))
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 1, 31))
    coll.consume_events(uow_factory)  # the overdue line gets a case
    return line_id


def _proposal(uow, line_id, kind):
    proposals = propose_plans_for_account(
        uow, account_id=line_id, monthly_income_minor=INCOME, monthly_expenses_minor=EXPENSES, as_of=ACCEPT_ON
    )
    return next(p for p in proposals if p.kind == kind)


def _snapshot(conn, line_id):
    inst = conn.execute(
        sa.select(installments).where(installments.c.credit_line_id == line_id).order_by(installments.c.id)
    ).all()
    chg = conn.execute(sa.select(charges).where(charges.c.credit_line_id == line_id).order_by(charges.c.id)).all()
    return [tuple(r) for r in inst], [tuple(r) for r in chg]


def _ledger(uow, line_id):
    return {
        part: ledger.balance(uow, f"cl:{line_id}:{part}", normal=True).amount_minor
        for part in ("principal", "interest", "fees", "credit")
    }


def _state(conn, line_id):
    return conn.execute(
        sa.select(dayend_account.c.bucket, dayend_account.c.dpd).where(dayend_account.c.account_id == line_id)
    ).one()


def test_the_line_before_any_plan_is_as_hand_checked(uow_factory, line):
    with uow_factory() as uow:
        proposals = propose_plans_for_account(
            uow, account_id=line, monthly_income_minor=INCOME, monthly_expenses_minor=EXPENSES, as_of=ACCEPT_ON
        )
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 2_500, "fees": 40_000, "credit": 0}
        assert _state(uow.connection, line) == ("M1", 5)  # closed through 1-31: 1-31 − 1-26
        assert coll.open_case_of(uow, account_id=line) is not None
        assert {p.kind for p in proposals} == {"extend", "freeze", "freeze_waive"}


def test_a_freeze_plan_replaces_the_installments_and_day_end_no_longer_ages_them(uow_factory, line):
    with uow_factory() as uow:
        plan = _proposal(uow, line, "freeze")
        # 10 rows: 40,000.00 / 10 principal + (25.00 + 400.00) / 10 carried = 4,042.50 (9 rows would be 4,491.67 > 4,160.00)
        assert plan.months == 10 and [r.total_minor for r in plan.rows] == [404_250] * 10
        income_before = (
            ledger.balance(uow, "book:CNY:interest_income", normal=True).amount_minor,
            ledger.balance(uow, "book:CNY:fee_income", normal=True).amount_minor,
        )
        open_charges = uow.connection.execute(
            sa.select(sa.func.count())
            .select_from(charges)
            .where(charges.c.credit_line_id == line, charges.c.status == "open")
        ).scalar_one()
        pid = accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)
        conn = uow.connection
        rows = plan_installments(uow, plan_id=pid)
        # Due on the statement due dates from 2-25 on, billed by the statement of the 5th before each; 4-25 is a
        # Saturday, so row 3 is stored due on the Monday it is honoured (as the 4-05 statement shows it).
        assert [(r.statement_on, r.due_on) for r in rows[:3]] == [
            (date(2026, 2, 5), date(2026, 2, 25)),
            (date(2026, 3, 5), date(2026, 3, 25)),
            (date(2026, 4, 5), date(2026, 4, 27)),
        ]
        assert [(r.principal_due_minor, r.interest_due_minor, r.fee_due_minor) for r in rows] == [
            (400_000, 2_500, 1_750)
        ] + [(400_000, 0, 4_250)] * 9  # the carried interest fills row 1 first
        assert all(r.status == "scheduled" for r in rows)
        # The old rows: A's three installments and B, and every open charge, closed as restructured.
        old = conn.execute(
            sa.select(installments.c.status, sa.func.count())
            .where(installments.c.credit_line_id == line, installments.c.plan_id != rows[0].plan_id)
            .group_by(installments.c.status)
        ).all()
        assert dict(old) == {"restructured": 4}
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(charges)
                .where(charges.c.credit_line_id == line, charges.c.status == "restructured")
            ).scalar_one()
            == open_charges
            >= 3
        )
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(plan_restructured_items)
                .where(plan_restructured_items.c.plan_id == pid)
            ).scalar_one()
            == 4 + open_charges
        )
        # The ledger: the carried 25.00 interest and 400.00 fees wait in the rows; income is recognised again
        # when each row is billed.
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 0, "fees": 0, "credit": 0}
        assert (
            ledger.balance(uow, "book:CNY:interest_income", normal=True).amount_minor,
            ledger.balance(uow, "book:CNY:fee_income", normal=True).amount_minor,
        ) == (income_before[0] - 2_500, income_before[1] - 40_000)
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok
        assert coll.open_case_of(uow, account_id=line) is None
        uow.commit()

    # Day-end re-reads the line on the acceptance date: DPD 0, current bucket (re-aged).
    run_day_end(uow_factory, through_on=date(2026, 2, 20))
    with uow_factory() as uow:
        assert _state(uow.connection, line) == ("current", 0)
        moves = uow.connection.execute(
            sa.select(
                dayend_bucket_history.c.business_on,
                dayend_bucket_history.c.bucket_from,
                dayend_bucket_history.c.bucket_to,
            )
            .where(dayend_bucket_history.c.account_id == line)
            .order_by(dayend_bucket_history.c.id)
        ).all()
        assert [tuple(m) for m in moves] == [(date(2026, 1, 30), "current", "M1"), (ACCEPT_ON, "M1", "current")]
        # The 2-05 statement billed row 1 (its carried 25.00 interest and 17.50 fees are receivable again).
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 2_500, "fees": 1_750, "credit": 0}
        # The statement and the borrower's schedule page show the plan's rows.
        due = [
            x.description
            for x in get_statement(uow, line_id=line, statement_on=date(2026, 2, 5)).lines
            if x.kind == "due"
        ]
        assert len(due) == 1 and "(negotiated) installment 1/10" in due[0]
        views = {v.kind: v for v in plans_of_line(uow, line, "CN")}
        assert [i.status for i in views["negotiated"].installments] == ["billed"] + ["scheduled"] * 9
        assert {i.status for i in views["zero_fee"].installments} == {"restructured"}
        pay(uow, line_id=line, amount=Money(404_250, "CNY"), received_on=date(2026, 2, 20), key="row1")
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 3, 20))
    with uow_factory() as uow:
        conn = uow.connection
        # Honoured across every day-end since 2-01: no late fee, no revolving interest, no bucket move.
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(charges)
                .where(charges.c.credit_line_id == line, charges.c.charged_on >= ACCEPT_ON)
            ).scalar_one()
            == 0
        )
        assert (
            conn.execute(
                sa.select(sa.func.count())
                .select_from(dayend_bucket_history)
                .where(dayend_bucket_history.c.account_id == line, dayend_bucket_history.c.business_on > ACCEPT_ON)
            ).scalar_one()
            == 0
        )
        assert _state(conn, line) == ("current", 0)
        assert check_plans(uow, business_on=date(2026, 3, 20)) == 0
        # Row 2 billed on 3-05: principal 40,000.00 − 4,000.00 paid; interest 0; fees 42.50.
        assert _ledger(uow, line) == {"principal": 3_600_000, "interest": 0, "fees": 4_250, "credit": 0}
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok
        # Row 2 (due 3-25) is missed: the plan breaks the day after and the case reopens.
        assert check_plans(uow, business_on=date(2026, 3, 25)) == 0
        assert check_plans(uow, business_on=date(2026, 3, 26)) == 1
        assert coll.open_case_of(uow, account_id=line).opened_on == date(2026, 3, 26)
        uow.commit()
    # Broken: the debt stays restructured and day-end ages the plan's rows (3-25 + 3 days grace -> overdue 3-29).
    run_day_end(uow_factory, through_on=date(2026, 3, 29))
    with uow_factory() as uow:
        conn = uow.connection
        assert _state(conn, line) == ("M1", 4)
        fees = conn.execute(
            sa.select(charges.c.kind, charges.c.amount_minor, charges.c.charged_on).where(
                charges.c.credit_line_id == line, charges.c.status == "open"
            )
        ).all()
        assert [tuple(f) for f in fees] == [("late_fee", 20_000, date(2026, 3, 29))]  # min(5% × 4,042.50, 200.00)
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok


def test_an_extension_plan_carries_its_own_interest_and_the_carried_charges(uow_factory, line):
    with uow_factory() as uow:
        plan = _proposal(uow, line, "extend")
        # 1.5% a month (0.05% a day × 30): 11 rows fit 4,160.00, 10 would not.
        assert plan.months == 11 and plan.monthly_rate == Decimal("0.015")
        pid = accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)
        rows = plan_installments(uow, plan_id=pid)
        assert sum(r.principal_due_minor for r in rows) == 4_000_000
        # Row 2's interest is one month at 1.5% on what row 1 left (half up to the fen).
        left = 4_000_000 - rows[0].principal_due_minor
        assert plan.rows[1].interest_minor == (left * 15 + 500) // 1000
        # Installment interest = the plan's interest + the carried interest (25.00 fills row 1); fees carried.
        assert rows[0].interest_due_minor == plan.rows[0].interest_minor + 2_500
        assert [r.interest_due_minor for r in rows[1:]] == [r.interest_minor for r in plan.rows[1:]]
        assert sum(r.fee_due_minor for r in rows) == 40_000
        assert [r.principal_due_minor + r.interest_due_minor + r.fee_due_minor for r in rows] == [
            r.total_minor for r in plan.rows
        ]
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 0, "fees": 0, "credit": 0}
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 10))
    with uow_factory() as uow:
        # Billed on 2-05: row 1's interest (the plan's + the carried 25.00) and its carried fees.
        assert _ledger(uow, line) == {
            "principal": 4_000_000,
            "interest": rows[0].interest_due_minor,
            "fees": rows[0].fee_due_minor,
            "credit": 0,
        }
        assert _state(uow.connection, line) == ("current", 0)
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok


def test_revert_restores_the_installments_charges_and_ledger_exactly(uow_factory, line):
    with uow_factory() as uow:
        plan = _proposal(uow, line, "freeze_waive")
        assert plan.waived_fees_minor == 40_000 and plan.carried_minor == 2_500
        uow.commit()  # the inline close of the proposal
    with uow_factory() as uow:
        before = _snapshot(uow.connection, line), _ledger(uow, line)
        pid = accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 0, "fees": 0, "credit": 0}
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 3))
    with uow_factory() as uow:
        assert _state(uow.connection, line) == ("current", 0)
        revert_plan(uow, plan_id=pid, business_on=date(2026, 2, 4))
        assert (_snapshot(uow.connection, line), _ledger(uow, line)) == before
        assert (
            uow.connection.execute(
                sa.select(sa.func.count())
                .select_from(installment_plans)
                .where(installment_plans.c.kind == "negotiated")
            ).scalar_one()
            == 0
        )
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok
        assert coll.open_case_of(uow, account_id=line) is not None
        uow.commit()
    # Day-end sees the original installments again: overdue since 1-26, so DPD 9 on 2-04, back in M1.
    run_day_end(uow_factory, through_on=date(2026, 2, 4))
    with uow_factory() as uow:
        assert _state(uow.connection, line) == ("M1", 9)
        assert balances(uow, line_id=line).fees_minor == 40_000  # no second late fee for the same occurrence


def test_no_revert_once_a_statement_billed_the_plan(uow_factory, line):
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 5))
    with uow_factory() as uow, pytest.raises(PlanNotAllowed, match="statement has billed"):
        revert_plan(uow, plan_id=pid, business_on=date(2026, 2, 6))


def test_a_stale_proposal_is_refused(uow_factory, line):
    with uow_factory() as uow:
        plan = _proposal(uow, line, "freeze")
        pay(uow, line_id=line, amount=Money(10_000, "CNY"), received_on=ACCEPT_ON, key="before-plan")
        with pytest.raises(PlanNotAllowed, match="balances changed"):
            accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)


def test_a_credit_balance_is_set_against_the_restructured_principal(uow_factory, line):
    with uow_factory() as uow:
        # Everything billed (A's row 1, B, 25.00 interest, 400.00 fees = 20,425.00) paid, and 575.00 more: credit.
        pay(uow, line_id=line, amount=Money(2_100_000, "CNY"), received_on=ACCEPT_ON, key="all-billed")
        assert _ledger(uow, line) == {"principal": 2_000_000, "interest": 0, "fees": 0, "credit": 57_500}
        plan = _proposal(uow, line, "freeze")
        assert plan.principal_minor == 2_000_000 - 57_500 and plan.carried_minor == 0
        uow.commit()
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)
        assert sum(r.principal_due_minor for r in plan_installments(uow, plan_id=pid)) == 1_942_500
        assert _ledger(uow, line) == {"principal": 1_942_500, "interest": 0, "fees": 0, "credit": 0}
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok
        revert_plan(uow, plan_id=pid, business_on=ACCEPT_ON)
        assert _ledger(uow, line) == {"principal": 2_000_000, "interest": 0, "fees": 0, "credit": 57_500}
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok


def test_a_new_plan_after_a_broken_one_restructures_the_broken_plans_rows(uow_factory, line):
    with uow_factory() as uow:
        first = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 3, 1))  # row 1 (due 2-25) unpaid: overdue on 3-01
    with uow_factory() as uow:
        assert check_plans(uow, business_on=date(2026, 2, 26)) == 1
        assert _state(uow.connection, line) == ("M1", 4)
        # Row 1 billed on 2-05 (25.00 interest, 17.50 fees) plus its late fee min(5% × 4,042.50, 200.00).
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 2_500, "fees": 1_750 + 20_000, "credit": 0}
        uow.commit()
    with uow_factory() as uow:
        proposals = propose_plans_for_account(
            uow, account_id=line, monthly_income_minor=INCOME, monthly_expenses_minor=EXPENSES, as_of=date(2026, 3, 2)
        )
        waive = next(p for p in proposals if p.kind == "freeze_waive")
        assert waive.waived_fees_minor == 21_750 and waive.carried_minor == 2_500
        before = _snapshot(uow.connection, line), _ledger(uow, line)
        second = accept_plan(uow, account_id=line, proposal=waive, business_on=date(2026, 3, 2))
        assert {r.status for r in plan_installments(uow, plan_id=first)} == {"restructured"}
        assert plan_installments(uow, plan_id=second)[0].due_on == date(2026, 3, 25)
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 0, "fees": 0, "credit": 0}
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok
        revert_plan(uow, plan_id=second, business_on=date(2026, 3, 2))
        assert (_snapshot(uow.connection, line), _ledger(uow, line)) == before
        assert reconcile_line(uow, line_id=line) == [] and ledger.verify(uow).ok
