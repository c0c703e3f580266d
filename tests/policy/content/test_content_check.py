"""Hand-written cases for the content check: lawful messages pass, each kind of abuse and each missing element is named, in context."""

from __future__ import annotations

import pytest

from fairdue.policy.content import ContentContextError, Finding, check_message

CN_COLLECTION_OK = (
    "【安心贷】尊敬的张先生，您的借款本期应还1,280.00元已逾期3天，请通过官方App或拨打官方客服电话"
    "400-820-1234还款。如有异议或还款困难，可致电申请协商还款。"
)
CN_REMINDER_OK = "【安心贷】温馨提示：您本期账单将于3月5日到期，可在官方App内还款。客服热线95588。"
US_EMAIL_OK = (
    "This is Acme Lending. Our records show a balance of $420.00 on your account ending 1234. "
    "You can pay or set up a payment plan in our app at https://acme-lending.com or call 1-800-555-0100. "
    "If you dispute this debt, tell us within the validation period. Reply STOP or unsubscribe to opt out of emails."
)
US_SMS_OK = (
    "Acme Lending: your payment is due on 3/5. Pay at acme-lending.com or call 800-555-0100. Reply STOP to opt out."
)
US_VOICEMAIL_OK = "Hi, this is Jane Smith calling from Acme. Please call me back at (800) 555-0100. Thank you."
US_TIME_BARRED_OK = (
    "This is Acme Lending. The law limits how long you can be sued on a debt. Because of the age of your debt, "
    "we will not sue you for it. Call 1-800-555-0100. Reply STOP to opt out."
)
CN_LOCATION_OK = "【安心贷】您好，我们是安心贷客服，烦请转告张三先生尽快与我们联系，客服电话400-820-1234，谢谢。"
US_LOCATION_OK = "This is Jane Smith from Acme. Please ask John Doe to call me at 800-555-0100, or confirm his phone number. Reply STOP to opt out."
UK_LETTER_OK = (
    "Northwind Bank plc. Dear Ms Brown, your account is two payments in arrears. If you are struggling, "
    "we can agree an affordable repayment plan. Call us on 0800 123 4567 or visit northwind.co.uk."
)


def check(text: str, **over) -> list[Finding]:
    ctx = dict(
        language="zh",
        jurisdiction="CN",
        channel="sms",
        purpose="collection",
        recipient_role="borrower",
        time_barred=False,
    )
    ctx.update(over)
    return check_message(text=text, **ctx)


def violations(text: str, **over) -> list[str]:
    return [f.rule for f in check(text, **over) if f.severity == "violation"]


# --- lawful messages produce no violation ------------------------------------
@pytest.mark.parametrize(
    ("text", "ctx"),
    [
        (CN_COLLECTION_OK, {}),
        (CN_COLLECTION_OK, {"channel": "letter"}),
        (CN_COLLECTION_OK, {"recipient_role": "guarantor"}),
        (CN_REMINDER_OK, {"purpose": "reminder"}),
        (US_EMAIL_OK, {"language": "en", "jurisdiction": "US", "channel": "email"}),
        (US_SMS_OK, {"language": "en", "jurisdiction": "US", "channel": "sms"}),
        (US_SMS_OK, {"language": "en", "jurisdiction": "US", "channel": "sms", "recipient_role": "spouse"}),
        (US_VOICEMAIL_OK, {"language": "en", "jurisdiction": "US", "channel": "voicemail"}),
        (US_TIME_BARRED_OK, {"language": "en", "jurisdiction": "US", "channel": "sms", "time_barred": True}),
        (CN_LOCATION_OK, {"purpose": "location", "recipient_role": "emergency_contact"}),
        (
            US_LOCATION_OK,
            {"language": "en", "jurisdiction": "US", "purpose": "location", "recipient_role": "third_party"},
        ),
        (UK_LETTER_OK, {"language": "en", "jurisdiction": "UK", "channel": "letter"}),
    ],
    ids=[
        "cn-sms",
        "cn-letter",
        "cn-guarantor",
        "cn-reminder",
        "us-email",
        "us-sms",
        "us-spouse",
        "us-voicemail",
        "us-time-barred-disclosure",
        "cn-location",
        "us-location",
        "uk-letter",
    ],
)
def test_lawful_message_has_no_violation(text, ctx):
    assert violations(text, **ctx) == []


def test_lawful_cn_message_has_no_finding_at_all():
    assert check(CN_COLLECTION_OK) == []


# --- abuse is named with its rule and its span in the original text -----------
@pytest.mark.parametrize(
    ("text", "rule", "matched"),
    [
        ("【安心贷】再不还钱就爆你通讯录，客服400-820-1234，如有异议请联系。", "CONTENT.third_party_threat", "通讯录"),
        ("今天不还就爆 通 訊 錄", "CONTENT.third_party_threat", "爆 通 訊 錄"),
        ("你的案件已立案，请速处理", "CONTENT.fake_legal", "已立案"),
        ("法院傳票明天送到你家", "CONTENT.fake_legal", "傳票"),
        ("我是XX派出所民警", "CONTENT.impersonation.police", "派出所"),
        ("我们会报警处理", "CONTENT.impersonation.police", "报警"),
        ("检察院已介入", "CONTENT.impersonation.procuratorate", "检察院"),
        ("你这个老赖", "CONTENT.insult", "老赖"),
        ("不还钱后果自负", "CONTENT.threat", "后果自负"),
        ("再不还就把你照片发朋友圈曝光", "CONTENT.public_shaming", "曝光"),
        ("可以去别的平台借点钱先还上，以贷养贷也行", "CONTENT.borrow_elsewhere", "以贷养贷"),
        ("需另付催收费200元", "CONTENT.extra_fee", "催收费"),
        ("The police will come with a warrant.", "CONTENT.impersonation.police", "police"),
        ("You will be ARRESTED tomorrow.", "CONTENT.fake_legal", "ARRESTED"),
        ("you will be a.r.r.e.s.t.e.d", "CONTENT.fake_legal", "a.r.r.e.s.t"),  # stems extend over plain letters only
        ("We will call your contacts today.", "CONTENT.intent.exposure.contacts", "call your contacts"),
        ("We will call your employer.", "CONTENT.intent.exposure.contacts", "call your employer"),
        ("We will post your photo online.", "CONTENT.public_shaming", "post your photo"),
        ("Just borrow from a friend and pay us.", "CONTENT.borrow_elsewhere", "borrow from"),
        ("A $35 collection fee applies.", "CONTENT.extra_fee", "collection fee"),
        ("Pay now, you deadbeat.", "CONTENT.insult", "deadbeat"),
        ("The p0lice are on their way.", "CONTENT.impersonation.police", "p0lice"),
        ("ＰＯＬＩＣＥ notice", "CONTENT.impersonation.police", "ＰＯＬＩＣＥ"),
    ],
)
def test_abuse_is_named_with_original_span(text, rule, matched):
    found = [f for f in check(text, channel="call") if f.rule == rule and f.evidence["matched"] == matched]
    assert found, f"{rule} on {matched!r} not found in {text!r}"
    f = found[0]
    start, end = f.evidence["span"]
    assert text[start:end] == matched
    assert f.category == "content" and f.severity == "violation"
    assert f.reason_en and f.reason_zh


def test_every_hit_is_reported_not_just_the_first():
    text = "老赖！已立案，传票已发，再不还就爆通讯录，让你好看"
    rules = [f.rule for f in check(text, channel="call")]
    assert rules == [
        "CONTENT.insult",
        "CONTENT.fake_legal",
        "CONTENT.fake_legal",
        "CONTENT.third_party_threat",
        "CONTENT.threat",
    ]


def test_contained_hit_of_the_same_rule_is_reported_once():
    found = [f for f in check("马上爆通讯录", channel="call") if f.rule == "CONTENT.third_party_threat"]
    assert [f.evidence["term"] for f in found] == ["爆通讯录"]


# --- jieba rejects a hit inside a longer harmless word -----------------------
@pytest.mark.parametrize(
    ("harmless", "rule"),
    [
        ("请交警察看事故现场后联系我们。", "CONTENT.impersonation.police"),  # 交警|察看
        ("您家的报警器需要更换电池。", "CONTENT.impersonation.police"),  # 报警器
        ("欢迎参加废物利用讲座。", "CONTENT.insult"),  # 废物利用
        ("请传票据复印件到官方App。", "CONTENT.fake_legal"),  # 传|票据
        ("请做好垃圾分类。", "CONTENT.insult"),  # 垃圾分类 (harmless list)
        ("拍照时请注意曝光度。", "CONTENT.public_shaming"),  # 曝光度 (harmless list)
    ],
)
def test_hit_inside_longer_harmless_word_is_dropped(harmless, rule):
    assert rule not in [f.rule for f in check(harmless, channel="call")]


@pytest.mark.parametrize(
    ("harmful", "rule"),
    [
        ("叫警察来抓你", "CONTENT.impersonation.police"),
        ("我们会报警", "CONTENT.impersonation.police"),
        ("你就是个废物", "CONTENT.insult"),
        ("已经给你发了传票", "CONTENT.fake_legal"),
        ("你就是个垃圾", "CONTENT.insult"),
        ("我们要曝光你", "CONTENT.public_shaming"),
        ("交 警 察 看", "CONTENT.impersonation.police"),  # spaced: deliberate, jieba not consulted
    ],
)
def test_same_word_standing_alone_still_fires(harmful, rule):
    assert rule in [f.rule for f in check(harmful, channel="call")]


def test_latin_terms_need_word_boundaries():
    assert (
        violations(
            "There is an issue with your account.", language="en", jurisdiction="US", channel="call", time_barred=True
        )
        == []
    )
    assert "CONTENT.impersonation.police" not in violations(
        "See our policy page.", language="en", jurisdiction="US", channel="call"
    )
    # Words glued by deleting spaces inside other words do not fire: "car rest" is not "arrest".
    assert "CONTENT.fake_legal" not in violations(
        "Park the car rest area.", language="en", jurisdiction="US", channel="call"
    )


# --- lawsuit threats count only on time-barred debts ---------------------------
@pytest.mark.parametrize(
    "text",
    [
        "You will be sued.",
        "We will take legal action against you.",
        "We will file a lawsuit.",
        "我们将对您提起诉讼",
        "再不还就起诉你",
    ],
)
def test_suit_threat_is_a_violation_only_when_time_barred(text):
    ctx = dict(language="en", jurisdiction="US", channel="call")
    assert "CONTENT.time_barred_suit" in violations(text, time_barred=True, **ctx)
    assert "CONTENT.time_barred_suit" not in violations(text, time_barred=False, **ctx)


def test_lawsuit_on_a_live_debt_is_a_warning_for_review():
    found = check("如仍未还款，我司将依法向人民法院提起诉讼。", channel="call")
    assert [(f.rule, f.severity, f.evidence["matched"]) for f in found] == [
        ("CONTENT.review.legal_action", "warning", "诉讼")
    ]
    assert violations("We may file a lawsuit.", language="en", jurisdiction="US", channel="call") == []


@pytest.mark.parametrize(
    "text",
    [
        "Because of the age of your debt, we will not sue you for it.",
        "We won't take legal action.",
        "我们不会起诉您",
        "我们不会对您提起诉讼。",
        "该笔欠款已超过诉讼时效。",
    ],
)
def test_negated_or_descriptive_suit_language_is_lawful_on_time_barred_debt(text):
    assert "CONTENT.time_barred_suit" not in violations(text, time_barred=True, channel="call")


# --- debt disclosure to non-borrowers (category third_party) -----------------
@pytest.mark.parametrize(
    ("jurisdiction", "role", "disclosed"),
    [
        ("CN", "borrower", False),
        ("CN", "guarantor", False),
        ("CN", "attorney", False),
        ("CN", "spouse", True),
        ("CN", "emergency_contact", True),
        ("CN", "third_party", True),
        ("US", "spouse", False),
        ("US", "emergency_contact", True),
        ("US", "third_party", True),
        ("UK", "spouse", True),
        ("UK", "borrower", False),
    ],
)
def test_debt_disclosure_depends_on_recipient_role(jurisdiction, role, disclosed):
    found = [
        f
        for f in check(
            "请提醒张三尽快还款，他的借款已逾期。Loan overdue.",
            jurisdiction=jurisdiction,
            recipient_role=role,
            channel="call",
        )
        if f.rule == "THIRD_PARTY.debt_disclosure"
    ]
    assert bool(found) is disclosed
    assert all(f.category == "third_party" for f in found)


def test_location_message_revealing_the_debt_is_flagged_for_every_debt_word():
    text = "【安心贷】您好，张三的借款已逾期，请转告他还款，电话400-820-1234。"
    found = [
        f
        for f in check(text, purpose="location", recipient_role="emergency_contact")
        if f.rule == "THIRD_PARTY.debt_disclosure"
    ]
    assert [f.evidence["matched"] for f in found] == ["借款", "逾期", "还款"]


def test_location_message_must_ask_for_contact():
    text = "【安心贷】您好，这里是安心贷客服，客服电话400-820-1234。"
    assert "CONTENT.location.contact_request" in violations(
        text, purpose="location", recipient_role="emergency_contact"
    )


# --- required elements --------------------------------------------------------
def test_cn_collection_sms_lists_every_missing_element():
    found = check("您的借款已逾期，请尽快处理。")
    assert [(f.rule, f.evidence) for f in found] == [
        ("CONTENT.required.sender_identity", {"missing": "sender_identity"}),
        ("CONTENT.required.official_channel", {"missing": "official_channel"}),
        ("CONTENT.required.objection_route", {"missing": "objection_route"}),
    ]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (CN_COLLECTION_OK.replace("【安心贷】", ""), "CONTENT.required.sender_identity"),
        (CN_COLLECTION_OK.replace("如有异议或还款困难，可致电申请协商还款。", ""), "CONTENT.required.objection_route"),
        ("【安心贷】您的借款已逾期，请尽快还款。如有异议可申请协商。", "CONTENT.required.official_channel"),
    ],
)
def test_cn_collection_missing_one_element(text, rule):
    assert violations(text) == [rule]


def test_signature_forms_count_as_identity():
    for text in (
        "【{{ lender_name }}】请拨打{{ service_phone }}还款，如有异议可协商。",
        "我是安心贷客服小王，请拨打400-820-1234还款，如有异议可协商。",
        "请拨打400-820-1234还款，如有异议可协商。【安心贷】",
    ):
        assert violations(text) == [], text


def test_reminder_missing_elements_are_warnings_and_service_needs_none():
    found = check("您本期账单将于3月5日到期。", purpose="reminder")
    assert {f.severity for f in found} == {"warning"}
    assert check("您本期账单将于3月5日到期。", purpose="service") == []


def test_call_and_visit_scripts_need_no_written_elements():
    assert check("您好，关于您的借款想跟您沟通一下。", channel="call") == []
    assert check("您好，关于您的借款想跟您沟通一下。", channel="visit") == []


def test_us_electronic_message_needs_opt_out():
    text = US_SMS_OK.replace(" Reply STOP to opt out.", "")
    assert violations(text, language="en", jurisdiction="US", channel="sms") == ["CONTENT.required.opt_out"]
    assert violations(text, language="en", jurisdiction="US", channel="letter") == []
    assert violations(text, language="en", jurisdiction="UK", channel="sms") == []


def test_us_voicemail_may_not_mention_the_debt():
    text = "Hi, this is Jane Smith from Acme about your overdue payment. Please call me back at (800) 555-0100."
    found = [
        f
        for f in check(text, language="en", jurisdiction="US", channel="voicemail")
        if f.rule == "CONTENT.US.voicemail.limited_content"
    ]
    assert [f.evidence["matched"] for f in found] == ["overdue", "payment"]


def test_us_voicemail_company_name_must_not_reveal_collection():
    text = "Hi, this is Jane Smith from Acme Collections. Please call me back at (800) 555-0100."
    assert "CONTENT.US.voicemail.limited_content" in violations(
        text, language="en", jurisdiction="US", channel="voicemail"
    )


def test_us_voicemail_needs_person_reply_request_and_number():
    found = check("Acme here. Have a nice day.", language="en", jurisdiction="US", channel="voicemail")
    assert [(f.rule, f.evidence) for f in found] == [
        ("CONTENT.required.voicemail_elements", {"missing": "voicemail_person, voicemail_reply, voicemail_callback"})
    ]


# --- contract details -----------------------------------------------------------
def test_unknown_context_is_a_precise_error():
    with pytest.raises(ContentContextError, match="jurisdiction 'FR'"):
        check("hello", jurisdiction="FR")
    with pytest.raises(ContentContextError, match="channel 'fax'"):
        check("hello", channel="fax")
    with pytest.raises(ContentContextError, match="string"):
        check(None)


def test_cached_result_hands_out_fresh_evidence():
    first = check("你这个老赖", channel="call")
    first[0].evidence["span"][0] = 99
    first[0].evidence["matched"] = "tampered"
    again = check("你这个老赖", channel="call")
    assert again[0].evidence == {
        "matched": "老赖",
        "span": [3, 5],
        "intent": "insult",
        "term": "老赖",
        "normalized": "老赖",
    }


def test_same_input_same_output():
    text = "老赖！已立案，传票已发 police arrest"
    assert check(text) == check(text) == check(str(text))


def test_language_does_not_narrow_the_search():
    """Messages mix scripts; both lexicons always apply."""
    assert "CONTENT.fake_legal" in violations("Your 传票 is ready", language="en", channel="call")
    assert "CONTENT.fake_legal" in violations("您将被 arrest", language="zh", channel="call")


def test_polite_you_is_read_as_you():
    """您/妳 fold to 你, so one entry covers 通知你的家人, 通知您的家人 and 通知妳的家人."""
    for text in ("再不还就通知您的家人", "再不还就通知妳的家人", "再不還就通知您的家人"):
        found = [f for f in check(text, channel="call") if f.rule == "CONTENT.third_party_threat"]
        assert found and found[0].evidence["matched"] in {"通知您的家人", "通知妳的家人"}, text


@pytest.mark.parametrize("text", ["欢迎推荐给您的朋友，一起享受优惠。", "Refer your friends and get a bonus."])
def test_bare_mention_of_friends_is_not_a_threat(text):
    assert "CONTENT.third_party_threat" not in violations(text, channel="call", purpose="service")


@pytest.mark.parametrize(
    "text", ["We will call your family tonight.", "We'll tell your wife.", "Expect us to contact your references."]
)
def test_english_threats_to_tell_people_fire(text):
    assert "CONTENT.third_party_threat" in violations(text, language="en", jurisdiction="US", channel="call")


@pytest.mark.parametrize(
    "text",
    [
        "Acme: your payment is due 3/5. Call 800-555-0100. Reply STOP to opt out.",
        "This is Acme. Your payment is due 3/5. Pay in the Acme app. Reply STOP to opt out.",
        "Message from Acme Lending: payment due 3/5, see acme-lending.com. Text STOP to end messages.",
    ],
)
def test_us_sms_identity_channel_and_opt_out_forms(text):
    assert violations(text, language="en", jurisdiction="US") == []


@pytest.mark.parametrize(
    "text",
    [
        "Dear John: your payment is due 3/5. Call 800-555-0100. Reply STOP to opt out.",
        "Hello: your payment is due. Call 800-555-0100. Reply STOP to opt out.",
    ],
)
def test_greeting_is_not_a_sender_identity(text):
    assert violations(text, language="en", jurisdiction="US") == ["CONTENT.required.sender_identity"]


def test_app_login_counts_as_official_channel():
    assert violations("【安心贷】您的账单已逾期，请登录App还款。如有异议可申请协商。") == []


@pytest.mark.parametrize(
    "text",
    [
        "【安心贷】您的账单已逾期，请于2026-03-01前还款。如有异议可申请协商。",
        "【安心贷】您的账单已逾期，应还12,345.67元。如有异议可申请协商。",
    ],
)
def test_dates_and_amounts_are_not_phone_numbers(text):
    assert violations(text) == ["CONTENT.required.official_channel"]


def test_lump_sum_pressure_is_a_uk_rule_only():
    text = "Northwind Bank plc: you must pay in full today. Call 0800 123 4567."
    ctx = dict(language="en", channel="letter")
    assert "CONTENT.UK.lump_sum_pressure" in violations(text, jurisdiction="UK", **ctx)
    assert "CONTENT.UK.lump_sum_pressure" not in violations(text, jurisdiction="US", **ctx)


def test_cyrillic_look_alikes_do_not_hide_a_word():
    text = "You will be \u0430rr\u0435sted."  # Cyrillic а and е
    found = [f for f in check(text, language="en", jurisdiction="US", channel="call") if f.rule == "CONTENT.fake_legal"]
    assert found and found[0].evidence["matched"] == "\u0430rr\u0435sted"


@pytest.mark.parametrize(
    ("text", "rule"), [("要爆你tongxunlu", "CONTENT.third_party_threat"), ("你个laolai", "CONTENT.insult")]
)
def test_full_pinyin_spellings_fire(text, rule):
    assert rule in violations(text, channel="call")


def test_findings_cite_their_source():
    f = check("You could be arrested.", language="en", jurisdiction="US", channel="call")[0]
    assert f.rule == "CONTENT.fake_legal"
    assert "1006.18" in f.citation and f.citation.endswith("[V2]")


def test_describing_our_own_credit_line_in_a_service_message_is_not_borrow_pressure():
    text = "Acme Lending: you can borrow from $500 to $5,000 in our app."
    ctx = dict(language="en", jurisdiction="US", channel="email")
    assert "CONTENT.borrow_elsewhere" not in violations(text, purpose="service", **ctx)
    assert "CONTENT.borrow_elsewhere" in violations(text, purpose="collection", **ctx)


def test_hits_per_rule_are_capped_and_the_rest_counted():
    text = "你这个老赖，" * 25 + "已立案"
    found = check(text, channel="call")
    insults = [f for f in found if f.rule == "CONTENT.insult"]
    assert len(insults) == 20
    assert insults[-1].evidence["more_hits"] == 5
    assert all("more_hits" not in f.evidence for f in insults[:-1])
    assert [f.rule for f in found if f.rule == "CONTENT.fake_legal"] == ["CONTENT.fake_legal"]


@pytest.mark.parametrize(
    ("text", "identified"),
    [
        ("安心贷致张先生：您的账户已逾期12天，欠款1,280.00元。查询与异议请致电官方客服400-820-1234。", True),
        ("安心贷：张先生您好，您的账户已逾期，如有异议请致电400-820-1234。", True),
        ("尊敬的客户：您的账户已逾期，如有异议请致电400-820-1234。", False),
        ("温馨提示：您的账户已逾期，如有异议请致电400-820-1234。", False),
    ],
)
def test_chinese_letter_heading_and_sender_prefix(text, identified):
    missing = "CONTENT.required.sender_identity" in violations(text, channel="letter")
    assert missing is not identified


def test_full_width_digits_make_a_phone_number():
    text = "【安心贷】您的账单已逾期，请致电４００－８２０－１２３４还款。如有异议可申请协商。"
    assert violations(text) == []


def test_findings_are_immutable_records():
    import dataclasses

    f = check("你这个老赖", channel="call")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.rule = "OTHER"


@pytest.mark.parametrize(
    "prefix", ["From:", "Subject:", "Important:", "Payment due:", "Good morning:", "Final notice:"]
)
def test_header_words_are_not_a_sender_identity(prefix):
    text = f"{prefix} your payment is due. Call 800-555-0100. Reply STOP to opt out."
    assert violations(text, language="en", jurisdiction="US") == ["CONTENT.required.sender_identity"]


def test_unhashable_context_is_a_precise_error():
    with pytest.raises(ContentContextError, match="language"):
        check("hello", language=["zh"])
