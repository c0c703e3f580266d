"""The one MetaData every table module registers on, with the constraint naming convention.

Kept apart from the package `__init__` so the table modules can import it while the
package is still importing them; `fairdue.adapters.db.schema.metadata` re-exports it.
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
