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


# Web session idle timeout (ASVS V3.3.2): a session unused this long is refused and revoked.
SESSION_IDLE_ENV = "FAIRDUE_SESSION_IDLE_MINUTES"
SESSION_IDLE_MINUTES_DEFAULT = 30
SESSION_IDLE_MINUTES_MAX = 24 * 60
# The API-wide limit per session (per client address when anonymous), in the `limits` notation.
API_RATE_LIMIT_ENV = "FAIRDUE_API_RATE_LIMIT"
API_RATE_LIMIT_DEFAULT = "1200 per minute"


def session_idle_s(environ: Mapping[str, str] | None = None) -> int:
    """The idle limit in seconds: FAIRDUE_SESSION_IDLE_MINUTES (1 to SESSION_IDLE_MINUTES_MAX), default
    SESSION_IDLE_MINUTES_DEFAULT; anything else is refused (ConfigurationRefused)."""
    env = os.environ if environ is None else environ
    raw = (env.get(SESSION_IDLE_ENV) or "").strip()
    if not raw:
        return SESSION_IDLE_MINUTES_DEFAULT * 60
    if not raw.isdigit() or not 1 <= int(raw) <= SESSION_IDLE_MINUTES_MAX:
        raise ConfigurationRefused(f"{SESSION_IDLE_ENV} must be whole minutes from 1 to {SESSION_IDLE_MINUTES_MAX}")
    return int(raw) * 60


def api_rate_limit(environ: Mapping[str, str] | None = None) -> str:
    """The API-wide limit: FAIRDUE_API_RATE_LIMIT (e.g. "1200 per minute"), default API_RATE_LIMIT_DEFAULT; a
    value the `limits` notation cannot read is refused (ConfigurationRefused)."""
    from limits import parse

    env = os.environ if environ is None else environ
    raw = (env.get(API_RATE_LIMIT_ENV) or "").strip() or API_RATE_LIMIT_DEFAULT
    try:
        parse(raw)
    except ValueError:
        raise ConfigurationRefused(f"{API_RATE_LIMIT_ENV} must read like '1200 per minute', got {raw!r}") from None
    return raw
