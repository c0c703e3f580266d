"""The day-end event consumer is idempotent: a crash mid-batch applies nothing, a rerun gives the uninterrupted result,
and cured / charged-off lines close their cases (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from test_collections import (
    CIPHER,
    world,  # noqa: F401  (fixture)
)

from fairdue.adapters.db.schema.collections_engine import coll_actions, coll_cases, coll_event_cursor
from fairdue.domain.money import Money
from fairdue.service import jobs
from fairdue.service.collections import engine as coll
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.servicing.payments import pay


def _snapshot(engine):
    with engine.connect() as conn:
        cases = conn.execute(
            sa.select(
                coll_cases.c.account_id, coll_cases.c.bucket, coll_cases.c.status, coll_cases.c.close_reason
            ).order_by(coll_cases.c.id)
        ).all()
        actions = conn.execute(
            sa.select(coll_actions.c.step_key, coll_actions.c.status).order_by(coll_actions.c.step_key)
        ).all()
        cursor = conn.execute(sa.select(coll_event_cursor.c.last_event_id)).scalar_one_or_none()
    return cases, actions, cursor


def test_a_crash_mid_batch_applies_nothing_and_a_rerun_matches(uow_factory, engine, world, monkeypatch):
    real = coll._handle_event
    calls = {"n": 0}

    def flaky(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(*args, **kw)

    monkeypatch.setattr(coll, "_handle_event", flaky)
    with pytest.raises(RuntimeError):
        coll.consume_events(uow_factory)
    cases, actions, cursor = _snapshot(engine)
    assert cases == [] and actions == [] and cursor in (None, 0)
    monkeypatch.setattr(coll, "_handle_event", real)
    assert coll.consume_events(uow_factory) > 0
    after = _snapshot(engine)
    assert len(after[0]) == 2 and after[2] > 0
    assert coll.consume_events(uow_factory) == 0 and _snapshot(engine) == after


def test_small_batches_give_the_same_cases_as_one_batch(uow_factory, engine, world):
    run_day_end(uow_factory, through_on=date(2026, 3, 6))
    assert coll.consume_events(uow_factory, batch_max=3) > 0
    cases, actions, _ = _snapshot(engine)
    assert [(c.bucket, c.status) for c in cases] == [("M2", "open"), ("M2", "open")]
    assert {a.step_key.split(":")[1] for a in actions} == {"M1", "M2"}


def test_a_cured_line_closes_its_case_and_its_planned_steps_are_skipped(uow_factory, engine, world, clock):
    coll.consume_events(uow_factory)
    a, _ = world["lines"]
    with uow_factory() as uow:
        pay(uow, line_id=a, amount=Money(400_000, "CNY"), received_on=date(2026, 1, 31), key="cure-1")
        uow.commit()
    # Before the day-end sees the cure, a due step of the paid line is skipped, never sent.
    clock.set(datetime(2026, 2, 2, 2, 30, tzinfo=UTC))
    early = jobs.run_engine(uow_factory, business_on=date(2026, 2, 2), now_at=clock(), cipher=CIPHER)
    assert early.skipped >= 1
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.text("SELECT count(*) FROM outbox_messages WHERE debt_id = :d"), {"d": debt_id_for_line(a)}
            ).scalar_one()
            == 0
        )
    run_day_end(uow_factory, through_on=date(2026, 2, 6))  # the day-end touches the line again at its statement
    coll.consume_events(uow_factory)
    with uow_factory() as uow:
        assert coll.open_case_of(uow, account_id=a) is None
        [closed] = coll.list_cases(uow, status="closed")
        assert (closed.account_id, closed.close_reason) == (a, "cure")
        assert {x.status for x in coll.actions_of(uow, case_id=closed.id)} == {"skipped"}
