"""Properties over random input: the check never crashes, spans never lie, and separators cannot smuggle a forbidden word past it."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from fairdue.policy.content import CHANNELS, JURISDICTIONS, PURPOSES, ROLES, check_message, lexicon

LEX = lexicon()
ALWAYS_TERMS = [t for t in LEX.terms if LEX.rules[t.rule].applies == "always" and t.regex is None]
DEBT_TERMS = [t for t in LEX.terms if t.rule == "THIRD_PARTY.debt_disclosure" and t.regex is None]
SEPARATORS = st.text(alphabet=" .,-_*·。，、　\u200b\u200d!？/|~😀♥★\n\t", min_size=0, max_size=2)
# CJK, Latin, digits, punctuation and full-width forms, the mix real messages carry.
MESSAGE_TEXT = st.text(
    alphabet=st.sampled_from(
        list(
            "您好还款逾期通讯录传票警察公安老赖垃圾分类報警器交察看 abcdefghijklmnopqrstuvwxyzAPOLICE0123456789.,!?-【】：，。ＡＢＣ"
        )
    ),
    max_size=120,
)

context = st.fixed_dictionaries(
    {
        "language": st.sampled_from(["zh", "en"]),
        "jurisdiction": st.sampled_from(sorted(JURISDICTIONS)),
        "channel": st.sampled_from(sorted(CHANNELS)),
        "purpose": st.sampled_from(sorted(PURPOSES)),
        "recipient_role": st.sampled_from(sorted(ROLES)),
        "time_barred": st.booleans(),
    }
)


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
    ctx = {
        **ctx,
        "jurisdiction": sorted(rule.jurisdictions)[0],
        "purpose": ctx["purpose"] if ctx["purpose"] in rule.purposes else sorted(rule.purposes)[0],
    }
    text = f"您好，{_spread(term.term, seps)}，谢谢"
    rules = {f.rule for f in check_message(text=text, **ctx)}
    assert term.rule in rules, text


@settings(max_examples=200, deadline=None)
@given(
    term=st.sampled_from(DEBT_TERMS),
    role=st.sampled_from(["emergency_contact", "third_party"]),
    ctx=context,
    prefix=MESSAGE_TEXT,
)
def test_debt_words_to_third_parties_are_always_a_third_party_violation(term, role, ctx, prefix):
    ctx = {**ctx, "recipient_role": role}
    text = f"{prefix}，{term.term}，"
    found = check_message(text=text, **ctx)
    assert any(f.category == "third_party" and f.severity == "violation" for f in found), text


LAWFUL_TEMPLATES = [
    (
        "zh",
        "CN",
        "sms",
        "【{lender}】{name}您好，您的借款本期应还{amount}元已逾期{days}天，请通过官方App或拨打客服电话{phone}还款。"
        "如有异议或还款困难，可申请协商还款。",
    ),
    (
        "zh",
        "CN",
        "letter",
        "{lender}致{name}：截至{date}，您的借款{amount}元尚未归还。查询与异议请致电官方客服{phone}，"
        "如还款困难可申请协商还款。",
    ),
    (
        "en",
        "US",
        "email",
        "This is {lender}. {name}, our records show a balance of ${amount} as of {date}. "
        "Call {phone} or use our app to pay or to dispute. Reply STOP to opt out.",
    ),
    (
        "en",
        "UK",
        "letter",
        "{lender}: Dear {name}, your account is {days} days in arrears (£{amount}). If you are struggling, "
        "call {phone} and we can agree an affordable plan.",
    ),
]
NAMES = st.sampled_from(
    ["张伟", "王芳", "李娜", "刘洋先生", "陈女士", "John Doe", "Mary Major", "Ms Brown", "Mr Patel"]
)
LENDERS = {
    "zh": st.sampled_from(["安心贷", "诚信消费金融", "示例银行"]),
    "en": st.sampled_from(["Acme Lending", "Northwind Bank", "Fairline Credit"]),
}


@settings(max_examples=200, deadline=None)
@given(data=st.data(), template=st.sampled_from(LAWFUL_TEMPLATES))
def test_lawful_templates_stay_lawful_whatever_the_fill(data, template):
    language, jurisdiction, channel, text = template
    filled = text.format(
        lender=data.draw(LENDERS[language]),
        name=data.draw(NAMES),
        amount=f"{data.draw(st.integers(1, 10**7)):,}.{data.draw(st.integers(0, 99)):02d}",
        days=data.draw(st.integers(1, 999)),
        date=f"{data.draw(st.integers(2020, 2030))}-{data.draw(st.integers(1, 12)):02d}-{data.draw(st.integers(1, 28)):02d}",
        phone=data.draw(
            st.sampled_from(["400-820-1234", "95588", "1-800-555-0100", "0800 123 4567", "(800) 555-0100"])
        ),
    )
    found = check_message(
        text=filled,
        language=language,
        jurisdiction=jurisdiction,
        channel=channel,
        purpose="collection",
        recipient_role=data.draw(st.sampled_from(["borrower", "guarantor"])),
        time_barred=data.draw(st.booleans()),
    )
    assert [f for f in found if f.severity == "violation"] == [], filled


ABUSIVE_TEMPLATES = [
    (
        "zh",
        "CN",
        "【{lender}】{name}，你个老赖，再不还{amount}元就爆你通讯录。",
        {"CONTENT.insult", "CONTENT.third_party_threat"},
    ),
    ("zh", "CN", "{name}：法院传票已发出，已立案，{date}前不还将被逮捕。", {"CONTENT.fake_legal"}),
    (
        "en",
        "US",
        "{name}, pay ${amount} by {date} or the police will arrest you. We will call your employer.",
        {"CONTENT.impersonation.police", "CONTENT.fake_legal", "CONTENT.intent.exposure.contacts"},
    ),
    (
        "en",
        "UK",
        "{lender}: {name}, the ${amount} must be paid in full by {date}; take out a loan if you must.",
        {"CONTENT.UK.lump_sum_pressure", "CONTENT.borrow_elsewhere"},
    ),
]


@settings(max_examples=200, deadline=None)
@given(data=st.data(), template=st.sampled_from(ABUSIVE_TEMPLATES))
def test_abusive_templates_are_caught_whatever_the_fill(data, template):
    language, jurisdiction, text, expected = template
    filled = text.format(
        lender=data.draw(LENDERS[language]),
        name=data.draw(NAMES),
        amount=f"{data.draw(st.integers(1, 10**7)):,}",
        date=f"{data.draw(st.integers(1, 12))}月{data.draw(st.integers(1, 28))}日"
        if language == "zh"
        else f"{data.draw(st.integers(1, 12))}/{data.draw(st.integers(1, 28))}",
    )
    rules = {
        f.rule
        for f in check_message(
            text=filled,
            language=language,
            jurisdiction=jurisdiction,
            channel=data.draw(st.sampled_from(["sms", "call", "letter", "email"])),
            purpose="collection",
            recipient_role="borrower",
            time_barred=False,
        )
    }
    assert expected <= rules, filled
