"""Borrower use cases: register (PII encrypted), look up by blind index, emergency contacts with consent.

Every personal field passes through the one seam, `fairdue.adapters.crypto.FieldCipher`:
it is stored only as an AES-GCM token (`*_ct`) and, where lookup is needed, an
HMAC blind index (`*_bidx`). Input carrying a device contact list is refused
before anything is written (`DeviceContactsRefused`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fairdue.adapters.crypto import FieldCipher
from fairdue.adapters.db.repos.borrower import BorrowerRepository, BorrowerTwin
from fairdue.adapters.db.repos.servicing import aware
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.borrowers import (
    EMAILS_MAX,
    EMERGENCY_CONTACTS_MAX,
    MOBILES_MAX,
    BorrowerId,
    BorrowerInvalid,
    TooManyEmergencyContacts,
    compact,
    country_of_region,
    emergency_contact_from_input,
    lawful_source,
    profile_from_input,
    refuse_device_contacts,
    valid_email,
    validate_mobile,
)
from fairdue.errors import Invalid

# Associated-data contexts of the encrypted fields (a token only decrypts in its own column).
CTX = {
    "name": "borrower.name",
    "id_number": "borrower.id_number",
    "address": "borrower.address",
    "phone": "borrower.phone",
    "email": "borrower.email",
    "ec_name": "emergency_contact.name",
    "ec_phone": "emergency_contact.phone",
}


class UnknownBorrower(Invalid):
    def __init__(self, ref: object):
        super().__init__(f"unknown borrower {ref!r}")
        self.ref = ref


class BorrowerExists(Invalid):
    def __init__(self, borrower_id: BorrowerId):
        super().__init__(f"a borrower with this ID number is already registered (borrower #{borrower_id})")
        self.borrower_id = borrower_id


class UnknownEmergencyContact(Invalid):
    """No emergency contact with that id."""


@dataclass(frozen=True, slots=True)
class Borrower:
    """A decrypted borrower (only ever built for a caller entitled to see it).

    mobiles/emails: (value, source) pairs in the order given. address: None when not given.
    """

    id: BorrowerId
    name: str
    id_kind: str
    id_number: str
    mobiles: tuple[tuple[str, str], ...]
    emails: tuple[tuple[str, str], ...]
    postal_region: str
    address: str | None
    language: str
    time_zones: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EmergencyContact:
    """An emergency contact; name and mobile are None once consent was withdrawn (erased)."""

    id: int
    borrower_id: BorrowerId
    name: str | None
    mobile: str | None
    relationship: str
    consent_scope: str
    consent_granted_at: datetime
    consent_withdrawn_at: datetime | None


def _cipher(cipher: FieldCipher | None, uow: UnitOfWork) -> FieldCipher:
    return cipher if cipher is not None else uow.cipher


def register_borrower(uow: UnitOfWork, *, data: Mapping[str, Any], cipher: FieldCipher | None = None) -> BorrowerId:
    """Validate and store a borrower; returns the borrower id. Refuses device contact lists and duplicates."""
    profile = profile_from_input(data)
    c = _cipher(cipher, uow)
    r = uow.borrowers
    id_bidx = c.blind_index(f"{profile.id_kind}:{profile.id_number}", context=CTX["id_number"])
    existing = r.borrower_by_id_bidx(id_bidx)
    if existing is not None:
        raise BorrowerExists(existing.id)
    now = uow.clock()
    try:
        with r.twin_guard(id_bidx):  # a concurrent twin may insert the same ID number first
            bid = _insert_borrower(r, c, profile, id_bidx, now)
    except BorrowerTwin as twin:
        raise BorrowerExists(twin.borrower_id) from None
    return BorrowerId(bid)


def _insert_borrower(r: BorrowerRepository, c: FieldCipher, profile, id_bidx: str, now: datetime) -> int:
    bid = r.add_borrower(
        name_ct=c.encrypt(profile.name, context=CTX["name"]),
        id_kind=profile.id_kind,
        id_number_ct=c.encrypt(profile.id_number, context=CTX["id_number"]),
        id_number_bidx=id_bidx,
        postal_region=profile.postal_region,
        address_ct=c.encrypt(profile.address, context=CTX["address"]) if profile.address else None,
        language=profile.language,
        time_zones=" ".join(profile.time_zones),
        created_at=now,
    )
    r.add_phones(
        [
            {
                "borrower_id": bid,
                "phone_ct": c.encrypt(m.e164, context=CTX["phone"]),
                "phone_bidx": c.blind_index(m.e164, context=CTX["phone"]),
                "source": m.source,
                "position": i,
                "created_at": now,
            }
            for i, m in enumerate(profile.mobiles)
        ],
    )
    r.add_emails(
        [
            {
                "borrower_id": bid,
                "email_ct": c.encrypt(e.address, context=CTX["email"]),
                "email_bidx": c.blind_index(e.address.lower(), context=CTX["email"]),
                "source": e.source,
                "position": i,
                "created_at": now,
            }
            for i, e in enumerate(profile.emails)
        ],
    )
    return bid


class AddressAlreadyOnFile(Invalid):
    """The borrower already has this number or e-mail address."""


def add_contact_address(
    uow: UnitOfWork, *, borrower_id: BorrowerId, value: str, source: str, cipher: FieldCipher | None = None
) -> str:
    """Put a mobile number or e-mail address the lender obtained lawfully (`source`, one of SOURCES; a device
    contact list is refused) on the borrower's profile, after those on file; returns it as stored (E.164 for a
    number). From then on the gate treats it as the borrower's own address with that source. The caller commits
    and records who did it."""
    c = _cipher(cipher, uow)
    person = get_borrower(uow, borrower_id=borrower_id, cipher=c)
    src = lawful_source(source)
    now = uow.clock()
    if "@" in str(value):
        addr = valid_email(value)
        if any(e.lower() == addr.lower() for e, _ in person.emails):
            raise AddressAlreadyOnFile("this e-mail address is already on file for the borrower")
        if len(person.emails) >= EMAILS_MAX:
            raise BorrowerInvalid(f"email: the borrower already has {EMAILS_MAX} e-mail addresses")
        uow.borrowers.add_emails(
            [
                {
                    "borrower_id": borrower_id,
                    "email_ct": c.encrypt(addr, context=CTX["email"]),
                    "email_bidx": c.blind_index(addr.lower(), context=CTX["email"]),
                    "source": src,
                    "position": len(person.emails),
                    "created_at": now,
                }
            ]
        )
        return addr
    number = validate_mobile(value, default_country=country_of_region(person.postal_region), field="mobile")
    if any(m == number for m, _ in person.mobiles):
        raise AddressAlreadyOnFile("this number is already on file for the borrower")
    # A third party's number never becomes "the borrower's own": not an emergency contact's (consented for
    # locating only), not another borrower's.
    ec_bidx = c.blind_index(number, context=CTX["ec_phone"])
    if any(e.phone_bidx == ec_bidx for e in uow.borrowers.emergency_contacts_of(borrower_id)):
        raise BorrowerInvalid("mobile: that is an emergency contact's number, not the borrower's")
    holders = uow.borrowers.borrower_ids_by_phone_bidx(c.blind_index(number, context=CTX["phone"]))
    if any(h != borrower_id for h in holders):
        raise BorrowerInvalid("mobile: that number is another borrower's; it cannot be recorded as this one's")
    if len(person.mobiles) >= MOBILES_MAX:
        raise BorrowerInvalid(f"mobile: the borrower already has {MOBILES_MAX} numbers")
    uow.borrowers.add_phones(
        [
            {
                "borrower_id": borrower_id,
                "phone_ct": c.encrypt(number, context=CTX["phone"]),
                "phone_bidx": c.blind_index(number, context=CTX["phone"]),
                "source": src,
                "position": len(person.mobiles),
                "created_at": now,
            }
        ]
    )
    return number


def get_borrower(uow: UnitOfWork, *, borrower_id: BorrowerId, cipher: FieldCipher | None = None) -> Borrower:
    """The decrypted borrower."""
    found = get_borrowers(uow, borrower_ids=[borrower_id], cipher=cipher)
    if borrower_id not in found:
        raise UnknownBorrower(borrower_id)
    return found[borrower_id]


BORROWERS_PER_QUERY_MAX = 500  # ids per IN (...) list when reading many borrowers at once


def get_borrowers(uow: UnitOfWork, *, borrower_ids: Any, cipher: FieldCipher | None = None) -> dict[int, Borrower]:
    """The decrypted borrowers with these ids (two queries per BORROWERS_PER_QUERY_MAX ids, not three per
    borrower); an unknown id is simply absent from the answer. Nothing decrypted is stored."""
    ids = sorted({int(i) for i in borrower_ids})
    if not ids:
        return {}
    c = _cipher(cipher, uow)
    r = uow.borrowers
    out: dict[int, Borrower] = {}
    for start in range(0, len(ids), BORROWERS_PER_QUERY_MAX):
        chunk = ids[start : start + BORROWERS_PER_QUERY_MAX]
        mobiles: dict[int, list[tuple[str, str]]] = {}
        emails: dict[int, list[tuple[str, str]]] = {}
        for a in r.addresses_of_borrowers(chunk):
            held = mobiles if a.kind == "phone" else emails
            held.setdefault(a.borrower_id, []).append((c.decrypt(a.ct, context=CTX[a.kind]), a.source))
        for row in r.borrowers_by_ids(chunk):
            out[row.id] = Borrower(
                id=row.id,
                name=c.decrypt(row.name_ct, context=CTX["name"]),
                id_kind=row.id_kind,
                id_number=c.decrypt(row.id_number_ct, context=CTX["id_number"]),
                mobiles=tuple(mobiles.get(row.id, ())),
                emails=tuple(emails.get(row.id, ())),
                postal_region=row.postal_region,
                address=c.decrypt(row.address_ct, context=CTX["address"]) if row.address_ct else None,
                language=row.language,
                time_zones=tuple(row.time_zones.split()),
                created_at=aware(row.created_at),  # type: ignore[arg-type]
            )
    return out


def find_borrower_by_id_number(
    uow: UnitOfWork, *, id_kind: str, id_number: str, cipher: FieldCipher | None = None
) -> int | None:
    """Borrower id for an ID number (blind-index lookup, nothing decrypted), or None."""
    c = _cipher(cipher, uow)
    row = uow.borrowers.borrower_by_id_bidx(
        c.blind_index(f"{id_kind}:{compact(id_kind, id_number)}", context=CTX["id_number"])
    )
    return None if row is None else row.id


def find_borrowers_by_mobile(
    uow: UnitOfWork, *, mobile: str, country: str = "CN", cipher: FieldCipher | None = None
) -> list[int]:
    """Borrower ids holding `mobile` (blind-index lookup)."""
    c = _cipher(cipher, uow)
    e164 = validate_mobile(mobile, default_country=country)
    return uow.borrowers.borrower_ids_by_phone_bidx(c.blind_index(e164, context=CTX["phone"]))


def add_emergency_contact(
    uow: UnitOfWork, *, borrower_id: BorrowerId, data: Mapping[str, Any], cipher: FieldCipher | None = None
) -> int:
    """Add a consented (scope locate_only) emergency contact; at most 2 in force per borrower."""
    refuse_device_contacts(data, "emergency_contact")
    c = _cipher(cipher, uow)
    r = uow.borrowers
    row = r.borrower(borrower_id)
    if row is None:
        raise UnknownBorrower(borrower_id)
    now = uow.clock()
    contact = emergency_contact_from_input(data, country=country_of_region(row.postal_region), granted_at=now)
    active = [e for e in r.emergency_contacts_of(borrower_id) if e.consent_withdrawn_at is None]
    if len(active) >= EMERGENCY_CONTACTS_MAX:
        raise TooManyEmergencyContacts(
            f"borrower #{borrower_id} already has {EMERGENCY_CONTACTS_MAX} emergency contacts; withdraw one first"
        )
    bidx = c.blind_index(contact.mobile_e164, context=CTX["ec_phone"])
    if any(e.phone_bidx == bidx for e in active):
        raise BorrowerInvalid("emergency_contact.mobile: this contact is already registered")
    own = {p.phone_bidx for p in r.phones_of(borrower_id)}
    if c.blind_index(contact.mobile_e164, context=CTX["phone"]) in own:
        raise BorrowerInvalid("emergency_contact.mobile: that is the borrower's own number")
    return r.add_emergency_contact(
        borrower_id=borrower_id,
        name_ct=c.encrypt(contact.name, context=CTX["ec_name"]),
        phone_ct=c.encrypt(contact.mobile_e164, context=CTX["ec_phone"]),
        phone_bidx=bidx,
        relationship=contact.relationship,
        consent_scope=contact.consent.scope,
        consent_granted_at=contact.consent.granted_at,
        created_at=now,
    )


def withdraw_emergency_consent(uow: UnitOfWork, *, contact_id: int) -> None:
    """Withdraw consent: the record stays (granted_at, withdrawn_at), the contact's name and number are erased."""
    r = uow.borrowers
    row = r.emergency_contact(contact_id)
    if row is None:
        raise UnknownEmergencyContact(f"unknown emergency contact #{contact_id}")
    if row.consent_withdrawn_at is not None:
        return
    r.erase_emergency_contact(contact_id, withdrawn_at=uow.clock())


def list_emergency_contacts(
    uow: UnitOfWork, *, borrower_id: BorrowerId, cipher: FieldCipher | None = None
) -> list[EmergencyContact]:
    """Every emergency contact of the borrower, withdrawn ones included (erased)."""
    c = _cipher(cipher, uow)
    return [
        EmergencyContact(
            id=e.id,
            borrower_id=e.borrower_id,
            name=c.decrypt(e.name_ct, context=CTX["ec_name"]) if e.name_ct else None,
            mobile=c.decrypt(e.phone_ct, context=CTX["ec_phone"]) if e.phone_ct else None,
            relationship=e.relationship,
            consent_scope=e.consent_scope,
            consent_granted_at=aware(e.consent_granted_at),  # type: ignore[arg-type]
            consent_withdrawn_at=aware(e.consent_withdrawn_at),
        )
        for e in uow.borrowers.emergency_contacts_of(borrower_id)
    ]


def rotate_pii_keys(uow: UnitOfWork, *, cipher: FieldCipher) -> int:
    """Re-encrypt every personal field not under the current key (borrowers, phones, e-mails, emergency contacts,
    contact facts); returns how many fields changed."""

    def rotate(token: str, context: str) -> str | None:
        return cipher.reencrypt(token, context=context) if cipher.needs_rotation(token) else None

    return uow.borrowers.rotate_tokens(contexts=CTX, rotate=rotate)
