"""One debt id everywhere: the collections engine's messages and the agents' calls are logged under the line's
`cl:<id>`, so the borrower's portal contact log, the console's account history and the contacts API show them,
and every gate request (engine, console compose) counts the debt's logged calls (CN 6 unanswered calls a number a
day; US Reg F 7 calls in 7 days) — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.adapters.db.schema.collections_engine import coll_actions
from fairdue.domain.money import Money
from fairdue.products import shipped_product_files
from fairdue.service import jobs
from fairdue.service.borrower.registry import register_borrower
from fairdue.service.collections import engine as coll
from fairdue.service.collections.call_outcomes import log_call_outcome
from fairdue.service.contact.enforcement import OutgoingMessage, history_for_debt, request_contact
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.portal import lines as portal
from fairdue.service.servicing.accounts import open_account
from fairdue.service.servicing.debts import debt_id_for_line, line_id_of_debt
from fairdue.service.servicing.products import load_product_file
from fairdue.service.servicing.purchases import purchase

CIPHER = FieldCipher(Keyring.generate("debt-identity"))
PHONES = {"CN": "+8613800138000", "US": "+13125550142"}
SETUP = {
    "CN": (
        {"name": "张三", "id_number": "11010519491231002X", "postal_region": "CN-31"},
        "cn-ecard-std",
        "CNY",
        5,
        "3-zero_fee",
    ),
    "US": (
        {"name": "Ann Example", "id_number": "001010042", "postal_region": "US-IL"},
        "us-card-std",
        "USD",
        8,
        "6-zero_fee",
    ),
}


def _line(uow_factory, jurisdiction: str) -> tuple[int, int, int]:
    """(borrower id, line id, open case id) for a line with a purchase and an open collection case."""
    person, product, currency, cycle_day, plan = SETUP[jurisdiction]
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        bid = register_borrower(
            uow,
            cipher=CIPHER,
            data={
                **person,
                "mobiles": [{"number": PHONES[jurisdiction], "source": "contract"}],
                "emails": [{"address": "ann@example.com", "source": "contract"}],
            },
        )
        line = open_account(
            uow,
            borrower_id=bid,
            product_code=product,
            limit=Money(400_000, currency),
            cycle_day=cycle_day,
            opened_on=date(2026, 1, 2),
            key=f"open-{jurisdiction}",
        )
        purchase(
            uow,
            line_id=line.id,
            amount=Money(120_000, currency),
            purchased_on=date(2026, 1, 3),
            key=f"p-{jurisdiction}",
            plan=plan,
        )
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 2, 8))  # billed and overdue: what a call says must be true
    with uow_factory() as uow:
        case_id = coll.reopen_case(uow, account_id=line.id, on=date(2026, 2, 2))
        uow.commit()
    return bid, line.id, case_id


def _call(uow_factory, clock, case_id: int, at: datetime, n: int, outcome: str = "no_answer"):
    """An agent's call task judged by the gate at `at`; when allowed, its outcome is logged. Returns the task."""
    clock.set(at)
    with uow_factory() as uow:
        action_id = uow.connection.execute(
            coll_actions.insert()
            .values(
                case_id=case_id,
                step_key=f"manual:call:{n}",
                due_at=at,
                channel="call",
                template=None,
                status="task",
                attempts=0,
                updated_at=at,
            )
            .returning(coll_actions.c.id)
        ).scalar_one()
        task = coll.judge_call_task(uow, action_id=action_id, at=at, cipher=CIPHER)
        if task.allowed:
            log_call_outcome(uow, action_id=action_id, outcome=outcome, staff_id=None, now=at)
        uow.commit()
    return task


def test_debt_ids_name_lines_only():
    assert debt_id_for_line(42) == "cl:42" and line_id_of_debt("cl:42") == 42
    for other in ("42", "borrower:42", "cl:", "cl:04", "cl:4x", "cl:-4", "cl:４２", None, 42, "cl:" + "9" * 19):
        assert line_id_of_debt(other) is None, other
    for bad in (0, -1, True, "42"):
        with pytest.raises(ValueError):
            debt_id_for_line(bad)


def test_engine_messages_and_calls_show_in_the_portal_and_console_history(uow_factory, clock, engine):
    bid, line_id, case_id = _line(uow_factory, "US")
    debt_id = debt_id_for_line(line_id)
    # 2026-02-09 17:00 UTC = 11:00 in Chicago: the engine's due steps (messages, the M1 call task) run.
    noon = datetime(2026, 2, 9, 17, 0, tzinfo=UTC)
    clock.set(noon)
    summary = jobs.run_engine(uow_factory, business_on=noon.date(), now_at=noon, cipher=CIPHER)
    assert summary.sent >= 1
    with uow_factory() as uow:
        task = uow.connection.execute(
            sa.select(coll_actions).where(
                coll_actions.c.case_id == case_id, coll_actions.c.channel == "call", coll_actions.c.status == "task"
            )
        ).one()
        assert coll.judge_call_task(uow, action_id=task.id, at=noon, cipher=CIPHER).allowed
        logged = log_call_outcome(uow, action_id=task.id, outcome="no_answer", staff_id=None, now=noon)
        uow.commit()
    with engine.connect() as conn:
        assert set(conn.execute(sa.select(outbox_messages.c.debt_id)).scalars()) == {debt_id}
        assert set(conn.execute(sa.select(decision_log.c.debt_id)).scalars()) == {debt_id}
        sent_seqs = set(conn.execute(sa.select(outbox_messages.c.decision_seq)).scalars())
    with uow_factory() as uow:
        log = portal.contact_log(uow, borrower_id=bid)
        # The console's account page shows the portal log's items of the line's debt id (web/pages/console.py).
        view = portal.line_view(uow, borrower_id=bid, line_id=line_id, today=noon.date())
    seqs = {item.decision_seq for d, item in log if d == view.debt_id}
    assert view.debt_id == debt_id
    assert sent_seqs <= seqs  # the engine's messages
    assert {logged.gate_seq, logged.seq} <= seqs  # the call's allowing verdict and its outcome
    assert any(item.channel == "call" for d, item in log if item.decision_seq == logged.seq)


def _denied_rules(task) -> set[str]:
    assert not task.allowed, "the gate allowed a call over the cap"
    return set(task.reasons)


def test_the_seventh_unanswered_call_of_a_cn_day_is_denied_everywhere(uow_factory, clock):
    _bid, line_id, case_id = _line(uow_factory, "CN")
    start = datetime(2026, 2, 9, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    for n in range(6):
        assert _call(uow_factory, clock, case_id, start + timedelta(minutes=30 * n), n).allowed, n
    seventh = start + timedelta(hours=4)
    assert "CN.CBA2026.unanswered_calls" in _denied_rules(_call(uow_factory, clock, case_id, seventh, 6))
    # The console's compose path: history_for_debt (with the logged calls) and request_contact.
    with uow_factory() as uow:
        request = coll.build_gate_request(uow, account_id=line_id, channel="call", at=seventh, cipher=CIPHER).request
        history = history_for_debt(uow, debt_id=debt_id_for_line(line_id), cipher=CIPHER)
        assert history == request["history"]
        assert [(h["channel"], h["address"], h["outcome"]) for h in history] == [
            ("call", PHONES["CN"], "no_answer")
        ] * 6
        outcome = request_contact(
            uow,
            gate_request={**request, "history": history},
            cipher=CIPHER,
            message=OutgoingMessage(
                channel="call", recipient_address=PHONES["CN"], language="zh", text="坐席来电：关于您的账户还款事宜。"
            ),
        )
    assert not outcome.allowed
    assert {(v["rule"], v["category"]) for v in outcome.violations} >= {("CN.CBA2026.unanswered_calls", "frequency")}
    # The next local day the number may be called again.
    assert _call(uow_factory, clock, case_id, start + timedelta(days=1), 7).allowed


def test_the_eighth_call_in_seven_days_is_denied_under_reg_f(uow_factory, clock):
    _bid, _line_id, case_id = _line(uow_factory, "US")
    start = datetime(2026, 2, 9, 15, 0, tzinfo=UTC)  # 09:00 in Chicago
    for n in range(7):
        assert _call(uow_factory, clock, case_id, start + timedelta(hours=n), n).allowed, n
    rules = _denied_rules(_call(uow_factory, clock, case_id, start + timedelta(days=3), 7))
    assert "US.RegF.1006.14b2i.7in7" in rules
    assert _call(uow_factory, clock, case_id, start + timedelta(days=7), 8).allowed
