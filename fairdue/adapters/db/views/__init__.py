"""Read models for pages and API lists: plain, read-only SQL."""
