"""The column types the schema modules share, each defined once here.

- `ID`: a surrogate key. BIGINT on PostgreSQL; INTEGER on SQLite, where only an
  INTEGER PRIMARY KEY is the rowid and autoincrements.
- `UtcDateTime`: an aware UTC instant in and out, on SQLite as on PostgreSQL;
  a naive datetime is refused when bound. For `*_at` columns.
- `BorrowerIdText`: a borrower's id (fairdue.domain.borrowers.BorrowerId, an int) in
  the tables that store it as text (sessions, one-time codes, complaints, the
  access log, data-rights and plan requests): bound as its decimal text, read
  back as the int; VARCHAR(64) as before.
- `sql_in`: the `('a','b')` list of a CHECK constraint's IN, from a StrEnum of
  fairdue.domain.statuses (member order is list order).
- `DateTimeTz`: the plain `DateTime(timezone=True)` the older tables use
  (TIMESTAMP WITH TIME ZONE on PostgreSQL, DATETIME on SQLite), with no check
  and no conversion: on SQLite it drops the offset and reads back naive. Same
  DDL as `UtcDateTime`; moving a column to `UtcDateTime` changes what its
  readers get on SQLite, so it is a change of its own, not a rename.

Migrations keep their own copies of these (a revision is frozen as written).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

from fairdue.domain.instants import as_utc

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

DateTimeTz = sa.DateTime(timezone=True)


def sql_in(values: Iterable[str]) -> str:
    """`('a','b',...)` for `status IN ...` in a CHECK constraint: the values in their order, quoted, no spaces."""
    items = [str(v) for v in values]
    if not items or any("'" in v for v in items):
        raise ValueError(f"a CHECK list takes one or more plain values, got {items!r}")
    return "(" + ",".join(f"'{v}'" for v in items) + ")"


class BorrowerIdText(TypeDecorator):
    """A BorrowerId (int) in, the same int out, stored as decimal text in VARCHAR(64)."""

    impl = sa.String(64)
    cache_ok = True

    def process_bind_param(self, value: int | str | None, dialect):
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect):
        return None if value is None else int(value)


class UtcDateTime(TypeDecorator):
    """An aware UTC instant in, an aware UTC instant out, on SQLite as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: *_at columns take aware UTC instants")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # SQLite views hand back text
            value = datetime.fromisoformat(value)
        return as_utc(value)
