"""Which errors from storage mean "the request carried a value the database cannot hold", not a bug.

The web layer answers these with 422 (fairdue.web.problems), whichever route met them, so the class of fault
is closed once rather than route by route: a NUL character or an over-long value on PostgreSQL, a number out
of a column's range, an integer too large for SQLite, a date pushed past year 9999 by arithmetic on a far
date. The detail stays in the server log.
"""

from __future__ import annotations

import sqlalchemy.exc

CAUSE_DEPTH_MAX = 8
# The error classes themselves, for handlers registered by class (sqlalchemy's DataError wraps psycopg's).
UNSTORABLE_ERRORS: tuple[type[Exception], ...] = (sqlalchemy.exc.DataError, OverflowError)


def is_unstorable_value(err: BaseException) -> bool:
    """Whether `err` (or what it was raised from) is a value out of what the database or the calendar holds."""
    seen: BaseException | None = err
    for _ in range(CAUSE_DEPTH_MAX):
        if seen is None:
            return False
        if isinstance(seen, UNSTORABLE_ERRORS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False
