"""Configuration from the environment, read in one place."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///fairdue.db"


@dataclass(frozen=True, slots=True)
class Settings:
    """database_url: SQLAlchemy URL; FAIRDUE_DATABASE_URL, default a SQLite file."""

    database_url: str


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    return Settings(database_url=env.get("FAIRDUE_DATABASE_URL") or DEFAULT_DATABASE_URL)
