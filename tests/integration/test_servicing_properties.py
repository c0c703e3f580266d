"""Property test: any history of purchases, plans, statements, payments, payoffs, refunds and reversals keeps the ledger
balanced and the servicing records (installments, charges) equal to the ledger's line balances."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.domain.borrowers import cn_ric_check_digit
from fairdue.domain.money import Money
from fairdue.domain.statements import statement_on_or_after
from fairdue.errors import FairdueError
from fairdue.loanmath import add_months
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.ledger import journal as ledger
from fairdue.service.servicing.accounts import balances, open_account, post_charge, reconcile_line
from fairdue.service.servicing.payments import early_payoff, pay, reverse_payment
from fairdue.service.servicing.products import get_product, load_product_file
from fairdue.service.servicing.purchases import purchase, refund_purchase
from fairdue.service.servicing.statements import generate_statement

CIPHER = FieldCipher(Keyring.generate())
_serial = itertools.count(1)
START = date(2026, 1, 2)

op = st.one_of(
    st.tuples(
        st.just("buy"), st.integers(1, 400_00), st.integers(-1, 5)
    ),  # plan: index into the product's options, -1 = in full
    st.tuples(st.just("pay"), st.integers(1, 500_00), st.none()),
    st.tuples(st.just("late_fee"), st.integers(1, 50_00), st.none()),
    st.tuples(st.just("payoff"), st.integers(0, 5), st.none()),
    st.tuples(st.just("refund"), st.integers(0, 5), st.none()),
    st.tuples(st.just("bounce"), st.integers(0, 5), st.none()),
)


@pytest.fixture
def products_loaded(uow_factory):
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        uow.commit()
    return uow_factory


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(
    months=st.lists(st.lists(op, max_size=4), min_size=1, max_size=5),
    code=st.sampled_from(["cn-ecard-std", "us-card-std", "uk-card-std"]),
    day_pick=st.integers(0, 5),
)
def test_any_history_keeps_ledger_and_records_in_step(products_loaded, months, code, day_pick):
    uow_factory = products_loaded
    n = next(_serial)
    with uow_factory() as uow:
        product = get_product(uow, code=code).product
    cur = product.currency
    cycle_day = product.cycle_days[day_pick % len(product.cycle_days)]
    plans = [None] + [o.key for o in product.installment_options]
    first17 = f"110105{date(1970, 1, 1) + timedelta(days=n):%Y%m%d}{n % 1000:03d}"
    with uow_factory() as uow:
        bid = register_borrower(
            uow,
            data={
                "name": "测试",
                "id_number": first17 + cn_ric_check_digit(first17),
                "postal_region": "CN-11",
                "mobiles": [{"number": f"138{n:08d}", "source": "contract"}],
            },
            cipher=CIPHER,
        )
        line = open_account(
            uow,
            borrower_id=bid,
            product_code=code,
            limit=Money(product.credit_limit_minor_max, cur),
            cycle_day=cycle_day,
            opened_on=START,
            key=f"prop-open-{n}",
        )
        uow.commit()
    purchases_made, payments_made = [], []
    statement_on = statement_on_or_after(START + timedelta(days=1), cycle_day)
    for m, ops in enumerate(months):
        day = statement_on - timedelta(days=1) if m else START + timedelta(days=1)
        for k, (kind, x, plan) in enumerate(ops):
            key = f"prop-{n}-{m}-{k}"
            with uow_factory() as uow:
                try:
                    if kind == "buy":
                        purchases_made.append(
                            purchase(
                                uow,
                                line_id=line.id,
                                amount=Money(x, cur),
                                purchased_on=day,
                                key=key,
                                plan=plans[(plan + 1) % len(plans)],
                            )
                        )
                    elif kind == "pay":
                        payments_made.append(pay(uow, line_id=line.id, amount=Money(x, cur), received_on=day, key=key))
                    elif kind == "late_fee":
                        post_charge(
                            uow,
                            line_id=line.id,
                            kind="late_fee",
                            amount=Money(x, cur),
                            charged_on=day,
                            due_on=day,
                            key=key,
                        )
                    elif kind == "payoff" and purchases_made:
                        early_payoff(uow, plan_id=purchases_made[x % len(purchases_made)].plan_id, paid_on=day, key=key)
                    elif kind == "refund" and purchases_made:
                        refund_purchase(
                            uow,
                            purchase_id=purchases_made[x % len(purchases_made)].purchase_id,
                            refunded_on=day,
                            key=key,
                        )
                    elif kind == "bounce" and payments_made:
                        reverse_payment(
                            uow, payment_id=payments_made[x % len(payments_made)].payment_id, reversed_on=day, key=key
                        )
                    uow.commit()
                except FairdueError:
                    pass  # refused (paid-off plan, already refunded…): nothing may be written
        with uow_factory() as uow:
            st = generate_statement(uow, line_id=line.id, statement_on=statement_on)
            uow.commit()
            # Movement lines take the opening balance exactly to the closing one, which is what is owed now.
            assert (
                st.opening_balance_minor + sum(ln.amount_minor for ln in st.lines if ln.kind != "due")
                == st.closing_balance_minor
            )
            assert st.closing_balance_minor == balances(uow, line_id=line.id).owed_minor
            assert 0 <= st.minimum_due_minor <= st.amount_due_minor
        statement_on = add_months(statement_on, 1)
        with uow_factory() as uow:
            assert reconcile_line(uow, line_id=line.id) == []
            b = balances(uow, line_id=line.id)
            assert min(b.principal_minor, b.interest_minor, b.fees_minor) >= 0
    with uow_factory() as uow:
        report = ledger.verify(uow)
        assert report.ok, [str(d) for d in report.drifts]
