"""Product parameters reach the day-end kernel exactly: integer rates, complete bucket ranges."""

from dataclasses import replace
from decimal import Decimal

import pytest
from test_dayend_kernel import make_product

from fairdue.domain.dayend.params import CHARGED_OFF_BUCKET, RateNotRepresentable, product_frames
from fairdue.domain.products import DelinquencyBucket


def test_rates_become_exact_integers():
    prods, _ = product_frames([make_product(annual_cost_cap=Decimal("0.24"), revolving_daily_rate=Decimal("0.0005"))])
    row = prods.to_dicts()[0]
    assert (row["cost_cap_bps"], row["daily_rate_scaled"], row["calendar"]) == (2400, 500_000, "CN")
    none = product_frames([make_product(annual_cost_cap=None, revolving_daily_rate=None)])[0].to_dicts()[0]
    assert (none["cost_cap_bps"], none["daily_rate_scaled"]) == (None, 0)


def test_a_rate_finer_than_the_kernel_keeps_is_refused():
    with pytest.raises(RateNotRepresentable, match="revolving_daily_rate"):
        product_frames([make_product(revolving_daily_rate=Decimal("0.0000000001"))])


def test_buckets_cover_every_dpd_up_to_charge_off():
    short = (DelinquencyBucket("current", 0, 0), DelinquencyBucket("M1", 1, 30), DelinquencyBucket("M2", 31, 60))
    _, buckets = product_frames([make_product(delinquency_buckets=short, charge_off_dpd=91)])
    rows = [(r["bucket"], r["dpd_min"], r["dpd_max"]) for r in buckets.to_dicts()]
    # DPD 61–90 stays in the last bucket (as Product.bucket_for says); 91 on is charged off.
    assert rows == [("current", 0, 0), ("M1", 1, 30), ("M2", 31, 90), (CHARGED_OFF_BUCKET, 91, 1_000_000)]


def test_buckets_past_charge_off_are_cut():
    _, buckets = product_frames([replace(make_product(), charge_off_dpd=100)])
    rows = [(r["bucket"], r["dpd_min"], r["dpd_max"]) for r in buckets.to_dicts()]
    assert rows[-2:] == [("M4", 91, 99), (CHARGED_OFF_BUCKET, 100, 1_000_000)]
