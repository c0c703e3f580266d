"""Contact facts: what a lender has been told that limits contact with a borrower.

A fact is one of
  * ``attorney``          — the borrower is represented about the debt (Reg F 1006.6(b)(2)): talk to the
                            attorney only. The attorney's name and contact are personal data (encrypted at rest).
  * ``bankruptcy``        — a bankruptcy / insolvency proceeding stays collection.
  * ``breathing_space``   — a UK Debt Respite Scheme moratorium: standard breathing space lasts 60 days
                            (DRMR 2020 reg. 26); a mental-health crisis moratorium has no fixed end and is
                            recorded open-ended, then ended when the debt-advice agency says so.
  * ``inconvenient_hours``— a local time range the borrower said is inconvenient (Reg F 1006.6(b)(1)(i);
                            CONC 7.9.4R "reasonable requests on when"); one range per fact.

Each fact carries its source (who told us, how), when it takes effect and, where it has one, when it
stops (`effective_until`). A fact may be about one debt (`account_id`) or every debt of the borrower
(None); inconvenient hours are always about the borrower. Pure: no I/O, no clock — instants come in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, overload

from fairdue.errors import Invalid

KINDS = ("attorney", "bankruptcy", "breathing_space", "inconvenient_hours")
# Who told us and how. A lender acts on what it knows, whatever the channel it learnt it by.
SOURCES = (
    "borrower_oral",  # the borrower said so (on a call, in a chat)
    "borrower_written",  # letter, e-mail, portal message from the borrower
    "attorney_notice",  # the attorney / solicitor wrote to us
    "court_notice",  # a court order or notice (bankruptcy, stay)
    "insolvency_service",  # the Insolvency Service's breathing-space notice (UK)
    "debt_advice_agency",  # a debt-advice provider (breathing space applications, mental-health crisis)
    "public_record",  # an insolvency register, PACER and the like
)
BREATHING_SPACE_DAYS = 60  # standard breathing space (Debt Respite Scheme Regulations 2020)
RECORDED_BY_LEN_MAX = 64
REASON_LEN_MAX = 500
ATTORNEY_NAME_LEN_MAX = 200
ATTORNEY_CONTACT_LEN_MAX = 320
FACTS_OPEN_MAX = 64  # per borrower, not yet ended: bounds the rows one gate request reads
INCONVENIENT_RANGES_MAX = 24  # per borrower (the gate refuses more: fairdue.policy.request)


class ContactFactInvalid(Invalid, ValueError):
    """A contact fact that cannot be recorded as given; the message names the field."""


@dataclass(frozen=True, slots=True)
class FactInput:
    """A validated fact ready to store.

    account_id: None = every debt of the borrower. effective_until: None = until ended.
    hours_start/hours_end: 'HH:MM' (inconvenient_hours only, else None); the range may cross midnight.
    attorney_name/attorney_contact: attorney facts only (name required), else None.
    """

    kind: str
    source: str
    account_id: int | None
    effective_from: datetime
    effective_until: datetime | None
    hours_start: str | None
    hours_end: str | None
    attorney_name: str | None
    attorney_contact: str | None
    recorded_by: str


def hhmm_minutes(text: object, field: str) -> int:
    """'HH:MM' (00:00–24:00) → minutes after midnight, or ContactFactInvalid naming the field."""
    if not isinstance(text, str) or len(text) != 5 or text[2] != ":" or not (text[:2].isdigit() and text[3:].isdigit()):
        raise ContactFactInvalid(f"{field}: expected HH:MM, got {text!r}")
    hours, minutes = int(text[:2]), int(text[3:])
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        raise ContactFactInvalid(f"{field}: {text!r} is not a time of day")
    return hours * 60 + minutes


def _aware(value: object, field: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise ContactFactInvalid(f"{field}: expected an aware instant (with a UTC offset), got {value!r}")
    return value


@overload
def _text(value: object, field: str, length_max: int, required: Literal[True]) -> str: ...
@overload
def _text(value: object, field: str, length_max: int, required: bool) -> str | None: ...
def _text(value: object, field: str, length_max: int, required: bool) -> str | None:
    if value is None:
        if required:
            raise ContactFactInvalid(f"{field} is required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise ContactFactInvalid(f"{field}: expected non-empty text")
    value = value.strip()
    if len(value) > length_max:
        raise ContactFactInvalid(f"{field}: at most {length_max} characters")
    return value


def fact_from_input(
    *,
    kind: object,
    source: object,
    recorded_by: object,
    now: datetime,
    account_id: object = None,
    effective_from: object = None,
    effective_until: object = None,
    open_ended: bool = False,
    hours: object = None,
    attorney_name: object = None,
    attorney_contact: object = None,
) -> FactInput:
    """Validate a fact. `now` (aware) is the default start; standard breathing space ends 60 days after its start
    unless `effective_until` is given or `open_ended` (mental-health crisis moratorium)."""
    if not isinstance(kind, str) or kind not in KINDS:
        raise ContactFactInvalid(f"kind: {kind!r} is not one of {list(KINDS)}")
    if not isinstance(source, str) or source not in SOURCES:
        raise ContactFactInvalid(f"source: {source!r} is not one of {list(SOURCES)}")
    who = _text(recorded_by, "recorded_by", RECORDED_BY_LEN_MAX, required=True)
    now = _aware(now, "now")
    start = now if effective_from is None else _aware(effective_from, "effective_from")
    until = None if effective_until is None else _aware(effective_until, "effective_until")
    if until is not None and open_ended:
        raise ContactFactInvalid("effective_until and open_ended exclude each other")
    if open_ended and kind != "breathing_space":
        raise ContactFactInvalid("open_ended applies to breathing space only (other facts are open until ended)")
    if kind == "breathing_space" and until is None and not open_ended:
        until = start + timedelta(days=BREATHING_SPACE_DAYS)
    if until is not None and until <= start:
        raise ContactFactInvalid("effective_until must be after effective_from")
    if account_id is not None and (not isinstance(account_id, int) or isinstance(account_id, bool) or account_id < 1):
        raise ContactFactInvalid(f"account_id: expected a positive integer, got {account_id!r}")
    start_hhmm = end_hhmm = None
    if kind == "inconvenient_hours":
        if account_id is not None:
            raise ContactFactInvalid("inconvenient hours are about the borrower, not one debt: leave account_id out")
        if not isinstance(hours, (tuple, list)) or len(hours) != 2:
            raise ContactFactInvalid(
                'hours: expected ("HH:MM", "HH:MM"), local time, start before end or crossing midnight'
            )
        lo, hi = hhmm_minutes(hours[0], "hours.start"), hhmm_minutes(hours[1], "hours.end")
        if lo == hi or lo == 1440:
            raise ContactFactInvalid("hours: start and end must differ, and the start cannot be 24:00")
        start_hhmm, end_hhmm = hours[0], hours[1]
    elif hours is not None:
        raise ContactFactInvalid("hours apply to inconvenient_hours facts only")
    name = contact = None
    if kind == "attorney":
        name = _text(attorney_name, "attorney_name", ATTORNEY_NAME_LEN_MAX, required=True)
        contact = _text(attorney_contact, "attorney_contact", ATTORNEY_CONTACT_LEN_MAX, required=False)
    elif attorney_name is not None or attorney_contact is not None:
        raise ContactFactInvalid("attorney_name/attorney_contact apply to attorney facts only")
    return FactInput(
        kind=kind,
        source=source,
        account_id=account_id,
        effective_from=start,
        effective_until=until,
        hours_start=start_hhmm,
        hours_end=end_hhmm,
        attorney_name=name,
        attorney_contact=contact,
        recorded_by=who,
    )


def in_force(
    *, effective_from: datetime, effective_until: datetime | None, ended_at: datetime | None, at: datetime
) -> bool:
    """Is a fact in force at `at`? [effective_from, min(effective_until, ended_at))."""
    if at < effective_from:
        return False
    if effective_until is not None and at >= effective_until:
        return False
    return ended_at is None or at < ended_at
