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
import os
import platform
import time
from decimal import Decimal

import typer

from fairdue.domain.loanmath.batch import iter_annuity_schedules
from fairdue.loanmath import annuity_schedules, regular_aprs

RATE = Decimal("0.01")  # 1% a month: 12% nominal a year
PERIODS = 12
PEER_SAMPLE_MAX = 2_000_000  # peer calls timed in full up to this many; beyond, sampled and extrapolated
NPF_SAMPLE = 2_000  # numpy-financial's irr is slow: always sampled
CHUNK = 131_072  # plans per slice when fairdue streams the schedules


def _peer_schedules(principals_major: list[float]) -> float:
    from amortization.schedule import amortization_schedule

    start = time.perf_counter()
    for p in principals_major:
        for _row in amortization_schedule(p, 0.12, PERIODS):
            pass
    return time.perf_counter() - start


def run(schedules: int, aprs: int, seed: int = 20260101) -> tuple[dict, dict]:
    """The figures with the issue's exact JSON keys, and the extras shown in the table."""
    import numpy as np
    import numpy_financial as npf
    import pyxirr

    if schedules < 1 or aprs < 1 or aprs > schedules:
        raise typer.BadParameter("need 1 ≤ --aprs ≤ --schedules")
    rng = np.random.default_rng(seed)
    principal_minor = rng.integers(10_000, 10_000_001, size=schedules, dtype=np.int64)

    # Warm both sides up on a few plans (imports, first-call setup) so the timings measure the work.
    annuity_schedules(principal_minor[:1000], PERIODS, RATE)
    _peer_schedules((principal_minor[:1000] / 100).tolist())

    # fairdue streams the plans in slices (bounded memory, as day-end would) and keeps
    # the first M plans' installments for the APR part; every slice is checked exact.
    totals = np.empty((aprs, PERIODS), dtype=np.int64)
    start = time.perf_counter()
    principal_sum = 0
    for lo, part in iter_annuity_schedules(principal_minor, PERIODS, RATE, chunk=CHUNK):
        principal_sum += int(part.principal_minor.sum())
        if lo < aprs:
            take = min(aprs - lo, part.total_minor.shape[0])
            totals[lo : lo + take] = part.total_minor[:take]
    fairdue_schedules_s = time.perf_counter() - start
    if principal_sum != int(principal_minor.sum()):
        raise RuntimeError("batch schedules lost or created a minor unit")  # an invariant, never expected

    sample = min(schedules, PEER_SAMPLE_MAX)
    peer_s = _peer_schedules((principal_minor[:sample] / 100).tolist())
    amortization_schedules_s = peer_s * schedules / sample
    extrapolated = sample < schedules

    advance = principal_minor[:aprs]
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
        "fairdue_schedules_s": fairdue_schedules_s,
        "amortization_schedules_s": amortization_schedules_s,
        "aprs": aprs,
        "fairdue_apr_s": fairdue_apr_s,
        "pyxirr_apr_s": pyxirr_apr_s,
        "max_abs_diff": diff_pyxirr,
    }, {
        "amortization_extrapolated_from": sample if extrapolated else None,
        "numpy_financial_apr_s": npf_s,
        "numpy_financial_extrapolated_from": npf_n if npf_n < aprs else None,
        "max_abs_diff_numpy_financial": diff_npf,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_implementation()} "
        f"{platform.python_version()}",
    }


def loanmath_bench(
    schedules: int = typer.Option(1_000_000, "--schedules", help="Annuity schedules to generate (12 periods each)."),
    aprs: int = typer.Option(100_000, "--aprs", help="APRs to compute from the first plans' installments."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Schedules and APRs: fairdue vs amortization, pyxirr and numpy-financial, same inputs, one run."""
    result, extra = run(schedules, aprs)
    if as_json:
        if extra["amortization_extrapolated_from"]:
            typer.echo(
                f"note: amortization timed on {extra['amortization_extrapolated_from']:,} plans and extrapolated",
                err=True,
            )
        typer.echo(json.dumps(result))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"loan math · {extra['machine']}")
    for col in ("task", "fairdue s", "peer", "peer s", "peer ÷ fairdue"):
        table.add_column(col, justify="left" if col in ("task", "peer") else "right")
    sched_note = (
        f" (timed on {extra['amortization_extrapolated_from']:,}, extrapolated)"
        if extra["amortization_extrapolated_from"]
        else ""
    )
    table.add_row(
        f"{schedules:,} annuity schedules × {PERIODS}",
        f"{result['fairdue_schedules_s']:.3f}",
        "amortization, one call per plan" + sched_note,
        f"{result['amortization_schedules_s']:.3f}",
        f"{result['amortization_schedules_s'] / result['fairdue_schedules_s']:.1f}×",
    )
    table.add_row(
        f"{aprs:,} APRs",
        f"{result['fairdue_apr_s']:.3f}",
        "pyxirr.irr, one call per plan",
        f"{result['pyxirr_apr_s']:.3f}",
        f"{result['pyxirr_apr_s'] / result['fairdue_apr_s']:.1f}×",
    )
    npf_note = (
        f" (timed on {extra['numpy_financial_extrapolated_from']:,}, extrapolated)"
        if extra["numpy_financial_extrapolated_from"]
        else ""
    )
    table.add_row(
        f"{aprs:,} APRs",
        f"{result['fairdue_apr_s']:.3f}",
        "numpy_financial.irr" + npf_note,
        f"{extra['numpy_financial_apr_s']:.3f}",
        f"{extra['numpy_financial_apr_s'] / result['fairdue_apr_s']:.1f}×",
    )
    console = Console()
    console.print(table)
    console.print(
        f"max |APR fairdue − pyxirr| = {result['max_abs_diff']:.2e}; vs numpy-financial "
        f"= {extra['max_abs_diff_numpy_financial']:.2e} (goal ≤ 1e-6). Goals: schedules ≥ 20×, "
        f"APR throughput ≥ pyxirr."
    )


def register(bench_app: typer.Typer) -> None:
    bench_app.command("loanmath")(loanmath_bench)
