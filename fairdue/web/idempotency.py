"""Idempotency-Key for unsafe API requests (like Stripe's and Fineract's).

claim() runs in its own short transaction and commits before the work starts:
- new key → row 'in_progress', the caller does the work, then finish() stores the response;
- key done with the same request → the stored first response (replayed);
- key done with a different request → 422 (a key names one request);
- key still in progress (a concurrent twin) → 409.
If the work fails, release() deletes the claim so the client may retry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from fairdue.adapters.db.schema.web import api_idempotency
from fairdue.web.problems import Conflict, Problem

KEY_LENGTH_MAX = 200


@dataclass(frozen=True, slots=True)
class Replay:
    status: int
    body: Any


def request_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def claim(core: Any, *, key: str, scope: str, body: Any) -> Replay | None:
    """None: the caller owns the key and must finish() or release(); Replay: answer with it."""
    if not key or len(key) > KEY_LENGTH_MAX or not key.isprintable():
        raise Problem(
            f"Idempotency-Key must be 1–{KEY_LENGTH_MAX} printable characters", status=400, slug="bad-idempotency-key"
        )
    digest = request_hash(body)
    with core.uow_factory() as uow:
        try:
            uow.connection.execute(
                sa.insert(api_idempotency).values(
                    key=key, scope=scope, request_sha256=digest, status="in_progress", created_at=uow.clock()
                )
            )
            uow.commit()
            return None
        except IntegrityError:
            uow.rollback()
        row = uow.connection.execute(
            sa.select(api_idempotency).where(api_idempotency.c.key == key, api_idempotency.c.scope == scope)
        ).first()
    if row is None:  # released between our insert and read: ask the client to retry
        raise Conflict("the same Idempotency-Key was just released; retry", reason="idempotency_in_progress")
    if row.request_sha256 != digest:
        raise Problem(
            "this Idempotency-Key was used for a different request", status=422, slug="idempotency-key-reused"
        )
    if row.status != "done":
        raise Conflict("a request with this Idempotency-Key is still being processed", reason="idempotency_in_progress")
    return Replay(status=row.response_status, body=json.loads(row.response_body))


def finish(core: Any, *, key: str, scope: str, status: int, body: Any) -> None:
    with core.uow_factory() as uow:
        uow.connection.execute(
            sa.update(api_idempotency)
            .where(api_idempotency.c.key == key, api_idempotency.c.scope == scope)
            .values(status="done", response_status=status, response_body=json.dumps(body, default=str))
        )
        uow.commit()


def release(core: Any, *, key: str, scope: str) -> None:
    with core.uow_factory() as uow:
        uow.connection.execute(
            sa.delete(api_idempotency).where(
                api_idempotency.c.key == key,
                api_idempotency.c.scope == scope,
                api_idempotency.c.status == "in_progress",
            )
        )
        uow.commit()
