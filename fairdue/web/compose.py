"""Compose a message in the console: templates, the gate request built from the form, the verdict.

The page never decides by itself: the verdict is `fairdue.policy.decide`
applied to exactly the request built here, and sending re-runs it on the
server (the disabled button is a courtesy, not the control).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import tomllib
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fairdue.domain.instants import format_utc
from fairdue.policy import decide as gate

JURISDICTIONS = ("CN", "US", "UK")
CHANNELS = ("sms", "call", "email", "letter", "app_push", "voicemail", "visit")
# Staff purposes. `authentication` (a login code the borrower asked for, exempt from the contact window) is
# never a staff purpose: only the borrower-login flow sends it, so a composed message claiming it is refused.
PURPOSES = ("collection", "reminder", "location", "service")
RECIPIENT_ROLES = ("borrower", "guarantor", "spouse", "attorney", "emergency_contact", "third_party")
SOURCES = (
    "contract",
    "self_provided",
    "registration",
    "credit_bureau",
    "public_record",
    "emergency_contact",
    "device_contacts",
    "unknown",
)
ZONES = ("Asia/Shanghai", "America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London")
DEFAULT_ZONE = {"CN": "Asia/Shanghai", "US": "America/New_York", "UK": "Europe/London"}
TEXT_LENGTH_MAX = 2000


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
    """What the agent filled in; `at_local` is wall time in `zone` ('YYYY-MM-DDTHH:MM')."""

    template: str = "cn_overdue_zh"
    jurisdiction: str = "CN"
    channel: str = "sms"
    purpose: str = "collection"
    recipient_role: str = "borrower"
    recipient_source: str = "contract"
    address: str = ""
    zone: str = "Asia/Shanghai"
    at_local: str = ""
    language: str = "zh"
    text: str = ""
    debt_id: str = ""

    @classmethod
    def from_template(cls, key: str, *, now: dt.datetime, address: str = "", debt_id: str = "") -> ComposeForm:
        tpl = templates().get(key) or next(iter(templates().values()))
        zone = DEFAULT_ZONE.get(tpl.jurisdiction, "Asia/Shanghai")
        local = now.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")
        return cls(
            template=tpl.key,
            jurisdiction=tpl.jurisdiction,
            channel=tpl.channel,
            purpose=tpl.purpose,
            address=address,
            zone=zone,
            at_local=local,
            language=tpl.language,
            text=tpl.text,
            debt_id=debt_id,
        )

    def at_utc(self) -> dt.datetime | None:
        """The proposed instant, or None when the time or zone is not valid (the gate then denies)."""
        try:
            zone = ZoneInfo(self.zone)
            local = dt.datetime.fromisoformat(self.at_local)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            return None
        if local.tzinfo is not None:
            return local.astimezone(dt.UTC)
        return local.replace(tzinfo=zone).astimezone(dt.UTC)

    def gate_request(
        self, *, history: list[dict[str, Any]] | None = None, borrower: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The gate contract's request for this message (a bad field stays bad: the gate denies)."""
        at = self.at_utc()
        return {
            "jurisdiction": self.jurisdiction,
            "at": format_utc(at) if at else self.at_local,
            "channel": self.channel,
            "purpose": self.purpose if self.purpose in PURPOSES else f"{self.purpose} (not a staff purpose)",
            "debt": {"id": self.debt_id or "unassigned", "time_barred": False},
            "recipient": {
                "role": self.recipient_role,
                "address": self.address.strip(),
                "source": self.recipient_source,
                "consent": None,
                "asked_to_stop": False,
                "opted_out_channels": [],
                "prior_location_contacts": 0,
            },
            "borrower": borrower or {"time_zones": [self.zone] if self.zone else []},
            "history": history or [],
            "message": {"language": self.language, "text": self.text[:TEXT_LENGTH_MAX]},
        }


def decide(request: dict[str, Any]) -> dict[str, Any]:
    """The gate's decision (fairdue.policy.decide)."""
    return gate(request)
