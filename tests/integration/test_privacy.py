"""Privacy by construction, on SQLite and PostgreSQL: no place to store a device contact list, PII only encrypted,
lookups by blind index, emergency contacts only with consent, keys rotate without losing data."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.accounts import borrower_phones, borrowers, emergency_contacts
from fairdue.domain.borrowers import DeviceContactsRefused, TooManyEmergencyContacts
from fairdue.service.borrower.registry import (
    add_emergency_contact,
    find_borrower_by_id_number,
    find_borrowers_by_mobile,
    get_borrower,
    list_emergency_contacts,
    register_borrower,
    rotate_pii_keys,
    withdraw_emergency_consent,
)

# A table or column whose name says it could hold someone's device contacts or call history.
CONTACT_LIST_NAME = re.compile(
    r"address_?book|phone_?book|device|call_?(log|history)|contact_?list|^contacts?$|sms_?log|contacts_upload", re.I
)

NAME, RIC, MOBILE, EMAIL, ADDRESS = (
    "王小明",
    "11010519491231002X",
    "13800138000",
    "xiaoming@example.cn",
    "北京市朝阳区某街1号",
)


def person(**over) -> dict:
    data = {
        "name": NAME,
        "id_number": RIC,
        "postal_region": "CN-11",
        "address": ADDRESS,
        "mobiles": [{"number": MOBILE, "source": "contract"}],
        "emails": [{"address": EMAIL, "source": "registration"}],
    }
    data.update(over)
    return data


@pytest.fixture
def cipher():
    return FieldCipher(Keyring.generate("k1"))


def _all_text(uow) -> str:
    conn = uow.connection
    chunks = []
    for table in sa.inspect(conn).get_table_names():
        for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
            chunks.extend(str(v) for v in row if v is not None)
    return "\n".join(chunks)


def test_migrated_schema_has_no_place_for_a_device_contact_list(engine):
    insp = sa.inspect(engine)
    tables = insp.get_table_names()
    assert "borrowers" in tables and "emergency_contacts" in tables  # the scan looks at the real schema
    bad = [t for t in tables if CONTACT_LIST_NAME.search(t)]
    bad += [f"{t}.{c['name']}" for t in tables for c in insp.get_columns(t) if CONTACT_LIST_NAME.search(c["name"])]
    assert bad == []
    # Third parties live only in emergency_contacts, whose every column is accounted for.
    cols = {c["name"] for c in insp.get_columns("emergency_contacts")}
    assert cols == {
        "id",
        "borrower_id",
        "name_ct",
        "phone_ct",
        "phone_bidx",
        "relationship",
        "consent_scope",
        "consent_granted_at",
        "consent_withdrawn_at",
        "created_at",
    }


def test_scanner_would_catch_a_contact_table():
    assert CONTACT_LIST_NAME.search("borrower_address_book") and CONTACT_LIST_NAME.search("contacts")
    assert not CONTACT_LIST_NAME.search("emergency_contacts")


def test_database_refuses_a_device_contacts_source(uow_factory, cipher):
    with uow_factory() as uow:
        bid = register_borrower(uow, data=person(), cipher=cipher)
        uow.commit()
    with uow_factory() as uow, pytest.raises(sa.exc.IntegrityError):
        uow.connection.execute(
            sa.insert(borrower_phones).values(
                borrower_id=bid,
                phone_ct="x",
                phone_bidx="y" * 64,
                source="device_contacts",
                position=9,
                created_at=uow.clock(),
            )
        )


def test_database_refuses_an_emergency_contact_without_consent(uow_factory, cipher):
    with uow_factory() as uow:
        bid = register_borrower(uow, data=person(), cipher=cipher)
        uow.commit()
    with uow_factory() as uow, pytest.raises(sa.exc.IntegrityError):
        uow.connection.execute(
            sa.insert(emergency_contacts).values(
                borrower_id=bid,
                name_ct="x",
                phone_ct="y",
                phone_bidx="z",
                relationship="friend",
                consent_scope="collect",
                consent_granted_at=uow.clock(),
                created_at=uow.clock(),
            )
        )


def test_service_refuses_address_book_and_writes_nothing(uow_factory, cipher):
    with uow_factory() as uow:
        with pytest.raises(DeviceContactsRefused):
            register_borrower(uow, data=person(contacts=[{"name": "妈妈", "mobile": "13900139000"}]), cipher=cipher)
        with pytest.raises(DeviceContactsRefused):
            register_borrower(
                uow, data=person(mobiles=[{"number": "13900139000", "source": "device_contacts"}]), cipher=cipher
            )
        assert uow.connection.execute(sa.select(sa.func.count()).select_from(borrowers)).scalar_one() == 0


def test_pii_is_stored_only_encrypted_and_found_by_blind_index(uow_factory, cipher):
    with uow_factory() as uow:
        bid = register_borrower(uow, data=person(), cipher=cipher)
        uow.commit()
    with uow_factory() as uow:
        dump = _all_text(uow)
        for secret in (NAME, RIC, MOBILE, "+86" + MOBILE, EMAIL, ADDRESS):
            assert secret not in dump
        assert find_borrower_by_id_number(uow, id_kind="cn_ric", id_number=RIC.lower(), cipher=cipher) == bid
        assert find_borrowers_by_mobile(uow, mobile="+86 138 0013 8000", cipher=cipher) == [bid]
        b = get_borrower(uow, borrower_id=bid, cipher=cipher)
        assert (b.name, b.id_number, b.mobiles, b.emails, b.address) == (
            NAME,
            RIC,
            (("+8613800138000", "contract"),),
            ((EMAIL, "registration"),),
            ADDRESS,
        )
        assert b.time_zones == ("Asia/Shanghai",)


def test_emergency_contacts_need_consent_at_most_two_and_withdrawal_erases(uow_factory, cipher):
    with uow_factory() as uow:
        bid = register_borrower(uow, data=person(), cipher=cipher)
        a = add_emergency_contact(
            uow,
            borrower_id=bid,
            data={"name": "李四", "mobile": "13900139000", "consent": True, "relationship": "spouse"},
            cipher=cipher,
        )
        add_emergency_contact(
            uow, borrower_id=bid, data={"name": "赵五", "mobile": "13700137000", "consent": True}, cipher=cipher
        )
        with pytest.raises(TooManyEmergencyContacts, match="already has 2"):
            add_emergency_contact(
                uow, borrower_id=bid, data={"name": "钱六", "mobile": "13600136000", "consent": True}, cipher=cipher
            )
        withdraw_emergency_consent(uow, contact_id=a)
        contacts = {c.id: c for c in list_emergency_contacts(uow, borrower_id=bid, cipher=cipher)}
        assert contacts[a].name is None and contacts[a].mobile is None and contacts[a].consent_withdrawn_at is not None
        assert "李四" not in _all_text(uow)
        # A slot is free again after withdrawal.
        add_emergency_contact(
            uow, borrower_id=bid, data={"name": "钱六", "mobile": "13600136000", "consent": True}, cipher=cipher
        )
        uow.commit()


def test_key_rotation_re_encrypts_everything_and_the_old_key_can_go(uow_factory, cipher):
    with uow_factory() as uow:
        bid = register_borrower(uow, data=person(), cipher=cipher)
        add_emergency_contact(
            uow, borrower_id=bid, data={"name": "李四", "mobile": "13900139000", "consent": True}, cipher=cipher
        )
        uow.commit()
    rotated = FieldCipher(cipher.keyring.rotated("k2"))
    with uow_factory() as uow:
        assert (
            rotate_pii_keys(uow, cipher=rotated) == 3 + 1 + 1 + 2
        )  # name, id, address; phone; email; contact name+phone
        uow.commit()
    only_new = FieldCipher(Keyring("k2", {"k2": rotated.keyring.keys["k2"]}, cipher.keyring.index_key))
    with uow_factory() as uow:
        assert rotate_pii_keys(uow, cipher=rotated) == 0
        assert get_borrower(uow, borrower_id=bid, cipher=only_new).name == NAME
        assert list_emergency_contacts(uow, borrower_id=bid, cipher=only_new)[0].mobile == "+8613900139000"
        assert find_borrowers_by_mobile(uow, mobile=MOBILE, cipher=only_new) == [bid]
