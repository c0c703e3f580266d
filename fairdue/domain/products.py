"""E-card credit-line products: validated, immutable data, one per file.

A product is what a lender sells in one jurisdiction: the limit, when
statements close and fall due, how the minimum due and the late fee (违约金)
are computed, the installment plans a purchase may be converted to, the order
in which a payment pays things off, the delinquency buckets and the day an
account is charged off. Products arrive as TOML/YAML files; the service layer
reads the file and hands the parsed mapping to `product_from_mapping`, which
runs every field check (no early exit) and raises `ProductInvalid` naming each
bad field, or returns a frozen `Product`.

Everything here is pure: no file access, no clock. Money is integer minor
units in the product's currency; rates are `Decimal` (never float); basis
points are ints (10_000 bps = 100%).

Field reference (the day-end area reads these):

Product
  code                       stable identifier, `[A-Za-z0-9_-]{1,40}`, e.g. "cn-ecard-std".
  name                       display name (any language).
  jurisdiction               "CN", "US" or "UK": selects the policy pack and defaults.
  currency                   ISO 4217 code of every amount of the product (CNY, USD, GBP…).
  credit_limit_minor_max     the largest limit an account of this product may be opened with.
  cycle_days                 allowed statement cycle days (day of month the statement
                             closes), each 1..28 so every month has one; an account picks one.
  due_days_after_statement   payment due date = statement date + this many days (before the
                             business-day rule is applied).
  grace_days                 days after the due date before an unpaid minimum counts as
                             overdue: no late fee and no days-past-due while inside grace.
  minimum_due                `MinimumDueRule`: percent of the statement balance, a floor.
  revolving_daily_rate       daily interest rate on revolving (non-installment) principal that
                             was not paid in full by the due date; None = no revolving interest.
  late_fee                   `LateFeeRule` (违约金): bps of the overdue minimum due, clamped to
                             [min, max] per occurrence. Never bears interest.
  annual_cost_cap            all-in annual borrower cost cap as a Decimal fraction (0.24 = 24%),
                             checked against each installment option's true annual rate (fairdue.loanmath);
                             CN defaults to 0.24; None = no cap (US/UK products may omit it).
  installment_options        the `InstallmentOption`s a purchase may be converted to.
  allocation                 `AllocationRule`: how a payment is spread over what is due.
  delinquency_buckets        `DelinquencyBucket`s, contiguous from dpd 0, ordered.
  charge_off_dpd             days past due at which the account is charged off (default 181).
  business_day_rule          "next_business_day" (a due date on a weekend/holiday moves to the
                             next business day in the jurisdiction's calendar) or "none".
  negotiated_plan_months_max longest negotiated repayment plan (个性化分期) in months (CN 60).
  version                    int, bumped by the lender whenever the file changes (default 1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from fairdue.domain.loanmath.pricing import price_option
from fairdue.domain.money import CURRENCY_EXPONENTS
from fairdue.errors import Invalid

JURISDICTIONS = ("CN", "US", "UK")
INSTALLMENT_KINDS = ("annuity", "equal_principal", "flat_fee", "zero_fee", "upfront_fee")
COMPONENTS = ("fees", "interest", "principal")
ITEM_ORDERS = ("oldest_due_first",)
BUSINESS_DAY_RULES = ("next_business_day", "none")

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
CYCLE_DAY_MAX = 28  # every month has a 28th
PERIODS_MAX = 360
BPS_FULL = 10_000
DUE_DAYS_MAX = 60
GRACE_DAYS_MAX = 30
DPD_MAX = 3_650
NEGOTIATED_MONTHS_MAX = 120
CN_ANNUAL_COST_CAP = Decimal("0.24")
CN_NEGOTIATED_PLAN_MONTHS_MAX = 60
DEFAULT_CHARGE_OFF_DPD = 181
CREDIT_LIMIT_MINOR_MAX = 10**13  # a sanity bound: 100 billion major units


class ProductInvalid(Invalid, ValueError):
    """A product definition failed validation; `problems` lists every bad field."""

    def __init__(self, problems: list[str], source: str | None = None):
        where = f"{source}: " if source else ""
        super().__init__(f"invalid product {where}" + "; ".join(problems))
        self.problems = list(problems)
        self.source = source


@dataclass(frozen=True, slots=True)
class MinimumDueRule:
    """Minimum payment of a statement.

    percent_bps: share of the statement's revolving balance (bps; 1000 = 10%).
    floor_minor: the least minimum due (minor units) — capped at the full balance.
    Installment amounts billed in the cycle and all fees and interest billed are always
    part of the minimum in full; the percentage applies to revolving principal only.
    """

    percent_bps: int
    floor_minor: int


@dataclass(frozen=True, slots=True)
class LateFeeRule:
    """Late fee (违约金) charged once per missed due date.

    percent_bps: bps of the minimum due that stayed unpaid after grace (500 = 5%).
    fee_minor_min: least fee per occurrence (0 = none); never more than the overdue amount.
    fee_minor_max: greatest fee per occurrence.
    """

    percent_bps: int
    fee_minor_min: int
    fee_minor_max: int


@dataclass(frozen=True, slots=True)
class InstallmentOption:
    """One plan a purchase may be converted to.

    periods: number of monthly installments (1..360).
    kind: "annuity" (等额本息, level payment, `rate` = periodic interest rate),
          "equal_principal" (等额本金, `rate` = periodic interest rate),
          "flat_fee" (等本等息, `rate` = fee per period as a fraction of the original principal),
          "zero_fee" (`rate` must be 0),
          "upfront_fee" (`rate` = one fee, a fraction of principal, billed with installment 1).
    rate: Decimal as above; 0 <= rate < 1.
    """

    periods: int
    kind: str
    rate: Decimal

    @property
    def key(self) -> str:
        """Stable identifier used on input: '<periods>-<kind>', e.g. '12-annuity'."""
        return f"{self.periods}-{self.kind}"


@dataclass(frozen=True, slots=True)
class AllocationRule:
    """Payment waterfall.

    item_order: "oldest_due_first" — due items (installments, statement items) by due date, then seq.
    component_order: within an item, the order components are paid; default fees, interest, principal.
    """

    item_order: str = "oldest_due_first"
    component_order: tuple[str, ...] = COMPONENTS


@dataclass(frozen=True, slots=True)
class DelinquencyBucket:
    """A delinquency bucket: `code` holds accounts with dpd_min <= days past due <= dpd_max."""

    code: str
    dpd_min: int
    dpd_max: int


DEFAULT_BUCKETS: tuple[DelinquencyBucket, ...] = (
    DelinquencyBucket("current", 0, 0),
    DelinquencyBucket("M1", 1, 30),
    DelinquencyBucket("M2", 31, 60),
    DelinquencyBucket("M3", 61, 90),
    DelinquencyBucket("M4", 91, 120),
    DelinquencyBucket("M5", 121, 150),
    DelinquencyBucket("M6", 151, 180),
)


@dataclass(frozen=True, slots=True)
class Product:
    """A validated e-card credit-line product; see the module docstring for every field."""

    code: str
    name: str
    jurisdiction: str
    currency: str
    credit_limit_minor_max: int
    cycle_days: tuple[int, ...]
    due_days_after_statement: int
    grace_days: int
    minimum_due: MinimumDueRule
    late_fee: LateFeeRule
    installment_options: tuple[InstallmentOption, ...]
    revolving_daily_rate: Decimal | None = None
    annual_cost_cap: Decimal | None = None
    allocation: AllocationRule = field(default_factory=AllocationRule)
    delinquency_buckets: tuple[DelinquencyBucket, ...] = DEFAULT_BUCKETS
    charge_off_dpd: int = DEFAULT_CHARGE_OFF_DPD
    business_day_rule: str = "next_business_day"
    negotiated_plan_months_max: int = CN_NEGOTIATED_PLAN_MONTHS_MAX
    version: int = 1

    def option(self, periods: int, kind: str | None = None) -> InstallmentOption:
        """The installment option with `periods` (and `kind` if several share it)."""
        matches = [o for o in self.installment_options if o.periods == periods and (kind is None or o.kind == kind)]
        if len(matches) != 1:
            offered = ", ".join(o.key for o in self.installment_options) or "none"
            what = f"{periods} periods" + (f" of kind {kind}" if kind else "")
            if len(matches) > 1:
                raise UnknownInstallmentOption(
                    f"product {self.code} offers several plans with {periods} periods; name the kind ({offered})"
                )
            raise UnknownInstallmentOption(f"product {self.code} offers no plan with {what}; offered: {offered}")
        return matches[0]

    def bucket_for(self, dpd: int) -> str:
        """Bucket code for `dpd` days past due; 'charged_off' from charge_off_dpd on."""
        if dpd >= self.charge_off_dpd:
            return "charged_off"
        for b in self.delinquency_buckets:
            if b.dpd_min <= dpd <= b.dpd_max:
                return b.code
        return self.delinquency_buckets[-1].code


class UnknownInstallmentOption(Invalid, ValueError):
    """A purchase asked for an installment plan the product does not offer."""


# -- validation ------------------------------------------------------------------------------
# Every check appends to `problems` and carries on, so one run names every bad field.

_TOP_KEYS = {
    "code",
    "name",
    "jurisdiction",
    "currency",
    "credit_limit_minor_max",
    "cycle_days",
    "due_days_after_statement",
    "grace_days",
    "minimum_due",
    "revolving_daily_rate",
    "late_fee",
    "annual_cost_cap",
    "installment_options",
    "allocation",
    "delinquency_buckets",
    "charge_off_dpd",
    "business_day_rule",
    "negotiated_plan_months_max",
    "version",
}
_MISSING = object()
T = TypeVar("T")


def _int(problems: list[str], path: str, value: Any, lo: int, hi: int) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{path}: must be an integer, got {_show(value)}")
        return None
    if not lo <= value <= hi:
        problems.append(f"{path}: must be between {lo} and {hi}, got {value}")
        return None
    return value


def _decimal(
    problems: list[str], path: str, value: Any, lo: Decimal, hi: Decimal, *, hi_open: bool = True
) -> Decimal | None:
    """A rate: str or int or Decimal (TOML floats refused — write rates as strings)."""
    if isinstance(value, float):
        problems.append(f'{path}: write the rate as a string (e.g. "{value}"), never a float, to keep it exact')
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        problems.append(f"{path}: must be a decimal number as a string, got {_show(value)}")
        return None
    try:
        d = Decimal(value) if not isinstance(value, str) else Decimal(value.strip())
    except InvalidOperation:
        problems.append(f"{path}: not a decimal number: {value!r}")
        return None
    if not d.is_finite() or d < lo or (d >= hi if hi_open else d > hi):
        bound = f"below {hi}" if hi_open else f"at most {hi}"
        problems.append(f"{path}: must be at least {lo} and {bound}, got {value}")
        return None
    return d


def _str(problems: list[str], path: str, value: Any, *, choices: tuple[str, ...] | None = None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{path}: must be a non-empty string, got {_show(value)}")
        return None
    if choices is not None and value not in choices:
        problems.append(f"{path}: must be one of {', '.join(choices)}, got {value!r}")
        return None
    return value


def _show(value: Any) -> str:
    if value is _MISSING:
        return "nothing (field missing)"
    return f"{type(value).__name__} {value!r}"


def _table(problems: list[str], path: str, value: Any, allowed: set[str]) -> Mapping[str, Any] | None:
    if not isinstance(value, Mapping):
        problems.append(f"{path}: must be a table, got {_show(value)}")
        return None
    for extra in sorted(set(value) - allowed):
        problems.append(f"{path}.{extra}: unknown field (allowed: {', '.join(sorted(allowed))})")
    return value


def _field(data: Mapping[str, Any], key: str) -> Any:
    """The value of a top-level field, or `_MISSING` when the file leaves it out."""
    return data.get(key, _MISSING)


def _with_default(data: Mapping[str, Any], key: str, default: Any) -> Any:
    """The value of a top-level field, or `default` when the file leaves it out."""
    value = _field(data, key)
    return value if value is not _MISSING else default


def _validated(value: T | None, path: str) -> T:
    """A field once validation found no problem; None here means a check failed to report one (a bug)."""
    if value is None:
        raise ProductInvalid([f"{path}: no value, yet no problem was reported for it"])
    return value


def _product_fields(data: Any, source: str | None) -> Mapping[str, Any]:
    """The table of product fields: the file's table, or its [product] table when that is all it holds."""
    if not isinstance(data, Mapping):
        raise ProductInvalid([f"the file must hold one table of product fields, got {_show(data)}"], source)
    wrapped = data.get("product")
    if len(data) == 1 and isinstance(wrapped, Mapping):
        return wrapped  # a [product] table wrapping the fields
    return data


def _code(problems: list[str], data: Mapping[str, Any]) -> str | None:
    """The product code: a non-empty string matching CODE_PATTERN."""
    code = _str(problems, "code", _field(data, "code"))
    if code is not None and not CODE_PATTERN.match(code):
        problems.append(f"code: must match {CODE_PATTERN.pattern}, got {code!r}")
        return None
    return code


def _cycle_days(problems: list[str], raw_days: Any) -> tuple[int, ...] | None:
    """The allowed statement cycle days, sorted: distinct days 1..CYCLE_DAY_MAX."""
    if not isinstance(raw_days, list) or not raw_days:
        problems.append(f"cycle_days: must be a non-empty list of days 1..{CYCLE_DAY_MAX}, got {_show(raw_days)}")
        return None
    days = [_int(problems, f"cycle_days[{i}]", d, 1, CYCLE_DAY_MAX) for i, d in enumerate(raw_days)]
    valid = [d for d in days if d is not None]
    if len(valid) != len(days):
        return None
    if len(set(valid)) != len(valid):
        problems.append("cycle_days: days must not repeat")
        return None
    return tuple(sorted(valid))


def _minimum_due(problems: list[str], raw: Any) -> MinimumDueRule | None:
    """The minimum-due rule from its table (percent_bps, floor_minor)."""
    md = _table(problems, "minimum_due", raw, {"percent_bps", "floor_minor"})
    if md is None:
        return None
    pct = _int(problems, "minimum_due.percent_bps", md.get("percent_bps", _MISSING), 1, BPS_FULL)
    floor = _int(problems, "minimum_due.floor_minor", md.get("floor_minor", _MISSING), 0, CREDIT_LIMIT_MINOR_MAX)
    if pct is not None and floor is not None:
        return MinimumDueRule(pct, floor)
    return None


def _revolving_daily_rate(problems: list[str], data: Mapping[str, Any]) -> Decimal | None:
    """The daily rate on revolving principal; None (no revolving interest) when the file leaves it out."""
    if _field(data, "revolving_daily_rate") is _MISSING:
        return None
    return _decimal(problems, "revolving_daily_rate", _field(data, "revolving_daily_rate"), Decimal(0), Decimal("0.01"))


def _late_fee(problems: list[str], raw: Any) -> LateFeeRule | None:
    """The late-fee rule from its table (percent_bps, fee_minor_min <= fee_minor_max)."""
    lf = _table(problems, "late_fee", raw, {"percent_bps", "fee_minor_min", "fee_minor_max"})
    if lf is None:
        return None
    pct = _int(problems, "late_fee.percent_bps", lf.get("percent_bps", _MISSING), 0, BPS_FULL)
    fmin = _int(problems, "late_fee.fee_minor_min", lf.get("fee_minor_min", 0), 0, CREDIT_LIMIT_MINOR_MAX)
    fmax = _int(problems, "late_fee.fee_minor_max", lf.get("fee_minor_max", _MISSING), 0, CREDIT_LIMIT_MINOR_MAX)
    if fmin is not None and fmax is not None and fmin > fmax:
        problems.append(f"late_fee.fee_minor_min: {fmin} is more than fee_minor_max {fmax}")
    elif pct is not None and fmin is not None and fmax is not None:
        return LateFeeRule(pct, fmin, fmax)
    return None


def _annual_cost_cap(problems: list[str], data: Mapping[str, Any], jurisdiction: str | None) -> Decimal | None:
    """The all-in annual cost cap as given; CN's statutory cap when a CN product leaves it out."""
    if _field(data, "annual_cost_cap") is not _MISSING:
        return _decimal(
            problems, "annual_cost_cap", _field(data, "annual_cost_cap"), Decimal(0), Decimal(10), hi_open=False
        )
    if jurisdiction == "CN":
        return CN_ANNUAL_COST_CAP
    return None


def _installment_option(problems: list[str], path: str, raw: Any) -> InstallmentOption | None:
    """One installment option from its table (periods, kind, rate)."""
    t = _table(problems, path, raw, {"periods", "kind", "rate"})
    if t is None:
        return None
    periods = _int(problems, f"{path}.periods", t.get("periods", _MISSING), 1, PERIODS_MAX)
    kind = _str(problems, f"{path}.kind", t.get("kind", _MISSING), choices=INSTALLMENT_KINDS)
    rate = _decimal(problems, f"{path}.rate", t.get("rate", "0"), Decimal(0), Decimal(1))
    if kind == "zero_fee" and rate is not None and rate != 0:
        problems.append(f"{path}.rate: a zero_fee plan must have rate 0, got {rate}")
        return None
    if periods is not None and kind is not None and rate is not None:
        return InstallmentOption(periods, kind, rate)
    return None


def _installment_options(
    problems: list[str], raw_opts: Any, cap: Decimal | None, jurisdiction: str | None
) -> tuple[InstallmentOption, ...] | None:
    """The installment options: each valid, none listed twice, none priced above the cost cap."""
    if raw_opts is _MISSING:
        raw_opts = []
    if not isinstance(raw_opts, list):
        problems.append(f"installment_options: must be a list of tables, got {_show(raw_opts)}")
        return None
    options = [_installment_option(problems, f"installment_options[{i}]", raw) for i, raw in enumerate(raw_opts)]
    parsed = [o for o in options if o is not None]
    keys = [o.key for o in parsed]
    for dup in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"installment_options: {dup} is listed twice")
    if cap is not None:
        for i, o in enumerate(parsed):
            annual = option_annual_rate(o, jurisdiction or "CN")
            if annual > cap:
                problems.append(
                    f"installment_options[{i}]: {o.key} at rate {o.rate} costs about "
                    f"{annual.quantize(Decimal('0.0001'))} a year, above annual_cost_cap {cap}"
                )
    return tuple(parsed)


def _allocation(problems: list[str], data: Mapping[str, Any]) -> AllocationRule:
    """The payment waterfall; the default one when the file leaves it out or gets it wrong."""
    if _field(data, "allocation") is _MISSING:
        return AllocationRule()
    al = _table(problems, "allocation", _field(data, "allocation"), {"item_order", "component_order"})
    if al is None:
        return AllocationRule()
    item_order = _str(problems, "allocation.item_order", al.get("item_order", "oldest_due_first"), choices=ITEM_ORDERS)
    comp = al.get("component_order", list(COMPONENTS))
    if not isinstance(comp, list) or sorted(comp) != sorted(COMPONENTS):
        problems.append(f"allocation.component_order: must list each of {', '.join(COMPONENTS)} once, got {comp!r}")
    elif item_order is not None:
        return AllocationRule(item_order, tuple(comp))
    return AllocationRule()


def _delinquency_bucket(problems: list[str], path: str, raw: Any) -> DelinquencyBucket | None:
    """One delinquency bucket from its table (code, dpd_min <= dpd_max)."""
    t = _table(problems, path, raw, {"code", "dpd_min", "dpd_max"})
    if t is None:
        return None
    bcode = _str(problems, f"{path}.code", t.get("code", _MISSING))
    lo = _int(problems, f"{path}.dpd_min", t.get("dpd_min", _MISSING), 0, DPD_MAX)
    hi = _int(problems, f"{path}.dpd_max", t.get("dpd_max", _MISSING), 0, DPD_MAX)
    if lo is not None and hi is not None and lo > hi:
        problems.append(f"{path}: dpd_min {lo} is above dpd_max {hi}")
    elif bcode is not None and lo is not None and hi is not None:
        return DelinquencyBucket(bcode, lo, hi)
    return None


def _delinquency_buckets(problems: list[str], data: Mapping[str, Any]) -> tuple[DelinquencyBucket, ...]:
    """The delinquency buckets, contiguous from dpd 0 with distinct codes; the defaults when left out."""
    if _field(data, "delinquency_buckets") is _MISSING:
        return DEFAULT_BUCKETS
    raw_b = _field(data, "delinquency_buckets")
    if not isinstance(raw_b, list) or not raw_b:
        problems.append(f"delinquency_buckets: must be a non-empty list of tables, got {_show(raw_b)}")
        return DEFAULT_BUCKETS
    parsed = [_delinquency_bucket(problems, f"delinquency_buckets[{i}]", raw) for i, raw in enumerate(raw_b)]
    bs = [b for b in parsed if b is not None]
    if len(bs) != len(raw_b):
        return DEFAULT_BUCKETS
    expected = 0
    for i, b in enumerate(bs):
        if b.dpd_min != expected:
            problems.append(
                f"delinquency_buckets[{i}]: must start at dpd {expected} "
                f"(buckets are contiguous from 0), got {b.dpd_min}"
            )
            break
        expected = b.dpd_max + 1
    codes = [b.code for b in bs]
    if len(set(codes)) != len(codes):
        problems.append("delinquency_buckets: bucket codes must not repeat")
    return tuple(bs)


def _charge_off_dpd(problems: list[str], data: Mapping[str, Any], buckets: tuple[DelinquencyBucket, ...]) -> int | None:
    """The days past due at which an account is charged off: after the last delinquency bucket."""
    charge_off = _int(
        problems, "charge_off_dpd", _with_default(data, "charge_off_dpd", DEFAULT_CHARGE_OFF_DPD), 1, DPD_MAX
    )
    if charge_off is not None and buckets and charge_off <= buckets[-1].dpd_max:
        problems.append(f"charge_off_dpd: {charge_off} must be above the last bucket's dpd_max {buckets[-1].dpd_max}")
    return charge_off


def _negotiated_plan_months_max(problems: list[str], data: Mapping[str, Any], jurisdiction: str | None) -> int | None:
    """The longest negotiated plan in months; CN allows at most CN_NEGOTIATED_PLAN_MONTHS_MAX."""
    neg = _int(
        problems,
        "negotiated_plan_months_max",
        _with_default(data, "negotiated_plan_months_max", CN_NEGOTIATED_PLAN_MONTHS_MAX),
        1,
        NEGOTIATED_MONTHS_MAX,
    )
    if jurisdiction == "CN" and neg is not None and neg > CN_NEGOTIATED_PLAN_MONTHS_MAX:
        problems.append(
            f"negotiated_plan_months_max: CN allows at most {CN_NEGOTIATED_PLAN_MONTHS_MAX} months (5 years), got {neg}"
        )
    return neg


def product_from_mapping(data: Any, *, source: str | None = None) -> Product:
    """Validate a parsed product file; return a Product or raise ProductInvalid naming every bad field."""
    problems: list[str] = []
    data = _product_fields(data, source)
    for extra in sorted(set(data) - _TOP_KEYS):
        problems.append(f"{extra}: unknown field")

    code = _code(problems, data)
    name = _str(problems, "name", _field(data, "name"))
    jurisdiction = _str(problems, "jurisdiction", _field(data, "jurisdiction"), choices=JURISDICTIONS)
    currency = _str(problems, "currency", _field(data, "currency"), choices=tuple(sorted(CURRENCY_EXPONENTS)))
    limit = _int(problems, "credit_limit_minor_max", _field(data, "credit_limit_minor_max"), 1, CREDIT_LIMIT_MINOR_MAX)
    cycle_days = _cycle_days(problems, _field(data, "cycle_days"))
    due_days = _int(problems, "due_days_after_statement", _field(data, "due_days_after_statement"), 1, DUE_DAYS_MAX)
    grace = _int(problems, "grace_days", _field(data, "grace_days"), 0, GRACE_DAYS_MAX)
    minimum = _minimum_due(problems, _field(data, "minimum_due"))
    revolving = _revolving_daily_rate(problems, data)
    late = _late_fee(problems, _field(data, "late_fee"))
    cap = _annual_cost_cap(problems, data, jurisdiction)
    options = _installment_options(problems, _field(data, "installment_options"), cap, jurisdiction)
    if revolving is not None and cap is not None and revolving * 365 > cap:
        problems.append(f"revolving_daily_rate: {revolving} × 365 = {revolving * 365} is above annual_cost_cap {cap}")
    allocation = _allocation(problems, data)
    buckets = _delinquency_buckets(problems, data)
    charge_off = _charge_off_dpd(problems, data, buckets)
    bday = _str(
        problems,
        "business_day_rule",
        _with_default(data, "business_day_rule", "next_business_day"),
        choices=BUSINESS_DAY_RULES,
    )
    neg = _negotiated_plan_months_max(problems, data, jurisdiction)
    version = _int(problems, "version", _with_default(data, "version", 1), 1, 10**9)
    if minimum is not None and limit is not None and minimum.floor_minor > limit:
        problems.append(f"minimum_due.floor_minor: {minimum.floor_minor} is above credit_limit_minor_max {limit}")

    if problems:
        raise ProductInvalid(problems, source)
    return Product(
        code=_validated(code, "code"),
        name=_validated(name, "name"),
        jurisdiction=_validated(jurisdiction, "jurisdiction"),
        currency=_validated(currency, "currency"),
        credit_limit_minor_max=_validated(limit, "credit_limit_minor_max"),
        cycle_days=_validated(cycle_days, "cycle_days"),
        due_days_after_statement=_validated(due_days, "due_days_after_statement"),
        grace_days=_validated(grace, "grace_days"),
        minimum_due=_validated(minimum, "minimum_due"),
        late_fee=_validated(late, "late_fee"),
        installment_options=_validated(options, "installment_options"),
        revolving_daily_rate=revolving,
        annual_cost_cap=cap,
        allocation=allocation,
        delinquency_buckets=buckets,
        charge_off_dpd=_validated(charge_off, "charge_off_dpd"),
        business_day_rule=_validated(bday, "business_day_rule"),
        negotiated_plan_months_max=_validated(neg, "negotiated_plan_months_max"),
        version=_validated(version, "version"),
    )


def product_to_mapping(product: Product) -> dict[str, Any]:
    """The inverse of `product_from_mapping` (rates as strings): stored with the product row."""
    out: dict[str, Any] = {
        "code": product.code,
        "name": product.name,
        "jurisdiction": product.jurisdiction,
        "currency": product.currency,
        "credit_limit_minor_max": product.credit_limit_minor_max,
        "cycle_days": list(product.cycle_days),
        "due_days_after_statement": product.due_days_after_statement,
        "grace_days": product.grace_days,
        "minimum_due": {"percent_bps": product.minimum_due.percent_bps, "floor_minor": product.minimum_due.floor_minor},
        "late_fee": {
            "percent_bps": product.late_fee.percent_bps,
            "fee_minor_min": product.late_fee.fee_minor_min,
            "fee_minor_max": product.late_fee.fee_minor_max,
        },
        "installment_options": [
            {"periods": o.periods, "kind": o.kind, "rate": str(o.rate)} for o in product.installment_options
        ],
        "allocation": {
            "item_order": product.allocation.item_order,
            "component_order": list(product.allocation.component_order),
        },
        "delinquency_buckets": [
            {"code": b.code, "dpd_min": b.dpd_min, "dpd_max": b.dpd_max} for b in product.delinquency_buckets
        ],
        "charge_off_dpd": product.charge_off_dpd,
        "business_day_rule": product.business_day_rule,
        "negotiated_plan_months_max": product.negotiated_plan_months_max,
        "version": product.version,
    }
    if product.revolving_daily_rate is not None:
        out["revolving_daily_rate"] = str(product.revolving_daily_rate)
    if product.annual_cost_cap is not None:
        out["annual_cost_cap"] = str(product.annual_cost_cap)
    return out


# -- pricing check -----------------------------------------------------------------------------
def option_annual_rate(option: InstallmentOption, jurisdiction: str = "CN") -> Decimal:
    """The option's true annual rate under the jurisdiction's APR convention (fairdue.loanmath pricing).

    Checked against the all-in cost cap when a product is loaded.
    """
    if option.kind == "zero_fee" or option.rate == 0:
        return Decimal(0)
    return price_option(option.kind, option.periods, option.rate, "monthly", jurisdiction).apr
