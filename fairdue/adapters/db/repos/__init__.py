"""Repositories: one module per context, named methods over the schema (the only writers of SQL)."""
