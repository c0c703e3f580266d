"""Staff and borrower authentication through the unit of work (`uow.staff`), on SQLite and PostgreSQL: the
password lockout, sessions, and one-time codes with their attempt and hourly limits. The web routes cover the
same flows over HTTP."""

from __future__ import annotations

import datetime as dt

import pytest

from fairdue.service.staff import auth

PASSWORD = "correct horse battery"
SECRET = b"k" * 32
PHONE = "+8613800138000"
BORROWER = 42


def _now(uow) -> dt.datetime:
    return uow.clock()


def test_staff_login_opens_a_session_that_resolves_and_revokes(uow_factory, clock):
    with uow_factory() as uow:
        staff_id = auth.create_staff(
            uow, username="ana", display_name="Ana", password=PASSWORD, roles=["agent", "admin"], now=_now(uow)
        )
        uow.commit()
    new = auth.staff_login(uow_factory, username="ana", password=PASSWORD, now=clock(), ttl_s=600)
    assert new is not None
    assert new.principal.staff_id == staff_id
    assert new.principal.roles == frozenset({"agent", "admin"})
    with uow_factory() as uow:
        who = auth.resolve_session(uow, token=new.token, now=_now(uow))
        assert who == new.principal
        auth.revoke_session(uow, token=new.token, now=_now(uow))
        uow.commit()
    with uow_factory() as uow:
        assert auth.resolve_session(uow, token=new.token, now=_now(uow)) is None


def test_wrong_passwords_lock_the_user_and_a_good_one_clears_the_count(uow_factory, clock):
    with uow_factory() as uow:
        auth.create_staff(uow, username="bo", display_name="Bo", password=PASSWORD, roles=[], now=_now(uow))
        uow.commit()

    def login(password: str, username: str = "bo") -> auth.NewSession | None:
        return auth.staff_login(uow_factory, username=username, password=password, now=clock(), ttl_s=60)

    for _ in range(auth.STAFF_FAILED_LOGINS_MAX - 1):
        assert login("wrong password") is None
    assert login(PASSWORD) is not None
    for _ in range(auth.STAFF_FAILED_LOGINS_MAX):
        assert login("wrong password") is None
    assert login(PASSWORD) is None  # locked: the right password is refused like a wrong one
    clock.advance(seconds=auth.STAFF_LOCK_S + 1)
    assert login(PASSWORD) is not None
    assert login(PASSWORD, username="nobody") is None


def _send(uow_factory, found: object = BORROWER, delivered: list | None = None) -> list[str]:
    """Ask for a code for PHONE (the hook answers `found`); the codes sent, and (id, phone, code) in `delivered`."""
    sent: list[str] = []
    delivered = [] if delivered is None else delivered
    with uow_factory() as uow:
        auth.request_login_code(
            uow,
            phone=PHONE,
            now=_now(uow),
            secret=SECRET,
            ttl_s=300,
            find_borrower=lambda e164: found if e164 == PHONE else None,
            deliver=lambda borrower_id, e164, code: (sent.append(code), delivered.append((borrower_id, e164, code))),
        )
        uow.commit()
    return sent


def _login(uow_factory, code: str) -> auth.NewSession | None:
    with uow_factory() as uow:
        new = auth.borrower_login(uow, phone=PHONE, code=code, now=_now(uow), secret=SECRET, ttl_s=600)
        uow.commit()
    return new


def test_a_code_logs_a_borrower_in_once(uow_factory):
    (code,) = _send(uow_factory)
    new = _login(uow_factory, code)
    assert new is not None
    assert (new.principal.kind, new.principal.borrower_id) == ("borrower", BORROWER)
    assert _login(uow_factory, code) is None


def test_wrong_codes_use_up_the_attempts(uow_factory):
    (code,) = _send(uow_factory)
    wrong = f"{(int(code) + 1) % 10**auth.CODE_DIGITS:0{auth.CODE_DIGITS}d}"
    for _ in range(auth.CODE_ATTEMPTS_MAX):
        assert _login(uow_factory, wrong) is None
    assert _login(uow_factory, code) is None


def test_codes_an_hour_are_limited(uow_factory, clock):
    for _ in range(auth.CODES_PER_PHONE_PER_HOUR_MAX):
        _send(uow_factory)
    with pytest.raises(auth.TooManyCodes):
        _send(uow_factory)
    clock.advance(hours=1, seconds=1)
    assert len(_send(uow_factory)) == 1


def test_one_borrower_id_type_a_code_hook_answering_with_text_still_gives_an_int_principal(uow_factory):
    """Issue 14 §6 (one BorrowerId): ids stored as text (sessions, codes) come back as the int BorrowerId."""
    delivered: list[tuple[object, str, str]] = []
    (code,) = _send(uow_factory, found="42", delivered=delivered)
    ((bid, _e164, _code),) = delivered
    assert bid == 42 and isinstance(bid, int)
    new = _login(uow_factory, code)
    assert new is not None and new.principal.borrower_id == 42
    with uow_factory() as uow:
        who = auth.resolve_session(uow, token=new.token, now=_now(uow))
    assert who is not None and who.borrower_id == 42 and isinstance(who.borrower_id, int)
