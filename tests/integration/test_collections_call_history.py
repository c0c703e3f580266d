"""An agent's logged call is part of the debt's contact history the gate sees: after a conversation with a US
borrower, another collection call within 7 days is denied (Reg F 1006.14(b)(2)(i)(B)) — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections_engine import coll_actions
from fairdue.domain.money import Money
from fairdue.policy import decide
from fairdue.products import shipped_product_files
from fairdue.service import jobs
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.collections import engine as coll
from fairdue.service.collections.call_outcomes import log_call_outcome
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.products import load_product_file
from fairdue.service.servicing.purchases import purchase

CIPHER = FieldCipher(Keyring.generate("calls"))
RULE = "US.RegF.1006.14b2i.after_conversation"


def test_a_logged_conversation_bars_the_next_call_for_seven_days(uow_factory, clock):
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        bid = register_borrower(
            uow,
            cipher=CIPHER,
            data={
                "name": "Ann Example",
                "id_number": "001010042",
                "postal_region": "US-IL",
                "mobiles": [{"number": "+13125550142", "source": "contract"}],
                "emails": [{"address": "ann@example.com", "source": "contract"}],
            },
        )
        line = open_account(
            uow,
            borrower_id=bid,
            product_code="us-card-std",
            limit=Money(400_000, "USD"),
            cycle_day=8,
            opened_on=date(2026, 1, 2),
            key="open-call-1",
        )
        purchase(
            uow,
            line_id=line.id,
            amount=Money(120_000, "USD"),
            purchased_on=date(2026, 1, 3),
            key="p-call-1",
            plan="6-zero_fee",
        )
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 8))  # billed and overdue: what a call says must be true
    with uow_factory() as uow:
        case_id = coll.reopen_case(uow, account_id=line.id, on=date(2026, 2, 2))
        uow.commit()
    # 2026-02-09 17:00 UTC = 11:00 in Chicago: the M1 call task (day 5) is due and allowed.
    noon = datetime(2026, 2, 9, 17, 0, tzinfo=UTC)
    clock.set(noon)
    jobs.run_engine(uow_factory, business_on=noon.date(), now_at=noon, cipher=CIPHER)
    with uow_factory() as uow:
        task = uow.connection.execute(
            sa.select(coll_actions).where(coll_actions.c.case_id == case_id, coll_actions.c.channel == "call")
        ).one()
        assert task.status == "task"
        judged = coll.judge_call_task(uow, action_id=task.id, at=noon, cipher=CIPHER)
        assert judged.allowed
        log_call_outcome(uow, action_id=task.id, outcome="answered", staff_id=None, now=noon)
        uow.commit()
    for days, barred in ((2, True), (6, True), (7, False)):
        at = noon + timedelta(days=days)
        with uow_factory() as uow:
            request = coll.build_gate_request(uow, account_id=line.id, channel="call", at=at, cipher=CIPHER).request
        calls = [h for h in request["history"] if h["channel"] == "call"]
        assert [(h["outcome"], h["address"], h["role"]) for h in calls] == [
            ("conversation", "+13125550142", "borrower")
        ]
        rules = {v["rule"] for v in decide(request)["violations"]}
        assert (RULE in rules) is barred, (days, rules)
