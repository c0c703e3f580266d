"""Configuration from the environment, read in one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from fairdue.errors import FairdueError

DEFAULT_DATABASE_URL = "sqlite:///fairdue.db"


class ConfigurationRefused(FairdueError):
    """A setting that is only safe for development (dev keys, demo data, a random or short secret key, plain
    HTTP) was asked for where it is not: the process refuses to start rather than run unsafely."""


def is_sqlite(database_url: str) -> bool:
    """Whether the URL names SQLite (the only database development keys and demo seeding may touch)."""
    return database_url.strip().lower().startswith("sqlite")


@dataclass(frozen=True, slots=True)
class Settings:
    """database_url: SQLAlchemy URL; FAIRDUE_DATABASE_URL, default a SQLite file."""

    database_url: str


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(database_url=env.get("FAIRDUE_DATABASE_URL") or DEFAULT_DATABASE_URL)
