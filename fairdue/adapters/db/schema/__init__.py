"""Table definitions (SQLAlchemy Core) on one MetaData, one module per area.

Money columns are BIGINT minor units, never Numeric (SQLite's Numeric is a
float underneath and silently loses digits). Migrations under
../migrations/versions are hand-written; `metadata` is never `create_all`-ed
on a production path.
"""

from fairdue.adapters.db.schema import (
    accounts,  # noqa: F401  (issue 2: servicing)
    audit_checkpoints,  # noqa: F401  (issue 16: signed decision-log checkpoints)
    collections,  # noqa: F401  (issue 6: decision log, outbox)
    collections_engine,  # noqa: F401  (issue 6: cases, promises, plans)
    contact_facts,  # noqa: F401  (issue 6: attorney, bankruptcy, breathing space, hours)
    dayend,  # noqa: F401  (issue 4: day-end state, outbox)
    handovers,  # noqa: F401  (issue 6: SMTP handovers in flight)
    ledger,  # noqa: F401  (registers the ledger tables)
    staff_audit,  # noqa: F401  (issue 16: the append-only staff audit trail)
    web,  # noqa: F401  (issue 7)
)
from fairdue.adapters.db.schema.base import NAMING, metadata

__all__ = ["NAMING", "metadata"]
