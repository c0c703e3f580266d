"""The collections engine's per-run reads (batched borrowers, a run cache, the decision-log head kept within a
transaction) answer exactly what the one-at-a-time reads did, and never hide what changed during the run."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.domain.money import Money
from fairdue.products import shipped_product_files
from fairdue.service.borrower.registry import get_borrower, get_borrowers, register_borrower
from fairdue.service.collections import engine as coll
from fairdue.service.contact.decision_log import append_decision, verify_log
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.products import load_product_file

CIPHER = FieldCipher(Keyring.generate("runcache"))
AT = datetime(2026, 2, 9, 17, 0, tzinfo=UTC)  # 11:00 in Chicago


def _ann(n: int) -> dict:
    return {
        "name": f"Ann Example{n}",
        "id_number": f"00101004{n}",
        "postal_region": "US-IL",
        "mobiles": [
            {"number": f"+1312555014{n}", "source": "contract"},
            {"number": f"+1312555015{n}", "source": "self_provided"},
        ],
        "emails": [{"address": f"ann{n}@example.com", "source": "contract"}],
    }


def _line(uow_factory) -> tuple[int, int]:
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        bid = register_borrower(uow, cipher=CIPHER, data=_ann(1))
        line = open_account(
            uow,
            borrower_id=bid,
            product_code="us-card-std",
            limit=Money(400_000, "USD"),
            cycle_day=8,
            opened_on=date(2026, 1, 2),
            key="open-runcache-1",
        )
        uow.commit()
    return bid, line.id


def test_many_borrowers_read_at_once_are_the_borrowers_read_one_by_one(uow_factory):
    with uow_factory() as uow:
        ids = [register_borrower(uow, cipher=CIPHER, data=_ann(n)) for n in (1, 2, 3)]
        uow.commit()
        many = get_borrowers(uow, borrower_ids=ids + [ids[-1] + 1000], cipher=CIPHER)
        assert sorted(many) == sorted(ids)  # an unknown id is left out, not an error
        for bid in ids:
            assert many[bid] == get_borrower(uow, borrower_id=bid, cipher=CIPHER)
        assert many[ids[0]].mobiles == (("+13125550141", "contract"), ("+13125550151", "self_provided"))
        assert get_borrowers(uow, borrower_ids=[], cipher=CIPHER) == {}


def test_a_run_cache_never_hides_a_cease_request_or_a_message_sent_during_the_run(uow_factory, clock):
    bid, line_id = _line(uow_factory)
    clock.set(AT)
    cache = coll.RunCache(CIPHER)
    with uow_factory() as uow:
        cache.prefetch(uow, [line_id])
        built = coll.build_gate_request(uow, account_id=line_id, channel="sms", at=AT, cache=cache)
        first, borrower = built.request, built.borrower
    assert borrower.mobiles[0][0] == "+13125550141"
    assert first["history"] == [] and first["borrower"]["cease_requested"] is False
    with uow_factory() as uow:  # a message queued and sent by another transaction during the run
        message = OutgoingMessage(
            channel="sms",
            recipient_address="+13125550141",
            language="en",
            text="Ann, a payment is due. Call 400-000-0000 to talk it over; reply STOP to opt out.",
        )
        outcome = request_contact(
            uow,
            gate_request=built,
            message=message,
            decide=lambda r: {"allowed": True, "violations": [], "warnings": [], "next_allowed_at": None},
            cipher=CIPHER,
            commit=False,
        )
        assert outcome.allowed
        uow.connection.execute(
            outbox_messages.update().where(outbox_messages.c.id == outcome.outbox_id).values(status="sent", sent_at=AT)
        )
        coll.record_cease(uow, borrower_id=bid, channel="all")
        uow.commit()
    with uow_factory() as uow:
        again = coll.build_gate_request(uow, account_id=line_id, channel="sms", at=AT, cache=cache).request
    assert [(h["channel"], h["address"]) for h in again["history"]] == [("sms", "+13125550141")]
    assert again["borrower"]["cease_requested"] is True


def test_the_head_kept_within_a_transaction_survives_a_rolled_back_savepoint(uow_factory):
    def record(i: int) -> dict:
        return {
            "kind": "contact_decision",
            "decided_at": AT.isoformat(),
            "debt_id": f"D{i}",
            "channel": "sms",
            "purpose": "collection",
            "recipient": {"role": "borrower", "address_masked": "138****8000"},
            "fingerprint": None,
            "request": {},
            "decision": {"allowed": False, "violations": []},
        }

    with uow_factory() as uow:
        a = append_decision(uow, record(1))
        savepoint = uow.connection.begin_nested()
        append_decision(uow, record(2))
        savepoint.rollback()
        c = append_decision(uow, record(3))
        d = append_decision(uow, record(4))
        uow.commit()
        e = append_decision(uow, record(5))  # a new transaction reads the head row again
        uow.commit()
    assert (c.seq, c.prev_hash) == (a.seq + 1, a.hash)
    assert (d.prev_hash, e.prev_hash, e.seq) == (c.hash, d.hash, a.seq + 3)
    with uow_factory() as uow:
        assert verify_log(uow).ok
        assert uow.connection.execute(sa.select(sa.func.count()).select_from(decision_log)).scalar_one() == 4
