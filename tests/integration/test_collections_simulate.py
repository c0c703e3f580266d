"""`fairdue simulate` runs day-end and collections over a synthetic portfolio and reports consistent outcomes."""

from __future__ import annotations

import pytest

from fairdue.service.simulate import SimulationRefused, run_simulation


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_small_simulation_reports_consistent_outcomes_and_refuses_a_used_database(tmp_path, backend):
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    report = run_simulation(database_url=url, accounts=12, days=45, seed=3, plot_path=tmp_path / "buckets.png")
    assert sum(v.lines for v in report.variants.values()) == 12
    assert sum(report.behaviours.values()) == 12
    for name, v in report.variants.items():
        assert 0 <= v.cured <= v.cases and v.contacts >= 0
        if name == "(never overdue)":
            assert v.cases == 0 and v.contacts == 0
    assert any(v.cases for v in report.variants.values())  # seed 3 has late payers
    assert (tmp_path / "buckets.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(SimulationRefused):
        run_simulation(database_url=url, accounts=1, days=1)
