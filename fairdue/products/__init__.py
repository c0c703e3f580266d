"""Shipped product files (TOML), loaded with `fairdue product load FILE` and by the demo."""

import pathlib

PRODUCTS_DIR = pathlib.Path(__file__).resolve().parent


def shipped_product_files() -> list[pathlib.Path]:
    """The product files that ship with fairdue, sorted by name."""
    return sorted(PRODUCTS_DIR.glob("*.toml"))
