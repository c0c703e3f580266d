"""Malformed lexicon data is refused at load with a precise LexiconError, never turned into a silent gap."""

from __future__ import annotations

import copy

import pytest

from fairdue.policy.content.lexicon import LexiconError, _read, load

REAL = {name: _read(name) for name in ("rules.toml", "lexicon_zh.toml", "lexicon_en.toml", "required.toml")}


def _load_with(mutate):
    data = copy.deepcopy(REAL)
    mutate(data)
    return load(read=lambda name: data[name])


def test_real_data_loads():
    lex = _load_with(lambda d: None)
    assert len(lex.terms) > 500 and "CONTENT.fake_legal" in lex.rules


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["lexicon_zh.toml"]["term"].append({"term": "某词", "rule": "CONTENT.nope"}),
            "unknown rule 'CONTENT.nope'",
        ),
        (
            lambda d: d["lexicon_en.toml"]["term"].append({"term": " .,", "rule": "CONTENT.insult"}),
            "empty after normalisation",
        ),
        (
            lambda d: d["lexicon_zh.toml"]["term"].append(
                {"term": "某词", "rule": "CONTENT.insult", "homophone_of": "老赖"}
            ),
            "needs both homophone_of and why",
        ),
        (lambda d: d["required.toml"]["patterns"]["opt_out"].append("(unclosed"), "opt_out pattern does not compile"),
        (lambda d: d["required.toml"]["patterns"].pop("official_channel"), "missing patterns ['official_channel']"),
        (lambda d: d["required.toml"]["patterns"]["opt_out"].append("Reply STOP"), "must be a lower-case string"),
        (
            lambda d: d["rules.toml"]["rules"]["CONTENT.insult"].update(applies="sometimes"),
            "unknown applies='sometimes'",
        ),
        (lambda d: d["rules.toml"]["rules"]["CONTENT.insult"].update(jurisdictions=["FR"]), "bad jurisdictions"),
        (lambda d: d["rules.toml"]["rules"]["CONTENT.insult"].update(purposes=["marketing"]), "bad purposes"),
        (lambda d: d["rules.toml"]["rules"]["CONTENT.insult"].pop("source"), "lacks field 'source'"),
        (lambda d: d["rules.toml"]["rules"].pop("CONTENT.required.opt_out"), "rules the checker emits are missing"),
        (lambda d: d["rules.toml"]["disclosure"].pop("UK"), "[disclosure] must list exactly"),
        (
            lambda d: d["lexicon_en.toml"]["phrase"].append(
                {"name": "x", "rule": "CONTENT.threat", "regex": "(", "examples": ["x"]}
            ),
            "regex does not compile",
        ),
        (
            lambda d: d["lexicon_en.toml"]["phrase"].append({"name": "x", "rule": "CONTENT.threat", "regex": "Call"}),
            "needs a name and examples",
        ),
    ],
)
def test_malformed_data_is_refused(mutate, message):
    with pytest.raises(LexiconError) as err:
        _load_with(mutate)
    assert message in str(err.value)
