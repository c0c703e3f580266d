"""Ledger repository (placeholder while the ledger lands; see fairdue/service/ledger.py)."""

from __future__ import annotations


class LedgerRepository:
    def __init__(self, connection, *, clock):
        self.connection = connection
        self.clock = clock
