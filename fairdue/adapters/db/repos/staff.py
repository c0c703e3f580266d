"""The staff context's rows: staff users and their roles, web sessions, borrowers' one-time login codes, and the
access log of unmasked reads (who saw a borrower's personal data, when, why).

Secrets arrive here already hashed (argon2 password hashes, SHA-256 session tokens, HMAC'd codes and phones)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.web import STAFF_ROLES, access_log, login_codes, staff_roles, staff_users, web_sessions
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

    def set_failed_logins(self, staff_id: int, *, failed_logins: int, locked_until: datetime | None) -> None:
        """Store a user's wrong-password count and lock (both as computed by the caller)."""
        self.conn.execute(
            sa.update(staff_users)
            .where(staff_users.c.id == staff_id)
            .values(failed_logins=failed_logins, locked_until=locked_until)
        )

    def clear_failed_logins(self, staff_id: int, *, new_password_hash: str | None = None) -> None:
        """After a good password: no wrong-password count, no lock, and the new hash when one is given."""
        updates: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
        if new_password_hash is not None:
            updates["password_hash"] = new_password_hash
        self.conn.execute(sa.update(staff_users).where(staff_users.c.id == staff_id).values(**updates))

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
            )
        )

    def session(self, token_hash: str) -> sa.Row | None:
        """The web session stored under this token hash (live or not), or None."""
        return self.conn.execute(sa.select(web_sessions).where(web_sessions.c.token_hash == token_hash)).first()

    def revoke_session(self, token_hash: str, *, at: datetime) -> None:
        """End the session under this token hash, unless it is already ended."""
        self.conn.execute(
            sa.update(web_sessions)
            .where(web_sessions.c.token_hash == token_hash)
            .where(web_sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    # -- borrowers' one-time login codes ---------------------------------------------------------

    def codes_sent_since(self, phone_hmac: str, since: datetime) -> int:
        """How many codes were stored for this phone after `since`."""
        sent: int = self.conn.execute(
            sa.select(sa.func.count())
            .select_from(login_codes)
            .where(login_codes.c.phone_hmac == phone_hmac)
            .where(login_codes.c.created_at > since)
        ).scalar_one()
        return sent

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

    def latest_unused_code(self, phone_hmac: str) -> sa.Row | None:
        """The newest code for this phone not yet used (expired or not), or None."""
        return self.conn.execute(
            sa.select(login_codes)
            .where(login_codes.c.phone_hmac == phone_hmac)
            .where(login_codes.c.used_at.is_(None))
            .order_by(login_codes.c.id.desc())
            .limit(1)
        ).first()

    def count_code_attempt(self, code_id: int) -> None:
        """One more wrong guess at this code (added in SQL)."""
        self.conn.execute(
            sa.update(login_codes).where(login_codes.c.id == code_id).values(attempts=login_codes.c.attempts + 1)
        )

    def use_code(self, code_id: int, *, at: datetime) -> None:
        """Mark this code used."""
        self.conn.execute(sa.update(login_codes).where(login_codes.c.id == code_id).values(used_at=at))
