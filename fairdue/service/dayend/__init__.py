"""Day-end: the batch runner that closes every line's day, and its durable event outbox."""
