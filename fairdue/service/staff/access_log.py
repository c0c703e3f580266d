"""Who saw a borrower's personal data unmasked, when, and why.

Staff see PII masked (name 张*, phone 138****8000, ID last 4). A role that
needs the clear data (supervisor, compliance, admin) may reveal it with a
stated purpose; every reveal is a row here, in the same transaction as the
read, and the borrower's data export does not hide it from compliance.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import BorrowerId
from fairdue.errors import Invalid

REVEAL_ROLES = ("supervisor", "compliance", "admin")
PURPOSE_LENGTH_MIN = 5
PURPOSE_LENGTH_MAX = 255


class PurposeRequired(Invalid):
    def __init__(self) -> None:
        super().__init__(f"state why you need the unmasked data ({PURPOSE_LENGTH_MIN}–{PURPOSE_LENGTH_MAX} characters)")


def record(
    uow: UnitOfWork,
    *,
    staff_id: int,
    borrower_id: BorrowerId,
    fields: list[str],
    purpose: str,
    route: str,
    now: dt.datetime,
) -> int:
    """Write one unmasked read with its stated purpose; refused (PurposeRequired) without a real purpose."""
    purpose = (purpose or "").strip()
    if not PURPOSE_LENGTH_MIN <= len(purpose) <= PURPOSE_LENGTH_MAX:
        raise PurposeRequired()
    return uow.staff.add_access(
        at=now, staff_id=staff_id, borrower_id=borrower_id, fields=fields, purpose=purpose, route=route
    )


def entries(uow: UnitOfWork, *, borrower_id: BorrowerId | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The access log, newest first (of one borrower, or of all)."""
    return uow.staff.access_entries(borrower_id=borrower_id, limit=limit)
