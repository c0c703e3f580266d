"""The day-end kernel applies every rule with hand-checked numbers, touching only accounts with work."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.domain.dayend import (
    ACCOUNT_SCHEMA,
    INSTALLMENT_SCHEMA,
    DayendStateInvalid,
    close_day,
    daily_accruals,
    product_frames,
)
from fairdue.domain.dayend.params import RATE_SCALE
from fairdue.domain.products import DEFAULT_BUCKETS, LateFeeRule, MinimumDueRule, Product


def make_product(**over) -> Product:
    base = Product(
        code="cn-test",
        name="test",
        jurisdiction="CN",
        currency="CNY",
        credit_limit_minor_max=5_000_000,
        cycle_days=(1, 5, 10, 15, 20, 25),
        due_days_after_statement=20,
        grace_days=3,
        minimum_due=MinimumDueRule(percent_bps=1000, floor_minor=10_000),
        late_fee=LateFeeRule(percent_bps=500, fee_minor_min=0, fee_minor_max=20_000),
        installment_options=(),
        revolving_daily_rate=Decimal("0.0005"),
        annual_cost_cap=None,
        delinquency_buckets=DEFAULT_BUCKETS,
        charge_off_dpd=181,
        business_day_rule="next_business_day",
    )
    return replace(base, **over)


def account(account_id=1, **over) -> dict:
    row = {
        "account_id": account_id,
        "product_code": "cn-test",
        "cycle_day": 5,
        "last_closed_on": date(2026, 3, 1),
        "next_event_on": date(2026, 3, 1),
        "bucket": "current",
        "oldest_overdue_on": None,
        "charged_off": False,
        "revolving_principal_minor": 0,
        "accrual_remainder": 0,
        "interest_unbilled_minor": 0,
        "accrued_through_on": date(2026, 3, 1),
        "principal_days_minor": 0,
        "cost_charged_minor": 0,
    }
    row.update(over)
    return row


def installment(installment_id=1, account_id=1, **over) -> dict:
    row = {
        "installment_id": installment_id,
        "account_id": account_id,
        "plan_id": 10,
        "seq": installment_id,
        "due_on": date(2026, 3, 15),
        "principal_due_minor": 100_000,
        "interest_due_minor": 0,
        "fee_due_minor": 0,
        "principal_paid_minor": 0,
        "interest_paid_minor": 0,
        "fee_paid_minor": 0,
        "billed": False,
        "overdue": False,
        "late_fee_minor": 0,
        "revolving": False,
    }
    row.update(over)
    return row


def frames(accounts, installments):
    return pl.DataFrame(accounts, schema=ACCOUNT_SCHEMA), pl.DataFrame(installments, schema=INSTALLMENT_SCHEMA)


def run(on, accounts, installments, product=None):
    prods, buckets = product_frames([product or make_product()])
    acc, inst = frames(accounts, installments)
    return close_day(on, acc, inst, prods, buckets)


def events(result, kind=None):
    rows = result.events.to_dicts()
    return [dict(r, payload=json.loads(r["payload"])) for r in rows if kind is None or r["kind"] == kind]


def state(result, account_id=1) -> dict:
    return result.accounts.filter(pl.col("account_id") == account_id).to_dicts()[0]


def carry(result, accounts, installments):
    """Next day's state: the result's rows replace the inputs (what the repository does)."""
    new_acc = {r["account_id"]: {k: r[k] for k in ACCOUNT_SCHEMA} for r in result.accounts.to_dicts()}
    new_inst = {r["installment_id"]: {k: r[k] for k in INSTALLMENT_SCHEMA} for r in result.installments.to_dicts()}
    return (
        [new_acc.get(a["account_id"], a) for a in accounts],
        [new_inst.get(i["installment_id"], i) for i in installments],
    )


def run_days(start, end, accounts, installments, product=None):
    """Close every date start..end in order; return the list of results and the final state."""
    results = []
    day = start
    while day <= end:
        r = run(day, accounts, installments, product)
        accounts, installments = carry(r, accounts, installments)
        results.append(r)
        day += timedelta(days=1)
    return results, accounts, installments


# -- event-driven selection ---------------------------------------------------------------------
def test_only_accounts_with_work_today_are_touched():
    accs = [
        account(1, next_event_on=date(2026, 3, 16)),
        account(2, next_event_on=date(2026, 3, 20)),  # nothing to do on the 16th
        account(3, next_event_on=date(2026, 3, 16), last_closed_on=date(2026, 3, 16)),  # closed inline already
    ]
    r = run(date(2026, 3, 16), accs, [installment(1, 1), installment(2, 2), installment(3, 3)])
    assert r.accounts.get_column("account_id").to_list() == [1]


# -- billing and calendar -----------------------------------------------------------------------
def test_due_date_on_sunday_falls_due_on_monday():
    # 2026-03-15 is a Sunday: with next_business_day it falls due Monday the 16th.
    accs, insts = [account(next_event_on=date(2026, 3, 15))], [installment(due_on=date(2026, 3, 15))]
    sunday = run(date(2026, 3, 15), accs, insts)
    assert events(sunday, "installment_due") == []
    assert state(sunday)["next_event_on"] == date(2026, 3, 16)
    monday = run(date(2026, 3, 16), accs, insts)
    (due,) = events(monday, "installment_due")
    assert due["payload"]["effective_due_on"] == "2026-03-16"
    assert due["payload"]["unpaid_minor"] == 100_000
    # Next event: grace of 3 days ends on the 19th; overdue on the 20th.
    assert state(monday)["next_event_on"] == date(2026, 3, 20)


def test_without_business_day_rule_the_contract_date_stands():
    product = make_product(business_day_rule="none")
    r = run(date(2026, 3, 15), [account(next_event_on=date(2026, 3, 15))], [installment()], product)
    assert len(events(r, "installment_due")) == 1


def test_spring_festival_moves_due_date_across_the_whole_break():
    r = run(
        date(2026, 2, 24),
        [
            account(
                next_event_on=date(2026, 2, 15), last_closed_on=date(2026, 2, 14), accrued_through_on=date(2026, 2, 14)
            )
        ],
        [installment(due_on=date(2026, 2, 15))],
    )
    (due,) = events(r, "installment_due")
    assert due["payload"]["effective_due_on"] == "2026-02-24"


def test_installment_interest_and_fees_count_as_cost_when_billed():
    r = run(
        date(2026, 3, 16),
        [account(next_event_on=date(2026, 3, 16))],
        [installment(interest_due_minor=1_250, fee_due_minor=300)],
    )
    assert state(r)["cost_charged_minor"] == 1_550


def test_statement_closes_on_cycle_day_and_leaves_its_figures_to_servicing():
    # Cycle day 5: the kernel marks the statement (servicing's close_statements computes due date, amount
    # and minimum due, and the service puts them in the payload); the interest accrued so far is billed.
    accs = [
        account(
            1,
            next_event_on=date(2026, 3, 5),
            revolving_principal_minor=250_000,
            accrued_through_on=date(2026, 3, 5),
            interest_unbilled_minor=3_000,
        ),
        account(
            2,
            cycle_day=6,
            next_event_on=date(2026, 3, 5),
            accrued_through_on=date(2026, 3, 5),
            interest_unbilled_minor=700,
        ),
    ]
    insts = [installment(due_on=date(2026, 3, 25), interest_due_minor=1_000)]
    r = run(date(2026, 3, 5), accs, insts)
    (stmt,) = events(r, "statement_closed")
    assert stmt["account_id"] == 1
    assert stmt["payload"] == {"statement_on": "2026-03-05", "currency": "CNY"}
    assert "minimum_due_minor" not in stmt["payload"]  # one computation: servicing's
    by_id = {row["account_id"]: row for row in r.accounts.to_dicts()}
    assert by_id[1]["interest_unbilled_minor"] == 0 and by_id[2]["interest_unbilled_minor"] == 700
    assert by_id[1]["next_event_on"] == date(2026, 3, 25)  # the installment falls due before next cycle 4-5


# -- overdue, late fee, cost cap ----------------------------------------------------------------
def test_became_overdue_after_grace_with_late_fee():
    # Effective due 3-16 (Monday), grace 3 days: still fine on 3-19, overdue on 3-20 at DPD 4.
    results, accs, insts = run_days(date(2026, 3, 2), date(2026, 3, 20), [account()], [installment()])
    by_day = {r.business_on: r for r in results}
    assert events(by_day[date(2026, 3, 19)]) == []
    day = by_day[date(2026, 3, 20)]
    (over,) = events(day, "became_overdue")
    assert over["payload"]["dpd"] == 4 and over["payload"]["overdue_minor"] == 100_000
    (fee,) = events(day, "fee_assessed")
    assert fee["payload"]["fee_minor"] == 5_000  # 5% of 100,000
    (entry,) = day.entries.to_dicts()
    assert entry == {
        "entry_key": "dayend:2026-03-20:late_fee:1:1",
        "kind": "late_fee",
        "account_id": 1,
        "currency": "CNY",
        "amount_minor": 5_000,
        "debit": "fee_receivable",
        "credit": "late_fee_income",
    }
    (move,) = events(day, "bucket_changed")
    assert move["payload"] == {"bucket_from": "current", "bucket_to": "M1", "dpd": 4, "oldest_overdue_on": "2026-03-16"}
    s = state(day)
    assert (s["bucket"], s["dpd"], s["oldest_overdue_on"]) == ("M1", 4, date(2026, 3, 16))
    # Work days: 3-2 (its stored next event), 3-5 (statement), 3-16 (due), 3-20 (overdue) — nothing else.
    assert [r.business_on.day for r in results if r.accounts.height] == [2, 5, 16, 20]
    # Next event: DPD 31 (M2) on 3-16 + 31 = 4-16, but the cycle day 4-5 comes first.
    assert s["next_event_on"] == date(2026, 4, 5)
    # The fee is charged once per occurrence, not every day.
    results2, _, _ = run_days(date(2026, 3, 21), date(2026, 4, 30), accs, insts)
    assert sum(len(events(r, "fee_assessed")) for r in results2) == 0


def test_late_fee_clamped_to_max_and_min_and_to_overdue_amount():
    product = make_product(
        late_fee=LateFeeRule(percent_bps=500, fee_minor_min=3_000, fee_minor_max=20_000), business_day_rule="none"
    )
    accs = [account(i, next_event_on=date(2026, 3, 19)) for i in (1, 2, 3)]
    insts = [
        installment(1, 1, principal_due_minor=1_000_000, billed=True),  # 5% = 50,000 -> max 20,000
        installment(2, 2, principal_due_minor=20_000, billed=True),  # 5% = 1,000 -> min 3,000
        installment(3, 3, principal_due_minor=2_000, billed=True),  # min 3,000 > overdue 2,000 -> 2,000
    ]
    r = run(date(2026, 3, 19), accs, insts, product)
    fees = {e["account_id"]: e["payload"]["fee_minor"] for e in events(r, "fee_assessed")}
    assert fees == {1: 20_000, 2: 3_000, 3: 2_000}


def test_late_fee_rounds_half_to_even():
    product = make_product(
        late_fee=LateFeeRule(percent_bps=500, fee_minor_min=0, fee_minor_max=20_000), business_day_rule="none"
    )
    accs = [account(1, next_event_on=date(2026, 3, 19)), account(2, next_event_on=date(2026, 3, 19))]
    insts = [
        installment(1, 1, principal_due_minor=10_010, billed=True),  # 500.5 -> 500
        installment(2, 2, principal_due_minor=10_030, billed=True),
    ]  # 501.5 -> 502
    fees = {
        e["account_id"]: e["payload"]["fee_minor"]
        for e in events(run(date(2026, 3, 19), accs, insts, product), "fee_assessed")
    }
    assert fees == {1: 500, 2: 502}


def test_fee_capped_by_all_in_cost_cap_records_why():
    # Cap 24%: principal 100,000 outstanding for 30 days before 3-19 (accrued through 2-17) ->
    # principal-days 3,000,000; allowance 2400 × 3,000,000 / (10,000 × 365) = 1,972 (floor);
    # cost already charged 1,500 -> headroom 472; the fee wanted is 5,000 -> charged 472.
    product = make_product(annual_cost_cap=Decimal("0.24"), business_day_rule="none")
    accs = [account(next_event_on=date(2026, 3, 19), accrued_through_on=date(2026, 2, 17), cost_charged_minor=1_500)]
    r = run(date(2026, 3, 19), accs, [installment(billed=True)], product)
    (fee,) = events(r, "fee_assessed")
    assert fee["payload"]["fee_minor"] == 472
    (cap,) = events(r, "fee_capped")
    assert cap["payload"] == {
        "installment_id": 1,
        "rule": "all_in_cost_cap",
        "fee_wanted_minor": 5_000,
        "fee_charged_minor": 472,
        "cap_bps": 2400,
        "principal_days_minor": 3_000_000,
        "allowance_minor": 1_972,
        "cost_before_minor": 1_500,
        "currency": "CNY",
    }
    assert state(r)["cost_charged_minor"] == 1_972


def test_fee_fully_capped_posts_nothing_but_records_it():
    product = make_product(annual_cost_cap=Decimal("0.24"), business_day_rule="none")
    accs = [account(next_event_on=date(2026, 3, 19), accrued_through_on=date(2026, 3, 19), cost_charged_minor=9_999)]
    r = run(date(2026, 3, 19), accs, [installment(billed=True)], product)
    assert events(r, "fee_assessed") == [] and r.entries.height == 0
    (cap,) = events(r, "fee_capped")
    assert cap["payload"]["fee_charged_minor"] == 0 and cap["payload"]["fee_wanted_minor"] == 5_000


def test_two_fees_on_one_day_share_the_headroom_in_due_order():
    # Allowance: 2400 × 7,300,000 / 3,650,000 = 4,800; headroom 4,800; fees wanted 2,500 + 2,500 -> 2,500 + 2,300.
    product = make_product(annual_cost_cap=Decimal("0.24"), business_day_rule="none")
    accs = [
        account(next_event_on=date(2026, 3, 19), accrued_through_on=date(2026, 3, 19), principal_days_minor=7_300_000)
    ]
    insts = [
        installment(1, principal_due_minor=50_000, billed=True, due_on=date(2026, 3, 14)),
        installment(2, principal_due_minor=50_000, billed=True, due_on=date(2026, 3, 15)),
    ]
    r = run(date(2026, 3, 19), accs, insts, product)
    fees = [(e["payload"]["installment_id"], e["payload"]["fee_minor"]) for e in events(r, "fee_assessed")]
    assert sorted(fees) == [(1, 2_500), (2, 2_300)]
    assert [e["payload"]["installment_id"] for e in events(r, "fee_capped")] == [2]


# -- DPD, buckets, cure, charge-off -------------------------------------------------------------
def test_buckets_move_on_their_boundary_days_and_dpd_is_from_oldest_due():
    product = make_product(business_day_rule="none", grace_days=0)
    insts = [installment(1, due_on=date(2026, 1, 15)), installment(2, due_on=date(2026, 2, 15))]
    results, accs, _ = run_days(
        date(2026, 1, 2),
        date(2026, 3, 20),
        [account(last_closed_on=date(2026, 1, 1), next_event_on=date(2026, 1, 2), accrued_through_on=date(2026, 1, 1))],
        insts,
        product,
    )
    moves = [(r.business_on, m["bucket_to"], m["dpd"]) for r in results for m in r.bucket_moves.to_dicts()]
    # Due 1-15, grace 0: DPD 1 on 1-16 (M1), DPD 31 on 2-15 (M2), DPD 61 on 3-17 (M3).
    assert moves == [(date(2026, 1, 16), "M1", 1), (date(2026, 2, 15), "M2", 31), (date(2026, 3, 17), "M3", 61)]
    assert accs[0]["oldest_overdue_on"] == date(2026, 1, 15)


def test_cured_when_paid_up():
    product = make_product(business_day_rule="none")
    accs = [account(next_event_on=date(2026, 4, 1), bucket="M1", oldest_overdue_on=date(2026, 3, 15))]
    insts = [installment(billed=True, overdue=True, principal_paid_minor=100_000, late_fee_minor=5_000)]
    r = run(date(2026, 4, 1), accs, insts, product)
    (cured,) = events(r, "cured")
    assert cured["payload"] == {"bucket_from": "M1", "dpd": 0}
    s = state(r)
    assert (s["bucket"], s["oldest_overdue_on"], s["dpd"]) == ("current", None, 0)
    assert r.installments.to_dicts()[0]["overdue"] is False


def test_partial_payment_of_oldest_moves_bucket_down_without_cure():
    product = make_product(business_day_rule="none", grace_days=0)
    accs = [account(next_event_on=date(2026, 3, 20), bucket="M2", oldest_overdue_on=date(2026, 2, 1))]
    insts = [
        installment(1, due_on=date(2026, 2, 1), billed=True, overdue=True, principal_paid_minor=100_000),
        installment(2, due_on=date(2026, 3, 1), billed=True, overdue=True),
    ]
    r = run(date(2026, 3, 20), accs, insts, product)
    assert events(r, "cured") == []
    (m,) = r.bucket_moves.to_dicts()
    assert (m["bucket_from"], m["bucket_to"], m["dpd"]) == ("M2", "M1", 19)


def test_charge_off_at_product_dpd_writes_off_outstanding_principal():
    product = make_product(business_day_rule="none", charge_off_dpd=181)
    # Oldest overdue due 2025-09-19: 181 days before 2026-03-19.
    accs = [
        account(
            next_event_on=date(2026, 3, 19),
            bucket="M6",
            oldest_overdue_on=date(2025, 9, 19),
            revolving_principal_minor=7_000,
            accrued_through_on=date(2026, 3, 19),
        )
    ]
    insts = [
        installment(1, due_on=date(2025, 9, 19), billed=True, overdue=True, principal_paid_minor=40_000),
        installment(2, due_on=date(2026, 4, 19)),
    ]
    r = run(date(2026, 3, 19), accs, insts, product)
    (off,) = events(r, "charged_off")
    assert off["payload"]["principal_written_off_minor"] == 60_000 + 100_000 + 7_000
    assert off["payload"]["dpd"] == 181
    s = state(r)
    assert s["charged_off"] is True and s["next_event_on"] is None and s["bucket"] == "charged_off"
    (entry,) = r.entries.filter(pl.col("kind") == "charge_off").to_dicts()
    assert (entry["amount_minor"], entry["debit"], entry["credit"]) == (
        167_000,
        "charge_off_expense",
        "principal_receivable",
    )
    # Charged off: no further work, whatever the date.
    later = run(date(2026, 3, 25), [dict(accs[0], **{k: s[k] for k in ACCOUNT_SCHEMA})], insts, product)
    assert later.accounts.height == 0


# -- revolving interest -------------------------------------------------------------------------
def test_revolving_interest_carries_the_remainder():
    # 333,333 fen × 0.0005 = 166.6665 fen a day: 166.6665 → 166 (carry .6665), 167.333 → 167 (carry .333),
    # 166.9995 → 166 (carry .9995).
    amounts, rem = daily_accruals(333_333, 500_000, 3)
    assert amounts == [166, 167, 166]
    assert sum(amounts) == (333_333 * 500_000 * 3) // RATE_SCALE == 499
    assert rem == (333_333 * 500_000 * 3) % RATE_SCALE


def test_kernel_accrues_days_since_last_touch_in_one_step():
    accs = [
        account(next_event_on=date(2026, 3, 5), revolving_principal_minor=333_333, accrued_through_on=date(2026, 3, 1))
    ]
    r = run(date(2026, 3, 5), accs, [])
    (entry,) = r.entries.filter(pl.col("kind") == "interest_accrual").to_dicts()
    assert entry["amount_minor"] == 666  # 4 days × 166.6665 = 666.666
    assert state(r)["accrual_remainder"] == (333_333 * 500_000 * 4) % RATE_SCALE


@settings(max_examples=200, deadline=None)
@given(
    principal=st.integers(0, 10**10),
    rate=st.integers(0, 10**7),
    splits=st.lists(st.integers(1, 40), min_size=1, max_size=12),
    remainder=st.integers(0, RATE_SCALE - 1),
)
def test_daily_accruals_sum_exactly_to_one_step_period_interest(principal, rate, splits, remainder):
    """Day by day, touch by touch (any split of the period) or in one step: the same interest."""
    days = sum(splits)
    one_step_total = principal * rate * days + remainder
    daily, rem = daily_accruals(principal, rate, days, remainder)
    assert sum(daily) == one_step_total // RATE_SCALE and rem == one_step_total % RATE_SCALE
    # The kernel touching the account at arbitrary days within the period posts the same total.
    posted, r = 0, remainder
    for n in splits:
        total = principal * rate * n + r
        posted += total // RATE_SCALE
        r = total % RATE_SCALE
    assert posted == sum(daily) and r == rem


def test_kernel_touches_sum_to_one_step_interest():
    """Closing a revolving account on each of its event days posts exactly the period's one-step interest."""
    accs = [
        account(
            cycle_day=5,
            next_event_on=date(2026, 3, 2),
            revolving_principal_minor=1_234_567,
            accrued_through_on=date(2026, 3, 1),
        )
    ]
    results, final, _ = run_days(date(2026, 3, 2), date(2026, 5, 5), accs, [])
    posted = sum(e["amount_minor"] for r in results for e in r.entries.to_dicts())
    days = (date(2026, 5, 5) - date(2026, 3, 1)).days
    assert posted == 1_234_567 * 500_000 * days // RATE_SCALE
    assert final[0]["accrual_remainder"] == 1_234_567 * 500_000 * days % RATE_SCALE


def test_revolving_item_accrues_from_the_day_after_its_due_date():
    # A revolving item of 200,000 due 3-16 (Monday), unpaid; touched on 3-16 (due) and 3-20 (overdue).
    # Interest: 4 days (3-17 … 3-20) × 200,000 × 0.0005 = 400 — nothing for the days before the due date.
    accs = [account(next_event_on=date(2026, 3, 16), accrued_through_on=date(2026, 3, 10))]
    insts = [installment(principal_due_minor=200_000, revolving=True)]
    results, final, _ = run_days(date(2026, 3, 16), date(2026, 3, 20), accs, insts)
    accruals = [
        (r.business_on.day, e["amount_minor"])
        for r in results
        for e in r.entries.to_dicts()
        if e["kind"] == "interest_accrual"
    ]
    assert accruals == [(20, 400)]
    assert final[0]["cost_charged_minor"] == 400 + 10_000  # interest + the late fee (5% of 200,000)


def test_plan_installments_bear_no_daily_interest():
    accs = [account(next_event_on=date(2026, 3, 20), accrued_through_on=date(2026, 3, 10))]
    r = run(date(2026, 3, 20), accs, [installment(billed=True)])
    assert r.entries.filter(pl.col("kind") == "interest_accrual").height == 0


# -- invariants ---------------------------------------------------------------------------------
def test_overpaid_installment_is_refused():
    with pytest.raises(DayendStateInvalid, match="paid beyond"):
        run(date(2026, 3, 16), [account(next_event_on=date(2026, 3, 16))], [installment(principal_paid_minor=100_001)])


def test_unknown_product_is_refused():
    with pytest.raises(DayendStateInvalid, match="unknown products: nope"):
        run(date(2026, 3, 16), [account(next_event_on=date(2026, 3, 16), product_code="nope")], [])


def test_missing_column_is_refused():
    prods, buckets = product_frames([make_product()])
    with pytest.raises(DayendStateInvalid, match="lacks columns"):
        close_day(
            date(2026, 3, 16),
            pl.DataFrame({"account_id": [1]}),
            pl.DataFrame(schema=INSTALLMENT_SCHEMA),
            prods,
            buckets,
        )
