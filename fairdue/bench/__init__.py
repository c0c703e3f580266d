"""Benchmarks behind `fairdue bench …`: each prints ratios against a peer or a
physical floor measured in the same run. Never imported by tests for timing."""
