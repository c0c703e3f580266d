"""The lexicon as data: rules.toml, lexicon_zh.toml, lexicon_en.toml, required.toml.

Loaded once at import from package data (no other I/O) and validated: every
term names a known rule, no term is empty after normalisation, every pattern
compiles. A bad data file is a `LexiconError` at import, never a silent gap.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

import ahocorasick

from fairdue.errors import FairdueError
from fairdue.policy.content.normalize import normalize_term

LANGUAGES = ("zh", "en")
ALL_JURISDICTIONS = ("CN", "US", "UK")
ALL_PURPOSES = ("collection", "reminder", "location", "service", "authentication")
APPLIES = frozenset({"always", "time_barred", "non_debtor"})
SEVERITIES = frozenset({"violation", "warning"})
CATEGORIES = frozenset({"content", "third_party"})
REQUIRED_PATTERN_KEYS = (
    "sender_identity",
    "official_channel",
    "objection_route",
    "opt_out",
    "voicemail_person",
    "voicemail_reply",
    "voicemail_callback",
    "location_request",
    "suit_negation",
)
# Rule ids the checker emits itself (not through a lexicon term).
CODE_RULE_IDS = frozenset(
    {
        "CONTENT.required.sender_identity",
        "CONTENT.required.official_channel",
        "CONTENT.required.objection_route",
        "CONTENT.required.opt_out",
        "CONTENT.required.voicemail_elements",
        "CONTENT.location.contact_request",
        "CONTENT.US.voicemail.limited_content",
        "CONTENT.review.legal_action",
    }
)


class LexiconError(FairdueError):
    """A content-check data file is malformed (unknown rule, empty term, bad regex)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One content rule: stable id, category, severity, when it applies, reasons, source."""

    id: str
    category: str
    severity: str
    applies: str
    reason_en: str
    reason_zh: str
    source: str
    article: str
    confidence: str
    negatable: bool  # a preceding negation (required.toml suit_negation) cancels a hit
    jurisdictions: frozenset[str]  # where the rule applies
    purposes: frozenset[str]  # for which message purposes it applies
    intent: str | None = None  # the intent a hit shows (intents.toml ids); None for required elements and reviews


@dataclass(frozen=True, slots=True)
class Term:
    """One lexicon entry; ``normalized`` is the key in the automaton."""

    term: str
    normalized: str
    rule: str
    language: str
    segment_check: bool  # drop a hit that jieba places inside a longer word
    stem: bool  # Latin only: more letters may follow
    homophone_of: str | None  # the word this spelling stands in for, if any
    why: str | None  # why the substitution is a known evasion
    negatives: tuple[str, ...]  # harmless sentences that must not fire the rule
    left_boundary: bool  # Latin start: must not follow a letter/digit in the original
    right_boundary: bool  # Latin end, not a stem: must not be followed by a letter/digit
    negatable: bool  # copied from the rule
    regex: re.Pattern[str] | None = None  # a [[phrase]] entry: matched on the folded text, not the automaton
    examples: tuple[str, ...] = ()  # [[phrase]] only: sentences that must fire it


@dataclass(frozen=True, slots=True)
class Allow:
    """A lawful phrase that contains a lexicon term ("存入通讯录": save our number to your contacts)."""

    phrase: str
    normalized: str
    language: str
    why: str


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Rules, terms, compiled patterns and the Aho-Corasick automaton over the terms."""

    rules: dict[str, Rule]
    terms: tuple[Term, ...]
    disclosure_roles: dict[str, frozenset[str]]
    patterns: dict[str, tuple[tuple[re.Pattern[str], bool], ...]]  # (pattern, cased), tried in order
    automaton: ahocorasick.Automaton  # terms of rules not applying to "non_debtor"; value: (key_length, term indexes)
    debt_automaton: ahocorasick.Automaton  # terms of "non_debtor" rules (debt words), read only when needed
    harmless_words: tuple[str, ...]  # added to jieba so hits inside them are dropped
    allow: tuple[Allow, ...]  # lawful phrases; a hit lying inside one is dropped
    allow_automaton: ahocorasick.Automaton  # over Allow.normalized; value: key length


def _read(name: str) -> dict[str, Any]:
    return tomllib.loads(files(__package__).joinpath(name).read_text(encoding="utf-8"))


def _rule(rule_id: str, raw: Mapping[str, Any]) -> Rule:
    try:
        rule = Rule(
            id=rule_id,
            category=raw["category"],
            severity=raw["severity"],
            applies=raw["applies"],
            reason_en=raw["reason_en"],
            reason_zh=raw["reason_zh"],
            source=raw["source"],
            article=raw["article"],
            confidence=raw["confidence"],
            negatable=bool(raw.get("negatable", False)),
            jurisdictions=frozenset(raw.get("jurisdictions", ALL_JURISDICTIONS)),
            purposes=frozenset(raw.get("purposes", ALL_PURPOSES)),
            intent=raw.get("intent"),
        )
    except KeyError as missing:
        raise LexiconError(f"rules.toml: rule {rule_id} lacks field {missing}") from None
    if rule.applies not in APPLIES:
        raise LexiconError(f"rules.toml: rule {rule_id} has unknown applies={rule.applies!r}")
    if not rule.jurisdictions or not rule.jurisdictions <= set(ALL_JURISDICTIONS):
        raise LexiconError(f"rules.toml: rule {rule_id} has bad jurisdictions {sorted(rule.jurisdictions)}")
    if not rule.purposes or not rule.purposes <= set(ALL_PURPOSES):
        raise LexiconError(f"rules.toml: rule {rule_id} has bad purposes {sorted(rule.purposes)}")
    if rule.severity not in SEVERITIES or rule.category not in CATEGORIES:
        raise LexiconError(f"rules.toml: rule {rule_id} has bad severity/category")
    return rule


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _combos(data: Mapping[str, Any], language: str) -> list[dict[str, Any]]:
    """Expand [[combo]] tables: every verb joined to every object is one term."""
    out = []
    joiner = " " if language == "en" else ""
    for combo in data.get("combo", []):
        for verb in combo["verbs"]:
            for obj in combo["objects"]:
                out.append({"term": f"{verb}{joiner}{obj}", "rule": combo["rule"]})
    return out


def _terms(language: str, rules: dict[str, Rule], read: Callable[[str], dict[str, Any]]) -> list[Term]:
    out = []
    data = read(f"lexicon_{language}.toml")
    for raw in data.get("term", []) + _combos(data, language):
        term = raw.get("term", "")
        normalized = normalize_term(term)
        if not normalized:
            raise LexiconError(f"lexicon_{language}.toml: term {term!r} is empty after normalisation")
        if raw.get("rule") not in rules:
            raise LexiconError(f"lexicon_{language}.toml: term {term!r} names unknown rule {raw.get('rule')!r}")
        if ("homophone_of" in raw) != ("why" in raw):
            raise LexiconError(f"lexicon_{language}.toml: term {term!r} needs both homophone_of and why")
        out.append(
            Term(
                term=term,
                normalized=normalized,
                rule=raw["rule"],
                language=language,
                segment_check=bool(raw.get("segment_check", False)),
                stem=bool(raw.get("stem", False)),
                homophone_of=raw.get("homophone_of"),
                why=raw.get("why"),
                negatives=tuple(raw.get("negatives", ())),
                left_boundary=_latin(normalized[0]),
                right_boundary=not raw.get("stem", False) and _latin(normalized[-1]),
                negatable=rules[raw["rule"]].negatable,
            )
        )
    for raw in data.get("phrase", []):
        name, source = raw.get("name", ""), raw.get("regex", "")
        if raw.get("rule") not in rules:
            raise LexiconError(f"lexicon_{language}.toml: phrase {name!r} names unknown rule {raw.get('rule')!r}")
        if not name or not raw.get("examples"):
            raise LexiconError(f"lexicon_{language}.toml: phrase {name!r} needs a name and examples")
        unescaped = re.sub(r"\\.", "", source)
        if not source or unescaped != unescaped.lower():
            raise LexiconError(f"lexicon_{language}.toml: phrase {name!r} regex must be non-empty lower case")
        try:
            compiled = re.compile(source)
        except re.error as err:
            raise LexiconError(f"lexicon_{language}.toml: phrase {name!r} regex does not compile: {err}") from None
        out.append(
            Term(
                term=name,
                normalized=source,
                rule=raw["rule"],
                language=language,
                segment_check=False,
                stem=False,
                homophone_of=None,
                why=None,
                negatives=tuple(raw.get("negatives", ())),
                left_boundary=False,
                right_boundary=False,
                negatable=rules[raw["rule"]].negatable,
                regex=compiled,
                examples=tuple(raw["examples"]),
            )
        )
    return out


def _patterns(key: str, sources: list[Any]) -> tuple[tuple[re.Pattern[str], bool], ...]:
    compiled = []
    for source in sources:
        cased = isinstance(source, dict)
        text = source.get("cased", "") if cased else source
        unescaped = re.sub(r"\\.", "", text)  # \S, \W, \D are escapes, not capitals
        if not text or (not cased and unescaped != unescaped.lower()):
            raise LexiconError(
                f"required.toml: a {key} pattern must be a lower-case string or {{ cased = '...' }}: {source!r}"
            )
        try:
            compiled.append((re.compile(text, re.MULTILINE), cased))
        except re.error as err:
            raise LexiconError(f"required.toml: a {key} pattern does not compile: {err}: {text}") from None
    return tuple(compiled)


def _allows(language: str, read: Callable[[str], dict[str, Any]]) -> list[Allow]:
    out = []
    for raw in read(f"lexicon_{language}.toml").get("allow", []):
        phrase, why = raw.get("phrase", ""), raw.get("why", "")
        normalized = normalize_term(phrase)
        if not normalized or not why:
            raise LexiconError(f"lexicon_{language}.toml: allow phrase {phrase!r} needs text and a why")
        out.append(Allow(phrase=phrase, normalized=normalized, language=language, why=why))
    return out


def _automaton(terms: tuple[Term, ...], keep: Callable[[Term], bool]) -> ahocorasick.Automaton:
    by_key: dict[str, list[int]] = {}
    for i, t in enumerate(terms):
        if t.regex is None and keep(t):
            by_key.setdefault(t.normalized, []).append(i)
    automaton = ahocorasick.Automaton()
    for key, indexes in by_key.items():
        automaton.add_word(key, (len(key), tuple(indexes)))
    automaton.make_automaton()
    return automaton


def load(read: Callable[[str], dict[str, Any]] = _read) -> Lexicon:
    """Read and validate every data file; build the automata.

    ``read(name)`` returns a data file's parsed TOML; tests pass their own to
    prove that malformed data is refused.
    """
    raw_rules = read("rules.toml")
    rules = {rule_id: _rule(rule_id, raw) for rule_id, raw in raw_rules.get("rules", {}).items()}
    absent = sorted(CODE_RULE_IDS - rules.keys())
    if absent:
        raise LexiconError(f"rules.toml: rules the checker emits are missing: {absent}")
    disclosure = {j: frozenset(roles) for j, roles in raw_rules.get("disclosure", {}).items()}
    if set(disclosure) != set(ALL_JURISDICTIONS):
        raise LexiconError(
            f"rules.toml: [disclosure] must list exactly {list(ALL_JURISDICTIONS)}, got {sorted(disclosure)}"
        )
    terms = tuple(t for lang in LANGUAGES for t in _terms(lang, rules, read))

    raw_patterns = read("required.toml")["patterns"]
    missing = [k for k in REQUIRED_PATTERN_KEYS if not raw_patterns.get(k)]
    if missing:
        raise LexiconError(f"required.toml: missing patterns {missing}")
    patterns = {k: _patterns(k, raw_patterns[k]) for k in REQUIRED_PATTERN_KEYS}

    automaton = _automaton(terms, lambda t: rules[t.rule].applies != "non_debtor")
    debt_automaton = _automaton(terms, lambda t: rules[t.rule].applies == "non_debtor")
    harmless = tuple(read("lexicon_zh.toml").get("segmentation", {}).get("harmless", ()))
    allow = tuple(a for lang in LANGUAGES for a in _allows(lang, read))
    allow_automaton = ahocorasick.Automaton()
    for a in allow:
        allow_automaton.add_word(a.normalized, len(a.normalized))
    allow_automaton.make_automaton()
    return Lexicon(
        rules=rules,
        terms=terms,
        disclosure_roles=disclosure,
        patterns=patterns,
        automaton=automaton,
        debt_automaton=debt_automaton,
        harmless_words=harmless,
        allow=allow,
        allow_automaton=allow_automaton,
    )
