"""Borrower: the registry of borrowers and their emergency contacts (PII encrypted at rest)."""
