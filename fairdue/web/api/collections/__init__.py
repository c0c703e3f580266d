"""REST routes of the collections context: cases, disputes, promises."""
