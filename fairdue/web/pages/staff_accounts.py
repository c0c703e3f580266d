"""The console's authenticator reset (admin only): a staff member lost their authenticator; an admin (not them)
resets it with a reason, their sessions end, and their next login must set up a new one (ASVS V2.5.x, V2.8).
A POST form, CSRF-checked like every cookie-authenticated form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse

from fairdue.errors import FairdueError
from fairdue.service.staff import audit_trail
from fairdue.service.staff import authenticator_reset as reset_service
from fairdue.service.staff.auth import Principal
from fairdue.web.auth import Unit, requires
from fairdue.web.problems import status_for
from fairdue.web.templating import render

router = APIRouter(prefix="/console", include_in_schema=False)
Admin = Annotated[Principal, Depends(requires(reset_service.RESET_ROLE))]
PAGE = "console/authenticator_reset.html"

# Refusal → the zh/en message key the page shows.
_REFUSALS: dict[type[FairdueError], str] = {
    reset_service.UnknownStaff: "authenticator_reset.unknown_staff",
    reset_service.NothingToReset: "authenticator_reset.nothing",
    reset_service.UnknownResetReason: "authenticator_reset.reason_required",
}


def _context(**extra: object) -> dict[str, object]:
    return {"reasons": reset_service.RESET_REASONS, "error": None, "done": None, "username": "", **extra}


@router.get("/authenticator-reset", response_class=HTMLResponse)
def reset_form(request: Request, who: Admin) -> HTMLResponse:
    return render(request, PAGE, _context())


@router.post("/authenticator-reset", response_class=HTMLResponse)
def reset_submit(
    request: Request,
    who: Admin,
    unit: Unit,
    username: str = Form(..., max_length=64),
    reason: str = Form("", max_length=40),
) -> HTMLResponse:
    try:
        done = reset_service.reset_authenticator(
            unit, actor=audit_trail.actor_of(who, via="console"), username=username, reason=reason, now=unit.clock()
        )
    except reset_service.ResetNotAllowed as err:
        ctx = _context(error=f"authenticator_reset.{err.reason}", username=username)
        return render(request, PAGE, ctx, status_code=status_for(err))
    except tuple(_REFUSALS) as err:
        ctx = _context(error=_REFUSALS[type(err)], username=username)
        return render(request, PAGE, ctx, status_code=status_for(err))
    unit.commit()
    return render(request, PAGE, _context(done=done))
