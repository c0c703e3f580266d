"""The borrower's data rights cover the stored contact facts: the copy (PIPL Art. 45) lists them with the
attorney's details decrypted, and correction/deletion requests record which facts are held (ids only, no attorney
details), may name one of the borrower's own, and say that facts are retained — on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.contact_facts import contact_facts
from fairdue.domain.money import Money
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.contact.facts import end_fact, record_fact
from fairdue.service.portal import data_rights
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.products import load_product_file

CIPHER = FieldCipher(Keyring.generate("rights"))
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def held(uow_factory, clock):
    clock.set(NOW)
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        people = [
            register_borrower(
                uow,
                cipher=CIPHER,
                data={
                    "name": name,
                    "id_number": idn,
                    "postal_region": "CN-31",
                    "mobiles": [{"number": phone, "source": "contract"}],
                },
            )
            for name, idn, phone in (
                ("张三", "11010519491231002X", "+8613800138000"),
                ("李四", "110105194912310038", "+8613900139000"),
            )
        ]
        line = open_account(
            uow,
            borrower_id=people[0],
            product_code="cn-ecard-std",
            limit=Money(2_000_000, "CNY"),
            cycle_day=5,
            opened_on=date(2026, 1, 2),
            key="open-rights",
        ).id
        attorney = record_fact(
            uow,
            borrower_id=people[0],
            kind="attorney",
            source="borrower_written",
            recorded_by="agent-a",
            attorney_name="王律师",
            attorney_contact="+862155550100",
            cipher=CIPHER,
            effective_from=datetime(2026, 2, 1, tzinfo=UTC),
        )
        hours = record_fact(
            uow,
            borrower_id=people[0],
            kind="inconvenient_hours",
            source="borrower_written",
            recorded_by="agent-a",
            hours=("12:00", "13:30"),
            effective_from=datetime(2026, 2, 1, tzinfo=UTC),
        )
        end_fact(
            uow, fact_id=hours, ended_by="agent-a", reason="borrower changed jobs", at=datetime(2026, 2, 20, tzinfo=UTC)
        )
        other = record_fact(
            uow,
            borrower_id=people[1],
            kind="bankruptcy",
            source="court_notice",
            recorded_by="agent-a",
            effective_from=datetime(2026, 2, 1, tzinfo=UTC),
        )
        uow.commit()
    return {"borrower": people[0], "line": line, "attorney": attorney, "hours": hours, "other": other}


def test_the_copy_lists_the_contact_facts_with_attorney_details(uow_factory, held):
    with uow_factory() as uow:
        copy = data_rights.export(uow, borrower_id=str(held["borrower"]), cipher=CIPHER, today=NOW.date())
    facts = {f["id"]: f for f in copy["contact_facts"]}
    assert set(facts) == {held["attorney"], held["hours"]}  # the other borrower's fact is not in it
    assert (facts[held["attorney"]]["attorney_name"], facts[held["attorney"]]["attorney_contact"]) == (
        "王律师",
        "+862155550100",
    )
    assert facts[held["attorney"]]["in_force"] is True and facts[held["attorney"]]["kind"] == "attorney"
    assert facts[held["hours"]]["inconvenient_hours"] == ["12:00", "13:30"]
    assert facts[held["hours"]]["in_force"] is False and facts[held["hours"]]["end_reason"] == "borrower changed jobs"
    json.dumps(copy, ensure_ascii=False)  # the export is JSON-ready


def test_correction_and_deletion_requests_carry_the_held_facts(uow_factory, held, engine):
    with uow_factory() as uow:
        fix = data_rights.file_request(
            uow,
            borrower_id=str(held["borrower"]),
            kind="correction",
            now=NOW,
            details={"field": "other", "value": "律师电话已变更", "fact_id": held["attorney"]},
            cipher=CIPHER,  # the correction's value is stored encrypted (issue 16)
        )
        gone = data_rights.file_request(
            uow,
            borrower_id=str(held["borrower"]),
            kind="deletion",
            now=NOW,
            details={"reason": "请删除我的数据"},
        )
        for wrong in (held["other"], 10_000, True):  # another borrower's fact, none, not an id
            with pytest.raises(data_rights.DataRightsError, match="no stored contact fact"):
                data_rights.file_request(
                    uow,
                    borrower_id=str(held["borrower"]),
                    kind="correction",
                    now=NOW,
                    details={"field": "other", "value": "x", "fact_id": wrong},
                )
        uow.commit()
        stored = {
            r["id"]: r["details"]
            for r in data_rights.requests_of(uow, borrower_id=str(held["borrower"]), cipher=CIPHER)
        }
    expected = [
        {"id": held["attorney"], "kind": "attorney", "account_id": None, "in_force": True},
        {"id": held["hours"], "kind": "inconvenient_hours", "account_id": None, "in_force": False},
    ]
    assert stored[fix]["contact_facts"] == expected and stored[fix]["fact_id"] == held["attorney"]
    assert stored[gone]["contact_facts"] == expected and "contact_facts" in stored[gone]["restricted_by_retention"]
    assert "王律师" not in json.dumps(stored, ensure_ascii=False)  # requests hold ids, not the attorney's details
    assert stored[fix]["value"] == "律师电话已变更"  # the borrower's own read opens the sealed value
    with engine.connect() as conn:  # the facts stay (they limit contact)
        assert conn.execute(sa.select(sa.func.count()).select_from(contact_facts)).scalar_one() == 3
