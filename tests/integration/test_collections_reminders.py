"""Pre-due (D-3) and due-day reminders for lines with nothing overdue: planned from the installments table once per
line, step and due date, judged by the real gate as purpose `reminder`, rescheduled out of hours, skipped once paid —
on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from portfolio_helpers import cn_borrower, cn_line, cn_ric, load_products

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.accounts import installments
from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.adapters.db.schema.collections_engine import coll_reminders
from fairdue.domain.money import Money
from fairdue.service.collections import engine as coll
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.servicing.payments import pay
from fairdue.service.servicing.purchases import purchase

CIPHER = FieldCipher(Keyring.generate("reminders"))


@pytest.fixture
def line(uow_factory):
    """One CN line with a 3-month plan; returns (line id, first due date)."""
    with uow_factory() as uow:
        load_products(uow)
        bid = cn_borrower(
            uow,
            cipher=CIPHER,
            name="王五",
            id_number=cn_ric(7, born_on="19850101"),
            mobile="13800138007",
            address="北京市东城区示例路1号",
        )
        line_id = cn_line(uow, borrower_id=bid, key="open-r7")
        purchase(
            uow,
            line_id=line_id,
            amount=Money(300_000, "CNY"),
            purchased_on=date(2026, 1, 3),
            key="p-r7",
            plan="3-zero_fee",
        )
        uow.commit()
        first_due = uow.connection.execute(
            sa.select(sa.func.min(installments.c.due_on)).where(installments.c.credit_line_id == line_id)
        ).scalar_one()
    run_day_end(uow_factory, through_on=first_due - timedelta(days=5))  # the statement is out, nothing due yet
    return line_id, first_due


def _shanghai(on: date, hour: int, minute: int = 0) -> datetime:
    return datetime(on.year, on.month, on.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def _run(uow_factory, clock, on: date, at: datetime):
    clock.set(at)
    return coll.run_reminders(uow_factory, business_on=on, now_at=at, cipher=CIPHER)


def _reminders(engine, line_id):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(coll_reminders).where(coll_reminders.c.account_id == line_id).order_by(coll_reminders.c.due_at)
        ).all()


def test_pre_due_and_due_reminders_are_planned_once_and_sent_through_the_gate(uow_factory, clock, engine, line):
    line_id, due = line
    pre = due - timedelta(days=3)
    early = _run(uow_factory, clock, pre - timedelta(days=1), _shanghai(pre - timedelta(days=1), 10, 30))
    assert early.reminders_planned == 0 and early.sent == 0  # D-4: nothing within the lead time yet
    first = _run(uow_factory, clock, pre, _shanghai(pre, 10, 30))
    assert first.reminders_planned == 2  # the D-3 app push and the due-day SMS for this due date
    assert first.sent == 1 and first.denied == first.rescheduled == 0
    again = _run(uow_factory, clock, pre, _shanghai(pre, 11, 0))
    assert again.reminders_planned == 0 and again.sent == 0  # idempotent per installment's due date
    rows = _reminders(engine, line_id)
    assert [(r.step_key, r.installment_due_on, r.status) for r in rows] == [
        ("pre_due:-3:app_push", due, "sent"),
        ("due:0:sms", due, "planned"),
    ]
    assert rows[1].due_at == _shanghai(due, 10)  # 10:00 in the borrower's zone on the due date
    with engine.connect() as conn:
        logged = conn.execute(sa.select(decision_log).where(decision_log.c.seq == rows[0].decision_seq)).one()
        queued = conn.execute(sa.select(outbox_messages)).all()
    assert logged.allowed and logged.purpose == "reminder" and logged.debt_id == debt_id_for_line(line_id)
    assert len(queued) == 1 and queued[0].channel == "app_push" and queued[0].decision_seq == rows[0].decision_seq
    on_due = _run(uow_factory, clock, due, _shanghai(due, 10, 30))
    assert on_due.sent == 1 and on_due.reminders_planned == 0
    assert [r.status for r in _reminders(engine, line_id)] == ["sent", "sent"]


def test_an_out_of_hours_reminder_is_rescheduled_to_the_next_allowed_time_then_sent(uow_factory, clock, engine, line):
    line_id, due = line
    pre = due - timedelta(days=3)
    night = _run(uow_factory, clock, pre, _shanghai(pre, 22, 30))
    assert night.sent == 0 and night.rescheduled == 1 and night.denial_categories.get("time_window") == 1
    row = _reminders(engine, line_id)[0]
    assert row.status == "rescheduled" and row.attempts == 1
    assert row.next_allowed_at == row.due_at == _shanghai(pre + timedelta(days=1), 8)
    assert "rules" in json.loads(row.verdict)
    too_soon = _run(uow_factory, clock, pre, _shanghai(pre, 23, 30))
    assert too_soon.sent == 0 and too_soon.rescheduled == 0  # not asked again before the next allowed time
    morning = _run(uow_factory, clock, pre + timedelta(days=1), _shanghai(pre + timedelta(days=1), 8, 5))
    assert morning.sent == 1
    assert _reminders(engine, line_id)[0].status == "sent"


def test_a_paid_due_date_is_not_reminded_and_a_line_with_a_case_gets_no_reminders(uow_factory, clock, engine, line):
    line_id, due = line
    pre = due - timedelta(days=3)
    _run(uow_factory, clock, pre, _shanghai(pre, 10, 30))
    with uow_factory() as uow:
        owed = uow.connection.execute(
            sa.select(
                installments.c.principal_due_minor + installments.c.interest_due_minor + installments.c.fee_due_minor
            ).where(installments.c.credit_line_id == line_id, installments.c.due_on == due)
        ).scalar_one()
        pay(uow, line_id=line_id, amount=Money(owed, "CNY"), received_on=pre + timedelta(days=1), key="pay-r7")
        uow.commit()
    paid = _run(uow_factory, clock, due, _shanghai(due, 10, 30))
    assert paid.sent == 0 and paid.skipped == 1
    skipped = _reminders(engine, line_id)[1]
    assert skipped.status == "skipped" and "nothing due" in json.loads(skipped.verdict)["why"]
    # The next due date falls inside the lead time while the line has an open case: no reminder is planned.
    with uow_factory() as uow:
        case_id = coll.reopen_case(uow, account_id=line_id, on=due)
        uow.commit()
        nxt = uow.connection.execute(
            sa.select(sa.func.min(installments.c.due_on)).where(
                installments.c.credit_line_id == line_id, installments.c.due_on > due
            )
        ).scalar_one()
    assert case_id
    later = _run(uow_factory, clock, nxt - timedelta(days=3), _shanghai(nxt - timedelta(days=3), 10, 30))
    assert later.reminders_planned == 0 and len(_reminders(engine, line_id)) == 2
