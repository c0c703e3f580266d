"""The dispatcher retries with backoff, never loses or doubles a message, and records receipts."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from fairdue.adapters.channels.devservers import LocalSmtpServer, StubProvider
from fairdue.adapters.channels.email import SmtpEmailAdapter, SmtpSettings
from fairdue.adapters.channels.http_provider import HttpProviderAdapter
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import delivery_attempts, outbox_messages
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.service.contact.decision_log import DecisionLookup, contact_history
from fairdue.service.contact.dispatcher import (
    DbSentLedger,
    Dispatcher,
    DispatchPolicy,
    ReceiptRejected,
    backoff_s,
    record_receipt,
)
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

CIPHER = FieldCipher(Keyring.generate("t1"))
POLICY = DispatchPolicy(lease_s=60, backoff_base_s=10, backoff_max_s=300, batch_max=5)


def allow(_request: dict) -> dict:
    return {
        "allowed": True,
        "jurisdiction": "CN",
        "pack": "test",
        "violations": [],
        "warnings": [],
        "next_allowed_at": None,
    }


def queue_sms(
    uow_factory,
    n: int,
    *,
    attempts_max: int = 8,
    debt: str = "D1",
    at: str = "2026-01-15T02:00:00Z",
    send_window_s: int = 300,
) -> list[int]:
    ids = []
    for i in range(n):
        address, text = f"+86138001380{i:02d}", f"【示例】第 {i} 条提醒：本期账单将于 3 月 5 日到期。退订回T"
        request = {
            "jurisdiction": "CN",
            "at": at,
            "channel": "sms",
            "purpose": "reminder",
            "debt": {"id": debt},
            "recipient": {"role": "borrower", "address": address, "source": "contract"},
            "borrower": {"time_zones": ["Asia/Shanghai"]},
            "history": [],
        }
        with uow_factory() as uow:
            outcome = request_contact(
                uow,
                gate_request=request,
                decide=allow,
                attempts_max=attempts_max,
                cipher=CIPHER,
                send_window_s=send_window_s,
                message=OutgoingMessage(channel="sms", recipient_address=address, language="zh", text=text),
            )
        ids.append(outcome.outbox_id)
    return ids


def statuses(engine) -> dict[int, str]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(outbox_messages.c.id, outbox_messages.c.status)).all())


@pytest.fixture
def provider():
    with StubProvider(api_key="k") as stub:
        yield stub


def dispatcher(uow_factory, engine, provider, **kw) -> Dispatcher:
    adapter = HttpProviderAdapter(
        "sms", base_url=provider.url, api_key="k", decisions=DecisionLookup(engine), timeout_s=5
    )
    return Dispatcher(uow_factory, {"sms": adapter}, cipher=CIPHER, policy=POLICY, **kw)


def test_backoff_is_exponential_and_capped():
    assert [backoff_s(n, POLICY) for n in (1, 2, 3, 4, 5, 6, 99)] == [10, 20, 40, 80, 160, 300, 300]


def test_all_messages_sent_once(uow_factory, engine, provider):
    ids = queue_sms(uow_factory, 12)
    report = dispatcher(uow_factory, engine, provider).run_until_idle()
    assert report.sent == 12 and report.claimed == 12
    assert set(statuses(engine).values()) == {"sent"}
    assert sorted(provider.delivered_keys()) == sorted({k for k in provider.delivered_keys()})
    assert len(provider.deliveries) == len(ids)


def test_transient_failure_waits_for_backoff_then_succeeds(uow_factory, engine, provider, clock):
    [oid] = queue_sms(uow_factory, 1)
    provider.fail_next(2)
    d = dispatcher(uow_factory, engine, provider)
    assert d.run_once().retried == 1
    assert d.run_once().claimed == 0  # not due before its backoff
    clock.advance(seconds=10)
    assert d.run_once().retried == 1
    clock.advance(seconds=19)
    assert d.run_once().claimed == 0
    clock.advance(seconds=1)
    assert d.run_once().sent == 1
    with engine.connect() as conn:
        outcomes = list(conn.execute(sa.select(delivery_attempts.c.outcome).order_by(delivery_attempts.c.id)).scalars())
    assert outcomes == ["retry", "retry", "sent"]
    assert len(provider.deliveries) == 1 and statuses(engine) == {oid: "sent"}


def test_message_is_dead_after_attempts_max_but_kept(uow_factory, engine, provider, clock):
    [oid] = queue_sms(uow_factory, 1, attempts_max=3, send_window_s=86400)
    provider.fail_next(10)
    d = dispatcher(uow_factory, engine, provider)
    for _ in range(5):
        d.run_once()
        clock.advance(seconds=POLICY.backoff_max_s)
    assert statuses(engine) == {oid: "dead"} and provider.deliveries == []
    with engine.connect() as conn:
        row = conn.execute(sa.select(outbox_messages).where(outbox_messages.c.id == oid)).one()
    assert row.attempts == 3 and "gave up after 3 attempts" in row.last_error


def test_permanent_rejection_is_dead_at_once(uow_factory, engine, provider):
    [oid] = queue_sms(uow_factory, 1)
    provider.fail_next(1, status=422)
    report = dispatcher(uow_factory, engine, provider).run_once()
    assert report.dead == 1 and statuses(engine) == {oid: "dead"}


def test_crash_after_send_is_recovered_when_the_lease_expires(uow_factory, engine, provider, clock):
    [oid] = queue_sms(uow_factory, 1)

    class Crash(Exception):
        pass

    def crash(_outbox_id: int) -> None:
        raise Crash

    with pytest.raises(Crash):
        dispatcher(uow_factory, engine, provider, after_send=crash).run_once()
    assert statuses(engine) == {oid: "sending"} and len(provider.deliveries) == 1
    survivor = dispatcher(uow_factory, engine, provider)
    assert survivor.run_once().claimed == 0  # the lease still holds
    clock.advance(seconds=POLICY.lease_s)
    report = survivor.run_once()
    assert (report.sent, report.duplicates) == (1, 1)
    assert statuses(engine) == {oid: "sent"} and len(provider.deliveries) == 1


def test_refused_message_is_not_sent(uow_factory, engine, provider):
    [oid] = queue_sms(uow_factory, 1)
    with engine.begin() as conn:  # the outbox row's text no longer matches its decision
        conn.execute(
            outbox_messages.update()
            .where(outbox_messages.c.id == oid)
            .values(body_enc=CIPHER.encrypt("立即还钱", context="outbox.body"))
        )
    report = dispatcher(uow_factory, engine, provider).run_once()
    assert report.refused == 1 and statuses(engine) == {oid: "refused"} and provider.requests == 0


def test_concurrent_dispatchers_share_work_without_doubles(engine, clock, provider):
    uow_factory = lambda: UnitOfWork(engine, clock=clock)  # noqa: E731
    queue_sms(uow_factory, 30)
    reports = []

    def run() -> None:
        reports.append(dispatcher(uow_factory, engine, provider).run_until_idle())

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.sent for r in reports) == 30
    assert len(provider.deliveries) == 30 and len(set(provider.delivered_keys())) == 30
    assert set(statuses(engine).values()) == {"sent"}


def test_receipts_update_the_contact_history_once(uow_factory, engine, provider):
    queue_sms(uow_factory, 2, debt="D7")
    dispatcher(uow_factory, engine, provider).run_until_idle()
    receipts = provider.take_receipts()
    assert len(receipts) == 2
    for body, signature in receipts + receipts[:1]:  # a repeated webhook changes nothing
        with uow_factory() as uow:
            record_receipt(uow, body=body, signature=signature, secret=provider.receipt_secret)
    with uow_factory() as uow:
        items = contact_history(uow, debt_id="D7")
    assert [(i.allowed, i.outbox_status, i.delivery_status) for i in items] == [(True, "sent", "delivered")] * 2
    with uow_factory() as uow, pytest.raises(ReceiptRejected):
        record_receipt(uow, body=receipts[0][0], signature="0" * 64, secret=provider.receipt_secret)


def test_email_dispatch_end_to_end(uow_factory, engine):
    with LocalSmtpServer() as smtp:
        adapter = SmtpEmailAdapter(
            SmtpSettings(host="127.0.0.1", port=smtp.port, sender="n@lender.test"),
            decisions=DecisionLookup(engine),
            ledger=DbSentLedger(engine),
        )
        for i in range(3):
            address = f"b{i}@x.test"
            request = {
                "jurisdiction": "CN",
                "at": "2026-01-15T02:00:00Z",
                "channel": "email",
                "debt": {"id": "D1"},
                "recipient": {"role": "borrower", "address": address},
            }
            with uow_factory() as uow:
                request_contact(
                    uow,
                    gate_request=request,
                    decide=allow,
                    cipher=CIPHER,
                    message=OutgoingMessage(
                        channel="email",
                        recipient_address=address,
                        language="en",
                        text=f"Reminder {i}: your bill is due on 5 March.",
                    ),
                )
        smtp.refuse_next(1)
        d = Dispatcher(uow_factory, {"email": adapter}, cipher=CIPHER, policy=DispatchPolicy(backoff_base_s=0))
        d.run_until_idle()
        d.run_until_idle()
        assert sorted(m.rcpt_tos[0] for m in smtp.received()) == ["b0@x.test", "b1@x.test", "b2@x.test"]
    assert set(statuses(engine).values()) == {"sent"}


def test_a_message_is_not_sent_before_the_instant_its_decision_judged(uow_factory, engine, provider, clock):
    [oid] = queue_sms(uow_factory, 1, at="2026-01-15T08:00:00Z")
    d = dispatcher(uow_factory, engine, provider)
    assert d.run_once().claimed == 0
    clock.set(clock.now.replace(hour=8))
    assert d.run_once().sent == 1 and statuses(engine) == {oid: "sent"}


def test_a_retry_that_would_leave_after_send_by_expires_instead(uow_factory, engine, provider, clock):
    [oid] = queue_sms(uow_factory, 1, send_window_s=60)
    provider.fail_next(5)
    d = dispatcher(uow_factory, engine, provider)
    assert d.run_once().retried == 1  # retry at +10 s: inside the window
    clock.advance(seconds=10)
    assert d.run_once().retried == 1  # retry at +30 s: inside
    clock.advance(seconds=20)
    assert d.run_once().expired == 1  # retry at +70 s: outside -> expired, not sent late
    assert statuses(engine) == {oid: "expired"} and provider.deliveries == []


def test_a_message_claimed_after_send_by_expires_unsent(uow_factory, engine, provider, clock):
    [oid] = queue_sms(uow_factory, 1)
    clock.advance(seconds=301)
    report = dispatcher(uow_factory, engine, provider).run_once()
    assert (report.claimed, report.expired, report.sent) == (1, 1, 0)
    assert statuses(engine) == {oid: "expired"} and provider.requests == 0
    with uow_factory() as uow:
        [item] = contact_history(uow, debt_id="D1")
    assert (item.allowed, item.outbox_status) == (True, "expired")


def test_a_receipt_that_arrives_before_the_mark_is_not_lost(uow_factory, engine, provider, clock):
    [oid] = queue_sms(uow_factory, 1, debt="D9")
    receipts = []

    def webhook_then_crash(_outbox_id: int) -> None:  # the provider's webhook beats our mark, then we die
        for body, signature in provider.take_receipts():
            with uow_factory() as uow:
                receipts.append(record_receipt(uow, body=body, signature=signature, secret=provider.receipt_secret))
        raise RuntimeError("crash before mark")

    with pytest.raises(RuntimeError):
        dispatcher(uow_factory, engine, provider, after_send=webhook_then_crash).run_once()
    assert [r.outbox_id for r in receipts] == [None]  # not yet known as ours
    clock.advance(seconds=POLICY.lease_s)
    assert dispatcher(uow_factory, engine, provider).run_once().sent == 1
    with uow_factory() as uow:
        [item] = contact_history(uow, debt_id="D9")
    assert (item.outbox_status, item.delivery_status) == ("sent", "delivered")
    assert len(provider.deliveries) == 1 and statuses(engine) == {oid: "sent"}
