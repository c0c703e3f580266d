"""Bulk writes shared by the batch repositories (day-end, statement close)."""

from __future__ import annotations

import io

import polars as pl
from sqlalchemy import Connection

COPY_CHUNK_BYTES = 1 << 20


def copy_frame(connection: Connection, table: str, frame: pl.DataFrame) -> None:
    """PostgreSQL: COPY `frame` (CSV written by Polars) into `table`'s columns of the same names, on the
    connection's own transaction. An empty frame writes nothing."""
    if frame.height == 0:
        return
    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False)
    buf.seek(0)
    driver = connection.connection.driver_connection
    if driver is None:  # only on an invalidated connection
        raise RuntimeError("the connection was invalidated: no driver connection for COPY")
    cursor = driver.cursor()
    try:
        with cursor.copy(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)") as cp:
            while chunk := buf.read(COPY_CHUNK_BYTES):
                cp.write(chunk)
    finally:
        cursor.close()
