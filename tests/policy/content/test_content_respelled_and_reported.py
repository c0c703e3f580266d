"""Words spelled past a filter, and words that are not the sender's own: cases written here from the law (not from
any corpus split), each with its citation in the test name."""

from __future__ import annotations

import pytest

from fairdue.policy.content import check_message
from fairdue.policy.content.check import text_views


def _intents(text: str, *, language: str = "en", jurisdiction: str = "US", role: str = "borrower") -> set[str]:
    found = check_message(
        text=text,
        language=language,
        jurisdiction=jurisdiction,
        channel="sms",
        purpose="collection",
        recipient_role=role,
        time_barred=False,
    )
    return {f.intent for f in found if f.intent is not None and f.severity == "violation"}


# --- spelled with digits, symbols or masked letters -------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("Honestly you are a w0r7hl3$$ d3adb3at.", "insult"),
        ("Pay up, you sc*m.", "insult"),
        ("Time to s**l the jewellery and clear this.", "pressure"),
        ("Pay in the next 45 m1nu7e$ or we escalate.", "pressure"),
    ],
)
def test_regf_1006_14_d_and_conc_7_3_10r_a_word_spelled_past_a_filter_is_read_as_the_word(text, intent):
    assert intent in _intents(text, jurisdiction="UK" if "jewellery" in text else "US")


def test_a_word_spelled_out_with_separators_is_not_respelled_into_another_word():
    """Stars or stops between the letters of a word are separators the compact view drops ("cas*e" is "case"), not
    masked letters: reading them as masks would turn one word into a different one."""
    assert text_views("cas*e h*as bee*n f*ile*d").compact == "casehasbeenfiled"
    assert text_views("col*.lec*.tion").compact == "collection"


def test_an_account_number_masked_with_stars_is_left_alone():
    assert text_views("Card ending ****4471, ref AB12 CD34.").light == "card ending ****4471, ref ab12 cd34."


# --- deadlines, penalties and benefits ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "You have 3 hours or we pass this on.",
        "Pay within 90 minutes otherwise a £300 charge goes on.",
    ],
)
def test_conc_7_3_10r_a_deadline_of_hours_with_a_consequence_is_pressure(text):
    assert "pressure" in _intents(text, jurisdiction="UK")


def test_regf_1006_18_c_5_and_42_usc_407_threatening_benefits_is_a_false_claim():
    assert "false_authority" in _intents("Your Social Security benefits are being frozen until this is paid.")


def test_regf_1006_18_a_lawful_reminder_of_a_true_fee_is_no_deadline_threat():
    assert _intents("Your payment of $40 is due on 3 May. Reply STOP to opt out.") == set()


# --- not the sender's words -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "jurisdiction"),
    [
        ("You told us you were worried we would ring your employer. We will not.", "UK"),
        ("You asked if we would tell your parents about the loan. We won't.", "US"),
        ("Fraudsters sometimes send texts saying you will be arrested today. That is not us.", "US"),
        ("Our caller told you a bailiff would come tonight. That was wrong, and we apologise.", "UK"),
        ("If anyone threatens you about this loan, please report it to the police.", "UK"),
        ("If you have a complaint about us, you can contact your state attorney general.", "US"),
        ("If we cannot agree a plan we may ask the court for a judgment; you would receive the claim form.", "UK"),
    ],
)
def test_regf_1006_18_and_conc_7_11_reported_disowned_or_advised_words_are_not_the_senders_claim(text, jurisdiction):
    assert _intents(text, jurisdiction=jurisdiction) == set()


@pytest.mark.parametrize(
    "text",
    [
        "【若水花】请勿以贷养贷，以贷养贷只会加重您的负担。如有异议请致电400-519-2084。",
        "【安心贷】防骗提醒：如有人自称法院工作人员要求您转账，请立即挂断并报警。如有异议请致电400-820-1234。",
        "【安心贷】您也可以向金融监管总局消费者投诉热线12378反映。",
    ],
)
def test_cba_2026_a_warning_an_assurance_or_advice_to_go_to_the_police_is_lawful(text):
    assert _intents(text, language="zh", jurisdiction="CN") == set()


@pytest.mark.parametrize(
    ("text", "intent", "jurisdiction"),
    [
        ("You said you would pay, so we are telling your boss today.", "exposure", "US"),
        ("People are saying your kids might get hurt if you don't pay.", "threat_harm", "US"),
        ("你说你不还，那我们就去你单位找你领导。", "exposure", "CN"),
    ],
)
def test_regf_1006_14_and_cba_2026_the_senders_own_threat_after_reported_words_still_counts(text, intent, jurisdiction):
    """Reported words end with their clause, and a fraudster's words count as reported only inside a scam warning:
    a threat put after 'you said …,' or on 'people are saying' is still the sender's."""
    language = "zh" if jurisdiction == "CN" else "en"
    assert intent in _intents(text, language=language, jurisdiction=jurisdiction)
