"""A debt's contact history over the API: every gate decision about contacting anyone about the line —
allowed or denied, with the reasons — from the hash-chained decision log. The same items the portal's
contact log and the console's account page show (fairdue/service/contact/decision_log.py `contact_history`), for staff
or the line's own borrower. Addresses are masked in the log itself."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from fairdue.service.contact.decision_log import contact_history
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.web.api.common import LineId, aware, require_roles_or_owner, visible_line
from fairdue.web.auth import STAFF_ANY, Caller, Unit

router = APIRouter(tags=["contacts"])
CONTACTS_LIMIT_MAX = 500


class ReasonRead(BaseModel):
    rule: str
    category: str
    reason_en: str
    reason_zh: str


class ContactRead(BaseModel):
    decision_seq: int
    debt_id: str
    decided_at: dt.datetime
    channel: str | None
    recipient_role: str | None = Field(description="borrower, or who else was (to be) contacted and in what role")
    address_masked: str | None
    allowed: bool
    next_allowed_at: dt.datetime | None
    outbox_status: str | None = Field(description="None when nothing was sent (denied, or a call)")
    sent_at: dt.datetime | None
    delivery_status: str | None
    reasons: list[ReasonRead]


class ContactPage(BaseModel):
    items: list[ContactRead]
    limit: int
    offset: int
    total: int


@router.get(
    "/accounts/{line_id}/contacts",
    response_model=ContactPage,
    summary="The debt's contact history, newest first (staff, or the line's own borrower)",
)
def list_contacts(
    line_id: LineId,
    who: Caller,
    unit: Unit,
    limit: int = Query(100, ge=1, le=CONTACTS_LIMIT_MAX),
    offset: int = Query(0, ge=0, le=10_000_000),
    allowed: bool | None = Query(None, description="only allowed (true) or only denied (false)"),
) -> ContactPage:
    require_roles_or_owner(who, STAFF_ANY)
    visible_line(unit.connection, who, line_id)
    debt_id = debt_id_for_line(line_id)
    items = [c for c in contact_history(unit, debt_id=debt_id) if allowed is None or c.allowed is allowed]
    items.reverse()  # contact_history is oldest first
    page = items[offset : offset + limit]
    return ContactPage(
        items=[
            ContactRead(
                decision_seq=c.decision_seq,
                debt_id=debt_id,
                decided_at=aware(c.decided_at),
                channel=c.channel,
                recipient_role=c.recipient_role,
                address_masked=c.address_masked,
                allowed=c.allowed,
                next_allowed_at=aware(c.next_allowed_at),
                outbox_status=c.outbox_status,
                sent_at=aware(c.sent_at),
                delivery_status=c.delivery_status,
                reasons=[ReasonRead(rule=r[0], category=r[1], reason_en=r[2], reason_zh=r[3]) for r in c.reasons],
            )
            for c in page
        ],
        limit=limit,
        offset=offset,
        total=len(items),
    )
