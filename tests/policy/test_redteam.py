"""Red-team table for the contact gate: every rule both ways across CN/US/UK, at the boundaries that matter.

Each case is a named request and the expected verdict: allowed or not, the
rule ids and categories that must appear, and (where meaningful) the exact
next_allowed_at. Boundaries: 07:59/08:00, 20:59/21:00 local, local-day
edges, DST changes in US and UK zones, the 6th vs 7th unanswered call (CN),
day 7 vs day 8 after a conversation and the 7th vs 8th call in 7 days (US).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from gate_cases import DELETE, DISCLOSING, base, calls, current, location, state, utc, with_

from fairdue.policy import CATEGORIES, decide, load_pack

_ANY = object()


@dataclass
class Case:
    name: str
    request: dict
    allowed: bool
    rules: tuple[str, ...] = ()  # rule ids that must be among the violations
    categories: tuple[str, ...] = ()  # categories that must be among the violations
    next_allowed_at: object = _ANY  # exact value when given (None = null)
    absent_rules: tuple[str, ...] = field(default=())  # rule ids that must NOT appear


def _at(request: dict, at: str) -> dict:
    return with_(request, at=at)


def _z(request: dict, *zones: str) -> dict:
    return with_(request, **{"borrower.time_zones": list(zones)})


def _hours(n: int, start: str, step_min: int = 10) -> list[dt.datetime]:
    first = utc(start)
    return [first + dt.timedelta(minutes=step_min * i) for i in range(n)]


SERVICE_EN = {
    "language": "en",
    "text": "Fairline Credit: your payment of $50.00 was received on March 1. Questions: 1-800-555-0100.",
}
CN_CALL = base("CN", channel="call")
US_CALL = base("US", channel="call")
UK_CALL = base("UK", channel="call")

CASES: list[Case] = [
    # --- baselines ------------------------------------------------------------------------
    Case("cn_sms_collection_lawful", base("CN"), True),
    Case("cn_call_unscripted_lawful", CN_CALL, True),
    Case("us_sms_collection_lawful", base("US"), True),
    Case("us_call_lawful", US_CALL, True),
    Case("uk_sms_collection_lawful", base("UK"), True),
    Case("uk_call_lawful", UK_CALL, True),
    Case("cn_letter_lawful", base("CN", channel="letter"), True),
    Case("cn_visit_two_staff_lawful", base("CN", channel="visit"), True),
    # --- time window: CN (Asia/Shanghai = UTC+8) ------------------------------------------------
    Case(
        "cn_0759_denied",
        _at(CN_CALL, "2026-03-01T23:59:00Z"),
        False,
        ("CN.CBA2026.hours",),
        ("time_window",),
        "2026-03-02T00:00:00Z",
    ),
    Case("cn_0800_allowed", _at(CN_CALL, "2026-03-02T00:00:00Z"), True),
    Case("cn_2059_allowed", _at(CN_CALL, "2026-03-02T12:59:00Z"), True),
    Case(
        "cn_2100_denied_next_morning",
        _at(CN_CALL, "2026-03-02T13:00:00Z"),
        False,
        ("CN.CBA2026.hours",),
        ("time_window",),
        "2026-03-03T00:00:00Z",
    ),
    Case("cn_2130_sms_denied", _at(base("CN"), "2026-03-02T13:30:00Z"), False, ("CN.CBA2026.hours",)),
    Case("cn_letter_ignores_window", _at(base("CN", channel="letter"), "2026-03-02T15:00:00Z"), True),
    Case("cn_zone_derived_from_number", _at(_z(CN_CALL), "2026-03-02T13:30:00Z"), False, ("CN.CBA2026.hours",)),
    Case("cn_zone_derived_from_number_lawful", _z(CN_CALL), True),
    Case(
        "cn_zone_unknown_email_denied",
        _z(with_(base("CN", channel="email"), **{"recipient.address": "zhang@example.cn"})),
        False,
        ("REQUEST.borrower.time_zones",),
        ("time_window",),
        None,
    ),
    Case(
        "cn_unknown_zone_name_denied",
        _z(CN_CALL, "Mars/Olympus"),
        False,
        ("REQUEST.borrower.time_zones",),
        ("time_window",),
    ),
    Case(
        "cn_inconvenient_hours_denied",
        with_(_at(CN_CALL, "2026-03-02T04:30:00Z"), **{"borrower.inconvenient_hours": [["12:00", "14:00"]]}),
        False,
        ("CN.CBA2026.hours",),
        ("time_window",),
        "2026-03-02T06:00:00Z",
    ),
    Case(
        "cn_inconvenient_hours_end_allowed",
        with_(_at(CN_CALL, "2026-03-02T06:00:00Z"), **{"borrower.inconvenient_hours": [["12:00", "14:00"]]}),
        True,
    ),
    Case(
        "cn_inconvenient_overnight_range",
        with_(_at(CN_CALL, "2026-03-02T12:30:00Z"), **{"borrower.inconvenient_hours": [["20:00", "09:00"]]}),
        False,
        ("CN.CBA2026.hours",),
        (),
        "2026-03-03T01:00:00Z",
    ),
    # --- time window: US, several zones, DST (America/New_York: EDT from 2026-03-08, EST from 2026-11-01)
    Case(
        "us_two_zones_one_too_early",
        _z(_at(US_CALL, "2026-03-02T13:30:00Z"), "America/New_York", "America/Los_Angeles"),
        False,
        ("US.RegF.1006.6b1i.hours",),
        ("time_window",),
        "2026-03-02T16:00:00Z",
    ),
    Case(
        "us_two_zones_both_convenient",
        _z(_at(US_CALL, "2026-03-03T01:30:00Z"), "America/New_York", "America/Los_Angeles"),
        True,
    ),
    Case(
        "us_two_zones_one_too_late",
        _z(_at(US_CALL, "2026-03-03T02:30:00Z"), "America/New_York", "America/Los_Angeles"),
        False,
        ("US.RegF.1006.6b1i.hours",),
    ),
    # Two 13-hour windows always overlap; three zones 8 hours apart never share a convenient hour.
    Case(
        "us_three_zones_no_common_hour_never",
        _z(_at(US_CALL, "2026-03-02T15:00:00Z"), "America/Los_Angeles", "Europe/London", "Asia/Shanghai"),
        False,
        ("US.RegF.1006.6b1i.hours",),
        ("time_window",),
        None,
    ),
    Case(
        "us_new_york_and_tokyo_share_an_evening",
        _z(_at(US_CALL, "2026-03-02T15:00:00Z"), "America/New_York", "Asia/Tokyo"),
        False,
        ("US.RegF.1006.6b1i.hours",),
        ("time_window",),
        "2026-03-02T23:00:00Z",
    ),
    Case(
        "us_dst_start_0730_est_denied",
        _at(US_CALL, "2026-03-07T12:30:00Z"),
        False,
        ("US.RegF.1006.6b1i.hours",),
        (),
        "2026-03-07T13:00:00Z",
    ),
    Case("us_dst_start_0830_edt_allowed", _at(US_CALL, "2026-03-08T12:30:00Z"), True),
    Case("us_dst_end_0830_edt_allowed", _at(US_CALL, "2026-10-31T12:30:00Z"), True),
    Case(
        "us_dst_end_0730_est_denied",
        _at(US_CALL, "2026-11-01T12:30:00Z"),
        False,
        ("US.RegF.1006.6b1i.hours",),
        (),
        "2026-11-01T13:00:00Z",
    ),
    Case("us_2059_allowed", _at(US_CALL, "2026-03-03T01:59:00Z"), True),
    Case(
        "us_2100_denied",
        _at(US_CALL, "2026-03-03T02:00:00Z"),
        False,
        ("US.RegF.1006.6b1i.hours",),
        (),
        "2026-03-03T13:00:00Z",
    ),
    Case(
        "us_email_at_night_denied",
        _at(base("US", channel="email"), "2026-03-03T03:00:00Z"),
        False,
        ("US.RegF.1006.6b1i.hours",),
    ),
    Case("us_zone_from_area_code", _z(_at(US_CALL, "2026-03-02T12:30:00Z")), False, ("US.RegF.1006.6b1i.hours",)),
    # --- time window: UK (Europe/London: BST from 2026-03-29 01:00Z) ------------------------------
    Case("uk_bst_start_0830_allowed", _at(UK_CALL, "2026-03-29T07:30:00Z"), True),
    Case(
        "uk_gmt_0730_denied",
        _at(UK_CALL, "2026-03-28T07:30:00Z"),
        False,
        ("UK.CONC7.9.4R.hours",),
        (),
        "2026-03-28T08:00:00Z",
    ),
    Case("uk_gmt_2030_allowed", _at(UK_CALL, "2026-03-28T20:30:00Z"), True),
    Case(
        "uk_bst_2130_denied",
        _at(UK_CALL, "2026-03-29T20:30:00Z"),
        False,
        ("UK.CONC7.9.4R.hours",),
        (),
        "2026-03-30T07:00:00Z",
    ),
    # next_allowed_at across the change nights: the opening is 08:00 local on the new offset.
    Case(
        "uk_night_before_bst_next_opening_0700z",
        _at(UK_CALL, "2026-03-28T21:30:00Z"),
        False,
        ("UK.CONC7.9.4R.hours",),
        (),
        "2026-03-29T07:00:00Z",
    ),
    Case(
        "us_night_before_fall_back_next_opening_1300z",
        _at(US_CALL, "2026-11-01T01:30:00Z"),
        False,
        ("US.RegF.1006.6b1i.hours",),
        (),
        "2026-11-01T13:00:00Z",
    ),
    Case(
        "us_night_before_spring_forward_next_opening_1200z",
        _at(US_CALL, "2026-03-08T02:30:00Z"),
        False,
        ("US.RegF.1006.6b1i.hours",),
        (),
        "2026-03-08T12:00:00Z",
    ),
    Case(
        "uk_bst_calls_count_on_the_local_day",
        # 23:30Z on 06-01 is 00:30 BST on 06-02: three calls already on the local day of the proposal.
        with_(
            UK_CALL,
            at="2026-06-02T09:00:00Z",
            history=calls(
                "UK",
                [utc("2026-06-01T23:30:00Z"), utc("2026-06-02T07:10:00Z"), utc("2026-06-02T08:10:00Z")],
                "no_answer",
            ),
        ),
        False,
        ("UK.policy.calls_per_day",),
        ("frequency",),
        "2026-06-03T07:00:00Z",
    ),
    Case(
        "uk_bst_calls_before_local_midnight_do_not_count",
        with_(
            UK_CALL,
            at="2026-06-02T09:00:00Z",
            history=calls(
                "UK",
                [utc("2026-06-01T22:30:00Z"), utc("2026-06-02T07:10:00Z"), utc("2026-06-02T08:10:00Z")],
                "no_answer",
            ),
        ),
        True,
    ),
    # --- frequency: CN unanswered calls per number per local day ---------------------------------
    Case(
        "cn_6th_unanswered_call_allowed",
        with_(CN_CALL, at="2026-03-02T08:00:00Z", history=calls("CN", _hours(5, "2026-03-02T00:10:00Z"), "no_answer")),
        True,
    ),
    Case(
        "cn_7th_unanswered_call_denied",
        with_(CN_CALL, at="2026-03-02T08:00:00Z", history=calls("CN", _hours(6, "2026-03-02T00:10:00Z"), "no_answer")),
        False,
        ("CN.CBA2026.unanswered_calls",),
        ("frequency",),
        "2026-03-03T00:00:00Z",
    ),
    Case(
        "cn_unanswered_counts_local_day_not_utc",
        with_(CN_CALL, at="2026-03-02T01:00:00Z", history=calls("CN", _hours(6, "2026-03-01T16:30:00Z"), "no_answer")),
        False,
        ("CN.CBA2026.unanswered_calls",),
    ),
    Case(
        "cn_unanswered_previous_local_day_ignored",
        with_(CN_CALL, at="2026-03-02T01:00:00Z", history=calls("CN", _hours(6, "2026-03-01T15:00:00Z"), "no_answer")),
        True,
    ),
    Case(
        "cn_unanswered_other_number_ignored",
        with_(
            CN_CALL,
            at="2026-03-02T08:00:00Z",
            history=calls("CN", _hours(6, "2026-03-02T00:10:00Z"), "no_answer", address="+8613700137000"),
        ),
        True,
    ),
    Case(
        "cn_conversations_do_not_count_as_unanswered",
        with_(
            CN_CALL, at="2026-03-02T08:00:00Z", history=calls("CN", _hours(6, "2026-03-02T00:10:00Z"), "conversation")
        ),
        True,
    ),
    Case(
        "cn_cap_does_not_limit_sms",
        with_(
            base("CN"), at="2026-03-02T08:00:00Z", history=calls("CN", _hours(8, "2026-03-02T00:10:00Z"), "no_answer")
        ),
        True,
    ),
    # --- frequency: US 7 in 7 and the week after a conversation ---------------------------------
    Case(
        "us_7th_call_in_7_days_allowed",
        with_(
            US_CALL,
            at="2026-03-08T15:00:00Z",
            history=calls("US", [utc(f"2026-03-0{d}T15:00:00Z") for d in (2, 3, 4, 5, 6, 7)], "no_answer"),
        ),
        True,
    ),
    Case(
        "us_8th_call_in_7_days_denied",
        with_(
            US_CALL,
            at="2026-03-08T15:00:00Z",
            history=calls(
                "US",
                [utc(f"2026-03-0{d}T15:00:00Z") for d in (2, 3, 4, 5, 6, 7)] + [utc("2026-03-08T13:00:00Z")],
                "no_answer",
            ),
        ),
        False,
        ("US.RegF.1006.14b2i.7in7",),
        ("frequency",),
        "2026-03-09T12:00:00Z",
    ),
    Case(
        "us_failed_dials_do_not_count",
        with_(
            US_CALL,
            at="2026-03-08T15:00:00Z",
            history=calls("US", [utc(f"2026-03-0{d}T15:00:00Z") for d in (2, 3, 4, 5, 6, 7)], "no_answer")
            + calls("US", [utc("2026-03-08T13:00:00Z")], "failed"),
        ),
        True,
    ),
    Case(
        "us_calls_to_another_person_do_not_count",
        with_(
            US_CALL,
            at="2026-03-08T15:00:00Z",
            history=calls("US", [utc(f"2026-03-0{d}T15:00:00Z") for d in (2, 3, 4, 5, 6, 7, 8)][:-1], "no_answer")
            + calls("US", [utc("2026-03-08T13:00:00Z")], "no_answer", address="+12125550199", role="emergency_contact"),
        ),
        True,
    ),
    Case(
        "us_day_7_after_conversation_denied",
        with_(US_CALL, at="2026-03-08T15:00:00Z", history=calls("US", [utc("2026-03-02T15:00:00Z")], "conversation")),
        False,
        ("US.RegF.1006.14b2i.after_conversation",),
        ("frequency",),
        "2026-03-09T12:00:00Z",
    ),
    Case(
        "us_day_8_after_conversation_allowed",
        with_(US_CALL, at="2026-03-09T15:00:00Z", history=calls("US", [utc("2026-03-02T15:00:00Z")], "conversation")),
        True,
    ),
    Case(
        "us_conversation_day_uses_local_date",
        # 2026-03-03T03:30Z is 22:30 on 03-02 in New York: day 1 is 03-02, so 03-09 local is day 8.
        with_(US_CALL, at="2026-03-09T15:00:00Z", history=calls("US", [utc("2026-03-03T03:30:00Z")], "conversation")),
        True,
    ),
    Case(
        "us_sms_after_conversation_allowed",
        with_(
            base("US"), at="2026-03-03T15:00:00Z", history=calls("US", [utc("2026-03-02T15:00:00Z")], "conversation")
        ),
        True,
    ),
    # --- frequency: UK lender policy from the pack ----------------------------------------------------
    Case(
        "uk_4th_call_today_denied",
        with_(
            UK_CALL, at="2026-03-02T15:00:00Z", history=calls("UK", _hours(3, "2026-03-02T09:00:00Z", 60), "no_answer")
        ),
        False,
        ("UK.policy.calls_per_day",),
        ("frequency",),
        "2026-03-03T08:00:00Z",
    ),
    Case(
        "uk_3rd_call_today_allowed",
        with_(
            UK_CALL, at="2026-03-02T15:00:00Z", history=calls("UK", _hours(2, "2026-03-02T09:00:00Z", 60), "no_answer")
        ),
        True,
    ),
    Case(
        "uk_11th_call_in_7_days_denied",
        with_(
            UK_CALL,
            at="2026-03-08T15:00:00Z",
            history=calls(
                "UK", [utc(f"2026-03-0{d}T{h}:00:00Z") for d in (2, 3, 4, 5, 6) for h in (10, 12)], "no_answer"
            ),
        ),
        False,
        ("UK.policy.calls_per_week",),
    ),
    # --- provenance --------------------------------------------------------------------------------------
    Case(
        "cn_device_contacts_denied",
        with_(base("CN"), **{"recipient.source": "device_contacts"}),
        False,
        ("CN.PIPL.sources",),
        ("data_source",),
        None,
    ),
    Case(
        "us_unknown_source_denied",
        with_(base("US"), **{"recipient.source": "unknown"}),
        False,
        ("US.house.sources",),
        ("data_source",),
    ),
    Case(
        "uk_device_contacts_denied",
        with_(UK_CALL, **{"recipient.source": "device_contacts"}),
        False,
        ("UK.house.sources",),
        ("data_source",),
    ),
    Case("cn_credit_bureau_source_allowed", with_(base("CN"), **{"recipient.source": "credit_bureau"}), True),
    # --- third parties ------------------------------------------------------------------------------------
    Case("cn_emergency_contact_location_lawful", location("CN"), True),
    Case("cn_emergency_contact_sms_location_lawful", location("CN", channel="sms"), True),
    Case(
        "cn_emergency_contact_borrower_reachable_denied",
        with_(location("CN"), history=calls("CN", [utc("2026-02-27T02:00:00Z")], "conversation")),
        False,
        ("CN.CBA2026.unreachable",),
        ("third_party",),
        None,
    ),
    Case(
        "cn_emergency_contact_two_failures_denied",
        with_(location("CN"), history=calls("CN", _hours(2, "2026-02-27T02:00:00Z"), "no_answer")),
        False,
        ("CN.CBA2026.unreachable",),
    ),
    Case(
        "cn_emergency_contact_invalid_number_allowed",
        with_(location("CN"), history=calls("CN", [utc("2026-02-27T02:00:00Z")], "invalid_number")),
        True,
    ),
    Case(
        "cn_emergency_contact_conversation_resets_failures",
        with_(
            location("CN"),
            history=calls("CN", _hours(3, "2026-02-26T02:00:00Z"), "no_answer")
            + calls("CN", [utc("2026-02-27T02:00:00Z")], "conversation"),
        ),
        False,
        ("CN.CBA2026.unreachable",),
    ),
    Case(
        "cn_emergency_contact_no_consent_denied",
        with_(location("CN"), **{"recipient.consent": None}),
        False,
        ("CN.CBA2026.third_party",),
        ("consent",),
    ),
    Case(
        "cn_emergency_contact_consent_withdrawn_denied",
        with_(location("CN"), **{"recipient.consent.withdrawn_at": "2026-01-01T00:00:00Z"}),
        False,
        (),
        ("consent",),
        None,
    ),
    Case(
        "cn_emergency_contact_consent_scope_denied",
        with_(location("CN"), **{"recipient.consent.scope": "collection"}),
        False,
        (),
        ("consent",),
    ),
    Case(
        "cn_emergency_contact_consent_not_yet_in_force",
        with_(location("CN"), **{"recipient.consent.granted_at": "2026-03-05T00:00:00Z"}),
        False,
        (),
        ("consent",),
        "2026-03-05T00:00:00Z",
    ),
    Case(
        "cn_emergency_contact_asked_to_stop",
        with_(location("CN"), **{"recipient.asked_to_stop": True}),
        False,
        ("CN.CBA2026.third_party",),
        ("third_party",),
        None,
    ),
    Case(
        "cn_emergency_contact_for_collection_denied",
        with_(location("CN"), purpose="collection"),
        False,
        ("CN.CBA2026.third_party",),
        ("third_party",),
    ),
    Case(
        "cn_emergency_contact_disclosure_denied",
        with_(location("CN"), message={"language": "zh", "text": DISCLOSING["CN"]}),
        False,
        ("THIRD_PARTY.debt_disclosure",),
        ("third_party",),
    ),
    Case(
        "cn_emergency_contact_unscripted_call_denied",
        with_(location("CN"), message=DELETE),
        False,
        ("CN.CBA2026.third_party",),
    ),
    Case(
        "cn_unrelated_third_party_denied",
        location("CN", role="third_party"),
        False,
        ("CN.CBA2026.third_party",),
        ("third_party",),
    ),
    Case(
        "cn_emergency_contact_visit_denied",
        with_(location("CN", channel="visit"), staff_count=2),
        False,
        ("CN.CBA2026.third_party",),
    ),
    Case(
        "cn_spouse_collection_denied",
        with_(base("CN"), **{"recipient.role": "spouse"}),
        False,
        ("CN.CBA2026.third_party",),
        ("third_party",),
    ),
    Case("cn_guarantor_collection_allowed", with_(base("CN"), **{"recipient.role": "guarantor"}), True),
    Case("us_spouse_collection_allowed", with_(base("US"), **{"recipient.role": "spouse"}), True),
    Case("us_third_party_location_once_allowed", location("US", role="third_party"), True),
    Case(
        "us_third_party_location_second_time_denied",
        with_(location("US", role="third_party"), **{"recipient.prior_location_contacts": 1}),
        False,
        ("US.RegF.1006.6d.third_party",),
        ("third_party",),
    ),
    Case(
        "us_third_party_prior_count_unknown_denied",
        with_(location("US", role="third_party"), **{"recipient.prior_location_contacts": DELETE}),
        False,
        ("US.RegF.1006.6d.third_party",),
    ),
    Case(
        "us_location_disclosure_denied",
        with_(location("US", role="third_party"), message={"language": "en", "text": DISCLOSING["US"]}),
        False,
        ("THIRD_PARTY.debt_disclosure",),
        ("third_party",),
    ),
    Case("uk_emergency_contact_location_lawful", location("UK"), True),
    Case("uk_third_party_location_denied", location("UK", role="third_party"), False, ("UK.CONC7.9.6R.third_party",)),
    Case(
        "uk_location_disclosure_denied",
        with_(location("UK"), message={"language": "en", "text": DISCLOSING["UK"]}),
        False,
        ("THIRD_PARTY.debt_disclosure",),
    ),
    # --- suppression ---------------------------------------------------------------------------------------
    Case(
        "cn_cease_blocks_sms",
        with_(base("CN"), **{"borrower.cease_requested": True}),
        False,
        ("CN.house.cease",),
        ("suppression",),
        None,
    ),
    Case("cn_cease_allows_letter", with_(base("CN", channel="letter"), **{"borrower.cease_requested": True}), True),
    Case(
        "us_cease_blocks_letter",
        with_(base("US", channel="letter"), **{"borrower.cease_requested": True}),
        False,
        ("US.FDCPA805c.cease",),
        ("suppression",),
    ),
    Case(
        "us_cease_allows_service_notice",
        with_(
            base("US", channel="letter", purpose="service"),
            **{"borrower.cease_requested": True},
            message={
                "language": "en",
                "text": "This is Fairline Credit. As you asked, we have stopped our "
                "collection efforts on your account. Questions: 1-800-555-0100.",
            },
        ),
        True,
    ),
    Case(
        "us_attorney_blocks_borrower",
        with_(base("US"), **{"borrower.represented_by_attorney": True}),
        False,
        ("US.RegF.1006.6b2.attorney",),
        ("suppression",),
    ),
    Case(
        "us_attorney_may_be_contacted",
        with_(base("US"), **{"borrower.represented_by_attorney": True, "recipient.role": "attorney"}),
        True,
    ),
    Case("us_bankruptcy_blocks", with_(US_CALL, **{"borrower.bankruptcy": True}), False, ("US.USC11.362.bankruptcy",)),
    Case(
        "uk_breathing_space_blocks",
        with_(UK_CALL, **{"borrower.breathing_space": True}),
        False,
        ("UK.DRMR2020.breathing_space",),
        ("suppression",),
    ),
    Case(
        "us_dispute_blocks_collection",
        with_(base("US"), **{"borrower.dispute_open": True}),
        False,
        ("US.RegF.1006.34.dispute",),
        ("suppression",),
    ),
    Case("cn_dispute_flag_has_no_cn_rule", with_(base("CN"), **{"borrower.dispute_open": True}), True),
    Case(
        "cn_plan_blocks_collection",
        with_(base("CN"), **{"borrower.plan_active": True}),
        False,
        ("CN.CardRules70.plan",),
        ("suppression",),
    ),
    Case(
        "cn_plan_allows_installment_reminder",
        with_(base("CN", purpose="reminder"), **{"borrower.plan_active": True}),
        True,
    ),
    Case("uk_plan_blocks_collection", with_(UK_CALL, **{"borrower.plan_active": True}), False, ("UK.CONC7.3.4R.plan",)),
    Case(
        "us_bankruptcy_allows_service_notice",
        with_(base("US", purpose="service"), **{"borrower.bankruptcy": True}, message=SERVICE_EN),
        True,
    ),
    Case(
        "uk_breathing_space_allows_service_notice",
        with_(base("UK", purpose="service"), **{"borrower.breathing_space": True}, message=SERVICE_EN),
        True,
    ),
    Case(
        "us_dispute_allows_service_notice",
        with_(base("US", purpose="service"), **{"borrower.dispute_open": True}, message=SERVICE_EN),
        True,
    ),
    Case(
        "uk_plan_allows_installment_reminder",
        with_(base("UK", purpose="reminder"), **{"borrower.plan_active": True}),
        True,
    ),
    Case(
        "us_attorney_flag_blocks_reminders_too",
        with_(base("US", purpose="reminder"), **{"borrower.represented_by_attorney": True}),
        False,
        ("US.RegF.1006.6b2.attorney",),
    ),
    Case(
        "cn_cease_blocks_location_contact",
        with_(location("CN"), **{"borrower.cease_requested": True}),
        False,
        ("CN.house.cease",),
    ),
    # --- authentication: a login code the borrower asked for ---------------------------------------------
    *[
        Case(f"{j.lower()}_login_code_at_2300_allowed", _at(base(j, purpose="authentication"), night), True)
        for j, night in (("CN", "2026-03-02T15:00:00Z"), ("US", "2026-03-03T04:00:00Z"), ("UK", "2026-03-02T23:00:00Z"))
    ],
    *[
        Case(
            f"{j.lower()}_collection_text_as_authentication_denied_at_night",
            with_(_at(base(j, purpose="authentication"), night), message=base(j)["message"]),
            False,
            (hours, f"{j}.house.authentication"),
            ("time_window", "content"),
            None,
        )
        for j, night, hours in (
            ("CN", "2026-03-02T15:00:00Z", "CN.CBA2026.hours"),
            ("US", "2026-03-03T04:00:00Z", "US.RegF.1006.6b1i.hours"),
            ("UK", "2026-03-02T23:00:00Z", "UK.CONC7.9.4R.hours"),
        )
    ],
    *[
        Case(
            f"{j.lower()}_login_code_to_third_party_denied",
            with_(
                base(j, purpose="authentication"),
                **{"recipient.role": "third_party", "recipient.source": "public_record"},
            ),
            False,
            (f"{j}.house.authentication",),
            ("third_party",),
        )
        for j in ("CN", "US", "UK")
    ],
    Case(
        "cn_login_code_to_device_contact_denied",
        with_(base("CN", purpose="authentication"), **{"recipient.source": "device_contacts"}),
        False,
        ("CN.PIPL.sources", "CN.house.authentication"),
        ("data_source",),
    ),
    Case(
        "cn_login_code_by_call_denied",
        with_(base("CN", channel="call", purpose="authentication")),
        False,
        ("CN.house.authentication",),
        ("channel", "content"),
    ),
    # --- channel -------------------------------------------------------------------------------------------
    Case(
        "cn_opted_out_sms_denied",
        with_(base("CN"), **{"recipient.opted_out_channels": ["sms"]}),
        False,
        ("CN.house.opt_out",),
        ("channel",),
        None,
    ),
    Case("us_opted_out_other_channel_allowed", with_(base("US"), **{"recipient.opted_out_channels": ["email"]}), True),
    Case(
        "us_voicemail_blocked_by_call_opt_out",
        with_(base("US", channel="voicemail"), **{"recipient.opted_out_channels": ["call"]}),
        False,
        ("US.RegF.1006.14h.opt_out",),
    ),
    Case(
        "cn_visit_one_staff_denied",
        with_(base("CN", channel="visit"), staff_count=1),
        False,
        ("CN.CBA2026.visit_staff",),
        ("channel",),
    ),
    Case(
        "cn_visit_staff_missing_denied",
        with_(base("CN", channel="visit"), staff_count=DELETE),
        False,
        ("CN.CBA2026.visit_staff",),
    ),
    Case("us_voicemail_limited_content_allowed", base("US", channel="voicemail"), True),
    Case(
        "us_voicemail_unscripted_denied",
        with_(base("US", channel="voicemail"), message=DELETE),
        False,
        ("US.RegF.1006.2j.voicemail",),
        ("channel",),
    ),
    Case(
        "us_voicemail_mentioning_debt_denied",
        with_(
            base("US", channel="voicemail"),
            message={
                "language": "en",
                "text": "This is Jamie from Fairline Credit about your past-due debt of $500. "
                "Please call us back at 1-800-555-0100.",
            },
        ),
        False,
        ("CONTENT.US.voicemail.limited_content",),
        ("content",),
    ),
    Case(
        "cn_letter_without_text_denied",
        with_(base("CN", channel="letter"), message=DELETE),
        False,
        ("CN.house.written_text",),
        ("content",),
    ),
    # --- content -------------------------------------------------------------------------------------------
    Case(
        "cn_threat_to_blast_contacts",
        with_(
            base("CN"),
            message={
                "language": "zh",
                "text": "【诚信消费金融】再不还钱就爆你通讯录，通知你单位！请致电95123，如有异议请协商。",
            },
        ),
        False,
        ("CONTENT.third_party_threat",),
        ("content",),
        None,
    ),
    Case(
        "cn_police_impersonation",
        with_(
            base("CN"),
            message={"language": "zh", "text": "【诚信消费金融】你已被公安立案，请致电95123，如有异议请协商。"},
        ),
        False,
        ("CONTENT.impersonation.police",),
        ("content",),
    ),
    Case(
        "cn_borrow_elsewhere",
        with_(
            base("CN"),
            message={
                "language": "zh",
                "text": "【诚信消费金融】可以先去别的平台借钱还款，请致电95123，如有异议请协商。",
            },
        ),
        False,
        ("CONTENT.borrow_elsewhere",),
    ),
    Case(
        "us_suit_threat_on_time_barred_debt",
        with_(
            base("US"),
            **{"debt.time_barred": True},
            message={
                "language": "en",
                "text": "Fairline Credit: we will sue you if you do not pay. Call 1-800-555-0100. Reply STOP to opt out.",
            },
        ),
        False,
        ("CONTENT.time_barred_suit",),
        ("content",),
    ),
    Case(
        "us_sms_without_opt_out_denied",
        with_(
            base("US"),
            message={
                "language": "en",
                "text": "Fairline Credit: Hi Alex, your account is past due. Pay at fairline.example/pay or call 1-800-555-0100.",
            },
        ),
        False,
        ("CONTENT.required.opt_out",),
    ),
    Case(
        "cn_collection_sms_without_objection_route_denied",
        with_(
            base("CN"),
            message={
                "language": "zh",
                "text": "【诚信消费金融】张先生您好，您的账单已逾期，请通过官方App或客服热线95123还款。",
            },
        ),
        False,
        ("CONTENT.required.objection_route",),
    ),
    Case(
        "cn_message_in_unsupported_language_denied",
        with_(base("CN"), message={"language": "fr", "text": "Bonjour"}),
        False,
        ("CN.CBA2026.content",),
        ("content",),
    ),
    # --- every remaining pack rule, denied at least once ------------------------------------------------
    Case(
        "cn_attorney_flag_blocks_borrower",
        with_(base("CN"), **{"borrower.represented_by_attorney": True}),
        False,
        ("CN.house.attorney",),
        ("suppression",),
    ),
    Case("cn_bankruptcy_blocks", with_(CN_CALL, **{"borrower.bankruptcy": True}), False, ("CN.house.bankruptcy",)),
    Case(
        "cn_breathing_space_flag_blocks",
        with_(base("CN"), **{"borrower.breathing_space": True}),
        False,
        ("CN.house.breathing_space",),
    ),
    Case(
        "us_breathing_space_flag_blocks",
        with_(US_CALL, **{"borrower.breathing_space": True}),
        False,
        ("US.house.breathing_space",),
    ),
    Case(
        "us_location_borrower_reachable_denied",
        with_(location("US", role="third_party"), history=calls("US", [utc("2026-02-27T15:00:00Z")], "conversation")),
        False,
        ("US.house.unreachable",),
        ("third_party",),
    ),
    Case(
        "uk_location_borrower_reachable_denied",
        with_(location("UK"), history=calls("UK", [utc("2026-02-27T10:00:00Z")], "conversation")),
        False,
        ("UK.house.unreachable",),
    ),
    Case(
        "uk_cease_blocks_call",
        with_(UK_CALL, **{"borrower.cease_requested": True}),
        False,
        ("UK.CONC7.9.4R.cease",),
        ("suppression",),
    ),
    Case("uk_cease_allows_letter", with_(base("UK", channel="letter"), **{"borrower.cease_requested": True}), True),
    Case(
        "uk_attorney_flag_blocks",
        with_(UK_CALL, **{"borrower.represented_by_attorney": True}),
        False,
        ("UK.house.attorney",),
    ),
    Case("uk_bankruptcy_blocks", with_(UK_CALL, **{"borrower.bankruptcy": True}), False, ("UK.IA1986.bankruptcy",)),
    Case(
        "uk_opted_out_call_denied",
        with_(UK_CALL, **{"recipient.opted_out_channels": ["call"]}),
        False,
        ("UK.CONC7.9.4R.opt_out",),
        ("channel",),
    ),
    Case(
        "us_email_without_text_denied",
        with_(base("US", channel="email"), message=DELETE),
        False,
        ("US.house.written_text",),
        ("content",),
    ),
    Case(
        "uk_app_push_without_text_denied",
        with_(base("UK", channel="app_push"), message=DELETE),
        False,
        ("UK.house.written_text",),
    ),
    Case(
        "us_message_in_unsupported_language_denied",
        with_(base("US"), message={"language": "es", "text": "Hola"}),
        False,
        ("US.RegF.content",),
        ("content",),
    ),
    Case(
        "uk_message_in_unsupported_language_denied",
        with_(base("UK"), message={"language": "cy", "text": "Helo"}),
        False,
        ("UK.CONC7.content",),
        ("content",),
    ),
    # --- malformed requests fail closed ----------------------------------------------------------------------
    Case("missing_at_denied", with_(base("CN"), at=DELETE), False, ("REQUEST.at",), ("time_window",), None),
    Case("naive_at_denied", with_(base("CN"), at="2026-03-02T10:00:00"), False, ("REQUEST.at",)),
    Case(
        "unknown_jurisdiction_denied",
        with_(base("CN"), jurisdiction="FR"),
        False,
        ("REQUEST.jurisdiction",),
        ("data_source",),
    ),
    Case("unknown_channel_denied", with_(base("CN"), channel="fax"), False, ("REQUEST.channel",), ("channel",)),
    Case(
        "missing_recipient_source_denied",
        with_(base("CN"), **{"recipient.source": DELETE}),
        False,
        ("REQUEST.recipient.source",),
        ("data_source",),
    ),
    Case(
        "malformed_history_entry_denied",
        with_(CN_CALL, history=[{"at": "yesterday"}]),
        False,
        ("REQUEST.history[0]",),
        ("frequency",),
    ),
    Case(
        "history_after_proposed_time_denied",
        with_(CN_CALL, history=calls("CN", [utc("2026-03-02T03:00:00Z")], "no_answer")),
        False,
        ("REQUEST.history[0].at",),
    ),
    Case(
        "garbled_cease_flag_denied",
        with_(base("CN"), **{"borrower.cease_requested": "yes"}),
        False,
        ("REQUEST.borrower.cease_requested",),
        ("suppression",),
    ),
    Case(
        "malformed_consent_denied",
        with_(location("CN"), **{"recipient.consent": {"scope": "locate_only"}}),
        False,
        ("REQUEST.recipient.consent",),
        ("consent",),
    ),
    Case("unknown_keys_ignored", with_(base("CN"), extra={"anything": 1}, **{"recipient.nickname": "Z"}), True),
    # --- gate v2: messages must be true, location employer, collector disclosure, UK disputes ---------------------
    Case("cn_truth_overdue_claim_on_overdue_debt_allowed", with_(base("CN"), **{"debt.state": state("CN")}), True),
    Case(
        "cn_truth_overdue_claim_on_current_debt_denied",
        with_(base("CN"), **{"debt.state": current("CN")}),
        False,
        ("CN.CBA2026.truth",),
        ("content",),
        None,
    ),
    Case("us_truth_past_due_claim_on_overdue_debt_allowed", with_(base("US"), **{"debt.state": state("US")}), True),
    Case(
        "us_truth_past_due_claim_on_current_debt_denied",
        with_(base("US"), **{"debt.state": current("US")}),
        False,
        ("US.RegF.1006.18.truth",),
        ("content",),
        None,
    ),
    Case("uk_truth_arrears_claim_in_arrears_allowed", with_(base("UK"), **{"debt.state": state("UK")}), True),
    Case(
        "uk_truth_arrears_claim_on_current_account_denied",
        with_(base("UK"), **{"debt.state": current("UK")}),
        False,
        ("UK.CONC7.9.truth",),
        ("content",),
        None,
    ),
    Case(
        "us_location_employer_named_unasked_denied",
        with_(location("US", role="third_party"), sender={"kind": "collector", "name": "Fairline Credit"}),
        False,
        ("US.RegF.1006.10b1.employer",),
        ("third_party",),
        None,
    ),
    Case(
        "us_location_employer_named_when_asked_allowed",
        with_(
            location("US", role="third_party"),
            sender={"kind": "collector", "name": "Fairline Credit"},
            **{"recipient.asked_for_employer": True},
        ),
        True,
    ),
    Case(
        "us_collector_sms_without_disclosure_denied",
        with_(base("US"), sender={"kind": "collector", "name": "Fairline Credit"}),
        False,
        ("US.RegF.1006.18e.disclosure",),
        ("content",),
        None,
    ),
    Case("us_creditor_sms_needs_no_collector_disclosure", with_(base("US"), sender={"kind": "creditor"}), True),
    Case(
        "uk_dispute_open_collection_denied",
        with_(base("UK"), **{"borrower.dispute_open": True}),
        False,
        ("UK.CONC7.14.1R.dispute",),
        ("suppression",),
        None,
    ),
    Case(
        "uk_dispute_open_service_message_allowed",
        with_(
            base("UK", purpose="service"),
            **{"borrower.dispute_open": True},
            message={
                "language": "en",
                "text": "Fairline Credit: we received your payment of £20.00 on 1 March. Thank you.",
            },
        ),
        True,
    ),
]


def test_the_table_is_big_enough_and_names_are_unique():
    assert len(CASES) >= 80
    assert len({c.name for c in CASES}) == len(CASES)
    assert sum(c.allowed for c in CASES) >= 30 and sum(not c.allowed for c in CASES) >= 50


@pytest.mark.parametrize("jurisdiction", ["CN", "US", "UK"])
def test_every_pack_rule_is_denied_by_some_named_case(jurisdiction):
    named = {rule for case in CASES if not case.allowed for rule in case.rules}
    missing = [rule.id for rule in load_pack(jurisdiction).rules if rule.id not in named]
    assert not missing


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_red_team(case: Case):
    decision = decide(case.request)
    rules = [v["rule"] for v in decision["violations"]]
    categories = {v["category"] for v in decision["violations"]}
    assert decision["allowed"] is case.allowed, rules
    assert decision["allowed"] == (not decision["violations"])
    assert categories <= set(CATEGORIES)
    for rule in case.rules:
        assert rule in rules, (rule, rules)
    for category in case.categories:
        assert category in categories, (category, categories)
    for rule in case.absent_rules:
        assert rule not in rules
    if case.next_allowed_at is not _ANY:
        assert decision["next_allowed_at"] == case.next_allowed_at, decision["violations"]
    if case.allowed:
        assert decision["next_allowed_at"] is None


@pytest.mark.parametrize("case", [c for c in CASES if c.next_allowed_at not in (_ANY, None)], ids=lambda c: c.name)
def test_next_allowed_at_is_really_allowed_and_a_second_earlier_is_not(case: Case):
    """next_allowed_at is the first lawful instant: deciding again at it allows, one minute before does not."""
    at = decide(case.request)["next_allowed_at"]
    assert decide(with_(case.request, at=at))["allowed"], at
    before = (dt.datetime.fromisoformat(at) - dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    if before > case.request["at"]:
        assert not decide(with_(case.request, at=before))["allowed"]
