"""Loan math: installment schedules and the true annual rate (pure: no I/O, no clock)."""
