"""`fairdue policy …`: ask the contact gate from the command line.

`fairdue policy check FILE|-` reads one JSON request and prints the JSON
decision; it exits 0 whether the contact is allowed or not (the decision
says), and 2 when the input cannot be read — still printing a deny decision,
so a script that only reads stdout fails closed too.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from fairdue.errors import FairdueError

policy_app = typer.Typer(help="The contact policy gate: decide a proposed contact, show a pack.", no_args_is_help=True)

EXIT_UNREADABLE = 2


def _read(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    return Path(source).read_text(encoding="utf-8")


def _gate(override: Path | None):
    from fairdue.policy import Gate, default_gate, parse_override

    if override is None:
        return default_gate()
    try:
        text = override.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise FairdueError(f"cannot read override {override}: {err}") from None
    table = parse_override(text)
    jurisdiction = table.get("jurisdiction")
    if not isinstance(jurisdiction, str):
        raise FairdueError(f'{override}: the override must name its jurisdiction (jurisdiction = "CN")')
    return Gate(overrides={jurisdiction: table})


@policy_app.command("check")
def check(
    source: str = typer.Argument(..., metavar="FILE|-", help="A JSON request file, or - for standard input."),
    override: Path | None = typer.Option(None, "--override", help="A lender override TOML (tighten only)."),
    compact: bool = typer.Option(False, "--compact", help="One line of JSON instead of indented."),
) -> None:
    """Decide one proposed contact: JSON request in, JSON decision out (exit 0 allowed or not; 2 unreadable)."""
    from fairdue.policy import fail_closed

    gate = _gate(override)  # a bad override is an error (exit 1), never a silently looser gate
    indent = None if compact else 2
    try:
        request = json.loads(_read(source))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        decision = fail_closed(f"unreadable input {source}: {err}", rule="REQUEST.unreadable")
        typer.echo(json.dumps(decision, ensure_ascii=False, indent=indent))
        raise typer.Exit(EXIT_UNREADABLE) from None  # the decision above already carries the reason
    decision = gate.decide(request)
    typer.echo(json.dumps(decision, ensure_ascii=False, indent=indent))


@policy_app.command("describe")
def describe(
    jurisdiction: str = typer.Argument(..., help="CN, US or UK."),
    language: str = typer.Option("en", "--lang", help="zh or en."),
) -> None:
    """Print a pack's rules as plain sentences (what a borrower is told)."""
    from fairdue.policy import describe_pack, load_pack

    pack = load_pack(jurisdiction.upper())
    typer.echo(f"{pack.label}: {pack.title_zh if language == 'zh' else pack.title_en}")
    for item in describe_pack(jurisdiction.upper(), language):
        typer.echo(f"- {item['text']}  [{item['rule']}, {item['confidence']}]")


def register(app: typer.Typer) -> None:
    app.add_typer(policy_app, name="policy")
