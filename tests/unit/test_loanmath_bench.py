"""`fairdue bench loanmath` runs end to end on a few plans and prints the issue's exact JSON keys (no timing asserted)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fairdue.cli import app


def test_bench_json_has_exactly_the_issue_keys_and_agrees_with_pyxirr():
    result = CliRunner().invoke(app, ["bench", "loanmath", "--schedules", "3000", "--aprs", "500", "--json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output.strip().splitlines()[-1])
    assert set(doc) == {
        "schedules",
        "fairdue_schedules_s",
        "amortization_schedules_s",
        "aprs",
        "fairdue_apr_s",
        "pyxirr_apr_s",
        "max_abs_diff",
    }
    assert doc["schedules"] == 3000 and doc["aprs"] == 500
    assert doc["max_abs_diff"] <= 1e-6


def test_bench_refuses_more_aprs_than_schedules():
    result = CliRunner().invoke(app, ["bench", "loanmath", "--schedules", "10", "--aprs", "20"])
    assert result.exit_code != 0
