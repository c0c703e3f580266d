"""Every lexicon entry is proven by data-driven cases: it fires (also spaced, punctuated, traditional, full-width) and its harmless look-alikes do not."""

from __future__ import annotations

import opencc
import pytest

from fairdue.policy.content import check_message, lexicon
from fairdue.policy.content.lexicon import CODE_RULE_IDS
from fairdue.policy.content.normalize import normalize_term

LEX = lexicon()
TERMS = [t for t in LEX.terms if t.regex is None]  # automaton entries
PHRASES = [t for t in LEX.terms if t.regex is not None]  # [[phrase]] regex entries
_S2T = opencc.OpenCC("s2t")


def _context(rule_id: str) -> dict:
    """A context in which a hit on `rule_id` counts."""
    applies = LEX.rules[rule_id].applies
    return dict(
        language="zh",
        jurisdiction=sorted(LEX.rules[rule_id].jurisdictions)[0],
        channel="call",
        purpose="collection",
        recipient_role="third_party" if applies == "non_debtor" else "borrower",
        time_barred=applies == "time_barred",
    )


def _rules_found(text: str, rule_id: str) -> list:
    return [f for f in check_message(text=text, **_context(rule_id)) if f.rule == rule_id]


def _carrier(term: str, language: str) -> str:
    return f"您好，{term}，谢谢。" if language == "zh" else f"Hello, {term}. Thanks."


def _id(term) -> str:
    return f"{term.language}:{term.term}"


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize("term", TERMS, ids=_id)
def test_term_fires_and_cites_its_span(term):
    text = _carrier(term.term, term.language)
    found = _rules_found(text, term.rule)
    assert found, f"{term.term!r} did not fire {term.rule}"
    start, end = found[0].evidence["span"]
    assert text[start:end] == found[0].evidence["matched"]
    assert normalize_term(found[0].evidence["matched"]) == found[0].evidence["normalized"]


@pytest.mark.parametrize("term", TERMS, ids=_id)
def test_term_fires_when_spaced_out(term):
    """Evasion by spacing: 爆 通 讯 录, a r r e s t."""
    spaced = " ".join(term.term)
    text = _carrier(spaced, term.language)
    found = _rules_found(text, term.rule)
    assert found, f"spaced {spaced!r} did not fire {term.rule}"
    start, end = found[0].evidence["span"]
    assert text[start:end].replace(" ", "") == term.term.replace(" ", "")


@pytest.mark.parametrize("term", TERMS, ids=_id)
def test_term_fires_with_punctuation_between_characters(term):
    """Evasion by punctuation: 传.票, a.r.r.e.s.t, 老-赖."""
    dotted = ".".join(term.term) if term.language == "en" else "-".join(term.term)
    assert _rules_found(_carrier(dotted, term.language), term.rule), dotted


@pytest.mark.parametrize("term", [t for t in TERMS if t.language == "zh"], ids=_id)
def test_chinese_term_fires_in_traditional_characters(term):
    traditional = _S2T.convert(term.term)
    assert _rules_found(_carrier(traditional, "zh"), term.rule), traditional


@pytest.mark.parametrize("term", [t for t in TERMS if any(c.isascii() and c.isalpha() for c in t.term)], ids=_id)
def test_latin_term_fires_in_full_width_and_upper_case(term):
    assert _rules_found(_carrier(_full_width(term.term), term.language), term.rule)
    assert _rules_found(_carrier(term.term.upper(), term.language), term.rule)


@pytest.mark.parametrize(
    ("phrase", "example"),
    [(p, e) for p in PHRASES for e in p.examples],
    ids=[f"{p.term}:{e}" for p in PHRASES for e in p.examples],
)
def test_phrase_example_fires_with_its_span(phrase, example):
    found = [f for f in check_message(text=example, **_context(phrase.rule)) if f.rule == phrase.rule]
    assert found, f"{example!r} did not fire {phrase.rule}"
    start, end = found[0].evidence["span"]
    assert example[start:end] == found[0].evidence["matched"]


NEGATIVES = [(t, sentence) for t in LEX.terms for sentence in t.negatives]


@pytest.mark.parametrize(("term", "sentence"), NEGATIVES, ids=[f"{_id(t)}:{s}" for t, s in NEGATIVES])
def test_harmless_sentence_does_not_fire(term, sentence):
    assert not _rules_found(sentence, term.rule), f"{sentence!r} wrongly fired {term.rule}"
    if term.language == "zh":  # the same sentence in traditional characters stays harmless
        traditional = _S2T.convert(sentence)
        assert not _rules_found(traditional, term.rule), f"{traditional!r} wrongly fired {term.rule}"


def test_every_segment_checked_term_has_a_negative_or_is_listed_as_needing_none():
    """segment_check exists to reject harmless longer words: show one for each, or say why not."""
    # 公安: its harmful compounds are separate entries; 人肉: added to jieba;
    # 起诉: only dropped inside 提起诉讼, where 诉讼 still fires.
    needs_none = {"公安", "人肉", "起诉"}
    lacking = [t.term for t in TERMS if t.segment_check and not t.negatives and t.term not in needs_none]
    assert not lacking


@pytest.mark.parametrize("term", [t for t in TERMS if t.homophone_of], ids=_id)
def test_homophones_are_justified_and_point_at_a_real_entry(term):
    assert term.why and len(term.why) > 20
    targets = {t.term for t in TERMS if not t.homophone_of}
    assert term.homophone_of in targets
    target_rules = {t.rule for t in TERMS if t.term == term.homophone_of}
    assert term.rule in target_rules


def test_every_rule_is_used_and_cites_a_source():
    used = {t.rule for t in LEX.terms}
    for rule in LEX.rules.values():
        assert rule.source and rule.article and rule.confidence in {"V", "V2", "R"}, rule.id
        assert rule.reason_en and rule.reason_zh, rule.id
    lexicon_rules = set(LEX.rules) - CODE_RULE_IDS
    assert lexicon_rules <= used, lexicon_rules - used


def test_no_duplicate_entries():
    keys = [(t.normalized, t.rule) for t in LEX.terms]
    assert len(keys) == len(set(keys))


ALLOWS = LEX.allow


@pytest.mark.parametrize("allow", ALLOWS, ids=lambda a: f"{a.language}:{a.phrase}")
def test_allow_phrase_contains_a_term_and_silences_it(allow):
    inside = [t for t in TERMS if t.normalized in allow.normalized]
    assert inside, f"allow phrase {allow.phrase!r} contains no term: it does nothing"
    text = _carrier(allow.phrase, allow.language)
    for term in inside:
        ctx = _context(term.rule)
        hits = [f for f in check_message(text=text, **ctx) if f.rule == term.rule]
        assert not hits, f"{allow.phrase!r} still fires {term.rule}"
    assert len(allow.why) > 15


def test_allow_phrase_does_not_silence_the_same_word_elsewhere():
    text = "请将客服号码存入通讯录。再不还就爆你通讯录。"
    found = [
        f
        for f in check_message(text=text, **_context("CONTENT.third_party_threat"))
        if f.rule == "CONTENT.third_party_threat"
    ]
    assert [f.evidence["span"] for f in found] == [[text.rindex("通讯录"), text.rindex("通讯录") + 3]]
