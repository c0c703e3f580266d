"""The domain and policy core stay pure: no I/O, no database, no web, no clock."""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2] / "fairdue"
PURE_PACKAGES = ["domain", "policy"]
FORBIDDEN_MODULES = {
    "sqlalchemy",
    "alembic",
    "psycopg",
    "fastapi",
    "starlette",
    "httpx",
    "requests",
    "socket",
    "smtplib",
    "subprocess",
    "typer",
    "rich",
    "uvicorn",
    "fairdue.adapters",
    "fairdue.service",
    "fairdue.web",
    "fairdue.cli",
    "fairdue.bootstrap",
}
# Reading the clock makes a function impure: time is always passed in.
FORBIDDEN_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("time", "time")}


def _pure_files():
    for pkg in PURE_PACKAGES:
        yield from sorted((ROOT / pkg).rglob("*.py"))


def _problems(source: str) -> list[str]:
    problems = []
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN_MODULES):
                problems.append(f"line {node.lineno}: imports {name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            value = node.func.value
            if isinstance(value, ast.Name) and (value.id, node.func.attr) in FORBIDDEN_CALLS:
                problems.append(f"line {node.lineno}: calls {value.id}.{node.func.attr}()")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open":
            problems.append(f"line {node.lineno}: calls open()")
    return problems


@pytest.mark.parametrize("path", list(_pure_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_pure_module_has_no_io_imports_or_clock(path: pathlib.Path):
    problems = _problems(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.relative_to(ROOT)} must stay pure: " + "; ".join(problems)


def test_scanner_catches_io_and_clock():
    """The scan itself can fail: planted imports and clock reads are found."""
    found = _problems("import sqlalchemy\nfrom datetime import datetime\nx = datetime.now()\nopen('f')\n")
    assert found == ["line 1: imports sqlalchemy", "line 3: calls datetime.now()", "line 4: calls open()"]


def test_test_module_names_are_unique():
    """tests/ has no packages, so two test files with one basename break collection on a clean clone."""
    tests = pathlib.Path(__file__).resolve().parents[1]
    seen: dict[str, pathlib.Path] = {}
    clashes = []
    for path in sorted(tests.rglob("test_*.py")):
        if path.name in seen:
            clashes.append(f"{seen[path.name].relative_to(tests)} ~ {path.relative_to(tests)}")
        seen.setdefault(path.name, path)
    assert not clashes, "rename one of each: " + "; ".join(clashes)
