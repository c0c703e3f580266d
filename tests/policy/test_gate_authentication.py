"""Purpose `authentication` (a login code the borrower asked for) is exempt from the contact window only: never from third-party, source, consent or content rules."""

from __future__ import annotations

import pytest
from gate_cases import base, location, with_

from fairdue.policy import decide, load_pack
from fairdue.policy.pack import PackError, PackOverrideError, apply_override, parse_pack

NIGHT = {"CN": "2026-03-02T15:00:00Z", "US": "2026-03-03T04:00:00Z", "UK": "2026-03-02T23:00:00Z"}  # 23:00 local
HOURS = {"CN": "CN.CBA2026.hours", "US": "US.RegF.1006.6b1i.hours", "UK": "UK.CONC7.9.4R.hours"}


def _code(j: str, **paths) -> dict:
    return with_(base(j, purpose="authentication"), at=NIGHT[j], **paths)


def _rules(decision: dict) -> list[str]:
    return [v["rule"] for v in decision["violations"]]


@pytest.mark.parametrize("j", ["CN", "US", "UK"])
def test_login_code_at_night_to_the_borrower_is_allowed_but_service_is_not(j):
    assert decide(_code(j))["allowed"] is True
    service = decide(_code(j, purpose="service"))
    assert service["allowed"] is False and HOURS[j] in _rules(service)


@pytest.mark.parametrize("j", ["CN", "US", "UK"])
@pytest.mark.parametrize("role", ["third_party", "emergency_contact", "spouse", "guarantor"])
def test_login_code_to_anyone_but_the_borrower_is_denied_and_keeps_the_window(j, role):
    d = decide(_code(j, **{"recipient.role": role, "recipient.source": "public_record"}))
    assert d["allowed"] is False
    assert f"{j}.house.authentication" in _rules(d)
    assert HOURS[j] in _rules(d)  # the exemption is for the borrower only
    assert "third_party" in {v["category"] for v in d["violations"]}


def test_login_code_to_a_consented_emergency_contact_is_still_denied():
    request = with_(
        location("CN", channel="sms"),
        purpose="authentication",
        at=NIGHT["CN"],
        message=base("CN", purpose="authentication")["message"],
    )
    d = decide(request)
    assert d["allowed"] is False
    assert {"CN.house.authentication", "CN.CBA2026.third_party", "CN.CBA2026.hours"} <= set(_rules(d))


@pytest.mark.parametrize(
    "source", ["device_contacts", "unknown", "credit_bureau", "public_record", "emergency_contact"]
)
def test_login_code_only_to_the_borrowers_own_verified_address(source):
    d = decide(_code("CN", **{"recipient.source": source}))
    assert d["allowed"] is False
    assert "data_source" in {v["category"] for v in d["violations"] if v["rule"] == "CN.house.authentication"}


@pytest.mark.parametrize(
    "j,text",
    [
        ("CN", "【fairdue】验证码 482913。您的借款已逾期，请尽快还款。"),
        ("CN", "【fairdue】验证码 482913，本期账单¥1,200.00"),
        ("CN", "【fairdue】验证码 482913，应付 1200元"),
        ("US", "fairdue: code 482913. Your account is past due; you owe $500."),
        ("UK", "fairdue: code 482913. Your debt of £500 is in arrears."),
    ],
)
def test_a_debt_word_or_amount_makes_it_a_collection_message_denied_at_night(j, text):
    d = decide(_code(j, message={"language": "zh" if j == "CN" else "en", "text": text}))
    assert d["allowed"] is False
    assert {HOURS[j], f"{j}.house.authentication"} <= set(_rules(d))
    assert d["next_allowed_at"] is None  # waiting for the morning does not make it a login code


@pytest.mark.parametrize("j", ["CN", "US", "UK"])
def test_a_collection_message_labelled_authentication_is_denied_at_night(j):
    d = decide(_code(j, message=base(j)["message"]))
    assert d["allowed"] is False and HOURS[j] in _rules(d)


def test_threats_in_a_login_code_are_still_content_violations():
    d = decide(
        _code(
            "CN", message={"language": "zh", "text": "【fairdue】验证码 482913。不登录就通知你的家人和单位，后果自负！"}
        )
    )
    assert d["allowed"] is False
    assert any(v["category"] == "content" and v["rule"].startswith("CONTENT.") for v in d["violations"])


def test_login_code_needs_its_text_and_an_allowed_channel():
    no_text = _code("CN")
    del no_text["message"]
    assert "CN.house.authentication" in _rules(decide(no_text))
    by_call = decide(with_(_code("CN"), channel="call"))
    assert by_call["allowed"] is False
    assert "channel" in {v["category"] for v in by_call["violations"] if v["rule"] == "CN.house.authentication"}


def test_opt_out_and_consent_are_not_exempted():
    d = decide(_code("CN", **{"recipient.opted_out_channels": ["sms"]}))
    assert d["allowed"] is False and "CN.house.opt_out" in _rules(d)


def test_a_cease_request_does_not_lock_the_borrower_out_of_the_portal():
    assert decide(_code("CN", **{"borrower.cease_requested": True}))["allowed"] is True


def test_an_override_may_drop_the_exemption_but_not_add_another_purpose():
    pack = load_pack("CN")
    tightened = apply_override(pack, {"name": "strict-lender", "rules": {"CN.CBA2026.hours": {"purposes_exempt": []}}})
    assert tightened.rule("CN.CBA2026.hours").params["purposes_exempt"] == ()
    with pytest.raises(PackOverrideError):
        apply_override(pack, {"name": "x", "rules": {"CN.CBA2026.hours": {"purposes_exempt": ["collection"]}}})
    with pytest.raises(PackOverrideError):
        apply_override(
            pack, {"name": "x", "rules": {"CN.house.authentication": {"sources_allowed": ["public_record"]}}}
        )


def test_a_pack_cannot_exempt_authentication_without_the_rule_that_checks_it():
    from importlib.resources import files

    text = files("fairdue.policy").joinpath("packs", "CN.toml").read_text(encoding="utf-8")
    head, sep, _tail = text.partition('[rules."CN.house.authentication"]')
    assert sep
    with pytest.raises(PackError, match="authentication"):
        parse_pack(head, "no-auth-rule")
    with pytest.raises(PackError, match="purposes_exempt"):
        parse_pack(text.replace('purposes_exempt = ["authentication"]', 'purposes_exempt = ["service"]'), "bad")


@pytest.mark.parametrize("lang,phrase", [("en", "any hour"), ("zh", "任何时间")])
def test_the_late_consequences_page_says_a_login_code_may_come_at_any_hour(lang, phrase):
    from fairdue.policy.describe import describe_pack

    texts = {d["rule"]: d["text"] for d in describe_pack("CN", lang)}
    assert phrase in texts["CN.house.authentication"]
    assert "21:00" in texts["CN.CBA2026.hours"]
