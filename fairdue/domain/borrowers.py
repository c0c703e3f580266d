"""Borrower profiles — privacy by construction.

A profile holds only what lending needs: name, ID number, mobiles and emails
each with its *source*, postal region, address, language and the IANA time
zones the borrower may be in. There is no field for a device address book:
`profile_from_input` refuses any input that tries to carry one (a `contacts`,
`address_book`, `device_contacts`… key anywhere in the input, or a number
whose source is the device's contact list), with `DeviceContactsRefused`.
Third parties exist only as at most two emergency contacts, each together with
a consent record (granted_at, withdrawn_at, scope "locate_only").

Validators follow the python-stdnum shape (`compact`, `validate` raising a
precise error, `is_valid`): China resident ID (GB 11643 checksum and birth
date), US SSN, UK National Insurance number; phones via `phonenumbers`.
Pure: no I/O, no clock (times are passed in).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal, NewType, overload

import phonenumbers
from phonenumbers import timezone as pn_timezone

from fairdue.errors import Invalid

BorrowerId = NewType("BorrowerId", int)
"""A borrower's id (the borrowers table's key): the one type every context, route and page passes. The tables
that keep it as text convert in their column type (fairdue.adapters.db.schema.types.BorrowerIdText)."""

# Where a phone number or email may come from (CBA 2026 lawful sources).
SOURCES = ("contract", "self_provided", "registration", "credit_bureau", "public_record")
# Keys and sources that would carry a device address book or call log: always refused.
DEVICE_CONTACT_KEYS = frozenset(
    {
        "contacts",
        "contact_list",
        "address_book",
        "addressbook",
        "device_contacts",
        "phonebook",
        "phone_book",
        "call_log",
        "call_logs",
        "call_history",
        "sms_log",
        "contacts_upload",
    }
)
DEVICE_CONTACT_SOURCES = frozenset({"device_contacts", "address_book", "device", "call_log", "phonebook"})
CONSENT_SCOPES = ("locate_only",)
RELATIONSHIPS = ("spouse", "parent", "child", "sibling", "relative", "friend", "colleague", "other")
LANGUAGES = ("zh-CN", "en-US", "en-GB", "en")
ID_KINDS = ("cn_ric", "us_ssn", "uk_nino")
EMERGENCY_CONTACTS_MAX = 2
MOBILES_MAX = 5
EMAILS_MAX = 5
NAME_LEN_MAX = 100
ADDRESS_LEN_MAX = 300
EMAIL_LEN_MAX = 254
_REGION = re.compile(r"^(CN|US|GB)(-[A-Z0-9]{1,3})?$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


class BorrowerInvalid(Invalid, ValueError):
    """Borrower input failed validation; the message names the field."""


class DeviceContactsRefused(BorrowerInvalid):
    """Input tried to submit a device address book / call log; fairdue never stores one."""

    def __init__(self, where: str):
        super().__init__(
            f"refused: {where} — fairdue never accepts or stores a device address book, contact list or call log "
            f"(PIPL Art. 5-6, 13; CBA 2026); only the borrower's own numbers and consented emergency contacts"
        )
        self.where = where


class InvalidIdNumber(BorrowerInvalid):
    pass


class InvalidPhone(BorrowerInvalid):
    pass


class TooManyEmergencyContacts(BorrowerInvalid):
    pass


# -- ID numbers (stdnum shape) -----------------------------------------------------------
_RIC_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RIC_CHECK = "10X98765432"


def compact(kind: str, number: str) -> str:
    """The number without spaces, dashes and case differences."""
    return re.sub(r"[\s\-]", "", str(number)).upper()


def cn_ric_check_digit(first17: str) -> str:
    """GB 11643-1999 ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _RIC_CHECK[sum(int(d) * w for d, w in zip(first17, _RIC_WEIGHTS, strict=False)) % 11]


def validate_id(kind: str, number: str) -> str:
    """Return the compact number or raise InvalidIdNumber saying exactly what is wrong."""
    if kind not in ID_KINDS:
        raise InvalidIdNumber(f"id_kind: must be one of {', '.join(ID_KINDS)}, got {kind!r}")
    n = compact(kind, number)
    if kind == "cn_ric":
        if not re.fullmatch(r"\d{17}[\dX]", n):
            raise InvalidIdNumber("id_number: a China resident ID has 17 digits and a digit or X (18 characters)")
        try:
            date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
        except ValueError:
            raise InvalidIdNumber(f"id_number: birth date {n[6:14]} in the resident ID is not a date") from None
        if int(n[6:10]) < 1900:
            raise InvalidIdNumber(f"id_number: birth year {n[6:10]} is before 1900")
        expected = cn_ric_check_digit(n[:17])
        if n[17] != expected:
            raise InvalidIdNumber(f"id_number: checksum character is {n[17]}, expected {expected}")
        return n
    if kind == "us_ssn":
        if not re.fullmatch(r"\d{9}", n):
            raise InvalidIdNumber("id_number: a US SSN has 9 digits")
        area, group, serial = n[:3], n[3:5], n[5:]
        if area in ("000", "666") or area >= "900" or group == "00" or serial == "0000":
            raise InvalidIdNumber("id_number: not an issuable SSN (area 000/666/9xx, group 00 or serial 0000)")
        return n
    if not re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", n) or n[:2] in (
        "BG",
        "GB",
        "NK",
        "KN",
        "TN",
        "NT",
        "ZZ",
    ):
        raise InvalidIdNumber(
            "id_number: a UK National Insurance number looks like QQ123456C (two letters, six digits, A-D)"
        )
    return n


def is_valid_id(kind: str, number: str) -> bool:
    try:
        validate_id(kind, number)
        return True
    except InvalidIdNumber:
        return False


# -- phones, emails, time zones ------------------------------------------------------------
def country_of_region(region: str) -> str:
    """ISO 3166 alpha-2 country ("CN", "US", "GB") of a postal region like "CN-31"."""
    return region.split("-", 1)[0]


_COUNTRY_JURISDICTION = {"CN": "CN", "US": "US", "GB": "UK"}


def jurisdiction_of_region(region: str) -> str:
    """The contact-policy jurisdiction (CN, US, UK) where a postal region lies; CN when the country is not one."""
    return _COUNTRY_JURISDICTION.get(country_of_region(region), "CN")


def validate_mobile(raw: str, *, default_country: str, field: str = "mobile") -> str:
    """E.164 form of a valid mobile number, else InvalidPhone naming the field."""
    return _e164(_parse_mobile(raw, default_country=default_country, field=field))


def canonical_phone(raw: str, *, default_country: str) -> str | None:
    """E.164 form of any possible phone number (a landline too), national spellings read in `default_country`;
    None when `raw` is not one (digitless separators, letters, too few digits). For matching a free-text contact
    against stored numbers, never for storing a borrower's mobile (validate_mobile)."""
    text = raw.strip()
    if not text.isascii() or not any(c.isdigit() for c in text):
        return None
    try:
        num = phonenumbers.parse(text, default_country)
    except phonenumbers.NumberParseException:
        return None
    return _e164(num) if phonenumbers.is_possible_number(num) else None


def _e164(num: phonenumbers.PhoneNumber) -> str:
    return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)


def _parse_mobile(raw: str, *, default_country: str, field: str) -> phonenumbers.PhoneNumber:
    """A valid mobile number, parsed (kept by profile_from_input for its time zones: parsing is the costly part)."""
    try:
        num = phonenumbers.parse(str(raw), default_country)
    except phonenumbers.NumberParseException as err:
        raise InvalidPhone(f"{field}: {raw!r} is not a phone number ({err._msg})") from None
    if not phonenumbers.is_valid_number(num):
        raise InvalidPhone(f"{field}: {raw!r} is not a valid number for its country")
    kind = phonenumbers.number_type(num)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise InvalidPhone(f"{field}: {raw!r} is not a mobile number")
    return num


def phone_time_zones(number: str | phonenumbers.PhoneNumber) -> tuple[str, ...]:
    """IANA zones a number (E.164, or already parsed) may be in (several when its prefix spans several);
    none if unknown."""
    num = number if isinstance(number, phonenumbers.PhoneNumber) else phonenumbers.parse(number)
    zones = pn_timezone.time_zones_for_number(num)
    return tuple(z for z in zones if z != "Etc/Unknown")


# US states to their IANA zones (several where a state spans zones).
_US_STATE_ZONES: dict[str, tuple[str, ...]] = {
    "AL": ("America/Chicago",),
    "AK": ("America/Anchorage", "America/Adak"),
    "AZ": ("America/Phoenix",),
    "AR": ("America/Chicago",),
    "CA": ("America/Los_Angeles",),
    "CO": ("America/Denver",),
    "CT": ("America/New_York",),
    "DE": ("America/New_York",),
    "DC": ("America/New_York",),
    "FL": ("America/New_York", "America/Chicago"),
    "GA": ("America/New_York",),
    "HI": ("Pacific/Honolulu",),
    "ID": ("America/Boise", "America/Los_Angeles"),
    "IL": ("America/Chicago",),
    "IN": ("America/Indiana/Indianapolis", "America/Chicago"),
    "IA": ("America/Chicago",),
    "KS": ("America/Chicago", "America/Denver"),
    "KY": ("America/New_York", "America/Chicago"),
    "LA": ("America/Chicago",),
    "ME": ("America/New_York",),
    "MD": ("America/New_York",),
    "MA": ("America/New_York",),
    "MI": ("America/Detroit", "America/Menominee"),
    "MN": ("America/Chicago",),
    "MS": ("America/Chicago",),
    "MO": ("America/Chicago",),
    "MT": ("America/Denver",),
    "NE": ("America/Chicago", "America/Denver"),
    "NV": ("America/Los_Angeles",),
    "NH": ("America/New_York",),
    "NJ": ("America/New_York",),
    "NM": ("America/Denver",),
    "NY": ("America/New_York",),
    "NC": ("America/New_York",),
    "ND": ("America/Chicago", "America/Denver"),
    "OH": ("America/New_York",),
    "OK": ("America/Chicago",),
    "OR": ("America/Los_Angeles", "America/Boise"),
    "PA": ("America/New_York",),
    "RI": ("America/New_York",),
    "SC": ("America/New_York",),
    "SD": ("America/Chicago", "America/Denver"),
    "TN": ("America/Chicago", "America/New_York"),
    "TX": ("America/Chicago", "America/Denver"),
    "UT": ("America/Denver",),
    "VT": ("America/New_York",),
    "VA": ("America/New_York",),
    "WA": ("America/Los_Angeles",),
    "WV": ("America/New_York",),
    "WI": ("America/Chicago",),
    "WY": ("America/Denver",),
}
_COUNTRY_ZONES = {"CN": ("Asia/Shanghai",), "GB": ("Europe/London",)}


def region_time_zones(region: str) -> tuple[str, ...]:
    """IANA zones of a postal region: CN-* → Asia/Shanghai, GB-* → Europe/London, US-XX by state."""
    country = country_of_region(region)
    if country == "US":
        sub = region.split("-", 1)[1] if "-" in region else ""
        return _US_STATE_ZONES.get(sub, ())
    return _COUNTRY_ZONES.get(country, ())


def derive_time_zones(region: str, mobiles: list[str] | list[phonenumbers.PhoneNumber]) -> tuple[str, ...]:
    """Every zone the borrower may be in: the region's and each mobile's (E.164 or parsed; sorted, unique).

    The contact gate must respect all of them (a call is lawful only if lawful in every one).
    """
    zones = set(region_time_zones(region))
    for m in mobiles:
        zones.update(phone_time_zones(m))
    return tuple(sorted(zones))


# -- records ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SourcedPhone:
    """A mobile number in E.164 and where it came from (one of SOURCES)."""

    e164: str
    source: str


@dataclass(frozen=True, slots=True)
class SourcedEmail:
    """An email address (as given, trimmed) and where it came from (one of SOURCES)."""

    address: str
    source: str


@dataclass(frozen=True, slots=True)
class BorrowerProfile:
    """What lending needs about a borrower, nothing more.

    name: legal name. id_kind/id_number: one of ID_KINDS, compact form.
    mobiles/emails: at least one mobile; each with its source.
    postal_region: ISO 3166-2 style ("CN-31", "US-CA", "GB-ENG"). address: postal address or None.
    language: one of LANGUAGES. time_zones: IANA names derived from region and mobiles (may be several).
    """

    name: str
    id_kind: str
    id_number: str
    mobiles: tuple[SourcedPhone, ...]
    emails: tuple[SourcedEmail, ...]
    postal_region: str
    address: str | None
    language: str
    time_zones: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Consent:
    """A consent record: granted_at (aware UTC), withdrawn_at (None while in force), scope."""

    granted_at: datetime
    withdrawn_at: datetime | None = None
    scope: str = "locate_only"

    @property
    def active(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True, slots=True)
class EmergencyContactInput:
    """A consented emergency contact: name, E.164 mobile, relationship, and the consent it rests on."""

    name: str
    mobile_e164: str
    relationship: str
    consent: Consent


def refuse_device_contacts(data: Any, path: str = "input") -> None:
    """Raise DeviceContactsRefused if `data` carries an address-book key or source anywhere."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            k = str(key).strip().lower()
            if k in DEVICE_CONTACT_KEYS:
                raise DeviceContactsRefused(f"{path}.{key} would hold a device contact list")
            if k == "source" and isinstance(value, str) and value.strip().lower() in DEVICE_CONTACT_SOURCES:
                raise DeviceContactsRefused(f"{path}.source {value!r} is a device contact list")
            refuse_device_contacts(value, f"{path}.{key}")
    elif isinstance(data, (list, tuple)):
        for i, item in enumerate(data):
            refuse_device_contacts(item, f"{path}[{i}]")


@overload
def _text(data: Mapping[str, Any], key: str, length_max: int, *, required: Literal[True] = True) -> str: ...
@overload
def _text(data: Mapping[str, Any], key: str, length_max: int, *, required: bool) -> str | None: ...
def _text(data: Mapping[str, Any], key: str, length_max: int, *, required: bool = True) -> str | None:
    v = data.get(key)
    if v is None and not required:
        return None
    if not isinstance(v, str) or not v.strip():
        raise BorrowerInvalid(f"{key}: must be a non-empty string")
    v = v.strip()
    if len(v) > length_max:
        raise BorrowerInvalid(f"{key}: at most {length_max} characters, got {len(v)}")
    return v


def _source(value: Any, field: str) -> str:
    if isinstance(value, str) and value.strip().lower() in DEVICE_CONTACT_SOURCES:
        raise DeviceContactsRefused(f"{field} {value!r} is a device contact list")
    if not isinstance(value, str) or value not in SOURCES:
        raise BorrowerInvalid(f"{field}: must be one of {', '.join(SOURCES)}, got {value!r}")
    return value


def lawful_source(value: Any, field: str = "source") -> str:
    """`value` when it is a lawful source of contact data (SOURCES); a device contact list is refused by name."""
    return _source(value, field)


def valid_email(raw: Any, field: str = "email") -> str:
    """The e-mail address, trimmed, when it is one; else BorrowerInvalid naming the field."""
    addr = str(raw or "").strip()
    if len(addr) > EMAIL_LEN_MAX or not _EMAIL.match(addr):
        raise BorrowerInvalid(f"{field}: {addr!r} is not an email address")
    return addr


_PROFILE_KEYS = {"name", "id_kind", "id_number", "mobiles", "emails", "postal_region", "address", "language"}


def profile_from_input(data: Any) -> BorrowerProfile:
    """Validate borrower input (a mapping); refuse any device contact list; derive time zones."""
    refuse_device_contacts(data)
    if not isinstance(data, Mapping):
        raise BorrowerInvalid("borrower input must be a mapping of fields")
    extra = sorted(set(data) - _PROFILE_KEYS)
    if extra:
        raise BorrowerInvalid(f"{extra[0]}: not a borrower field (allowed: {', '.join(sorted(_PROFILE_KEYS))})")
    name = _text(data, "name", NAME_LEN_MAX)
    region = _text(data, "postal_region", 10)
    if not _REGION.match(region):
        raise BorrowerInvalid(f"postal_region: must look like CN-31, US-CA or GB-ENG, got {region!r}")
    country = country_of_region(region)
    id_kind = data.get("id_kind") or {"CN": "cn_ric", "US": "us_ssn", "GB": "uk_nino"}[country]
    id_number = validate_id(id_kind, _text(data, "id_number", 40))
    raw_mobiles = data.get("mobiles")
    if not isinstance(raw_mobiles, list) or not raw_mobiles:
        raise BorrowerInvalid("mobiles: at least one mobile number is required, as a list of {number, source}")
    if len(raw_mobiles) > MOBILES_MAX:
        raise BorrowerInvalid(f"mobiles: at most {MOBILES_MAX}")
    mobiles, parsed = [], []
    for i, m in enumerate(raw_mobiles):
        if not isinstance(m, Mapping) or set(m) - {"number", "source"}:
            raise BorrowerInvalid(f"mobiles[{i}]: must be {{number, source}}")
        parsed.append(_parse_mobile(m.get("number", ""), default_country=country, field=f"mobiles[{i}].number"))
        mobiles.append(SourcedPhone(_e164(parsed[-1]), _source(m.get("source"), f"mobiles[{i}].source")))
    if len({m.e164 for m in mobiles}) != len(mobiles):
        raise BorrowerInvalid("mobiles: the same number is listed twice")
    raw_emails = data.get("emails") or []
    if not isinstance(raw_emails, list) or len(raw_emails) > EMAILS_MAX:
        raise BorrowerInvalid(f"emails: must be a list of at most {EMAILS_MAX} {{address, source}}")
    emails = []
    for i, e in enumerate(raw_emails):
        if not isinstance(e, Mapping) or set(e) - {"address", "source"}:
            raise BorrowerInvalid(f"emails[{i}]: must be {{address, source}}")
        addr = valid_email(e.get("address", ""), f"emails[{i}].address")
        emails.append(SourcedEmail(addr, _source(e.get("source"), f"emails[{i}].source")))
    address = _text(data, "address", ADDRESS_LEN_MAX, required=False)
    language = data.get("language") or {"CN": "zh-CN", "US": "en-US", "GB": "en-GB"}[country]
    if language not in LANGUAGES:
        raise BorrowerInvalid(f"language: must be one of {', '.join(LANGUAGES)}, got {language!r}")
    zones = derive_time_zones(region, parsed)
    return BorrowerProfile(
        name=name,
        id_kind=id_kind,
        id_number=id_number,
        mobiles=tuple(mobiles),
        emails=tuple(emails),
        postal_region=region,
        address=address,
        language=language,
        time_zones=zones,
    )


def emergency_contact_from_input(data: Any, *, country: str, granted_at: datetime) -> EmergencyContactInput:
    """Validate one emergency contact; it must come with consent (scope locate_only)."""
    refuse_device_contacts(data, "emergency_contact")
    if not isinstance(data, Mapping):
        raise BorrowerInvalid("emergency_contact: must be a mapping")
    extra = sorted(set(data) - {"name", "mobile", "relationship", "consent_scope", "consent"})
    if extra:
        raise BorrowerInvalid(f"emergency_contact.{extra[0]}: not an emergency-contact field")
    if data.get("consent") is not True:
        raise BorrowerInvalid(
            "emergency_contact.consent: an emergency contact needs the borrower's consent (consent = true)"
        )
    scope = data.get("consent_scope", "locate_only")
    if scope not in CONSENT_SCOPES:
        raise BorrowerInvalid(
            f"emergency_contact.consent_scope: only {', '.join(CONSENT_SCOPES)} is allowed, got {scope!r}"
        )
    if granted_at.tzinfo is None:
        raise BorrowerInvalid("consent granted_at must be an aware UTC instant")
    name = _text(data, "name", NAME_LEN_MAX)
    mobile = validate_mobile(data.get("mobile", ""), default_country=country, field="emergency_contact.mobile")
    rel = data.get("relationship", "other")
    if rel not in RELATIONSHIPS:
        raise BorrowerInvalid(f"emergency_contact.relationship: must be one of {', '.join(RELATIONSHIPS)}, got {rel!r}")
    return EmergencyContactInput(name, mobile, rel, Consent(granted_at, None, scope))
