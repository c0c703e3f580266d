"""Use cases: open account, purchase, pay, day-end, collections, complaints.

Each takes a unit of work and plain values; none imports a web framework.
"""
