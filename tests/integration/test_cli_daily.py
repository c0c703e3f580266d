"""`fairdue daily` is what a scheduler runs once a business day: it closes the date and runs collections in the
order that keeps contact lawful (cases and promise/plan checks before any step), and bad input is one clear line."""

from __future__ import annotations

import json
from datetime import date

import pytest
from cli_helpers import cli_runner
from test_collections import CIPHER, world  # noqa: F401  (fixture)

from fairdue.service.collections import engine as coll


@pytest.fixture
def cli(database_url, monkeypatch, capsys):
    return cli_runner(database_url, monkeypatch, capsys, keyring=CIPHER.keyring)


def test_daily_closes_the_date_then_opens_cases_from_its_events(cli, uow_factory, world):
    code, out, err = cli("daily", "--date", "2026-02-02", "--at", "2026-02-02T03:00:00Z", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["day_end"]["dates_closed"] == ["2026-01-31", "2026-02-01", "2026-02-02"]
    assert report["collections"]["events"] > 0  # the overdue events of 01-30 became cases in the same run
    with uow_factory() as uow:
        assert sorted(c.account_id for c in coll.list_cases(uow)) == sorted(world["lines"])
        assert {c.opened_on for c in coll.list_cases(uow)} == {date(2026, 1, 30)}
    code, out, _ = cli("daily", "--date", "2026-02-02", "--at", "2026-02-02T09:00:00Z")
    assert code == 0 and "day-end closed: none" in out and "events 0" in out  # a rerun adds nothing


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--date", "02/02/2026"), "--date must be a date as YYYY-MM-DD"),
        (("--date", "2026-02-02", "--at", "2026-02-02T03:00:00"), "no UTC offset"),
    ],
)
def test_daily_bad_input_is_one_line(cli, world, argv, message):
    code, _, err = cli("daily", *argv)
    assert code == 1 and message in err and err.strip().count("\n") == 0, err
