"""README.md as a newcomer reads it (issue 17 item 6): every relative link names a file in the tree, every URL path
it gives (`/api/v1/openapi.json`, `/demo/phone`, http://127.0.0.1:8000/...) is a route of the demo web app, and every
`fairdue ...` command it shows names a real command (the quick-start's commands parse as written)."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.S | re.M)
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
LOCAL_URL = re.compile(r"https?://(?:127\.0\.0\.1|localhost):\d+(/[^\s)`'\"<>]*)?")
URL_PATH = re.compile(r"^/[A-Za-z0-9_./{}-]*$")
COMMAND_WORD = re.compile(r"^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$")


def _prose() -> str:
    return FENCE.sub("", README)


def _fenced_lines() -> list[str]:
    return [line for block in FENCE.findall(README) for line in block.splitlines()]


def relative_links() -> list[str]:
    return sorted({t for t in LINK.findall(README) if not re.match(r"^[a-z][a-z0-9+.-]*:|^#", t, re.I)})


def url_paths() -> list[str]:
    spans = [s.strip() for s in CODE_SPAN.findall(_prose())]
    paths = {s for s in spans if URL_PATH.match(s)}
    paths |= {(m.group(1) or "/").rstrip(".,:;") or "/" for m in LOCAL_URL.finditer(README)}
    return sorted(paths)


def shown_commands() -> list[tuple[str, bool]]:
    """(command line, typed as written?): code spans in prose (may hold placeholders) and fenced lines."""
    spans = [(s.strip(), False) for s in CODE_SPAN.findall(_prose()) if s.strip().startswith("fairdue ")]
    fenced = [(line.split("#", 1)[0].strip(), True) for line in _fenced_lines() if line.startswith("fairdue ")]
    return sorted(set(spans + fenced))


@pytest.fixture(scope="module")
def route_patterns(tmp_path_factory):
    """Patterns of the demo app's paths: each route (path parameters match one segment), each prefix of routes
    (`/api/v1`), and each file under a static-files mount (`/static/app.js`)."""
    from fairdue.web.demo import demo_app

    folder = tmp_path_factory.mktemp("readme")
    app, core, _cipher = demo_app(
        f"sqlite:///{folder / 'routes.db'}", as_of=dt.date(2026, 5, 31), key_file=folder / "keys.json"
    )
    try:
        paths = list(_route_paths(app.routes))
        mounts = [
            (r.path, pathlib.Path(r.app.directory)) for r in app.routes if hasattr(getattr(r, "app", None), "directory")
        ]
    finally:
        core.dispose()
    assert "/console/queue" in paths and "/api/v1/openapi.json" in paths  # included routers are walked
    assert mounts  # the static files
    files = [
        f"{mount}/{f.relative_to(directory).as_posix()}"
        for mount, directory in mounts
        for f in directory.rglob("*")
        if f.is_file()
    ]
    return (
        [re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p)) + "$") for p in paths]
        + [re.compile("^" + re.escape(p.rstrip("/")) + "$") for q in paths for p in _prefixes(q)]
        + [re.compile("^" + re.escape(f) + "$") for f in files]
    )


def _route_paths(routes, prefix: str = ""):
    """Every route's full path, walking routers included in the app (FastAPI keeps them as included routers with
    their prefix; older versions flatten them into plain routes)."""
    for route in routes:
        included = getattr(route, "include_context", None)
        if included is not None:
            yield from _route_paths(route.original_router.routes, prefix + included.prefix)
        elif getattr(route, "path", None) is not None:
            yield prefix + route.path


def _prefixes(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:k]) for k in range(2, len(parts)) if "{" not in "/".join(parts[:k])]


def test_readme_relative_links_name_files_in_the_tree_issue17_item6():
    links = relative_links()
    assert "docs/architecture.md" in links  # the parser sees the README's links
    missing = [t for t in links if not (ROOT / t.split("#", 1)[0]).exists()]
    assert missing == []


def test_readme_url_paths_are_routes_of_the_demo_app_issue17_item6(route_patterns):
    paths = url_paths()
    assert "/api/v1/openapi.json" in paths and "/demo/phone" in paths
    unknown = [p for p in paths if not any(r.match(p) for r in route_patterns)]
    assert unknown == []


def test_the_readme_openapi_path_is_served_and_the_old_one_is_not_issue17_item6(route_patterns):
    assert any(r.match("/api/v1/openapi.json") for r in route_patterns)
    assert not any(r.match("/openapi.json") for r in route_patterns)
    assert "`/openapi.json`" not in README


def _resolve(line: str):
    """(click command, the arguments after its name) for a `fairdue ...` line; AssertionError naming what is not
    a command."""
    import typer.main

    from fairdue.cli import app

    command = typer.main.get_command(app)
    words = line.split()[1:]
    while words and hasattr(command, "commands") and COMMAND_WORD.match(words[0]):
        alternatives = words.pop(0).split("|")
        unknown = [w for w in alternatives if w not in command.commands]
        assert not unknown, f"{line!r}: no command {unknown} (known: {sorted(command.commands)})"
        command = command.commands[alternatives[0]]
    return command, words


def test_readme_fairdue_commands_exist_and_the_quick_start_parses_as_written_issue17_item6():
    commands = shown_commands()
    typed = [line for line, as_written in commands if as_written]
    assert "fairdue ledger verify" in typed and "fairdue account show 1" in typed
    for line, as_written in commands:
        command, args = _resolve(line)
        if as_written:
            assert not hasattr(command, "commands"), f"{line!r} stops at a group"
            command.make_context(line, list(args))  # raises on an unknown option or a missing argument
