"""`fairdue product load FILE` / `fairdue product list`: products as validated TOML/YAML files."""

from __future__ import annotations

import pathlib
from contextlib import contextmanager
from datetime import date

import typer

from fairdue.errors import FairdueError

product_app = typer.Typer(help="E-card products (TOML/YAML files, validated on load).", no_args_is_help=True)

DB_OPTION = typer.Option(
    None, "--database-url", help="SQLAlchemy URL; default FAIRDUE_DATABASE_URL or sqlite:///fairdue.db"
)


class BadInput(FairdueError, ValueError):
    """A command-line value that cannot be right (bad date, amount, currency)."""


def parse_date(text: str | None, what: str = "date") -> date:
    """An ISO date (YYYY-MM-DD); today (UTC) when not given."""
    if text is None:
        from datetime import UTC, datetime

        return datetime.now(UTC).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{what} {text!r} is not a date; use YYYY-MM-DD") from None


def open_app(database_url: str | None):
    """Bootstrap and refuse an unmigrated database (one clear line)."""
    from fairdue.bootstrap import bootstrap

    app = bootstrap(database_url=database_url)
    try:
        app.check_schema()
    except Exception:
        app.dispose()
        raise
    return app


@contextmanager
def read_uow(database_url: str | None):
    """One unit of work on a checked database, for reading: nothing is committed."""
    app = open_app(database_url)
    try:
        with app.uow_factory() as uow:
            yield uow
    finally:
        app.dispose()


@contextmanager
def committed_uow(database_url: str | None):
    """One unit of work on a checked database, committed when the block ends without an error."""
    with read_uow(database_url) as uow:
        yield uow
        uow.commit()


def register(app: typer.Typer) -> None:
    app.add_typer(product_app, name="product")


@product_app.command("load")
def load_cmd(
    file: pathlib.Path = typer.Argument(..., help="product file (.toml, .yaml or .yml)"),
    database_url: str | None = DB_OPTION,
) -> None:
    """Validate a product file and store it; a malformed file writes nothing."""
    from fairdue.service.servicing.products import load_product_file, parse_product_file

    product = parse_product_file(file)  # validate before touching the database
    with committed_uow(database_url) as uow:
        stored = load_product_file(uow, path=file)
    what = "loaded" if stored.created else "already loaded (same definition)"
    typer.echo(
        f"product {product.code} v{product.version} {what} as #{stored.id}: {product.name}, "
        f"{product.jurisdiction} {product.currency}, {len(product.installment_options)} installment option(s)"
    )


@product_app.command("list")
def list_cmd(database_url: str | None = DB_OPTION) -> None:
    """Every stored product version."""
    from rich.console import Console
    from rich.table import Table

    from fairdue.domain.money import Money
    from fairdue.service.servicing.products import list_products

    with read_uow(database_url) as uow:
        items = list_products(uow)
    table = Table("id", "code", "v", "jurisdiction", "limit max", "plans", "cost cap")
    for s in items:
        p = s.product
        table.add_row(
            str(s.id),
            p.code,
            str(p.version),
            p.jurisdiction,
            Money(p.credit_limit_minor_max, p.currency).format(),
            ", ".join(o.key for o in p.installment_options) or "-",
            str(p.annual_cost_cap or "-"),
        )
    Console().print(table)
