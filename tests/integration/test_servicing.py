"""Servicing on SQLite and PostgreSQL: purchases become plans, statements bill them, payments follow the waterfall,
early payoff charges only days used, refunds and reversals undo by reversing entries — and every step keeps the ledger whole."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.accounts import installments, payments, purchases
from fairdue.domain.money import Money
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import (
    AccountNotActive,
    IdempotencyKeyReused,
    UnknownAccount,
    balances,
    close_account,
    open_account,
    post_charge,
)
from fairdue.service.servicing.payments import NotReversible, early_payoff, pay, reverse_payment
from fairdue.service.servicing.products import load_product_file
from fairdue.service.servicing.purchases import OverLimit, purchase, refund_purchase
from fairdue.service.servicing.statements import generate_statement, get_statement

CIPHER = FieldCipher(Keyring.generate())
RIC = "11010519491231002X"


def cny(major: str) -> Money:
    return Money.parse(major, "CNY")


@pytest.fixture
def line_id(uow_factory):
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        bid = register_borrower(
            uow,
            data={
                "name": "张三",
                "id_number": RIC,
                "postal_region": "CN-11",
                "mobiles": [{"number": "13800138000", "source": "contract"}],
            },
            cipher=CIPHER,
        )
        line = open_account(
            uow,
            borrower_id=bid,
            product_code="cn-ecard-std",
            limit=cny("20000"),
            cycle_day=5,
            opened_on=date(2026, 1, 2),
            key="open-1",
        )
        uow.commit()
    return line.id


def verify_ok(uow) -> None:
    report = ledger.verify(uow)
    assert report.ok, [str(d) for d in report.drifts] + [str(i) for i in report.imbalances]


def count(uow, table) -> int:
    return uow.connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_purchase_as_plan_statement_and_waterfall(uow_factory, line_id):
    with uow_factory() as uow:
        p1 = purchase(uow, line_id=line_id, amount=cny("1200"), purchased_on=date(2026, 1, 3), key="p1", plan="12")
        purchase(uow, line_id=line_id, amount=cny("300"), purchased_on=date(2026, 1, 4), key="p2")
        assert (p1.kind, p1.periods, len(p1.rows)) == ("annuity", 12, 12)
        assert sum(r.principal_minor for r in p1.rows) == 120_000
        assert p1.rows[0].statement_on == date(2026, 1, 5) and p1.rows[0].due_on == date(2026, 1, 26)
        assert p1.rows[1].due_on == date(2026, 2, 25)
        st = generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        first = p1.rows[0]
        assert st.amount_due_minor == first.principal_minor + first.interest_minor + 30_000
        # Installment in full + max(10% × 300, floor 100).
        assert st.minimum_due_minor == first.principal_minor + first.interest_minor + 10_000
        assert st.closing_balance_minor == 150_000 + first.interest_minor
        assert [ln.kind for ln in st.lines] == ["purchase", "purchase", "billing", "due", "due"]
        assert (
            st.opening_balance_minor + sum(ln.amount_minor for ln in st.lines if ln.kind != "due")
            == st.closing_balance_minor
        )
        assert generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5)).id == st.id  # idempotent
        res = pay(uow, line_id=line_id, amount=cny("200"), received_on=date(2026, 1, 20), key="pay-1")
        # Oldest first: both items are due 2026-01-26; interest of the plan before principal.
        assert (res.fees_minor, res.interest_minor, res.principal_minor, res.unapplied_minor) == (
            0,
            first.interest_minor,
            20_000 - first.interest_minor,
            0,
        )
        assert balances(uow, line_id=line_id).owed_minor == 150_000 + first.interest_minor - 20_000
        verify_ok(uow)
        uow.commit()


def test_payment_is_idempotent_by_key(uow_factory, line_id):
    with uow_factory() as uow:
        purchase(uow, line_id=line_id, amount=cny("300"), purchased_on=date(2026, 1, 3), key="p")
        generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        a = pay(uow, line_id=line_id, amount=cny("100"), received_on=date(2026, 1, 10), key="k")
        b = pay(uow, line_id=line_id, amount=cny("100"), received_on=date(2026, 1, 10), key="k")
        assert (b.payment_id, b.created, a.created) == (a.payment_id, False, True)
        assert count(uow, payments) == 1
        with pytest.raises(IdempotencyKeyReused):
            pay(uow, line_id=line_id, amount=cny("101"), received_on=date(2026, 1, 10), key="k")
        uow.commit()


def test_overpayment_becomes_credit_applied_on_next_statement(uow_factory, line_id):
    with uow_factory() as uow:
        purchase(uow, line_id=line_id, amount=cny("300"), purchased_on=date(2026, 1, 3), key="p")
        generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        res = pay(uow, line_id=line_id, amount=cny("500"), received_on=date(2026, 1, 10), key="k")
        assert res.unapplied_minor == 20_000
        purchase(uow, line_id=line_id, amount=cny("150"), purchased_on=date(2026, 1, 20), key="p2")
        st = generate_statement(uow, line_id=line_id, statement_on=date(2026, 2, 5))
        assert st.amount_due_minor == 0 and st.minimum_due_minor == 0
        b = balances(uow, line_id=line_id)
        assert (b.credit_minor, b.principal_minor, b.owed_minor) == (5_000, 0, -5_000)
        verify_ok(uow)


def test_over_limit_unknown_and_closed_accounts_write_nothing(uow_factory, line_id):
    with uow_factory() as uow:
        before = (count(uow, purchases), ledger.verify(uow).entries_checked)
        with pytest.raises(OverLimit, match=r"exceeds the available credit CNY 20,000\.00"):
            purchase(uow, line_id=line_id, amount=cny("20000.01"), purchased_on=date(2026, 1, 3), key="big")
        with pytest.raises(UnknownAccount, match="unknown account 999"):
            purchase(uow, line_id=999, amount=cny("1"), purchased_on=date(2026, 1, 3), key="x")
        assert (count(uow, purchases), ledger.verify(uow).entries_checked) == before
        close_account(uow, line_id=line_id, closed_on=date(2026, 1, 3))
        with pytest.raises(AccountNotActive, match=r"account .* is closed; cannot make a purchase"):
            purchase(uow, line_id=line_id, amount=cny("1"), purchased_on=date(2026, 1, 3), key="y")
        with pytest.raises(AccountNotActive):
            pay(uow, line_id=line_id, amount=cny("1"), received_on=date(2026, 1, 3), key="z")
        assert count(uow, purchases) == before[0]


def test_early_payoff_charges_interest_only_for_days_used(uow_factory, line_id):
    with uow_factory() as uow:
        p = purchase(uow, line_id=line_id, amount=cny("1200"), purchased_on=date(2026, 1, 3), key="p", plan="12")
        generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        r1 = p.rows[0]
        pay(
            uow,
            line_id=line_id,
            amount=Money(r1.principal_minor + r1.interest_minor, "CNY"),
            received_on=date(2026, 1, 26),
            key="k1",
        )
        # Period 2 runs 2026-01-26 .. 2026-02-25 (30 days); pay off on 02-10: 15 days.
        res = early_payoff(uow, plan_id=p.plan_id, paid_on=date(2026, 2, 10), key="payoff")
        r2 = p.rows[1]
        assert (res.quote.days_used, res.quote.days_in_period) == (15, 30)
        expected_interest = round(r2.interest_minor * 15 / 30)
        assert res.payment.interest_minor == expected_interest
        assert res.payment.principal_minor == 120_000 - r1.principal_minor
        assert res.quote.dropped_interest_minor == sum(r.interest_minor for r in p.rows[1:]) - expected_interest
        b = balances(uow, line_id=line_id)
        assert b.owed_minor == 0
        statuses = {
            row.status
            for row in uow.connection.execute(
                sa.select(installments.c.status).where(installments.c.plan_id == p.plan_id)
            )
        }
        assert statuses == {"paid", "cancelled"}
        again = early_payoff(uow, plan_id=p.plan_id, paid_on=date(2026, 2, 10), key="payoff")
        assert again.payment.payment_id == res.payment.payment_id and not again.payment.created
        verify_ok(uow)


def test_payment_reversal_makes_the_items_owed_again(uow_factory, line_id):
    with uow_factory() as uow:
        purchase(uow, line_id=line_id, amount=cny("300"), purchased_on=date(2026, 1, 3), key="p")
        generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        res = pay(uow, line_id=line_id, amount=cny("300"), received_on=date(2026, 1, 10), key="k")
        assert balances(uow, line_id=line_id).owed_minor == 0
        entry_id = reverse_payment(uow, payment_id=res.payment_id, reversed_on=date(2026, 1, 12), key="bounce")
        assert balances(uow, line_id=line_id).owed_minor == 30_000
        assert ledger.get_entry(uow, entry_id=entry_id).reverses_entry_id == res.ledger_entry_id
        assert reverse_payment(uow, payment_id=res.payment_id, reversed_on=date(2026, 1, 12), key="bounce") == entry_id
        with pytest.raises(NotReversible, match="already reversed"):
            reverse_payment(uow, payment_id=res.payment_id, reversed_on=date(2026, 1, 12), key="other")
        again = pay(uow, line_id=line_id, amount=cny("300"), received_on=date(2026, 1, 13), key="k2")
        assert again.principal_minor == 30_000
        st = generate_statement(uow, line_id=line_id, statement_on=date(2026, 2, 5))
        assert [(ln.kind, ln.amount_minor) for ln in st.lines] == [
            ("payment", -30_000),
            ("reversal", 30_000),
            ("payment", -30_000),
        ]
        assert st.opening_balance_minor + sum(ln.amount_minor for ln in st.lines) == st.closing_balance_minor == 0
        verify_ok(uow)


def test_refund_reverses_the_purchase_and_credits_repaid_principal(uow_factory, line_id):
    with uow_factory() as uow:
        p = purchase(uow, line_id=line_id, amount=cny("600"), purchased_on=date(2026, 1, 3), key="p", plan="6")
        generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        r1 = p.rows[0]
        assert p.kind == "flat_fee" and r1.fee_minor == 360
        pay(uow, line_id=line_id, amount=Money(r1.principal_minor, "CNY"), received_on=date(2026, 1, 20), key="k")
        # Paid 100.00: fee 3.60 first, then 96.40 principal; refund: principal repaid → credit, nothing else owed.
        entry_id = refund_purchase(uow, purchase_id=p.purchase_id, refunded_on=date(2026, 1, 22), key="r")
        assert ledger.get_entry(uow, entry_id=entry_id).reverses_entry_id == p.ledger_entry_id
        b = balances(uow, line_id=line_id)
        assert (b.principal_minor, b.interest_minor, b.fees_minor, b.credit_minor) == (
            0,
            0,
            0,
            r1.principal_minor - 360,
        )
        assert refund_purchase(uow, purchase_id=p.purchase_id, refunded_on=date(2026, 1, 22), key="r") == entry_id
        st = generate_statement(uow, line_id=line_id, statement_on=date(2026, 2, 5))
        assert ("reversal", -60_000) in [(ln.kind, ln.amount_minor) for ln in st.lines]
        assert (
            st.opening_balance_minor + sum(ln.amount_minor for ln in st.lines if ln.kind != "due")
            == st.closing_balance_minor
        )
        assert st.amount_due_minor == 0 and st.closing_balance_minor == -(r1.principal_minor - 360)
        verify_ok(uow)


def test_charges_from_day_end_are_paid_first_when_older(uow_factory, line_id):
    with uow_factory() as uow:
        purchase(uow, line_id=line_id, amount=cny("300"), purchased_on=date(2026, 1, 3), key="p")
        generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        post_charge(
            uow,
            line_id=line_id,
            kind="late_fee",
            amount=cny("15"),
            charged_on=date(2026, 1, 30),
            due_on=date(2026, 1, 30),
            key="late-1",
            description="违约金 late fee",
        )
        assert (
            post_charge(
                uow,
                line_id=line_id,
                kind="late_fee",
                amount=cny("15"),
                charged_on=date(2026, 1, 30),
                due_on=date(2026, 1, 30),
                key="late-1",
            )
            > 0
        )  # replay: same charge
        res = pay(uow, line_id=line_id, amount=cny("310"), received_on=date(2026, 2, 1), key="k")
        # The purchase (due 01-26) is older than the late fee (due 01-30).
        assert (res.principal_minor, res.fees_minor) == (30_000, 1_000)
        st = generate_statement(uow, line_id=line_id, statement_on=date(2026, 2, 5))
        assert st.amount_due_minor == 500 and [ln.kind for ln in st.lines] == ["late_fee", "payment"]
        verify_ok(uow)


def test_statement_on_a_non_cycle_day_is_refused(uow_factory, line_id):
    from fairdue.service.servicing.accounts import InvalidAccountRequest

    with uow_factory() as uow:
        with pytest.raises(InvalidAccountRequest, match="closes statements on day 5"):
            generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 6))
        from fairdue.service.servicing.statements import UnknownStatement

        with pytest.raises(UnknownStatement):
            get_statement(uow, line_id=line_id)


def test_work_is_rolled_back_unless_committed(uow_factory, line_id):
    with uow_factory() as uow:
        purchase(uow, line_id=line_id, amount=cny("300"), purchased_on=date(2026, 1, 3), key="p")
    with uow_factory() as uow:
        assert count(uow, purchases) == 0
        verify_ok(uow)


@pytest.mark.slow
def test_concurrent_twins_of_one_payment_post_once(uow_factory, line_id):
    """Several workers retrying the same payment key at once: one payment, one entry, every caller sees it."""
    import threading

    with uow_factory() as uow:
        purchase(uow, line_id=line_id, amount=cny("300"), purchased_on=date(2026, 1, 3), key="p")
        generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        uow.commit()
    results, errors = [], []
    start = threading.Barrier(8)

    def worker():
        try:
            start.wait()
            with uow_factory() as uow:
                res = pay(uow, line_id=line_id, amount=cny("120"), received_on=date(2026, 1, 10), key="twin")
                uow.commit()
            results.append(res.payment_id)
        except Exception as err:  # collected and shown by the assertion below
            errors.append(repr(err))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 8
    with uow_factory() as uow:
        assert count(uow, payments) == 1
        assert balances(uow, line_id=line_id).owed_minor == 18_000
        verify_ok(uow)


def test_purchase_in_a_closed_cycle_is_refused(uow_factory, line_id):
    from fairdue.service.servicing.accounts import InvalidAccountRequest

    with uow_factory() as uow:
        generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        with pytest.raises(InvalidAccountRequest, match="falls in a closed cycle"):
            purchase(uow, line_id=line_id, amount=cny("10"), purchased_on=date(2026, 1, 5), key="late")
        assert purchase(uow, line_id=line_id, amount=cny("10"), purchased_on=date(2026, 1, 6), key="ok").rows[
            0
        ].statement_on == date(2026, 2, 5)


def test_late_posted_entries_appear_on_the_next_statement(uow_factory, line_id):
    """A payment dated before the last statement but posted after it is shown once, on the next statement."""
    with uow_factory() as uow:
        purchase(uow, line_id=line_id, amount=cny("300"), purchased_on=date(2026, 1, 3), key="p")
        first = generate_statement(uow, line_id=line_id, statement_on=date(2026, 1, 5))
        pay(uow, line_id=line_id, amount=cny("100"), received_on=date(2026, 1, 4), key="late")
        second = generate_statement(uow, line_id=line_id, statement_on=date(2026, 2, 5))
        assert [(ln.kind, ln.amount_minor) for ln in second.lines] == [("payment", -10_000)]
        assert second.opening_balance_minor == first.closing_balance_minor == 30_000
        assert second.closing_balance_minor == 20_000 == balances(uow, line_id=line_id).owed_minor


@pytest.mark.slow
def test_concurrent_purchases_never_exceed_the_limit(uow_factory, line_id):
    """Purchases racing for the same credit: the line lock serialises them, so the limit holds."""
    import threading

    outcomes, start = [], threading.Barrier(4)

    def worker(n):
        start.wait()
        try:
            with uow_factory() as uow:
                purchase(uow, line_id=line_id, amount=cny("6000"), purchased_on=date(2026, 1, 3), key=f"race-{n}")
                uow.commit()
            outcomes.append("ok")
        except OverLimit:
            outcomes.append("over")
        except Exception as err:  # shown by the assertion below
            outcomes.append(repr(err))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok", "ok", "ok", "over"]
    with uow_factory() as uow:
        assert balances(uow, line_id=line_id).principal_minor == 1_800_000
        verify_ok(uow)
