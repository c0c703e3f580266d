"""Turn a request dict into a typed `Request`, collecting problems instead of raising.

Unknown keys are ignored. A missing or malformed required field becomes a
`Problem` (a deny reason with its category) and the field's name joins
`Request.bad`, so rules that need it are skipped rather than guessing.

Required: jurisdiction, at (ISO 8601 with an offset), channel, purpose,
debt.id, debt.time_barred, recipient.role, recipient.address,
recipient.source; visits also staff_count. Optional with a neutral default
when absent (malformed is still a problem): recipient.consent (null),
asked_to_stop (false), opted_out_channels ([]), borrower.* flags (false),
borrower.time_zones ([]), inconvenient_hours ([]), history ([]), message
(absent: an unscripted call).
recipient.prior_location_contacts has no default: a pack with a per-person
cap denies a location contact whose count is unknown.

Time zones (12 CFR 1006.6(b)(1)(i), comment 6(b)(1)(i)-2: convenient in every
known location): the union of borrower.time_zones and every zone of the
recipient's phone number (phonenumbers' zones plus the checked-in table of
NANP area codes spanning two zones, data/nanp_split_area_codes.toml). No
stated zone and no zone from the number: a problem (local time unknown).

Gate v2 fields, all optional (absent: as before; malformed: a problem, fail closed):
- debt.state: what is true of the debt today, for the truth check (truth.py):
  {"overdue": bool, "days_past_due": int >= 0, "amount_due": int >= 0 (minor
  units, due now), "balance": int >= 0 (minor units, all outstanding),
  "fees_charged": int >= 0 (minor units, late/penalty fees charged to date),
  "currency": ISO 4217 code ("CNY", "USD", "GBP", …)} — these six required
  when debt.state is given — plus "next_due_on": "YYYY-MM-DD" | null (default
  null) and "legal_action": bool (default false: no proceeding started).
  Integers only: a float, a bool or a negative number is malformed. Absent:
  claims are not verified (a warning when the message makes any).
- sender: {"kind": "creditor" | "collector", "name": str (optional)}. Absent:
  the creditor (the lender itself). Present with a missing or unknown kind: a
  problem, and the sender counts as a collector (fail closed for 1006.18(e)).
- recipient.asked_for_employer: bool, default false (1006.10(b)(1): a location
  contact names the employer only when expressly asked). Malformed: a problem,
  and counts as not asked.
- recipient.opt_out_confirmations_sent: int >= 0, default 0: confirmations of
  an opt-out already sent on this channel (1006.14(h)(2)(i): one is allowed).
  Malformed: a problem, and counts as 1. Added to it: history entries with
  "purpose": "opt_out_confirmation" on the proposed channel (a history entry
  may carry an optional "purpose", one of PURPOSES).
- purpose "opt_out_confirmation": the one confirmation of an opt-out request.

History is read in full (every entry validated) only where a rule reads it:
calls and voicemails (frequency caps) and location contacts (is the borrower
unreachable?). Elsewhere only its shape is checked (a list of objects), so a
garbled entry does not deny an e-mail whose verdict cannot depend on it.
Only call entries are kept: no rule reads the others. Two counts are taken from
the raw list only when a rule needs them: opt-out confirmations already sent
on the proposed channel (purpose opt_out_confirmation), and earlier
communications that reached a consumer (outcome delivered or conversation to a
debtor role; 1006.18(e): is this the initial communication?) when the sender is
a collector.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as phone_timezone

from fairdue.policy.pack import CHANNELS, JURISDICTIONS, OPT_OUT_CONFIRMATION, PURPOSES, ROLES, SOURCES
from fairdue.policy.truth import DebtState

OUTCOMES = frozenset({"no_answer", "conversation", "voicemail", "delivered", "failed", "invalid_number"})
CONSENT_SCOPES = frozenset({"locate_only"})
FLAGS = ("cease_requested", "represented_by_attorney", "dispute_open", "plan_active", "bankruptcy", "breathing_space")
history_entries_max = 10_000  # a longer history is refused (bounded work per decision)
zones_max = 16
sender_name_chars_max = 200
SENDER_KINDS = frozenset({"creditor", "collector"})
# Roles that are "the consumer" for 1006.18(e) (1006.6(a): the consumer, spouse, co-obligor); not the attorney.
CONSUMER_ROLES = frozenset({"borrower", "spouse", "guarantor"})
_REACHED_CONSUMER = frozenset({"delivered", "conversation"})
_STATE_MONEY = ("days_past_due", "amount_due", "balance", "fees_charged")
inconvenient_ranges_max = 24

_UTC = dt.UTC
_PHONE_CHARS = frozenset("+0123456789 -().")


@dataclass(frozen=True, slots=True)
class Problem:
    """A malformed or missing field: the decision denies with this reason."""

    rule: str  # e.g. "REQUEST.at"
    category: str
    reason_en: str
    reason_zh: str
    field: str  # the request path, e.g. "recipient.consent.granted_at"


class Entry(NamedTuple):
    """One earlier contact about this debt (history is oldest first, but order is not relied on).

    A named tuple rather than a frozen dataclass: twenty of these are built per
    decision, and a tuple is built several times faster; it is just as immutable.
    """

    at: dt.datetime  # aware UTC
    channel: str
    address_key: str  # normalised address (see address_key)
    role: str
    outcome: str


@dataclass(frozen=True, slots=True)
class Consent:
    granted_at: dt.datetime
    withdrawn_at: dt.datetime | None
    scope: str


class Request(NamedTuple):
    """A parsed request. Fields named in `bad` are unusable (None or a placeholder).

    A named tuple, not a frozen dataclass: it is built once per decision and a
    frozen dataclass spends ~4 µs setting 31 fields one by one (the gate's
    budget is ~50 µs); it is just as immutable, and fields read as fast.
    """

    jurisdiction: str | None
    at: dt.datetime | None
    channel: str | None
    purpose: str | None
    debt_id: str | None
    time_barred: bool | None
    role: str | None
    address: str | None
    address_key: str | None
    is_phone: bool
    source: str | None
    consent: Consent | None
    asked_to_stop: bool
    opted_out: frozenset[str]
    prior_location_contacts: int | None
    zones: tuple[tuple[str, ZoneInfo], ...]  # (IANA name, zone); empty when unknown
    zones_derived: bool  # True when taken from the phone number
    inconvenient: tuple[tuple[int, int], ...]  # local [start, end) in minutes; may wrap midnight
    cease_requested: bool
    represented_by_attorney: bool
    dispute_open: bool
    plan_active: bool
    bankruptcy: bool
    breathing_space: bool
    history: tuple[Entry, ...]  # the earlier CALLS (call/voicemail) only: no rule reads the rest
    message_text: str | None
    message_language: str | None
    staff_count: int | None
    bad: frozenset[str]
    # Gate v2 (see the module docstring); defaults keep positional construction working.
    debt_state: DebtState | None = None  # None: not given (claims are not verified)
    sender_kind: str = "creditor"  # "creditor" | "collector" (a malformed sender counts as a collector)
    sender_name: str | None = None
    asked_for_employer: bool = False
    opt_out_confirmations_sent: int = 0  # field + history entries on this channel
    prior_consumer_communications: int = 0  # counted only when the sender is a collector


_REASONS = {
    "missing": ("{field} is missing.", "缺少字段 {field}。"),
    "malformed": ("{field} is malformed: {detail}.", "字段 {field} 格式错误：{detail}。"),
}


def _problem(problems: list[Problem], bad: set[str], key: str, category: str, field: str, detail: str | None) -> None:
    kind = "missing" if detail is None else "malformed"
    en, zh = _REASONS[kind]
    problems.append(
        Problem(
            rule=f"REQUEST.{field}",
            category=category,
            reason_en=en.format(field=field, detail=detail),
            reason_zh=zh.format(field=field, detail=detail),
            field=field,
        )
    )
    bad.add(key)


@lru_cache(maxsize=65_536)
def address_key(address: str) -> tuple[str, bool]:
    """Normalise an address for matching: phone numbers to '+digits', others trimmed and lower-cased."""
    text = address.strip()
    if text and (text[0] in "+(" or text[0].isdigit()) and all(c in _PHONE_CHARS for c in text):
        digits = "".join(c for c in text if c.isdigit())
        return ("+" + digits if text[0] == "+" else digits), True
    return text.lower(), False


@cache
def nanp_split_zones() -> Mapping[str, tuple[str, ...]]:
    """NANP area code → the zones phonenumbers leaves out (data/nanp_split_area_codes.toml, read once)."""
    text = files("fairdue.policy").joinpath("data", "nanp_split_area_codes.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text).get("area_codes")
    if not isinstance(table, dict):
        raise ValueError("data/nanp_split_area_codes.toml: missing [area_codes]")
    out: dict[str, tuple[str, ...]] = {}
    for code, entry in table.items():
        zones = entry.get("zones") if isinstance(entry, dict) else None
        if not (len(code) == 3 and code.isdigit() and isinstance(zones, list) and zones):
            raise ValueError(f"data/nanp_split_area_codes.toml: bad entry {code!r}")
        if not all(isinstance(z, str) and zone_named(z) is not None for z in zones):
            raise ValueError(f"data/nanp_split_area_codes.toml: {code}: unknown zone in {zones!r}")
        out[code] = tuple(zones)
    return out


@lru_cache(maxsize=65_536)
def zones_for_phone(key: str) -> tuple[str, ...]:
    """IANA zones for an international phone number ('+…'), or () when unknown.

    Every zone the number's area may be in: phonenumbers' zones, plus for a NANP (+1) number the zones of the
    split-area-code table (e.g. +1 850: Eastern and Central).
    """
    if not key.startswith("+"):
        return ()
    try:
        number = phonenumbers.parse(key, None)
    except phonenumbers.NumberParseException:
        return ()
    names = tuple(z for z in phone_timezone.time_zones_for_number(number) if z != "Etc/Unknown")
    if key.startswith("+1") and len(key) == 12:
        extra = nanp_split_zones().get(key[2:5], ())
        names += tuple(z for z in extra if z not in names)
    return names


@lru_cache(maxsize=1024)
def zone_named(name: str) -> ZoneInfo | None:
    """The IANA zone of that name; None when the name is unknown or not a string."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return None


def _instant(text: str) -> dt.datetime | None:
    """ISO 8601 with an offset → aware UTC; None if naive or unreadable."""
    try:
        value = dt.datetime.fromisoformat(text)
    except (ValueError, TypeError):
        return None
    tz = value.tzinfo
    if tz is _UTC:  # "…Z" / "+00:00": already UTC (the common case)
        return value
    if tz is None or value.utcoffset() is None:
        return None
    return value.astimezone(_UTC)


def instant(value: object) -> dt.datetime | None:
    return _instant(value) if isinstance(value, str) else None


@lru_cache(maxsize=4096)
def hhmm(text: str) -> int | None:
    """'HH:MM' → minutes after midnight ('24:00' allowed), None if not a time of day."""
    if len(text) != 5 or text[2] != ":" or not (text[:2].isdigit() and text[3:].isdigit()):
        return None
    hours, minutes = int(text[:2]), int(text[3:])
    if minutes >= 60 or hours > 24 or (hours == 24 and minutes):
        return None
    return hours * 60 + minutes


def _bool(
    section: dict[str, Any], name: str, problems: list[Problem], bad: set[str], key: str, category: str, path: str
) -> bool:
    value = section.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        _problem(problems, bad, key, category, path, f"expected true/false, got {type(value).__name__}")
        return True  # fail closed: a garbled flag counts as set
    return value


def _enum(
    section: dict[str, Any],
    name: str,
    allowed: Collection[str],
    problems: list[Problem],
    bad: set[str],
    category: str,
    path: str,
) -> str | None:
    value = section.get(name)
    if value is None:
        _problem(problems, bad, path, category, path, None)
        return None
    if not isinstance(value, str) or value not in allowed:
        _problem(problems, bad, path, category, path, f"{value!r} is not one of {sorted(allowed)}")
        return None
    return value


def _section(
    request: dict[str, Any], name: str, problems: list[Problem], bad: set[str], category: str, required: bool
) -> dict[str, Any]:
    value = request.get(name)
    if value is None:
        if required:
            _problem(problems, bad, name, category, name, None)
        return {}
    if not isinstance(value, dict):
        _problem(problems, bad, name, category, name, "expected an object")
        return {}
    return value


_CALLS = frozenset({"call", "voicemail"})


def _history_matters(channel: str | None, purpose: str | None, role: str | None) -> bool:
    """Only calls (frequency caps), location contacts (is the borrower unreachable?) and opt-out confirmations
    (was one sent already?) read history in full."""
    return (
        channel is None
        or channel in _CALLS
        or (purpose == "location" and role != "borrower")
        or purpose is None
        or purpose == OPT_OUT_CONFIRMATION
    )


def _history_shape(raw: Any, problems: list[Problem], bad: set[str]) -> None:
    """For a decision that does not read history: check its shape only (a list of objects), not every field."""
    if raw is None:
        return
    shape_ok = isinstance(raw, list) and len(raw) <= history_entries_max
    if shape_ok:
        for entry in raw:
            if type(entry) is not dict:
                shape_ok = False
                break
    if not shape_ok:
        _problem(
            problems,
            bad,
            "history",
            "frequency",
            "history",
            f"expected a list of at most {history_entries_max} objects",
        )


def _history(
    raw: object,
    problems: list[Problem],
    bad: set[str],
    at: dt.datetime | None,
    own_address: str | None = None,
    own_key: str | None = None,
) -> tuple[Entry, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        _problem(problems, bad, "history", "frequency", "history", "expected a list")
        return ()
    if len(raw) > history_entries_max:
        _problem(problems, bad, "history", "frequency", "history", f"more than {history_entries_max} entries")
        return ()
    entries: list[Entry] = []
    append = entries.append
    fromiso = dt.datetime.fromisoformat
    new_tuple, cls = tuple.__new__, Entry
    channels, roles, outcomes, calls, utc, key_of = CHANNELS, ROLES, OUTCOMES, _CALLS, _UTC, address_key
    for i, item in enumerate(raw):
        try:
            parsed = fromiso(item["at"])
            channel, role, outcome, address = item["channel"], item["role"], item["outcome"], item["address"]
            key = own_key if (own_key is not None and address == own_address) else key_of(address)[0]
        except (KeyError, TypeError, AttributeError, ValueError):
            _problem(
                problems,
                bad,
                "history",
                "frequency",
                f"history[{i}]",
                "needs at (ISO 8601 with an offset), channel, address, role and outcome",
            )
            continue
        when = parsed if parsed.tzinfo is utc else _instant(item["at"])
        if when is None or channel not in channels or role not in roles or outcome not in outcomes:
            _problem(
                problems,
                bad,
                "history",
                "frequency",
                f"history[{i}]",
                "at must be ISO 8601 with an offset; channel, role and outcome must be known values",
            )
            continue
        if at is not None and when > at:
            _problem(
                problems,
                bad,
                "history",
                "frequency",
                f"history[{i}].at",
                "a past contact cannot be later than the proposed one",
            )
            continue
        if channel in calls:  # only calls are read by any rule; other entries are validated, not kept
            append(new_tuple(cls, (when, channel, key, role, outcome)))
    return tuple(entries)


def parse(request: object) -> tuple[Request, list[Problem]]:
    """Parse a request; never raises for bad input (problems are returned)."""
    problems: list[Problem] = []
    bad: set[str] = set()
    if not isinstance(request, dict):
        _problem(problems, bad, "request", "data_source", "request", "expected a JSON object")
        request = {}

    jurisdiction = _enum(request, "jurisdiction", JURISDICTIONS, problems, bad, "data_source", "jurisdiction")
    at = None
    if "at" not in request or request["at"] is None:
        _problem(problems, bad, "at", "time_window", "at", None)
    else:
        at = instant(request["at"])
        if at is None:
            _problem(problems, bad, "at", "time_window", "at", "expected ISO 8601 with a UTC offset")
    channel = _enum(request, "channel", CHANNELS, problems, bad, "channel", "channel")
    purpose = _enum(request, "purpose", PURPOSES, problems, bad, "data_source", "purpose")

    debt = _section(request, "debt", problems, bad, "data_source", required=True)
    debt_id = debt.get("id")
    if "debt" not in bad and (not isinstance(debt_id, str) or not debt_id):
        _problem(problems, bad, "debt", "data_source", "debt.id", None if debt_id is None else "expected a string")
        debt_id = None
    time_barred = debt.get("time_barred")
    if "debt" not in bad and not isinstance(time_barred, bool):
        _problem(
            problems,
            bad,
            "time_barred",
            "content",
            "debt.time_barred",
            None if time_barred is None else "expected true/false",
        )
        time_barred = None
    state = _debt_state(debt.get("state"), problems, bad) if "state" in debt else None

    rec = _section(request, "recipient", problems, bad, "data_source", required=True)
    role = source = address = akey = None
    is_phone = False
    consent = None
    asked_to_stop = False
    opted_out: frozenset[str] = frozenset()
    prior = None
    if "recipient" not in bad:
        role = _enum(rec, "role", ROLES, problems, bad, "third_party", "recipient.role")
        source = _enum(rec, "source", SOURCES, problems, bad, "data_source", "recipient.source")
        address = rec.get("address")
        if not isinstance(address, str) or not address.strip():
            _problem(
                problems,
                bad,
                "recipient.address",
                "data_source",
                "recipient.address",
                None if address is None else "expected a non-empty string",
            )
            address = None
        else:
            akey, is_phone = address_key(address)
        raw_consent = rec.get("consent")
        if raw_consent is not None:
            consent = _consent(raw_consent, problems, bad)
        asked_to_stop = _bool(
            rec, "asked_to_stop", problems, bad, "recipient.asked_to_stop", "third_party", "recipient.asked_to_stop"
        )
        raw_opt = rec.get("opted_out_channels", [])
        if raw_opt is None:
            raw_opt = []
        if not isinstance(raw_opt, list) or not all(isinstance(c, str) and c in CHANNELS for c in raw_opt):
            _problem(
                problems,
                bad,
                "recipient.opted_out_channels",
                "channel",
                "recipient.opted_out_channels",
                f"expected a list of channels from {sorted(CHANNELS)}",
            )
            opted_out = frozenset(CHANNELS)  # fail closed: every channel counts as opted out
        else:
            opted_out = frozenset(raw_opt)
        raw_prior = rec.get("prior_location_contacts")
        if raw_prior is not None:
            if not isinstance(raw_prior, int) or isinstance(raw_prior, bool) or raw_prior < 0:
                _problem(
                    problems,
                    bad,
                    "recipient.prior_location_contacts",
                    "third_party",
                    "recipient.prior_location_contacts",
                    "expected a non-negative integer",
                )
            else:
                prior = raw_prior
    asked_for_employer = _asked_for_employer(rec.get("asked_for_employer"), problems, bad)
    confirmations = _count(rec.get("opt_out_confirmations_sent"), problems, bad)
    sender_kind, sender_name = _sender(request.get("sender"), problems, bad)
    bor = _section(request, "borrower", problems, bad, "data_source", required=False)
    flags = dict.fromkeys(FLAGS, False)
    for name in FLAGS:
        value = bor.get(name)
        if value is None or value is False:
            continue
        flags[name] = _bool(bor, name, problems, bad, f"borrower.{name}", "suppression", f"borrower.{name}")
    zones, derived = _zones(bor.get("time_zones"), akey, is_phone, problems, bad)
    inconvenient = _inconvenient(bor.get("inconvenient_hours"), problems, bad)

    raw_history = request.get("history")
    if _history_matters(channel, purpose, role):
        history = _history(raw_history, problems, bad, at, address, akey)
    else:
        history = ()
        _history_shape(raw_history, problems, bad)
    confirmations += _confirmations_in(raw_history, purpose, channel)
    prior_communications = _consumer_communications_in(raw_history) if sender_kind == "collector" else 0
    text, language = _message(request.get("message"), problems, bad)

    staff = request.get("staff_count")
    if staff is not None and (not isinstance(staff, int) or isinstance(staff, bool) or staff < 0):
        _problem(problems, bad, "staff_count", "channel", "staff_count", "expected a non-negative integer")
        staff = None

    req = Request(
        jurisdiction=jurisdiction,
        at=at,
        channel=channel,
        purpose=purpose,
        debt_id=debt_id,
        time_barred=time_barred,
        role=role,
        address=address,
        address_key=akey,
        is_phone=is_phone,
        source=source,
        consent=consent,
        asked_to_stop=asked_to_stop,
        opted_out=opted_out,
        prior_location_contacts=prior,
        zones=zones,
        zones_derived=derived,
        inconvenient=inconvenient,
        cease_requested=flags["cease_requested"],
        represented_by_attorney=flags["represented_by_attorney"],
        dispute_open=flags["dispute_open"],
        plan_active=flags["plan_active"],
        bankruptcy=flags["bankruptcy"],
        breathing_space=flags["breathing_space"],
        history=history,
        message_text=text,
        message_language=language,
        staff_count=staff,
        bad=frozenset(bad),
        debt_state=state,
        sender_kind=sender_kind,
        sender_name=sender_name,
        asked_for_employer=asked_for_employer,
        opt_out_confirmations_sent=confirmations,
        prior_consumer_communications=prior_communications,
    )
    return req, problems


def _confirmations_in(raw_history: object, purpose: str | None, channel: str | None) -> int:
    """Opt-out confirmations already sent on this channel, from history entries' optional `purpose` (an entry on
    this channel with an unknown purpose counts as one: fail closed)."""
    if purpose != OPT_OUT_CONFIRMATION or not isinstance(raw_history, list):
        return 0
    count = 0
    for item in raw_history:
        if type(item) is dict and item.get("channel") == channel:
            said = item.get("purpose")
            count += said == OPT_OUT_CONFIRMATION or (said is not None and said not in PURPOSES)
    return count


def _consumer_communications_in(raw_history: object) -> int:
    """Earlier communications that reached a consumer (1006.18(e): is this the initial one?)."""
    if not isinstance(raw_history, list):
        return 0
    return sum(
        1
        for item in raw_history
        if type(item) is dict and item.get("role") in CONSUMER_ROLES and item.get("outcome") in _REACHED_CONSUMER
    )


def _message(raw: object, problems: list[Problem], bad: set[str]) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str) or not isinstance(raw.get("language"), str):
        _problem(problems, bad, "message", "content", "message", 'expected {"language": "zh"|"en", "text": "…"}')
        return None, None
    return raw["text"], raw["language"]


def _int_ok(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _debt_state(raw: object, problems: list[Problem], bad: set[str]) -> DebtState | None:
    """debt.state → DebtState; None (with problems, "debt.state" bad) when malformed. Integers only."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        _problem(problems, bad, "debt.state", "content", "debt.state", "expected an object")
        return None
    ok = True
    overdue = raw.get("overdue")
    if not isinstance(overdue, bool):
        _problem(problems, bad, "debt.state", "content", "debt.state.overdue", _detail(overdue, "true/false"))
        ok = False
    numbers: dict[str, int] = {}
    for name in _STATE_MONEY:
        value = raw.get(name)
        if not _int_ok(value):
            _problem(
                problems, bad, "debt.state", "content", f"debt.state.{name}", _detail(value, "a non-negative integer")
            )
            ok = False
        numbers[name] = value if isinstance(value, int) else 0
    currency = raw.get("currency")
    if not (isinstance(currency, str) and len(currency) == 3 and currency.isascii() and currency.isupper()):
        _problem(problems, bad, "debt.state", "content", "debt.state.currency", _detail(currency, "an ISO 4217 code"))
        ok = False
    next_due_raw = raw.get("next_due_on")
    next_due = None
    if next_due_raw is not None:
        try:
            next_due = dt.date.fromisoformat(next_due_raw) if isinstance(next_due_raw, str) else None
        except ValueError:
            next_due = None
        if next_due is None or len(next_due_raw) != 10:
            _problem(
                problems, bad, "debt.state", "content", "debt.state.next_due_on", _detail(next_due_raw, "YYYY-MM-DD")
            )
            ok = False
    legal = raw.get("legal_action", False)
    if legal is None:
        legal = False
    if not isinstance(legal, bool):
        _problem(problems, bad, "debt.state", "content", "debt.state.legal_action", _detail(legal, "true/false"))
        ok = False
    if not ok:
        return None
    return DebtState(
        overdue=bool(overdue),
        days_past_due=numbers["days_past_due"],
        amount_due=numbers["amount_due"],
        balance=numbers["balance"],
        fees_charged=numbers["fees_charged"],
        currency=str(currency),
        next_due_on=next_due,
        legal_action=legal,
    )


def _detail(value: object, expected: str) -> str | None:
    """None (→ "missing") for an absent value, else what was expected instead."""
    return None if value is None else f"expected {expected}, got {type(value).__name__}"


def _sender(raw: object, problems: list[Problem], bad: set[str]) -> tuple[str, str | None]:
    """(kind, name): absent → ("creditor", None); a sender object with a missing or unknown kind → a problem,
    and "collector" (fail closed for the debt-collector disclosure)."""
    if raw is None:
        return "creditor", None
    if not isinstance(raw, dict):
        _problem(problems, bad, "sender", "content", "sender", 'expected {"kind": "creditor"|"collector", "name": …}')
        return "collector", None
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in SENDER_KINDS:
        _problem(
            problems,
            bad,
            "sender",
            "content",
            "sender.kind",
            None if kind is None else f"{kind!r} is not one of {sorted(SENDER_KINDS)}",
        )
        kind = "collector"
    name = raw.get("name")
    if name is not None and (not isinstance(name, str) or len(name) > sender_name_chars_max):
        _problem(
            problems,
            bad,
            "sender",
            "content",
            "sender.name",
            f"expected a string of at most {sender_name_chars_max} characters",
        )
        name = None
    return kind, (name.strip() or None) if isinstance(name, str) else None


def _asked_for_employer(value: object, problems: list[Problem], bad: set[str]) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        _problem(
            problems,
            bad,
            "recipient.asked_for_employer",
            "third_party",
            "recipient.asked_for_employer",
            f"expected true/false, got {type(value).__name__}",
        )
        return False  # fail closed: not asked, so the employer may not be named
    return value


def _count(value: object, problems: list[Problem], bad: set[str]) -> int:
    if value is None:
        return 0
    if not _int_ok(value):
        _problem(
            problems,
            bad,
            "recipient.opt_out_confirmations_sent",
            "channel",
            "recipient.opt_out_confirmations_sent",
            "expected a non-negative integer",
        )
        return 1  # fail closed: the one confirmation counts as sent
    return value if isinstance(value, int) else 1


def _consent(raw: object, problems: list[Problem], bad: set[str]) -> Consent | None:
    if not isinstance(raw, dict):
        _problem(problems, bad, "recipient.consent", "consent", "recipient.consent", "expected an object or null")
        return None
    granted = instant(raw.get("granted_at"))
    withdrawn_raw = raw.get("withdrawn_at")
    withdrawn = None if withdrawn_raw is None else instant(withdrawn_raw)
    scope = raw.get("scope")
    if granted is None or (withdrawn_raw is not None and withdrawn is None) or not isinstance(scope, str):
        _problem(
            problems,
            bad,
            "recipient.consent",
            "consent",
            "recipient.consent",
            "granted_at (ISO 8601 with offset), withdrawn_at (same or null) and scope are required",
        )
        return None
    return Consent(granted, withdrawn, scope)


def _zones(
    raw: object, akey: str | None, is_phone: bool, problems: list[Problem], bad: set[str]
) -> tuple[tuple[tuple[str, ZoneInfo], ...], bool]:
    """Stated zones ∪ every zone of the recipient's phone number (1006.6(b)(1)(i), comment 6(b)(1)(i)-2)."""
    names: tuple[str, ...]
    derived = False
    phone = zones_for_phone(akey) if (akey and is_phone) else ()
    if raw is None or raw == []:
        names = phone
        derived = True
    elif not isinstance(raw, list) or not all(isinstance(z, str) for z in raw) or len(raw) > zones_max:
        _problem(
            problems,
            bad,
            "zones",
            "time_window",
            "borrower.time_zones",
            f"expected a list of at most {zones_max} IANA zone names",
        )
        return (), False
    else:
        names = _union(tuple(raw), phone)
    if not names:
        problems.append(
            Problem(
                rule="REQUEST.borrower.time_zones",
                category="time_window",
                reason_en="The borrower's local time is unknown "
                "(no time zone given and none follows from the recipient's number).",
                reason_zh="无法确定借款人当地时间（未提供时区，且无法从号码推断）。",
                field="borrower.time_zones",
            )
        )
        bad.add("zones")
        return (), derived
    zones = []
    for name in names:
        zone = zone_named(name)
        if zone is None:
            _problem(problems, bad, "zones", "time_window", "borrower.time_zones", f"unknown time zone {name!r}")
            return (), derived
        zones.append((name, zone))
    return tuple(zones), derived


@lru_cache(maxsize=4096)
def _union(stated: tuple[str, ...], phone: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(stated + phone))


def _inconvenient(raw: object, problems: list[Problem], bad: set[str]) -> tuple[tuple[int, int], ...]:
    if raw is None:
        return ()
    ranges = []
    if isinstance(raw, list) and len(raw) <= inconvenient_ranges_max:
        for item in raw:
            if not (isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)):
                break
            start, end = hhmm(item[0]), hhmm(item[1])
            if start is None or end is None or start == end or start == 1440:
                break
            ranges.append((start, end))
        else:
            return tuple(ranges)
    _problem(
        problems,
        bad,
        "inconvenient",
        "time_window",
        "borrower.inconvenient_hours",
        'expected a list of ["HH:MM", "HH:MM"] ranges (start ≠ end; may cross midnight)',
    )
    return ()
