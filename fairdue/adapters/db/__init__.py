"""fairdue.adapters.db."""
