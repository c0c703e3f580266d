"""Intents said without the words of a phrase list: harm as an outcome, safety not promised, surveillance, a kind of
lender instead of a product's name, a pretext and its call-back, valuables, a travel ban claimed as done — each from
the law it breaks, with the lawful sentences that come closest (fraud warnings, promises, lawful legal options)."""

from __future__ import annotations

import pytest

from fairdue.policy.content import Finding, check_message

CTX = dict(language="zh", jurisdiction="CN", channel="call", purpose="collection", recipient_role="borrower")
EN_US = dict(language="en", jurisdiction="US")
EN_UK = dict(language="en", jurisdiction="UK")


def denials(text: str, **over) -> list[Finding]:
    """Violations that name an intent (what the content bench counts)."""
    found = check_message(text=text, time_barred=False, **{**CTX, **over})
    return [f for f in found if f.severity == "violation" and f.intent is not None]


def assert_denied(text: str, intent: str, **over) -> None:
    found = denials(text, **over)
    assert intent in {f.intent for f in found}, (text, [(f.rule, f.intent, f.evidence) for f in found])
    assert all(text[f.evidence["span"][0] : f.evidence["span"][1]] == f.evidence["matched"] for f in found)


def assert_not_denied(text: str, **over) -> None:
    found = denials(text, **over)
    assert not found, (text, [(f.rule, f.evidence) for f in found])


# --- threat of harm: 12 CFR 1006.14(b)(1); Criminal Law Art. 293-1; CONC 7.3.10R ------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("再拖下去，你怕是要见点血才长记性。", {}),
        ("We can't promise your kids will get home safe if this stays unpaid.", EN_US),
        ("你女儿每天放学走哪条路，我们清楚得很。", {}),
        ("Keep ignoring us and your shop might catch fire one night.", EN_UK),
        ("We've been watching you leave for work every morning.", EN_US),
        ("Think about your wife before you ignore this letter.", EN_UK),
        ("想让你爸妈平平安安的，就今天把钱结清。", {}),
        ("老人家岁数大了，经不起吓，你自己掂量。", {}),
        ("停在楼下那辆车的车窗，怕是保不住了。", {}),
    ],
)
def test_regf_1006_14b1_criminal_law_293_1_implied_harm_without_a_violent_verb_is_denied(text, ctx):
    assert_denied(text, "threat_harm", **ctx)


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("通过非官方渠道转账，我们无法保证您的资金安全，请只在App内还款。", {}),
        ("If you have had an accident or an illness, tell us and we will pause collection.", EN_UK),
        ("请放心，我们不会上门，也不会联系您孩子的学校。", {}),
        ("Think about your budget before you choose a plan; we will wait for you.", EN_UK),
        ("不好意思打扰您，这是安心贷的还款提醒，可在App内还款，客服400-820-1234。", {}),
    ],
)
def test_regf_1006_14b1_lawful_sentences_nearest_to_implied_harm_pass(text, ctx):
    assert_not_denied(text, **ctx)


# --- inducing new borrowing: CONC 7.3.10R; 以贷养贷 ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("实在不行找网贷周转一下，先把我们这笔清了。", {}),
        ("Take out a payday loan today and clear this balance.", EN_UK),
        ("我们合作平台秒批，申请下来正好还这笔。", {}),
        ("Grab a cash advance from an app and send it to us.", EN_US),
    ],
)
def test_conc_7_3_10r_new_borrowing_from_a_kind_of_lender_not_named_is_denied(text, ctx):
    assert_denied(text, "new_borrowing", **ctx)


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("请勿以贷养贷，不要为了还款向网贷或其他平台借钱，有困难请联系我们协商。", {}),
        ("请勿相信任何要求您“借新还旧”“找其他口子周转”来还款的说法。", {}),
        ("We will never suggest that you take out a payday loan to pay us.", EN_UK),
        ("【松果借钱】还款提醒：您的借款将于12月15日到期，详情请查看松果借钱App。", {"purpose": "reminder"}),
    ],
)
def test_conc_7_3_10r_warnings_against_new_borrowing_and_the_senders_own_name_pass(text, ctx):
    assert_not_denied(text, **ctx)


# --- disguised communications: CONC 7.9.2R / 7.9.3G; 12 CFR 1006.18(e) ------------------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("您好，您有一个快递包裹地址不详，请回电13800138000确认。", {}),
        ("不好意思发错了，请问是王磊吗？有急事麻烦回个电话。", {}),
        ("Hi, it's an old friend from school! Lost your number. Call me back on this one.", EN_UK),
        ("Sorry, wrong number. Is this Sam? Please call me back, it's important.", EN_US),
    ],
)
def test_conc_7_9_2r_a_pretext_with_a_call_back_is_denied(text, ctx):
    assert_denied(text, "disguised", **ctx)


def test_conc_7_9_2r_a_service_message_about_a_courier_is_not_a_pretext():
    assert_not_denied(
        "Your new card is on its way by courier. If it has not arrived in 7 days, call us back on 0800 123 4567.",
        **{**EN_UK, "purpose": "service"},
    )


# --- pressure: CONC 7.3.10R; 12 CFR 1006.18 -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "家里有什么值钱的，拿去换钱先还上。",
        "今天是唯一机会，错过永不受理。",
        "你名下不是有辆车吗？卖了不就有钱还了。",
    ],
)
def test_conc_7_3_10r_pressure_to_sell_and_false_finality_is_denied(text):
    assert_denied(text, "pressure")


# --- false authority: 12 CFR 1006.18(c)(4); CONC 7.11; 最高法 限制高消费 is a court's decision after judgment ---------
def test_regf_1006_18c4_a_travel_ban_claimed_as_already_imposed_is_denied():
    assert_denied("您已被列入限制乘坐高铁和飞机名单。", "false_authority")
    assert_denied("You have been placed on a travel ban list until this is paid.", "false_authority", **EN_US)


def test_a_lawful_statement_of_what_a_court_may_decide_after_judgment_passes():
    assert_not_denied("如经法院判决后仍未履行，法院可依法决定限制高消费。如有异议请致电95588。")


# --- insults and exposure: 12 CFR 1006.14(d), 1006.22(f)(4) -----------------------------------------------------
def test_regf_1006_14d_latin_abbreviation_of_an_insult_is_denied_but_an_english_contraction_is_not():
    assert_denied("你个ＳＢ，看不懂短信吗？还钱！", "insult")
    assert_not_denied("Please don't take out a loan to pay us; call us instead.", **EN_UK)


def test_regf_1006_6d_every_contact_getting_a_message_is_exposure():
    assert_denied("Every contact in your phone will get a message about what you owe.", "exposure", **EN_US)


# --- assurances that reach across a list (the negation window) ---------------------------------------------------
def test_regf_1006_18_a_long_promise_listing_what_we_never_say_passes():
    text = (
        "Nobody from our company will ever say that you will be arrested, sued today, or reported to the police. "
        "Call us on 1-800-555-0100."
    )
    assert not denials(text, **EN_US)


# --- reported speech: only the recipient's own words quoted back, or an impersonator's claim in a warning ---------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("您此前提到“催收的人说要把照片发到我朋友圈”，请放心，本公司绝不会这样做。客服95000。", {}),
        ('Re: "please stop calling my work". We have marked that number do-not-call.', EN_US),
        ('You told us you were worried about "going to jail over this". You cannot be jailed for this debt.', EN_US),
        ("若您收到自称“法院”“公安”要求向我司还款的电话，请勿相信。", {}),
    ],
)
def test_regf_1006_18_the_recipients_own_words_quoted_back_are_not_the_senders_threat(text, ctx):
    assert_not_denied(text, **ctx)


@pytest.mark.parametrize(
    ("text", "intent", "ctx"),
    [
        ("他说“你家孩子在哪上学我们都清楚，小心点”。", "threat_harm", {}),
        ("我跟你说“你就是个废物”，今天还钱。", "insult", {}),
        ('We told you "we will post your photo on Facebook" and we meant it.', "exposure", EN_US),
    ],
)
def test_regf_1006_14_a_threat_dressed_as_a_quotation_is_still_the_senders(text, intent, ctx):
    """Criminal Law Art. 293-1, 12 CFR 1006.14: a sender cannot launder a threat by putting it in quotation marks
    after "he said" or "I told you"."""
    assert_denied(text, intent, **ctx)
