"""fairdue.web."""
