"""UTC instants: the one parser and the one formatter for the ISO 8601 text fairdue stores, logs and sends.

Pure: no clock reads; the instant is always passed in. `*_at` values are aware UTC datetimes (STYLE.md);
their text form is ISO 8601 with `Z` for UTC, e.g. `2026-03-01T01:00:00Z` (microseconds only when non-zero).
The decision log is hash-chained, so `format_utc` must keep writing exactly what the code wrote before it.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fairdue.errors import FairdueError


class InstantInvalid(FairdueError, ValueError):
    """Text that is not an ISO 8601 instant."""


class InstantNaive(InstantInvalid):
    """An instant without a UTC offset: which instant it means is unknown, so it is refused, never guessed."""


def parse_utc(text: str) -> datetime:
    """ISO 8601 text with `Z` or a UTC offset → the aware instant, in UTC.

    Raises InstantInvalid when the text is not an ISO 8601 date-time, InstantNaive when it has no offset."""
    if not isinstance(text, str):
        raise InstantInvalid(f"expected ISO 8601 text, got {type(text).__name__}")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InstantInvalid(f"{text!r} is not an ISO 8601 instant; e.g. 2026-03-01T01:00:00Z") from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise InstantNaive(f"{text!r} has no UTC offset; add one, e.g. Z or +08:00")
    return parsed.astimezone(UTC)


def parse_utc_or_none(value: object) -> datetime | None:
    """`parse_utc` for values read from requests and records: None for a non-string, unreadable or naive value."""
    if not isinstance(value, str):
        return None
    try:
        return parse_utc(value)
    except InstantInvalid:
        return None


def format_utc(at: datetime) -> str:
    """The aware instant as ISO 8601 text in UTC with `Z`: `2026-03-01T01:00:00Z`, `...T01:00:00.250000Z`.

    Raises InstantNaive for a naive datetime (use `aware` first where naive means UTC)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise InstantNaive(f"{at!r} has no UTC offset; format_utc takes aware instants")
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def aware(at: datetime) -> datetime:
    """A stored instant read back: naive means UTC (SQLite hands `timezone=True` columns back naive, written as
    UTC), so UTC is attached; an aware value is returned as it is, offset kept."""
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def as_utc(at: datetime) -> datetime:
    """Like `aware`, and an aware value is converted to UTC too."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
