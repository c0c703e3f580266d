"""Functions stay under FUNCTION_LINES_MAX lines (STYLE.md: name the steps), and today's longer ones may only shrink."""

from __future__ import annotations

import ast
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[2]
SCANNED = ("fairdue/domain", "fairdue/policy", "fairdue/service")
FUNCTION_LINES_MAX = 70  # from the `def` line to the function's last line, docstring and blank lines included

# Today's offenders, "path::qualname": their length now. The list may only shrink: a listed function may not
# grow, and one that is split below the limit (or removed) must leave the list. Never add to it: split instead.
ALLOWLIST: dict[str, int] = {
    "fairdue/domain/audit.py::verify_chain": 110,
    "fairdue/domain/collections/plans.py::propose_plans": 117,
    "fairdue/policy/describe.py::_sentence": 122,
    "fairdue/policy/pack.py::apply_override": 72,
    "fairdue/policy/request.py::parse": 160,
    "fairdue/policy/rules.py::third_party": 75,
    "fairdue/service/collections/engine.py::_execute_action": 131,
    "fairdue/service/collections/engine.py::run_due_steps": 73,
    "fairdue/service/collections/engine.py::run_reminders": 76,
    "fairdue/service/contact/dispatcher.py::Dispatcher.deliver": 102,
    "fairdue/service/contact/enforcement.py::request_contact": 95,
    "fairdue/service/dayend/runner.py::close_date": 112,
    "fairdue/service/portal/data_rights.py::export": 134,
    "fairdue/service/servicing/payments.py::early_payoff": 120,
    "fairdue/service/servicing/plans.py::credit_refund_to_plan": 96,
    "fairdue/service/servicing/purchases.py::purchase": 107,
    "fairdue/service/servicing/purchases.py::refund_purchase": 89,
    "fairdue/service/servicing/statements.py::_close_bulk": 210,
    "fairdue/service/servicing/statements.py::generate_statement": 112,
}


def function_lengths(root: pathlib.Path, folders: tuple[str, ...]) -> dict[str, int]:
    """Every function and method under `folders` (relative to `root`), "path::qualname" -> its length in lines."""
    lengths: dict[str, int] = {}
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            for qualname, lines in _functions(ast.parse(path.read_text(encoding="utf-8"), str(path))):
                key = f"{relative}::{qualname}"
                lengths[key] = max(lines, lengths.get(key, 0))  # @overload stubs share a qualname
    return lengths


def _functions(node: ast.AST, prefix: str = "") -> list[tuple[str, int]]:
    """(qualname, lines) of the functions defined in `node`, nested ones named like `__qualname__`."""
    found: list[tuple[str, int]] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            qualname = prefix + child.name
            found.append((qualname, (child.end_lineno or child.lineno) - child.lineno + 1))
            found.extend(_functions(child, qualname + ".<locals>."))
        elif isinstance(child, ast.ClassDef):
            found.extend(_functions(child, prefix + child.name + "."))
        else:
            found.extend(_functions(child, prefix))
    return found


def judge(lengths: dict[str, int], allowlist: dict[str, int], lines_max: int) -> list[str]:
    """What is wrong: a new long function, a listed one that grew, a listed one that is short now or gone."""
    problems = []
    for key, lines in sorted(lengths.items()):
        if lines <= lines_max:
            continue
        if key not in allowlist:
            problems.append(f"{key} is {lines} lines (max {lines_max}): split it into named steps")
        elif lines > allowlist[key]:
            problems.append(f"{key} grew from {allowlist[key]} to {lines} lines: split it instead")
    for key in sorted(allowlist):
        if key not in lengths:
            problems.append(f"{key} is gone: remove it from ALLOWLIST")
        elif lengths[key] <= lines_max:
            problems.append(f"{key} is {lengths[key]} lines now, within the limit: remove it from ALLOWLIST")
    return problems


def current_offenders() -> str:
    """Today's functions over the limit as an ALLOWLIST literal: for re-keying the list after code moves."""
    lengths = function_lengths(REPO, SCANNED)
    rows = "".join(f'    "{key}": {n},\n' for key, n in sorted(lengths.items()) if n > FUNCTION_LINES_MAX)
    return "ALLOWLIST: dict[str, int] = {\n" + rows + "}"


def test_functions_stay_under_the_limit_and_the_allowlist_only_shrinks():
    assert judge(function_lengths(REPO, SCANNED), ALLOWLIST, FUNCTION_LINES_MAX) == []


def test_the_scanner_finds_a_planted_long_function(tmp_path):
    body = "\n".join(f"        x{i} = {i}" for i in range(FUNCTION_LINES_MAX))
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text(
        f"def short():\n    return 1\n\n\nclass C:\n    def long(self):\n{body}\n        return 0\n\n"
        f"    async def outer(self):\n        def inner():\n            pass\n",
        encoding="utf-8",
    )
    lengths = function_lengths(tmp_path, ("pkg",))
    assert lengths == {
        "pkg/mod.py::short": 2,
        "pkg/mod.py::C.long": FUNCTION_LINES_MAX + 2,
        "pkg/mod.py::C.outer": 3,
        "pkg/mod.py::C.outer.<locals>.inner": 2,
    }
    assert judge(lengths, {}, FUNCTION_LINES_MAX) == [
        f"pkg/mod.py::C.long is {FUNCTION_LINES_MAX + 2} lines (max {FUNCTION_LINES_MAX}): split it into named steps"
    ]


def test_an_allowlisted_function_may_shrink_but_not_grow():
    allowlist = {"a.py::f": 80}
    assert judge({"a.py::f": 75}, allowlist, 70) == []
    assert judge({"a.py::f": 80}, allowlist, 70) == []
    assert judge({"a.py::f": 81}, allowlist, 70) == ["a.py::f grew from 80 to 81 lines: split it instead"]


def test_an_allowlisted_function_that_is_short_now_or_gone_must_leave_the_list():
    allowlist = {"a.py::f": 80, "a.py::g": 90}
    assert judge({"a.py::f": 70}, allowlist, 70) == [
        "a.py::f is 70 lines now, within the limit: remove it from ALLOWLIST",
        "a.py::g is gone: remove it from ALLOWLIST",
    ]
