"""Collection strategies as data: who is contacted, when, by which channel, with which words.

A strategy file (TOML) names its jurisdiction, the products it serves, its
variants (champion/challenger, by weight in percent) and, per variant, a
cadence of steps keyed to a stage: `pre_due` and `due` (offset in days from
the due date) or a delinquency bucket (offset in days from entering it).
Templates are zh/en Jinja2 rendered in a sandbox with strict undefined
variables, so a typo in a template is a load error, not a blank in a message
to a borrower. Every step still goes through the policy gate before it can
leave: a strategy says what we would like to do, never what is allowed.

Loading validates everything and raises `StrategyError` naming the field.
"""

from __future__ import annotations

import functools
import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from fairdue.errors import FairdueError

CHANNELS = ("app_push", "sms", "email", "call", "letter")
STAGES = ("pre_due", "due", "bucket")
LANGUAGES = ("zh", "en")
JURISDICTIONS = ("CN", "US", "UK")
STEPS_PER_VARIANT_MAX = 64
VARIANTS_MAX = 8
TEMPLATE_CHARS_MAX = 2000
TEMPLATES_COMPILED_MAX = 256  # compiled template sources kept in memory
# Variables a template may use; anything else is a load error.
TEMPLATE_VARIABLES = frozenset(
    {
        "lender_name",
        "borrower_title",
        "amount_due",
        "due_on",
        "days_past_due",
        "callback_phone",
        "app_name",
        "website",
        "agent_name",
    }
)


class StrategyError(FairdueError):
    """A strategy file is malformed; the message names the field."""


@dataclass(frozen=True, slots=True)
class Template:
    """code: stable id; zh/en: Jinja2 sources (both required)."""

    code: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Step:
    """One planned action.

    stage: pre_due | due | bucket.
    bucket: the bucket name when stage == "bucket", else None.
    offset_days: days from the due date (pre_due: negative) or from entering the bucket.
    channel: app_push | sms | email | call | letter (call = a task for an agent).
    template: Template code; None only for a call task (the agent speaks).
    """

    stage: str
    bucket: str | None
    offset_days: int
    channel: str
    template: str | None


@dataclass(frozen=True, slots=True)
class Variant:
    name: str
    weight_pct: int
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Strategy:
    code: str
    version: str
    jurisdiction: str
    products: tuple[str, ...]  # product codes, or ("*",) for any product of the jurisdiction
    variants: tuple[Variant, ...]
    templates: Mapping[str, Template]

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise StrategyError(f"strategy {self.code}: no variant {name!r}")

    def serves(self, product_code: str) -> bool:
        return "*" in self.products or product_code in self.products


_ENV = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)


def _req(table: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in table:
        raise StrategyError(f"{where}: missing field {key!r}")
    value = table[key]
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise StrategyError(f"{where}.{key}: expected {kind.__name__}, got {type(value).__name__}")
    return value


def _template(code: str, table: Mapping[str, Any]) -> Template:
    where = f"templates.{code}"
    sources = {}
    for lang in LANGUAGES:
        text = _req(table, lang, str, where)
        if not text.strip() or len(text) > TEMPLATE_CHARS_MAX:
            raise StrategyError(f"{where}.{lang}: must be 1..{TEMPLATE_CHARS_MAX} characters")
        try:
            parsed = _ENV.parse(text)
        except jinja2.TemplateSyntaxError as err:
            raise StrategyError(f"{where}.{lang}: template syntax error at line {err.lineno}: {err.message}") from None
        unknown = meta.find_undeclared_variables(parsed) - TEMPLATE_VARIABLES
        if unknown:
            raise StrategyError(f"{where}.{lang}: unknown variable(s) {', '.join(sorted(unknown))}")
        sources[lang] = text
    return Template(code=code, zh=sources["zh"], en=sources["en"])


def _step(table: Mapping[str, Any], where: str, templates: Mapping[str, Template]) -> Step:
    stage = _req(table, "stage", str, where)
    if stage not in STAGES:
        raise StrategyError(f"{where}.stage: {stage!r} is not one of {', '.join(STAGES)}")
    bucket = table.get("bucket")
    if stage == "bucket":
        if not isinstance(bucket, str) or not bucket:
            raise StrategyError(f"{where}.bucket: required when stage is 'bucket'")
    elif bucket is not None:
        raise StrategyError(f"{where}.bucket: only allowed when stage is 'bucket'")
    offset = _req(table, "offset_days", int, where)
    if stage == "pre_due" and offset >= 0:
        raise StrategyError(f"{where}.offset_days: a pre_due step needs a negative offset, got {offset}")
    if stage != "pre_due" and offset < 0:
        raise StrategyError(f"{where}.offset_days: must be >= 0 for stage {stage}, got {offset}")
    channel = _req(table, "channel", str, where)
    if channel not in CHANNELS:
        raise StrategyError(f"{where}.channel: {channel!r} is not one of {', '.join(CHANNELS)}")
    template = table.get("template")
    if template is None and channel != "call":
        raise StrategyError(f"{where}.template: required for channel {channel}")
    if template is not None and template not in templates:
        raise StrategyError(f"{where}.template: unknown template {template!r}")
    return Step(stage=stage, bucket=bucket, offset_days=offset, channel=channel, template=template)


def parse_strategy(data: Mapping[str, Any], *, source: str = "strategy") -> Strategy:
    """Validate a decoded strategy document; raises StrategyError naming the field."""
    code = _req(data, "code", str, source)
    where = f"{source} {code}"
    version = _req(data, "version", str, where)
    jurisdiction = _req(data, "jurisdiction", str, where)
    if jurisdiction not in JURISDICTIONS:
        raise StrategyError(f"{where}.jurisdiction: {jurisdiction!r} is not one of {', '.join(JURISDICTIONS)}")
    products = _req(data, "products", list, where)
    if not products or not all(isinstance(p, str) and p for p in products):
        raise StrategyError(f'{where}.products: a non-empty list of product codes (or "*")')
    raw_templates = data.get("templates", {})
    if not isinstance(raw_templates, dict):
        raise StrategyError(f"{where}.templates: expected a table")
    templates = {c: _template(c, t if isinstance(t, dict) else {}) for c, t in raw_templates.items()}
    raw_variants = _req(data, "variant", list, where)
    if not 1 <= len(raw_variants) <= VARIANTS_MAX:
        raise StrategyError(f"{where}.variant: 1..{VARIANTS_MAX} variants")
    variants = []
    for i, rv in enumerate(raw_variants):
        vwhere = f"{where}.variant[{i}]"
        if not isinstance(rv, dict):
            raise StrategyError(f"{vwhere}: expected a table")
        name = _req(rv, "name", str, vwhere)
        weight = _req(rv, "weight_pct", int, vwhere)
        if not 0 <= weight <= 100:
            raise StrategyError(f"{vwhere}.weight_pct: 0..100, got {weight}")
        raw_steps = _req(rv, "step", list, vwhere)
        if not 1 <= len(raw_steps) <= STEPS_PER_VARIANT_MAX:
            raise StrategyError(f"{vwhere}.step: 1..{STEPS_PER_VARIANT_MAX} steps")
        steps = tuple(_step(s, f"{vwhere}.step[{j}]", templates) for j, s in enumerate(raw_steps))
        variants.append(Variant(name=name, weight_pct=weight, steps=steps))
    names = [v.name for v in variants]
    if len(set(names)) != len(names):
        raise StrategyError(f"{where}.variant: duplicate variant names")
    if sum(v.weight_pct for v in variants) != 100:
        raise StrategyError(f"{where}.variant: weights must add up to 100, got {sum(v.weight_pct for v in variants)}")
    return Strategy(
        code=code,
        version=version,
        jurisdiction=jurisdiction,
        products=tuple(products),
        variants=tuple(variants),
        templates=templates,
    )


def loads_strategy(text: str, *, source: str = "strategy") -> Strategy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise StrategyError(f"{source}: not valid TOML: {err}") from None
    return parse_strategy(data, source=source)


def builtin_strategies() -> dict[str, Strategy]:
    """The strategies shipped with fairdue, by code."""
    found = {}
    folder = resources.files(__package__).joinpath("strategies")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            s = loads_strategy(entry.read_text(encoding="utf-8"), source=entry.name)
            found[s.code] = s
    return found


def assign_variant(strategy: Strategy, account_key: str) -> str:
    """Stable champion/challenger split: the same account always gets the same variant.

    SHA-256 of (strategy code, account key) → a slot 0..99, mapped onto the
    cumulative weights in file order.
    """
    digest = hashlib.sha256(f"{strategy.code}\x1f{account_key}".encode()).digest()
    slot = int.from_bytes(digest[:8], "big") % 100
    cumulative = 0
    for v in strategy.variants:
        cumulative += v.weight_pct
        if slot < cumulative:
            return v.name
    raise StrategyError(
        f"strategy {strategy.code}: weights do not cover slot {slot}"
    )  # unreachable when weights sum to 100


@functools.lru_cache(maxsize=TEMPLATES_COMPILED_MAX)
def _compiled(source: str) -> jinja2.Template:
    """A template source compiled once (compiling costs ~100x rendering); sources were validated on load."""
    return _ENV.from_string(source)


def render(strategy: Strategy, template_code: str, language: str, variables: Mapping[str, Any]) -> str:
    """Render a template in a sandbox; a missing variable raises StrategyError."""
    if language not in LANGUAGES:
        raise StrategyError(f"language {language!r} is not one of {', '.join(LANGUAGES)}")
    try:
        template = strategy.templates[template_code]
    except KeyError:
        raise StrategyError(f"strategy {strategy.code}: unknown template {template_code!r}") from None
    try:
        return _compiled(getattr(template, language)).render(**variables).strip()
    except (jinja2.UndefinedError, jinja2.exceptions.SecurityError) as err:
        raise StrategyError(f"template {template_code}/{language}: {err.message}") from None


def steps_for(variant: Variant, *, stage: str, bucket: str | None = None) -> tuple[Step, ...]:
    """The variant's steps for a stage (and bucket), in offset order."""
    return tuple(
        sorted((s for s in variant.steps if s.stage == stage and s.bucket == bucket), key=lambda s: s.offset_days)
    )
