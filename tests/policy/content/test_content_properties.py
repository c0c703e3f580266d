"""Properties over random input: the check never crashes, spans never lie, and separators cannot smuggle a forbidden word past it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.policy.content import CHANNELS, JURISDICTIONS, PURPOSES, ROLES, check_message, lexicon

LEX = lexicon()
ALWAYS_TERMS = [t for t in LEX.terms if LEX.rules[t.rule].applies == "always"]
DEBT_TERMS = [t for t in LEX.terms if t.rule == "THIRD_PARTY.debt_disclosure"]
SEPARATORS = st.text(alphabet=" .,-_*·。，、　\u200b\u200d!？/|~😀♥★\n\t", min_size=0, max_size=2)
# CJK, Latin, digits, punctuation and full-width forms, the mix real messages carry.
MESSAGE_TEXT = st.text(alphabet=st.sampled_from(
    list("您好还款逾期通讯录传票警察公安老赖垃圾分类報警器交察看 abcdefghijklmnopqrstuvwxyzAPOLICE0123456789.,!?-【】：，。ＡＢＣ")
), max_size=120)

context = st.fixed_dictionaries({
    "language": st.sampled_from(["zh", "en"]),
    "jurisdiction": st.sampled_from(sorted(JURISDICTIONS)),
    "channel": st.sampled_from(sorted(CHANNELS)),
    "purpose": st.sampled_from(sorted(PURPOSES)),
    "recipient_role": st.sampled_from(sorted(ROLES)),
    "time_barred": st.booleans(),
})


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(max_size=200), MESSAGE_TEXT), ctx=context)
def test_never_raises_and_every_span_is_true(text, ctx):
    for f in check_message(text=text, **ctx):
        assert f.severity in {"violation", "warning"}
        assert f.category in {"content", "third_party"}
        if "span" in f.evidence:
            start, end = f.evidence["span"]
            assert 0 <= start < end <= len(text)
            assert text[start:end] == f.evidence["matched"]


def _spread(term: str, seps: list[str]) -> str:
    out = []
    for i, ch in enumerate(term):
        out.append(ch)
        if i < len(term) - 1:
            out.append(seps[i % len(seps)] if seps else "")
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(term=st.sampled_from(ALWAYS_TERMS), seps=st.lists(SEPARATORS, min_size=0, max_size=6), ctx=context)
def test_separators_inside_a_forbidden_word_do_not_hide_it(term, seps, ctx):
    rule = LEX.rules[term.rule]
    ctx = {**ctx, "jurisdiction": sorted(rule.jurisdictions)[0],
           "purpose": ctx["purpose"] if ctx["purpose"] in rule.purposes else sorted(rule.purposes)[0]}
    text = f"您好，{_spread(term.term, seps)}，谢谢"
    rules = {f.rule for f in check_message(text=text, **ctx)}
    assert term.rule in rules, text


@settings(max_examples=200, deadline=None)
@given(term=st.sampled_from(DEBT_TERMS), role=st.sampled_from(["emergency_contact", "third_party"]),
       ctx=context, prefix=MESSAGE_TEXT)
def test_debt_words_to_third_parties_are_always_a_third_party_violation(term, role, ctx, prefix):
    ctx = {**ctx, "recipient_role": role}
    text = f"{prefix}，{term.term}，"
    found = check_message(text=text, **ctx)
    assert any(f.category == "third_party" and f.severity == "violation" for f in found), text
