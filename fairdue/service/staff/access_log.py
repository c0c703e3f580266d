"""Who saw a borrower's personal data unmasked, when, and why.

Staff see PII masked (name 张*, phone 138****8000, ID last 4). A role that
needs the clear data (supervisor, compliance, admin) may reveal it with a
stated purpose; every reveal is a row here, in the same transaction as the
read, and the borrower's data export does not hide it from compliance.

A purpose is one of REVEAL_PURPOSES plus a free-text detail of meaningful length (ASVS V8.3.5): at least
PURPOSE_DETAIL_WEIGHT_MIN (a CJK character counts two), at least PURPOSE_DETAIL_DISTINCT_MIN distinct
characters, some of them letters. Each reveal is also a `pii.revealed` row of the staff audit trail (the
purpose code and fields, no free text).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fairdue.adapters.db.repos.staff_audit import StaffActor, staff_audit_of
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import BorrowerId
from fairdue.errors import Invalid

REVEAL_ROLES = ("supervisor", "compliance", "admin")
# Why staff may see a borrower's personal data unmasked: the stable codes the form offers (labels in
# messages.toml under reveal.purpose.<code>).
REVEAL_PURPOSES = (
    "borrower_request",
    "dispute_handling",
    "complaint_handling",
    "data_rights_request",
    "regulator_request",
    "fraud_check",
)
PURPOSE_DETAIL_WEIGHT_MIN = 16  # characters, a CJK character counting two (8 Chinese or 16 Latin characters)
PURPOSE_DETAIL_DISTINCT_MIN = 6  # "aaaaaaaaaaaaaaaa", "testtesttest" and "asdfasdf..." are not a purpose
PURPOSE_LENGTH_MAX = 255  # the access log's column: "<code>: <detail>"
PURPOSE_DETAIL_CHARS_MAX = PURPOSE_LENGTH_MAX - 2 - max(len(p) for p in REVEAL_PURPOSES)

# code → (en, zh): why a purpose was refused.
PURPOSE_REFUSALS = {
    "purpose_unknown": (
        "choose why you need the unmasked data from the list",
        "请从列表中选择查看完整个人信息的目的",
    ),
    "detail_too_short": (
        "describe the purpose in a few words (at least 16 characters, or 8 Chinese characters)",
        "请用几句话说明目的（至少 16 个字符，或 8 个汉字）",
    ),
    "detail_too_long": (
        f"the purpose is too long (at most {PURPOSE_DETAIL_CHARS_MAX} characters)",
        f"目的说明过长（最多 {PURPOSE_DETAIL_CHARS_MAX} 个字符）",
    ),
    "detail_not_meaningful": (
        "the purpose must say what you are doing (not repeated or placeholder characters)",
        "目的说明须写明实际事由（不能是重复或占位字符）",
    ),
}


class PurposeRequired(Invalid):
    """A reveal without an acceptable purpose; `code` is a key of PURPOSE_REFUSALS, with `reason_en`/`reason_zh`."""

    def __init__(self, code: str = "detail_too_short") -> None:
        self.code = code
        self.reason_en, self.reason_zh = PURPOSE_REFUSALS[code]
        super().__init__(f"{self.reason_en} / {self.reason_zh}")


def _weight(text: str) -> int:
    """Length with each CJK character counted twice (a Chinese character says about what two letters do)."""
    return sum(2 if "\u3400" <= ch <= "\u9fff" else 1 for ch in text)


def checked_purpose(purpose: str, detail: str) -> str:
    """The purpose as stored ("<code>: <detail>"), or PurposeRequired with the reason it is refused."""
    if purpose not in REVEAL_PURPOSES:
        raise PurposeRequired("purpose_unknown")
    text = " ".join((detail or "").split())
    if len(text) > PURPOSE_DETAIL_CHARS_MAX:
        raise PurposeRequired("detail_too_long")
    if _weight(text) < PURPOSE_DETAIL_WEIGHT_MIN:
        raise PurposeRequired("detail_too_short")
    meaningful = {ch.casefold() for ch in text if ch.isalnum()}
    if len(meaningful) < PURPOSE_DETAIL_DISTINCT_MIN or not any(ch.isalpha() for ch in text):
        raise PurposeRequired("detail_not_meaningful")
    return f"{purpose}: {text}"


def record(
    uow: UnitOfWork,
    *,
    staff_id: int,
    borrower_id: BorrowerId,
    fields: list[str],
    purpose: str,
    detail: str,
    route: str,
    now: dt.datetime,
    via: str = "console",
) -> int:
    """Write one unmasked read with its purpose (a REVEAL_PURPOSES code and a meaningful detail) to the access
    log and the staff audit trail; refused (PurposeRequired, nothing written) without a real purpose."""
    stated = checked_purpose(purpose, detail)
    access_id = uow.staff.add_access(
        at=now, staff_id=staff_id, borrower_id=borrower_id, fields=fields, purpose=stated, route=route
    )
    staff_audit_of(uow).append(
        actor=StaffActor(staff_id=staff_id, via=via),
        action="pii.revealed",
        subject_kind="borrower",
        subject_id=int(borrower_id),
        details={"purpose": purpose, "fields": sorted(fields), "access_id": access_id},
    )
    return access_id


def entries(uow: UnitOfWork, *, borrower_id: BorrowerId | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """The access log, newest first (of one borrower, or of all)."""
    return uow.staff.access_entries(borrower_id=borrower_id, limit=limit)
