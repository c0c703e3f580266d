"""Collections work on a case: planned steps and their actions, reminders, agent tasks, promises to pay, call outcomes, disputes and cease requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Connection


class ActionsRepository:
    """Named reads and writes on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock
