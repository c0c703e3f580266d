"""The pricing guard shows every installment option's cost as an APR and refuses options above the cap."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from fairdue.domain.money import Money
from fairdue.errors import FairdueError
from fairdue.loanmath import (
    CN_COST_CAP,
    PricedOption,
    PricingCapExceeded,
    UnknownJurisdiction,
    apr,
    check_option_pricing,
    convention_for,
    schedule,
    schedule_apr,
)


@pytest.mark.parametrize(
    "jurisdiction,convention",
    [("CN", "cn-irr"), ("US", "us-reg-z"), ("UK", "eu-ccd"), ("EU", "eu-ccd"), ("cn", "cn-irr")],
)
def test_jurisdiction_picks_the_convention(jurisdiction, convention):
    assert convention_for(jurisdiction) == convention


def test_unknown_jurisdiction_is_refused():
    with pytest.raises(UnknownJurisdiction, match="'XX'"):
        convention_for("XX")


def test_annuity_at_one_percent_a_month_is_twelve_percent_in_china():
    priced = check_option_pricing("annuity", 12, Decimal("0.01"), "monthly", "CN")
    assert isinstance(priced, PricedOption) and priced.convention == "cn-irr"
    assert abs(priced.apr - Decimal("0.12")) < Decimal("1e-6")


def test_flat_fee_shows_its_true_rate_not_its_fee_rate():
    # 0.75% a month "fee" on the original principal is about 16.2% a year once principal is repaid monthly.
    priced = check_option_pricing("flat_fee", 12, Decimal("0.0075"), "monthly", "CN")
    assert Decimal("0.16") < priced.apr < Decimal("0.165")


def test_option_above_the_cap_is_refused_naming_apr_and_cap():
    with pytest.raises(PricingCapExceeded) as info:
        check_option_pricing("flat_fee", 12, Decimal("0.015"), "monthly", "CN")
    err = info.value
    assert isinstance(err, FairdueError)
    assert err.cap == CN_COST_CAP == Decimal("0.24")
    assert Decimal("0.31") < err.apr < Decimal("0.32")
    assert "31.7" in str(err) and "24.00%" in str(err) and "cn-irr" in str(err)


def test_cap_is_the_products_own():
    check_option_pricing("annuity", 12, Decimal("0.015"), "monthly", "US", cost_cap=Decimal("0.36"))
    with pytest.raises(PricingCapExceeded):
        check_option_pricing("annuity", 12, Decimal("0.015"), "monthly", "US", cost_cap=Decimal("0.17"))


def test_upfront_fee_counts_as_cost():
    # 5% taken on the day of the advance, then 12 equal monthly payments: the borrower had 95% of the money.
    priced = check_option_pricing("upfront_fee", 12, Decimal("0.05"), "monthly", "CN")
    assert Decimal("0.09") < priced.apr < Decimal("0.10")
    assert check_option_pricing("zero_fee", 12, Decimal(0), "monthly", "CN").apr == 0


def test_schedule_apr_nets_the_upfront_fee_against_the_advance():
    plan = schedule(
        "upfront_fee", Money.parse("1200", "CNY"), 12, Decimal("0.05"), date(2025, 2, 15), start_on=date(2025, 1, 15)
    )
    by_hand = apr(
        [(date(2025, 1, 15), "1140.00")], [(r.due_on, Decimal(r.total_minor) / 100) for r in plan.rows[1:]], "cn-irr"
    )
    assert schedule_apr(plan, date(2025, 1, 15), "cn-irr") == by_hand


def test_weekly_option_under_us_reg_z():
    priced = check_option_pricing("annuity", 26, Decimal("0.004"), "weekly", "US", cost_cap=Decimal("0.36"))
    assert abs(priced.apr - Decimal("0.208")) < Decimal("1e-6")
