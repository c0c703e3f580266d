"""The borrower registry's rows: borrowers, their phones, e-mails and emergency contacts (encrypted), contact facts."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from fairdue.adapters.db.schema.accounts import borrower_emails, borrower_phones, borrowers, emergency_contacts
from fairdue.adapters.db.schema.contact_facts import FACT_CONTEXTS, contact_facts
from fairdue.domain.borrowers import BorrowerId


class BorrowerTwin(Exception):
    """A concurrent registration stored a borrower with the same ID number first (its id in `borrower_id`)."""

    def __init__(self, borrower_id: BorrowerId):
        super().__init__(f"a borrower with this ID number exists (borrower #{borrower_id})")
        self.borrower_id = borrower_id


# Statements built once and reused with bound parameters (registration and the collections engine's borrower reads
# run often; building a statement costs more than running it on SQLite).
_INSERT_BORROWER = sa.insert(borrowers).returning(borrowers.c.id)
_INSERT_PHONES = sa.insert(borrower_phones)
_INSERT_EMAILS = sa.insert(borrower_emails)
_INSERT_EMERGENCY_CONTACT = sa.insert(emergency_contacts).returning(emergency_contacts.c.id)
_BORROWER = sa.select(borrowers).where(borrowers.c.id == sa.bindparam("borrower_id"))
_BORROWER_BY_ID_BIDX = sa.select(borrowers).where(borrowers.c.id_number_bidx == sa.bindparam("bidx"))
_EMERGENCY_CONTACT = sa.select(emergency_contacts).where(emergency_contacts.c.id == sa.bindparam("contact_id"))
_ERASE_EMERGENCY_CONTACT = (
    sa.update(emergency_contacts)
    .where(emergency_contacts.c.id == sa.bindparam("contact_id"))
    .values(
        consent_withdrawn_at=sa.bindparam("withdrawn_at", type_=emergency_contacts.c.consent_withdrawn_at.type),
        name_ct=None,
        phone_ct=None,
        phone_bidx=None,
    )
)

# Rows of many borrowers by id.
_BORROWERS_BY_ID = sa.select(borrowers).where(borrowers.c.id.in_(sa.bindparam("ids", expanding=True)))


def _addresses_by_borrower_query() -> sa.CompoundSelect:
    # The borrowers' mobiles (kind 'phone') and emails (kind 'email') in one round trip, each in position order.
    ids: sa.BindParameter[Any] = sa.bindparam("ids", expanding=True)
    p, e = borrower_phones.c, borrower_emails.c
    phones = sa.select(
        sa.literal_column("'phone'").label("kind"), p.borrower_id, p.position, p.phone_ct.label("ct"), p.source
    ).where(p.borrower_id.in_(ids))
    emails = sa.select(sa.literal_column("'email'"), e.borrower_id, e.position, e.email_ct, e.source).where(
        e.borrower_id.in_(ids)
    )
    both = sa.union_all(phones, emails)
    cols = both.selected_columns
    return both.order_by(cols.kind, cols.borrower_id, cols.position)


_ADDRESSES_BY_BORROWER = _addresses_by_borrower_query()

# Encrypted columns, table by table, each with the key of its context: the registry's contexts by name (its CTX),
# a contact fact's by column (FACT_CONTEXTS, which key rotation passes on as they are).
_ENCRYPTED: tuple[tuple[sa.Table, tuple[tuple[str, str], ...]], ...] = (
    (borrowers, (("name_ct", "name"), ("id_number_ct", "id_number"), ("address_ct", "address"))),
    (borrower_phones, (("phone_ct", "phone"),)),
    (borrower_emails, (("email_ct", "email"),)),
    (emergency_contacts, (("name_ct", "ec_name"), ("phone_ct", "ec_phone"))),
)


class BorrowerRepository:
    """Named reads and writes on one unit of work's connection (nothing commits here)."""

    def __init__(self, conn: Connection, *, clock: Callable[[], datetime]):
        self.conn = conn
        self.clock = clock

    # -- registration --------------------------------------------------------------------------------
    @contextmanager
    def twin_guard(self, id_number_bidx: str) -> Iterator[None]:
        """A savepoint around a registration's inserts: when a concurrent twin stored the same ID number first, its
        IntegrityError rolls back to the savepoint and becomes BorrowerTwin (any other IntegrityError propagates)."""
        try:
            with self.conn.begin_nested():
                yield
        except sa.exc.IntegrityError:
            existing = self.borrower_by_id_bidx(id_number_bidx)
            if existing is None:
                raise
            raise BorrowerTwin(existing.id) from None

    def add_borrower(
        self,
        *,
        name_ct: str,
        id_kind: str,
        id_number_ct: str,
        id_number_bidx: str,
        postal_region: str,
        address_ct: str | None,
        language: str,
        time_zones: str,
        created_at: datetime,
    ) -> int:
        """Store a borrower (personal fields already encrypted); returns its id."""
        values = {
            "name_ct": name_ct,
            "id_kind": id_kind,
            "id_number_ct": id_number_ct,
            "id_number_bidx": id_number_bidx,
            "postal_region": postal_region,
            "address_ct": address_ct,
            "language": language,
            "time_zones": time_zones,
            "created_at": created_at,
        }
        return int(self.conn.execute(_INSERT_BORROWER, values).scalar_one())

    def add_phones(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store a borrower's phones, one statement for all: {borrower_id, phone_ct, phone_bidx, source, position,
        created_at} each."""
        if rows:
            self.conn.execute(_INSERT_PHONES, list(rows))

    def add_emails(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store a borrower's e-mails, one statement for all: {borrower_id, email_ct, email_bidx, source, position,
        created_at} each."""
        if rows:
            self.conn.execute(_INSERT_EMAILS, list(rows))

    # -- borrowers -----------------------------------------------------------------------------------
    def borrower(self, borrower_id: BorrowerId) -> sa.Row | None:
        """The borrower row (encrypted), or None."""
        return self.conn.execute(_BORROWER, {"borrower_id": borrower_id}).first()

    def borrower_by_id_bidx(self, bidx: str) -> sa.Row | None:
        """The borrower whose ID number has this blind index, or None."""
        return self.conn.execute(_BORROWER_BY_ID_BIDX, {"bidx": bidx}).first()

    def borrower_ids_by_phone_bidx(self, bidx: str) -> list[int]:
        """Ids of the borrowers holding a phone with this blind index, ascending."""
        q = sa.select(borrower_phones.c.borrower_id).where(borrower_phones.c.phone_bidx == bidx)
        return sorted({r[0] for r in self.conn.execute(q)})

    def borrowers_by_ids(self, ids: list[int]) -> list[sa.Row]:
        """Rows of the borrowers with these ids (unknown ids are absent), one query."""
        return list(self.conn.execute(_BORROWERS_BY_ID, {"ids": ids}))

    def addresses_of_borrowers(self, ids: list[int]) -> list[sa.Row]:
        """(kind 'phone' or 'email', borrower_id, position, ct, source) of these borrowers' mobiles and e-mails, one
        query, ordered by kind, borrower and position."""
        return list(self.conn.execute(_ADDRESSES_BY_BORROWER, {"ids": ids}))

    def phones_of(self, borrower_id: BorrowerId) -> list[sa.Row]:
        """The borrower's phone rows in position order."""
        q = (
            sa.select(borrower_phones)
            .where(borrower_phones.c.borrower_id == borrower_id)
            .order_by(borrower_phones.c.position)
        )
        return list(self.conn.execute(q))

    # -- emergency contacts --------------------------------------------------------------------------
    def emergency_contacts_of(self, borrower_id: BorrowerId) -> list[sa.Row]:
        """The borrower's emergency contacts, withdrawn ones included, oldest first."""
        q = (
            sa.select(emergency_contacts)
            .where(emergency_contacts.c.borrower_id == borrower_id)
            .order_by(emergency_contacts.c.id)
        )
        return list(self.conn.execute(q))

    def emergency_contact(self, contact_id: int) -> sa.Row | None:
        """The emergency contact row, or None."""
        return self.conn.execute(_EMERGENCY_CONTACT, {"contact_id": contact_id}).first()

    def add_emergency_contact(
        self,
        *,
        borrower_id: BorrowerId,
        name_ct: str,
        phone_ct: str,
        phone_bidx: str,
        relationship: str,
        consent_scope: str,
        consent_granted_at: datetime,
        created_at: datetime,
    ) -> int:
        """Store a consented emergency contact (in force: not withdrawn); returns its id."""
        values = {
            "borrower_id": borrower_id,
            "name_ct": name_ct,
            "phone_ct": phone_ct,
            "phone_bidx": phone_bidx,
            "relationship": relationship,
            "consent_scope": consent_scope,
            "consent_granted_at": consent_granted_at,
            "consent_withdrawn_at": None,
            "created_at": created_at,
        }
        return int(self.conn.execute(_INSERT_EMERGENCY_CONTACT, values).scalar_one())

    def erase_emergency_contact(self, contact_id: int, *, withdrawn_at: datetime) -> None:
        """Consent withdrawn at `withdrawn_at`: the contact's name, number and its blind index are erased."""
        self.conn.execute(_ERASE_EMERGENCY_CONTACT, {"contact_id": contact_id, "withdrawn_at": withdrawn_at})

    # -- key rotation --------------------------------------------------------------------------------
    def rotate_tokens(self, *, contexts: Mapping[str, str], rotate: Callable[[str, str], str | None]) -> int:
        """Every encrypted field of borrowers, phones, e-mails, emergency contacts and contact facts (table by table,
        row by row): `rotate(token, context)` gives the new token, or None to keep it; a row with new tokens is
        updated at once. contexts: the registry's contexts by name (name, id_number, address, phone, email,
        ec_name, ec_phone). Returns how many fields changed."""
        tables = [(table, tuple((col, contexts[key]) for col, key in cols)) for table, cols in _ENCRYPTED]
        tables.append((contact_facts, tuple(FACT_CONTEXTS.items())))
        changed = 0
        for table, cols in tables:
            for row in self.conn.execute(sa.select(table)):
                values = {}
                for col, ctx in cols:
                    token = getattr(row, col)
                    if token:
                        new = rotate(token, ctx)
                        if new is not None:
                            values[col] = new
                if values:
                    self.conn.execute(sa.update(table).where(table.c.id == row.id).values(**values))
                    changed += len(values)
        return changed
