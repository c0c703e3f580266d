"""`fairdue bench …`: benchmarks with peers or floors measured in the same run.

Each benchmark lives in fairdue/bench/<name>.py and exposes `register(bench_app)`;
add it to BENCHES.
"""

from __future__ import annotations

import importlib

import typer

bench_app = typer.Typer(help="Benchmarks (ratios against peers/floors measured in the same run).", no_args_is_help=True)

BENCHES: list[str] = [
    "fairdue.bench.loanmath",
    "fairdue.bench.ledger",
    "fairdue.bench.gate",
    "fairdue.bench.dayend",
    "fairdue.bench.delivery",
    "fairdue.bench.content",
    "fairdue.bench.api",
]


def register(app: typer.Typer) -> None:
    for name in BENCHES:
        importlib.import_module(name).register(bench_app)
    app.add_typer(bench_app, name="bench")
