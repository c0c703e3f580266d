"""Jinja2 environment for the pages: language, translations, money and time filters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from fairdue.domain.instants import aware
from fairdue.domain.money import to_decimal
from fairdue.web import i18n

DISPLAY_ZONE = "Asia/Shanghai"


def _money(amount_minor: int | None, currency: str = "CNY") -> str:
    if amount_minor is None:
        return "—"

    value = to_decimal(int(amount_minor), currency)
    sign = "-" if value < 0 else ""
    return f"{sign}{abs(value):,} {currency}"


def _percent(rate: Decimal | str | None, places: int = 2) -> str:
    if rate is None:
        return "—"
    value = Decimal(str(rate)) * 100
    return f"{value.quantize(Decimal(1).scaleb(-places))}%"


def _local(at: dt.datetime | str | None, zone: str = DISPLAY_ZONE) -> str:
    if at is None:
        return "—"
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at)
    return aware(at).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def make_templates() -> Jinja2Templates:
    import importlib.resources

    directory = str(importlib.resources.files("fairdue.web").joinpath("templates"))
    templates = Jinja2Templates(directory=directory)
    env = templates.env
    env.filters["money"] = _money
    env.filters["percent"] = _percent
    env.filters["local"] = _local
    return templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    lang = request.state.lang if hasattr(request.state, "lang") else i18n.DEFAULT_LANGUAGE
    ctx: dict[str, Any] = {
        "lang": lang,
        "t": lambda key, **kw: i18n.translate(lang, key, **kw),
        "staff": getattr(request.state, "staff", None),
        "borrower": getattr(request.state, "borrower", None),
        "csrf": getattr(request.state, "csrf", ""),
    }
    ctx.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)
