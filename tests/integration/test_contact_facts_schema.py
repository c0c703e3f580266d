"""Migration 0008 builds exactly the contact_facts table schema/contact_facts.py describes, on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from fairdue.adapters.db.schema import metadata


def _mentions(diff, name: str) -> bool:
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item if isinstance(item, tuple) else (item,):
            table = getattr(part, "table", None)
            if getattr(table, "name", None) == name or getattr(part, "name", None) == name or part == name:
                return True
    return False


def test_migrated_contact_facts_match_the_metadata(engine):
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, metadata) if _mentions(d, "contact_facts")]
    assert diffs == []
