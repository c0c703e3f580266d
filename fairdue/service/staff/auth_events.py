"""Authentication events as structured log records (issue 16, ASVS V7.1.1, V7.1.2, V7.2.1).

One logger (`fairdue.auth`), one call: `record_auth_event(event, ...)` after every login success or failure,
lockout, logout and one-time-code request. The record is a flat dict of JSON-able fields, put on the log
record as `auth_event` and as the JSON message, so any handler (a file, a collector) can ship it as is.

What it never holds, by construction (there is no parameter for them): a password, a one-time code, a phone
number, a session token. A borrower's phone appears only as the keyed HMAC the login tables already use; a
username typed for an unknown account is not logged (it may be a password typed in the wrong field), only
that it was unknown.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from typing import Any

LOGGER_NAME = "fairdue.auth"
logger = logging.getLogger(LOGGER_NAME)

# event code → log level. Failures and lockouts are warnings: a burst of them is what an alert watches for.
AUTH_EVENTS: dict[str, int] = {
    "staff.login.succeeded": logging.INFO,
    "staff.login.failed": logging.WARNING,
    "staff.login.locked": logging.WARNING,  # this failure locked the account
    "staff.login.refused_locked": logging.WARNING,  # a try while locked
    "staff.logout": logging.INFO,
    "staff.login.rate_limited": logging.WARNING,  # refused by a token bucket before any check
    "staff.second_factor.failed": logging.WARNING,
    "staff.second_factor.enrolled": logging.INFO,
    "staff.password.changed": logging.INFO,
    "staff.password.change_failed": logging.WARNING,
    "staff.sessions.revoked_all": logging.INFO,
    "staff.second_factor.reset": logging.WARNING,  # an admin reset a lost authenticator (reason: its code)
    "session.idle_expired": logging.INFO,  # refused and revoked after the idle limit (reason: staff or borrower)
    "sessions.revoked": logging.INFO,  # a person ended some of their own sessions (reason: one, others or all)
    "ratelimit.store_down": logging.ERROR,  # the rate-limit store (Redis) did not answer (reason: the budget)
    "borrower.code.requested": logging.INFO,
    "borrower.code.limited": logging.WARNING,
    "borrower.login.succeeded": logging.INFO,
    "borrower.login.failed": logging.WARNING,
    "borrower.logout": logging.INFO,
}
_CODE = re.compile(r"^[a-z][a-z0-9_.]{0,39}$")
_HEX = re.compile(r"^[0-9a-f]{16,128}$")
USERNAME_CHARS_MAX = 64
IP_CHARS_MAX = 64


class UnknownAuthEvent(ValueError):
    """An event code not in AUTH_EVENTS, or a field that breaks the record's rules: a bug in the caller."""


def _checked(
    event: str, *, username: str | None, staff_id: int | None, phone_hmac: str | None, reason: str | None
) -> None:
    if event not in AUTH_EVENTS:
        raise UnknownAuthEvent(f"unknown auth event {event!r}: one of {', '.join(AUTH_EVENTS)}")
    if username is not None and staff_id is None:
        raise UnknownAuthEvent("a username is logged only for a known staff account (pass staff_id)")
    if phone_hmac is not None and not _HEX.match(phone_hmac):
        raise UnknownAuthEvent("phone_hmac takes the keyed HMAC (hex) of the number, never the number")
    if reason is not None and not _CODE.match(reason):
        raise UnknownAuthEvent(f"reason must be a code like 'wrong_password', got {reason!r}")


def record_auth_event(
    event: str,
    *,
    at: dt.datetime,
    staff_id: int | None = None,
    username: str | None = None,
    borrower_id: int | None = None,
    phone_hmac: str | None = None,
    ip: str | None = None,
    reason: str | None = None,
    failed_count: int | None = None,
    locked_until: dt.datetime | None = None,
) -> dict[str, Any]:
    """Log one authentication event on `fairdue.auth` and return the record logged.

    event: a code of AUTH_EVENTS. at: aware UTC instant. staff_id/username: the account, when it exists
    (username only with staff_id). borrower_id / phone_hmac: the borrower side (the keyed HMAC, never the
    number). ip: the client address. reason: a short code (wrong_password, unknown_user, expired_code, ...).
    failed_count / locked_until: the counter and lock after this event.
    """
    _checked(event, username=username, staff_id=staff_id, phone_hmac=phone_hmac, reason=reason)
    if at.tzinfo is None:
        raise UnknownAuthEvent("at must be an aware UTC instant")
    fields: dict[str, Any] = {
        "event": event,
        "at": at.astimezone(dt.UTC).isoformat(),
        "outcome": "failure" if AUTH_EVENTS[event] >= logging.WARNING else "success",
        "staff_id": staff_id,
        "username": None if username is None else username[:USERNAME_CHARS_MAX],
        "borrower_id": borrower_id,
        "phone_hmac": phone_hmac,
        "ip": None if ip is None else ip[:IP_CHARS_MAX],
        "reason": reason,
        "failed_count": failed_count,
        "locked_until": None if locked_until is None else locked_until.astimezone(dt.UTC).isoformat(),
    }
    record = {k: v for k, v in fields.items() if v is not None}
    logger.log(AUTH_EVENTS[event], json.dumps(record, sort_keys=True), extra={"auth_event": record})
    return record
