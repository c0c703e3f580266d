"""Staff commands `fairdue schedule` and `fairdue apr` print the numbers, and bad input is one clear line."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from fairdue.cli import app

runner = CliRunner()


def test_schedule_table_shows_rows_and_true_rate():
    result = runner.invoke(
        app,
        [
            "schedule",
            "annuity",
            "--principal",
            "12000",
            "--periods",
            "3",
            "--rate",
            "0.01",
            "--first-due",
            "2024-01-31",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "4,080.27" in result.output and "4,080.26" in result.output and "2024-02-29" in result.output
    assert "12.0002%" in result.output


def test_schedule_json():
    result = runner.invoke(
        app,
        [
            "schedule",
            "flat_fee",
            "--principal",
            "1200",
            "--periods",
            "12",
            "--rate",
            "0.0075",
            "--first-due",
            "2025-02-10",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert len(doc["rows"]) == 12 and doc["rows"][0]["fee_minor"] == 900
    assert 0.16 < float(doc["apr"]) < 0.165


def test_apr_series_gives_appendix_j_c1i():
    result = runner.invoke(
        app, ["apr", "--advance", "1978-01-10=5000", "--series", "1978-02-10:24:monthly:230", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert f"{float(json.loads(result.output)['apr']) * 100:.2f}" == "9.69"


def test_apr_table():
    result = runner.invoke(
        app, ["apr", "--advance", "2024-01-01=1000", "--payment", "2024-02-01=1100", "--convention", "cn-irr"]
    )
    assert result.exit_code == 0, result.output
    assert "120.0000%" in result.output


def _run(*args):
    return subprocess.run(
        [sys.executable, "-c", "from fairdue.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_bad_input_is_one_line_and_non_zero_exit():
    cases = [
        ["apr", "--advance", "2024-01-01=1000", "--payment", "2023-12-01=1100"],
        ["apr", "--advance", "2024-01-01=1000"],
        ["apr", "--advance", "2024-13-01=1000", "--payment", "2024-02-01=1100"],
        ["schedule", "annuity", "--principal", "12000", "--periods", "3", "--rate", "abc", "--first-due", "2024-01-31"],
        [
            "schedule",
            "balloon",
            "--principal",
            "12000",
            "--periods",
            "3",
            "--rate",
            "0.01",
            "--first-due",
            "2024-01-31",
        ],
        [
            "schedule",
            "annuity",
            "--principal",
            "12000.001",
            "--periods",
            "3",
            "--rate",
            "0.01",
            "--first-due",
            "2024-01-31",
        ],
    ]
    for args in cases:
        done = _run(*args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_schedule_with_start_frequency_day_count_and_convention():
    result = runner.invoke(
        app,
        [
            "schedule",
            "equal_principal",
            "--principal",
            "5000",
            "--currency",
            "USD",
            "--periods",
            "2",
            "--rate",
            "0.01",
            "--first-due",
            "2024-01-31",
            "--day-count",
            "act/360",
            "--convention",
            "us-reg-z",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["currency"] == "USD" and doc["start_on"] == "2023-12-31" and doc["convention"] == "us-reg-z"
    assert [r["interest_minor"] for r in doc["rows"]] == [5167, 2417]
    weekly = runner.invoke(
        app,
        [
            "schedule",
            "annuity",
            "--principal",
            "520",
            "--periods",
            "4",
            "--rate",
            "0.002",
            "--first-due",
            "2024-01-12",
            "--start",
            "2024-01-01",
            "--frequency",
            "weekly",
            "--json",
        ],
    )
    assert weekly.exit_code == 0, weekly.output
    assert [r["due_on"] for r in json.loads(weekly.output)["rows"]] == [
        "2024-01-12",
        "2024-01-19",
        "2024-01-26",
        "2024-02-02",
    ]
