"""Table definitions (SQLAlchemy Core) on one MetaData, one module per area.

Money columns are BIGINT minor units, never Numeric (SQLite's Numeric is a
float underneath and silently loses digits). Migrations under
../migrations/versions are hand-written; `metadata` is never `create_all`-ed
on a production path.
"""

from sqlalchemy import MetaData

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

from fairdue.adapters.db.schema import ledger  # noqa: E402,F401  (registers the ledger tables)

from fairdue.adapters.db.schema import web  # noqa: E402,F401  (issue 7)
from fairdue.adapters.db.schema import collections  # noqa: E402,F401  (issue 6: decision log, outbox)
from fairdue.adapters.db.schema import accounts  # noqa: E402,F401  (issue 2: servicing)
from fairdue.adapters.db.schema import dayend  # noqa: E402,F401  (issue 4: day-end state, outbox)
from fairdue.adapters.db.schema import collections_engine  # noqa: E402,F401  (issue 6: cases, promises, plans)
from fairdue.adapters.db.schema import contact_facts  # noqa: E402,F401  (issue 6: attorney, bankruptcy, breathing space, hours)
from fairdue.adapters.db.schema import handovers  # noqa: E402,F401  (issue 6: SMTP handovers in flight)
