"""The schema's shared column types live once, in schema/types.py, and every table uses those very objects.

Migrations keep their own frozen copies (a revision stays as written) and are not scanned here.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest
import sqlalchemy as sa

from fairdue.adapters.db.schema import metadata
from fairdue.adapters.db.schema import types as column_types
from fairdue.adapters.db.schema.types import ID, DateTimeTz, UtcDateTime

SCHEMA_DIR = pathlib.Path(column_types.__file__).resolve().parent
# What defining a column type looks like: a dialect variant, a decorator class, a fresh timezone-aware DateTime.
TYPE_DEFINITIONS = re.compile(r"with_variant\(|TypeDecorator|DateTime\(timezone")


def test_no_schema_module_but_types_defines_a_column_type():
    found = [
        f"{path.name}:{n}: {line.strip()}"
        for path in sorted(SCHEMA_DIR.glob("*.py"))
        if path.name != "types.py"
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if TYPE_DEFINITIONS.search(line)
    ]
    assert found == [], "import the type from fairdue.adapters.db.schema.types instead: " + "; ".join(found)


def test_every_variant_key_and_aware_datetime_column_uses_the_shared_types():
    checked = {"ID": 0, "DateTimeTz": 0, "UtcDateTime": 0}
    strays = []
    for table in metadata.tables.values():
        for column in table.columns:
            kind = column.type
            where = f"{table.name}.{column.name}"
            if getattr(kind, "_variant_mapping", None):
                checked["ID"] += 1
                if kind is not ID:
                    strays.append(f"{where}: its own variant type")
            elif isinstance(kind, UtcDateTime):
                checked["UtcDateTime"] += 1
            elif isinstance(kind, sa.DateTime):
                checked["DateTimeTz"] += 1
                if kind is not DateTimeTz:
                    strays.append(f"{where}: its own DateTime")
    assert strays == []
    assert all(checked.values()), checked  # the scan saw each kind (it would pass vacuously otherwise)


def test_id_is_bigint_on_postgresql_and_the_rowid_integer_on_sqlite():
    from sqlalchemy.dialects import postgresql, sqlite

    assert ID.compile(dialect=postgresql.dialect()) == "BIGINT"
    assert ID.compile(dialect=sqlite.dialect()) == "INTEGER"
    assert DateTimeTz.compile(dialect=postgresql.dialect()) == "TIMESTAMP WITH TIME ZONE"
    assert UtcDateTime().compile(dialect=postgresql.dialect()) == "TIMESTAMP WITH TIME ZONE"


def test_utc_datetime_hands_back_the_same_instant_in_utc_on_both_engines(engine):
    shanghai = dt.timezone(dt.timedelta(hours=8))
    sent = dt.datetime(2026, 3, 2, 21, 30, 15, 123456, tzinfo=shanghai)
    with engine.connect() as conn:
        got = conn.execute(sa.select(sa.bindparam("at", sent, type_=UtcDateTime()))).scalar_one()
        assert got == sent and got.utcoffset() == dt.timedelta(0)
        assert got == dt.datetime(2026, 3, 2, 13, 30, 15, 123456, tzinfo=dt.UTC)
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            conn.execute(sa.select(sa.bindparam("at", sent.replace(tzinfo=None), type_=UtcDateTime())))
