"""Adapters around the core: database, channels, crypto, clock."""
