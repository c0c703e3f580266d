"""Compose a message in the console: templates, the form, the verdict on the request built from stored facts.

The form names only what the agent chooses: the debt, the recipient (an address, or `acct:<line id>` for the
borrower's own address, hidden from the agent), channel, purpose, when (wall time where the borrower lives),
language and text. Who the recipient is, where the number came from, the borrower's time zones, the
jurisdiction and every stored fact come from `fairdue.service.contact.gate_request.build`, never from the
form; the page shows them read-only. The verdict is `fairdue.policy.decide` applied to exactly that request,
and sending builds and decides again on the server (the disabled button is a courtesy, not the control).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import tomllib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fairdue.policy import decide as gate

CHANNELS = ("sms", "call", "email", "letter", "app_push", "voicemail", "visit")
# Staff purposes. `authentication` (a login code the borrower asked for, exempt from the contact window) is
# never a staff purpose: only the borrower-login flow sends it, so a composed message claiming it is refused.
PURPOSES = ("collection", "reminder", "location", "service")
# Lawful sources a staff member may record for an address not yet on file (never a device contact list).
RECORD_SOURCES = ("self_provided", "credit_bureau", "public_record", "registration", "contract")
DEFAULT_ZONE = {"CN": "Asia/Shanghai", "US": "America/New_York", "UK": "Europe/London"}
TEXT_LENGTH_MAX = 2000
ACCOUNT_REF_PREFIX = "acct:"


@dataclass(frozen=True, slots=True)
class ComposeTemplate:
    key: str
    label_en: str
    label_zh: str
    jurisdiction: str
    language: str
    channel: str
    purpose: str
    text: str

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@functools.cache
def templates() -> dict[str, ComposeTemplate]:
    raw = tomllib.loads(importlib.resources.files("fairdue.web").joinpath("compose_templates.toml").read_text("utf-8"))
    return {key: ComposeTemplate(key=key, **value) for key, value in raw.items()}


@dataclass(frozen=True, slots=True)
class ComposeForm:
    """What the agent filled in; `at_local` is wall time where the borrower lives ('YYYY-MM-DDTHH:MM')."""

    template: str = "cn_overdue_zh"
    channel: str = "sms"
    purpose: str = "collection"
    address: str = ""
    at_local: str = ""
    language: str = "zh"
    text: str = ""
    debt_id: str = ""

    @classmethod
    def from_template(cls, key: str, *, now: dt.datetime, address: str = "", debt_id: str = "") -> ComposeForm:
        tpl = templates().get(key) or next(iter(templates().values()))
        local = now.astimezone(ZoneInfo(DEFAULT_ZONE.get(tpl.jurisdiction, "Asia/Shanghai"))).strftime("%Y-%m-%dT%H:%M")
        return cls(
            template=tpl.key,
            channel=tpl.channel,
            purpose=tpl.purpose,
            address=address,
            at_local=local,
            language=tpl.language,
            text=tpl.text,
            debt_id=debt_id,
        )

    def account(self) -> int | None:
        """The line id when the recipient is `acct:<line id>` (the borrower's own address), else None."""
        if not self.address.startswith(ACCOUNT_REF_PREFIX):
            return None
        digits = self.address[len(ACCOUNT_REF_PREFIX) :]
        return int(digits) if digits.isascii() and digits.isdigit() and 0 < len(digits) <= 18 else -1

    def at_utc(self, zone: str) -> dt.datetime | None:
        """The proposed instant, `at_local` read in `zone` (the borrower's); None when it is not a valid time."""
        try:
            local = dt.datetime.fromisoformat(self.at_local)
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            return None
        if local.tzinfo is not None:
            return local.astimezone(dt.UTC)
        return local.replace(tzinfo=tz).astimezone(dt.UTC)

    def message(self) -> dict[str, str]:
        return {"language": self.language, "text": self.text[:TEXT_LENGTH_MAX]}


def decide(request: dict[str, Any]) -> dict[str, Any]:
    """The gate's decision (fairdue.policy.decide)."""
    return gate(request)
