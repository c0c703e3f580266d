"""Property tests over random requests: address-book numbers and debt disclosure to third parties are never allowed."""

from __future__ import annotations

import datetime as dt

from gate_cases import DISCLOSING
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from fairdue.policy import CATEGORIES, decide

JURISDICTIONS = ["CN", "US", "UK"]
CHANNELS = ["call", "sms", "email", "letter", "app_push", "voicemail", "visit"]
PURPOSES = ["collection", "reminder", "location", "service"]
ROLES = ["borrower", "guarantor", "spouse", "attorney", "emergency_contact", "third_party"]
SOURCES = [
    "contract",
    "self_provided",
    "registration",
    "credit_bureau",
    "public_record",
    "emergency_contact",
    "device_contacts",
    "unknown",
]
OUTCOMES = ["no_answer", "conversation", "voicemail", "delivered", "failed", "invalid_number"]
ZONES = ["Asia/Shanghai", "America/New_York", "America/Los_Angeles", "Europe/London", "Asia/Tokyo"]
PHONES = ["+8613800138000", "+8613900139000", "+12125550100", "+13105550100", "+447700900123", "a@example.com"]
BENIGN = [
    "【诚信消费金融】您好，请回电95123。",
    "This is Fairline Credit. Please call us at 1-800-555-0100.",
    "麻烦您转告他联系我们。",
    "Please ask Alex to call us.",
    "",
    "Reply STOP to opt out.",
]
# Debt-revealing sentences (zh and en) the content check must recognise for any non-debtor.
REVEALING = [
    DISCLOSING["CN"],
    DISCLOSING["US"],
    DISCLOSING["UK"],
    "他欠我们的钱已经逾期三个月了。",
    "Alex has an overdue debt with us.",
    "张伟的贷款逾期未还。",
    "We are calling about Sam's unpaid loan.",
]

base_at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
instants = st.integers(min_value=0, max_value=365 * 24 * 60).map(
    lambda m: (base_at + dt.timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")
)

history_entries = st.lists(
    st.fixed_dictionaries(
        {
            "at": st.integers(min_value=0, max_value=30 * 24 * 60).map(
                lambda m: (base_at - dt.timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")
            ),
            "channel": st.sampled_from(CHANNELS),
            "address": st.sampled_from(PHONES),
            "role": st.sampled_from(ROLES),
            "outcome": st.sampled_from(OUTCOMES),
        }
    ),
    max_size=25,
)

consents = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "granted_at": st.just("2025-01-01T00:00:00Z"),
            "withdrawn_at": st.one_of(st.none(), instants),
            "scope": st.sampled_from(["locate_only", "collection"]),
        }
    ),
)


def requests(*, source=None, role=None, text=None):
    return st.fixed_dictionaries(
        {
            "jurisdiction": st.sampled_from(JURISDICTIONS),
            "at": instants,
            "channel": st.sampled_from(CHANNELS),
            "purpose": st.sampled_from(PURPOSES),
            "debt": st.fixed_dictionaries({"id": st.just("D1"), "time_barred": st.booleans()}),
            "recipient": st.fixed_dictionaries(
                {
                    "role": st.just(role) if role else st.sampled_from(ROLES),
                    "address": st.sampled_from(PHONES),
                    "source": st.just(source) if source else st.sampled_from(SOURCES),
                    "consent": consents,
                    "asked_to_stop": st.booleans(),
                    "opted_out_channels": st.lists(st.sampled_from(CHANNELS), max_size=2, unique=True),
                    "prior_location_contacts": st.integers(min_value=0, max_value=3),
                }
            ),
            "borrower": st.fixed_dictionaries(
                {
                    "time_zones": st.lists(st.sampled_from(ZONES), max_size=2, unique=True),
                    "inconvenient_hours": st.just([]),
                    **{
                        flag: st.booleans()
                        for flag in (
                            "cease_requested",
                            "represented_by_attorney",
                            "dispute_open",
                            "plan_active",
                            "bankruptcy",
                            "breathing_space",
                        )
                    },
                }
            ),
            "history": history_entries.map(lambda h: sorted(h, key=lambda e: e["at"])),
            "message": (
                text
                if text is not None
                else st.one_of(
                    st.none(),
                    st.fixed_dictionaries(
                        {"language": st.sampled_from(["zh", "en"]), "text": st.sampled_from(BENIGN + REVEALING)}
                    ),
                )
            ),
            "staff_count": st.integers(min_value=0, max_value=3),
        }
    )


_settings = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_settings
@given(requests(source="device_contacts"))
def test_device_contacts_numbers_are_never_allowed(request):
    decision = decide(request)
    assert decision["allowed"] is False
    assert any(v["category"] == "data_source" for v in decision["violations"])


@_settings
@given(requests(source="unknown"))
def test_numbers_of_unknown_origin_are_never_allowed(request):
    assert decide(request)["allowed"] is False


revealing_messages = st.builds(
    lambda before, core, after, lang: {"language": lang, "text": before + core + after},
    st.sampled_from(BENIGN),
    st.sampled_from(REVEALING),
    st.sampled_from(BENIGN),
    st.sampled_from(["zh", "en"]),
)


@_settings
@given(
    st.sampled_from(["third_party", "emergency_contact"]).flatmap(
        lambda role: requests(role=role, text=revealing_messages)
    )
)
def test_debt_revealing_message_to_a_third_party_is_never_allowed(request):
    decision = decide(request)
    assert decision["allowed"] is False
    assert any(v["category"] in ("third_party", "consent", "data_source") for v in decision["violations"])


@_settings
@given(
    st.sampled_from(["third_party", "emergency_contact"]).flatmap(
        lambda role: requests(role=role, source="emergency_contact", text=revealing_messages)
    )
)
def test_the_disclosure_itself_is_named_even_when_all_else_is_lawful(request):
    """Whatever else is wrong, the content check's disclosure finding is among the reasons."""
    rules = [v["rule"] for v in decide(request)["violations"]]
    assert "THIRD_PARTY.debt_disclosure" in rules, rules


@settings(max_examples=300, deadline=None)
@given(requests())
def test_any_request_gets_a_well_formed_decision(request):
    decision = decide(request)
    assert decision["allowed"] == (not decision["violations"])
    assert {v["category"] for v in decision["violations"]} <= set(CATEGORIES)
    if decision["next_allowed_at"] is not None:
        assert not decision["allowed"]
        assert decision["next_allowed_at"] > request["at"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        json_values,
        requests().flatmap(lambda r: st.fixed_dictionaries({k: (st.just(v) | json_values) for k, v in r.items()})),
    )
)
def test_arbitrary_json_never_raises_and_garbage_is_never_allowed(request):
    decision = decide(request)
    assert {v["category"] for v in decision["violations"]} <= set(CATEGORIES)
    if not isinstance(request, dict) or "jurisdiction" not in request:
        assert decision["allowed"] is False


hhmm = st.integers(min_value=0, max_value=23 * 60 + 59).map(lambda m: f"{m // 60:02d}:{m % 60:02d}")


@settings(max_examples=200, deadline=None)
@given(
    jurisdiction=st.sampled_from(JURISDICTIONS),
    at=instants,
    zones=st.lists(st.sampled_from(ZONES), min_size=1, max_size=3, unique=True),
    inconvenient=st.lists(st.tuples(hhmm, hhmm).filter(lambda r: r[0] != r[1]).map(list), max_size=2),
    history=history_entries,
    channel=st.sampled_from(["call", "sms"]),
)
def test_next_allowed_at_is_always_allowed(jurisdiction, at, zones, inconvenient, history, channel):
    """Whenever the gate names a time to retry, the same contact is allowed then and not a minute earlier."""
    request = {
        "jurisdiction": jurisdiction,
        "at": at,
        "channel": channel,
        "purpose": "collection",
        "debt": {"id": "D1", "time_barred": False},
        "recipient": {"role": "borrower", "address": PHONES[0], "source": "contract"},
        "borrower": {"time_zones": zones, "inconvenient_hours": inconvenient},
        "history": [dict(e, at=max(e["at"], "2025-12-01T00:00:00Z")) for e in history if e["at"] <= at],
    }
    if channel == "sms":
        request["message"] = {
            "language": "en",
            "text": "Fairline Credit: please call 1-800-555-0100 about your "
            "account or a repayment plan. Reply STOP to opt out.",
        }
    decision = decide(request)
    event("allowed" if decision["allowed"] else ("retry named" if decision["next_allowed_at"] else "no retry"))
    if decision["next_allowed_at"] is not None:
        assert not decision["allowed"]
        again = decide({**request, "at": decision["next_allowed_at"]})
        assert again["allowed"], (decision["next_allowed_at"], again["violations"])
        # ... and it is the first such minute.
        before = dt.datetime.fromisoformat(decision["next_allowed_at"]) - dt.timedelta(minutes=1)
        if before > dt.datetime.fromisoformat(at):
            assert not decide({**request, "at": before.strftime("%Y-%m-%dT%H:%M:%SZ")})["allowed"]


_TIGHT = {
    "CN": {
        "name": "strict",
        "rules": {
            "CN.CBA2026.hours": {"window": ["09:00", "20:00"]},
            "CN.CBA2026.unanswered_calls": {"unanswered_calls_per_day_max": 2},
            "CN.CBA2026.third_party": {"location_channels": ["sms"]},
            "CN.CBA2026.unreachable": {"failed_attempts_min": 5},
        },
    },
    "US": {
        "name": "strict",
        "rules": {
            "US.RegF.1006.14b2i.7in7": {"calls_max": 3},
            "US.RegF.1006.14b2i.after_conversation": {"days": 10},
            "US.house.sources": {"sources_allowed": ["contract", "self_provided"]},
        },
    },
    "UK": {
        "name": "strict",
        "rules": {
            "UK.CONC7.9.4R.hours": {"window": ["08:30", "20:00"]},
            "UK.policy.calls_per_day": {"calls_max": 1},
            "UK.CONC7.3.4R.plan": {"purposes_blocked": ["collection", "location", "reminder"]},
        },
    },
}
_tight_gate = None


def _near_lawful(jurisdiction, kind, channel, minutes, calls_back, outcomes, flag, purpose):
    from gate_cases import base, location

    request = (
        location(jurisdiction, channel=channel)
        if kind == "location"
        else base(jurisdiction, channel=channel, purpose=purpose)
    )
    at = dt.datetime.fromisoformat(request["at"]) + dt.timedelta(minutes=minutes)
    request["at"] = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    address = request["recipient"]["address"] if kind != "location" else PHONES[0]
    request["history"] = request["history"] + [
        {
            "at": (at - dt.timedelta(minutes=back)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "channel": "call",
            "address": address,
            "role": "borrower",
            "outcome": outcome,
        }
        # strict=False: `outcomes` is a pool of 8; `calls_back` (0-8 long) decides how many calls there are
        for back, outcome in zip(calls_back, outcomes, strict=False)
    ]
    request["history"].sort(key=lambda e: e["at"])
    if flag:
        request["borrower"][flag] = True
    return request


near_lawful = st.builds(
    _near_lawful,
    st.sampled_from(JURISDICTIONS),
    st.sampled_from(["borrower", "location"]),
    st.sampled_from(["call", "sms"]),
    st.integers(min_value=-12 * 60, max_value=12 * 60),
    st.lists(st.integers(min_value=1, max_value=9 * 24 * 60), max_size=8),
    st.lists(st.sampled_from(["no_answer", "conversation", "voicemail", "failed"]), min_size=8, max_size=8),
    st.sampled_from([None, None, None, "plan_active", "dispute_open"]),
    st.sampled_from(["collection", "reminder"]),
)


@settings(max_examples=300, deadline=None)
@given(near_lawful)
def test_a_tightened_pack_never_allows_what_the_law_denies(request):
    """Overrides only tighten: whatever a lender's stricter gate allows, the shipped packs allow too."""
    global _tight_gate
    if _tight_gate is None:
        from fairdue.policy import Gate

        _tight_gate = Gate(overrides=_TIGHT)
    tight, law = _tight_gate.decide(request), decide(request)
    event(
        {
            (True, True): "both allow",
            (False, True): "only the law allows",
            (False, False): "both deny",
            (True, False): "only the lender allows",
        }[(tight["allowed"], law["allowed"])]
    )
    if tight["allowed"]:
        assert law["allowed"]
    assert "+strict#" in tight["pack"]
