"""The staff context's rows: staff users and their roles, web sessions, borrowers' one-time login codes, and the
access log of unmasked reads (who saw a borrower's personal data, when, why).

Secrets arrive here already hashed (argon2 password hashes, SHA-256 session tokens, HMAC'd codes and phones)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import postgresql, sqlite

from fairdue.adapters.db.schema.web import (
    STAFF_ROLES,
    access_log,
    auth_counters,
    login_codes,
    staff_recovery_codes,
    staff_roles,
    staff_users,
    web_sessions,
)
from fairdue.domain.borrowers import BorrowerId

__all__ = ["STAFF_ROLES", "StaffRepository"]

FIELDS_CHARS_MAX = 255  # the column's width: the sorted field names, comma-separated
ROUTE_CHARS_MAX = 255


class StaffRepository:
    """Named reads and writes of the staff context, on one unit of work's connection."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock

    def add_access(
        self, *, at: datetime, staff_id: int, borrower_id: BorrowerId, fields: list[str], purpose: str, route: str
    ) -> int:
        """One unmasked read, written in the reading transaction; returns its id."""
        access_id: int = self.conn.execute(
            sa.insert(access_log)
            .values(
                at=at,
                staff_id=staff_id,
                borrower_id=borrower_id,
                fields=",".join(sorted(fields))[:FIELDS_CHARS_MAX],
                purpose=purpose,
                route=route[:ROUTE_CHARS_MAX],
            )
            .returning(access_log.c.id)
        ).scalar_one()
        return access_id

    def access_entries(self, *, borrower_id: BorrowerId | None, limit: int) -> list[dict[str, Any]]:
        """The newest unmasked reads first (of one borrower, or of all), each with the staff member's username."""
        q = (
            sa.select(access_log, staff_users.c.username)
            .join(staff_users, staff_users.c.id == access_log.c.staff_id)
            .order_by(access_log.c.id.desc())
            .limit(limit)
        )
        if borrower_id is not None:
            q = q.where(access_log.c.borrower_id == borrower_id)
        return [dict(r._mapping) for r in self.conn.execute(q)]

    # -- staff users and roles -------------------------------------------------------------------

    def add_user(self, *, username: str, display_name: str, password_hash: str, created_at: datetime) -> int:
        """A new active staff user; returns its id."""
        staff_id: int = self.conn.execute(
            sa.insert(staff_users)
            .values(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                active=True,
                created_at=created_at,
            )
            .returning(staff_users.c.id)
        ).scalar_one()
        return staff_id

    def grant_roles(self, staff_id: int, roles: list[str]) -> None:
        """Give a staff user these roles (one executemany)."""
        self.conn.execute(sa.insert(staff_roles), [{"staff_id": staff_id, "role": r} for r in roles])

    def user_by_username(self, username: str) -> sa.Row | None:
        """The staff user with this username (every column), or None."""
        return self.conn.execute(sa.select(staff_users).where(staff_users.c.username == username)).first()

    def id_of_username(self, username: str) -> int | None:
        """The id of the staff user with this username, or None (the demo's "already there?" check)."""
        staff_id: int | None = self.conn.execute(
            sa.select(staff_users.c.id).where(staff_users.c.username == username)
        ).scalar()
        return staff_id

    def user(self, staff_id: int) -> sa.Row | None:
        """The staff user with this id (every column), or None."""
        return self.conn.execute(sa.select(staff_users).where(staff_users.c.id == staff_id)).first()

    def roles_of(self, staff_id: int) -> frozenset[str]:
        """The roles a staff user holds."""
        return frozenset(
            self.conn.execute(sa.select(staff_roles.c.role).where(staff_roles.c.staff_id == staff_id)).scalars()
        )

    def reserve_login_attempt(
        self,
        *,
        username: str | None = None,
        staff_id: int | None = None,
        now: datetime,
        attempts_max: int,
        lock_until: datetime,
    ) -> sa.Row | None:
        """Count one login attempt against an active, unlocked user before its password is checked, in one
        UPDATE … RETURNING (so concurrent attempts each see the count the others left): the attempt that
        reaches `attempts_max` locks the user until `lock_until` and starts the count again. None when the user
        is unknown, inactive or locked (no attempt is possible). A good password clears it (`finish_login`)."""
        reaches_max = staff_users.c.failed_logins + 1 >= attempts_max
        q = sa.update(staff_users).where(staff_users.c.active.is_(True))
        q = q.where(staff_users.c.username == username) if staff_id is None else q.where(staff_users.c.id == staff_id)
        return self.conn.execute(
            q.where(sa.or_(staff_users.c.locked_until.is_(None), staff_users.c.locked_until <= now))
            .values(
                failed_logins=sa.case((reaches_max, 0), else_=staff_users.c.failed_logins + 1),
                locked_until=sa.case(
                    (reaches_max, sa.literal(lock_until, staff_users.c.locked_until.type)), else_=None
                ),
            )
            .returning(*staff_users.c)
        ).first()

    def finish_login(self, staff_id: int, *, verified_hash: str, new_password_hash: str | None = None) -> bool:
        """After a good password (checked against `verified_hash`): no wrong-password count, no lock, and the new
        hash when one is given. False when the user was deactivated or its password changed meanwhile."""
        updates: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
        if new_password_hash is not None:
            updates["password_hash"] = new_password_hash
        done = self.conn.execute(
            sa.update(staff_users)
            .where(staff_users.c.id == staff_id)
            .where(staff_users.c.active.is_(True))
            .where(staff_users.c.password_hash == verified_hash)
            .values(**updates)
            .returning(staff_users.c.id)
        ).first()
        return done is not None

    def set_password(self, staff_id: int, *, verified_hash: str, new_hash: str, at: datetime) -> bool:
        """Replace the password hash, if it is still `verified_hash`; False when it changed meanwhile."""
        done = self.conn.execute(
            sa.update(staff_users)
            .where(staff_users.c.id == staff_id)
            .where(staff_users.c.password_hash == verified_hash)
            .values(password_hash=new_hash, password_changed_at=at, failed_logins=0, locked_until=None)
            .returning(staff_users.c.id)
        ).first()
        return done is not None

    # -- second factor (TOTP) and recovery codes ---------------------------------------------------

    def set_totp_pending(self, staff_id: int, *, secret_ct: str) -> None:
        """Store a new TOTP secret (encrypted) awaiting its first code; the second factor is off until then."""
        self.conn.execute(
            sa.update(staff_users)
            .where(staff_users.c.id == staff_id)
            .values(totp_secret_ct=secret_ct, totp_enabled_at=None, totp_last_step=None)
        )

    def accept_totp_step(self, staff_id: int, *, step: int) -> bool:
        """Record that the code of time step `step` was accepted, only if no code of this step or a later one was
        accepted before (one UPDATE, so a code cannot be replayed, even by concurrent requests)."""
        done = self.conn.execute(
            sa.update(staff_users)
            .where(staff_users.c.id == staff_id)
            .where(sa.or_(staff_users.c.totp_last_step.is_(None), staff_users.c.totp_last_step < step))
            .values(totp_last_step=step)
            .returning(staff_users.c.id)
        ).first()
        return done is not None

    def enable_totp(self, staff_id: int, *, at: datetime) -> None:
        """The pending TOTP secret is confirmed: from now on login needs a code."""
        self.conn.execute(sa.update(staff_users).where(staff_users.c.id == staff_id).values(totp_enabled_at=at))

    def replace_recovery_codes(self, staff_id: int, *, code_hashes: list[str], at: datetime) -> None:
        """Drop the user's recovery codes and store these (hashed) in their place."""
        self.conn.execute(sa.delete(staff_recovery_codes).where(staff_recovery_codes.c.staff_id == staff_id))
        self.conn.execute(
            sa.insert(staff_recovery_codes),
            [{"staff_id": staff_id, "code_hash": h, "created_at": at} for h in code_hashes],
        )

    def use_recovery_code(self, staff_id: int, *, code_hash: str, at: datetime) -> bool:
        """Spend one unused recovery code of this user; False when there is none with this hash (one UPDATE, so
        two concurrent logins cannot both spend it)."""
        done = self.conn.execute(
            sa.update(staff_recovery_codes)
            .where(staff_recovery_codes.c.staff_id == staff_id)
            .where(staff_recovery_codes.c.code_hash == code_hash)
            .where(staff_recovery_codes.c.used_at.is_(None))
            .values(used_at=at)
            .returning(staff_recovery_codes.c.id)
        ).first()
        return done is not None

    def reset_totp(self, staff_id: int, *, at: datetime) -> bool:
        """Forget the user's authenticator (secret, confirmation, last step) and spend every recovery code left;
        mark the reset so the user must enrol a new one. False when the user has no authenticator, set up or
        pending (nothing to reset)."""
        done = self.conn.execute(
            sa.update(staff_users)
            .where(staff_users.c.id == staff_id)
            .where(sa.or_(staff_users.c.totp_secret_ct.is_not(None), staff_users.c.totp_enabled_at.is_not(None)))
            .values(totp_secret_ct=None, totp_enabled_at=None, totp_last_step=None, totp_reset_at=at)
            .returning(staff_users.c.id)
        ).first()
        if done is None:
            return False
        self.conn.execute(
            sa.update(staff_recovery_codes)
            .where(staff_recovery_codes.c.staff_id == staff_id)
            .where(staff_recovery_codes.c.used_at.is_(None))
            .values(used_at=at)
        )
        return True

    def recovery_codes_left(self, staff_id: int) -> int:
        """How many unused recovery codes this user has."""
        left: int = self.conn.execute(
            sa.select(sa.func.count())
            .select_from(staff_recovery_codes)
            .where(staff_recovery_codes.c.staff_id == staff_id)
            .where(staff_recovery_codes.c.used_at.is_(None))
        ).scalar_one()
        return left

    # -- web sessions ----------------------------------------------------------------------------

    def add_session(
        self,
        *,
        token_hash: str,
        kind: str,
        staff_id: int | None,
        borrower_id: BorrowerId | None,
        csrf_token: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        """A new web session, stored under its token's hash."""
        self.conn.execute(
            sa.insert(web_sessions).values(
                token_hash=token_hash,
                kind=kind,
                staff_id=staff_id,
                borrower_id=borrower_id,
                csrf_token=csrf_token,
                created_at=created_at,
                expires_at=expires_at,
                last_seen_at=created_at,
            )
        )

    def session(self, token_hash: str) -> sa.Row | None:
        """The web session stored under this token hash (live or not), or None."""
        return self.conn.execute(sa.select(web_sessions).where(web_sessions.c.token_hash == token_hash)).first()

    def revoke_other_sessions(self, staff_id: int, *, keep_token_hash: str | None, at: datetime) -> int:
        """End every live session of this staff user but the one under `keep_token_hash`; returns how many."""
        q = (
            sa.update(web_sessions)
            .where(web_sessions.c.staff_id == staff_id)
            .where(web_sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if keep_token_hash is not None:
            q = q.where(web_sessions.c.token_hash != keep_token_hash)
        return self.conn.execute(q).rowcount

    def revoke_sessions_of(
        self,
        *,
        staff_id: int | None = None,
        borrower_id: BorrowerId | None = None,
        keep_token_hash: str | None,
        at: datetime,
    ) -> int:
        """End every live session of one staff member or one borrower (exactly one of the two) but the one under
        `keep_token_hash`; returns how many."""
        if staff_id is not None:
            return self.revoke_other_sessions(staff_id, keep_token_hash=keep_token_hash, at=at)
        if borrower_id is None:
            raise ValueError("revoke_sessions_of needs a staff_id or a borrower_id")
        q = (
            sa.update(web_sessions)
            .where(web_sessions.c.kind == "borrower")
            .where(web_sessions.c.borrower_id == borrower_id)
            .where(web_sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        if keep_token_hash is not None:
            q = q.where(web_sessions.c.token_hash != keep_token_hash)
        return self.conn.execute(q).rowcount

    def revoke_session_by_handle(
        self, handle: str, *, staff_id: int | None = None, borrower_id: BorrowerId | None = None, at: datetime
    ) -> int:
        """End the live session whose token hash starts with `handle` (lower-case hex), only among the sessions
        of this staff member or borrower (exactly one of the two); returns how many (0 or 1)."""
        owner = (
            web_sessions.c.staff_id == staff_id
            if staff_id is not None
            else sa.and_(web_sessions.c.kind == "borrower", web_sessions.c.borrower_id == borrower_id)
        )
        return self.conn.execute(
            sa.update(web_sessions)
            .where(owner)
            .where(web_sessions.c.token_hash.startswith(handle, autoescape=True))
            .where(web_sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        ).rowcount

    def touch_session(self, token_hash: str, *, at: datetime, seen_before: datetime) -> None:
        """Record a use of the session at `at`, only if its last recorded use is older than `seen_before` (one
        conditional UPDATE: at most one write per session per refresh interval, however many requests race)."""
        self.conn.execute(
            sa.update(web_sessions)
            .where(web_sessions.c.token_hash == token_hash)
            .where(web_sessions.c.last_seen_at < seen_before)
            .where(web_sessions.c.revoked_at.is_(None))
            .values(last_seen_at=at)
        )

    def revoke_session(self, token_hash: str, *, at: datetime) -> None:
        """End the session under this token hash, unless it is already ended."""
        self.conn.execute(
            sa.update(web_sessions)
            .where(web_sessions.c.token_hash == token_hash)
            .where(web_sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    # -- borrowers' one-time login codes ---------------------------------------------------------

    def count_hit(self, key: str, *, now: datetime, window_s: int) -> int:
        """Count one hit on the fixed-window counter `key` and return the hits in its window, this one included:
        one INSERT … ON CONFLICT DO UPDATE … RETURNING, so concurrent hits never read the same count. A window
        older than `window_s` starts again at this hit."""
        insert = (postgresql.insert if self.conn.dialect.name == "postgresql" else sqlite.insert)(auth_counters)
        expired = auth_counters.c.window_started_at <= now - timedelta(seconds=window_s)
        stmt = insert.values(key=key, window_started_at=now, hits=1)
        stmt = stmt.on_conflict_do_update(
            index_elements=[auth_counters.c.key],
            set_={
                "hits": sa.case((expired, 1), else_=auth_counters.c.hits + 1),
                "window_started_at": sa.case(
                    (expired, sa.literal(now, auth_counters.c.window_started_at.type)),
                    else_=auth_counters.c.window_started_at,
                ),
            },
        )
        hits: int = self.conn.execute(stmt.returning(auth_counters.c.hits)).scalar_one()
        return hits

    def supersede_codes(self, phone_hmac: str, *, at: datetime) -> None:
        """A newer code is on its way: every unused code of this phone can no longer be used."""
        self.conn.execute(
            sa.update(login_codes)
            .where(login_codes.c.phone_hmac == phone_hmac)
            .where(login_codes.c.used_at.is_(None))
            .values(used_at=at)
        )

    def add_login_code(
        self, *, phone_hmac: str, borrower_id: BorrowerId, code_hmac: str, created_at: datetime, expires_at: datetime
    ) -> None:
        """A new one-time code (as its HMAC) for a borrower's phone, with no attempts yet."""
        self.conn.execute(
            sa.insert(login_codes).values(
                phone_hmac=phone_hmac,
                borrower_id=borrower_id,
                code_hmac=code_hmac,
                created_at=created_at,
                expires_at=expires_at,
                attempts=0,
            )
        )

    def latest_code(self, phone_hmac: str) -> sa.Row | None:
        """The newest code for this phone (used, superseded, expired or not), or None: only it can ever log in."""
        return self.conn.execute(
            sa.select(login_codes)
            .where(login_codes.c.phone_hmac == phone_hmac)
            .order_by(login_codes.c.id.desc())
            .limit(1)
        ).first()

    def reserve_code_attempt(self, code_id: int, *, attempts_max: int, now: datetime) -> bool:
        """Count one attempt at this code before it is compared, if it is unused, unexpired and has attempts left
        (one UPDATE … RETURNING, so concurrent guesses never exceed `attempts_max`); False otherwise."""
        done = self.conn.execute(
            sa.update(login_codes)
            .where(login_codes.c.id == code_id)
            .where(login_codes.c.used_at.is_(None))
            .where(login_codes.c.expires_at > now)
            .where(login_codes.c.attempts < attempts_max)
            .values(attempts=login_codes.c.attempts + 1)
            .returning(login_codes.c.id)
        ).first()
        return done is not None

    def use_code(self, code_id: int, *, at: datetime) -> bool:
        """Mark this code used, only if it was not (one UPDATE: of two concurrent logins with it, one wins)."""
        done = self.conn.execute(
            sa.update(login_codes)
            .where(login_codes.c.id == code_id)
            .where(login_codes.c.used_at.is_(None))
            .values(used_at=at)
            .returning(login_codes.c.id)
        ).first()
        return done is not None
