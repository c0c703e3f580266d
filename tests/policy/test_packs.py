"""Packs are versioned, cited data; a lender override can tighten them and is refused, by name, when it loosens."""

from __future__ import annotations

import pytest
from gate_cases import base, calls, location, utc, with_

from fairdue.policy import Gate, PackError, PackOverrideError, apply_override, decide, describe_pack, load_pack
from fairdue.policy.pack import CATEGORIES, KINDS_REQUIRED, LABEL_DIGEST_CHARS, parse_override, parse_pack
from fairdue.policy.rules import KINDS

MINIMAL_PACK = """
[pack]
jurisdiction = "CN"
version = "2026-01-30"
title_en = "t"
title_zh = "t"
""" + "".join(
    f"""
[rules."CN.t.{kind}"]
kind = "{kind}"
source = "s"
article = "a"
confidence = "R"
effective_on = 2026-01-30
{params}
"""
    for kind, params in [
        ("hours", 'window = ["08:00", "21:00"]\nchannels = ["call"]'),
        ("sources", 'sources_allowed = ["contract"]'),
        (
            "third_party",
            'debtor_roles = ["borrower"]\nlocation_roles = []\nlocation_channels = []\n'
            "consent_required = true\nstop_when_asked = true\nmessage_required = true",
        ),
        ("unreachable", "failed_attempts_min = 3\nfailed_days_min = 3"),
        ("cease", "purposes_blocked = []\nchannels_excepted = []"),
        ("attorney", "purposes_blocked = []\nchannels_excepted = []"),
        ("bankruptcy", "purposes_blocked = []\nchannels_excepted = []"),
        ("opt_out", ""),
        ("written_text", 'channels_requiring_text = ["sms"]'),
        ("content", ""),
        ("truth", "collection_requires_overdue = true"),
    ]
)


@pytest.mark.parametrize("jurisdiction", ["CN", "US", "UK"])
def test_shipped_pack_loads_with_a_citation_and_tag_on_every_rule(jurisdiction):
    pack = load_pack(jurisdiction)
    assert pack.label.startswith(f"{jurisdiction}@")
    assert {r.kind for r in pack.rules} >= KINDS_REQUIRED
    for rule in pack.rules:
        assert rule.id.startswith(jurisdiction + ".")
        assert rule.source and rule.article and rule.confidence in {"V", "V2", "R"}
        assert rule.category in CATEGORIES
        assert rule.kind in KINDS
        assert rule.effective_on.year >= 2014


def test_pack_numbers_are_the_digests():
    cn, us = load_pack("CN"), load_pack("US")
    assert cn.rule("CN.CBA2026.hours").params["window"] == ("08:00", "21:00")
    assert cn.rule("CN.CBA2026.unanswered_calls").params["unanswered_calls_per_day_max"] == 6
    assert cn.rule("CN.CBA2026.visit_staff").params["visit_staff_min"] == 2
    assert us.rule("US.RegF.1006.14b2i.7in7").params["calls_max"] == 7
    assert us.rule("US.RegF.1006.14b2i.after_conversation").params["days"] == 7
    assert us.rule("US.RegF.1006.6d.third_party").params["location_contacts_per_person_max"] == 1


def test_decision_names_the_pack_version():
    """The label is version, then a prefix of the pack's content digest (see test_pack_digest.py)."""
    assert decide(base("CN"))["pack"] == f"CN@2026-01-30#{load_pack('CN').digest[:LABEL_DIGEST_CHARS]}"
    assert decide(base("US"))["pack"] == f"US@2021-11-30#{load_pack('US').digest[:LABEL_DIGEST_CHARS]}"


def test_minimal_pack_parses_and_each_required_kind_is_required():
    assert parse_pack(MINIMAL_PACK).jurisdiction == "CN"
    for kind in sorted(KINDS_REQUIRED):
        start = MINIMAL_PACK.index(f'[rules."CN.t.{kind}"]')
        end = MINIMAL_PACK.find("[rules.", start + 1)
        broken = MINIMAL_PACK[:start] + (MINIMAL_PACK[end:] if end != -1 else "")
        with pytest.raises(PackError, match=kind):
            parse_pack(broken)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ('confidence = "R"', 'confidence = "maybe"', "confidence"),
        ('source = "s"', 'source = ""', "source"),
        ('window = ["08:00", "21:00"]', 'window = ["21:00", "08:00"]', "before end"),
        ('window = ["08:00", "21:00"]', 'window = ["8am", "21:00"]', "HH:MM"),
        ("failed_attempts_min = 3", "failed_attempts_min = -1", "non-negative"),
        ('sources_allowed = ["contract"]', 'sources_allowed = ["contract", "device_contacts"]', "may never be allowed"),
        ('channels = ["call"]', 'channels = ["pigeon"]', "unknown value"),
        ('kind = "opt_out"', 'kind = "opt_out"\nsurprise = 1', "unknown field"),
        ('kind = "content"', 'kind = "mind_reading"', "unknown kind"),
        ('jurisdiction = "CN"', 'jurisdiction = "FR"', "jurisdiction"),
    ],
)
def test_malformed_pack_is_refused_with_the_field_named(old, new, message):
    assert old in MINIMAL_PACK
    with pytest.raises(PackError, match=message):
        parse_pack(MINIMAL_PACK.replace(old, new, 1))


def test_override_tightens_hours_and_caps():
    tight = apply_override(
        load_pack("CN"),
        {
            "name": "lender-x",
            "rules": {
                "CN.CBA2026.hours": {"window": ["09:00", "20:00"]},
                "CN.CBA2026.unanswered_calls": {"unanswered_calls_per_day_max": 3},
            },
        },
    )
    assert tight.label == f"CN@2026-01-30+lender-x#{tight.digest[:LABEL_DIGEST_CHARS]}"
    assert tight.digest != load_pack("CN").digest  # the digest is of the rules as they run
    gate = Gate(packs={"CN": tight})
    call = base("CN", channel="call")
    at_0830 = with_(call, at="2026-03-02T00:30:00Z")
    assert decide(at_0830)["allowed"]
    denied = gate.decide(at_0830)
    assert not denied["allowed"] and denied["pack"] == tight.label
    assert denied["next_allowed_at"] == "2026-03-02T01:00:00Z"
    history = calls(
        "CN", [utc("2026-03-02T01:10:00Z"), utc("2026-03-02T01:20:00Z"), utc("2026-03-02T01:30:00Z")], "no_answer"
    )
    fourth = with_(call, at="2026-03-02T03:00:00Z", history=history)
    assert decide(fourth)["allowed"]
    assert [v["rule"] for v in gate.decide(fourth)["violations"]] == ["CN.CBA2026.unanswered_calls"]


def test_override_can_add_a_per_person_cap_and_remove_a_location_channel():
    tight = apply_override(
        load_pack("CN"),
        {
            "name": "x",
            "rules": {"CN.CBA2026.third_party": {"location_contacts_per_person_max": 2, "location_channels": ["call"]}},
        },
    )
    gate = Gate(packs={"CN": tight})
    assert not gate.decide(location("CN", channel="sms"))["allowed"]
    assert gate.decide(location("CN"))["allowed"]
    assert not gate.decide(with_(location("CN"), **{"recipient.prior_location_contacts": 2}))["allowed"]


@pytest.mark.parametrize(
    "rule, change, named",
    [
        ("CN.CBA2026.hours", {"window": ["07:00", "21:00"]}, "CN.CBA2026.hours.window"),
        ("CN.CBA2026.hours", {"window": ["08:00", "22:00"]}, "CN.CBA2026.hours.window"),
        ("CN.CBA2026.hours", {"channels": ["call"]}, "CN.CBA2026.hours.channels"),
        ("CN.CBA2026.unanswered_calls", {"unanswered_calls_per_day_max": 7}, "unanswered_calls_per_day_max"),
        ("CN.PIPL.sources", {"sources_allowed": ["contract", "device_contacts"]}, "sources_allowed"),
        ("CN.CBA2026.third_party", {"location_roles": ["emergency_contact", "third_party"]}, "location_roles"),
        ("CN.CBA2026.third_party", {"consent_required": False}, "consent_required"),
        ("CN.CBA2026.unreachable", {"failed_attempts_min": 2}, "failed_attempts_min"),
        ("CN.CBA2026.visit_staff", {"visit_staff_min": 1}, "visit_staff_min"),
        ("CN.CardRules70.plan", {"purposes_blocked": ["location"]}, "purposes_blocked"),
        ("CN.house.cease", {"channels_excepted": ["letter", "sms"]}, "channels_excepted"),
        ("CN.CBA2026.hours", {"confidence": "V"}, "confidence"),
        ("CN.CBA2026.hours", {"colour": "red"}, "colour"),
        ("CN.no.such.rule", {"window": ["09:00", "20:00"]}, "CN.no.such.rule"),
    ],
)
def test_loosening_override_is_an_error_naming_the_field(rule, change, named):
    with pytest.raises(PackOverrideError, match=named.replace(".", r"\.")):
        apply_override(load_pack("CN"), {"name": "lender-x", "rules": {rule: change}})


def test_us_override_cannot_raise_the_location_contact_cap():
    with pytest.raises(PackOverrideError, match="location_contacts_per_person_max"):
        apply_override(
            load_pack("US"),
            {"name": "x", "rules": {"US.RegF.1006.6d.third_party": {"location_contacts_per_person_max": 2}}},
        )


def test_override_needs_a_name_and_matching_jurisdiction():
    with pytest.raises(PackOverrideError, match="name"):
        apply_override(load_pack("CN"), {"rules": {}})
    with pytest.raises(PackOverrideError, match="jurisdiction"):
        apply_override(load_pack("CN"), {"name": "x", "jurisdiction": "US", "rules": {}})
    with pytest.raises(PackOverrideError, match="TOML"):
        parse_override("name = ")


def test_override_leaves_the_shipped_pack_untouched():
    apply_override(load_pack("CN"), {"name": "x", "rules": {"CN.CBA2026.hours": {"window": ["10:00", "18:00"]}}})
    assert load_pack("CN").rule("CN.CBA2026.hours").params["window"] == ("08:00", "21:00")


@pytest.mark.parametrize("jurisdiction", ["CN", "US", "UK"])
@pytest.mark.parametrize("language", ["zh", "en"])
def test_describe_pack_gives_plain_sentences(jurisdiction, language):
    items = describe_pack(jurisdiction, language)
    text = " ".join(i["text"] for i in items)
    assert "08:00" in text and "21:00" in text
    assert ("通讯录" in text) if language == "zh" else ("address book" in text)
    assert {i["topic"] for i in items} <= CATEGORIES
    assert all(i["source"] and i["confidence"] in {"V", "V2", "R"} for i in items)


def test_describe_pack_follows_an_override_and_caps():
    tight = apply_override(
        load_pack("CN"), {"name": "x", "rules": {"CN.CBA2026.hours": {"window": ["09:00", "20:00"]}}}
    )
    text = " ".join(i["text"] for i in describe_pack("CN", "en", pack=tight))
    assert "09:00" in text and "20:00" in text
    assert "At most 6 unanswered calls" in " ".join(i["text"] for i in describe_pack("CN", "en"))
    assert "At most 7 calls in any 7 consecutive days" in " ".join(i["text"] for i in describe_pack("US", "en"))
    with pytest.raises(PackError):
        describe_pack("CN", "fr")
