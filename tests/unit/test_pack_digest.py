"""A pack's label carries a digest of its content: a rule edited without a version bump shows in every decision.

The digest is SHA-256 over canonical JSON of the pack as validated, so the file's layout (comments, blank lines,
spacing, quoting, key order inside a rule, a date written as a string or as a TOML date) does not move it.
"""

from __future__ import annotations

import dataclasses
import re
from importlib.resources import files
from types import MappingProxyType

import pytest

from fairdue.policy import Gate, apply_override, load_pack
from fairdue.policy.pack import JURISDICTIONS, LABEL_DIGEST_CHARS, Pack, pack_content, pack_digest, parse_pack

LABEL = re.compile(r"(?P<j>CN|US|UK)@(?P<version>\d{4}-\d{2}-\d{2})(\+(?P<override>[^#]+))?#(?P<digest>[0-9a-f]+)")


def _text(jurisdiction: str) -> str:
    return files("fairdue.policy").joinpath("packs", f"{jurisdiction}.toml").read_text(encoding="utf-8")


def _replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once in the pack text"
    return text.replace(old, new)


def _bump(pack: Pack, rule_id: str, name: str, value) -> Pack:
    """The same pack with one parameter of one rule changed and nothing else (the version stays)."""
    rules = tuple(
        dataclasses.replace(spec, params=MappingProxyType({**spec.params, name: value})) if spec.id == rule_id else spec
        for spec in pack.rules
    )
    return dataclasses.replace(pack, rules=rules)


def _decision_label(pack: Pack) -> str:
    """The label a decision records under this pack (a request with only a jurisdiction still names its pack)."""
    return Gate(packs={pack.jurisdiction: pack}).decide({"jurisdiction": pack.jurisdiction})["pack"]


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_label_is_version_then_digest_prefix(jurisdiction):
    pack = load_pack(jurisdiction)
    assert re.fullmatch(r"[0-9a-f]{64}", pack.digest)
    match = LABEL.fullmatch(pack.label)
    assert match and match["j"] == jurisdiction and match["version"] == pack.version
    assert match["override"] is None and match["digest"] == pack.digest[:LABEL_DIGEST_CHARS]
    assert _decision_label(pack) == pack.label


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_same_content_gives_the_same_digest(jurisdiction):
    text = _text(jurisdiction)
    first, second = parse_pack(text), parse_pack(text, name="another name")
    assert first.digest == second.digest == load_pack(jurisdiction).digest == pack_digest(first)
    assert first.label == second.label
    assert first == second  # equal packs, equal digests: the digest is derived, not compared on its own


def test_the_digest_is_pinned_to_a_canonical_form():
    """SHA-256 of sorted-key, space-free UTF-8 JSON of pack_content: anyone can recompute it from the content."""
    import hashlib
    import json

    pack = load_pack("CN")
    text = json.dumps(pack_content(pack), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert pack.digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert json.loads(text)["rules"][0]["id"] == pack.rules[0].id


def test_an_edited_number_without_a_version_bump_changes_the_label():
    text = _text("CN")
    edited = parse_pack(_replace_once(text, "unanswered_calls_per_day_max = 6", "unanswered_calls_per_day_max = 5"))
    shipped = load_pack("CN")
    assert edited.version == shipped.version
    assert edited.digest != shipped.digest and edited.label != shipped.label
    assert edited.label.startswith(f"CN@{shipped.version}#")
    assert _decision_label(edited) != _decision_label(shipped)
    window = parse_pack(_replace_once(text, 'window = ["08:00", "21:00"]', 'window = ["08:00", "20:00"]'))
    assert window.label not in {shipped.label, edited.label}


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_every_number_of_every_rule_is_in_the_digest(jurisdiction):
    pack = load_pack(jurisdiction)
    seen = {pack.digest}
    numbers = 0
    for spec in pack.rules:
        for name, value in spec.params.items():
            if isinstance(value, int) and not isinstance(value, bool):
                numbers += 1
                bumped = _bump(pack, spec.id, name, value + 1)
                assert bumped.version == pack.version and bumped.label != pack.label, f"{spec.id}.{name}"
                seen.add(bumped.digest)
    assert numbers and len(seen) == numbers + 1  # each edit gives its own digest


def test_lists_citations_and_rule_order_are_content_too():
    text = _text("CN")
    shipped = load_pack("CN")
    more_channels = parse_pack(
        _replace_once(
            text,
            'channels = ["call", "voicemail", "visit", "sms", "app_push", "email"]',
            'channels = ["call", "voicemail", "visit", "sms", "app_push", "email", "letter"]',
        )
    )
    assert more_channels.digest != shipped.digest
    rules = shipped.rules
    recited = dataclasses.replace(shipped, rules=(dataclasses.replace(rules[0], confidence="R"), *rules[1:]))
    assert recited.digest != shipped.digest
    reordered = dataclasses.replace(shipped, rules=(rules[1], rules[0], *rules[2:]))
    assert reordered.digest != shipped.digest  # the gate lists violations in rule order


def test_comments_whitespace_and_layout_do_not_change_the_digest():
    text = _text("CN")
    shipped = load_pack("CN")
    relaid = "# a new header comment\n\n\n" + text.replace("\n\n", "\n\n# --- a section comment ---\n\n")
    relaid = _replace_once(
        relaid,
        'effective_on = "2026-01-30"\nwindow',  # a TOML date instead of a string
        "effective_on = 2026-01-30   # trailing comment\nwindow",
    )
    relaid = _replace_once(
        relaid,
        'window = ["08:00", "21:00"]',  # literal strings, a multi-line array
        "window = [\n    '08:00',\n    '21:00',  # start, end\n]",
    )
    relaid = relaid.replace(" = ", "   =   ")  # spacing around every `=`
    relaid = relaid.replace("\n", "\r\n")  # CRLF line ends
    assert relaid != text
    assert parse_pack(relaid).digest == shipped.digest
    assert parse_pack(relaid).label == shipped.label


def test_key_order_inside_a_rule_does_not_change_the_digest():
    text = _text("CN")
    moved = _replace_once(
        text,
        'confidence = "V2"\neffective_on = "2026-01-30"\nwindow = ["08:00", "21:00"]\n',
        'window = ["08:00", "21:00"]\neffective_on = "2026-01-30"\nconfidence = "V2"\n',
    )
    assert parse_pack(moved).digest == load_pack("CN").digest


def test_an_override_labels_its_name_and_the_digest_of_the_rules_as_they_run():
    shipped = load_pack("CN")
    tight = apply_override(shipped, {"name": "lender-x", "rules": {"CN.CBA2026.hours": {"window": ["09:00", "20:00"]}}})
    match = LABEL.fullmatch(tight.label)
    assert match and match["override"] == "lender-x" and match["digest"] == tight.digest[:LABEL_DIGEST_CHARS]
    assert tight.digest != shipped.digest
    # An override that changes nothing runs the law's rules: same digest, and the name still shows.
    noop = apply_override(shipped, {"name": "lender-y"})
    assert noop.digest == shipped.digest and noop.label == f"CN@{shipped.version}+lender-y#{shipped.digest[:12]}"
