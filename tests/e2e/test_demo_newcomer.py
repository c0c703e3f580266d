"""A newcomer's first steps (issue 17 items 5 and 6), with the real CLI in a fresh folder: `fairdue demo --no-serve`
writes the database the other commands read by default, so the README's `fairdue ledger verify`,
`fairdue account show 1`, `fairdue borrower show 1`, `fairdue audit verify` and `fairdue collections run` work as
written; the demo closes its business days and runs collections, so the console's queue, cases and the agent's
call tasks are populated, with days past due as of the last closed business date, labelled with it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

DEMO_ACCOUNTS = 40  # enough for overdue lines in CN, US and UK


@pytest.fixture(scope="module")
def fresh_clone(tmp_path_factory):
    """A folder with nothing in it, no FAIRDUE_DATABASE_URL, after `fairdue demo --no-serve` (no simulation)."""
    folder = tmp_path_factory.mktemp("clone")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(folder)
        mp.delenv("FAIRDUE_DATABASE_URL", raising=False)
        from fairdue.cli import app

        result = CliRunner().invoke(
            app, ["demo", "--no-serve", "--accounts", str(DEMO_ACCOUNTS), "--sim-accounts", "0"], catch_exceptions=False
        )
        yield folder, result, mp


def _run(args: list[str]):
    from fairdue.cli import app

    return CliRunner().invoke(app, args, catch_exceptions=False)


def test_the_demo_writes_the_database_the_cli_reads_by_default_readme_quick_start(fresh_clone):
    folder, result, _mp = fresh_clone
    assert result.exit_code == 0, result.output
    assert (folder / "fairdue.db").exists() and not (folder / "var" / "demo" / "fairdue-demo.db").exists()
    out = result.output
    assert "demo portfolio as of 2026-05-31 on sqlite:///fairdue.db" in out
    # the commands it prints are the README's, without --database-url (the default database is the demo's)
    for command in ("fairdue ledger verify", "fairdue account show 1", "fairdue borrower show 1"):
        assert f"  {command}\n" in out
    assert "--database-url" not in out.split("explore the demo database", 1)[1]


def test_readme_commands_work_as_written_after_the_demo_issue17_item6(fresh_clone):
    _folder, _result, _mp = fresh_clone
    verified = _run(["ledger", "verify"])
    assert verified.exit_code == 0 and "ledger OK" in verified.output
    shown = _run(["account", "show", "1"])
    assert shown.exit_code == 0 and "account 1 (" in shown.output and "owed" in shown.output
    borrower = _run(["borrower", "show", "1"])
    assert borrower.exit_code == 0 and "borrower #1:" in borrower.output
    audit = _run(["audit", "verify"])
    assert audit.exit_code == 0 and "chain intact" in audit.output


def test_demo_prints_the_logins_and_populates_queue_and_cases_issue17_item5(fresh_clone):
    _folder, result, _mp = fresh_clone
    out = result.output
    assert "staff console   http://127.0.0.1:8000/console/login" in out and "fairdue-demo-2026" in out
    assert re.search(
        r"day-end closed \d+ business date\(s\) through 2026-05-30; collections at 2026-05-31 02:00 UTC", out
    )
    console = re.search(r"console: (\d+) delinquent line\(s\) in the queue \(as of 2026-05-30\), (\d+) open case", out)
    assert console is not None, out
    queued, cases = int(console.group(1)), int(console.group(2))
    assert queued > 0 and cases > 0 and "worked by agent" in out
    # the order a newcomer needs: logins before the long part (the simulation), summary before the logins
    assert out.index("ledger verify: OK") < out.index("staff console") < out.index("explore the demo database")


def test_queue_dpd_is_as_of_the_last_closed_business_date_and_labelled_issue17_item5(fresh_clone):
    """Day-end rewrites a line only on its next event: a line last touched weeks before the closed date used to
    show that date's DPD (64 where it was 87). The queue now counts to the last closed business date."""
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.views.cases import delinquency_queue, last_closed_business_date

    engine = make_engine("sqlite:///fairdue.db")
    try:
        with engine.connect() as conn:
            closed_on = last_closed_business_date(conn)
            items = delinquency_queue(conn)
            stale = conn.exec_driver_sql(
                "SELECT count(*) FROM dayend_account WHERE dpd > 0 AND last_closed_on < ?", (closed_on.isoformat(),)
            ).scalar_one()
    finally:
        engine.dispose()
    assert closed_on == dt.date(2026, 5, 30)
    assert stale > 0  # the case the fix is for exists in the demo portfolio
    assert items and all(q.as_of == closed_on for q in items)
    assert all(q.dpd == (closed_on - q.oldest_overdue_on).days for q in items)  # the kernel's DPD on that date
    assert [q.dpd for q in items] == sorted((q.dpd for q in items), reverse=True)


def test_console_queue_shows_cases_agent_tasks_and_the_as_of_label_issue17_item5(fresh_clone):
    from fairdue.web.demo import DEMO_PASSWORD, demo_app

    app, core, _cipher = demo_app("sqlite:///fairdue.db", as_of=dt.date(2026, 5, 31))
    try:
        with TestClient(app) as client:
            r = client.post("/api/v1/auth/staff/sessions", json={"username": "agent", "password": DEMO_PASSWORD})
            assert r.status_code == 201, r.text
            client.cookies.clear()
            page = client.get("/console/queue", headers={"Authorization": f"Bearer {r.json()['token']}"})
    finally:
        core.dispose()
    assert page.status_code == 200
    label = re.search(r'id="queue-as-of">([^<]*)<', page.text)
    assert label is not None and "2026-05-30" in label.group(1)
    assert 'class="case-link"' in page.text  # cases opened by collections
    assert 'id="my-tasks"' in page.text and 'class="task-link"' in page.text  # the agent's call tasks


def test_collections_run_once_for_the_last_closed_business_date_issue17_item5(fresh_clone):
    ran = _run(["collections", "run", "--at", "2026-05-31T03:00:00Z", "--json"])
    assert ran.exit_code == 0, ran.output
    summary = json.loads(ran.output)
    assert summary["business_on"] == "2026-05-30" and summary["at"].startswith("2026-05-31T03:00:00")
    assert summary["events"] == 0  # the demo's run consumed day-end's events; a second run only takes due steps
    from fairdue.cli import app
    from fairdue.cli.collections import BusinessDateNotClosed

    refused = CliRunner().invoke(app, ["collections", "run", "--on", "2026-06-02"])  # main() prints it as one line
    assert refused.exit_code != 0 and isinstance(refused.exception, BusinessDateNotClosed)
    assert "business date 2026-06-02 is not closed (the last closed is 2026-05-30)" in str(refused.exception)
