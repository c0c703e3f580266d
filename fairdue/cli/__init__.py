"""The `fairdue` command: a thin Typer shell over the service layer.

Each area lives in its own module under fairdue/cli/ and exposes
`register(app)`; add the module's name to AREAS. Heavy imports (Polars,
jieba, SQLAlchemy) belong inside the command functions so `fairdue --help`
stays fast.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

import typer

from fairdue.errors import FairdueError

if TYPE_CHECKING:
    import click
    from typer._click import exceptions as typer_click_exceptions

    ClickExceptionType = type[click.ClickException] | type[typer_click_exceptions.ClickException]

app = typer.Typer(
    name="fairdue",
    help="Lawful servicing and collection of installment credit.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Modules under fairdue.cli that add commands; each has register(app).
AREAS: list[str] = [
    "fairdue.cli.bench",
    "fairdue.cli.loanmath",
    "fairdue.cli.db",
    "fairdue.cli.ledger",
    "fairdue.cli.dayend",
    "fairdue.cli.jobs",
    "fairdue.cli.audit",
    "fairdue.cli.web",
    "fairdue.cli.policy",
    "fairdue.cli.products",
    "fairdue.cli.accounts",
    "fairdue.cli.demo",
    "fairdue.cli.collections",
    "fairdue.cli.facts",
    "fairdue.cli.delivery",
]


def _register_areas() -> None:
    for name in AREAS:
        importlib.import_module(name).register(app)


_register_areas()


def _click_exceptions() -> tuple[ClickExceptionType, ...]:
    """Click's exception base, and Typer's vendored copy of it where Typer has one."""
    import click

    found: list[ClickExceptionType] = [click.ClickException]
    try:
        from typer._click.exceptions import ClickException as VendoredClickException
    except ImportError:  # a Typer that uses click directly
        pass
    else:
        found.append(VendoredClickException)
    return tuple(found)


def main() -> None:
    """Entry point: expected errors become one line on stderr and exit non-zero."""
    try:
        # Non-standalone click returns typer.Exit's code instead of exiting.
        code = app(standalone_mode=False)
    except FairdueError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(err.exit_code)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        sys.exit(1)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except Exception as err:  # usage errors arrive here in non-standalone mode
        if isinstance(err, _click_exceptions()):
            err.show()
            sys.exit(err.exit_code)
        raise
    if isinstance(code, int) and not isinstance(code, bool) and code != 0:
        sys.exit(code)
