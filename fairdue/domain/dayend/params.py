"""Product parameters as Polars frames: what the day-end kernel joins accounts to.

`product_frames(products)` turns validated `Product`s into two small frames,
one row per product (`PRODUCT_SCHEMA`) and one row per delinquency bucket
(`BUCKET_SCHEMA`): only what the kernel reads (the due date and minimum due of a
statement are servicing's, fairdue.domain.statements). Rates become exact integers: the revolving daily rate in
units of 1e-9 (`RATE_SCALE`), the all-in cost cap in basis points. A rate
finer than that is refused rather than rounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import polars as pl

from fairdue.domain.calendar import JURISDICTION_CALENDAR
from fairdue.domain.products import Product
from fairdue.errors import FairdueError

# Daily rates are integers over this denominator (0.0005/day -> 500_000).
RATE_SCALE = 10**9
BPS_FULL = 10_000
DAYS_PER_YEAR = 365
# Bucket code for accounts at or past the product's charge-off DPD.
CHARGED_OFF_BUCKET = "charged_off"
# Upper DPD bound of the charged_off bucket (any larger DPD is a broken state).
DPD_UNBOUNDED = 1_000_000

PRODUCT_SCHEMA = {
    "product_code": pl.String,
    "currency": pl.String,
    "calendar": pl.String,
    "following_business_day": pl.Boolean,
    "grace_days": pl.Int32,
    "late_fee_bps": pl.Int64,
    "late_fee_min_minor": pl.Int64,
    "late_fee_max_minor": pl.Int64,
    "cost_cap_bps": pl.Int64,  # null = no cap
    "daily_rate_scaled": pl.Int64,  # 0 = no revolving interest
    "charge_off_dpd": pl.Int32,
}

BUCKET_SCHEMA = {
    "product_code": pl.String,
    "bucket": pl.String,
    "dpd_min": pl.Int32,
    "dpd_max": pl.Int32,
}


class RateNotRepresentable(FairdueError):
    """A product rate has more precision than the day-end kernel keeps exactly."""


def _scaled(rate: Decimal, scale: int, what: str, code: str) -> int:
    scaled = rate * scale
    if scaled != scaled.to_integral_value():
        raise RateNotRepresentable(f"product {code}: {what} {rate} has more than {len(str(scale)) - 1} decimal places")
    return int(scaled)


def product_row(p: Product) -> dict[str, Any]:
    """One PRODUCT_SCHEMA row for `p`."""
    return {
        "product_code": p.code,
        "currency": p.currency,
        "calendar": JURISDICTION_CALENDAR[p.jurisdiction],
        "following_business_day": p.business_day_rule == "next_business_day",
        "grace_days": p.grace_days,
        "late_fee_bps": p.late_fee.percent_bps,
        "late_fee_min_minor": p.late_fee.fee_minor_min,
        "late_fee_max_minor": p.late_fee.fee_minor_max,
        "cost_cap_bps": None
        if p.annual_cost_cap is None
        else _scaled(p.annual_cost_cap, BPS_FULL, "annual_cost_cap", p.code),
        "daily_rate_scaled": 0
        if p.revolving_daily_rate is None
        else _scaled(p.revolving_daily_rate, RATE_SCALE, "revolving_daily_rate", p.code),
        "charge_off_dpd": p.charge_off_dpd,
    }


def product_frames(products: Iterable[Product]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(products frame, buckets frame) for the kernel; buckets end with charged_off at charge_off_dpd."""
    rows, buckets = [], []
    for p in products:
        rows.append(product_row(p))
        for b in p.delinquency_buckets:
            if b.dpd_min >= p.charge_off_dpd:
                continue
            buckets.append(
                {
                    "product_code": p.code,
                    "bucket": b.code,
                    "dpd_min": b.dpd_min,
                    "dpd_max": min(b.dpd_max, p.charge_off_dpd - 1),
                }
            )
        last = max(b.dpd_max for b in p.delinquency_buckets)
        if last < p.charge_off_dpd - 1:
            # DPD between the last bucket and charge-off stays in the last bucket (Product.bucket_for).
            buckets[-1]["dpd_max"] = p.charge_off_dpd - 1
        buckets.append(
            {
                "product_code": p.code,
                "bucket": CHARGED_OFF_BUCKET,
                "dpd_min": p.charge_off_dpd,
                "dpd_max": DPD_UNBOUNDED,
            }
        )
    return pl.DataFrame(rows, schema=PRODUCT_SCHEMA), pl.DataFrame(buckets, schema=BUCKET_SCHEMA)
