"""Pieces the collections API routers share: who may see a line, the line's local today, and the
Idempotency-Key wrapper for POSTs that create things."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any, overload

from fastapi import Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from fairdue.adapters.db.views import accounts as account_reads
from fairdue.adapters.db.views.portal import borrower_today
from fairdue.domain import instants
from fairdue.domain.borrowers import BorrowerId
from fairdue.service.staff.auth import Principal
from fairdue.web import idempotency
from fairdue.web.problems import Forbidden, NotFound

ID_MAX = 2**31 - 1
LineId = Annotated[int, Path(ge=1, le=ID_MAX)]
IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="names one request: a repeat returns the first answer; a concurrent twin gets 409",
    ),
]
AMOUNT_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"
IDEMPOTENT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "A repeat of an earlier request (same Idempotency-Key): its first answer"}
}


class Amount(BaseModel):
    """Money as the API takes it: a decimal string in major units (parsed exactly) and its currency."""

    amount: str = Field(pattern=AMOUNT_PATTERN, description="major units, e.g. 120.50", examples=["120.50"])
    currency: str = Field(pattern=r"^[A-Z]{3}$", examples=["CNY"])


@overload
def aware(at: dt.datetime) -> dt.datetime: ...
@overload
def aware(at: None) -> None: ...
@overload
def aware(at: dt.datetime | None) -> dt.datetime | None: ...
def aware(at: dt.datetime | None) -> dt.datetime | None:
    """Stored instants are UTC; SQLite hands them back naive."""
    return None if at is None else instants.aware(at)


def visible_line(conn, who: Principal, line_id: int) -> BorrowerId:
    """The line's borrower id if this principal may see the line; 404 otherwise (absent or someone else's)."""
    owner = account_reads.line_owner(conn, line_id)
    if owner is None or (who.kind == "borrower" and owner != who.borrower_id):
        raise NotFound(f"account {line_id} not found")
    return BorrowerId(int(owner))


def line_today(conn, borrower_id: BorrowerId, now: dt.datetime) -> dt.date:
    """Today where the line's borrower lives: the business date promises and plans are judged on."""
    return borrower_today(conn, borrower_id, now)


def require_roles_or_owner(who: Principal, roles: tuple[str, ...]) -> None:
    """Borrowers pass (their ownership is checked against the data); staff need one of `roles`."""
    if who.kind == "borrower":
        return
    if not (who.roles & set(roles)):
        raise Forbidden(
            f"needs role {' or '.join(sorted(roles))}; you have {', '.join(sorted(who.roles)) or 'none'}",
            reason="role",
            roles_needed=sorted(roles),
            roles_held=sorted(who.roles),
        )


def principal_key(who: Principal) -> str:
    return f"staff:{who.staff_id}" if who.kind == "staff" else f"borrower:{who.borrower_id}"


def idempotent_create(
    request: Request,
    *,
    key: str,
    scope: str,
    who: Principal,
    body: BaseModel,
    work: Callable[[Any], BaseModel],
    check: Callable[[Any], object] | None = None,
) -> Any:
    """Run `work(unit)` once per Idempotency-Key: 201 with its answer; a repeat gets that answer again (200,
    `Idempotent-Replayed: true`); a twin still running gets 409. A failure frees the key for a corrected retry.

    Keys are scoped to the principal and the operation, so one caller's key never replays another's answer.
    Check visibility *before* the key is looked at (a replay answers without running `work`): pass it as
    `check(unit)`, run in a unit of work of its own, or do it before calling this.
    """
    return idempotent_run(request, key=key, scope=f"{scope}:{principal_key(who)}", body=body, work=work, check=check)


def idempotent_run(
    request: Request,
    *,
    key: str,
    scope: str,
    body: BaseModel,
    work: Callable[[Any], BaseModel],
    check: Callable[[Any], object] | None = None,
) -> Any:
    """idempotent_create with `scope` taken as it is (not narrowed to the principal): for an operation whose
    key names the request whoever sends it, e.g. a payment a colleague retries must not be taken twice."""
    core = request.app.state.core
    if check is not None:
        with core.uow_factory() as unit:
            check(unit)
    replay = idempotency.claim(core, key=key, scope=scope, body=body.model_dump(mode="json"))
    if replay is not None:
        return JSONResponse(replay.body, status_code=200, headers={"Idempotent-Replayed": "true"})
    try:
        with core.uow_factory() as unit:
            out = work(unit)
            unit.commit()
    except BaseException:
        idempotency.release(core, key=key, scope=scope)
        raise
    payload = out.model_dump(mode="json")
    idempotency.finish(core, key=key, scope=scope, status=201, body=payload)
    return JSONResponse(payload, status_code=201)
