"""Staff and borrower authentication: argon2 passwords, sessions, one-time codes.

Nothing secret is stored in clear. Passwords are argon2id hashes; session
tokens are stored as SHA-256 of a 256-bit random token; one-time codes and
the phone numbers they were sent to are stored as keyed HMAC-SHA256. A code
is delivered by the caller's `deliver` function (the channel layer), never
logged here. Every function takes the caller's unit of work (its rows go
through `uow.staff`) and an explicit `now`.

Issue 16 (ASVS V2): limits hold under concurrency because every attempt is
counted in SQL before it is checked (one UPDATE … RETURNING, or an atomic
upsert for code requests), never read and written back from Python. Staff
login and password change take a unit-of-work *factory* instead: argon2 runs
between two short transactions, never inside one. An unknown, locked or
wrongly answered staff login is one refusal (None), after the same hashing.
Passwords need PASSWORD_LENGTH_MIN characters and a zxcvbn score of
PASSWORD_SCORE_MIN; staff may add a TOTP second factor (required of
TOTP_ROLES), its secret encrypted through the field cipher and its one-time
recovery codes kept as keyed hashes.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from fairdue.adapters.db.repos.staff import STAFF_ROLES
from fairdue.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from fairdue.domain.borrowers import BorrowerId
from fairdue.domain.instants import aware
from fairdue.errors import Conflict, FairdueError, Invalid, RateLimited, Unauthenticated
from fairdue.service.staff.auth_events import record_auth_event

CODE_DIGITS = 6
CODE_ATTEMPTS_MAX = 5
CODES_PER_PHONE_PER_HOUR_MAX = 5
CODE_REQUEST_WINDOW_S = 3600
PASSWORD_LENGTH_MIN = 12
PASSWORD_LENGTH_MAX = 256
# zxcvbn's score (0–4) a new password must reach: 3 = "safely unguessable", no dictionary word, repeat or
# sequence it can name; zxcvbn reads at most its first PASSWORD_SCORED_CHARS_MAX characters.
PASSWORD_SCORE_MIN = 3
PASSWORD_SCORED_CHARS_MAX = 72
USERNAME_LENGTH_MAX = 64
STAFF_FAILED_LOGINS_MAX = 5
STAFF_LOCK_S = 15 * 60
# The second factor (RFC 6238 TOTP): required of these roles; a code of the step before or after also counts
# (clock drift); ten one-time recovery codes of 80 random bits each.
TOTP_ROLES = frozenset({"supervisor", "compliance", "admin"})
TOTP_STEP_S = 30
TOTP_DRIFT_STEPS = 1
TOTP_DIGITS = 6
TOTP_ISSUER = "fairdue"
RECOVERY_CODES = 10
RECOVERY_CODE_BYTES = 10
# Sessions (ASVS V3.3.2): refused after `idle_s` seconds unused (fairdue.config.session_idle_s, from the
# environment); the last use is written at most once per SESSION_SEEN_REFRESH_S per session (more often, a quarter
# of the idle limit, when that is shorter).
SESSION_SEEN_REFRESH_S = 60
_TOTP_SECRET_CONTEXT = "staff.totp_secret"  # the field cipher's associated data for the encrypted secret  # nosec B105
_RECOVERY_CODE_CONTEXT = "staff.recovery_code"  # and the keyed hash of a recovery code

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


class TooManyCodes(RateLimited):
    def __init__(self) -> None:
        super().__init__(f"at most {CODES_PER_PHONE_PER_HOUR_MAX} codes an hour; try again later")


class InvalidPhone(Invalid):
    def __init__(self, reason: str) -> None:
        super().__init__(f"phone number not valid: {reason}")


class WeakPassword(Invalid):
    """The password is too short, too long or too easy to guess; `reason` is a stable code
    ("too_short", "too_long", "too_common", "names_you") for the pages' zh/en sentence."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class WrongCurrentPassword(AuthError):
    def __init__(self) -> None:
        super().__init__("the current password is wrong")


class TotpAlreadyEnabled(Conflict):
    def __init__(self) -> None:
        super().__init__("the authenticator is already set up for this user")


class TotpNotPending(Conflict):
    def __init__(self) -> None:
        super().__init__("start setting up the authenticator first")


class InvalidTotpCode(Invalid):
    def __init__(self) -> None:
        super().__init__("the authenticator code is wrong; check the phone's clock and try the newest code")


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
    second_factor_missing: bool = False  # a staff member of a TOTP_ROLES role who has not set one up yet


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


def check_password(password: str, *, username: str = "", display_name: str = "") -> None:
    """Refuse a password a person could guess (ASVS V2.1): shorter than PASSWORD_LENGTH_MIN, longer than
    PASSWORD_LENGTH_MAX, or scored below PASSWORD_SCORE_MIN by zxcvbn (common passwords, repeats, sequences,
    keyboard walks, the user's own name) — WeakPassword with a reason code."""
    from zxcvbn import zxcvbn  # type: ignore[import-untyped]  # zxcvbn ships no type hints

    if len(password) < PASSWORD_LENGTH_MIN:
        raise WeakPassword("too_short", f"the password must have at least {PASSWORD_LENGTH_MIN} characters")
    if len(password) > PASSWORD_LENGTH_MAX:
        raise WeakPassword("too_long", f"the password may have at most {PASSWORD_LENGTH_MAX} characters")
    own = [part for part in (username, display_name) if part]
    lowered = password.lower()
    if any(len(part) >= 3 and part.lower() in lowered for part in own):
        raise WeakPassword("names_you", "the password must not contain your username or name")
    result = zxcvbn(password[:PASSWORD_SCORED_CHARS_MAX], user_inputs=own)
    if result["score"] < PASSWORD_SCORE_MIN:
        warning = result["feedback"].get("warning") or "it is too easy to guess"
        raise WeakPassword("too_common", f"the password is too easy to guess: {warning}")


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
    check_password(password, username=username, display_name=display_name)
    repo = uow.staff
    staff_id = repo.add_user(
        username=username, display_name=display_name, password_hash=_hasher.hash(password), created_at=now
    )
    if roles:
        repo.grant_roles(staff_id, roles)
    return staff_id


def staff_login(
    uow_factory: UnitOfWorkFactory,
    *,
    username: str,
    password: str,
    now: dt.datetime,
    ttl_s: int,
    second_factor: str | None = None,
    ip: str | None = None,
) -> NewSession | None:
    """Check the password (and the second factor of a user who enrolled one) and open a staff session; None
    when refused, for whatever reason: unknown user, wrong password or code, locked user (ASVS V2.2.1, V3.2).

    Every attempt is counted in SQL before the password is checked (`reserve_login_attempt`, one UPDATE …
    RETURNING), so concurrent attempts cannot outrun the limit: the STAFF_FAILED_LOGINS_MAX-th in a row locks
    the user for STAFF_LOCK_S, and a good login clears the count. A locked or unknown user costs the same argon2
    verification and gets the same None. The verification runs outside any transaction (its own units of work
    before and after), so slow hashing never holds a database lock. Each outcome is an auth event (no secret).
    """
    with uow_factory() as uow:
        row = uow.staff.reserve_login_attempt(
            username=username,
            now=now,
            attempts_max=STAFF_FAILED_LOGINS_MAX,
            lock_until=now + dt.timedelta(seconds=STAFF_LOCK_S),
        )
        locked = uow.staff.user_by_username(username) if row is None else None  # for the log only
        uow.commit()
    good = _verify(row.password_hash if row is not None else _DUMMY_HASH, password)
    if row is None or not good:
        _log_refused_password(row, locked, now=now, ip=ip)
        return None
    new_hash = _hasher.hash(password) if _hasher.check_needs_rehash(row.password_hash) else None
    with uow_factory() as uow:
        if row.totp_enabled_at is not None and not _second_factor_ok(uow, row, second_factor, now=now):
            uow.commit()  # a recovery code or time step tried is spent either way
            record_auth_event("staff.second_factor.failed", at=now, staff_id=row.id, username=row.username, ip=ip)
            return None
        if not uow.staff.finish_login(row.id, verified_hash=row.password_hash, new_password_hash=new_hash):
            return None
        new = _open_session(uow, kind="staff", staff_id=row.id, borrower_id=None, now=now, ttl_s=ttl_s)
        uow.commit()
    record_auth_event("staff.login.succeeded", at=now, staff_id=row.id, username=row.username, ip=ip)
    return new


def _log_refused_password(row: Any, known: Any, *, now: dt.datetime, ip: str | None) -> None:
    """The auth event of a refused password: unknown user (no username logged), a try while locked, the
    failure that locked the user, or a plain wrong password with the count after it."""
    if row is None and known is None:
        record_auth_event("staff.login.failed", at=now, reason="unknown_user", ip=ip)
    elif row is None:
        event = "staff.login.refused_locked" if known.active else "staff.login.failed"
        reason = None if known.active else "inactive_user"
        record_auth_event(event, at=now, staff_id=known.id, username=known.username, reason=reason, ip=ip)
    elif row.locked_until is not None:
        record_auth_event(
            "staff.login.locked",
            at=now,
            staff_id=row.id,
            username=row.username,
            failed_count=STAFF_FAILED_LOGINS_MAX,
            locked_until=aware(row.locked_until),
            ip=ip,
        )
    else:
        record_auth_event(
            "staff.login.failed",
            at=now,
            staff_id=row.id,
            username=row.username,
            reason="wrong_password",
            failed_count=row.failed_logins,
            ip=ip,
        )


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def change_password(
    uow_factory: UnitOfWorkFactory,
    *,
    staff_id: int,
    current_password: str,
    new_password: str,
    keep_token: str | None,
    now: dt.datetime,
) -> None:
    """Replace a staff member's password (ASVS V2.1.5): the current one must be given, and a wrong one counts
    against the lockout like a wrong login; the new one must pass `check_password` and differ from it. Every
    other session of the user is ended; the one under `keep_token` (the caller's) stays. Hashing runs outside
    any transaction."""
    with uow_factory() as uow:
        user = uow.staff.user(staff_id)
        if user is None:
            raise WrongCurrentPassword()
        check_password(new_password, username=user.username, display_name=user.display_name)
        row = uow.staff.reserve_login_attempt(
            staff_id=staff_id,
            now=now,
            attempts_max=STAFF_FAILED_LOGINS_MAX,
            lock_until=now + dt.timedelta(seconds=STAFF_LOCK_S),
        )
        uow.commit()
    if not _verify(row.password_hash if row is not None else _DUMMY_HASH, current_password) or row is None:
        record_auth_event("staff.password.change_failed", at=now, staff_id=staff_id, reason="wrong_current")
        raise WrongCurrentPassword()
    if _verify(row.password_hash, new_password):
        with uow_factory() as uow:  # the current password was right: this attempt is no failure
            uow.staff.finish_login(staff_id, verified_hash=row.password_hash)
            uow.commit()
        raise WeakPassword("same_as_current", "the new password must differ from the current one")
    new_hash = _hasher.hash(new_password)
    with uow_factory() as uow:
        if not uow.staff.set_password(staff_id, verified_hash=row.password_hash, new_hash=new_hash, at=now):
            raise WrongCurrentPassword()  # changed by a concurrent request: ask again
        uow.staff.revoke_other_sessions(
            staff_id, keep_token_hash=hash_token(keep_token) if keep_token else None, at=now
        )
        uow.commit()
    record_auth_event("staff.password.changed", at=now, staff_id=staff_id, username=row.username)


# --- second factor: TOTP and recovery codes -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    """A TOTP secret awaiting its first code: `secret` (base32) and `uri` (otpauth://, for a QR code) are shown
    once to the staff member and never again."""

    secret: str
    uri: str


def second_factor_enabled(uow: UnitOfWork, *, staff_id: int) -> bool:
    """Whether this staff member's login needs a second factor (set up and confirmed)."""
    user = uow.staff.user(staff_id)
    return user is not None and user.totp_enabled_at is not None


def begin_totp_enrolment(uow: UnitOfWork, *, staff_id: int) -> TotpEnrolment:
    """A new TOTP secret for this staff member, stored encrypted through the field cipher, pending until
    `confirm_totp` sees a first code from it. Refused once a second factor is set up (TotpAlreadyEnabled)."""
    import pyotp

    user = uow.staff.user(staff_id)
    if user is None or user.totp_enabled_at is not None:
        raise TotpAlreadyEnabled()
    secret = pyotp.random_base32()
    uow.staff.set_totp_pending(staff_id, secret_ct=uow.cipher.encrypt(secret, context=_TOTP_SECRET_CONTEXT))
    uri = pyotp.TOTP(secret, interval=TOTP_STEP_S, digits=TOTP_DIGITS).provisioning_uri(
        name=user.username, issuer_name=TOTP_ISSUER
    )
    return TotpEnrolment(secret=secret, uri=uri)


def confirm_totp(uow: UnitOfWork, *, staff_id: int, code: str, now: dt.datetime) -> list[str]:
    """Turn the pending secret on with a first code from it; returns RECOVERY_CODES new one-time recovery codes
    (shown once; stored only as keyed hashes)."""
    user = uow.staff.user(staff_id)
    if user is None or user.totp_secret_ct is None:
        raise TotpNotPending()
    if user.totp_enabled_at is not None:
        raise TotpAlreadyEnabled()
    secret = uow.cipher.decrypt(user.totp_secret_ct, context=_TOTP_SECRET_CONTEXT)
    step = _totp_step_of(secret, code, now=now)
    if step is None or not uow.staff.accept_totp_step(staff_id, step=step):
        raise InvalidTotpCode()
    uow.staff.enable_totp(staff_id, at=now)
    record_auth_event("staff.second_factor.enrolled", at=now, staff_id=staff_id, username=user.username)
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    uow.staff.replace_recovery_codes(staff_id, code_hashes=[_recovery_hash(uow, c) for c in codes], at=now)
    return codes


def _second_factor_ok(uow: UnitOfWork, row: Any, code: str | None, *, now: dt.datetime) -> bool:
    """A TOTP code of an unused time step, or an unused recovery code, of this user (spent by this check)."""
    text = "".join((code or "").split()).replace("-", "").upper()
    if not text:
        return False
    if text.isdigit() and len(text) == TOTP_DIGITS:
        secret = uow.cipher.decrypt(row.totp_secret_ct, context=_TOTP_SECRET_CONTEXT)
        step = _totp_step_of(secret, text, now=now)
        return step is not None and uow.staff.accept_totp_step(row.id, step=step)
    return uow.staff.use_recovery_code(row.id, code_hash=_recovery_hash(uow, text), at=now)


def _totp_step_of(secret: str, code: str, *, now: dt.datetime) -> int | None:
    """The time step (within TOTP_DRIFT_STEPS of now) whose code this is, or None."""
    import pyotp

    totp = pyotp.TOTP(secret, interval=TOTP_STEP_S, digits=TOTP_DIGITS)
    text = str(code).strip()
    current = int(now.timestamp()) // TOTP_STEP_S
    for step in range(current - TOTP_DRIFT_STEPS, current + TOTP_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.at(step * TOTP_STEP_S), text):
            return step
    return None


def totp_code(secret: str, *, at: dt.datetime) -> str:
    """The code an authenticator app shows for `secret` at `at` (for the CLI and tests)."""
    import pyotp

    return pyotp.TOTP(secret, interval=TOTP_STEP_S, digits=TOTP_DIGITS).at(int(at.timestamp()))


def _recovery_code() -> str:
    raw = base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode("ascii")
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _recovery_hash(uow: UnitOfWork, code: str) -> str:
    normalized = "".join(code.split()).replace("-", "").upper()
    return uow.cipher.blind_index(normalized, context=_RECOVERY_CODE_CONTEXT)


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


def resolve_session(uow: UnitOfWork, *, token: str, now: dt.datetime, idle_s: int | None = None) -> Principal | None:
    """The principal behind a live session token, or None.

    With `idle_s` (ASVS V3.3.2): a session unused for `idle_s` seconds or more is refused like an expired one and
    revoked; a live one has its last use recorded, at most once per SESSION_SEEN_REFRESH_S (a conditional UPDATE,
    so most requests write nothing). Either write is the caller's to commit."""
    return _resolve(uow, token=token, now=now, idle_s=idle_s)[0]


def resolve_request_session(
    uow_factory: UnitOfWorkFactory, *, token: str, now: dt.datetime, idle_s: int
) -> Principal | None:
    """`resolve_session` with the idle limit, in a short unit of work of its own that commits only when it wrote
    (a stale last use refreshed, an idle session revoked): most requests read and write nothing else."""
    with uow_factory() as uow:
        who, wrote = _resolve(uow, token=token, now=now, idle_s=idle_s)
        if wrote:
            uow.commit()
    return who


def _resolve(uow: UnitOfWork, *, token: str, now: dt.datetime, idle_s: int | None) -> tuple[Principal | None, bool]:
    """(the principal or None, whether a session row was written)."""
    if not token or len(token) > 128:
        return None, False
    repo = uow.staff
    token_hash = hash_token(token)
    row = repo.session(token_hash)
    if row is None or row.revoked_at is not None or aware(row.expires_at) <= now:
        return None, False
    alive, wrote = (
        (True, False) if idle_s is None else _idle_check(uow, row, token_hash=token_hash, now=now, idle_s=idle_s)
    )
    if not alive:
        return None, wrote
    if row.kind == "borrower":
        return Principal(
            kind="borrower", csrf=row.csrf_token, expires_at=aware(row.expires_at), borrower_id=row.borrower_id
        ), wrote
    return _staff_principal(repo, row), wrote


def _staff_principal(repo: Any, row: Any) -> Principal | None:
    user = repo.user(row.staff_id)
    if user is None or not user.active:
        return None
    roles = repo.roles_of(user.id)
    must_enrol = bool(roles & TOTP_ROLES) or user.totp_reset_at is not None
    return Principal(
        kind="staff",
        csrf=row.csrf_token,
        expires_at=aware(row.expires_at),
        staff_id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=roles,
        second_factor_missing=must_enrol and user.totp_enabled_at is None,
    )


def _idle_check(uow: UnitOfWork, row: Any, *, token_hash: str, now: dt.datetime, idle_s: int) -> tuple[bool, bool]:
    """(alive, wrote): not alive (the session revoked, the event logged) when it has been idle `idle_s` seconds or
    more; alive otherwise, its last use refreshed if the recorded one is SESSION_SEEN_REFRESH_S old or more."""
    last_seen = aware(row.last_seen_at)
    if now - last_seen >= dt.timedelta(seconds=idle_s):
        uow.staff.revoke_session(token_hash, at=now)
        record_auth_event(
            "session.idle_expired",
            at=now,
            staff_id=row.staff_id,
            borrower_id=None if row.borrower_id is None else int(row.borrower_id),
            reason=row.kind,
        )
        return False, True
    # At most once a minute, and at least four times per idle period (a 1-minute idle limit must not end a session
    # used every 35 s because its last use was not written).
    seen_before = now - dt.timedelta(seconds=min(SESSION_SEEN_REFRESH_S, idle_s // 4))
    if last_seen > seen_before:
        return True, False
    uow.staff.touch_session(token_hash, at=now, seen_before=seen_before + dt.timedelta(microseconds=1))
    return True, True


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
    code to the channel layer. The code is stored only as an HMAC. Every request counts against the number's
    CODES_PER_PHONE_PER_HOUR_MAX, a borrower's number or not (so the limit tells no one who is a borrower),
    in one atomic upsert (so concurrent requests cannot all pass it). A new code supersedes older ones.
    """
    e164 = normalize_phone(phone)
    phone_key = keyed_hmac(secret, "phone", e164)
    repo = uow.staff
    requested = repo.count_hit(f"code:{phone_key}", now=now, window_s=CODE_REQUEST_WINDOW_S)
    if requested > CODES_PER_PHONE_PER_HOUR_MAX:
        record_auth_event("borrower.code.limited", at=now, phone_hmac=phone_key, reason="per_phone_hour")
        raise TooManyCodes()
    record_auth_event("borrower.code.requested", at=now, phone_hmac=phone_key)
    found = find_borrower(e164)
    if found is None:
        return  # same response as success: the form must not reveal who is a borrower
    borrower_id = BorrowerId(int(found))  # a hook may answer with the id's text
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    repo.supersede_codes(phone_key, at=now)
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
    """Exchange the newest code of this phone, unexpired and unused, for a borrower session; None when refused.

    Each attempt is counted in SQL before the code is compared (one UPDATE … RETURNING, so concurrent guesses
    cannot exceed CODE_ATTEMPTS_MAX), and a code is spent by one conditional UPDATE (it logs in once). A refusal
    does not raise, so the caller commits the attempt counter before it answers InvalidCode (raising would roll
    the count back and allow guessing).
    """
    try:
        e164 = normalize_phone(phone)
    except InvalidPhone:
        return None
    phone_key = keyed_hmac(secret, "phone", e164)
    repo = uow.staff
    row = repo.latest_code(phone_key)
    if row is None or not repo.reserve_code_attempt(row.id, attempts_max=CODE_ATTEMPTS_MAX, now=now):
        record_auth_event("borrower.login.failed", at=now, phone_hmac=phone_key, reason="no_live_code")
        return None
    expected = keyed_hmac(secret, "code", phone_key, str(code).strip())
    if not hmac.compare_digest(expected, row.code_hmac) or not repo.use_code(row.id, at=now):
        record_auth_event("borrower.login.failed", at=now, phone_hmac=phone_key, reason="wrong_code")
        return None
    record_auth_event("borrower.login.succeeded", at=now, borrower_id=row.borrower_id, phone_hmac=phone_key)
    return _open_session(uow, kind="borrower", staff_id=None, borrower_id=row.borrower_id, now=now, ttl_s=ttl_s)
