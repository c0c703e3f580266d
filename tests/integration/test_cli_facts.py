"""`fairdue borrower fact record|end|list` on SQLite and PostgreSQL: facts are stored with their source and recorder,
shown masked, ended with a reason; bad input is one line, a non-zero exit, and writes nothing."""

from __future__ import annotations

import pytest
from cli_helpers import CN, OPEN, cli_runner, row_counts
from test_cli_servicing import add_operator


@pytest.fixture
def cli(database_url, monkeypatch, capsys):
    return cli_runner(database_url, monkeypatch, capsys)


def facts_count(database_url: str) -> int:
    return row_counts(database_url, ("contact_facts",))["contact_facts"]


def test_record_list_end(cli, database_url):
    add_operator(database_url, "agent.li")  # `--by` names an active staff user (the staff audit trail)
    assert cli("product", "load", CN)[0] == 0
    assert cli(*OPEN)[0] == 0
    code, out, err = cli(
        "borrower",
        "fact",
        "record",
        "--borrower-id",
        "1",
        "--kind",
        "attorney",
        "--source",
        "attorney_notice",
        "--by",
        "agent.li",
        "--attorney-name",
        "王大律师",
        "--attorney-reach",
        "+8613900139000",
    )
    assert code == 0, err
    assert "fact #1 recorded: attorney for borrower #1, every debt" in out
    code, out, err = cli(
        "borrower",
        "fact",
        "record",
        "--borrower-id",
        "1",
        "--kind",
        "inconvenient_hours",
        "--source",
        "borrower_oral",
        "--by",
        "agent.li",
        "--hours",
        "22:00-07:30",
    )
    assert code == 0, err
    code, out, _ = cli("borrower", "fact", "list", "1")
    assert code == 0
    assert "王大律师" not in out and "13900139000" not in out and "attorney 王" in out
    assert "22:00-07:30 local" in out and "source borrower_oral, recorded by agent.li" in out
    code, out, _ = cli("borrower", "fact", "end", "1", "--by", "agent.li", "--reason", "attorney withdrew")
    assert code == 0 and "fact #1 ended" in out
    assert "ended " in cli("borrower", "fact", "list", "1")[1]
    code, _, err = cli("borrower", "fact", "end", "1", "--by", "agent.li", "--reason", "again")
    assert code != 0 and "was ended at" in err


@pytest.mark.parametrize(
    "argv, message",
    [
        (("--kind", "arrest", "--source", "court_notice"), "kind"),
        (("--kind", "bankruptcy", "--source", "court_notice", "--from", "2026-13-01"), "--from"),
        (("--kind", "bankruptcy", "--source", "court_notice", "--from", "2026-03-01T09:00"), "no UTC offset"),
        (("--kind", "inconvenient_hours", "--source", "borrower_oral", "--hours", "22:00"), "HH:MM-HH:MM"),
        (("--kind", "attorney", "--source", "attorney_notice"), "attorney_name is required"),
        (("--kind", "bankruptcy", "--source", "court_notice", "--account", "77"), "no account #77"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(cli, database_url, argv, message):
    add_operator(database_url, "ops")
    assert cli("product", "load", CN)[0] == 0
    assert cli(*OPEN)[0] == 0
    code, _, err = cli("borrower", "fact", "record", "--borrower-id", "1", "--by", "ops", *argv)
    assert code != 0 and message in err and len(err.strip().splitlines()) == 1, err
    assert facts_count(database_url) == 0
