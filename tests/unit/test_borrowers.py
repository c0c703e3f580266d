"""Borrower input: only what lending needs, precise validation errors, and no way in for a device address book."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fairdue.domain.borrowers import (
    BorrowerInvalid,
    DeviceContactsRefused,
    InvalidIdNumber,
    InvalidPhone,
    cn_ric_check_digit,
    derive_time_zones,
    emergency_contact_from_input,
    is_valid_id,
    profile_from_input,
    validate_id,
)

RIC = "11010519491231002X"  # the GB 11643 worked example


def cn(**over) -> dict:
    data = {
        "name": "张三",
        "id_number": RIC,
        "mobiles": [{"number": "13800138000", "source": "contract"}],
        "postal_region": "CN-11",
    }
    data.update(over)
    return data


def test_cn_profile_derives_language_and_zone():
    p = profile_from_input(cn())
    assert (p.id_kind, p.language, p.time_zones) == ("cn_ric", "zh-CN", ("Asia/Shanghai",))
    assert p.mobiles[0].e164 == "+8613800138000"


def test_us_borrower_with_numbers_in_two_zones_gets_both():
    p = profile_from_input(
        {
            "name": "Jo Doe",
            "id_number": "123-45-6789",
            "postal_region": "US-NY",
            "mobiles": [
                {"number": "+1 212 555 0123", "source": "contract"},
                {"number": "+1 415 555 0199", "source": "self_provided"},
            ],
        }
    )
    assert p.time_zones == ("America/Los_Angeles", "America/New_York")


def test_region_spanning_zones_lists_them_all():
    assert set(derive_time_zones("US-TX", [])) == {"America/Chicago", "America/Denver"}


def test_cn_resident_id_checksum():
    assert cn_ric_check_digit("11010519491231002") == "X"
    assert is_valid_id("cn_ric", "11010519491231002x")
    with pytest.raises(InvalidIdNumber, match="checksum character is 1, expected X"):
        validate_id("cn_ric", "110105194912310021")
    with pytest.raises(InvalidIdNumber, match="birth date 19491331 in the resident ID is not a date"):
        validate_id("cn_ric", "110105194913310021")
    with pytest.raises(InvalidIdNumber, match="17 digits"):
        validate_id("cn_ric", "1101051949")


@pytest.mark.parametrize(
    "kind, number, ok",
    [
        ("us_ssn", "123-45-6789", True),
        ("us_ssn", "000-12-3456", False),
        ("us_ssn", "666123456", False),
        ("uk_nino", "AB 12 34 56 C", True),
        ("uk_nino", "GB123456A", False),
        ("uk_nino", "AB123456E", False),
    ],
)
def test_other_ids(kind, number, ok):
    assert is_valid_id(kind, number) is ok


def test_bad_phone_is_named():
    with pytest.raises(InvalidPhone, match=r"mobiles\[0\]\.number: '12345' is not a valid number"):
        profile_from_input(cn(mobiles=[{"number": "12345", "source": "contract"}]))


def test_landline_is_not_a_mobile():
    with pytest.raises(InvalidPhone, match="not a mobile number"):
        profile_from_input(cn(mobiles=[{"number": "010 6552 9988", "source": "contract"}]))


@pytest.mark.parametrize(
    "data, where",
    [
        (cn(contacts=[{"name": "妈妈", "number": "13900000000"}]), "input.contacts"),
        (cn(address_book=[]), "input.address_book"),
        (
            cn(mobiles=[{"number": "13800138000", "source": "contract", "device_contacts": ["x"]}]),
            "input.mobiles[0].device_contacts",
        ),
        (cn(mobiles=[{"number": "13900000000", "source": "device_contacts"}]), "input.mobiles[0].source"),
        ({"profile": {"Call_Log": []}}, "input.profile.Call_Log"),
    ],
)
def test_device_contact_lists_are_refused_anywhere(data, where):
    with pytest.raises(DeviceContactsRefused) as err:
        profile_from_input(data)
    assert where in str(err.value)
    assert "never accepts or stores a device address book" in str(err.value)


def test_unknown_source_and_unknown_field():
    with pytest.raises(BorrowerInvalid, match=r"mobiles\[0\]\.source: must be one of contract"):
        profile_from_input(cn(mobiles=[{"number": "13800138000", "source": "friend_said"}]))
    with pytest.raises(BorrowerInvalid, match="employer: not a borrower field"):
        profile_from_input(cn(employer="ACME"))


def test_emergency_contact_needs_consent_and_locate_only_scope():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ok = emergency_contact_from_input(
        {"name": "李四", "mobile": "13900139000", "consent": True, "relationship": "spouse"},
        country="CN",
        granted_at=now,
    )
    assert ok.consent.scope == "locate_only" and ok.consent.active
    with pytest.raises(BorrowerInvalid, match="needs the borrower's consent"):
        emergency_contact_from_input({"name": "李四", "mobile": "13900139000"}, country="CN", granted_at=now)
    with pytest.raises(BorrowerInvalid, match="only locate_only"):
        emergency_contact_from_input(
            {"name": "李四", "mobile": "13900139000", "consent": True, "consent_scope": "collect"},
            country="CN",
            granted_at=now,
        )
    with pytest.raises(DeviceContactsRefused):
        emergency_contact_from_input(
            {"name": "x", "mobile": "13900139000", "consent": True, "source": "address_book"},
            country="CN",
            granted_at=now,
        )
