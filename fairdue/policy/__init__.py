"""The contact policy gate (pure): see fairdue/policy/gate.py."""
