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


# Where a function-local `fairdue` import is allowed: the CLI keeps `fairdue --help` fast, and migrations are
# frozen code that must import the schema as it was when they ran.
LOCAL_IMPORTS_ALLOWED = ("cli/", "adapters/db/migrations/")


def _import_problems(source: str) -> list[str]:
    """Function-local `fairdue` imports, and names starting with `_` imported from another fairdue module."""
    problems = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ImportFrom) and child.module and child.module.startswith("fairdue"):
                if in_function:
                    problems.append(f"line {child.lineno}: imports {child.module} inside a function")
                problems.extend(
                    f"line {child.lineno}: imports private {a.name} from {child.module}"
                    for a in child.names
                    if a.name.startswith("_")
                )
            elif isinstance(child, ast.Import) and in_function:
                problems.extend(
                    f"line {child.lineno}: imports {a.name} inside a function"
                    for a in child.names
                    if a.name.startswith("fairdue")
                )
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(ast.parse(source), False)
    return problems


@pytest.mark.parametrize(
    "path",
    [p for p in sorted(ROOT.rglob("*.py")) if not str(p.relative_to(ROOT)).startswith(LOCAL_IMPORTS_ALLOWED)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_imports_are_at_the_top_and_public(path: pathlib.Path):
    """A function-local import hides a cycle the contracts would refuse; a private name is another module's own."""
    problems = _import_problems(path.read_text(encoding="utf-8"))
    assert not problems, f"{path.relative_to(ROOT)}: " + "; ".join(problems)


def test_import_scanner_catches_local_and_private_imports():
    source = "from fairdue.a import b, _c\n\ndef f():\n    from fairdue.d import e\n    import fairdue.g\n"
    assert _import_problems(source) == [
        "line 1: imports private _c from fairdue.a",
        "line 4: imports fairdue.d inside a function",
        "line 5: imports fairdue.g inside a function",
    ]
