"""The content check itself: lexicon hits, context rules, required elements."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from fairdue.errors import FairdueError
from fairdue.policy.content import intents as _intents
from fairdue.policy.content import learned as _learned
from fairdue.policy.content.intents import IntentData, IntentHit, assured, clause_boundaries, promised_after
from fairdue.policy.content.lexicon import LANGUAGES, Lexicon, Rule, load
from fairdue.policy.content.normalize import Views, is_cjk, views, vocabulary

if TYPE_CHECKING:
    import ahocorasick

JURISDICTIONS = frozenset({"CN", "US", "UK"})
CHANNELS = frozenset({"call", "sms", "email", "letter", "app_push", "voicemail", "visit"})
PURPOSES = frozenset({"collection", "reminder", "location", "service", "authentication"})
# Purposes that are not about the debt: no collection elements (opt-out, voicemail script) are required.
_PURPOSES_NOT_COLLECTION = frozenset({"service", "authentication"})
ROLES = frozenset({"borrower", "guarantor", "spouse", "attorney", "emergency_contact", "third_party"})

# Cache sizes: a service sends a few thousand distinct rendered texts a day in
# a dozen contexts each. A scan entry is ~4 KB (views of a 300-char text), a
# result entry a few hundred bytes: ~40 MB at most.
cache_entries_max = 65536  # distinct (text, reduced context) results kept
scan_entries_max = 8192  # distinct texts whose normalised views are kept
hits_per_rule_max = 20  # findings cited per rule; the last says how many more there were
segment_window_chars = 6  # jieba reads this many characters either side of a hit
negation_window_chars = 24  # characters before a lawsuit term searched for a negation
learned_chars_min = 16  # compact characters a text needs before the learned layer may judge it (about a sentence)

_CHANNELS_IDENTITY = frozenset({"sms", "email", "letter", "voicemail"})
_CHANNELS_OFFICIAL = frozenset({"sms", "email", "letter", "voicemail", "app_push"})
_CHANNELS_OBJECTION = frozenset({"sms", "email", "letter", "app_push"})
_CHANNELS_ELECTRONIC = frozenset({"sms", "email"})

_LEXICON: Lexicon = load()
# [[phrase]] entries (regexes) by whether their rule is about debt words.
_PHRASES_MAIN = tuple(
    i for i, t in enumerate(_LEXICON.terms) if t.regex is not None and _LEXICON.rules[t.rule].applies != "non_debtor"
)
_PHRASES_DEBT = tuple(
    i for i, t in enumerate(_LEXICON.terms) if t.regex is not None and _LEXICON.rules[t.rule].applies == "non_debtor"
)


# Lexicon terms also read through pinyin (坐lao, 通迅录): multi-character CJK
# terms of the "always" rules that are not ambiguous short words.
_INTENTS: IntentData = _intents.load(
    lexicon_cjk=[
        (i, t.normalized)
        for i, t in enumerate(_LEXICON.terms)
        if t.regex is None
        and not t.segment_check
        and _LEXICON.rules[t.rule].applies == "always"
        and len(t.normalized) >= 2
        and all(is_cjk(ch) for ch in t.normalized)
    ]
)
_RULES: dict[str, Rule] = {**_LEXICON.rules, **_INTENTS.rules}
# The words the classes and the lexicon are written in: a token spelled with digits, symbols or masked letters
# (w4$73, s**l) is read as the one of them it spells (normalize.respell).
_VOCABULARY = vocabulary(
    [*(term for terms in _INTENTS.class_terms for term in terms), *(t.term for t in _LEXICON.terms if t.regex is None)]
)


def text_views(text: str) -> Views:
    """The normalised views of a text as the check reads it (the learned layer is trained on the same)."""
    return views(text, _VOCABULARY)


class ContentContextError(FairdueError):
    """The message context (language, jurisdiction, channel, purpose, role) is not one we know."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason a message is unlawful (violation) or doubtful (warning).

    evidence for a lexicon or pattern hit: {"matched": original text of the
    span, "span": [start, end) in the original text, "intent": the intent id
    (or None), "term": lexicon entry or grammar name, "normalized": the
    compact form that matched}; for a missing required element:
    {"missing": element name}.
    """

    rule: str  # stable id, e.g. "CONTENT.impersonation.police"
    category: str  # "content" | "third_party"
    reason_en: str
    reason_zh: str
    evidence: dict[str, Any]
    severity: str  # "violation" | "warning"
    citation: str = ""  # "<source> — <article> [<confidence>]" from rules.toml
    intent: str | None = None  # intents.toml id the finding shows; None for required elements and reviews


def lexicon() -> Lexicon:
    """The loaded lexicon (rules, terms, patterns): for tests and audits."""
    return _LEXICON


# --- jieba, loaded on first use only (it reads its dictionary) ---------------
_tokenizer: Any = None  # a jieba.Tokenizer (jieba ships no types)


def prepare() -> None:
    """Load jieba's dictionary now instead of at the first ambiguous hit (~1 s once)."""
    _jieba()


def _jieba() -> Any:
    global _tokenizer
    if _tokenizer is None:
        import logging

        import jieba

        # jieba announces its dictionary load at DEBUG on stderr; keep CLI output clean.
        jieba.setLogLevel(logging.WARNING)
        tok = jieba.Tokenizer()
        tok.initialize()
        for word in _LEXICON.harmless_words:
            tok.add_word(word)
        for term in _LEXICON.terms:
            if term.segment_check and not tok.FREQ.get(term.normalized):
                tok.add_word(term.normalized)
        _tokenizer = tok
    return _tokenizer


@lru_cache(maxsize=4096)
def _inside_longer_word(window: str, start: int, end: int) -> bool:
    """True when jieba puts a word boundary strictly inside window[start:end]."""
    for _word, w_start, w_end in _jieba().tokenize(window, HMM=False):
        if w_start < start < w_end or w_start < end < w_end:
            return True
    return False


# --- scanning (depends on the text only; cached) ----------------------------
@dataclass(frozen=True, slots=True)
class _Hit:
    term_index: int
    start: int  # original span [start, end)
    end: int
    negated: bool  # a negation precedes it (only for negatable rules)


@dataclass(frozen=True, slots=True)
class _Scan:
    views: Views
    hits: tuple[_Hit, ...]  # hits on every rule except the debt words (non_debtor)
    present: dict[str, bool]  # required-element pattern results, filled on first need
    intent_hits: tuple[IntentHit, ...]  # grammar and pattern matches that are not assurances
    boundaries: tuple[int, ...]  # clause punctuation positions (see intents.clause_boundaries)
    has_time_barred_hit: bool  # whether time_barred matters for this text at all
    allowed: tuple[tuple[int, int], ...]  # compact [start, end] of lawful allow-phrases
    lower: str  # base, lower-cased: what the plain required-element patterns read
    reported: tuple[tuple[int, int], ...]  # spans of someone else's words quoted back (intents.reported_spans)
    senders: tuple[tuple[int, int], ...]  # where the text names its sender or cites a title (intents.sender_spans)

    def has(self, key: str) -> bool:
        """Whether required-element pattern ``key`` matches; evaluated only when a context needs it."""
        found = self.present.get(key)
        if found is None:
            base, lower = self.views.base, self.lower
            found = self.present[key] = any(p.search(base if cased else lower) for p, cased in _LEXICON.patterns[key])
        return found


def _is_word_char(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _allowed(v: Views) -> tuple[tuple[int, int], ...]:
    return tuple((end_c - key_len + 1, end_c) for end_c, key_len in _LEXICON.allow_automaton.iter(v.compact))


def _scan_terms(
    v: Views,
    automaton: ahocorasick.Automaton,
    allowed: tuple[tuple[int, int], ...],
    phrases: tuple[int, ...],
    boundaries: tuple[int, ...] | None = None,
) -> list[_Hit]:
    lex = _LEXICON
    terms = lex.terms
    light = v.light
    light_len = len(light)
    run_compact, run_original = v.run_compact, v.run_original
    hits = []
    for ti in phrases:  # [[phrase]] regexes read the folded text; spans are original
        regex = terms[ti].regex
        if regex is None:  # never: `phrases` holds only [[phrase]] entries, and each has its regex
            continue
        for m in regex.finditer(light):
            negated = terms[ti].negatable and any(
                p.search(light[max(0, m.start() - negation_window_chars) : m.start()])
                for p, _cased in lex.patterns["suit_negation"]
            )
            if not terms[ti].negatable and boundaries is not None and lex.rules[terms[ti].rule].intent is not None:
                negated = assured(light, m.start(), boundaries)  # "we won't contact your friends, family or …"
            hits.append(_Hit(ti, m.start(), m.end(), negated))
    for end_c, (key_len, term_indexes) in automaton.iter(v.compact):
        start_c = end_c - key_len + 1
        if allowed and any(a0 <= start_c and end_c <= a1 for a0, a1 in allowed):
            continue
        r0 = bisect_right(run_compact, start_c) - 1
        r1 = bisect_right(run_compact, end_c) - 1
        start = run_original[r0] + start_c - run_compact[r0]
        last = run_original[r1] + end_c - run_compact[r1]
        for ti in term_indexes:
            term = terms[ti]
            if term.left_boundary and start > 0 and _is_word_char(light[start - 1]):
                continue
            if term.right_boundary and last + 1 < light_len and _is_word_char(light[last + 1]):
                continue
            if term.segment_check and r0 == r1:  # a spaced-out hit is deliberate: no jieba
                w0 = max(0, start - segment_window_chars)
                w1 = min(light_len, last + 1 + segment_window_chars)
                if _inside_longer_word(light[w0:w1], start - w0, last + 1 - w0):
                    continue
            if term.stem:  # cite the whole word: "arrested", not "arrest"
                while last + 1 < light_len and light[last + 1].isascii() and light[last + 1].isalpha():
                    last += 1
            negated = False
            if term.negatable:
                before = light[max(0, start - negation_window_chars) : start]
                negated = any(p.search(before) for p, _cased in lex.patterns["suit_negation"])
            elif boundaries is not None and lex.rules[term.rule].intent is not None:
                # "我们不会联系您的通讯录", "your employer will not be contacted": a promise
                negated = (
                    assured(light, start, boundaries)
                    or promised_after(light, last + 1, boundaries)
                    or _intents.weighing(light, start, boundaries)
                    or _intents.exempt_in_context(lex.rules[term.rule].intent, light, start, last + 1, boundaries)
                )
            hits.append(_Hit(ti, start, last + 1, negated))
    return hits


def _word_freq(word: str) -> int:
    freq: int = _jieba().FREQ.get(word, 0) or 0
    return freq


def _intent_scan(
    v: Views, boundaries: tuple[int, ...], reported: tuple[tuple[int, int], ...], senders: tuple[tuple[int, int], ...]
) -> tuple[list[IntentHit], list[_Hit]]:
    """Grammar matches that are not assurances, and lexicon terms read through pinyin."""
    class_hits, term_hits = _intents.scan_classes(_INTENTS, v, _word_freq)
    light = v.light
    matches = [
        h
        for h in _intents.match(_INTENTS, v, class_hits, boundaries, senders)
        if not _intents.promise(light, h, boundaries)
        and not _intents.starts_in(reported, h.start)
        # (advice to go to an authority exempts a lexicon term only: a grammar's claim of an authority's act stays)
        and not (h.intent == "exposure" and _intents.asks_call_back(light, h.start, h.end, boundaries))
    ]
    sounded = [
        _Hit(ti, start, end, assured(light, start, boundaries) or _intents.in_spans(reported, start, end))
        for ti, start, end in term_hits
    ]
    return matches, sounded


@lru_cache(maxsize=scan_entries_max)
def _scan(text: str) -> _Scan:
    v = text_views(text)
    allowed = _allowed(v)
    boundaries = clause_boundaries(v.light)
    reported = _intents.reported_spans(v.light)
    senders = _intents.sender_spans(v.light)
    matches, sounded = _intent_scan(v, boundaries, reported, senders)
    hits = tuple(_scan_terms(v, _LEXICON.automaton, allowed, _PHRASES_MAIN, boundaries)) + tuple(sounded)
    if reported:  # a term inside someone else's quoted words is reported, not said (like a promise: negated)
        hits = tuple(
            h
            if h.negated or not _intents.in_spans(reported, h.start, h.end)
            else _Hit(h.term_index, h.start, h.end, True)
            for h in hits
        )
    rules, terms = _LEXICON.rules, _LEXICON.terms
    return _Scan(
        views=v,
        hits=hits,
        present={},
        allowed=allowed,
        lower=v.base.lower(),
        has_time_barred_hit=any(rules[terms[h.term_index].rule].applies == "time_barred" for h in hits),
        intent_hits=tuple(matches),
        boundaries=boundaries,
        reported=reported,
        senders=senders,
    )


@lru_cache(maxsize=scan_entries_max)
def _debt_hits(text: str) -> tuple[_Hit, ...]:
    """Debt words: read only for contexts where they matter (most messages go to the borrower)."""
    text_scan = _scan(text)
    return tuple(_scan_terms(text_scan.views, _LEXICON.debt_automaton, text_scan.allowed, _PHRASES_DEBT))


def debt_mentions(text: str) -> list[dict[str, Any]]:
    """Every debt word or phrase in `text` (the third-party disclosure lexicon, zh and en), as evidence dicts.

    Used where a message must carry no debt information at all (e.g. a login code).
    """
    return [_hit_evidence(text, hit) for hit in sorted(_debt_hits(text), key=lambda h: (h.start, -h.end))]


# --- assembling findings for a context --------------------------------------
def _finding(rule: Rule, evidence: dict[str, Any], severity: str | None = None, intent: str | None = None) -> Finding:
    return Finding(
        rule=rule.id,
        category=rule.category,
        reason_en=rule.reason_en,
        reason_zh=rule.reason_zh,
        evidence=evidence,
        severity=severity or rule.severity,
        citation=f"{rule.source} — {rule.article} [{rule.confidence}]",
        intent=intent,
    )


def _hit_evidence(text: str, hit: _Hit, intent: str | None = None) -> dict[str, Any]:
    term = _LEXICON.terms[hit.term_index]
    return {
        "matched": text[hit.start : hit.end],
        "span": [hit.start, hit.end],
        "intent": intent,
        "term": term.term,
        "normalized": term.normalized,
    }


def _intent_findings(
    text: str, text_scan: _Scan, jurisdiction: str, purpose: str, non_debtor: bool, taken: list[tuple[str, int, int]]
) -> list[Finding]:
    """Grammar findings in this context, except where a finding of the same intent already covers the span."""
    out = []
    for hit in sorted(text_scan.intent_hits, key=lambda h: (h.start, -h.end)):
        if not _intents.in_context(_INTENTS, hit, jurisdiction, purpose, non_debtor):
            continue
        if any(i == hit.intent and s < hit.end and hit.start < e for i, s, e in taken):
            continue
        taken.append((hit.intent, hit.start, hit.end))
        rule = _INTENTS.rules[hit.rule_id]
        matched = text[hit.start : hit.end]
        evidence = {
            "matched": matched,
            "span": [hit.start, hit.end],
            "intent": hit.intent,
            "term": hit.rule_id.rsplit(".", 1)[-1],
            "normalized": views(matched).compact,
        }
        out.append(_finding(rule, evidence, intent=hit.intent))
    return out


def _drop_contained(pairs: list[tuple[str, _Hit]]) -> list[tuple[str, _Hit]]:
    """Per rule, keep only hits not inside a longer (or equal, earlier) hit of the same rule."""
    kept = []
    last_rule, last_end = None, -1
    # Per rule, by start ascending and longest first: a hit is contained in an
    # earlier one exactly when it ends no later than the furthest end so far.
    for rule_id, hit in sorted(pairs, key=lambda p: (p[0], p[1].start, -p[1].end)):
        if rule_id == last_rule and hit.end <= last_end:
            continue
        if rule_id != last_rule:
            last_rule, last_end = rule_id, -1
        last_end = max(last_end, hit.end)
        kept.append((rule_id, hit))
    return kept


def _required(text_scan: _Scan, jurisdiction: str, channel: str, purpose: str) -> list[Finding]:
    rules = _LEXICON.rules
    out: list[Finding] = []
    us_voicemail = jurisdiction == "US" and channel == "voicemail"

    def need(element: str, rule_id: str, severity: str | None = None) -> None:
        if not text_scan.has(element):
            out.append(_finding(rules[rule_id], {"missing": element}, severity))

    if purpose in ("collection", "location", "reminder") and not us_voicemail:
        # Reminders are not collection: a missing element is a warning there.
        severity = "warning" if purpose == "reminder" else None
        if channel in _CHANNELS_IDENTITY:
            need("sender_identity", "CONTENT.required.sender_identity", severity)
        if channel in _CHANNELS_OFFICIAL:
            need("official_channel", "CONTENT.required.official_channel", severity)
    if jurisdiction == "CN" and purpose == "collection" and channel in _CHANNELS_OBJECTION:
        need("objection_route", "CONTENT.required.objection_route")
    if jurisdiction == "US" and channel in _CHANNELS_ELECTRONIC and purpose not in _PURPOSES_NOT_COLLECTION:
        need("opt_out", "CONTENT.required.opt_out")
    if us_voicemail and purpose not in _PURPOSES_NOT_COLLECTION:
        missing = [k for k in ("voicemail_person", "voicemail_reply", "voicemail_callback") if not text_scan.has(k)]
        if missing:
            out.append(_finding(rules["CONTENT.required.voicemail_elements"], {"missing": ", ".join(missing)}))
    if purpose == "location":
        need("location_request", "CONTENT.location.contact_request")
    return out


@lru_cache(maxsize=cache_entries_max)
def _check(
    text: str, jurisdiction: str, channel: str, purpose: str, non_debtor: bool, time_barred: bool
) -> tuple[Finding, ...]:
    """Findings for a text in a reduced context (the recipient role only matters as non_debtor)."""
    lex = _LEXICON
    text_scan = _scan(text)
    us_voicemail = jurisdiction == "US" and channel == "voicemail"

    hits = text_scan.hits
    if non_debtor or us_voicemail:
        # The sender's own name ("Summit Ridge Loans: …", 【安心贷】) identifies the caller, as a location or
        # third-party contact must (12 CFR 1006.10(b)(1)); it says nothing of this person's debt.
        # Nor does someone else's report quoted back (您反映的“陌生人冒充我司催收”).
        exempt = text_scan.senders + text_scan.reported
        hits = hits + tuple(h for h in _debt_hits(text) if not _intents.in_spans(exempt, h.start, h.end))
    pairs: list[tuple[str, _Hit]] = []
    for hit in hits:
        rule = lex.rules[lex.terms[hit.term_index].rule]
        if jurisdiction not in rule.jurisdictions or purpose not in rule.purposes:
            continue
        if rule.applies == "always":
            if not hit.negated:  # a promise not to do it ("we will not contact your employer")
                pairs.append((rule.id, hit))
        elif rule.applies == "time_barred":
            if not hit.negated:
                # On a live debt a lawsuit may be mentioned, but a person should look.
                pairs.append((rule.id if time_barred else "CONTENT.review.legal_action", hit))
        elif rule.applies == "non_debtor":
            if non_debtor:
                pairs.append((rule.id, hit))
            if us_voicemail:
                pairs.append(("CONTENT.US.voicemail.limited_content", hit))

    kept = _drop_contained(pairs)  # sorted by rule, then start
    per_rule: dict[str, int] = {}
    findings = []
    taken: list[tuple[str, int, int]] = []
    for rule_id, hit in kept:
        seen = per_rule[rule_id] = per_rule.get(rule_id, 0) + 1
        rule = lex.rules[rule_id]
        intent = rule.intent if rule.severity == "violation" else None
        if intent is not None:
            taken.append((intent, hit.start, hit.end))
        if seen <= hits_per_rule_max:
            findings.append(_finding(rule, _hit_evidence(text, hit, intent), intent=intent))
    for i, f in enumerate(findings):  # say how many were left out, on the rule's last kept finding
        total = per_rule[f.rule]
        if total > hits_per_rule_max and (i + 1 == len(findings) or findings[i + 1].rule != f.rule):
            f.evidence["more_hits"] = total - hits_per_rule_max
    findings.extend(
        _intent_findings(text, text_scan, jurisdiction, purpose, non_debtor, taken)[: hits_per_rule_max * 4]
    )
    if purpose not in _PURPOSES_NOT_COLLECTION and not any(
        f.intent is not None and f.severity == "violation" for f in findings
    ):
        findings.extend(_learned_findings(text, text_scan, non_debtor))
    findings.sort(key=lambda f: (f.evidence["span"][0], f.rule))
    findings.extend(_required(text_scan, jurisdiction, channel, purpose))
    return tuple(findings)


def _learned_findings(text: str, text_scan: _Scan, non_debtor: bool) -> list[Finding]:
    """The learned layer's denial, asked only when no grammar or lexicon finding names an intent: it may add a
    denial (with the nearest intent and the n-grams that drove it, in original spans), never remove one. A third-party
    intent counts only for a recipient who may not hear about the debt; a hit whose n-grams lie in the sender's name, a
    cited title or reported words is no denial. A text shorter than learned_chars_min is
    left to the grammars: on a few characters the n-grams are no evidence ("自动语音：请回电。" scored 0.999 "disguised")."""
    if len(text_scan.views.compact) < learned_chars_min:
        return []
    hit = _learned.score_views(text_scan.views)
    # Third-party intent only for someone who may not hear of the debt; to that someone, a plain request to call back
    # is what a lawful location message is, not a disguise (the pretext grammars name real disguises).
    if hit is None or (hit.intent == "third_party" and not non_debtor) or (hit.intent == "disguised" and non_debtor):
        return []
    if _intents.in_spans(text_scan.senders + text_scan.reported, hit.start, hit.end):
        return []  # what drove it is the sender's name, a cited title or someone else's words, not the sender's own
    rule = _INTENTS.rules[f"CONTENT.intent.{hit.intent}.{_intents.LEARNED_SUB}"]
    return [_finding(rule, hit.evidence(text), intent=hit.intent)]


def clear_caches() -> None:
    """Forget every cached result (for measurements of the uncached path)."""
    for cached in (_check, _scan, _debt_hits, _inside_longer_word):
        cached.cache_clear()


_LANGUAGES = frozenset(LANGUAGES)


def _refuse(
    text: object, language: object, jurisdiction: object, channel: object, purpose: object, recipient_role: object
) -> None:
    """Raise the precise error for the first unknown context value."""
    if not isinstance(text, str):
        raise ContentContextError(f"message text must be a string, not {type(text).__name__}")
    for name, value, allowed in (
        ("language", language, _LANGUAGES),
        ("jurisdiction", jurisdiction, JURISDICTIONS),
        ("channel", channel, CHANNELS),
        ("purpose", purpose, PURPOSES),
        ("recipient_role", recipient_role, ROLES),
    ):
        if value not in tuple(allowed):  # a tuple compares by ==, so unhashable values are refused too
            raise ContentContextError(
                f"unknown {name} {value!r} for the content check; expected one of {sorted(allowed)}"
            )
    if text.__class__ is not str:  # a str subclass: check it as the plain string it holds
        return


def check_message(
    *, text: str, language: str, jurisdiction: str, channel: str, purpose: str, recipient_role: str, time_barred: bool
) -> list[Finding]:
    """Every content finding for one message in its context (empty list: nothing found).

    Both lexicons are always applied (messages mix scripts); `language` is
    validated and recorded by the caller but does not narrow the search.
    Raises `ContentContextError` for an unknown context value.
    """
    try:
        known = (
            text.__class__ is str
            and language in _LANGUAGES
            and jurisdiction in JURISDICTIONS
            and channel in CHANNELS
            and purpose in PURPOSES
            and recipient_role in ROLES
        )
    except TypeError:  # an unhashable value
        known = False
    if not known:
        _refuse(text, language, jurisdiction, channel, purpose, recipient_role)
    # Reduce the context to what can change the result, so one cached entry
    # serves every role that is (or is not) allowed to hear about the debt and
    # both time_barred values when the text has no lawsuit term.
    non_debtor = purpose == "location" or recipient_role not in _LEXICON.disclosure_roles[jurisdiction]
    time_barred = bool(time_barred) and _scan(text).has_time_barred_hit  # else both give the same result
    findings = _check(text, jurisdiction, channel, purpose, non_debtor, time_barred)
    # Findings are cached and shared: hand out fresh evidence dicts.
    return [
        Finding(
            f.rule,
            f.category,
            f.reason_en,
            f.reason_zh,
            {**f.evidence, "span": list(f.evidence["span"])} if "span" in f.evidence else dict(f.evidence),
            f.severity,
            f.citation,
            f.intent,
        )
        for f in findings
    ]
