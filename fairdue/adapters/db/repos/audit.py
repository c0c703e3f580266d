"""The decision log's signed checkpoints (fairdue.adapters.db.schema.audit_checkpoints): add and read, never
change. Readers page through them in (seq, id) order, so a verify of a long log holds a batch at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.audit_checkpoints import decision_log_checkpoints as checkpoints
from fairdue.domain.audit_checkpoint import Checkpoint

CHECKPOINT_BATCH_ROWS = 1000

_INSERT = checkpoints.insert()
_COLUMNS = (
    checkpoints.c.id,
    checkpoints.c.seq,
    checkpoints.c.head_hash,
    checkpoints.c.entry_count,
    checkpoints.c.signed_at,
    checkpoints.c.key_id,
    checkpoints.c.signature,
)
_PAGE = (
    sa.select(*_COLUMNS)
    .where(
        sa.or_(
            checkpoints.c.seq > sa.bindparam("after_seq"),
            sa.and_(checkpoints.c.seq == sa.bindparam("after_seq"), checkpoints.c.id > sa.bindparam("after_id")),
        )
    )
    .order_by(checkpoints.c.seq, checkpoints.c.id)
    .limit(sa.bindparam("limit"))
)
_NEWEST = sa.select(*_COLUMNS).order_by(checkpoints.c.seq.desc(), checkpoints.c.id.desc()).limit(1)
_ANY = sa.select(checkpoints.c.id).limit(1)


def _checkpoint(row: Any) -> Checkpoint:
    return Checkpoint(row.seq, row.head_hash, row.entry_count, row.signed_at, row.key_id, row.signature)


class AuditRepository:
    """Named reads and writes of checkpoints on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime] | None = None):
        self.conn = conn
        self.clock = clock

    def add_checkpoint(self, checkpoint: Checkpoint) -> None:
        """Store a signed checkpoint (the only write this table has)."""
        self.conn.execute(
            _INSERT,
            {
                "seq": checkpoint.seq,
                "head_hash": checkpoint.head_hash,
                "entry_count": checkpoint.entry_count,
                "signed_at": checkpoint.signed_at,
                "key_id": checkpoint.key_id,
                "signature": checkpoint.signature,
            },
        )

    def has_checkpoints(self) -> bool:
        return self.conn.execute(_ANY).first() is not None

    def newest_checkpoint(self) -> Checkpoint | None:
        """The stored checkpoint of the highest seq (latest stored among equals), or None."""
        row = self.conn.execute(_NEWEST).one_or_none()
        return None if row is None else _checkpoint(row)

    def checkpoints(self, *, batch_rows: int = CHECKPOINT_BATCH_ROWS) -> Iterator[Checkpoint]:
        """Every stored checkpoint in (seq, id) order, read `batch_rows` at a time."""
        after_seq, after_id = 0, 0
        while True:
            rows = self.conn.execute(_PAGE, {"after_seq": after_seq, "after_id": after_id, "limit": batch_rows}).all()
            for row in rows:
                yield _checkpoint(row)
            if len(rows) < batch_rows:
                return
            after_seq, after_id = rows[-1].seq, rows[-1].id
