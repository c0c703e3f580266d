"""`fairdue simulate` runs day-end and collections over a synthetic CN/US/UK portfolio with the real gate and
reports consistent outcomes per strategy variant (cures, rolls, contacts, denials, complaints) and a PNG."""

from __future__ import annotations

import json
import sys
from datetime import time

import pytest
import sqlalchemy as sa

from fairdue.devtools.simulate import SimulationRefused, run_simulation


def test_a_small_simulation_reports_consistent_outcomes_and_refuses_a_used_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    report = run_simulation(database_url=url, accounts=24, days=45, seed=3, plot_path=tmp_path / "buckets.png")
    assert sum(v.lines for v in report.variants.values()) == 24 == sum(report.behaviours.values())
    assert set(report.products) == {"cn-ecard-std", "us-card-std", "uk-card-std"}
    assert {k.split("/")[0] for k in report.variants} >= {"CN-DEFAULT", "US-DEFAULT", "UK-DEFAULT"}
    for v in report.variants.values():
        assert 0 <= v.cured <= v.cases and v.contacts >= 0
        assert all(0 <= r <= 1 for r in v.roll_rates.values())
    assert any(v.cases for v in report.variants.values())  # seed 3 has late payers
    assert sum(v.complaints for v in report.variants.values()) == report.complaints
    assert sum(sum(v.denials.values()) for v in report.variants.values()) == sum(report.denials.values())
    assert (tmp_path / "buckets.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    from fairdue.adapters.db.engine import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            reminders = conn.execute(sa.text("SELECT count(*) FROM coll_reminders WHERE status = 'sent'")).scalar_one()
            queued = conn.execute(sa.text("SELECT count(*) FROM outbox_messages")).scalar_one()
            complaints = conn.execute(sa.text("SELECT count(*) FROM complaints")).scalar_one()
    finally:
        engine.dispose()
    assert reminders > 0 and queued >= reminders  # pre-due / due reminders went through the gate into the outbox
    assert complaints == report.complaints
    with pytest.raises(SimulationRefused):
        run_simulation(database_url=url, accounts=1, days=1)


def test_calls_worked_at_night_in_the_borrowers_zone_are_denied_and_rescheduled(tmp_path):
    # The agents work only at 22:00 UTC: night in Shanghai (06:00) and London (22:00) — every call is denied at
    # least once, and a later run at 10:00 UTC (18:00 Shanghai, 10:00 London) asks again and may call.
    report = run_simulation(
        database_url=f"sqlite:///{tmp_path / 'night.db'}",
        accounts=30,
        days=40,
        seed=5,
        engine_runs_utc=(time(10, 0), time(22, 0)),
        agent_runs_utc=(time(22, 0),),
    )
    assert report.denials.get("time_window", 0) > 0 and report.calls_made > 0
    assert report.calls_given_up > 0  # a task never in hours at the only agent run is left after 4 denials
    with pytest.raises(SimulationRefused):
        run_simulation(
            database_url=f"sqlite:///{tmp_path / 'x.db'}",
            accounts=1,
            days=1,
            engine_runs_utc=(time(10, 0),),
            agent_runs_utc=(time(11, 0),),
        )


def test_cli_simulate_prints_json(tmp_path, monkeypatch, capsys):
    from fairdue.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "fairdue",
            "simulate",
            "--accounts",
            "6",
            "--days",
            "10",
            "--json",
            "--database-url",
            f"sqlite:///{tmp_path / 'cli.db'}",
        ],
    )
    try:
        main()
        code = 0
    except SystemExit as done:
        code = done.code
    assert code in (0, None)
    data = json.loads(capsys.readouterr().out)
    assert data["accounts"] == 6 and sum(v["lines"] for v in data["variants"].values()) == 6
