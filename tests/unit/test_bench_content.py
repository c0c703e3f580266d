"""`fairdue bench content` runs end to end on a slice of the corpus and prints one JSON object of the agreed shape (no figures asserted)."""

from __future__ import annotations

import json
from types import SimpleNamespace

from typer.testing import CliRunner

from fairdue.bench import content
from fairdue.bench.content_corpus.generate import INTENTS
from fairdue.cli import app

TOP_KEYS = {
    "split",
    "messages",
    "unlawful",
    "lawful",
    "recall_unlawful",
    "right_intent_share",
    "false_denial_rate",
    "false_denials",
    "recall_unlawful_any",
    "false_denial_rate_any",
    "false_denials_any",
    "per_intent",
    "by_language",
    "false_denial_rules_any",
    "false_denial_examples",
    "false_denial_examples_any",
    "missed_examples",
    "us_per_message_cold",
    "us_per_message_warm",
    "floor_us_per_message",
    "cold_vs_floor",
    "warm_vs_floor",
    "findings_have_intent",
    "machine",
}
INTENT_KEYS = {"labelled", "denied", "recall", "right_intent", "right_intent_share", "denied_any", "recall_any"}


def test_bench_json_has_the_agreed_shape():
    result = CliRunner().invoke(app, ["bench", "content", "--split", "dev", "--limit", "60", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output.strip().splitlines()[-1])
    assert set(doc) == TOP_KEYS
    assert doc["split"] == "dev" and doc["messages"] == 60
    assert doc["unlawful"] + doc["lawful"] == 60
    assert set(doc["per_intent"]) == set(INTENTS)
    assert all(set(row) == INTENT_KEYS for row in doc["per_intent"].values())
    assert set(doc["by_language"]) == {"zh", "en"}
    assert isinstance(doc["findings_have_intent"], bool)


def test_the_table_prints_for_both_splits():
    result = CliRunner().invoke(app, ["bench", "content", "--split", "all", "--limit", "20"])
    assert result.exit_code == 0, result.output
    assert "all unlawful" in result.output


def test_an_unknown_split_is_refused():
    result = CliRunner().invoke(app, ["bench", "content", "--split", "train"])
    assert result.exit_code != 0


def _finding(severity: str, intent: str | None, rule: str = "R") -> SimpleNamespace:
    return SimpleNamespace(severity=severity, intent=intent, rule=rule)


def test_only_violations_naming_an_intent_deny_and_the_right_intent_is_scored():
    records = [
        {"id": "a", "label": "insult", "lang": "en", "text": "a"},
        {"id": "b", "label": "insult", "lang": "en", "text": "b"},
        {"id": "c", "label": "lawful", "lang": "zh", "text": "c"},
        {"id": "d", "label": "lawful", "lang": "zh", "text": "d"},
    ]
    verdicts = [
        content.verdict([_finding("violation", "insult")]),
        content.verdict([_finding("violation", "threat_harm"), _finding("warning", "insult")]),
        content.verdict([_finding("violation", None, "CONTENT.required.opt_out")]),
        content.verdict([]),
    ]
    doc = content.score(records, verdicts)
    assert doc["per_intent"]["insult"]["recall"] == 1.0
    assert doc["per_intent"]["insult"]["right_intent_share"] == 0.5
    assert doc["false_denial_rate"] == 0.0
    assert doc["false_denial_rate_any"] == 0.5
    assert doc["false_denial_rules_any"] == {"CONTENT.required.opt_out": 1}
