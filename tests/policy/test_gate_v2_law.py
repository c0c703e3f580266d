"""Gate v2 red-team tests written from the law (issue 15 §2), each both ways: allowed at the boundary, denied past it."""

from __future__ import annotations

import pytest
from gate_cases import base, calls, location, state, utc, with_

from fairdue.policy import Gate, PackOverrideError, apply_override, decide, load_pack
from fairdue.policy.request import nanp_split_zones, zones_for_phone


def _rules(decision: dict) -> list[str]:
    return [v["rule"] for v in decision["violations"]]


def _us_at(at: str, phone: str, *zones: str) -> dict:
    return with_(base("US"), at=at, **{"recipient.address": phone, "borrower.time_zones": list(zones)})


# --- 12 CFR 1006.6(b)(1)(i) and comment 6(b)(1)(i)-2: convenient in every known location -----------------------
# 2026-03-02 is before US daylight time (8 March): Boise UTC-7, Los Angeles UTC-8, New York UTC-5, Chicago UTC-6.
HOURS = "US.RegF.1006.6b1i.hours"


def test_regf_1006_6b1i_comment_2_idaho_208_counts_pacific_and_mountain():
    assert set(zones_for_phone("+12085550100")) >= {"America/Boise", "America/Los_Angeles"}
    # 08:59 Boise is 07:59 in north Idaho (Pacific): too early there.
    early = decide(_us_at("2026-03-02T15:59:00Z", "+12085550100", "America/Boise"))
    assert not early["allowed"] and HOURS in _rules(early)
    assert early["next_allowed_at"] == "2026-03-02T16:00:00Z"
    assert decide(_us_at("2026-03-02T16:00:00Z", "+12085550100", "America/Boise"))["allowed"]


def test_regf_1006_6b1i_comment_2_florida_850_counts_central_and_eastern():
    assert set(zones_for_phone("+18505550100")) >= {"America/New_York", "America/Chicago"}
    # 08:30 in Tallahassee is 07:30 in Pensacola (Central).
    denied = decide(_us_at("2026-03-02T13:30:00Z", "+18505550100", "America/New_York"))
    assert not denied["allowed"] and HOURS in _rules(denied)
    assert decide(_us_at("2026-03-02T14:00:00Z", "+18505550100", "America/New_York"))["allowed"]


def test_regf_1006_6b1i_comment_2_oregon_541_malheur_mountain_in_the_evening():
    # 20:30 in Portland (Pacific) is 21:30 in Ontario, Oregon (Mountain): too late there.
    denied = decide(_us_at("2026-03-03T04:30:00Z", "+15415550100", "America/Los_Angeles"))
    assert not denied["allowed"] and HOURS in _rules(denied)
    assert decide(_us_at("2026-03-03T03:59:00Z", "+15415550100", "America/Los_Angeles"))["allowed"]


def test_regf_1006_6b1i_comment_2_stated_address_zone_and_phone_zone_both_count():
    """Address in Los Angeles, a New York mobile: 20:30 in LA is 23:30 in New York (was allowed before the union)."""
    denied = decide(_us_at("2026-03-03T04:30:00Z", "+12125550100", "America/Los_Angeles"))
    assert not denied["allowed"] and HOURS in _rules(denied)
    zones = {z["zone"] for v in denied["violations"] for z in v["evidence"].get("zones", [])}
    assert "America/New_York" in zones
    # 08:00 in LA is 11:00 in New York: convenient in both.
    assert decide(_us_at("2026-03-02T16:00:00Z", "+12125550100", "America/Los_Angeles"))["allowed"]


@pytest.mark.parametrize(
    "area_code",
    ["208", "541", "458", "605", "701", "308", "785", "620", "850", "270", "606", "931", "423", "812", "574", "906"]
    + ["915", "928", "775", "219", "364", "930", "986"],
)
def test_regf_1006_6b1i_comment_2_split_area_codes_give_two_zones(area_code):
    zones = zones_for_phone(f"+1{area_code}5550100")
    assert len(set(zones)) >= 2, zones


def test_regf_1006_6b1i_tucson_520_is_one_zone_arizona_time():
    """Checked and not split: 520 is wholly on Arizona time (the Navajo Nation, on daylight time, is in 928)."""
    assert zones_for_phone("+15205550100") == ("America/Phoenix",)
    assert "America/Denver" in zones_for_phone("+19285550100")


def test_regf_1006_6b1i_split_table_is_cited_and_names_real_zones():
    import tomllib
    from importlib.resources import files

    table = tomllib.loads(
        files("fairdue.policy").joinpath("data", "nanp_split_area_codes.toml").read_text(encoding="utf-8")
    )["area_codes"]
    assert set(table) == set(nanp_split_zones())
    for code, entry in table.items():
        assert entry["confidence"] in {"V", "V2", "R"} and entry["note"], code


def test_zone_union_applies_in_every_jurisdiction_never_less_strict():
    """A UK customer with a stated London zone and a US mobile: 10:00 London is 05:00 New York — denied."""
    request = with_(base("UK"), **{"recipient.address": "+12125550100"})
    denied = decide(request)
    assert not denied["allowed"] and "UK.CONC7.9.4R.hours" in _rules(denied)
    assert decide(with_(request, at="2026-03-02T13:00:00Z"))["allowed"]  # 13:00 London, 08:00 New York


# --- 12 CFR 1006.14(h)(2)(i): one confirmation of an opt-out -------------------------------------------------------
CONFIRM_EN = {"language": "en", "text": "Fairline Credit: you will no longer receive text messages from us."}
OPT_OUT = "US.RegF.1006.14h.opt_out"


def _confirmation(jurisdiction: str = "US", message: dict | None = None, **paths) -> dict:
    zh = {"language": "zh", "text": "【诚信消费金融】您已成功退订短信，我们将不再通过短信联系您。"}
    return with_(
        base(jurisdiction),
        purpose="opt_out_confirmation",
        message=message or (zh if jurisdiction == "CN" else CONFIRM_EN),
        **{"recipient.opted_out_channels": ["sms"], **paths},
    )


def test_regf_1006_14h2i_one_confirmation_of_an_opt_out_is_allowed():
    decision = decide(_confirmation())
    assert decision["allowed"], decision["violations"]


def test_regf_1006_14h2i_a_second_confirmation_is_denied():
    denied = decide(_confirmation(**{"recipient.opt_out_confirmations_sent": 1}))
    assert not denied["allowed"] and OPT_OUT in _rules(denied)


def test_regf_1006_14h2i_a_confirmation_in_history_counts_as_sent():
    entry = calls("US", [utc("2026-03-01T15:00:00Z")], "delivered", channel="sms")[0] | {
        "purpose": "opt_out_confirmation"
    }
    denied = decide(with_(_confirmation(), history=[entry]))
    assert not denied["allowed"] and OPT_OUT in _rules(denied)
    # A confirmation on another channel (e-mail) does not spend the SMS one.
    other = entry | {"channel": "email", "address": "alex@example.com"}
    assert decide(with_(_confirmation(), history=[other]))["allowed"]


def test_regf_1006_14h2i_a_history_entry_with_a_garbled_purpose_counts_as_a_confirmation():
    entry = calls("US", [utc("2026-03-01T15:00:00Z")], "delivered", channel="sms")[0] | {"purpose": "???"}
    assert not decide(with_(_confirmation(), history=[entry]))["allowed"]
    plain = calls("US", [utc("2026-03-01T15:00:00Z")], "delivered", channel="sms")  # no purpose: not one
    assert decide(with_(_confirmation(), history=plain))["allowed"]


def test_regf_1006_14h2i_a_confirmation_that_demands_payment_is_collection_and_denied():
    text = "Fairline Credit: you will no longer receive texts. Please pay your past-due balance of $50.00 today."
    denied = decide(_confirmation(message={"language": "en", "text": text}))
    assert not denied["allowed"] and OPT_OUT in _rules(denied)
    (violation,) = [v for v in denied["violations"] if v["rule"] == OPT_OUT]
    assert violation["evidence"]["amounts"] and violation["evidence"]["debt_terms"]


def test_regf_1006_14h2i_collection_on_the_opted_out_channel_stays_denied():
    denied = decide(with_(base("US"), **{"recipient.opted_out_channels": ["sms"]}))
    assert not denied["allowed"] and OPT_OUT in _rules(denied)


def test_regf_1006_14h2i_malformed_confirmation_count_fails_closed():
    denied = decide(_confirmation(**{"recipient.opt_out_confirmations_sent": "none"}))
    assert not denied["allowed"] and "REQUEST.recipient.opt_out_confirmations_sent" in _rules(denied)


def test_fdcpa_805c_cease_also_stops_the_opt_out_confirmation():
    denied = decide(_confirmation(**{"borrower.cease_requested": True}))
    assert not denied["allowed"] and "US.FDCPA805c.cease" in _rules(denied)


@pytest.mark.parametrize(("jurisdiction", "rule"), [("CN", "CN.house.opt_out"), ("UK", "UK.CONC7.9.4R.opt_out")])
def test_cn_uk_no_confirmation_on_the_opted_out_channel_but_a_service_message_elsewhere(jurisdiction, rule):
    """CN/UK: no confirmation rule in law; the opted-out channel stays closed; on another channel it is a service
    message (the borrower's opt-out is confirmed where they still accept messages)."""
    denied = decide(_confirmation(jurisdiction))
    assert not denied["allowed"] and rule in _rules(denied)
    assert decide(_confirmation(jurisdiction, **{"recipient.opted_out_channels": ["email"]}))["allowed"]


def test_opt_out_confirmation_override_may_lower_but_never_raise():
    us = load_pack("US")
    none = apply_override(us, {"name": "strict", "rules": {OPT_OUT: {"confirmations_max": 0}}})
    assert not Gate(packs={"US": none, "CN": load_pack("CN"), "UK": load_pack("UK")}).decide(_confirmation())["allowed"]
    with pytest.raises(PackOverrideError, match="confirmations_max"):
        apply_override(us, {"name": "loose", "rules": {OPT_OUT: {"confirmations_max": 2}}})
    with pytest.raises(PackOverrideError, match="confirmations_max"):
        apply_override(load_pack("CN"), {"name": "loose", "rules": {"CN.house.opt_out": {"confirmations_max": 1}}})


# --- 12 CFR 1006.10(b)(1): a location contact names the employer only if expressly asked -------------------------
EMPLOYER = "US.RegF.1006.10b1.employer"
NAMED = "Hi, this is Jamie from Fairline Credit. We are trying to confirm the address for Alex Smith. Please ask Alex to call us at 1-800-555-0100."
UNNAMED = "Hi, this is Jamie. I am calling to confirm location information for Alex Smith. Please ask Alex to call us at 1-800-555-0100."


def _locate(text: str, **paths) -> dict:
    return with_(
        location("US", role="third_party"),
        sender={"kind": "collector", "name": "Fairline Credit"},
        message={"language": "en", "text": text},
        **paths,
    )


def test_regf_1006_10b1_location_contact_naming_the_employer_unasked_is_denied():
    denied = decide(_locate(NAMED))
    assert not denied["allowed"] and EMPLOYER in _rules(denied)
    (violation,) = [v for v in denied["violations"] if v["rule"] == EMPLOYER]
    start, end = violation["evidence"]["span"]
    assert NAMED[start:end] == "Fairline Credit"


def test_regf_1006_10b1_location_contact_naming_the_employer_when_expressly_asked_is_allowed():
    assert decide(_locate(NAMED, **{"recipient.asked_for_employer": True}))["allowed"]


def test_regf_1006_10b1_location_contact_without_the_employer_is_allowed():
    assert decide(_locate(UNNAMED))["allowed"]


@pytest.mark.parametrize("variant", ["FAIRLINE CREDIT", "Ｆａｉｒｌｉｎｅ　Ｃｒｅｄｉｔ", "fairline-credit"])
def test_regf_1006_10b1_employer_name_is_matched_whatever_the_case_or_width(variant):
    denied = decide(_locate(NAMED.replace("Fairline Credit", variant)))
    assert not denied["allowed"] and EMPLOYER in _rules(denied)


def test_regf_1006_10b1_malformed_asked_flag_fails_closed():
    denied = decide(_locate(NAMED, **{"recipient.asked_for_employer": "yes"}))
    assert not denied["allowed"]
    assert {"REQUEST.recipient.asked_for_employer", EMPLOYER} <= set(_rules(denied))


def test_regf_1006_10b1_a_message_to_the_borrower_may_name_the_lender():
    request = with_(base("US"), sender={"kind": "creditor", "name": "Fairline Credit"})
    assert decide(request)["allowed"]


# --- 12 CFR 1006.18(e): the debt-collector disclosure ------------------------------------------------------------------
DISCLOSURE = "US.RegF.1006.18e.disclosure"
E1 = (
    "Fairline Collections: Hi Alex, your account is past due. This is an attempt to collect a debt and any "
    "information obtained will be used for that purpose. Pay at fairline.example/pay or call 1-800-555-0100. "
    "Reply STOP to opt out."
)
E2 = (
    "Fairline Collections: Hi Alex, this is a communication from a debt collector. Your account is past due. "
    "Pay at fairline.example/pay or call 1-800-555-0100. Reply STOP to opt out."
)
COLLECTOR = {"kind": "collector", "name": "Fairline Collections"}


def _collector(text: str, **paths) -> dict:
    return with_(base("US"), sender=COLLECTOR, message={"language": "en", "text": text}, **paths)


def _earlier_sms() -> list[dict]:
    return calls("US", [utc("2026-02-20T15:00:00Z")], "delivered", channel="sms")


def test_regf_1006_18e1_initial_communication_with_the_disclosure_is_allowed():
    assert decide(_collector(E1))["allowed"]


def test_regf_1006_18e1_initial_communication_without_it_is_denied():
    denied = decide(_collector(E2))  # "from a debt collector" is the (e)(2) text, not the initial one
    assert not denied["allowed"] and DISCLOSURE in _rules(denied)
    (violation,) = [v for v in denied["violations"] if v["rule"] == DISCLOSURE]
    assert violation["evidence"]["initial_communication"] is True
    assert "1006.18(e)" in violation["citation"]


def test_regf_1006_18e2_subsequent_communication_from_a_debt_collector_is_allowed():
    assert decide(_collector(E2, history=_earlier_sms()))["allowed"]


def test_regf_1006_18e2_subsequent_communication_without_it_is_denied():
    text = "Fairline Collections: Hi Alex, your account is past due. Pay at fairline.example/pay or call 1-800-555-0100. Reply STOP to opt out."
    denied = decide(_collector(text, history=_earlier_sms()))
    assert not denied["allowed"] and DISCLOSURE in _rules(denied)
    creditor = with_(_collector(text, history=_earlier_sms()), sender={"kind": "creditor"})
    assert decide(creditor)["allowed"]  # the creditor owes no such text


def test_regf_1006_18e_absent_sender_is_the_creditor():
    assert decide(base("US"))["allowed"]


def test_regf_1006_18e_a_sender_with_an_unknown_kind_fails_closed_as_a_collector():
    denied = decide(with_(base("US"), sender={"kind": "agency?", "name": "X"}))
    assert not denied["allowed"]
    assert {"REQUEST.sender.kind", DISCLOSURE} <= set(_rules(denied))


def test_regf_1006_10b_location_contact_with_a_third_party_carries_no_collector_disclosure():
    """1006.18(e) applies to communications with the consumer; a location contact may not reveal the debt."""
    decision = decide(_locate(UNNAMED))
    assert decision["allowed"] and DISCLOSURE not in _rules(decision)


def test_regf_1006_18e_voicemail_limited_content_needs_no_disclosure():
    """A limited-content message (1006.2(j)) is not a communication: the disclosure rule does not run on voicemail."""
    request = with_(base("US", channel="voicemail"), sender=COLLECTOR)
    assert DISCLOSURE not in _rules(decide(request))


# --- CONC 7.14.1R: recovery suspended while a dispute that may be valid is open -------------------------------------
UK_DISPUTE = "UK.CONC7.14.1R.dispute"


@pytest.mark.parametrize("purpose", ["collection", "reminder"])
def test_conc_7_14_1r_dispute_open_suspends_recovery(purpose):
    denied = decide(with_(base("UK", purpose=purpose), **{"borrower.dispute_open": True}))
    assert not denied["allowed"] and UK_DISPUTE in _rules(denied)


def test_conc_7_14_1r_no_dispute_collection_allowed():
    assert decide(with_(base("UK"), **{"borrower.dispute_open": False}))["allowed"]


def test_conc_7_14_1r_dispute_open_service_receipt_allowed():
    receipt = {"language": "en", "text": "Fairline Credit: we received your payment of £20.00 on 1 March. Thank you."}
    request = with_(base("UK", purpose="service"), message=receipt, **{"borrower.dispute_open": True})
    assert decide(request)["allowed"]


def test_regf_1006_34_us_dispute_still_suspends_collection():
    denied = decide(with_(base("US"), **{"borrower.dispute_open": True}))
    assert not denied["allowed"] and "US.RegF.1006.34.dispute" in _rules(denied)


# --- new request fields: absent keeps old callers working; malformed fails closed -----------------------------------
@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("debt.state", {"overdue": True}, "REQUEST.debt.state.days_past_due"),
        ("debt.state", "overdue", "REQUEST.debt.state"),
        ("sender", "collector", "REQUEST.sender"),
        ("sender", {"kind": "creditor", "name": 7}, "REQUEST.sender.name"),
    ],
)
def test_malformed_gate_v2_fields_deny_with_the_field_named(path, value, rule):
    denied = decide(with_(base("US"), **{path: value}))
    assert not denied["allowed"] and rule in _rules(denied)


def test_gate_v2_fields_given_well_formed_keep_a_lawful_contact_allowed():
    request = with_(
        base("US"),
        sender={"kind": "creditor", "name": "Fairline Credit"},
        **{"debt.state": state("US"), "recipient.asked_for_employer": False, "recipient.opt_out_confirmations_sent": 0},
    )
    assert decide(request)["allowed"]
