"""Attacks on who counts as the borrower's attorney (Reg F 1006.6(b)(2); CONC 7.9; 《民法典》第161条 agency).

Only an attorney fact in force about the debt makes an address the attorney's, and never an address that is, in any
spelling, the borrower's own or an emergency contact's: reaching the represented borrower or their family as "the
attorney" would be the very contact the fact forbids. Each case was found by a hostile review of the builder.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from portfolio_helpers import cn_borrower, cn_line, cn_ric, load_products, make_overdue

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.service.borrower.registry import add_emergency_contact
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.contact.enforcement import check_contact
from fairdue.service.contact.facts import record_fact
from fairdue.service.servicing.debts import debt_id_for_line

CIPHER = FieldCipher(Keyring.generate("attorney-attacks"))
PHONE = "+8613800138001"
EMAIL = "zhang@example.cn"
HOME = "北京市朝阳区建国路1号"
MOTHER = "+8613900139000"  # a consented emergency contact
NOW = datetime(2026, 2, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.fixture
def line(uow_factory, clock):
    with uow_factory() as uow:
        load_products(uow)
        bid = cn_borrower(uow, cipher=CIPHER, name="张三", id_number=cn_ric(1), mobile=PHONE, email=EMAIL, address=HOME)
        line_id = cn_line(uow, borrower_id=bid, key="open-1")
        add_emergency_contact(
            uow,
            borrower_id=bid,
            cipher=CIPHER,
            data={"name": "李四", "mobile": MOTHER, "consent": True, "relationship": "parent"},
        )
        uow.commit()
    make_overdue(uow_factory, [line_id])
    clock.set(NOW)
    return {"borrower": bid, "line": line_id}


def _attorney_on_file(uow_factory, line, contact: str) -> None:
    with uow_factory() as uow:
        record_fact(
            uow,
            borrower_id=line["borrower"],
            kind="attorney",
            source="borrower_oral",
            recorded_by="agent.li",
            effective_from=NOW - timedelta(days=1),
            attorney_name="王律师",
            attorney_contact=contact,
            cipher=CIPHER,
        )
        uow.commit()


def _request(uow_factory, line, address: str, channel: str) -> dict:
    with uow_factory() as uow:
        return gate_requests.build(
            uow,
            debt_id=debt_id_for_line(line["line"]),
            recipient=address,
            channel=channel,
            purpose="collection",
            at=NOW,
            cipher=CIPHER,
        ).request


@pytest.mark.parametrize(
    "stored, given, channel",
    [
        ("13800138001", "13800138001", "sms"),  # the borrower's own number, national spelling
        ("0086 138-0013-8001", "008613800138001", "call"),  # the same, international prefix spelled out
        ("13900139000", "13900139000", "sms"),  # the emergency contact's number
        ("ZHANG@example.cn", "zhang@EXAMPLE.cn", "email"),  # the borrower's own e-mail address
        ("北京市朝阳区 建国路1号", "北京市朝阳区 建国路1号", "letter"),  # the borrower's home, respaced
    ],
)
def test_the_borrowers_or_a_contacts_address_is_never_the_attorney_reg_f_1006_6_b_2(
    uow_factory, line, stored, given, channel
):
    _attorney_on_file(uow_factory, line, stored)
    request = _request(uow_factory, line, given, channel)
    assert request["recipient"]["role"] != "attorney"
    assert not check_contact(request)["allowed"]


@pytest.mark.parametrize(
    "stored, given, channel",
    [
        ("(", "()", "sms"),  # no digits at all: no number
        ("+", "+ -", "call"),
        ("wang@law.cn", "wang@law.cn", "letter"),  # an e-mail address is no postal address
        ("+86 10 6500 0000", "+86 10 6500 0000", "email"),  # nor is a number an e-mail address
        ("+86 10 6500 0000", "+86 10 6500 0000", "letter"),  # nor a postal address
    ],
)
def test_what_is_not_the_channels_kind_of_address_matches_nothing_reg_f_1006_6_b_2(
    uow_factory, line, stored, given, channel
):
    _attorney_on_file(uow_factory, line, stored)
    assert _request(uow_factory, line, given, channel)["recipient"]["role"] == "third_party"


def test_the_attorneys_landline_in_any_spelling_is_the_attorney_reg_f_1006_6_b_2(uow_factory, line):
    _attorney_on_file(uow_factory, line, "010 6500 0000")  # national spelling of a Beijing landline
    request = _request(uow_factory, line, "+86-10-6500-0000", "call")
    assert request["recipient"]["role"] == "attorney" and request["recipient"]["source"] == "self_provided"
