"""Gate preview: `POST /api/v1/policy/decisions` is the gate contract over HTTP.

The request is the contract's request object (unknown keys ignored; a missing
or malformed field is a deny, never an error) and the answer is the decision.
It only previews: nothing is sent and nothing is logged as a contact.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends

from fairdue.web.auth import STAFF_ANY, requires
from fairdue.web.compose import decide

router = APIRouter(prefix="/policy", tags=["policy"])

DECISION_EXAMPLE = {
    "allowed": False,
    "jurisdiction": "CN",
    "pack": "CN@2026-01-30",
    "violations": [
        {
            "rule": "CN.CBA2026.hours",
            "category": "time_window",
            "reason_en": "outside 08:00-21:00 borrower-local time",
            "reason_zh": "不在借款人当地时间08:00-21:00之内",
            "evidence": {"local_time": "21:30", "window": "08:00-21:00"},
        }
    ],
    "warnings": [],
    "next_allowed_at": "2026-03-03T00:00:00Z",
}
REQUEST_EXAMPLE = {
    "jurisdiction": "CN",
    "at": "2026-03-02T12:30:00Z",
    "channel": "sms",
    "purpose": "collection",
    "debt": {"id": "D1", "time_barred": False},
    "recipient": {"role": "borrower", "address": "+8613800138000", "source": "contract"},
    "borrower": {"time_zones": ["Asia/Shanghai"]},
    "history": [],
    "message": {"language": "zh", "text": "【示例银行】您的账单已逾期，请通过官方App还款。"},
}


def preview(request: dict[str, Any]) -> dict[str, Any]:
    """The gate's decision for `request` (pure; see fairdue.policy.decide)."""
    return decide(request)


@router.post(
    "/decisions",
    summary="Preview a contact decision (the gate contract)",
    response_description="The decision: allowed only when violations is empty",
    responses={200: {"content": {"application/json": {"example": DECISION_EXAMPLE}}}},
)
def post_decision(
    request: dict[str, Any] = Body(..., examples=[REQUEST_EXAMPLE]),
    _staff=Depends(requires(*STAFF_ANY)),
) -> dict[str, Any]:
    return preview(request)
