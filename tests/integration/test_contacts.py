"""Every contact is decided and logged; only an allowed one reaches the outbox, in the same transaction."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from portfolio_helpers import cn_borrower, cn_line, cn_ric, load_products, make_overdue
from sqlalchemy.exc import IntegrityError

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.service.contact.decision_log import contact_history, verify_log
from fairdue.service.contact.enforcement import (
    ContactRequestInvalid,
    OutgoingMessage,
    history_for_debt,
    request_contact,
)
from fairdue.service.servicing.debts import debt_id_for_line

CIPHER = FieldCipher(Keyring.generate("t1"))
PHONE = "+8613800138000"
TEXT = "【示例消费金融】张三您好，您本期账单 1,234.56 元已到期，请在 App 内还款或致电 400-000-0000。退订回T"


def request(**change) -> dict:
    base = {
        "jurisdiction": "CN",
        "at": "2026-03-02T13:30:00Z",
        "channel": "sms",
        "purpose": "collection",
        "debt": {"id": "D1", "time_barred": False},
        "recipient": {
            "role": "borrower",
            "address": PHONE,
            "source": "contract",
            "consent": None,
            "asked_to_stop": False,
            "opted_out_channels": [],
            "prior_location_contacts": 0,
        },
        "borrower": {
            "time_zones": ["Asia/Shanghai"],
            "inconvenient_hours": [],
            "cease_requested": False,
            "represented_by_attorney": False,
            "dispute_open": False,
            "plan_active": False,
            "bankruptcy": False,
            "breathing_space": False,
        },
        "history": [
            {
                "at": "2026-03-01T02:00:00Z",
                "channel": "call",
                "address": PHONE,
                "role": "borrower",
                "outcome": "no_answer",
            }
        ],
    }
    base.update(change)
    return base


MESSAGE = OutgoingMessage(channel="sms", recipient_address=PHONE, language="zh", text=TEXT)


def allow(_r):
    return {
        "allowed": True,
        "jurisdiction": "CN",
        "pack": "t",
        "violations": [],
        "warnings": [],
        "next_allowed_at": None,
    }


def deny_hours(_r):
    return {
        "allowed": False,
        "jurisdiction": "CN",
        "pack": "t",
        "warnings": [],
        "violations": [
            {
                "rule": "CN.CBA2026.hours",
                "category": "time_window",
                "reason_en": "21:30 is late",
                "reason_zh": "21:30 不在允许时段",
                "evidence": {"local_time": "21:30"},
            }
        ],
        "next_allowed_at": "2026-03-03T00:00:00Z",
    }


@pytest.fixture
def line(uow_factory) -> int:
    """A stored CN borrower holding PHONE, with one overdue credit line (the debt the real gate judges)."""
    with uow_factory() as uow:
        load_products(uow)
        bid = cn_borrower(uow, cipher=CIPHER, name="张三", id_number=cn_ric(1), mobile=PHONE)
        line_id = cn_line(uow, borrower_id=bid, key="open-1")
        uow.commit()
    make_overdue(uow_factory, [line_id])
    return line_id


def on_line(line_id: int, **change) -> dict:
    return request(debt={"id": debt_id_for_line(line_id), "time_barred": False}, **change)


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(sa.select(sa.func.count()).select_from(decision_log)).scalar_one(),
            conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)).scalar_one(),
        )


def test_allowed_contact_is_logged_and_queued(uow_factory, engine):
    with uow_factory() as uow:
        outcome = request_contact(uow, cipher=CIPHER, gate_request=request(), message=MESSAGE, decide=allow)
    assert outcome.allowed and outcome.outbox_id and outcome.violations == ()
    assert counts(engine) == (1, 1)


def test_denied_contact_is_logged_not_queued_and_says_when(uow_factory, engine):
    with uow_factory() as uow:
        outcome = request_contact(uow, cipher=CIPHER, gate_request=request(), message=MESSAGE, decide=deny_hours)
    assert not outcome.allowed and outcome.outbox_id is None
    assert outcome.violations[0]["category"] == "time_window"
    assert outcome.next_allowed_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert counts(engine) == (1, 0)
    with uow_factory() as uow:
        [item] = contact_history(uow, debt_id="D1")
    assert (item.allowed, item.outbox_status, item.reasons[0][0]) == (False, None, "CN.CBA2026.hours")


def test_a_failing_gate_is_a_logged_denial(uow_factory, engine, caplog):
    """A gate failure is a denial in the decision log with a generic reason; the exception's text (which may carry
    internal detail) goes to the server log only (ASVS V7.4.1)."""

    def broken(_r):
        raise RuntimeError("pack missing")

    with caplog.at_level("ERROR", logger="fairdue.contact"), uow_factory() as uow:
        outcome = request_contact(uow, cipher=CIPHER, gate_request=request(), message=MESSAGE, decide=broken)
    assert not outcome.allowed and "internal error" in outcome.violations[0]["reason_en"]
    assert "pack missing" not in json.dumps(outcome.violations)
    assert any("pack missing" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)
    assert counts(engine) == (1, 0)


@pytest.mark.parametrize(
    "answer",
    [None, "yes", {"allowed": True, "violations": [{"rule": "X", "category": "content"}]}, {"allowed": "true"}],
    ids=["none", "string", "allowed-with-violations", "allowed-not-bool"],
)
def test_a_malformed_gate_answer_is_a_denial(uow_factory, engine, answer):
    with uow_factory() as uow:
        outcome = request_contact(uow, cipher=CIPHER, gate_request=request(), message=MESSAGE, decide=lambda _r: answer)
    assert not outcome.allowed and counts(engine) == (1, 0)


@pytest.mark.parametrize(
    ("gate", "message"),
    [
        (request(channel="email"), MESSAGE),
        (request(recipient={"role": "borrower", "address": "+8613900139000"}), MESSAGE),
        (request(message={"language": "zh", "text": "另一段文字"}), MESSAGE),
        (request(), OutgoingMessage(channel="sms", recipient_address=PHONE, language="zh", text="")),
        (request(channel="visit"), OutgoingMessage(channel="visit", recipient_address=PHONE, language="zh", text="x")),
    ],
    ids=["channel", "recipient", "text", "empty", "visit"],
)
def test_a_message_that_is_not_what_the_gate_judges_is_refused_before_anything_is_written(
    uow_factory, engine, gate, message
):
    with uow_factory() as uow, pytest.raises(ContactRequestInvalid):
        request_contact(uow, cipher=CIPHER, gate_request=gate, message=message, decide=allow)
    assert counts(engine) == (0, 0)


def test_decision_and_outbox_commit_together_or_not_at_all(uow_factory, engine):
    with uow_factory() as uow, pytest.raises(IntegrityError):
        request_contact(uow, cipher=CIPHER, gate_request=request(), message=MESSAGE, decide=allow, attempts_max=0)
    assert counts(engine) == (0, 0)
    with UnitOfWork(engine) as uow:
        assert verify_log(uow).ok


def test_logged_inputs_are_masked(uow_factory, engine):
    with uow_factory() as uow:
        request_contact(uow, cipher=CIPHER, gate_request=request(), message=MESSAGE, decide=allow, names=["张三"])
    with engine.connect() as conn:
        row = conn.execute(sa.select(decision_log)).one()
    assert "13800138000" not in row.record and "138****8000" in row.record
    assert "张三" not in row.record and "张*您好" in row.record
    assert row.address_masked == "138****8000"


def test_history_for_debt_feeds_the_next_gate_request(uow_factory, engine, line):
    with uow_factory() as uow:
        outcome = request_contact(uow, cipher=CIPHER, gate_request=on_line(line), message=MESSAGE, decide=allow)
    with engine.begin() as conn:
        conn.execute(
            outbox_messages.update()
            .where(outbox_messages.c.id == outcome.outbox_id)
            .values(status="sent", sent_at=datetime(2026, 3, 2, 2, tzinfo=UTC), delivery_status="delivered")
        )
    with uow_factory() as uow:
        assert history_for_debt(uow, debt_id=debt_id_for_line(line), cipher=CIPHER) == [
            {
                "at": "2026-03-02T02:00:00Z",
                "channel": "sms",
                "address": PHONE,
                "role": "borrower",
                "outcome": "delivered",
                "purpose": "collection",
            }
        ]


def _real_decide():
    try:
        from fairdue.policy import decide
    except ImportError:
        pytest.skip("fairdue.policy.decide has not landed yet")
    return decide


def test_real_gate_denies_a_device_contact_and_nothing_reaches_the_outbox(uow_factory, engine):
    decide = _real_decide()
    address = "+8613911112222"
    gate = request(
        purpose="location",
        recipient={
            "role": "third_party",
            "address": address,
            "source": "device_contacts",
            "consent": None,
            "asked_to_stop": False,
            "opted_out_channels": [],
            "prior_location_contacts": 0,
        },
        at="2026-03-02T03:00:00Z",
    )
    message = OutgoingMessage(
        channel="sms", recipient_address=address, language="zh", text="【示例消费金融】请转告张三尽快还款。"
    )
    with uow_factory() as uow:
        outcome = request_contact(uow, cipher=CIPHER, gate_request=gate, message=message, decide=decide)
    assert not outcome.allowed
    assert {v["category"] for v in outcome.violations} & {"data_source", "third_party"}
    assert counts(engine) == (1, 0)


def test_real_gate_denies_out_of_hours_and_gives_the_next_time(uow_factory, line):
    decide = _real_decide()
    gate = on_line(line, channel="call", at="2026-03-02T13:30:00Z")  # 21:30 in Shanghai
    message = OutgoingMessage(channel="call", recipient_address=PHONE, language="zh", text="自动语音：请回电。")
    with uow_factory() as uow:
        outcome = request_contact(uow, cipher=CIPHER, gate_request=gate, message=message, decide=decide)
    assert not outcome.allowed and "time_window" in {v["category"] for v in outcome.violations}
    assert outcome.next_allowed_at is not None and outcome.next_allowed_at > datetime(2026, 3, 2, 13, 30, tzinfo=UTC)


def test_a_request_for_an_instant_already_past_the_send_window_is_refused(uow_factory, engine, clock):
    with uow_factory() as uow, pytest.raises(ContactRequestInvalid, match="ago"):
        request_contact(
            uow, cipher=CIPHER, gate_request=request(at="2026-01-15T01:50:00Z"), message=MESSAGE, decide=allow
        )
    assert counts(engine) == (0, 0)


def test_an_allow_without_a_valid_instant_is_logged_as_a_denial(uow_factory, engine):
    gate = request()
    del gate["at"]
    with uow_factory() as uow:
        outcome = request_contact(uow, cipher=CIPHER, gate_request=gate, message=MESSAGE, decide=allow)
    assert not outcome.allowed and counts(engine) == (1, 0)
    with uow_factory() as uow:
        [item] = contact_history(uow, debt_id="D1")
    assert not item.allowed
