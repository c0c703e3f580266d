"""The issue's collections story end to end on real storage and real channels: day-end makes a line overdue, the engine
sends lawful reminders (SMS through a local stub provider, e-mail over real SMTP to a local aiosmtpd server), an
out-of-hours call becomes a task with its next allowed time, a device-contact number is denied and reaches no adapter,
a negotiated plan suppresses collection and a missed plan installment reopens the case."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from fairdue.adapters.channels.devservers import LocalSmtpServer, StubProvider
from fairdue.adapters.channels.email import SmtpEmailAdapter, SmtpSettings
from fairdue.adapters.channels.http_provider import HttpProviderAdapter
from fairdue.adapters.db.schema.collections import outbox_messages
from fairdue.adapters.db.schema.collections_engine import coll_actions
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.instants import format_utc
from fairdue.service import jobs
from fairdue.service.collections import engine as coll
from fairdue.service.contact.decision_log import DecisionLookup, verify_log
from fairdue.service.contact.dispatcher import DbSentLedger, Dispatcher
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact
from fairdue.service.dayend.runner import run_day_end
from fairdue.service.servicing.debts import debt_id_for_line
from fairdue.service.servicing.plans import accept_plan, propose_plans_for_account

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from test_collections import CIPHER, _line, _staff

from fairdue.products import shipped_product_files
from fairdue.service.servicing.products import load_product_file

EMAIL_TEXT = (
    "【示例消费金融】尊敬的客户，您的账户应还款项已逾期，请通过示例消费金融 App 或官方客服 400-000-0000 还款；"
    "如有异议或需协商还款，请致电 400-000-0000。"
)


def _at(on: date, hour_utc: int, minute: int = 0) -> datetime:
    return datetime(on.year, on.month, on.day, hour_utc, minute, tzinfo=UTC)


def test_collections_story_end_to_end(uow_factory, engine, clock):
    with uow_factory() as uow:
        for f in shipped_product_files():
            load_product_file(uow, path=f)
        line = _line(uow, 1)
        agent = _staff(uow, "agent-a")
        coll.create_team(uow, code="early", name="Early", buckets="*", staff_ids=(agent,))
        uow.commit()
    run_day_end(uow_factory, through_on=date(2026, 1, 30))

    with LocalSmtpServer() as smtp, StubProvider(api_key="k") as provider:
        decisions = DecisionLookup(engine)
        dispatcher = Dispatcher(
            uow_factory,
            {
                "email": SmtpEmailAdapter(
                    SmtpSettings(host="127.0.0.1", port=smtp.port, sender="notice@lender.test"),
                    decisions=decisions,
                    ledger=DbSentLedger(engine),
                ),
                "sms": HttpProviderAdapter("sms", base_url=provider.url, api_key="k", decisions=decisions),
                "app_push": HttpProviderAdapter("app_push", base_url=provider.url, api_key="k", decisions=decisions),
            },
            cipher=CIPHER,
        )

        # Steps fall due at 10:00 Shanghai. The engine runs late each day (22:30 Shanghai = 14:30 UTC, out of hours):
        # every due step is denied for the hour; messages are rescheduled to 08:00 and go out on the 08:30 run.
        sent = 0
        on = date(2026, 1, 31)
        while on <= date(2026, 2, 9):
            clock.set(_at(on, 14, 30))
            late = jobs.run_engine(uow_factory, business_on=on, now_at=_at(on, 14, 30), cipher=CIPHER)
            assert late.sent == 0 and dispatcher.run_until_idle().claimed == 0
            nxt = on + timedelta(days=1)
            clock.set(_at(nxt, 0, 30))
            morning = jobs.run_engine(uow_factory, business_on=nxt, now_at=_at(nxt, 0, 30), cipher=CIPHER)
            assert morning.sent == late.rescheduled
            assert dispatcher.run_until_idle().sent == morning.sent
            sent += morning.sent
            on = nxt
        assert sent >= 1 and len(provider.deliveries) == sent  # lawful SMS reminders delivered
        with uow_factory() as uow:
            tasks = coll.agent_queue(uow, agent_id=agent)
            rows = uow.connection.execute(sa.select(coll_actions.c.channel, coll_actions.c.status)).all()
        tasks_denied = [t for t in tasks if not t.allowed]
        assert tasks_denied, rows  # the out-of-hours call: a task that says when it may be made
        assert all(t.next_allowed_at is not None and t.next_allowed_at.hour == 0 for t in tasks_denied)

        # An agent's e-mail reminder, judged from the same stored facts, delivered over real SMTP.
        clock.set(_at(date(2026, 2, 10), 3))
        with uow_factory() as uow:
            mail = request_contact(
                uow,
                gate_request={
                    "debt": {"id": debt_id_for_line(line)},
                    "purpose": "reminder",
                    "channel": "email",
                    "at": format_utc(clock()),
                },
                message=OutgoingMessage(
                    channel="email", recipient_address="b1@example.com", language="zh", text=EMAIL_TEXT
                ),
                cipher=CIPHER,
            )
        assert mail.allowed, mail.violations
        assert dispatcher.run_until_idle().sent == 1
        [received] = smtp.received()
        assert received.rcpt_tos == ("b1@example.com",) and "400-000-0000" in received.body

        # A friend's number from the borrower's device contact list: denied, never queued, no adapter reached.
        deliveries = len(provider.deliveries)
        with uow_factory() as uow:
            friend = request_contact(
                uow,
                gate_request={
                    "debt": {"id": debt_id_for_line(line)},
                    "purpose": "location",
                    "channel": "sms",
                    "at": format_utc(clock()),
                },
                message=OutgoingMessage(
                    channel="sms",
                    recipient_address="+8613911112222",
                    language="zh",
                    text="【示例消费金融】您好，请转告张三回电 400-000-0000。",
                ),
                cipher=CIPHER,
            )
        assert not friend.allowed and friend.outbox_id is None
        assert "data_source" in {v["category"] for v in friend.violations}
        assert dispatcher.run_until_idle().claimed == 0 and len(provider.deliveries) == deliveries
        assert "+8613911112222" not in [d.to for d in provider.deliveries]

        # A negotiated plan: the case closes (plan) and nothing about the line is contacted while it is honoured.
        with uow_factory() as uow:
            [*_, plan] = propose_plans_for_account(
                uow,
                account_id=line,
                monthly_income_minor=900_000,
                monthly_expenses_minor=700_000,
                as_of=date(2026, 2, 10),
            )
            accept_plan(uow, account_id=line, proposal=plan, business_on=date(2026, 2, 10))
            uow.commit()
        run_day_end(uow_factory, through_on=plan.rows[0].due_on)
        on, reminders = date(2026, 2, 11), 0
        before = len(provider.deliveries)
        while on <= plan.rows[0].due_on:
            clock.set(_at(on, 2, 30))
            quiet = jobs.run_engine(uow_factory, business_on=on, now_at=_at(on, 2, 30), cipher=CIPHER)
            assert quiet.tasks == 0 and quiet.plans_broken == 0 and quiet.denial_categories == {}
            reminders += quiet.sent
            assert dispatcher.run_until_idle().sent == quiet.sent
            on += timedelta(days=1)
        # Only the reminder of the plan's own first installment (purpose reminder, 3 days ahead) went out.
        assert reminders == 1 and len(provider.deliveries) == before + 1
        with engine.connect() as conn:
            purpose = conn.execute(sa.text("SELECT purpose FROM decision_log ORDER BY seq DESC LIMIT 1")).scalar_one()
        assert purpose == "reminder"
        # The first plan installment is missed: the case reopens the day after.
        after = plan.rows[0].due_on + timedelta(days=1)
        clock.set(_at(after, 2, 30))
        broken = jobs.run_engine(uow_factory, business_on=after, now_at=_at(after, 2, 30), cipher=CIPHER)
        assert broken.plans_broken == 1
        with uow_factory() as uow:
            case = coll.open_case_of(uow, account_id=line)
            assert case is not None and case.opened_on == after

    with UnitOfWork(engine) as uow:
        assert verify_log(uow).ok
        outbox = " ".join(str(v) for row in uow.connection.execute(sa.select(outbox_messages)).all() for v in row)
    assert "13800138001" not in outbox and "b1@example.com" not in outbox  # personal data only as cipher tokens
