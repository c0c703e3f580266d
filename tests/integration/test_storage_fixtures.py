"""The shared fixtures skip PostgreSQL tests when no server answers, but fail them under CI=true."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGET = "tests/integration/test_storage.py::test_leaving_without_commit_rolls_back"
NOBODY_HOME = "postgresql+psycopg://postgres@127.0.0.1:1/postgres"  # port 1: refused at once


def _pytest(ci: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_XDIST_WORKER", "PYTEST_ADDOPTS")}
    env["FAIRDUE_TEST_PG_ADMIN_URL"] = NOBODY_HOME
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", TARGET, "-q", "-rs", "-p", "no:cacheprovider", "-p", "no:xdist"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.slow
def test_without_a_server_postgres_tests_skip_with_a_reason_and_sqlite_still_runs():
    result = _pytest(ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    assert "PostgreSQL not available" in result.stdout


@pytest.mark.slow
def test_under_ci_a_missing_server_fails_the_postgres_tests():
    result = _pytest(ci="true")
    assert result.returncode != 0
    assert "PostgreSQL is mandatory under CI=true" in result.stdout
    assert "1 passed" in result.stdout  # the SQLite case still ran
