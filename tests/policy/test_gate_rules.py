"""Rule details the red-team table does not pin down: unreachable by consecutive days, zones of third parties, lazily read history."""

from __future__ import annotations

import datetime as dt

import pytest
from gate_cases import base, calls, location, utc, with_

from fairdue.policy import Gate, apply_override, decide, load_pack
from fairdue.policy.request import address_key, parse, zones_for_phone


def test_unreachable_by_three_consecutive_days_when_attempts_cap_is_tightened():
    """A lender requiring 5 failed attempts still counts 3 consecutive days without getting through."""
    tight = Gate(
        packs={
            "CN": apply_override(
                load_pack("CN"), {"name": "x", "rules": {"CN.CBA2026.unreachable": {"failed_attempts_min": 5}}}
            )
        }
    )
    three_days = calls(
        "CN", [utc("2026-02-26T02:00:00Z"), utc("2026-02-27T02:00:00Z"), utc("2026-02-28T02:00:00Z")], "no_answer"
    )
    assert tight.decide(with_(location("CN"), history=three_days))["allowed"]
    gap = calls(
        "CN", [utc("2026-02-24T02:00:00Z"), utc("2026-02-26T02:00:00Z"), utc("2026-02-28T02:00:00Z")], "no_answer"
    )
    decision = tight.decide(with_(location("CN"), history=gap))
    assert [v["rule"] for v in decision["violations"]] == ["CN.CBA2026.unreachable"]
    assert decision["violations"][0]["evidence"]["failed_days"] == 1


def test_unreachable_counts_only_the_borrowers_own_numbers():
    others = calls(
        "CN", [utc("2026-02-27T02:00:00Z")] * 3, "no_answer", address="+8613900139000", role="emergency_contact"
    )
    assert not decide(with_(location("CN"), history=others))["allowed"]


def test_third_party_time_window_also_uses_their_own_number():
    """A UK contact of a CN borrower: 10:00 in Shanghai is 02:00 in London, so not yet."""
    request = with_(location("CN"), **{"recipient.address": "+442071234567"})
    decision = decide(request)
    assert not decision["allowed"]
    assert decision["violations"][0]["evidence"]["zones"][0]["zone"] == "Europe/London"


def test_two_borrower_zones_each_count_their_own_local_day_for_the_cn_cap():
    """Six unanswered calls on one Shanghai day but spread over two Los Angeles days: the Shanghai day caps."""
    history = calls("CN", [utc("2026-03-02T00:30:00Z") + dt.timedelta(hours=2 * i) for i in range(6)], "no_answer")
    request = with_(
        base("CN", channel="call"),
        at="2026-03-02T12:30:00Z",
        history=history,
        **{"borrower.time_zones": ["Asia/Shanghai", "America/Los_Angeles"]},
    )
    rules = [v["rule"] for v in decide(request)["violations"]]
    assert "CN.CBA2026.unanswered_calls" in rules


def test_history_is_read_only_where_it_matters_but_its_shape_always_is():
    broken_entry = [{"at": "not a time", "channel": "call", "address": "x", "role": "borrower", "outcome": "no_answer"}]
    assert not decide(with_(base("CN", channel="call"), history=broken_entry))["allowed"]
    # An SMS does not depend on call history: a malformed entry is not read (documented in request.py) ...
    assert decide(with_(base("CN"), history=broken_entry))["allowed"]
    # ... but a history that is not a list of objects is refused everywhere.
    for bad in ("yesterday", [1, 2], {"at": 1}):
        decision = decide(with_(base("CN"), history=bad))
        assert not decision["allowed"] and decision["violations"][0]["category"] == "frequency"


@pytest.mark.parametrize(
    "address, key, phone",
    [
        ("+86 138-0013-8000", "+8613800138000", True),
        ("(212) 555-0100", "2125550100", True),
        ("Zhang@Example.CN ", "zhang@example.cn", False),
    ],
)
def test_addresses_are_normalised_for_matching(address, key, phone):
    assert address_key(address) == (key, phone)


def test_zones_follow_from_phone_numbers():
    assert zones_for_phone("+8613800138000") == ("Asia/Shanghai",)
    assert zones_for_phone("+12125550100") == ("America/New_York",)
    assert zones_for_phone("+442071234567") == ("Europe/London",)
    assert "Europe/London" in zones_for_phone("+447911123456")
    assert zones_for_phone("12125550100") == ()
    assert zones_for_phone("+999") == ()


def test_unanswered_calls_count_per_normalised_number():
    history = calls(
        "CN",
        [utc("2026-03-02T00:10:00Z") + dt.timedelta(minutes=10 * i) for i in range(6)],
        "no_answer",
        address="+86 138 0013 8000",
    )
    decision = decide(with_(base("CN", channel="call"), at="2026-03-02T08:00:00Z", history=history))
    assert [v["rule"] for v in decision["violations"]] == ["CN.CBA2026.unanswered_calls"]


def test_next_allowed_combines_window_and_frequency():
    """7th unanswered call proposed at 20:30: tomorrow's window opening is also the cap's reset."""
    history = calls("CN", [utc("2026-03-02T00:10:00Z") + dt.timedelta(minutes=10 * i) for i in range(6)], "no_answer")
    decision = decide(with_(base("CN", channel="call"), at="2026-03-02T12:30:00Z", history=history))
    assert {v["category"] for v in decision["violations"]} == {"frequency"}
    late = decide(with_(base("CN", channel="call"), at="2026-03-02T13:30:00Z", history=history))
    assert {v["category"] for v in late["violations"]} == {"frequency", "time_window"}
    assert late["next_allowed_at"] == "2026-03-03T00:00:00Z"


def test_us_conversation_and_weekly_cap_wait_for_the_later_of_the_two():
    history = calls("US", [utc("2026-03-02T15:00:00Z")], "conversation") + calls(
        "US",
        [utc(f"2026-03-0{d}T15:00:00Z") for d in (3, 4, 5, 6, 7)]
        + [utc("2026-03-08T13:00:00Z"), utc("2026-03-08T15:00:00Z")],
        "no_answer",
    )
    decision = decide(with_(base("US", channel="call"), at="2026-03-08T18:00:00Z", history=history))
    rules = {v["rule"] for v in decision["violations"]}
    assert rules == {"US.RegF.1006.14b2i.7in7", "US.RegF.1006.14b2i.after_conversation"}
    # Day 8 after the conversation is 03-09, but 7 calls still sit in 03-03..03-09: wait for 03-10 (EDT).
    assert decision["next_allowed_at"] == "2026-03-10T12:00:00Z"


def test_request_parsing_reports_each_bad_field_once():
    req, problems = parse(with_(base("CN"), at="soon", channel="fax", **{"recipient.role": "cousin"}))
    assert sorted(p.field for p in problems) == ["at", "channel", "recipient.role"]
    assert {"at", "channel", "recipient.role"} <= req.bad


def test_offsets_other_than_utc_are_read_and_answers_are_in_utc():
    history = [
        {
            "at": f"2026-03-02T{8 + i:02d}:10:00+08:00",
            "channel": "call",
            "address": "+8613800138000",
            "role": "borrower",
            "outcome": "no_answer",
        }
        for i in range(6)
    ]
    request = with_(base("CN", channel="call"), at="2026-03-02T21:30:00+08:00", history=history)
    decision = decide(request)
    assert {v["rule"] for v in decision["violations"]} == {"CN.CBA2026.hours", "CN.CBA2026.unanswered_calls"}
    assert decision["next_allowed_at"] == "2026-03-03T00:00:00Z"
    assert decide(with_(request, at="2026-03-02T16:00:00-05:00")) == decide(with_(request, at="2026-03-02T21:00:00Z"))
