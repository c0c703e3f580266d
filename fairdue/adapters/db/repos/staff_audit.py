"""The staff audit trail's rows (issue 16, ASVS V7.1.3, V7.2.x): append and read, nothing else.

There is deliberately no update and no delete here (the table's triggers refuse both in the database as well).
Every context that changes state on a staff member's behalf writes through `StaffAuditRepository.append`, in
the same transaction as the change, so the record commits with the action or not at all. The service layer's
contexts reach it with `staff_audit_of(uow)` (servicing, collections and portal sit below the staff context and
cannot import fairdue.service.staff).

`details` is checked on write: flat JSON of short scalars under plain keys, no key that names personal data
(name, phone, e-mail, address, ID number, free text); strings at most DETAIL_TEXT_CHARS_MAX characters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.staff_audit import STAFF_AUDIT_VIAS, staff_audit
from fairdue.adapters.db.schema.web import staff_users

__all__ = [
    "ACTIONS",
    "STAFF_AUDIT_VIAS",
    "AuditDetailsInvalid",
    "StaffActor",
    "StaffAuditRepository",
    "staff_audit_of",
]

# The stable action codes (append new ones; never rename one that has rows).
ACTIONS: tuple[str, ...] = (
    "plan.accepted",
    "plan.fee_waived",
    "plan.reverted",
    "plan_request.approved",
    "plan_request.declined",
    "dispute.opened",
    "dispute.resolved",
    "cease.recorded",
    "payment.entered",
    "contact.send_requested",
    "contact.address_recorded",
    "pii.revealed",
    "data_request.answered",
    "settings.changed",
    "staff.authenticator_reset",
)
SUBJECT_KINDS: tuple[str, ...] = (
    "plan",
    "plan_request",
    "account",
    "dispute",
    "borrower",
    "payment",
    "debt",
    "data_request",
    "setting",
)
SUBJECT_KINDS += ("staff",)  # a staff account (authenticator reset)
# Complaint handling, promises, call outcomes and contact facts (issue 16, ASVS V7.1.3).
ACTIONS += (
    "complaint.taken",
    "complaint.marked_complex",
    "complaint.extended",
    "complaint.decided",
    "complaint.escalated",
    "promise.recorded",
    "call.outcome_logged",
    "contact_fact.recorded",
    "contact_fact.ended",
    "case.assigned",
)
SUBJECT_KINDS += ("complaint", "contact_fact", "case")
DETAIL_KEYS_MAX = 16
DETAIL_TEXT_CHARS_MAX = 80
SUBJECT_ID_CHARS_MAX = 64
ENTRIES_LISTED_MAX = 500
_DETAIL_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Keys that would carry personal data or free text: refused, whatever their value.
PII_KEYS = frozenset(
    {
        "name",
        "phone",
        "mobile",
        "email",
        "address",
        "id_number",
        "password",
        "code",
        "text",
        "message",
        "value",
        "resolution",
        "reason",
        "note",
        "purpose_text",
        "recipient",
    }
)


class AuditDetailsInvalid(RuntimeError):
    """An audit row that would break the trail's rules (unknown action, a detail that may carry personal data).
    A wiring bug in fairdue, never the staff member's input (so not a FairdueError: the web answers 500, the CLI
    shows the traceback); the action's transaction rolls back with it."""


@dataclass(frozen=True, slots=True)
class StaffActor:
    """Who acts: staff_id (a staff_users id) and via (api, console or cli)."""

    staff_id: int
    via: str


class _UnitLike(Protocol):
    @property
    def connection(self) -> Connection: ...

    clock: Callable[[], datetime]


def staff_audit_of(uow: _UnitLike) -> StaffAuditRepository:
    """The audit trail on this unit of work's connection and clock."""
    return StaffAuditRepository(uow.connection, clock=uow.clock)


def _checked_details(details: Mapping[str, Any]) -> str:
    if len(details) > DETAIL_KEYS_MAX:
        raise AuditDetailsInvalid(f"at most {DETAIL_KEYS_MAX} details, got {len(details)}")
    for key, value in details.items():
        if not _DETAIL_KEY.match(key) or key in PII_KEYS:
            raise AuditDetailsInvalid(f"audit detail key {key!r} is not allowed (personal data or free text)")
        items = value if isinstance(value, list | tuple) else [value]
        for item in items:
            if item is not None and not isinstance(item, bool | int | str):
                raise AuditDetailsInvalid(f"audit detail {key!r} must be scalars, got {type(item).__name__}")
            if isinstance(item, str) and len(item) > DETAIL_TEXT_CHARS_MAX:
                raise AuditDetailsInvalid(f"audit detail {key!r} longer than {DETAIL_TEXT_CHARS_MAX} characters")
    return json.dumps(dict(details), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class StaffAuditRepository:
    """Append-only writes and filtered reads of the staff audit trail, on one unit of work's connection."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock

    def append(
        self, *, actor: StaffActor, action: str, subject_kind: str, subject_id: int | str, details: Mapping[str, Any]
    ) -> int:
        """One staff action, at the unit's clock; returns the row's id. Refuses (AuditDetailsInvalid) an unknown
        action, subject kind or via, and details that break the rules above."""
        if action not in ACTIONS:
            raise AuditDetailsInvalid(f"unknown audit action {action!r}")
        if subject_kind not in SUBJECT_KINDS:
            raise AuditDetailsInvalid(f"unknown audit subject kind {subject_kind!r}")
        if actor.via not in STAFF_AUDIT_VIAS:
            raise AuditDetailsInvalid(f"unknown audit channel {actor.via!r}")
        if isinstance(actor.staff_id, bool) or not isinstance(actor.staff_id, int):
            raise AuditDetailsInvalid(f"the actor must be a staff id, got {actor.staff_id!r}")
        subject = str(subject_id)
        if not subject or len(subject) > SUBJECT_ID_CHARS_MAX:
            raise AuditDetailsInvalid(f"audit subject id must be 1 to {SUBJECT_ID_CHARS_MAX} characters")
        row_id: int = self.conn.execute(
            sa.insert(staff_audit)
            .values(
                at=self.clock(),
                staff_id=actor.staff_id,
                via=actor.via,
                action=action,
                subject_kind=subject_kind,
                subject_id=subject,
                details=_checked_details(details),
            )
            .returning(staff_audit.c.id)
        ).scalar_one()
        return row_id

    def entries(
        self, *, staff_id: int | None = None, action: str | None = None, limit: int = 200
    ) -> list[dict[str, Any]]:
        """The newest rows first, of one staff member and/or one action (or all), each with the username and
        `details` decoded."""
        q = (
            sa.select(staff_audit, staff_users.c.username)
            .join(staff_users, staff_users.c.id == staff_audit.c.staff_id)
            .order_by(staff_audit.c.id.desc())
            .limit(max(1, min(limit, ENTRIES_LISTED_MAX)))
        )
        if staff_id is not None:
            q = q.where(staff_audit.c.staff_id == staff_id)
        if action is not None:
            q = q.where(staff_audit.c.action == action)
        return [{**r._mapping, "details": json.loads(r.details)} for r in self.conn.execute(q)]

    def staff_seen(self) -> list[dict[str, Any]]:
        """The staff members with rows in the trail ({staff_id, username}), by username: the page's filter list."""
        q = (
            sa.select(staff_users.c.id.label("staff_id"), staff_users.c.username)
            .where(sa.exists().where(staff_audit.c.staff_id == staff_users.c.id))
            .order_by(staff_users.c.username)
        )
        return [dict(r._mapping) for r in self.conn.execute(q)]
