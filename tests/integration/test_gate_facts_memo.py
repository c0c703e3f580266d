"""gate_facts reads a (borrower, debt, instant) once per transaction, but never answers from before a fact was
recorded or ended through the same unit of work, nor from an earlier transaction — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.contact_facts import contact_facts
from fairdue.domain.money import Money
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.contact.facts import end_fact, gate_facts, record_fact
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.products import load_product_file

CIPHER = FieldCipher(Keyring.generate("memo"))
AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def test_a_fact_recorded_or_ended_is_seen_at_once(uow_factory, clock):
    clock.set(AT)
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        bid = register_borrower(
            uow,
            cipher=CIPHER,
            data={
                "name": "张三",
                "id_number": "11010519491231002X",
                "postal_region": "CN-31",
                "mobiles": [{"number": "+8613800138000", "source": "contract"}],
            },
        )
        line = open_account(
            uow,
            borrower_id=bid,
            product_code="cn-ecard-std",
            limit=Money(2_000_000, "CNY"),
            cycle_day=5,
            opened_on=date(2026, 1, 2),
            key="open-memo",
        ).id
        ask = lambda: gate_facts(uow, borrower_id=bid, account_id=line, at=AT)  # noqa: E731
        assert ask()["breathing_space"] is False
        ask()["inconvenient_hours"].append(["01:00", "02:00"])  # a caller's change does not reach the memo
        assert ask()["inconvenient_hours"] == []
        fact = record_fact(
            uow,
            borrower_id=bid,
            kind="breathing_space",
            source="insolvency_service",
            recorded_by="agent-a",
            effective_from=datetime(2026, 3, 1, tzinfo=UTC),
        )
        assert ask()["breathing_space"] is True
        end_fact(uow, fact_id=fact, ended_by="agent-a", reason="cancelled", at=datetime(2026, 3, 2, 1, tzinfo=UTC))
        assert ask()["breathing_space"] is False
        uow.commit()
        # Written past record_fact (as another writer would): the next transaction reads it.
        uow.connection.execute(
            contact_facts.insert().values(
                borrower_id=bid,
                account_id=None,
                kind="bankruptcy",
                source="public_record",
                effective_from=datetime(2026, 3, 1, tzinfo=UTC),
                effective_until=None,
                hours_start=None,
                hours_end=None,
                attorney_name_ct=None,
                attorney_contact_ct=None,
                recorded_by="agent-b",
                recorded_at=AT,
            )
        )
        uow.commit()
        assert ask()["bankruptcy"] is True
        assert uow.connection.execute(sa.select(sa.func.count()).select_from(contact_facts)).scalar_one() == 2
