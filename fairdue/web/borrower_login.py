"""Borrower login glue: find the borrower by phone (borrowers service) and send the
one-time code through the channel layer's outbox; both are looked up on the app
so tests and the demo can wire them.

`app.state.find_borrower(uow, e164) -> borrower id | None` and
`app.state.deliver_code(uow, borrower_id, e164, code)` (defaults in
fairdue.web.wiring); without them borrower login answers 503 and says why.
"""

from __future__ import annotations

import time
from typing import Any

from fairdue.service.staff import auth as auth_service
from fairdue.web import ratelimit
from fairdue.web.problems import Problem


class BorrowerLoginUnavailable(Problem):
    status = 503
    slug = "borrower-login-unavailable"


def _hooks(app: Any):
    find = getattr(app.state, "find_borrower", None)
    deliver = getattr(app.state, "deliver_code", None)
    if find is None or deliver is None:
        raise BorrowerLoginUnavailable("borrower login is not wired: no borrower directory or code channel")
    return find, deliver


def send_code(request: Any, *, phone: str) -> None:
    """Rate limits (address, number, overall), then a code to the number if it is a borrower's; answered no sooner
    than web.code_request_floor_ms after it arrived either way (ASVS V2.2.x: the timing names no borrower)."""
    arrived = time.monotonic()
    try:
        _send_code(request, phone=phone)
    finally:
        wait = request.app.state.web.code_request_floor_ms / 1000 - (time.monotonic() - arrived)
        if wait > 0:
            time.sleep(wait)


def _send_code(request: Any, *, phone: str) -> None:
    app = request.app
    find, deliver = _hooks(app)
    ratelimit.check(request, ratelimit.CODE_REQUEST, account=ratelimit.phone_account(phone))
    web = app.state.web
    with app.state.core.uow_factory() as unit:
        auth_service.request_login_code(
            unit,
            phone=phone,
            now=unit.clock(),
            secret=web.secret_key,
            ttl_s=web.code_ttl_s,
            find_borrower=lambda e164: find(unit, e164),
            deliver=lambda borrower_id, e164, code: deliver(unit, borrower_id, e164, code),
        )
        unit.commit()


def login(request: Any, *, phone: str, code: str) -> auth_service.NewSession:
    """Rate limits (address, number, overall), then the code; InvalidCode for every refusal."""
    app = request.app
    ratelimit.check(request, ratelimit.CODE_LOGIN, account=ratelimit.phone_account(phone))
    web = app.state.web
    with app.state.core.uow_factory() as unit:
        new = auth_service.borrower_login(
            unit, phone=phone, code=code, now=unit.clock(), secret=web.secret_key, ttl_s=web.session_ttl_s
        )
        unit.commit()  # commits a failed attempt's counter too
    if new is None:
        raise auth_service.InvalidCode()
    return new
