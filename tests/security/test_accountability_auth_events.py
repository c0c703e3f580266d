"""Authentication events are structured log records that never carry a secret (issue 16, OWASP ASVS 4.0 V7.1.1
"no credentials or payment details in logs", V7.1.2 "no other sensitive data in logs", V7.2.1 "all authentication
decisions are logged"): `record_auth_event` is the one call the login code makes (fairdue.service.staff.auth_events).

Before the fix logins, failures and lockouts were not logged at all (the module did not exist).
"""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest

from fairdue.service.staff.auth_events import AUTH_EVENTS, LOGGER_NAME, UnknownAuthEvent, record_auth_event

AT = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
PHONE_HMAC = "9f" * 32


def _logged(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER_NAME]


@pytest.mark.parametrize(
    "event, kwargs, level",
    [
        ("staff.login.succeeded", {"staff_id": 3, "username": "sup", "ip": "203.0.113.9"}, logging.INFO),
        ("staff.login.failed", {"staff_id": 3, "username": "sup", "reason": "wrong_password"}, logging.WARNING),
        ("staff.login.failed", {"reason": "unknown_user"}, logging.WARNING),
        ("staff.login.locked", {"staff_id": 3, "username": "sup", "failed_count": 5, "locked_until": AT}, 30),
        ("staff.logout", {"staff_id": 3, "username": "sup"}, logging.INFO),
        ("borrower.code.requested", {"phone_hmac": PHONE_HMAC, "ip": "198.51.100.7"}, logging.INFO),
        ("borrower.code.limited", {"phone_hmac": PHONE_HMAC, "reason": "per_phone_hour"}, logging.WARNING),
        ("borrower.login.failed", {"phone_hmac": PHONE_HMAC, "reason": "wrong_code"}, logging.WARNING),
        ("borrower.login.succeeded", {"borrower_id": 12, "phone_hmac": PHONE_HMAC}, logging.INFO),
    ],
)
def test_v7_2_1_each_auth_event_is_one_json_record_on_the_auth_logger(caplog, event, kwargs, level):
    """ASVS V7.2.1: one record per event, JSON-able fields on the record and as its message, failures as warnings."""
    caplog.set_level(logging.DEBUG, logger=LOGGER_NAME)
    returned = record_auth_event(event, at=AT, **kwargs)
    (rec,) = _logged(caplog)
    assert rec.levelno == level
    assert rec.auth_event == returned == json.loads(rec.getMessage())  # type: ignore[attr-defined]
    assert returned["event"] == event and returned["at"] == "2026-03-02T02:00:00+00:00"
    assert returned["outcome"] == ("failure" if level >= logging.WARNING else "success")


def test_v7_1_1_there_is_no_way_to_log_a_password_code_or_phone():
    """ASVS V7.1.1 / V7.1.2: no parameter takes a password, code or token; a phone number where the HMAC goes, a
    username for an unknown account (possibly a password typed in the wrong box) or free text as a reason are
    refused."""
    with pytest.raises(TypeError):
        record_auth_event("staff.login.failed", at=AT, password="hunter2")  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        record_auth_event("borrower.login.failed", at=AT, code="123456")  # type: ignore[call-arg]
    with pytest.raises(UnknownAuthEvent):
        record_auth_event("borrower.code.requested", at=AT, phone_hmac="+8613800138000")
    with pytest.raises(UnknownAuthEvent):
        record_auth_event("staff.login.failed", at=AT, username="correct horse battery")
    with pytest.raises(UnknownAuthEvent):
        record_auth_event("staff.login.failed", at=AT, reason="the password was hunter2")
    with pytest.raises(UnknownAuthEvent):
        record_auth_event("staff.login.maybe", at=AT)
    with pytest.raises(UnknownAuthEvent):
        record_auth_event("staff.logout", at=dt.datetime(2026, 3, 2, 2, 0))


def test_v7_2_1_the_catalogue_covers_login_failure_lockout_logout_and_code_requests():
    for needed in ("staff.login.succeeded", "staff.login.failed", "staff.login.locked", "staff.logout"):
        assert needed in AUTH_EVENTS
    assert {"borrower.code.requested", "borrower.login.failed", "borrower.login.succeeded"} <= set(AUTH_EVENTS)
