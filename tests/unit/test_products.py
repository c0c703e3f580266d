"""Products are validated data: the shipped files load, and every bad field is named before anything is stored."""

from __future__ import annotations

import copy
import tomllib
from decimal import Decimal

import pytest

from fairdue.domain.products import (
    CN_ANNUAL_COST_CAP,
    DEFAULT_BUCKETS,
    ProductInvalid,
    UnknownInstallmentOption,
    option_annual_rate,
    product_from_mapping,
    product_to_mapping,
)
from fairdue.products import shipped_product_files


def _cn() -> dict:
    path = next(p for p in shipped_product_files() if p.name == "cn-ecard-std.toml")
    return tomllib.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", shipped_product_files(), ids=lambda p: p.name)
def test_shipped_products_validate_and_round_trip(path):
    product = product_from_mapping(tomllib.loads(path.read_text(encoding="utf-8")), source=path.name)
    assert product_from_mapping(product_to_mapping(product)) == product
    assert product.installment_options


def test_shipped_products_cover_cn_and_another_jurisdiction():
    jurisdictions = {
        product_from_mapping(tomllib.loads(p.read_text(encoding="utf-8"))).jurisdiction for p in shipped_product_files()
    }
    assert "CN" in jurisdictions and jurisdictions - {"CN"}


def test_cn_defaults_cap_and_buckets():
    data = _cn()
    del data["annual_cost_cap"], data["delinquency_buckets"], data["charge_off_dpd"]
    p = product_from_mapping(data)
    assert p.annual_cost_cap == CN_ANNUAL_COST_CAP
    assert p.delinquency_buckets == DEFAULT_BUCKETS
    assert p.charge_off_dpd == 181
    assert [p.bucket_for(d) for d in (0, 1, 30, 31, 180, 181)] == ["current", "M1", "M1", "M2", "M6", "charged_off"]


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda d: d.update(jurisdiction="FR"), "jurisdiction: must be one of CN, US, UK, got 'FR'"),
        (lambda d: d.update(currency="XYZ"), "currency: must be one of"),
        (
            lambda d: d.pop("credit_limit_minor_max"),
            "credit_limit_minor_max: must be an integer, got nothing (field missing)",
        ),
        (lambda d: d.update(cycle_days=[0, 5]), "cycle_days[0]: must be between 1 and 28, got 0"),
        (lambda d: d.update(cycle_days=[5, 5]), "cycle_days: days must not repeat"),
        (lambda d: d.update(grace_days=-1), "grace_days: must be between 0 and 30"),
        (
            lambda d: d["minimum_due"].update(percent_bps=1.5),
            "minimum_due.percent_bps: must be an integer, got float 1.5",
        ),
        (lambda d: d.update(revolving_daily_rate=0.0005), "revolving_daily_rate: write the rate as a string"),
        (
            lambda d: d["late_fee"].update(fee_minor_min=30_000),
            "late_fee.fee_minor_min: 30000 is more than fee_minor_max 20000",
        ),
        (lambda d: d["installment_options"][2].update(kind="balloon"), "installment_options[2].kind: must be one of"),
        (
            lambda d: d["installment_options"][0].update(rate="0.01"),
            "installment_options[0].rate: a zero_fee plan must have rate 0",
        ),
        (
            lambda d: d["installment_options"][2].update(rate="0.03"),
            "installment_options[2]: 12-annuity at rate 0.03 costs about",
        ),
        (
            lambda d: d.update(revolving_daily_rate="0.001"),
            "revolving_daily_rate: 0.001 × 365 = 0.365 is above annual_cost_cap 0.24",
        ),
        (
            lambda d: d["allocation"].update(component_order=["principal", "fees"]),
            "allocation.component_order: must list each of",
        ),
        (lambda d: d["delinquency_buckets"][1].update(dpd_min=2), "delinquency_buckets[1]: must start at dpd 1"),
        (lambda d: d.update(charge_off_dpd=100), "charge_off_dpd: 100 must be above the last bucket's dpd_max 180"),
        (lambda d: d.update(negotiated_plan_months_max=72), "negotiated_plan_months_max: CN allows at most 60 months"),
        (lambda d: d.update(business_day_rule="previous"), "business_day_rule: must be one of next_business_day, none"),
        (lambda d: d.update(address_book=True), "address_book: unknown field"),
        (lambda d: d.update(code="has space"), "code: must match"),
    ],
)
def test_each_bad_field_is_named(mutate, expected):
    data = copy.deepcopy(_cn())
    mutate(data)
    with pytest.raises(ProductInvalid) as err:
        product_from_mapping(data, source="x.toml")
    assert expected in str(err.value)
    assert str(err.value).startswith("invalid product x.toml: ")


def test_every_problem_is_reported_not_just_the_first():
    data = _cn()
    data.update(jurisdiction="FR", grace_days="3", cycle_days=[])
    with pytest.raises(ProductInvalid) as err:
        product_from_mapping(data)
    assert len(err.value.problems) == 3


def test_not_a_table():
    with pytest.raises(ProductInvalid, match="one table of product fields"):
        product_from_mapping(["code"])


def test_option_lookup_names_what_is_offered():
    p = product_from_mapping(_cn())
    assert p.option(12).kind == "annuity"
    with pytest.raises(UnknownInstallmentOption, match="offers no plan with 9 periods; offered: 3-zero_fee"):
        p.option(9)


def test_cap_check_uses_the_true_annual_rate():
    p = product_from_mapping(_cn())
    annuity = p.option(12)
    assert option_annual_rate(annuity, "CN") == pytest.approx(Decimal("0.15"), abs=Decimal("0.0001"))
    flat = p.option(6)
    # A flat fee of 0.6% a month costs far more than 7.2% a year on the declining balance.
    assert option_annual_rate(flat, "CN") > Decimal("0.12")
