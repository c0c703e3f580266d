"""Staff accounts over the API, admin only: reset a staff member's lost authenticator (ASVS V2.5.x, V2.8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from fairdue.service.staff import audit_trail
from fairdue.service.staff.auth import Principal
from fairdue.service.staff.authenticator_reset import RESET_REASONS, RESET_ROLE, reset_authenticator
from fairdue.web.auth import Unit, requires

router = APIRouter(prefix="/staff", tags=["staff accounts"])
Admin = Annotated[Principal, Depends(requires(RESET_ROLE))]


class AuthenticatorResetCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64, description="The staff member whose authenticator is lost")
    reason: str = Field(
        max_length=40,
        description="Why: recorded in the staff audit trail",
        json_schema_extra={"enum": list(RESET_REASONS)},
    )


class AuthenticatorResetRead(BaseModel):
    staff_id: int
    username: str
    sessions_ended: int = Field(description="Their sessions ended by the reset")


@router.post(
    "/authenticator-resets",
    status_code=201,
    response_model=AuthenticatorResetRead,
    summary="Reset a staff member's lost authenticator (admin; not one's own): ends their sessions, and their "
    "next login must set up a new one",
)
def create_reset(body: AuthenticatorResetCreate, who: Admin, unit: Unit) -> AuthenticatorResetRead:
    done = reset_authenticator(
        unit,
        actor=audit_trail.actor_of(who, via="api"),
        username=body.username,
        reason=body.reason,
        now=unit.clock(),
    )
    unit.commit()
    return AuthenticatorResetRead(staff_id=done.staff_id, username=done.username, sessions_ended=done.sessions_ended)
