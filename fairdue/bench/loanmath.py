"""`fairdue bench loanmath`: schedules vs `amortization`, APRs vs `pyxirr` / `numpy-financial`.

One run, the same inputs for everyone: N principals drawn from a seeded
generator (100.00–100,000.00, a 1% monthly rate, 12 periods). fairdue builds
all N annuity schedules with its batch form (exact integer minor units); the
peer builds them one call per plan, as a user would. Then the first M plans'
installment totals are turned into APRs — fairdue's vectorised rate solver vs
one `pyxirr.irr` call per plan (× 12) — and the largest absolute difference is
reported. A peer that would take minutes is timed on a sample and
extrapolated; the output says so.
"""

from __future__ import annotations

import json
import platform
import time
from decimal import Decimal

import typer

RATE = Decimal("0.01")  # 1% a month: 12% nominal a year
PERIODS = 12
PEER_SAMPLE_MAX = 2_000_000  # peer calls timed in full up to this many; beyond, sampled and extrapolated
NPF_SAMPLE = 2_000  # numpy-financial's irr is slow: always sampled


def _peer_schedules(principals_major: list[float]) -> float:
    from amortization.schedule import amortization_schedule

    start = time.perf_counter()
    for p in principals_major:
        for _row in amortization_schedule(p, 0.12, PERIODS):
            pass
    return time.perf_counter() - start


def run(schedules: int, aprs: int, seed: int = 20260101) -> dict:
    import numpy as np
    import numpy_financial as npf
    import pyxirr

    from fairdue.loanmath import annuity_schedules, regular_aprs

    if schedules < 1 or aprs < 1 or aprs > schedules:
        raise typer.BadParameter("need 1 ≤ --aprs ≤ --schedules")
    rng = np.random.default_rng(seed)
    principal_minor = rng.integers(10_000, 10_000_001, size=schedules, dtype=np.int64)

    # Warm both sides up on a few plans (imports, first-call setup) so the timings measure the work.
    annuity_schedules(principal_minor[:1000], PERIODS, RATE)
    _peer_schedules((principal_minor[:1000] / 100).tolist())
    start = time.perf_counter()
    batch = annuity_schedules(principal_minor, PERIODS, RATE)
    fairdue_schedules_s = time.perf_counter() - start

    sample = min(schedules, PEER_SAMPLE_MAX)
    peer_s = _peer_schedules((principal_minor[:sample] / 100).tolist())
    amortization_schedules_s = peer_s * schedules / sample
    extrapolated = sample < schedules

    advance = principal_minor[:aprs]
    totals = batch.total_minor[:aprs]
    start = time.perf_counter()
    ours = regular_aprs(advance, totals, 12)
    fairdue_apr_s = time.perf_counter() - start

    flows = np.concatenate([-advance[:, None], totals], axis=1) / 100.0
    flow_lists = flows.tolist()
    start = time.perf_counter()
    theirs = np.array([pyxirr.irr(f) for f in flow_lists]) * 12
    pyxirr_apr_s = time.perf_counter() - start

    npf_n = min(aprs, NPF_SAMPLE)
    start = time.perf_counter()
    npf_rates = np.array([npf.irr(f) for f in flow_lists[:npf_n]]) * 12
    npf_s = (time.perf_counter() - start) * aprs / npf_n

    diff_pyxirr = float(np.max(np.abs(ours - theirs)))
    diff_npf = float(np.max(np.abs(ours[:npf_n] - npf_rates)))
    return {
        "schedules": schedules,
        "fairdue_schedules_s": round(fairdue_schedules_s, 4),
        "amortization_schedules_s": round(amortization_schedules_s, 4),
        "amortization_extrapolated_from": sample if extrapolated else None,
        "schedules_ratio": round(amortization_schedules_s / fairdue_schedules_s, 1),
        "aprs": aprs,
        "fairdue_apr_s": round(fairdue_apr_s, 4),
        "pyxirr_apr_s": round(pyxirr_apr_s, 4),
        "apr_ratio": round(pyxirr_apr_s / fairdue_apr_s, 2),
        "numpy_financial_apr_s": round(npf_s, 4),
        "numpy_financial_extrapolated_from": npf_n if npf_n < aprs else None,
        "max_abs_diff": diff_pyxirr,
        "max_abs_diff_numpy_financial": diff_npf,
        "machine": f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}",
    }


def loanmath_bench(
    schedules: int = typer.Option(1_000_000, "--schedules", help="Annuity schedules to generate (12 periods each)."),
    aprs: int = typer.Option(100_000, "--aprs", help="APRs to compute from the first plans' installments."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Schedules and APRs: fairdue vs amortization, pyxirr and numpy-financial, same inputs, one run."""
    result = run(schedules, aprs)
    if as_json:
        typer.echo(json.dumps(result))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"loan math · {result['machine']}")
    for col in ("task", "fairdue s", "peer", "peer s", "peer ÷ fairdue"):
        table.add_column(col, justify="right" if col != "task" and col != "peer" else "left")
    note = f" (timed on {result['amortization_extrapolated_from']:,}, extrapolated)" if result["amortization_extrapolated_from"] else ""
    table.add_row(f"{schedules:,} annuity schedules × 12", f"{result['fairdue_schedules_s']:.3f}", "amortization" + note,
                  f"{result['amortization_schedules_s']:.3f}", f"{result['schedules_ratio']:.1f}×")
    table.add_row(f"{aprs:,} APRs", f"{result['fairdue_apr_s']:.3f}", "pyxirr.irr",
                  f"{result['pyxirr_apr_s']:.3f}", f"{result['apr_ratio']:.2f}×")
    npf_note = f" (timed on {result['numpy_financial_extrapolated_from']:,}, extrapolated)" if result["numpy_financial_extrapolated_from"] else ""
    table.add_row(f"{aprs:,} APRs", f"{result['fairdue_apr_s']:.3f}", "numpy_financial.irr" + npf_note,
                  f"{result['numpy_financial_apr_s']:.3f}",
                  f"{result['numpy_financial_apr_s'] / result['fairdue_apr_s']:.1f}×")
    console = Console()
    console.print(table)
    console.print(f"max |APR fairdue − pyxirr| = {result['max_abs_diff']:.2e}; "
                  f"vs numpy-financial = {result['max_abs_diff_numpy_financial']:.2e} (goal ≤ 1e-6)")


def register(bench_app: typer.Typer) -> None:
    bench_app.command("loanmath")(loanmath_bench)
