"""Refunds, early payoffs and due dates on a line whose debt a negotiated plan restructured (SQLite and
PostgreSQL): a refund of goods reduces the plan's rows (newest first, the excess to credit), the plan's
installments can be paid off whole, the purchase's own restructured plan cannot, and a plan row due on a
holiday is missed only after the business day day-end honours it on.

The line is test_plan_restructure's (hand-checked there): on 2026-02-01 it owes principal 40,000.00
(A 30,000.00 as 3 × 10,000.00 zero-fee, row 1 billed; B 10,000.00 in full, billed), interest 25.00 (B's
revolving interest) and fees 400.00 (two late fees). The freeze plan accepted on 2-01 has 10 rows of
principal 4,000.00; row 1 carries the 25.00 interest and 17.50 of fees, rows 2–10 carry 42.50 of fees.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from portfolio_helpers import cn_borrower, cn_line, cn_ric, load_products
from test_collections import CIPHER
from test_plan_restructure import ACCEPT_ON, _ledger, _proposal, line  # noqa: F401  (line is a fixture)

from fairdue.adapters.db.schema.accounts import installment_plans, purchases
from fairdue.adapters.db.schema.collections_engine import coll_plans
from fairdue.domain.money import Money
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import reconcile_line
from fairdue.service.servicing.payments import early_payoff, pay
from fairdue.service.servicing.plans import (
    DebtRestructured,
    PlanNotAllowed,
    accept_plan,
    check_plans,
    plan_installments,
    propose_plans_for_account,
    revert_plan,
)
from fairdue.service.servicing.purchases import purchase, refund_purchase


def _purchase_ids(conn, line_id):
    """{idempotency key: (purchase id, its installment plan id)}."""
    return {
        k: (pid, plan)
        for k, pid, plan in conn.execute(
            sa.select(purchases.c.idempotency_key, purchases.c.id, installment_plans.c.id)
            .join(installment_plans, installment_plans.c.purchase_id == purchases.c.id)
            .where(purchases.c.credit_line_id == line_id)
        )
    }


def _rows(uow, pid):
    return [
        (r.principal_due_minor, r.interest_due_minor, r.fee_due_minor, r.status)
        for r in plan_installments(uow, plan_id=pid)
    ]


def _plan_status(conn, pid):
    return conn.execute(sa.select(coll_plans.c.status).where(coll_plans.c.id == pid)).scalar_one()


def _ok(uow, line_id):
    assert reconcile_line(uow, line_id=line_id) == [] and ledger.verify(uow).ok


def test_a_refund_reduces_the_plans_rows_newest_first(uow_factory, line):
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        a, _a_plan = _purchase_ids(uow.connection, line)["pa"]
        # A owed 30,000.00 of principal when restructured (nothing repaid, no interest on a zero-fee plan):
        # rows 10..4 lose their 4,000.00 each (28,000.00), row 3 keeps 4,000.00 − 2,000.00; A's 200.00 late fee
        # is waived off rows 10..7 (42.50 each) and 30.00 of row 6; B's late fee stays.
        refund_purchase(uow, purchase_id=a, refunded_on=date(2026, 2, 2), key="ra")
        assert (
            _rows(uow, pid)
            == [
                (400_000, 2_500, 1_750, "scheduled"),
                (400_000, 0, 4_250, "scheduled"),
                (200_000, 0, 4_250, "scheduled"),
            ]
            + [(0, 0, 4_250, "scheduled")] * 2
            + [(0, 0, 1_250, "scheduled")]
            + [(0, 0, 0, "cancelled")] * 4
        )
        assert _ledger(uow, line) == {"principal": 1_000_000, "interest": 0, "fees": 0, "credit": 0}
        _ok(uow, line)
        # The rows no longer carry what was accepted: the plan cannot be reverted to the refunded purchase's rows.
        with pytest.raises(PlanNotAllowed, match="refund was credited"):
            revert_plan(uow, plan_id=pid, business_on=date(2026, 2, 2))
        uow.commit()


def test_a_refund_beyond_the_plans_unpaid_principal_becomes_credit(uow_factory, line):
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 20))  # the 2-05 statement bills row 1
    with uow_factory() as uow:
        pay(uow, line_id=line, amount=Money(404_250, "CNY"), received_on=date(2026, 2, 20), key="row1")
        keys = _purchase_ids(uow.connection, line)
        refund_purchase(uow, purchase_id=keys["pa"][0], refunded_on=date(2026, 2, 21), key="ra")
        # Rows 2..10 owed 36,000.00 of principal; A takes 30,000.00 (rows 10..4, then 2,000.00 of row 3).
        assert [r[0] for r in _rows(uow, pid)] == [400_000, 400_000, 200_000] + [0] * 7
        assert _ledger(uow, line) == {"principal": 600_000, "interest": 0, "fees": 0, "credit": 0}
        _ok(uow, line)
        # B's 10,000.00 meets only 6,000.00 unpaid: the 4,000.00 the borrower repaid in row 1 is theirs again.
        refund_purchase(uow, purchase_id=keys["pb"][0], refunded_on=date(2026, 2, 21), key="rb")
        assert _rows(uow, pid) == [(400_000, 2_500, 1_750, "paid")] + [(0, 0, 0, "cancelled")] * 9
        assert _ledger(uow, line) == {"principal": 0, "interest": 0, "fees": 0, "credit": 400_000}
        _ok(uow, line)
        # The late fees the plan carried were A's and B's, waived with the goods (row 1's 17.50 was paid): done.
        assert _plan_status(uow.connection, pid) == "completed"
        uow.commit()


def test_an_extension_plan_refuses_a_refund_and_writes_nothing(uow_factory, line):
    with uow_factory() as uow:
        accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "extend"), business_on=ACCEPT_ON)
        uow.commit()
    with uow_factory() as uow:
        a = _purchase_ids(uow.connection, line)["pa"][0]
        with pytest.raises(PlanNotAllowed, match="extension plan"):
            refund_purchase(uow, purchase_id=a, refunded_on=date(2026, 2, 2), key="ra")
    with uow_factory() as uow:
        assert uow.connection.execute(sa.select(purchases.c.status).where(purchases.c.id == a)).scalar_one() == "posted"
        assert _ledger(uow, line) == {"principal": 4_000_000, "interest": 0, "fees": 0, "credit": 0}


def test_a_purchases_restructured_plan_cannot_be_paid_off_by_itself(uow_factory, line):
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        a_plan = _purchase_ids(uow.connection, line)["pa"][1]
        negotiated = plan_installments(uow, plan_id=pid)[0].plan_id
        with pytest.raises(DebtRestructured, match=f"negotiated plan #{pid}.*installment plan {negotiated}"):
            early_payoff(uow, plan_id=a_plan, paid_on=date(2026, 2, 2), key="po-a")


def test_paying_off_a_freeze_plan_pays_the_whole_restructured_debt(uow_factory, line):
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 10))  # row 1 billed on 2-05
    with uow_factory() as uow:
        negotiated = plan_installments(uow, plan_id=pid)[0].plan_id
        res = early_payoff(uow, plan_id=negotiated, paid_on=date(2026, 2, 10), key="po")
        # Nothing is time-based on a freeze: 40,000.00 principal + 25.00 interest + 400.00 fees, all carried.
        assert res.payment.amount_minor == 4_042_500
        assert (res.payment.principal_minor, res.payment.interest_minor, res.payment.fees_minor) == (
            4_000_000,
            2_500,
            40_000,
        )
        assert _ledger(uow, line) == {"principal": 0, "interest": 0, "fees": 0, "credit": 0}
        # Row 1 (billed) and row 2 (billed by the payoff with rows 2..10's 36,000.00 and 382.50) paid; 3..10 cancelled.
        assert (
            _rows(uow, pid)
            == [(400_000, 2_500, 1_750, "paid"), (3_600_000, 0, 38_250, "paid")] + [(0, 0, 0, "cancelled")] * 8
        )
        assert _plan_status(uow.connection, pid) == "completed"
        _ok(uow, line)
        assert check_plans(uow, business_on=date(2026, 3, 30)) == 0  # nothing left to break
        # Goods returned after the payoff: the plan has nothing left to reduce, A's 30,000.00 is the borrower's credit.
        refund_purchase(
            uow, purchase_id=_purchase_ids(uow.connection, line)["pa"][0], refunded_on=date(2026, 2, 11), key="ra"
        )
        assert _ledger(uow, line) == {"principal": 0, "interest": 0, "fees": 0, "credit": 3_000_000}
        _ok(uow, line)
        uow.commit()


def test_paying_off_an_extension_plan_prorates_only_its_own_interest(uow_factory, line):
    with uow_factory() as uow:
        plan = _proposal(uow, line, "extend")
        pid = accept_plan(uow, account_id=line, proposal=plan, business_on=ACCEPT_ON)
        negotiated = plan_installments(uow, plan_id=pid)[0].plan_id
        own1 = plan.rows[0].interest_minor
        # Row 1's own interest: one month at 1.5% on 40,000.00 = 600.00, from 2-01 to its due date 2-25.
        assert own1 == 60_000
        res = early_payoff(uow, plan_id=negotiated, paid_on=date(2026, 2, 3), key="po")
        # 2 of 24 days used: 600.00 × 2 / 24 = 50.00; later rows' interest dropped; carried 25.00 + 400.00 in full.
        assert (res.quote.days_used, res.quote.days_in_period, res.quote.interest_minor) == (2, 24, 5_000)
        assert res.payment.amount_minor == 4_000_000 + 5_000 + 2_500 + 40_000
        assert (res.payment.interest_minor, res.payment.fees_minor) == (7_500, 40_000)
        assert _ledger(uow, line) == {"principal": 0, "interest": 0, "fees": 0, "credit": 0}
        assert _plan_status(uow.connection, pid) == "completed"
        _ok(uow, line)


def test_paying_off_an_extension_plan_inside_a_billed_period_waives_its_unused_days(uow_factory, line):
    with uow_factory() as uow:
        pid = accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "extend"), business_on=ACCEPT_ON)
        negotiated = plan_installments(uow, plan_id=pid)[0].plan_id
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 10))  # 2-05 bills row 1: 600.00 own + 25.00 carried interest
    with uow_factory() as uow:
        res = early_payoff(uow, plan_id=negotiated, paid_on=date(2026, 2, 10), key="po")
        # Row 1's period 2-01..2-25: 9 of 24 days used, 600.00 × 9 / 24 = 225.00 kept, 375.00 waived; row 2's
        # period has not begun (nothing); the carried 25.00 interest and 400.00 fees are not pro-rated.
        assert (res.waived_interest_minor, res.waived_fees_minor, res.quote.interest_minor) == (37_500, 0, 0)
        assert res.payment.amount_minor == 4_000_000 + 22_500 + 2_500 + 40_000
        assert _ledger(uow, line) == {"principal": 0, "interest": 0, "fees": 0, "credit": 0}
        assert _plan_status(uow.connection, pid) == "completed"
        _ok(uow, line)


@pytest.fixture
def holiday_line(uow_factory):
    """Cycle day 15: a plan accepted on 2026-08-20 has its first row due 9-15 + 20 days = 10-05, in the National
    Day break (10-01..10-07); the CN calendar honours it on 10-08, the first business day after."""
    with uow_factory() as uow:
        load_products(uow)
        bid = cn_borrower(
            uow, cipher=CIPHER, name="赵六", id_number=cn_ric(8), mobile="13800138008", address="北京市东城区示例路8号"
        )
        line_id = cn_line(
            uow, borrower_id=bid, key="open-holiday", limit_minor=5_000_000, cycle_day=15, opened_on=date(2026, 8, 1)
        )
        purchase(uow, line_id=line_id, amount=Money(1_200_000, "CNY"), purchased_on=date(2026, 8, 3), key="ph")
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 8, 19))
    return line_id


def test_a_plan_row_due_on_a_holiday_is_missed_after_the_honoured_business_day(uow_factory, holiday_line):
    with uow_factory() as uow:
        proposals = propose_plans_for_account(
            uow,
            account_id=holiday_line,
            monthly_income_minor=1_000_000,
            monthly_expenses_minor=480_000,
            as_of=date(2026, 8, 20),
        )
        freeze = next(p for p in proposals if p.kind == "freeze")
        pid = accept_plan(uow, account_id=holiday_line, proposal=freeze, business_on=date(2026, 8, 20))
        assert plan_installments(uow, plan_id=pid)[0].due_on == date(2026, 10, 8)  # stored as honoured
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 10, 8))  # the 9-15 statement billed row 1; it is unpaid
    with uow_factory() as uow:
        # The day after the contractual date (10-05), and on the honoured date itself, the plan stands.
        assert check_plans(uow, business_on=date(2026, 10, 6)) == 0
        assert check_plans(uow, business_on=date(2026, 10, 8)) == 0
        assert _plan_status(uow.connection, pid) == "active"
        # The day after 10-08 it is missed.
        assert check_plans(uow, business_on=date(2026, 10, 9)) == 1
        assert _plan_status(uow.connection, pid) == "broken"
        _ok(uow, holiday_line)


def test_a_refund_after_a_broken_plan_reaches_the_plan_that_restructured_it(uow_factory, line):
    with uow_factory() as uow:
        accept_plan(uow, account_id=line, proposal=_proposal(uow, line, "freeze"), business_on=ACCEPT_ON)
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 3, 1))  # row 1 (due 2-25) missed
    with uow_factory() as uow:
        assert check_plans(uow, business_on=date(2026, 2, 26)) == 1
        proposals = propose_plans_for_account(
            uow, account_id=line, monthly_income_minor=1_000_000, monthly_expenses_minor=480_000, as_of=date(2026, 3, 2)
        )
        second = accept_plan(
            uow,
            account_id=line,
            proposal=next(p for p in proposals if p.kind == "freeze"),
            business_on=date(2026, 3, 2),
        )
        # A's rows -> the first plan's rows (restructured again) -> the second plan's 10 rows of 4,000.00.
        refund_purchase(
            uow, purchase_id=_purchase_ids(uow.connection, line)["pa"][0], refunded_on=date(2026, 3, 3), key="ra"
        )
        assert [r[0] for r in _rows(uow, second)] == [400_000, 400_000, 200_000] + [0] * 7
        assert _ledger(uow, line)["principal"] == 1_000_000
        _ok(uow, line)


@pytest.fixture
def fee_line(uow_factory):
    """Cycle day 5: C 12,000.00 as 6 × 2,000.00 flat-fee installments (0.6% = 72.00 a month) bought 1-03;
    the 1-05 statement bills row 1 (2,000.00 + 72.00 fee, due 1-26)."""
    with uow_factory() as uow:
        load_products(uow)
        bid = cn_borrower(
            uow, cipher=CIPHER, name="钱七", id_number=cn_ric(9), mobile="13800138009", address="北京市东城区示例路9号"
        )
        line_id = cn_line(uow, borrower_id=bid, key="open-fee", limit_minor=5_000_000)
        purchase(
            uow,
            line_id=line_id,
            amount=Money(1_200_000, "CNY"),
            purchased_on=date(2026, 1, 3),
            key="pc",
            plan="6-flat_fee",
        )
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 1, 19))
    return line_id


def test_a_refund_waives_the_goods_billed_fee_the_plan_carried(uow_factory, fee_line):
    on = date(2026, 1, 20)
    with uow_factory() as uow:
        assert _ledger(uow, fee_line) == {"principal": 1_200_000, "interest": 0, "fees": 7_200, "credit": 0}
        proposals = propose_plans_for_account(
            uow, account_id=fee_line, monthly_income_minor=1_000_000, monthly_expenses_minor=480_000, as_of=on
        )
        freeze = next(p for p in proposals if p.kind == "freeze")
        # 3 rows: 12,000.00 / 3 + 72.00 / 3 = 4,024.00 fits 4,160.00 (2 rows would be 6,036.00).
        pid = accept_plan(uow, account_id=fee_line, proposal=freeze, business_on=on)
        assert _rows(uow, pid) == [(400_000, 0, 2_400, "scheduled")] * 3
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 6))  # 2-05 bills row 1: 4,000.00 + 24.00 on the ledger
    with uow_factory() as uow:
        assert _ledger(uow, fee_line) == {"principal": 1_200_000, "interest": 0, "fees": 2_400, "credit": 0}
        fee_income = ledger.balance(uow, "book:CNY:fee_income", normal=True).amount_minor
        refund_purchase(
            uow, purchase_id=_purchase_ids(uow.connection, fee_line)["pc"][0], refunded_on=date(2026, 2, 6), key="rc"
        )
        # All 12,000.00 comes off the rows; the 72.00 fee billed on C comes off rows 3, 2 (unbilled) and 1
        # (billed: its 24.00 leaves the ledger and fee income). Nothing was paid: every row is cancelled.
        assert _rows(uow, pid) == [(0, 0, 0, "cancelled")] * 3
        assert _ledger(uow, fee_line) == {"principal": 0, "interest": 0, "fees": 0, "credit": 0}
        assert ledger.balance(uow, "book:CNY:fee_income", normal=True).amount_minor == fee_income - 2_400
        assert _plan_status(uow.connection, pid) == "completed"
        _ok(uow, fee_line)
