"""The one way a gate request is built: from what is stored about the debt, never from what a caller says.

    built = build(uow, debt_id="cl:42", recipient=None, channel="sms", purpose="collection", at=now)
    built.request      # the gate request (fairdue.policy.request), facts read in this transaction
    built.borrower     # the decrypted borrower the debt belongs to (None when the debt is not on file)
    built.facts_used() # what was read, for a person to see (the console composer shows it read-only)

Every path that can contact a person goes through `build`: the collections engine's messages and call
tasks, pre-due reminders, the console composer, login codes and letters (`enforcement.request_contact`
and `enforcement.judge_contact` accept only a `BuiltRequest`, or rebuild a caller's proposal here).

What a caller names: the debt, the recipient (None = the borrower's own address for the channel: first
mobile, first e-mail, or the postal address for a letter; or an address, looked up in the borrower's
profile and emergency contacts — an address not on file for this debt is role `third_party`, source
`unknown`, never the borrower), the channel, the purpose, the instant and the message. Everything else is
read: jurisdiction and currency from the account; every time zone known for the borrower (stated, the
postal region's, every mobile number's, the recipient number's); cease requests, channel opt-outs, open
disputes, an active plan, the contact facts (attorney, bankruptcy, breathing space, inconvenient hours)
as of `at`; an emergency contact's consent; the debt's contact history; the debt's state (overdue, days
past due, amounts, fees charged) for the truth check. A caller may add restrictions (`Restrictions`:
more flags, hours, zones, opted-out channels) and never set or lift a fact.

A debt that is not on file (not a stored credit line, nor — for a login code only — a stored borrower's
service debt `borrower:<id>`) gets a request with no jurisdiction: the gate denies it (fail closed), and the
denial is logged like any other.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from fairdue.adapters.crypto import FieldCipher
from fairdue.domain.borrowers import (
    BorrowerId,
    canonical_phone,
    country_of_region,
    jurisdiction_of_region,
    region_time_zones,
)
from fairdue.domain.instants import format_utc
from fairdue.policy.request import address_key, zones_for_phone
from fairdue.service.borrower.registry import get_borrower, list_emergency_contacts
from fairdue.service.contact.facts import attorney_addresses, gate_facts
from fairdue.service.contact.history import history_for_debt
from fairdue.service.servicing.debt_state import debt_state
from fairdue.service.servicing.debts import SERVICE_DEBT_ID_FORMAT, line_id_of_debt

# The borrower's flags a caller may add (never remove), as the gate request's `borrower` keys.
FLAGS = ("cease_requested", "represented_by_attorney", "dispute_open", "plan_active", "bankruptcy", "breathing_space")
SERVICE_DEBT_PREFIX = SERVICE_DEBT_ID_FORMAT.split("{", 1)[0]  # "borrower:"
SERVICE_DEBT_PURPOSES = frozenset({"authentication"})  # the only purpose a service debt may be contacted for
_POSTAL_CHANNELS = frozenset({"letter", "visit"})


class Lookup(Protocol):
    """Where the builder reads an account's fixed facts and a decrypted borrower (a collections run passes its
    RunCache so a run reads each once)."""

    cipher: FieldCipher

    def facts(self, uow: Any, account_id: int) -> Any: ...

    def borrower(self, uow: Any, borrower_id: BorrowerId) -> Any: ...


class _UnitLookup:
    """The default Lookup: reads once per unit of work."""

    def __init__(self, cipher: FieldCipher):
        self.cipher = cipher
        self._facts: dict[int, Any] = {}
        self._borrowers: dict[int, Any] = {}

    def facts(self, uow: Any, account_id: int) -> Any:
        if account_id not in self._facts:
            self._facts[account_id] = uow.collections.account_facts(account_id)
        return self._facts[account_id]

    def borrower(self, uow: Any, borrower_id: BorrowerId) -> Any:
        if borrower_id not in self._borrowers:
            self._borrowers[borrower_id] = get_borrower(uow, borrower_id=borrower_id, cipher=self.cipher)
        return self._borrowers[borrower_id]


_LOOKUP_ATTR = "_gate_request_lookup"


def _lookup(uow: Any, cipher: FieldCipher | None) -> Lookup:
    held = getattr(uow, "__dict__", {}).get(_LOOKUP_ATTR)
    if held is None or (cipher is not None and held.cipher is not cipher):
        held = _UnitLookup(cipher if cipher is not None else uow.cipher)
        with contextlib.suppress(AttributeError):
            uow.__dict__[_LOOKUP_ATTR] = held
    return held


@dataclass(frozen=True, slots=True)
class Restrictions:
    """What a caller may add to the stored facts: every field only ever makes the gate stricter."""

    flags: frozenset[str] = frozenset()  # names from FLAGS, set True
    inconvenient_hours: tuple[tuple[str, str], ...] = ()
    time_zones: tuple[str, ...] = ()
    opted_out_channels: frozenset[str] = frozenset()
    asked_to_stop: bool = False
    time_barred: bool = False

    @classmethod
    def of_proposal(cls, proposal: Mapping[str, Any]) -> Restrictions:
        """The restrictions a caller's own gate request adds (its facts are otherwise ignored): flags set true,
        extra inconvenient hours, zones and opted-out channels, asked_to_stop, time_barred. Malformed parts add
        nothing here; the built request is judged on stored facts."""
        borrower, recipient, debt = (_object(proposal.get(k)) for k in ("borrower", "recipient", "debt"))
        hours = borrower.get("inconvenient_hours")
        zones = borrower.get("time_zones")
        opted = recipient.get("opted_out_channels")
        return cls(
            flags=frozenset(f for f in FLAGS if borrower.get(f) is True),
            inconvenient_hours=tuple(
                (h[0], h[1])
                for h in (hours if isinstance(hours, list) else [])
                if isinstance(h, list | tuple) and len(h) == 2 and all(isinstance(x, str) for x in h)
            ),
            time_zones=tuple(z for z in (zones if isinstance(zones, list) else []) if isinstance(z, str)),
            opted_out_channels=frozenset(c for c in (opted if isinstance(opted, list) else []) if isinstance(c, str)),
            asked_to_stop=recipient.get("asked_to_stop") is True,
            time_barred=debt.get("time_barred") is True,
        )


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who the built request names: role and source as the profile has them (on_file False: not on file)."""

    role: str
    address: str
    source: str
    on_file: bool
    consent: Mapping[str, Any] | None = None


_TOKEN = object()


@dataclass(frozen=True)
class BuiltRequest:
    """A gate request built by `build` (only `build` makes one: the contact service refuses anything else)."""

    request: dict[str, Any]
    borrower: Any  # fairdue.service.borrower.registry.Borrower, or None when the debt is not on file
    recipient: Recipient | None
    account_id: int | None
    token: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.token is not _TOKEN:
            raise TypeError("a BuiltRequest is made only by fairdue.service.contact.gate_request.build")

    def facts_used(self) -> dict[str, Any]:
        """The stored facts the request carries, for display (no address, no history detail)."""
        r = self.request
        borrower = r.get("borrower") or {}
        recipient = r.get("recipient") or {}
        return {
            "jurisdiction": r.get("jurisdiction"),
            "recipient_role": recipient.get("role"),
            "recipient_source": recipient.get("source"),
            "on_file": bool(self.recipient and self.recipient.on_file),
            "time_zones": list(borrower.get("time_zones") or []),
            "flags": [f for f in FLAGS if borrower.get(f)],
            "opted_out_channels": list(recipient.get("opted_out_channels") or []),
            "inconvenient_hours": list(borrower.get("inconvenient_hours") or []),
            "debt_state": (r.get("debt") or {}).get("state"),
            "history_entries": len(r.get("history") or []),
        }


def borrower_flags(uow: Any, *, account_id: int, borrower_id: BorrowerId, overdue_before: Any = None) -> dict[str, Any]:
    """cease_requested, opted-out channels, dispute_open, plan_active, promise_pending, from stored facts;
    contact_facts_stored: the borrower has a stored contact fact (else gate_facts need not be read);
    with overdue_before (a date), installment_overdue: an installment due before that date is still unpaid."""
    rows = uow.collections.debt_flags(account_id=account_id, borrower_id=borrower_id, overdue_before=overdue_before)
    ceases = [r.channel for r in rows if r.channel is not None]
    flags = {
        "cease_requested": "all" in ceases,
        "opted_out_channels": sorted(c for c in ceases if c != "all"),
        "dispute_open": bool(rows[0].dispute),
        "plan_active": bool(rows[0].plan),
        "promise_pending": bool(rows[0].promise),
        "contact_facts_stored": bool(rows[0].facts),
    }
    if overdue_before is not None:
        flags["installment_overdue"] = bool(rows[0].overdue)
    return flags


def _own_address(borrower: Any, channel: str) -> tuple[str, str] | None:
    """The borrower's own (address, source) for the channel: first e-mail, postal address, or first mobile."""
    if channel == "email":
        return borrower.emails[0] if borrower.emails else None
    if channel in _POSTAL_CHANNELS:
        return (borrower.address, "contract") if borrower.address else None
    return borrower.mobiles[0] if borrower.mobiles else None


def _kind(channel: str) -> str:
    """What an address must be for the channel: a number for calls and texts, an e-mail address for e-mail, the
    postal address for a letter or visit (an "e-mail" to a phone number is no address of theirs)."""
    return "email" if channel == "email" else "postal" if channel in _POSTAL_CHANNELS else "phone"


def same_address(stored: str, given: str, channel: str) -> bool:
    """Whether `given` is the stored address, read as the channel's kind of address: numbers by their digits,
    e-mail addresses case-insensitively in ASCII only (a KELVIN SIGN lower-cases to "k"), postal addresses as
    written (a phone number is never one)."""
    kind = _kind(channel)
    if kind == "phone":
        (key, is_phone), (stored_key, stored_is_phone) = address_key(given), address_key(stored)
        return is_phone and stored_is_phone and key == stored_key
    if kind == "email":
        return given.isascii() and "@" in given and stored.strip().lower() == given.strip().lower()
    return bool(given.strip()) and not address_key(given)[1] and stored.strip() == given.strip()


def _postal(text: str) -> str:
    """A postal address as compared: every run of whitespace (any script's) removed, case folded."""
    return "".join(text.split()).casefold()


def _canonical(address: str, channel: str, country: str) -> str | None:
    """The address as compared with other spellings of it: E.164 for a number (national spellings read in the
    borrower's country), a lower-cased ASCII e-mail address, a postal address without spaces; None when it is not
    that channel's kind of address."""
    kind = _kind(channel)
    if kind == "phone":
        return canonical_phone(address, default_country=country)
    text = address.strip()
    if kind == "email":
        return text.lower() if text.isascii() and "@" in text else None
    if not text or "@" in text or address_key(text)[1]:
        return None
    return _postal(text)


def _attorney(
    uow: Any, *, borrower: Any, account_id: int, address: str, channel: str, at: datetime, cipher: FieldCipher
) -> Recipient | None:
    """The borrower's attorney, when `address` is, in any spelling, the contact an attorney fact in force about this
    debt stores: on file, role attorney, source self_provided (the borrower or the attorney gave it to us). Only the
    fact makes someone the attorney, a caller saying so does not; and an address of the borrower's or of an
    emergency contact's is never the attorney's, whatever the fact says (Reg F 1006.6(b)(2): the attorney is
    someone else; contact with the borrower or their family stays what it is)."""
    country = country_of_region(borrower.postal_region)
    given = _canonical(address, channel, country)
    if given is None:
        return None
    stored = [
        s
        for s in attorney_addresses(uow, borrower_id=borrower.id, account_id=account_id, at=at, cipher=cipher)
        if _canonical(s, channel, country) == given
    ]
    if not stored:
        return None
    theirs = [m for m, _ in borrower.mobiles] + [e for e, _ in borrower.emails] + [borrower.address or ""]
    if _kind(channel) == "phone":
        theirs += [ec.mobile or "" for ec in list_emergency_contacts(uow, borrower_id=borrower.id, cipher=cipher)]
    if any(_canonical(a, channel, country) == given for a in theirs if a):
        return None
    return Recipient("attorney", stored[0].strip(), "self_provided", on_file=True)


def resolve_recipient(uow: Any, borrower: Any, address: str | None, channel: str, cipher: FieldCipher) -> Recipient:
    """Role, source and consent of `address` as the borrower's profile has them (None: the borrower's own for
    the channel). Not on file: role third_party, source unknown."""
    if address is None:
        own = _own_address(borrower, channel)
        if own is None:
            return Recipient("borrower", "", "unknown", on_file=False)
        return Recipient("borrower", own[0], own[1], on_file=True)
    given, kind = address.strip(), _kind(channel)
    on_file: list[tuple[str, str]] = {"phone": borrower.mobiles, "email": borrower.emails}.get(kind, [])
    if kind == "postal" and borrower.address:
        on_file = [(borrower.address, "contract")]
    for value, source in on_file:
        if same_address(value, given, channel):
            return Recipient("borrower", value, source, on_file=True)  # the stored spelling, not the caller's
    if kind == "phone" and address_key(given)[1]:
        for ec in list_emergency_contacts(uow, borrower_id=borrower.id, cipher=cipher):
            if ec.mobile is not None and same_address(ec.mobile, given, channel):
                consent = {
                    "granted_at": format_utc(ec.consent_granted_at),
                    "withdrawn_at": None if ec.consent_withdrawn_at is None else format_utc(ec.consent_withdrawn_at),
                    "scope": ec.consent_scope,
                }
                return Recipient("emergency_contact", ec.mobile, "emergency_contact", on_file=True, consent=consent)
    return Recipient("third_party", given, "unknown", on_file=False)


def _zones(borrower: Any, recipient: Recipient, extra: Iterable[str]) -> list[str]:
    """Every time zone known for the borrower: stated, the postal region's, every mobile's, the recipient's
    number's (Reg F 1006.6(b)(1)(i) comment 2: every location the collector knows of), plus the caller's."""
    zones = dict.fromkeys(borrower.time_zones)
    zones.update(dict.fromkeys(region_time_zones(borrower.postal_region)))
    numbers = [m for m, _ in borrower.mobiles]
    if recipient.address.startswith("+"):
        numbers.append(recipient.address)
    for number in numbers:  # the gate's own reading of a number's zones (NANP area codes spanning two included)
        zones.update(dict.fromkeys(zones_for_phone(address_key(number)[0])))
    zones.update(dict.fromkeys(extra))
    return list(zones)


def _local_day(at: datetime, zones: list[str]):
    """The borrower's local day at `at` (first known zone, as the portal shows it)."""
    try:
        return at.astimezone(ZoneInfo(zones[0])).date() if zones else at.date()
    except (ValueError, KeyError):  # an unknown stored zone name: UTC's day
        return at.date()


def _not_on_file(debt_id: str, recipient_address: str | None, channel: str, purpose: str, at: datetime) -> dict:
    return {
        "jurisdiction": None,  # no stored account: the gate denies (REQUEST.jurisdiction missing)
        "at": format_utc(at),
        "channel": channel,
        "purpose": purpose,
        "debt": {"id": debt_id, "time_barred": False},
        "recipient": {
            "role": "third_party",
            "address": (recipient_address or "").strip() or "unknown",
            "source": "unknown",
            "consent": None,
            "asked_to_stop": False,
            "opted_out_channels": [],
            "prior_location_contacts": 0,
        },
        "history": [],
    }


def _owner(uow: Any, debt_id: str, purpose: str, lookup: Lookup) -> tuple[int | None, BorrowerId | None, Any]:
    """(account id, borrower id, account facts) for a stored credit line; (None, borrower id, None) for a stored
    borrower's service debt (`borrower:<id>`, only for a login code: nothing about a debt is ever sent under it);
    all None when the debt is not on file."""
    line_id = line_id_of_debt(debt_id)
    if line_id is not None:
        facts = lookup.facts(uow, line_id)
        return (None, None, None) if facts is None else (line_id, facts.borrower_id, facts)
    if debt_id.startswith(SERVICE_DEBT_PREFIX) and purpose in SERVICE_DEBT_PURPOSES:
        digits = debt_id[len(SERVICE_DEBT_PREFIX) :]
        if digits.isascii() and digits.isdigit() and len(digits) <= 18 and uow.contact.borrower_exists(int(digits)):
            return None, BorrowerId(int(digits)), None
    return None, None, None


def home_zone(uow: Any, debt_id: str, *, cipher: FieldCipher | None = None) -> str | None:
    """The first time zone known for the debt's borrower (stated, else the postal region's), where a person
    reads wall times about this debt; None when the debt is not on file."""
    lookup = _lookup(uow, cipher)
    _account_id, borrower_id, _facts = _owner(uow, debt_id, "authentication", lookup)
    if borrower_id is None:
        return None
    borrower = lookup.borrower(uow, borrower_id)
    zones = [*borrower.time_zones, *region_time_zones(borrower.postal_region)]
    return zones[0] if zones else None


NO_LINE = 0  # no credit line has id 0: reads "about this line" then find only the borrower-wide rows


def _stored(
    uow: Any, *, account: Any, borrower: Any, flags: Mapping[str, Any] | None, at: datetime, zones: list[str]
) -> tuple[Mapping[str, Any], Mapping[str, Any], str, dict[str, Any] | None]:
    """(flags, contact facts, jurisdiction, debt state) as stored for the debt's line; for a service message (a
    login code, no line) the borrower's region gives the jurisdiction and no line's facts apply."""
    if account is None:  # a login code: the borrower-wide cease requests, opt-outs and contact facts still apply
        stored = borrower_flags(uow, account_id=NO_LINE, borrower_id=borrower.id)
        facts = gate_facts(uow, borrower_id=borrower.id, account_id=NO_LINE, at=at)
        return stored, facts, jurisdiction_of_region(borrower.postal_region), None
    stored = dict(flags) if flags is not None else borrower_flags(uow, account_id=account.id, borrower_id=borrower.id)
    facts = gate_facts(
        uow,
        borrower_id=borrower.id,
        account_id=account.id,
        at=at,
        none_stored=not stored.get("contact_facts_stored", True),
    )
    state = debt_state(uow, line_id=account.id, on=_local_day(at, zones), currency=account.currency).as_gate()
    return stored, facts, account.jurisdiction, state


def _recipient_part(who: Recipient, flags: Mapping[str, Any], r: Restrictions, history: list[dict]) -> dict:
    """The request's `recipient`: as the profile has it; the borrower's opt-outs apply to the borrower's addresses;
    earlier contacts with this third party counted from the debt's history."""
    key = address_key(who.address)[0] if who.address else None
    own_opt_outs = set(flags["opted_out_channels"]) if who.role == "borrower" else set()
    return {
        "role": who.role,
        "address": who.address or "unknown",
        "source": who.source,
        "consent": dict(who.consent) if who.consent is not None else None,
        "asked_to_stop": r.asked_to_stop,
        "opted_out_channels": sorted(own_opt_outs | r.opted_out_channels),
        "prior_location_contacts": sum(
            1 for h in history if h.get("role") != "borrower" and address_key(h["address"])[0] == key
        ),
    }


def _borrower_part(
    zones: list[str], flags: Mapping[str, Any], facts: Mapping[str, Any], r: Restrictions
) -> dict[str, Any]:
    """The request's `borrower`: stored flags and contact facts, OR-ed with the caller's added restrictions."""
    hours = [list(h) for h in facts["inconvenient_hours"]]
    hours += [list(h) for h in r.inconvenient_hours if list(h) not in hours]
    part: dict[str, Any] = {
        "time_zones": zones,
        "cease_requested": bool(flags["cease_requested"]),
        "dispute_open": bool(flags["dispute_open"]),
        "plan_active": bool(flags["plan_active"]),
        "represented_by_attorney": bool(facts["represented_by_attorney"]),
        "bankruptcy": bool(facts["bankruptcy"]),
        "breathing_space": bool(facts["breathing_space"]),
        "inconvenient_hours": hours,
    }
    for flag in r.flags:
        part[flag] = True
    return part


def build(
    uow: Any,
    *,
    debt_id: str,
    recipient: str | None,
    channel: str,
    purpose: str,
    at: datetime,
    message: Mapping[str, str] | None = None,
    restrictions: Restrictions | None = None,
    sender: Mapping[str, str] | None = None,
    cipher: FieldCipher | None = None,
    lookup: Lookup | None = None,
    flags: Mapping[str, Any] | None = None,
) -> BuiltRequest:
    """The gate request for this contact, from stored facts only (see the module docstring).

    recipient: an address, or None for the borrower's own address for the channel. message: {"language", "text"}
    (None: an unscripted call, or a message added by the contact service). sender: {"kind": "creditor" |
    "collector", "name": ...} from the caller's stored identity (default: the lender itself, a creditor).
    lookup: a collections run's RunCache; flags: `borrower_flags` just read in this transaction.
    """
    lookup = lookup if lookup is not None else _lookup(uow, cipher)
    r = restrictions or Restrictions()
    account_id, borrower_id, account = _owner(uow, debt_id, purpose, lookup)
    if borrower_id is None:
        request = _not_on_file(debt_id, recipient, channel, purpose, at)
    else:
        borrower = lookup.borrower(uow, borrower_id)
        who = resolve_recipient(uow, borrower, recipient, channel, lookup.cipher)
        if not who.on_file and recipient is not None and account_id is not None:
            attorney = _attorney(
                uow,
                borrower=borrower,
                account_id=account_id,
                address=recipient,
                channel=channel,
                at=at,
                cipher=lookup.cipher,
            )
            who = attorney or who
        zones = _zones(borrower, who, r.time_zones)
        stored, facts, jurisdiction, state = _stored(
            uow, account=account, borrower=borrower, flags=flags, at=at, zones=zones
        )
        history = history_for_debt(
            uow,
            debt_id=debt_id,
            cipher=lookup.cipher,
            call_address=borrower.mobiles[0][0] if borrower.mobiles else None,
        )
        request = {
            "jurisdiction": jurisdiction,
            "at": format_utc(at),
            "channel": channel,
            "purpose": purpose,
            "debt": {"id": debt_id, "time_barred": r.time_barred, **({"state": state} if state is not None else {})},
            "sender": dict(sender) if sender is not None else {"kind": "creditor"},
            "recipient": _recipient_part(who, stored, r, history),
            "borrower": _borrower_part(zones, stored, facts, r),
            "history": history,
        }
    if message is not None:
        request["message"] = dict(message)
    if borrower_id is None:
        return BuiltRequest(request, None, None, None, token=_TOKEN)
    return BuiltRequest(request, borrower, who, account_id, token=_TOKEN)
