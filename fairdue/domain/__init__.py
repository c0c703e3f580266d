"""Pure domain core: money, loan math, ledger rules, day-end kernels.

Nothing here does I/O, reads a clock or imports a database or web library;
tests/unit/test_architecture.py keeps it that way.
"""
