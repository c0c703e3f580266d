"""A one-time login code (10^6 possible texts) cannot be recovered from the decision log or the outbox by hashing
every candidate: its text is bound by a keyed hash (HMAC with the keyring's index key), which the channel
adapter's check recomputes with the same key — on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from portfolio_helpers import cn_borrower, cn_line, cn_ric, load_products

from fairdue.adapters.channels.base import OutboundMessage, SendRefused, require_allowing_decision
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.domain.audit import message_fingerprint
from fairdue.service.contact.decision_log import DecisionLookup, verify_log
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact
from fairdue.service.servicing.debts import service_debt_id

CIPHER = FieldCipher(Keyring.generate("login-code"))
PHONE = "+8613800138000"
NOW = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 07:30 in Shanghai: a login code may arrive at any hour


@pytest.fixture
def bid(uow_factory) -> int:
    """The borrower the code goes to (a login code is built from stored facts: their number, on file), with a line."""
    with uow_factory() as uow:
        load_products(uow)
        borrower_id = cn_borrower(uow, cipher=CIPHER, name="张三", id_number=cn_ric(1), mobile=PHONE)
        cn_line(uow, borrower_id=borrower_id, key="open-1")
        uow.commit()
    return borrower_id


def _request(text: str, purpose: str, at: datetime, bid: int) -> dict:
    return {
        "jurisdiction": "CN",
        "at": at.isoformat().replace("+00:00", "Z"),
        "channel": "sms",
        "purpose": purpose,
        # A login code is logged under the borrower's service debt; any other message is about a line.
        "debt": {"id": service_debt_id(bid) if purpose == "authentication" else "cl:1", "time_barred": False},
        "recipient": {
            "role": "borrower",
            "address": PHONE,
            "source": "contract",
            "consent": None,
            "asked_to_stop": False,
            "opted_out_channels": [],
            "prior_location_contacts": 0,
        },
        "borrower": {"time_zones": ["Asia/Shanghai"]},
        "history": [],
        "message": {"language": "zh", "text": text},
    }


def _send(uow_factory, clock, bid: int, text: str, purpose: str = "authentication", at: datetime = NOW):
    clock.set(at)
    with uow_factory() as uow:
        outcome = request_contact(
            uow,
            gate_request=_request(text, purpose, at, bid),
            names=["482913"],
            cipher=CIPHER,
            message=OutgoingMessage(channel="sms", recipient_address=PHONE, language="zh", text=text),
        )
    assert outcome.allowed, outcome.violations
    return outcome


def _message(outcome, body: str) -> OutboundMessage:
    return OutboundMessage(
        outbox_id=outcome.outbox_id,
        decision_seq=outcome.decision_seq,
        channel="sms",
        recipient_address=PHONE,
        language="zh",
        body=body,
    )


def test_a_login_codes_hash_is_keyed_and_delivery_still_matches(uow_factory, clock, engine, bid):
    text = "【示例】您的登录验证码是 482913，5分钟内有效。请勿告诉他人。"
    outcome = _send(uow_factory, clock, bid, text)
    plain = hashlib.sha256(text.encode("utf-8")).hexdigest()
    with engine.connect() as conn:
        record_text = conn.execute(
            sa.select(decision_log.c.record).where(decision_log.c.seq == outcome.decision_seq)
        ).scalar_one()
        row = conn.execute(sa.select(outbox_messages).where(outbox_messages.c.id == outcome.outbox_id)).one()
    record = json.loads(record_text)
    assert record["text_sha256"] is None and record["text_hmac"] == CIPHER.blind_index(text, context="message.text")
    assert plain not in record_text and "482913" not in record_text
    assert row.text_sha256 != plain and row.text_sha256 == record["text_hmac"]
    assert outcome.fingerprint != message_fingerprint(channel="sms", recipient=PHONE, text=text)
    # Nobody without the key gets the code back by hashing the 10^6 candidates.
    assert all(
        hashlib.sha256(text.replace("482913", f"{c:06d}").encode()).hexdigest() not in (row.text_sha256, record_text)
        for c in range(482_900, 482_930)
    )
    with uow_factory() as uow:
        assert verify_log(uow).ok
    lookup = DecisionLookup(engine, cipher=CIPHER)
    assert require_allowing_decision(lookup, _message(outcome, text), channel="sms").seq == outcome.decision_seq
    with pytest.raises(SendRefused, match="different message"):
        require_allowing_decision(lookup, _message(outcome, text.replace("482913", "482914")), channel="sms")
    with pytest.raises(SendRefused, match="different message"):  # another key cannot vouch for it either
        require_allowing_decision(
            DecisionLookup(engine, cipher=FieldCipher(Keyring.generate("other"))),
            _message(outcome, text),
            channel="sms",
        )

    class KeylessLog:
        def get(self, seq):
            return lookup.get(seq)

    with pytest.raises(SendRefused, match="keyed text hash"):
        require_allowing_decision(KeylessLog(), _message(outcome, text), channel="sms")


def test_other_messages_keep_the_plain_text_hash(uow_factory, clock, engine, bid):
    text = "【示例】您的账单已出，请按时还款。"
    outcome = _send(uow_factory, clock, bid, text, purpose="service", at=NOW.replace(hour=2))  # 10:30 in Shanghai
    with engine.connect() as conn:
        record = json.loads(
            conn.execute(
                sa.select(decision_log.c.record).where(decision_log.c.seq == outcome.decision_seq)
            ).scalar_one()
        )
    assert record["text_sha256"] == hashlib.sha256(text.encode("utf-8")).hexdigest() and "text_hmac" not in record
    assert (
        require_allowing_decision(DecisionLookup(engine, cipher=CIPHER), _message(outcome, text), channel="sms").seq
        == outcome.decision_seq
    )
