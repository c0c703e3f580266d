"""Server-rendered pages: the agent console (/console) and the borrower portal (/portal)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from fairdue.web.pages import console, portal, staff_accounts
from fairdue.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html")


router.include_router(console.router)
router.include_router(portal.router)
router.include_router(staff_accounts.router)
