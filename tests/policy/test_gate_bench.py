"""The gate benchmark measures what it claims (300-character messages, 20-entry histories, all three packs) and prints its JSON keys."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fairdue.bench.gate import HISTORY_ENTRIES, MESSAGE_CHARS, make_requests
from fairdue.cli import app
from fairdue.policy import decide


def test_the_mix_is_realistic_and_every_request_is_decided():
    requests = make_requests(600, seed=7, distinct_texts=50)
    assert {r["jurisdiction"] for r in requests} == {"CN", "US", "UK"}
    assert all(len(r["history"]) == HISTORY_ENTRIES for r in requests)
    texts = [r["message"]["text"] for r in requests if "message" in r]
    assert texts and all(len(t) == MESSAGE_CHARS for t in texts)
    decisions = [decide(r) for r in requests]
    allowed = sum(d["allowed"] for d in decisions)
    assert 0.3 * len(requests) < allowed < 0.95 * len(requests)  # both verdicts are exercised
    assert not any(v["rule"].startswith(("REQUEST.", "GATE.")) for d in decisions for v in d["violations"])


def test_bench_gate_json_has_the_contract_keys():
    result = CliRunner().invoke(app, ["bench", "gate", "--decisions", "200", "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert {"decisions", "decisions_per_s", "p99_ms"} <= set(figures)
    assert figures["decisions"] == 200 and figures["decisions_per_s"] > 0 and figures["p99_ms"] > 0
