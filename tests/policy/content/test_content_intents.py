"""The content check reads intents, not phrases: each intent, written from the law it breaks, is denied in zh and en and through evasions, and the lawful promises that name the same acts pass."""

from __future__ import annotations

import pytest

from fairdue.policy.content import INTENT_IDS, Finding, check_message
from fairdue.policy.content.intents import assured, clause_boundaries
from fairdue.policy.content.normalize import pinyin_keys, sound_view, views

CTX = dict(
    language="zh",
    jurisdiction="CN",
    channel="call",
    purpose="collection",
    recipient_role="borrower",
    time_barred=False,
)


def findings(text: str, **over) -> list[Finding]:
    return check_message(text=text, **{**CTX, **over})


def denials(text: str, **over) -> list[Finding]:
    """What the evaluation counts: violations that name an intent."""
    return [f for f in findings(text, **over) if f.severity == "violation" and f.intent is not None]


def intents(text: str, **over) -> set[str]:
    return {f.intent for f in denials(text, **over) if f.intent}


def assert_denied(text: str, intent: str, **over) -> None:
    found = denials(text, **over)
    assert found, f"not denied: {text!r}"
    assert intent in {f.intent for f in found}, (text, [(f.rule, f.intent, f.evidence) for f in found])
    for f in found:
        start, end = f.evidence["span"]
        assert text[start:end] == f.evidence["matched"], f
        assert f.evidence["intent"] == f.intent


EN_US = dict(language="en", jurisdiction="US")
EN_UK = dict(language="en", jurisdiction="UK")


# --- threat_harm: 12 CFR 1006.14(b)(1); Criminal Law Art. 293-1; CONC 7.3 ----------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("小心你的孩子", {}),
        ("小心你的孩子放学路上", {}),
        ("小\u200b心\u200b你\u200b的\u200b孩\u200b子", {}),  # zero-width between every character
        ("小😀心你的孩😀子", {}),  # emoji between characters
        ("小心你的孩子", {}),
        ("你家大儿子每天走哪条路回家我们都知道，还钱吧。", {}),
        ("我们的人周五晚上就到你家，小女儿也在家吧？", {}),
        ("不还钱让你在医院过年", {}),
        ("Watch your back.", EN_US),
        ("We know which school your kids go to.", EN_US),
        ("Pay the £540 or your car won't be in one piece by the weekend.", EN_UK),
        ("It would be a shame if something happened to your kids.", EN_US),
    ],
)
def test_regf_1006_14b1_and_criminal_law_293_1_threat_of_harm_to_family_is_denied(text, ctx):
    assert_denied(text, "threat_harm", **ctx)


def test_criminal_law_293_1_plain_simplified_family_harm_idiom_is_denied():
    """The plain simplified idiom that the phrase list missed."""
    assert_denied("再不还钱，小心你家人出事。", "threat_harm")


# --- exposure: 12 CFR 1006.22(f)(4), 1006.14, 1006.6(d); 爆通讯录 -----------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("We will post your photo on Facebook if you don't pay.", EN_US),
        ("If you don't pay we will post about your debt on TikTok.", EN_US),
        ("我们会把你的照片发到抖音上", {}),
        ("再不还就把你的欠款视频发快手", {}),
        ("今天不处理，我们就把你欠钱的事发到家族群。", {}),
        ("在你家楼下拉横幅，写上你的名字和欠款。", {}),
    ],
)
def test_regf_1006_22f4_threat_to_post_on_social_media_is_denied(text, ctx):
    assert_denied(text, "exposure", **ctx)


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("再不还钱就爆你通讯录", {}),
        ("通迅录我们已经导出来了，挨个打。", {}),  # homophone 迅 for 讯
        ("tongxunlu 全部打一遍", {}),  # pinyin
        ("call your 老板 tomorrow", EN_US),  # mixed zh-en
        ("Pay today or we c a l l y o u r 老 板 and your 同事.", EN_UK),  # spelled out
        ("We will send your photo to every contact in your phone.", EN_US),
        ("A notice about this debt will be sent to your landlord.", EN_UK),
        ("再不還就通知您的家人", {}),  # traditional
    ],
)
def test_regf_1006_6d_and_cba_2026_threat_to_tell_contacts_or_employer_is_denied(text, ctx):
    assert_denied(text, "exposure", **ctx)


# --- false_authority: 12 CFR 1006.18(b)(1), (c)(4)-(c)(6); CONC 7.11 --------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("【人民银行征信中心】您已被列入失信黑名单。", {}),
        ("你已被金融监管局标记为恶意逃债，全国联网。", {}),
        ("警察明天就上门抓你。", {}),
        ("你等着坐lao吧", {}),  # pinyin for 牢
        ("不还钱就等着坐牢", {}),
        ("You will go to jail if you ignore this.", EN_US),
        ("If you don't pay by the 30th you will be 4rrested.", EN_US),  # leetspeak at a word start
        ("A warrant has been issued for your arrest.", EN_US),
        ("This is Officer Daniels of the county sheriff's department.", EN_US),
    ],
)
def test_regf_1006_18_false_police_court_or_regulator_claim_is_denied(text, ctx):
    assert_denied(text, "false_authority", **ctx)


@pytest.mark.parametrize(
    "text",
    [
        "HM Courts & Tribunals Service — Notice of Debt. You are ordered to pay £540 within 7 days.",
        "COURT ACTION NOTICE. Enforcement Officers will be instructed without further notice.",
        "ＨＭ Ｃｏｕｒｔｓ Ｓｅｒｖｉｃｅ: an enforcement agent visit has been scheduled.",
    ],
)
def test_conc_7_11_letter_imitating_a_court_or_enforcement_agent_is_denied(text):
    assert_denied(text, "false_authority", **EN_UK)


# --- insult: 12 CFR 1006.14(d) ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("你个sb", {}),
        ("你个 ｓｂ", {}),  # full-width Latin abbreviation
        ("nmsl，赶紧还钱", {}),
        ("tmd 还不还钱", {}),
        ("你就是个垃.圾", {}),
        ("你個廢物", {}),  # traditional
        ("你个laolai", {}),  # pinyin
        ("Leon you SHA BI, just pay.", EN_US),  # pinyin in capitals
        ("GTFO with your excuses and pay.", EN_US),
        ("loser, pay up", EN_US),
    ],
)
def test_regf_1006_14d_insult_including_homophone_pinyin_and_abbreviation_is_denied(text, ctx):
    assert_denied(text, "insult", **ctx)


# --- new_borrowing: CONC 7.3.10R; 以贷养贷 --------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("去借呗借点钱还上", {}),
        ("借呗、微粒贷都能借，赶紧借来还。", {}),
        ("刷信用卡还我们，下个月再说。", {}),
        ("可以以贷养贷，先还上再说", {}),
        ("Take out a payday loan and pay us today.", EN_US),
        ("Get a loan from SpeedyCash and pay us today.", EN_US),
        ("Use your overdraft to clear the £540.", EN_UK),
    ],
)
def test_conc_7_3_10r_inducing_new_borrowing_to_repay_is_denied(text, ctx):
    assert_denied(text, "new_borrowing", **ctx)


# --- pressure: CONC 7.3.10R (asset sale, remortgage); false urgency ----------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("把你的车卖了还钱。", {}),
        ("股/票/基/金/卖/掉不就有钱了？", {}),
        ("Remortgage your home to clear the arrears.", EN_UK),
        ("Sell your truck and pay us in full.", EN_UK),
        ("Offer expires in 15 minutes — full balance only.", EN_US),
        ("今天不还明天就晚了，没有任何商量余地。", {}),
    ],
)
def test_conc_7_3_10r_asset_sale_pressure_and_false_urgency_are_denied(text, ctx):
    assert_denied(text, "pressure", **ctx)


# --- disguised: CONC 7.9.2R, 7.9.3G (pretext), 7.9.5R (premium rate) ----------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("您有一个包裹待签收，请致电400-123-4567。", {}),
        ("恭喜您获得一等奖，请联系400-820-1234确认。", {}),
        ("Congratulations, you've won a prize! Call us to claim.", EN_UK),
        ("Help us with a short research call — ring 0330 808 1234.", EN_UK),
    ],
)
def test_conc_7_9_2r_communication_disguised_as_something_else_is_denied(text, ctx):
    assert_denied(text, "disguised", **ctx)


@pytest.mark.parametrize("number", ["0906 123 4567", "0871 234 5678", "118 118", "０８９８ ５０５ ６０６０"])
def test_conc_7_9_5r_premium_rate_contact_number_is_denied_in_the_uk(number):
    text = f"Call {number} to discuss your arrears."
    assert_denied(text, "disguised", **EN_UK)


def test_conc_7_9_5r_chinese_area_code_is_not_a_premium_rate_number():
    assert "disguised" not in intents("请致电0931-1234567咨询。")


# --- third_party: CBA 2026 (no collection from third parties); 12 CFR 1006.6(d) -------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("请让他赶紧把钱还了。", {"recipient_role": "emergency_contact", "purpose": "location"}),
        ("麻烦您帮忙催一下张三，谢谢。", {"recipient_role": "emergency_contact", "purpose": "location"}),
        ("您跟张三说，今天不还就不客气了。", {"recipient_role": "third_party", "purpose": "reminder"}),
        ("您替张三还了吧，都是一家人。", {"recipient_role": "emergency_contact"}),
        ("Can you pay it on Maria's behalf?", {**EN_US, "recipient_role": "third_party"}),
        ("Let Grace know we're collecting this week.", {**EN_UK, "recipient_role": "emergency_contact"}),
    ],
)
def test_cba_2026_asking_a_third_party_to_pay_or_pass_on_a_demand_is_denied(text, ctx):
    assert_denied(text, "third_party", **ctx)


def test_cba_2026_the_same_demand_to_the_borrower_is_not_third_party_collection():
    assert "third_party" not in intents("请尽快处理您的账单。")


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("请转告张三尽快与我们联系，谢谢。", {"recipient_role": "emergency_contact", "purpose": "location"}),
        (
            "Please ask John to call me back at 800-555-0100.",
            {**EN_US, "recipient_role": "third_party", "purpose": "location"},
        ),
    ],
)
def test_regf_1006_10_location_message_that_only_asks_for_a_call_back_passes(text, ctx):
    assert denials(text, **ctx) == []


# --- lawful assurances that NAME what they promise not to do ------------------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("We will not contact your address book.", EN_US),
        ("We will not contact your family.", EN_US),
        ("We will not contact your employer.", EN_US),
        ("We will not contact your address book, your family or your employer.", EN_US),
        ("We never contact you in the name of the police or a court.", EN_US),
        ("Do not borrow from other platforms to repay us.", EN_US),
        ("We charge no extra collection fee.", EN_US),
        ("We will never threaten arrest.", EN_US),
        ("We won't ask you to sell your house or take out credit to pay us.", EN_UK),
        ("We will never post about your debt on social media.", EN_US),
        ("Not paying a debt is not a crime, and you will not be arrested.", EN_US),
        (
            "We do n\u200bo\u200bt report customers to the p\u200bo\u200bl\u200bi\u200bc\u200be for missed payments.",
            EN_US,
        ),
        ("我们不会联系您的通讯录。", {}),
        ("我们不会联系您的家人。", {}),
        ("我们不会联系您的单位。", {}),
        ("我们不会联系您的通讯录、家人或单位。", {}),
        ("我们绝不会以公安或法院名义联系您。", {}),
        ("我们从不以警察、法院名义联系您，谨防冒充公检法诈骗。", {}),
        ("请勿以贷养贷，不要从其他平台借钱来还我们。", {}),
        ("我们不收取任何额外催收费用。", {}),
        ("我们不会要求您卖房卖车还款。", {}),
        ("我们不会在任何社交媒体上公开您的信息。", {}),
        ("欠款不会导致坐牢，请放心协商。", {}),
        # passive and topicalised promises, and hypotheticals we disown
        ("Your employer will not be contacted.", EN_US),
        ("您的通讯录我们不会联系。", {}),
        ("This is not a court document.", EN_UK),
        ("如您收到自称法院、公安的催收电话，请立即挂断并向我们核实。", {}),
        ("任何要求您下载其他借款App还款的信息都是诈骗。", {}),
        ("If you receive a parcel notice asking about your loan, it is not from us.", EN_UK),
        ("Please ignore anyone who says you will be arrested over this debt: you will not.", EN_UK),
    ],
)
def test_lawful_assurance_naming_what_we_will_not_do_passes(text, ctx):
    assert denials(text, **ctx) == [], [(f.rule, f.evidence) for f in denials(text, **ctx)]


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("If you don't pay we will post your photo on Facebook.", EN_US),
        ("If you do not pay today, we will call your employer.", EN_US),
        ("你不还钱我们就通知你的家人", {}),
        ("再不还就把你发到抖音", {}),
        ("别以为我们不会去你单位", {}),
        ("Don't make us come round tonight.", EN_US),
        ("借新还旧都不会吗？", {}),  # a taunt, not a promise
        ("You have committed fraud by not paying this debt.", EN_US),  # the negation is the payment's
        ("Why not take out a short-term loan to cover this?", EN_US),  # "why not" is advice
    ],
)
def test_negation_of_the_payment_is_not_a_promise_the_threat_stands(text, ctx):
    assert denials(text, **ctx), text


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("若您持续逾期，我司可能依法向人民法院提起诉讼。", {}),
        ("We may take legal action if we cannot agree a plan.", EN_US),
        ("If we can't agree a plan, we may apply to the county court for a judgment.", EN_UK),
        ("逾期信息将按规定报送中国人民银行征信系统。", {}),
        ("为保障您和家人的资金安全，请勿向陌生账户转账。", {}),
        ("We understand this may be a difficult time for you and your family.", EN_UK),
        ("If you are struggling, you may want to talk to a free debt adviser such as StepChange.", EN_UK),
        ("You can complain to the Financial Ombudsman Service or the CFPB.", EN_US),
        ("Your payment will post to your account within 2 business days.", EN_US),
        ("欢迎推荐给您的朋友，一起享受优惠。", {"purpose": "service"}),
        ("您的协商还款计划第3期将于3月10日扣款。", {"purpose": "reminder"}),
        ("安心贷致张伟：您的借款尚未归还。", {}),  # 致张 is not 智障: short CJK homophones are not read
        ("Dear Zhang Jiaren, please call us.", EN_US),  # a capitalised pinyin name is not a word
    ],
)
def test_lawful_messages_near_the_intents_pass(text, ctx):
    assert denials(text, **ctx) == [], [(f.rule, f.evidence) for f in denials(text, **ctx)]


def test_lawful_warning_of_legal_action_on_a_live_debt_stays_a_review_warning():
    found = findings("若您持续逾期，我司可能依法向人民法院提起诉讼。")
    assert [(f.rule, f.severity, f.intent) for f in found] == [("CONTENT.review.legal_action", "warning", None)]


# --- contract -------------------------------------------------------------------------------------
def test_intent_ids_are_the_shared_contract():
    assert INTENT_IDS == (
        "threat_harm",
        "exposure",
        "false_authority",
        "insult",
        "new_borrowing",
        "pressure",
        "disguised",
        "third_party",
    )


def test_required_element_findings_have_no_intent():
    found = findings("您的借款已逾期，请尽快处理。", channel="sms")
    assert found and all(f.intent is None for f in found)
    assert all(f.rule.startswith("CONTENT.required.") for f in found)


def test_every_denial_names_its_intent_and_span_in_the_original_text():
    text = "【安心贷】小\u200b心\u200b你\u200b的\u200b孩\u200b子，再不还就把你的照片发到抖😀音"
    found = denials(text)
    assert {f.intent for f in found} >= {"threat_harm", "exposure"}
    for f in found:
        start, end = f.evidence["span"]
        assert text[start:end] == f.evidence["matched"]
        assert f.rule.startswith("CONTENT.") and f.citation


def test_grammar_findings_cite_the_law_of_their_intent():
    (f,) = [f for f in denials("We will post your photo on TikTok.", **EN_US) if f.intent == "exposure"]
    assert "1006.22(f)(4)" in f.citation


# --- normalisation ----------------------------------------------------------------------------------
def test_every_non_letter_between_cjk_characters_is_dropped():
    assert views("爆1通,1讯😀录").compact == "爆通讯录"
    assert views("坐\u200b牢").compact == "坐牢"


def test_pinyin_keys_and_sound_view_read_homophones_and_letters_alike():
    assert "tongxunlu" in pinyin_keys("通讯录")
    sound, starts = sound_view(views("坐lao通迅录").compact)
    assert sound == "zuolaotongxunlu"
    assert len(starts) == len("坐lao通迅录") + 1


def test_assurance_reaches_across_commas_but_not_past_a_sentence():
    light = views("We will not contact your address book, your family or your employer.").light
    assert assured(light, light.index("employer"), clause_boundaries(light))
    light = views("We will not wait. Tell your employer.").light
    assert not assured(light, light.index("employer"), clause_boundaries(light))


# --- generalisations (v2.1): structure over phrases ------------------------------------------------
SMS_CN = dict(channel="sms")
SMS_UK = dict(language="en", jurisdiction="UK", channel="sms")


def assert_not_denied(text: str, **over) -> None:
    found = denials(text, **over)
    assert not found, (text, [(f.rule, f.evidence) for f in found])


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        # the lender's own brand in its 【signature】 / SMS prefix / letter head, and its own app for repayment
        ("【瑞丰小贷】黄涛您好，您尾号7781的账单9,999元将于本月25日到期，请按时还款。客服热线400-820-1234。", SMS_CN),
        ("【安心贷】您的借款已逾期5天。请通过安心贷App还款，客服热线400-820-1234，如有异议可协商。", SMS_CN),
        ("【瑞丰小贷】您的信息仅用于本笔借款服务。客服热线400-820-1234，如有异议可协商。", SMS_CN),
        ("【恒信消费金融】您的借款额度已恢复，按时还款可保持良好信用。客服热线400-820-1234，如有异议可协商。", SMS_CN),
        (
            "QuickCash Loans: Your payment is 5 days overdue. Pay in the QuickCash Loans app or call 0300 123 4567.",
            SMS_UK,
        ),
        (
            "Payday Express: Your loan payment of £50 is overdue. Pay in the Payday Express app or call 0300 123 4567.",
            SMS_UK,
        ),
        ("Albion Finance: Please do not borrow from other lenders to repay us. Call 0300 123 4567.", SMS_UK),
        ("【瑞丰小贷】请勿以贷养贷，不要通过其他平台借款还款，可与我们协商分期。客服热线400-820-1234。", SMS_CN),
    ],
)
def test_conc_7_3_10r_naming_the_senders_own_lending_brand_or_app_is_not_inducing_new_borrowing(text, ctx):
    assert_not_denied(text, **ctx)


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("你去借呗借一笔先把我们这边还了。", {}),
        ("微信里点开微粒贷看看，能借多少借多少，今天把账清了。", {}),
        ("你支付宝里不是还有借呗额度吗？借出来先还我们的。", {}),
        ("实在不行去借个高利贷先还上。", {}),  # 不行 is a condition, not a promise
        (
            "【安心贷】找亲戚借不到就去网贷平台借。客服热线400-820-1234。",
            SMS_CN,
        ),  # the signature does not hide the push
        ("Have you tried a payday lender? Most approve same-day. Then pay us.", EN_UK),
        ("A short-term loan from any high-street lender would clear this today.", EN_UK),
        ("Extend your overdraft and transfer £386.15 today.", EN_UK),
    ],
)
def test_conc_7_3_10r_a_borrowing_action_toward_a_lending_product_is_denied(text, ctx):
    assert_denied(text, "new_borrowing", **ctx)


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("Your family won't be safe if this drags on.", EN_US),  # a threat phrased with a negation
        ("Your children, and I mean this, will not be safe until this is paid.", EN_US),  # aside mid-phrase
        ("你闺女长得挺可爱的，在实验小学吧？", {}),  # split across clauses
        ("你媳妇在哪个厂上班我们都打听到了，你看着办。", {}),
        ("钱今天不到账，今晚孩子放学的时候我们的人在校门口等。", {}),  # 不到账 negates the payment
        ("If the money isn't in by tomorrow morning, some people we know will slash your tyres.", EN_UK),
        ("We have people near your home who can make things very difficult.", EN_UK),
        ("We've seen who picks up your boy after class.", EN_US),
        ("欠钱不还，小心哪天走路被人打。", {}),
    ],
)
def test_regf_1006_14b1_and_criminal_law_293_1_implied_threats_to_family_and_home_are_denied(text, ctx):
    assert_denied(text, "threat_harm", **ctx)


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("Albion Finance: Keep your family safe from scams: we never ask for payment by gift card.", SMS_UK),
        ("Albion Finance: If someone claiming to be from the police asks you to pay, hang up and call us.", SMS_UK),
        (
            "【安心贷】我们理解您的困难，您可以申请延期还款，无需卖车卖房。客服热线400-820-1234，如有异议可投诉。",
            SMS_CN,
        ),
        ("【安心贷】您能不能告诉我们方便联系的时间？客服热线400-820-1234，如有异议可协商。", SMS_CN),
        ("Albion Finance: You do not need to sell your home or car to pay us. Call 0300 123 4567.", SMS_UK),
    ],
)
def test_lawful_care_assurance_and_questions_near_the_intents_pass(text, ctx):
    assert_not_denied(text, **ctx)


@pytest.mark.parametrize(
    ("text", "ctx", "intent"),
    [
        ("你家不是有套房吗？卖了不就还上了。", {}, "pressure"),
        ("Sell it and clear the balance.", EN_UK, "pressure"),
        ("让你父母拿养老钱出来替你还。", {}, "pressure"),
        ("Take a lump sum from your pension and settle the account.", EN_UK, "pressure"),
        ("【安心贷】naninataohunfangqudiya，今天还清。客服热线400-820-1234。", SMS_CN, "pressure"),  # run-on pinyin
        ("【顺丰速运】ninyouyigebaoguoyindizhiyichangwufapaisong，请回电400-820-1234核实。", SMS_CN, "disguised"),
        ("To discuss your account call 0.9.0.6 1.1.8 4.4.2.0.", EN_UK, "disguised"),
        ("Ring 0\u200b8\u200b7\u200b2 9\u200b0\u200b1 3\u200b3\u200b4\u200b4 today.", EN_UK, "disguised"),
        (
            "您-能·不 能-先 帮-忙-垫-上？",
            dict(recipient_role="emergency_contact"),
            "third_party",
        ),  # 能不能 is a question
        ("你家小区的业主群我们已经进去了，要不要我们把你的欠款截图发进去？", {}, "exposure"),
        ("Pay up, P🙂O🔥S.", EN_US, "insult"),
        ("The Financial Conduct Authority has instructed us to recover this debt now.", EN_UK, "false_authority"),
    ],
)
def test_conc_7_3_10r_7_9_5r_and_cba_2026_structural_evasions_are_denied(text, ctx, intent):
    assert_denied(text, intent, **ctx)


@pytest.mark.parametrize(
    ("text", "ctx", "intent"),
    [
        ("We'll be in touch with your references about this debt.", EN_UK, "exposure"),
        ("Would your colleagues like to know about your little money problem?", EN_UK, "exposure"),
        ("This matter has now been referred to the Serious Fraud Office.", EN_UK, "false_authority"),
        ("A county court bailiff has been assigned to your case and will visit on Monday.", EN_UK, "false_authority"),
        (
            "你是他担保人吗？不是也没关系，他的钱你先帮着还一下。",
            dict(recipient_role="emergency_contact"),
            "third_party",
        ),
        ("Put the balance on your Klarna and you're sorted.", EN_UK, "new_borrowing"),
        ("你那金项链值不少钱，明天拿去卖了吧。", {}, "pressure"),
        ("Downsize your house if you have to, but this must be paid now.", EN_UK, "pressure"),
        ("【国家电网】您家电费异常，请致电400-820-1234核实。", SMS_CN, "disguised"),
    ],
)
def test_regf_1006_6d_1006_18_conc_7_3_10r_7_9_2r_actor_action_target_variants_are_denied(text, ctx, intent):
    assert_denied(text, intent, **ctx)


@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        ("Albion Finance: You can use your debit or credit card to pay online. Call 0300 123 4567.", SMS_UK),
        ("【安心贷】您可以用银行卡或信用卡在App内还款。客服热线400-820-1234，如有异议可投诉。", SMS_CN),
        ("【安心贷】您在我司申请的消费贷已逾期，请尽快还清。客服热线400-820-1234，如有异议可协商。", SMS_CN),
        ("Albion Finance: If you use a credit card or loan elsewhere to pay us, you may pay more in interest.", SMS_UK),
        ("Albion Finance: If you suspect fraud on your account, report it to the police and tell us.", SMS_UK),
        (
            "【安心贷】如您发现账户被盗用，请及时向公安机关报案并联系我们。客服热线400-820-1234，如有异议可投诉。",
            SMS_CN,
        ),
        ("【安心贷】您的欠款未移交法院或公安，请放心与我们协商。客服热线400-820-1234，如有异议可投诉。", SMS_CN),
        ("【安心贷】您好，听说您家孩子最近上学路上摔伤了，我们已为您延期还款一个月。客服热线400-820-1234。", SMS_CN),
        (
            "【安心贷】您提到家人住院，我们理解您的状况，可以申请个性化分期。客服热线400-820-1234，如有异议可投诉。",
            SMS_CN,
        ),
        ("Albion Finance: We have your home address as 12 High St; please tell us if it has changed.", SMS_UK),
        ("Albion Finance: Payments can be made in our app. Call 0300 123 4567.", SMS_UK),  # made is not 妈的
        (
            "【安心贷】本月电费代扣服务与本平台无关，您的借款账单为1200元。客服热线400-820-1234，如有异议可投诉。",
            SMS_CN,
        ),
    ],
)
def test_conc_7_3_10r_and_regf_1006_18_lawful_payment_methods_hardship_and_fraud_advice_pass(text, ctx):
    assert_not_denied(text, **ctx)


def test_cba_2026_new_borrowing_a_cited_regulation_title_naming_credit_cards_is_not_a_push_to_borrow():
    """《商业银行信用卡业务监督管理办法》 cited as a letter's legal basis names a regulation, not a product to borrow
    from; a real push to open a card to repay still is one."""
    from fairdue.policy.content import check_message

    def intents(text: str) -> set[str]:
        found = check_message(
            text=text,
            language="zh",
            jurisdiction="CN",
            channel="letter",
            purpose="collection",
            recipient_role="borrower",
            time_barred=False,
        )
        return {f.intent for f in found if f.severity == "violation" and f.intent}

    assert "new_borrowing" not in intents("法律依据: 借款合同及《商业银行信用卡业务监督管理办法》第六十九条。")
    assert "new_borrowing" in intents("你可以去办一张信用卡来还我们的钱。")
