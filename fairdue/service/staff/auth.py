"""Staff and borrower authentication: argon2 passwords, sessions, one-time codes.

Nothing secret is stored in clear. Passwords are argon2id hashes; session
tokens are stored as SHA-256 of a 256-bit random token; one-time codes and
the phone numbers they were sent to are stored as keyed HMAC-SHA256. A code
is delivered by the caller's `deliver` function (the channel layer), never
logged here. Every function takes the caller's unit of work (its rows go
through `uow.staff`) and an explicit `now`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fairdue.adapters.db.repos.staff import STAFF_ROLES
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.instants import aware
from fairdue.errors import FairdueError, Invalid, RateLimited, Unauthenticated

CODE_DIGITS = 6
CODE_ATTEMPTS_MAX = 5
CODES_PER_PHONE_PER_HOUR_MAX = 5
PASSWORD_LENGTH_MIN = 10
USERNAME_LENGTH_MAX = 64
STAFF_FAILED_LOGINS_MAX = 5
STAFF_LOCK_S = 15 * 60

_hasher = PasswordHasher()
# Verified against when the username is unknown, so both failures cost the same.
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + secrets.token_hex(8))


class AuthError(Unauthenticated):
    """Authentication refused; messages never say which half was wrong."""


class InvalidCredentials(AuthError):
    def __init__(self) -> None:
        super().__init__("username or password is wrong")


class InvalidCode(AuthError):
    def __init__(self) -> None:
        super().__init__("the code is wrong or has expired; ask for a new one")


class AccountLocked(RateLimited):
    def __init__(self) -> None:
        super().__init__(f"too many wrong passwords for this user; try again in {STAFF_LOCK_S // 60} minutes")


class TooManyCodes(RateLimited):
    def __init__(self) -> None:
        super().__init__(f"at most {CODES_PER_PHONE_PER_HOUR_MAX} codes an hour; try again later")


class InvalidPhone(Invalid):
    def __init__(self, reason: str) -> None:
        super().__init__(f"phone number not valid: {reason}")


class WeakPassword(Invalid):
    """The password is too short or too common."""


class UnknownRole(Invalid):
    def __init__(self, role: str) -> None:
        super().__init__(f"unknown role {role!r}; one of {', '.join(STAFF_ROLES)}")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking. kind: 'staff' or 'borrower'; staff_id/username/roles None or empty for borrowers;
    borrower_id None for staff. csrf: the token unsafe page requests must echo."""

    kind: str
    csrf: str
    expires_at: dt.datetime
    staff_id: int | None = None
    username: str | None = None
    display_name: str | None = None
    roles: frozenset[str] = frozenset()
    borrower_id: BorrowerId | None = None


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just opened: `token` goes to the client once and is never stored."""

    token: str
    principal: Principal


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def keyed_hmac(secret: bytes, *parts: str) -> str:
    return hmac.new(secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()


def normalize_phone(raw: str, default_region: str = "CN") -> str:
    """E.164 form of a phone number, or InvalidPhone."""
    import phonenumbers

    if not isinstance(raw, str) or not raw.strip() or len(raw) > 32:
        raise InvalidPhone("empty or too long")
    try:
        parsed = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException as err:
        raise InvalidPhone(str(err)) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone("not a number in service")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


# --- staff -----------------------------------------------------------------------------------


def create_staff(
    uow: UnitOfWork, *, username: str, display_name: str, password: str, roles: Iterable[str], now: dt.datetime
) -> int:
    """Add a staff user with the given roles; returns the id."""
    roles = sorted(set(roles))
    for role in roles:
        if role not in STAFF_ROLES:
            raise UnknownRole(role)
    if not username or len(username) > USERNAME_LENGTH_MAX:
        raise FairdueError(f"username must be 1–{USERNAME_LENGTH_MAX} characters")
    if len(password) < PASSWORD_LENGTH_MIN:
        raise WeakPassword(f"password must have at least {PASSWORD_LENGTH_MIN} characters")
    repo = uow.staff
    staff_id = repo.add_user(
        username=username, display_name=display_name, password_hash=_hasher.hash(password), created_at=now
    )
    if roles:
        repo.grant_roles(staff_id, roles)
    return staff_id


def staff_login(uow: UnitOfWork, *, username: str, password: str, now: dt.datetime, ttl_s: int) -> NewSession | None:
    """Check the password and open a staff session; None when refused.

    A wrong password counts against the user; after STAFF_FAILED_LOGINS_MAX in a row the user is locked
    for STAFF_LOCK_S (AccountLocked). Refusals do not raise so the caller commits the count first.
    """
    repo = uow.staff
    row = repo.user_by_username(username)
    if row is None or not row.active:
        _verify(_DUMMY_HASH, password)
        return None
    if row.locked_until is not None and aware(row.locked_until) > now:
        raise AccountLocked()
    if not _verify(row.password_hash, password):
        failed = row.failed_logins + 1
        repo.set_failed_logins(
            row.id,
            failed_logins=0 if failed >= STAFF_FAILED_LOGINS_MAX else failed,
            locked_until=now + dt.timedelta(seconds=STAFF_LOCK_S) if failed >= STAFF_FAILED_LOGINS_MAX else None,
        )
        return None
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(row.password_hash) else None
    repo.clear_failed_logins(row.id, new_password_hash=new_hash)
    return _open_session(uow, kind="staff", staff_id=row.id, borrower_id=None, now=now, ttl_s=ttl_s)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- sessions --------------------------------------------------------------------------------


def _open_session(
    uow: UnitOfWork, *, kind: str, staff_id: int | None, borrower_id: BorrowerId | None, now: dt.datetime, ttl_s: int
) -> NewSession:
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires_at = now + dt.timedelta(seconds=ttl_s)
    uow.staff.add_session(
        token_hash=hash_token(token),
        kind=kind,
        staff_id=staff_id,
        borrower_id=borrower_id,
        csrf_token=csrf,
        created_at=now,
        expires_at=expires_at,
    )
    principal = resolve_session(uow, token=token, now=now)
    if principal is None:  # a session we just wrote must resolve
        raise RuntimeError("session written but not readable")
    return NewSession(token=token, principal=principal)


def resolve_session(uow: UnitOfWork, *, token: str, now: dt.datetime) -> Principal | None:
    """The principal behind a live session token, or None."""
    if not token or len(token) > 128:
        return None
    repo = uow.staff
    row = repo.session(hash_token(token))
    if row is None or row.revoked_at is not None or aware(row.expires_at) <= now:
        return None
    if row.kind == "borrower":
        return Principal(
            kind="borrower", csrf=row.csrf_token, expires_at=aware(row.expires_at), borrower_id=row.borrower_id
        )
    user = repo.user(row.staff_id)
    if user is None or not user.active:
        return None
    roles = repo.roles_of(user.id)
    return Principal(
        kind="staff",
        csrf=row.csrf_token,
        expires_at=aware(row.expires_at),
        staff_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=roles,
    )


def revoke_session(uow: UnitOfWork, *, token: str, now: dt.datetime) -> None:
    uow.staff.revoke_session(hash_token(token), at=now)


# --- borrowers: phone + one-time code ----------------------------------------------------------


def request_login_code(
    uow: UnitOfWork,
    *,
    phone: str,
    now: dt.datetime,
    secret: bytes,
    ttl_s: int,
    find_borrower: Callable[[str], BorrowerId | str | None],
    deliver: Callable[[BorrowerId, str, str], None],
) -> None:
    """Send a one-time code to a known borrower's phone; unknown numbers get the same silence.

    find_borrower(e164) → borrower id or None; deliver(borrower_id, e164, code) hands the
    code to the channel layer. The code is stored only as an HMAC.
    """
    e164 = normalize_phone(phone)
    phone_key = keyed_hmac(secret, "phone", e164)
    hour_ago = now - dt.timedelta(hours=1)
    repo = uow.staff
    recent = repo.codes_sent_since(phone_key, hour_ago)
    if recent >= CODES_PER_PHONE_PER_HOUR_MAX:
        raise TooManyCodes()
    found = find_borrower(e164)
    if found is None:
        return  # same response as success: the form must not reveal who is a borrower
    borrower_id = BorrowerId(int(found))  # a hook may answer with the id's text
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    repo.add_login_code(
        phone_hmac=phone_key,
        borrower_id=borrower_id,
        code_hmac=keyed_hmac(secret, "code", phone_key, code),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=ttl_s),
    )
    deliver(borrower_id, e164, code)


def borrower_login(
    uow: UnitOfWork, *, phone: str, code: str, now: dt.datetime, secret: bytes, ttl_s: int
) -> NewSession | None:
    """Exchange a valid, unexpired, unused code for a borrower session; None when refused.

    A refusal does not raise, so the caller commits the attempt counter before it
    answers InvalidCode (raising would roll the count back and allow guessing).
    """
    try:
        e164 = normalize_phone(phone)
    except InvalidPhone:
        return None
    phone_key = keyed_hmac(secret, "phone", e164)
    repo = uow.staff
    row = repo.latest_unused_code(phone_key)
    if row is None or aware(row.expires_at) <= now or row.attempts >= CODE_ATTEMPTS_MAX:
        return None
    expected = keyed_hmac(secret, "code", phone_key, str(code).strip())
    if not hmac.compare_digest(expected, row.code_hmac):
        repo.count_code_attempt(row.id)
        return None
    repo.use_code(row.id, at=now)
    return _open_session(uow, kind="borrower", staff_id=None, borrower_id=row.borrower_id, now=now, ttl_s=ttl_s)
