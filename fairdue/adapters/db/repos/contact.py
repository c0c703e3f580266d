"""The contact context's rows: the gate's stored facts, the decision log, the message outbox and its deliveries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection


class ContactRepository:
    """Named reads and writes on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock
