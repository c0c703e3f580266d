"""Jurisdiction packs as versioned data: load, validate, tighten with a lender override.

A pack (`packs/CN.toml`, `US.toml`, `UK.toml` in this package) lists rules;
each rule names its `kind` (a pure function in `rules.py`), its numbers, and
where they come from (source, article, confidence tag [V]/[V2]/[R], effective
date). Packs are read once with `importlib.resources` (no `open()`: the policy
package stays pure) and validated in named stages: shape, kinds, parameters.

A lender override may only tighten: a later window start, an earlier end, a
lower cap, a higher minimum, fewer allowed sources/roles/channels, more blocked
purposes. Anything looser raises `PackOverrideError` naming the rule and field.

Every pack carries a content digest (like an Open Policy Agent bundle
revision): SHA-256 over the canonical JSON of the pack as validated (see
`pack_content`), so it ignores comments, whitespace, quoting and key order in
the file, and changes with any number, list, citation, rule or rule order.
The label a decision records carries its first `LABEL_DIGEST_CHARS` hex
characters, so a rule edited without a version bump shows in the decision log.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from types import MappingProxyType
from typing import Any

from fairdue.errors import FairdueError

JURISDICTIONS = ("CN", "US", "UK")
CONFIDENCE_TAGS = frozenset({"V", "V2", "R"})
CATEGORIES = frozenset(
    {"time_window", "frequency", "third_party", "data_source", "content", "suppression", "consent", "channel"}
)
CHANNELS = frozenset({"call", "sms", "email", "letter", "app_push", "voicemail", "visit"})
OPT_OUT_CONFIRMATION = "opt_out_confirmation"
PURPOSES = frozenset({"collection", "reminder", "location", "service", "authentication", OPT_OUT_CONFIRMATION})
# `opt_out_confirmation`: the one message confirming a consumer's opt-out of a channel, on that channel
# (Reg F 1006.14(h)(2)(i)). The `opt_out` rule allows it on the opted-out channel only where the pack sets
# `confirmations_max` (US: 1) and only with no collection content; elsewhere it is a service message.
# `authentication`: a one-time code the borrower asked for, sent only to the borrower's own number or
# e-mail, carrying no debt information. Not a collection contact: a pack may exempt it from the contact
# window (hours.purposes_exempt) only if it also has an `authentication` rule that checks those conditions.
PURPOSES_EXEMPTABLE = frozenset({"authentication"})
ROLES = frozenset({"borrower", "guarantor", "spouse", "attorney", "emergency_contact", "third_party"})
SOURCES = frozenset(
    {
        "contract",
        "self_provided",
        "registration",
        "credit_bureau",
        "public_record",
        "emergency_contact",
        "device_contacts",
        "unknown",
    }
)
# Sources no pack and no override may ever allow (privacy by construction).
SOURCES_NEVER = frozenset({"device_contacts", "unknown"})
# How many hex characters of the pack's SHA-256 content digest a decision's label carries (48 bits: enough to
# tell two revisions of one pack version apart; the full digest stays on Pack.digest).
LABEL_DIGEST_CHARS = 12


class PackError(FairdueError):
    """A pack file is malformed: unknown kind, missing citation, bad number."""


class PackOverrideError(PackError):
    """A lender override would loosen a rule below the law, or names an unknown rule/field."""


# How each parameter may move under an override (tighter only):
#   window   [start, end] may only shrink       max      lower or equal
#   min      higher or equal                    superset may only gain members
#   subset   may only lose members              true     may not turn false
#   opt_max  absent means "no cap"; an override may add one, or lower it
#   max_or_zero  absent means 0 (nothing allowed); an override may only lower it
_STR_LIST = "str_list"
PARAMS: dict[str, dict[str, tuple[str, str]]] = {
    # kind: {param: (type, direction)}
    "hours": {
        "window": ("window", "window"),
        "channels": (_STR_LIST, "superset"),
        "purposes_exempt": (_STR_LIST, "subset"),
    },
    "unanswered_calls_per_day": {"unanswered_calls_per_day_max": ("int", "max")},
    "calls_in_days": {"calls_max": ("int", "max"), "days": ("int", "min")},
    "calls_after_conversation": {"days": ("int", "min")},
    "sources": {"sources_allowed": (_STR_LIST, "subset")},
    "third_party": {
        "debtor_roles": (_STR_LIST, "subset"),
        "location_roles": (_STR_LIST, "subset"),
        "location_channels": (_STR_LIST, "subset"),
        "consent_required": ("bool", "true"),
        "stop_when_asked": ("bool", "true"),
        "message_required": ("bool", "true"),
        "location_contacts_per_person_max": ("int", "opt_max"),
    },
    "unreachable": {"failed_attempts_min": ("int", "min"), "failed_days_min": ("int", "min")},
    "cease": {"purposes_blocked": (_STR_LIST, "superset"), "channels_excepted": (_STR_LIST, "subset")},
    "attorney": {"purposes_blocked": (_STR_LIST, "superset"), "channels_excepted": (_STR_LIST, "subset")},
    "bankruptcy": {"purposes_blocked": (_STR_LIST, "superset"), "channels_excepted": (_STR_LIST, "subset")},
    "breathing_space": {"purposes_blocked": (_STR_LIST, "superset"), "channels_excepted": (_STR_LIST, "subset")},
    "dispute": {"purposes_blocked": (_STR_LIST, "superset"), "channels_excepted": (_STR_LIST, "subset")},
    "plan": {"purposes_blocked": (_STR_LIST, "superset"), "channels_excepted": (_STR_LIST, "subset")},
    "opt_out": {"confirmations_max": ("int", "max_or_zero")},
    "visit_staff": {"visit_staff_min": ("int", "min")},
    "voicemail_script": {},
    "written_text": {"channels_requiring_text": (_STR_LIST, "superset")},
    "content": {},
    "authentication": {"channels": (_STR_LIST, "subset"), "sources_allowed": (_STR_LIST, "subset")},
    "truth": {"collection_requires_overdue": ("bool", "true")},
    "location_employer": {},
    "collector_disclosure": {"channels": (_STR_LIST, "superset"), "purposes": (_STR_LIST, "superset")},
}
CATEGORY_OF_KIND = {
    "hours": "time_window",
    "unanswered_calls_per_day": "frequency",
    "calls_in_days": "frequency",
    "calls_after_conversation": "frequency",
    "sources": "data_source",
    "third_party": "third_party",
    "unreachable": "third_party",
    "cease": "suppression",
    "attorney": "suppression",
    "bankruptcy": "suppression",
    "breathing_space": "suppression",
    "dispute": "suppression",
    "plan": "suppression",
    "opt_out": "channel",
    "visit_staff": "channel",
    "voicemail_script": "channel",
    "written_text": "content",
    "content": "content",
    "authentication": "content",
    "truth": "content",
    "location_employer": "third_party",
    "collector_disclosure": "content",
}
# Kinds every pack must have: without them the gate would be open by omission.
KINDS_REQUIRED = frozenset(
    {
        "hours",
        "sources",
        "third_party",
        "unreachable",
        "cease",
        "attorney",
        "bankruptcy",
        "opt_out",
        "written_text",
        "content",
        "truth",
    }
)
# Kinds that may appear more than once (e.g. a daily and a weekly call cap).
KINDS_REPEATABLE = frozenset({"calls_in_days"})
# An absent opt_out.confirmations_max allows no confirmation on an opted-out channel (CN, UK).
_OPTIONAL = frozenset({"location_contacts_per_person_max", "purposes_exempt", "confirmations_max"})
_MEMBERS = {
    "channels": CHANNELS,
    "location_channels": CHANNELS,
    "channels_excepted": CHANNELS,
    "channels_requiring_text": CHANNELS,
    "purposes_blocked": PURPOSES,
    "sources_allowed": SOURCES,
    "debtor_roles": ROLES,
    "location_roles": ROLES,
    "purposes_exempt": PURPOSES_EXEMPTABLE,
    "purposes": PURPOSES,
}
_META = ("kind", "source", "article", "confidence", "effective_on")


@dataclass(frozen=True, slots=True)
class RuleSpec:
    """One rule of a pack, as data.

    params: the kind's numbers (see PARAMS); a missing optional one means "no cap".
    """

    id: str  # stable, e.g. "CN.CBA2026.hours"
    kind: str  # which function in rules.py runs it
    category: str  # one of CATEGORIES, fixed by the kind
    source: str
    article: str
    confidence: str  # V | V2 | R
    effective_on: dt.date
    params: Mapping[str, Any]

    @property
    def citation(self) -> str:
        return f"{self.source} — {self.article} [{self.confidence}]"


@dataclass(frozen=True, slots=True)
class Pack:
    """A jurisdiction's rules at one version, possibly tightened by a lender."""

    jurisdiction: str
    version: str  # the pack's effective date, e.g. "2026-01-30"
    title_en: str
    title_zh: str
    rules: tuple[RuleSpec, ...]
    override_name: str | None = None  # the lender override applied, if any
    # SHA-256 (64 hex) of pack_content(self): the rules as they run, override applied. Derived, never passed in.
    digest: str = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "digest", pack_digest(self))

    @property
    def label(self) -> str:
        """What a decision records: version, lender override if any, content digest prefix.

        E.g. "CN@2026-01-30#3f9a0c1d2e4b" or "CN@2026-01-30+lender-x#81b2c3d4e5f6".
        """
        base = f"{self.jurisdiction}@{self.version}"
        if self.override_name:
            base = f"{base}+{self.override_name}"
        return f"{base}#{self.digest[:LABEL_DIGEST_CHARS]}"

    def rule(self, rule_id: str) -> RuleSpec:
        for spec in self.rules:
            if spec.id == rule_id:
                return spec
        raise PackError(f"pack {self.label} has no rule {rule_id!r}")


def pack_content(pack: Pack) -> dict[str, Any]:
    """The pack as validated, as JSON-shaped data: what its digest is taken over.

    {"pack": {jurisdiction, version, title_en, title_zh}, "rules": [{id, kind, source, article, confidence,
    effective_on (ISO date), params}, ...]} with rules in file order (the gate runs them, and lists their
    violations, in that order). Nothing of the file's layout is in it (comments, whitespace, quoting, a date
    written as a TOML date or as a string). The lender override's name is not content: it is in the label.
    """
    return {
        "pack": {
            "jurisdiction": pack.jurisdiction,
            "version": pack.version,
            "title_en": pack.title_en,
            "title_zh": pack.title_zh,
        },
        "rules": [
            {
                "id": spec.id,
                "kind": spec.kind,
                "source": spec.source,
                "article": spec.article,
                "confidence": spec.confidence,
                "effective_on": spec.effective_on.isoformat(),
                "params": {
                    name: list(value) if isinstance(value, tuple) else value for name, value in spec.params.items()
                },
            }
            for spec in pack.rules
        ],
    }


def pack_digest(pack: Pack) -> str:
    """SHA-256 (hex) of pack_content's canonical JSON: sorted keys, no spaces, UTF-8."""
    text = json.dumps(pack_content(pack), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- stage 1: shape ------------------------------------------------------------
def _hhmm(value: Any, where: str) -> int:
    """'HH:MM' → minutes after midnight (24:00 allowed as an end)."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise PackError(f"{where}: expected 'HH:MM', got {value!r}")
    try:
        hours, minutes = int(value[:2]), int(value[3:])
    except ValueError:
        raise PackError(f"{where}: expected 'HH:MM', got {value!r}") from None
    if not (0 <= minutes < 60 and (0 <= hours < 24 or (hours == 24 and minutes == 0))):
        raise PackError(f"{where}: {value!r} is not a time of day")
    return hours * 60 + minutes


def _check_param(where: str, name: str, typ: str, value: Any) -> Any:
    if typ == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PackError(f"{where}.{name}: expected a non-negative integer, got {value!r}")
        return value
    if typ == "bool":
        if not isinstance(value, bool):
            raise PackError(f"{where}.{name}: expected true/false, got {value!r}")
        return value
    if typ == "window":
        if not isinstance(value, list) or len(value) != 2:
            raise PackError(f'{where}.{name}: expected ["HH:MM", "HH:MM"], got {value!r}')
        start, end = _hhmm(value[0], f"{where}.{name}"), _hhmm(value[1], f"{where}.{name}")
        if start >= end:
            raise PackError(f"{where}.{name}: window start {value[0]} must be before end {value[1]}")
        return tuple(value)
    if typ == _STR_LIST:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise PackError(f"{where}.{name}: expected a list of strings, got {value!r}")
        members = _MEMBERS.get(name)
        unknown = sorted(set(value) - members) if members else []
        if members and unknown:
            raise PackError(f"{where}.{name}: unknown value(s) {unknown}; expected some of {sorted(members)}")
        if name == "sources_allowed" and SOURCES_NEVER & set(value):
            raise PackError(f"{where}.{name}: {sorted(SOURCES_NEVER & set(value))} may never be allowed")
        return tuple(value)
    raise PackError(f"{where}.{name}: unknown parameter type {typ}")  # pragma: no cover - table bug


def _rule_spec(rule_id: str, table: Any, pack_name: str) -> RuleSpec:
    where = f"{pack_name} rule {rule_id}"
    if not isinstance(table, dict):
        raise PackError(f"{where}: expected a table")
    missing = [k for k in _META if k not in table]
    if missing:
        raise PackError(f"{where}: missing {', '.join(missing)}")
    kind = table["kind"]
    if kind not in PARAMS:
        raise PackError(f"{where}: unknown kind {kind!r}; expected one of {sorted(PARAMS)}")
    for key in ("source", "article"):
        if not isinstance(table[key], str) or not table[key].strip():
            raise PackError(f"{where}: {key} must be a non-empty string")
    if table["confidence"] not in CONFIDENCE_TAGS:
        raise PackError(f"{where}: confidence must be one of {sorted(CONFIDENCE_TAGS)}, got {table['confidence']!r}")
    effective_on = table["effective_on"]
    if isinstance(effective_on, str):
        try:
            effective_on = dt.date.fromisoformat(effective_on)
        except ValueError:
            raise PackError(f"{where}: effective_on {effective_on!r} is not a date") from None
    if not isinstance(effective_on, dt.date) or isinstance(effective_on, dt.datetime):
        raise PackError(f"{where}: effective_on must be a date")
    spec_params = PARAMS[kind]
    unknown = sorted(set(table) - set(_META) - set(spec_params))
    if unknown:
        raise PackError(f"{where}: unknown field(s) {unknown} for kind {kind!r}")
    params = {}
    for name, (typ, _direction) in spec_params.items():
        if name not in table:
            if name in _OPTIONAL:
                continue
            raise PackError(f"{where}: missing {name}")
        params[name] = _check_param(where, name, typ, table[name])
    return RuleSpec(
        id=rule_id,
        kind=kind,
        category=CATEGORY_OF_KIND[kind],
        source=table["source"],
        article=table["article"],
        confidence=table["confidence"],
        effective_on=effective_on,
        params=MappingProxyType(params),
    )


def parse_pack(text: str, name: str = "pack") -> Pack:
    """Validate a pack's TOML text; raises `PackError` naming the first problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PackError(f"{name}: not valid TOML: {err}") from None
    head = data.get("pack")
    if not isinstance(head, dict):
        raise PackError(f"{name}: missing [pack] table")
    for key in ("jurisdiction", "version", "title_en", "title_zh"):
        if not isinstance(head.get(key), str) or not head[key]:
            raise PackError(f"{name}: [pack].{key} must be a non-empty string")
    if head["jurisdiction"] not in JURISDICTIONS:
        raise PackError(f"{name}: unknown jurisdiction {head['jurisdiction']!r}")
    try:
        dt.date.fromisoformat(head["version"])
    except ValueError:
        raise PackError(f"{name}: [pack].version must be the effective date (YYYY-MM-DD)") from None
    rules_table = data.get("rules")
    if not isinstance(rules_table, dict) or not rules_table:
        raise PackError(f"{name}: no [rules]")
    extra = sorted(set(data) - {"pack", "rules"})
    if extra:
        raise PackError(f"{name}: unknown top-level table(s) {extra}")
    specs = tuple(_rule_spec(rule_id, table, name) for rule_id, table in rules_table.items())
    # stage 2: kinds
    kinds = [s.kind for s in specs]
    missing = sorted(KINDS_REQUIRED - set(kinds))
    if missing:
        raise PackError(f"{name}: missing rule kind(s) {missing}")
    repeated = sorted({k for k in kinds if kinds.count(k) > 1} - KINDS_REPEATABLE)
    if repeated:
        raise PackError(f"{name}: rule kind(s) {repeated} appear more than once")
    exempting = [s.id for s in specs if s.kind == "hours" and s.params.get("purposes_exempt")]
    if exempting and "authentication" not in kinds:
        raise PackError(
            f"{name}: rule {exempting[0]} exempts authentication from the contact window, but the pack "
            "has no `authentication` rule to check that such a message goes only to the borrower's own "
            "address and carries no debt information"
        )
    for spec in specs:
        if not spec.id.startswith(head["jurisdiction"] + "."):
            raise PackError(f"{name}: rule id {spec.id!r} must start with {head['jurisdiction']}.")
    return Pack(
        jurisdiction=head["jurisdiction"],
        version=head["version"],
        title_en=head["title_en"],
        title_zh=head["title_zh"],
        rules=specs,
    )


@cache
def load_pack(jurisdiction: str) -> Pack:
    """The shipped pack for a jurisdiction (read from package data once, then cached)."""
    if jurisdiction not in JURISDICTIONS:
        raise PackError(f"no pack for jurisdiction {jurisdiction!r}; expected one of {list(JURISDICTIONS)}")
    text = files("fairdue.policy").joinpath("packs", f"{jurisdiction}.toml").read_text(encoding="utf-8")
    pack = parse_pack(text, f"packs/{jurisdiction}.toml")
    if pack.jurisdiction != jurisdiction:
        raise PackError(f"packs/{jurisdiction}.toml declares jurisdiction {pack.jurisdiction!r}")
    return pack


# --- stage 3: lender overrides (tighten only) ------------------------------------
def _tighter(where: str, direction: str, typ: str, old: Any, new: Any) -> Any:
    if direction == "window":
        (o_start, o_end), (n_start, n_end) = ([_hhmm(v, where) for v in pair] for pair in (old, new))
        if n_start < o_start:
            raise PackOverrideError(
                f"{where}: start {new[0]} is earlier than the law's {old[0]} (an override may only tighten)"
            )
        if n_end > o_end:
            raise PackOverrideError(
                f"{where}: end {new[1]} is later than the law's {old[1]} (an override may only tighten)"
            )
        return new
    if direction in ("max", "opt_max"):
        if old is not None and new > old:
            raise PackOverrideError(f"{where}: {new} is above the law's {old} (an override may only lower it)")
        return new
    if direction == "max_or_zero":
        if new > (old or 0):
            raise PackOverrideError(f"{where}: {new} is above the law's {old or 0} (an override may only lower it)")
        return new
    if direction == "min":
        if new < old:
            raise PackOverrideError(f"{where}: {new} is below the law's {old} (an override may only raise it)")
        return new
    if direction == "subset":
        added = sorted(set(new) - set(old or ()))  # an absent optional list allows nothing
        if added:
            raise PackOverrideError(
                f"{where}: adds {added}, which the law's pack does not allow (an override may only remove)"
            )
        return new
    if direction == "superset":
        removed = sorted(set(old) - set(new))
        if removed:
            raise PackOverrideError(f"{where}: drops {removed} (an override may only add)")
        return new
    if direction == "true":
        if old and not new:
            raise PackOverrideError(f"{where}: may not be turned off (an override may only tighten)")
        return new
    raise PackOverrideError(f"{where}: unknown direction {direction}")  # pragma: no cover - table bug


def apply_override(pack: Pack, override: Mapping[str, Any]) -> Pack:
    """Return `pack` tightened by a lender override; raise `PackOverrideError` on any loosening.

    Override shape (TOML or JSON): {"name": "lender-x", "jurisdiction": "CN",
    "rules": {"CN.CBA2026.hours": {"window": ["09:00", "20:00"]}, ...}}.
    Only numbers and lists may change; citations and kinds stay the law's.
    """
    if not isinstance(override, Mapping):
        raise PackOverrideError("override: expected a table")
    name = override.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PackOverrideError("override.name: a lender name is required (it is recorded in every decision)")
    extra = sorted(set(override) - {"name", "jurisdiction", "rules"})
    if extra:
        raise PackOverrideError(f"override: unknown field(s) {extra}")
    if override.get("jurisdiction", pack.jurisdiction) != pack.jurisdiction:
        raise PackOverrideError(
            f"override.jurisdiction {override.get('jurisdiction')!r} does not match pack {pack.jurisdiction}"
        )
    changes = override.get("rules", {})
    if not isinstance(changes, Mapping):
        raise PackOverrideError("override.rules: expected a table of rule ids")
    by_id = {s.id: s for s in pack.rules}
    unknown = sorted(set(changes) - set(by_id))
    if unknown:
        raise PackOverrideError(f"override.rules: unknown rule id(s) {unknown} in pack {pack.label}")
    new_specs = []
    for spec in pack.rules:
        change = changes.get(spec.id)
        if not change:
            new_specs.append(spec)
            continue
        if not isinstance(change, Mapping):
            raise PackOverrideError(f"override.rules.{spec.id}: expected a table")
        spec_params = PARAMS[spec.kind]
        params = dict(spec.params)
        for field, value in change.items():
            where = f"override.rules.{spec.id}.{field}"
            if field in _META:
                raise PackOverrideError(f"{where}: citations and kinds belong to the law's pack, not an override")
            if field not in spec_params:
                raise PackOverrideError(
                    f"{where}: unknown field for kind {spec.kind!r}; expected one of {sorted(spec_params)}"
                )
            typ, direction = spec_params[field]
            try:
                checked = _check_param(f"override.rules.{spec.id}", field, typ, value)
            except PackOverrideError:
                raise
            except PackError as err:
                raise PackOverrideError(str(err)) from None
            params[field] = _tighter(where, direction, typ, params.get(field), checked)
        new_specs.append(
            RuleSpec(
                id=spec.id,
                kind=spec.kind,
                category=spec.category,
                source=spec.source,
                article=spec.article,
                confidence=spec.confidence,
                effective_on=spec.effective_on,
                params=MappingProxyType(params),
            )
        )
    return Pack(
        jurisdiction=pack.jurisdiction,
        version=pack.version,
        title_en=pack.title_en,
        title_zh=pack.title_zh,
        rules=tuple(new_specs),
        override_name=name.strip(),
    )


def parse_override(text: str) -> dict[str, Any]:
    """An override file's TOML text as a table (validated when applied)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PackOverrideError(f"override: not valid TOML: {err}") from None
