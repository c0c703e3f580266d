"""A corpus of realistic lawful and abusive messages (corpus.toml): lawful ones stay clean, abusive ones yield exactly the listed violations."""

from __future__ import annotations

import pathlib
import tomllib

import pytest

from fairdue.policy.content import check_message

CASES = tomllib.loads((pathlib.Path(__file__).parent / "corpus.toml").read_text(encoding="utf-8"))["case"]
DEFAULTS = dict(
    language="zh", jurisdiction="CN", channel="sms", purpose="collection", recipient_role="borrower", time_barred=False
)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_case(case):
    ctx = {k: case.get(k, v) for k, v in DEFAULTS.items()}
    found = check_message(text=case["text"], **ctx)
    got = [f.rule for f in found if f.severity == "violation"]
    assert got == case["rules"], [(f.rule, f.evidence) for f in found]
    for f in found:
        if "span" in f.evidence:
            start, end = f.evidence["span"]
            assert case["text"][start:end] == f.evidence["matched"]


def test_corpus_has_both_lawful_and_abusive_cases_in_each_jurisdiction():
    for jurisdiction in ("CN", "US", "UK"):
        mine = [c for c in CASES if c.get("jurisdiction", "CN") == jurisdiction]
        assert any(not c["rules"] for c in mine) and any(c["rules"] for c in mine), jurisdiction
