"""Collections domain (pure): strategies as data, variant assignment, templates."""
