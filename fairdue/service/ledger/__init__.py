"""Ledger: the double-entry journal (accounts, entries, balances, verification)."""
