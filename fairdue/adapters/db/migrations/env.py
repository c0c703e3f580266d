"""Alembic environment: the connection is handed in by fairdue.adapters.db.migrate."""

from alembic import context

from fairdue.adapters.db.schema import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through fairdue.adapters.db.migrate (fairdue init-db)")

context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
