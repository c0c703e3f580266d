"""The `fairdue` entry point turns usage errors and exit codes into clean exits, never tracebacks."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from fairdue import cli


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", "from fairdue.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("args", [("no-such-command",), ("schedule", "--bogus-option")])
def test_usage_errors_exit_2_without_traceback(args):
    done = _run(*args)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "Error:" in done.stderr


def test_typer_exit_code_is_kept(monkeypatch):
    probe = typer.Typer()

    @probe.command()
    def fail() -> None:
        raise typer.Exit(3)

    @probe.command()
    def other() -> None:  # a second command keeps Typer in group mode
        pass

    monkeypatch.setattr(cli, "app", probe)
    monkeypatch.setattr(sys, "argv", ["fairdue", "fail"])
    with pytest.raises(SystemExit) as done:
        cli.main()
    assert done.value.code == 3
