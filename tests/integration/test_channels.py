"""Channel adapters deliver for real (SMTP, HTTP provider, PDF) once per key, and refuse anything not allowed."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from fairdue.adapters.channels.base import OutboundMessage, SendRefused, TransientSendError
from fairdue.adapters.channels.devservers import LocalSmtpServer, StubProvider
from fairdue.adapters.channels.email import SmtpEmailAdapter, SmtpSettings
from fairdue.adapters.channels.http_provider import HttpProviderAdapter
from fairdue.adapters.channels.letter import (
    CollectionLetter,
    LetterIncomplete,
    PdfLetterAdapter,
    render_pdf,
    render_text,
)
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import outbox_messages
from fairdue.service.contact.decision_log import DecisionLookup
from fairdue.service.contact.dispatcher import DbSentLedger
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

CIPHER = FieldCipher(Keyring.generate("t1"))


def allow(_request: dict) -> dict:
    return {
        "allowed": True,
        "jurisdiction": "CN",
        "pack": "test",
        "violations": [],
        "warnings": [],
        "next_allowed_at": None,
    }


def deny(_request: dict) -> dict:
    return {
        "allowed": False,
        "jurisdiction": "CN",
        "pack": "test",
        "warnings": [],
        "next_allowed_at": None,
        "violations": [{"rule": "CN.hours", "category": "time_window", "reason_en": "late", "reason_zh": "晚"}],
    }


def gate_request(channel: str, address: str, text: str) -> dict:
    return {
        "jurisdiction": "CN",
        "at": "2026-03-02T02:00:00Z",
        "channel": channel,
        "purpose": "reminder",
        "debt": {"id": "D1", "time_barred": False},
        "recipient": {"role": "borrower", "address": address, "source": "contract"},
        "borrower": {"time_zones": ["Asia/Shanghai"]},
        "history": [],
        "message": {"language": "zh", "text": text},
    }


def queue(uow_factory, channel: str, address: str, text: str, *, decide=allow, letter=None, subject=None):
    """Decide and queue one message; return the OutboundMessage the dispatcher would hand over."""
    with uow_factory() as uow:
        outcome = request_contact(
            uow,
            gate_request=gate_request(channel, address, text),
            decide=decide,
            cipher=CIPHER,
            message=OutgoingMessage(
                channel=channel, recipient_address=address, language="zh", text=text, letter=letter, subject=subject
            ),
        )
    return OutboundMessage(
        outbox_id=outcome.outbox_id or 0,
        decision_seq=outcome.decision_seq,
        channel=channel,
        recipient_address=address,
        language="zh",
        body=text,
        subject=subject,
        payload_json=letter.to_json() if letter else None,
    )


TEXT = "【示例消费金融】您本期账单 1,234.56 元将于 3 月 5 日到期，可在 App 内还款。退订回T"


# -- email over SMTP ------------------------------------------------------------------
@pytest.fixture
def smtp():
    with LocalSmtpServer() as server:
        yield server


def smtp_adapter(engine, server):
    return SmtpEmailAdapter(
        SmtpSettings(
            host="127.0.0.1", port=server.port, sender="notice@lender.test", domain="lender.test", timeout_s=5
        ),
        decisions=DecisionLookup(engine),
        ledger=DbSentLedger(engine),
    )


def test_email_is_delivered_once_per_key(uow_factory, engine, smtp):
    message = queue(uow_factory, "email", "zhang@x.test", TEXT, subject="账单提醒")
    adapter = smtp_adapter(engine, smtp)
    first = adapter.send(message, idempotency_key="fd-1-abc")
    again = adapter.send(message, idempotency_key="fd-1-abc")
    received = smtp.received()
    assert len(received) == 1
    assert received[0].rcpt_tos == ("zhang@x.test",) and received[0].message_id == "<fd-1-abc@lender.test>"
    assert received[0].subject == "账单提醒" and "1,234.56" in received[0].body
    assert (first.duplicate, again.duplicate) == (False, True)
    assert first.provider_message_id == again.provider_message_id


def test_email_server_refusal_is_transient(uow_factory, engine, smtp):
    message = queue(uow_factory, "email", "zhang@x.test", TEXT)
    smtp.refuse_next(1)
    with pytest.raises(TransientSendError):
        smtp_adapter(engine, smtp).send(message, idempotency_key="k1")
    assert smtp_adapter(engine, smtp).send(message, idempotency_key="k1").duplicate is False
    assert len(smtp.received()) == 1


def test_email_server_down_is_transient(uow_factory, engine):
    message = queue(uow_factory, "email", "zhang@x.test", TEXT)
    from fairdue.adapters.channels.devservers import free_port

    adapter = SmtpEmailAdapter(
        SmtpSettings(host="127.0.0.1", port=free_port(), sender="n@l.test", timeout_s=2),
        decisions=DecisionLookup(engine),
        ledger=DbSentLedger(engine),
    )
    with pytest.raises(TransientSendError):
        adapter.send(message, idempotency_key="k2")


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda m: dataclasses.replace(m, body=m.body + "!"), id="other-text"),
        pytest.param(lambda m: dataclasses.replace(m, recipient_address="li@x.test"), id="other-recipient"),
        pytest.param(lambda m: dataclasses.replace(m, decision_seq=m.decision_seq + 99), id="no-decision"),
        pytest.param(lambda m: dataclasses.replace(m, channel="sms"), id="other-channel"),
    ],
)
def test_email_refuses_without_an_allowing_decision_for_exactly_that_message(uow_factory, engine, smtp, change):
    message = queue(uow_factory, "email", "zhang@x.test", TEXT)
    with pytest.raises(SendRefused):
        smtp_adapter(engine, smtp).send(change(message), idempotency_key="k3")
    assert smtp.received() == []


def test_email_refuses_a_denied_decision(uow_factory, engine, smtp):
    message = queue(uow_factory, "email", "zhang@x.test", TEXT, decide=deny)
    with pytest.raises(SendRefused, match="did not allow"):
        smtp_adapter(engine, smtp).send(message, idempotency_key="k4")
    assert smtp.received() == []


def test_email_refuses_when_the_logged_decision_was_altered(uow_factory, engine, smtp):
    message = queue(uow_factory, "email", "zhang@x.test", TEXT, decide=deny)
    with engine.begin() as conn:  # forge "allowed" into the denial, around the append-only trigger
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER decision_log_no_update")
        conn.execute(
            sa.text("UPDATE decision_log SET record = replace(record, :a, :b) WHERE seq = :s"),
            {"a": '"allowed":false', "b": '"allowed":true', "s": message.decision_seq},
        )
    with pytest.raises(SendRefused, match="altered"):
        smtp_adapter(engine, smtp).send(message, idempotency_key="k5")
    assert smtp.received() == []


# -- HTTP provider ----------------------------------------------------------------------
@pytest.fixture
def provider():
    with StubProvider(api_key="k") as stub:
        yield stub


def sms_adapter(engine, provider, timeout_s: float = 5.0):
    return HttpProviderAdapter(
        "sms", base_url=provider.url, api_key="k", decisions=DecisionLookup(engine), timeout_s=timeout_s
    )


def test_sms_is_delivered_once_per_key(uow_factory, engine, provider):
    message = queue(uow_factory, "sms", "+8613800138000", TEXT)
    adapter = sms_adapter(engine, provider)
    first = adapter.send(message, idempotency_key="fd-9-x")
    again = adapter.send(message, idempotency_key="fd-9-x")
    assert provider.delivered_keys() == ["fd-9-x"]
    assert provider.deliveries[0].to == "+8613800138000" and provider.deliveries[0].text == TEXT
    assert first.provider_message_id == again.provider_message_id and again.duplicate


def test_sms_provider_failure_then_success(uow_factory, engine, provider):
    message = queue(uow_factory, "sms", "+8613800138000", TEXT)
    provider.fail_next(2, status=503)
    adapter = sms_adapter(engine, provider)
    for _ in range(2):
        with pytest.raises(TransientSendError):
            adapter.send(message, idempotency_key="k")
    adapter.send(message, idempotency_key="k")
    assert provider.delivered_keys() == ["k"]


def test_sms_timeout_is_transient_and_the_retry_does_not_deliver_twice(uow_factory, engine, provider):
    message = queue(uow_factory, "sms", "+8613800138000", TEXT)
    provider.stall_next(1, seconds=1.0)
    adapter = sms_adapter(engine, provider, timeout_s=0.2)
    with pytest.raises(TransientSendError, match="timed out"):
        adapter.send(message, idempotency_key="slow")
    import time

    for _ in range(50):  # the stalled request completes on the provider's side
        if provider.delivered_keys():
            break
        time.sleep(0.05)
    result = sms_adapter(engine, provider).send(message, idempotency_key="slow")
    assert result.duplicate and provider.delivered_keys() == ["slow"]


def test_sms_refuses_other_text(uow_factory, engine, provider):
    message = queue(uow_factory, "sms", "+8613800138000", TEXT)
    with pytest.raises(SendRefused):
        sms_adapter(engine, provider).send(
            dataclasses.replace(message, body="还钱，否则通知你的家人"), idempotency_key="k"
        )
    assert provider.requests == 0


# -- letters -------------------------------------------------------------------------------
def letter(**change) -> CollectionLetter:
    fields = dict(
        language="zh",
        lender_name="示例消费金融有限公司",
        reference="CL-2026-0001",
        letter_on="2026-03-02",
        borrower_name="张三",
        balance_minor=1_234_56,
        currency="CNY",
        reason="您的信用卡账户自 2026 年 1 月 25 日起逾期，已逾期 36 天。",
        legal_basis="《个人消费信用卡领用合约》第八条；《商业银行信用卡业务监督管理办法》第六十九条。",
        rights_obligations="您有按约还款的义务；您有权查询欠款构成、提出异议、申请个性化分期。",
        account_check="登录示例消费金融 App「我的账单」或拨打 400-000-0000 查询。",
        objection_route="对欠款有异议或需协商还款，请致电 400-000-0000 或致函下述地址，我们将在 15 日内答复。",
        lender_contact="客服 400-000-0000；北京市朝阳区示例路 1 号；service@lender.test",
    )
    fields.update(change)
    return CollectionLetter(**fields)


def test_letter_pdf_carries_art69_elements_in_a_cjk_font():
    import weasyprint

    item = letter()
    text = render_text(item)
    for heading in (
        "借款人",
        "欠款余额",
        "催收事由",
        "法律依据",
        "您的权利与义务",
        "账户查询方式",
        "异议与协商渠道",
        "贷款机构联系方式",
    ):
        assert heading in text
    assert "CNY 1,234.56" in text and "张三" in text
    from fairdue.adapters.channels.letter import render_html

    document = weasyprint.HTML(string=render_html(item)).render()
    document.write_pdf()  # fonts are collected while writing
    fonts = list(document.fonts.values())
    assert fonts and all(f.family == "WenQuanYi Micro Hei" for f in fonts)
    glyphs = "".join(ch for f in fonts for ch in f.to_unicode.values())
    assert all(ch in glyphs for ch in "张三欠款余额异议催收")  # drawn with real CJK glyphs, not tofu
    assert not any(f.missing for f in fonts)
    assert render_pdf(item).startswith(b"%PDF")


def test_letter_missing_an_element_is_refused():
    with pytest.raises(LetterIncomplete, match="objection_route"):
        letter(objection_route="  ")


def test_letter_is_spooled_once(uow_factory, engine, tmp_path):
    item = letter()
    message = queue(uow_factory, "letter", "POSTAL-0001", render_text(item), letter=item)
    adapter = PdfLetterAdapter(tmp_path / "spool", decisions=DecisionLookup(engine))
    first = adapter.send(message, idempotency_key="fd-3-l")
    again = adapter.send(message, idempotency_key="fd-3-l")
    files = sorted(p.name for p in (tmp_path / "spool").iterdir())
    assert files == ["fd-3-l.pdf"] and not first.duplicate and again.duplicate
    assert (tmp_path / "spool" / "fd-3-l.pdf").read_bytes().startswith(b"%PDF")


def test_letter_with_fields_that_do_not_render_the_allowed_text_is_refused(uow_factory, engine, tmp_path):
    item = letter()
    message = queue(uow_factory, "letter", "POSTAL-0001", render_text(item), letter=item)
    forged = dataclasses.replace(message, payload_json=letter(reason="限你三天内还款，否则上门").to_json())
    with pytest.raises(SendRefused):
        PdfLetterAdapter(tmp_path / "spool", decisions=DecisionLookup(engine)).send(forged, idempotency_key="k")
    assert not (tmp_path / "spool").exists() or not list((tmp_path / "spool").iterdir())


def test_outbox_row_holds_what_was_allowed(uow_factory, engine):
    message = queue(uow_factory, "sms", "+8613800138000", TEXT)
    with engine.connect() as conn:
        row = conn.execute(sa.select(outbox_messages).where(outbox_messages.c.id == message.outbox_id)).one()
    assert (row.status, row.address_masked, row.decision_seq) == ("pending", "138****8000", message.decision_seq)
    assert "13800138000" not in row.recipient_address_enc and TEXT not in row.body_enc  # encrypted at rest
    assert CIPHER.decrypt(row.body_enc, context="outbox.body") == TEXT
    assert CIPHER.decrypt(row.recipient_address_enc, context="outbox.recipient_address") == "+8613800138000"


@pytest.mark.parametrize("channel", ["app_push", "voicemail"])
def test_push_and_voice_go_through_the_same_provider_interface(uow_factory, engine, provider, channel):
    address = "+8613800138000" if channel == "voicemail" else "device-token-7f3a"
    message = queue(uow_factory, channel, address, TEXT)
    adapter = HttpProviderAdapter(channel, base_url=provider.url, api_key="k", decisions=DecisionLookup(engine))
    adapter.send(message, idempotency_key=f"k-{channel}")
    adapter.send(message, idempotency_key=f"k-{channel}")
    assert [(d.channel, d.to) for d in provider.deliveries] == [(channel, address)]
    with pytest.raises(SendRefused):  # an sms decision does not let the voice adapter speak
        HttpProviderAdapter("sms", base_url=provider.url, api_key="k", decisions=DecisionLookup(engine)).send(
            message, idempotency_key="other"
        )
