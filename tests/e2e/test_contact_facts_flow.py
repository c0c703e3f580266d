"""Stored contact facts stop real collections (SQLite and PostgreSQL): a line whose borrower is in breathing space is
denied by the gate (suppression) while another line is contacted; an agent's call to a represented borrower is
denied until the attorney fact ends; the borrower's inconvenient hours move a call to after them."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import outbox_messages
from fairdue.adapters.db.schema.collections_engine import coll_actions, coll_cases
from fairdue.domain.money import Money
from fairdue.service import jobs
from fairdue.service.collections import engine as coll
from fairdue.service.contact.facts import end_fact, record_fact
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.servicing.purchases import purchase

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from portfolio_helpers import cn_borrower, cn_line, cn_ric, load_products, staff_user

CIPHER = FieldCipher(Keyring.generate("flow"))


@pytest.fixture
def world(uow_factory):
    """Two borrowers, one line each, overdue since 2026-01-30; one agent."""
    with uow_factory() as uow:
        load_products(uow)
        borrowers, lines = [], []
        for n in (1, 2):
            bid = cn_borrower(
                uow,
                cipher=CIPHER,
                name=f"李四{n}",
                id_number=cn_ric(n),
                mobile=f"1380013{8000 + n:04d}",
                email=f"b{n}@example.com",
                address="北京市东城区示例路1号",
            )
            line_id = cn_line(uow, borrower_id=bid, key=f"open-{n}")
            purchase(
                uow,
                line_id=line_id,
                amount=Money(300_000, "CNY"),
                purchased_on=date(2026, 1, 3),
                key=f"p{n}",
                plan="3-zero_fee",
            )
            borrowers.append(bid)
            lines.append(line_id)
        agent = staff_user(uow, "agent-a")
        coll.create_team(uow, code="early", name="Early", buckets="*", staff_ids=(agent,))
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 1, 30))
    return {"borrowers": borrowers, "lines": lines, "agent": agent}


def _run(uow_factory, clock, on: date, at: datetime):
    clock.set(at)
    return jobs.run_engine(uow_factory, business_on=on, now_at=at, cipher=CIPHER)


def _sent_lines(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(sa.select(outbox_messages.c.debt_id)).scalars())


def test_breathing_space_denies_collection_for_that_debt_only(uow_factory, clock, world, engine):
    first, second = world["lines"]
    with uow_factory() as uow:
        record_fact(
            uow,
            borrower_id=world["borrowers"][0],
            account_id=first,
            kind="breathing_space",
            source="insolvency_service",
            recorded_by="agent-a",
            effective_from=datetime(2026, 1, 31, tzinfo=UTC),
        )
        uow.commit()
    summary = _run(uow_factory, clock, date(2026, 2, 6), datetime(2026, 2, 6, 2, 30, tzinfo=UTC))  # 10:30 local
    assert summary.denial_categories.get("suppression", 0) >= 1
    assert debt_id_for_line(first) not in _sent_lines(engine)
    with engine.connect() as conn:
        judged = conn.execute(
            sa.select(coll_actions.c.status, coll_cases.c.account_id)
            .select_from(coll_actions.join(coll_cases, coll_cases.c.id == coll_actions.c.case_id))
            .where(coll_actions.c.attempts > 0)
        ).all()
    assert {s for s, a in judged if a == first} <= {"denied", "task"}
    assert any(a == second and s in ("sent", "task") for s, a in judged)


def test_an_attorney_blocks_the_agents_call_until_the_fact_ends(uow_factory, clock, world, engine):
    _run(uow_factory, clock, date(2026, 2, 6), datetime(2026, 2, 6, 2, 30, tzinfo=UTC))
    with uow_factory() as uow:
        tasks = coll.agent_queue(uow, agent_id=world["agent"])
    assert tasks, "the strategy plans a call task by now"
    task = tasks[0]
    with uow_factory() as uow:
        borrower = uow.connection.execute(
            sa.select(coll_cases.c.account_id).where(
                coll_cases.c.id
                == uow.connection.execute(
                    sa.select(coll_actions.c.case_id).where(coll_actions.c.id == task.action_id)
                ).scalar_one()
            )
        ).scalar_one()
        owner = world["borrowers"][world["lines"].index(borrower)]
        fact_id = record_fact(
            uow,
            borrower_id=owner,
            kind="attorney",
            source="attorney_notice",
            recorded_by="agent-a",
            attorney_name="王律师",
            cipher=CIPHER,
            effective_from=datetime(2026, 2, 6, tzinfo=UTC),
        )
        uow.commit()
    clock.set(datetime(2026, 2, 6, 3, 0, tzinfo=UTC))
    with uow_factory() as uow:
        denied = coll.judge_call_task(uow, action_id=task.action_id, at=clock(), cipher=CIPHER)
        uow.commit()
    assert not denied.allowed and any("attorney" in str(r) for r in denied.reasons), denied.reasons
    with uow_factory() as uow:
        end_fact(uow, fact_id=fact_id, ended_by="agent-a", reason="attorney withdrew")
        record_fact(
            uow,
            borrower_id=owner,
            kind="inconvenient_hours",
            source="borrower_oral",
            recorded_by="agent-a",
            hours=("10:00", "12:00"),
            effective_from=datetime(2026, 2, 6, tzinfo=UTC),
        )
        uow.commit()
    clock.set(datetime(2026, 2, 6, 3, 5, tzinfo=UTC))  # 11:05 local: inside the stated range
    with uow_factory() as uow:
        moved = coll.judge_call_task(uow, action_id=task.action_id, at=clock(), cipher=CIPHER)
        uow.commit()
    assert not moved.allowed and moved.next_allowed_at == datetime(2026, 2, 6, 4, 0, tzinfo=UTC)  # 12:00 local
    clock.set(datetime(2026, 2, 6, 4, 0, tzinfo=UTC))
    with uow_factory() as uow:
        assert coll.judge_call_task(uow, action_id=task.action_id, at=clock(), cipher=CIPHER).allowed
