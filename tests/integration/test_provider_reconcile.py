"""A message whose decision lapsed after a crash is not recorded blindly: the dispatcher asks the HTTP provider by
idempotency key — an SMS that left is recorded `sent` (never re-sent), one that did not is `expired`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from fairdue.adapters.channels.devservers import StubProvider, free_port
from fairdue.adapters.channels.http_provider import HttpProviderAdapter
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import outbox_messages
from fairdue.service.contact.decision_log import DecisionLookup
from fairdue.service.contact.dispatcher import Dispatcher, DispatchPolicy
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

CIPHER = FieldCipher(Keyring.generate("t1"))
POLICY = DispatchPolicy(lease_s=60, backoff_base_s=10, backoff_max_s=300, batch_max=5)
AT = "2026-01-15T02:00:00Z"  # the clock fixture's start; the decision covers 300 s


class Crash(BaseException):
    """Stands for the dispatcher process dying."""


def allow(_request: dict) -> dict:
    return {
        "allowed": True,
        "jurisdiction": "CN",
        "pack": "test",
        "violations": [],
        "warnings": [],
        "next_allowed_at": None,
    }


def queue_sms(uow_factory) -> int:
    address = "+8613800138000"
    request = {
        "jurisdiction": "CN",
        "at": AT,
        "channel": "sms",
        "purpose": "reminder",
        "debt": {"id": "D1"},
        "recipient": {"role": "borrower", "address": address, "source": "contract"},
    }
    with uow_factory() as uow:
        return request_contact(
            uow,
            gate_request=request,
            decide=allow,
            cipher=CIPHER,
            message=OutgoingMessage(
                channel="sms",
                recipient_address=address,
                language="zh",
                text="【示例】本期账单将于 3 月 5 日到期。退订回T",
            ),
        ).outbox_id


def dispatcher(uow_factory, engine, url: str, **kw) -> Dispatcher:
    adapter = HttpProviderAdapter("sms", base_url=url, api_key="k", decisions=DecisionLookup(engine), timeout_s=2)
    return Dispatcher(uow_factory, {"sms": adapter}, cipher=CIPHER, policy=POLICY, **kw)


def row(engine, outbox_id: int):
    with engine.connect() as conn:
        return conn.execute(sa.select(outbox_messages).where(outbox_messages.c.id == outbox_id)).one()


@pytest.fixture
def provider():
    with StubProvider(api_key="k") as stub:
        yield stub


def test_sent_before_the_crash_and_noticed_after_send_by_is_recorded_sent(uow_factory, engine, provider, clock):
    oid = queue_sms(uow_factory)

    def die(_outbox_id):
        raise Crash()

    with pytest.raises(Crash):
        dispatcher(uow_factory, engine, provider.url, after_send=die).run_once()
    clock.advance(seconds=400)  # lease gone, and the decision's window too
    report = dispatcher(uow_factory, engine, provider.url).run_once()
    assert (report.sent, report.expired) == (1, 0)
    r = row(engine, oid)
    assert r.status == "sent" and r.provider_message_id == provider.deliveries[0].id
    assert len(provider.deliveries) == 1 and provider.requests == 1  # looked up, never posted again


def test_never_reached_the_provider_and_noticed_after_send_by_expires(uow_factory, engine, provider, clock):
    oid = queue_sms(uow_factory)
    dispatcher(uow_factory, engine, provider.url).claim()  # claimed, then the process died before sending
    clock.advance(seconds=400)
    report = dispatcher(uow_factory, engine, provider.url).run_once()
    assert (report.sent, report.expired) == (0, 1)
    r = row(engine, oid)
    assert r.status == "expired" and "provider confirms no earlier attempt" in r.last_error
    assert provider.deliveries == []


def test_a_provider_that_cannot_be_asked_leaves_the_honest_doubt_on_record(uow_factory, engine, clock):
    oid = queue_sms(uow_factory)
    url = f"http://127.0.0.1:{free_port()}"  # nobody listens
    dispatcher(uow_factory, engine, url).claim()
    clock.advance(seconds=400)
    report = dispatcher(uow_factory, engine, url).run_once()
    assert report.expired == 1
    assert "may have reached the provider" in row(engine, oid).last_error


def test_lookup_by_key(uow_factory, engine, provider):
    oid = queue_sms(uow_factory)
    adapter = HttpProviderAdapter("sms", base_url=provider.url, api_key="k", decisions=DecisionLookup(engine))
    claimed = dispatcher(uow_factory, engine, provider.url).claim()[0]
    assert adapter.reconcile(claimed.message, idempotency_key="fd-x").state == "not_delivered"
    sent = adapter.send(claimed.message, idempotency_key="fd-x")
    assert adapter.reconcile(claimed.message, idempotency_key="fd-x").provider_message_id == sent.provider_message_id
    assert oid == claimed.outbox_id
