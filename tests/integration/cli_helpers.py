"""Helpers for the CLI integration tests: the CLI run in-process against a test database, row counts, and the
product file and account-open argv most of them start from."""

from __future__ import annotations

import sys
from collections.abc import Callable

import sqlalchemy as sa

from fairdue.adapters.crypto import Keyring
from fairdue.products import PRODUCTS_DIR

CN = str(PRODUCTS_DIR / "cn-ecard-std.toml")
OPEN = (
    "account",
    "open",
    "--product",
    "cn-ecard-std",
    "--limit",
    "20000",
    "--cycle-day",
    "5",
    "--name",
    "张三",
    "--id-number",
    "11010519491231002X",
    "--mobile",
    "13800138000",
    "--region",
    "CN-11",
    "--on",
    "2026-01-02",
    "--key",
    "o1",
)

CliRun = Callable[..., tuple[int, str, str]]


def cli_runner(database_url: str, monkeypatch, capsys, *, keyring: Keyring | None = None) -> CliRun:
    """run(*argv) -> (exit code, stdout, stderr), in-process through fairdue.cli.main on `database_url`, with
    `keyring` (a fresh one if None) as FAIRDUE_KEYS and a 200-column terminal so lines do not wrap."""
    from fairdue.cli import main

    monkeypatch.setenv("FAIRDUE_KEYS", (keyring or Keyring.generate()).to_json())
    monkeypatch.setenv("COLUMNS", "200")

    def run(*argv: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["fairdue", *argv, "--database-url", database_url])
        try:
            main()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return run


def row_counts(database_url: str, tables: tuple[str, ...]) -> dict[str, int]:
    """{table: row count} read through a fresh engine (what the CLI committed, not what a test holds open)."""
    from fairdue.adapters.db.engine import make_engine

    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}
    finally:
        engine.dispose()
