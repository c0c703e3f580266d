"""End to end with the real policy gate: lawful reminders are delivered for real, unlawful contacts never reach a channel."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from fairdue.adapters.channels.base import OutboundMessage, SendRefused
from fairdue.adapters.channels.devservers import LocalSmtpServer, StubProvider
from fairdue.adapters.channels.email import SmtpEmailAdapter, SmtpSettings
from fairdue.adapters.channels.http_provider import HttpProviderAdapter
from fairdue.adapters.channels.letter import CollectionLetter, PdfLetterAdapter, render_text
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import outbox_messages
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.policy import decide
from fairdue.service.contact.decision_log import DecisionLookup, contact_history, verify_log
from fairdue.service.contact.dispatcher import DbSentLedger, Dispatcher, record_receipt
from fairdue.service.contact.enforcement import OutgoingMessage, history_for_debt, request_contact
from fairdue.service.servicing.debt_state import debt_state
from fairdue.service.servicing.debts import debt_id_for_line

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from portfolio_helpers import overdue_cn_line, true_overdue_text

CIPHER = FieldCipher(Keyring.generate("t1"))
PHONE = "+8613800138000"
EMAIL = "zhang.san@x.test"
FRIEND = "+8613911112222"  # found in the borrower's phone contacts: must never be reached
POSTAL = "北京市东城区示例路 1 号"


@pytest.fixture
def line(uow_factory) -> int:
    """张三's overdue line, with PHONE, EMAIL and POSTAL on file; messages must be true of its stored state."""
    return overdue_cn_line(
        uow_factory, cipher=CIPHER, mobile=PHONE, email=EMAIL, address=POSTAL, through_on=date(2026, 3, 1)
    )[1]


def gate(
    channel: str,
    at: str,
    address: str,
    text: str,
    *,
    purpose: str = "collection",
    role: str = "borrower",
    source: str = "contract",
    history: list | None = None,
    debt_id: str = "D1",
) -> dict:
    """A caller's proposal: request_contact rebuilds it from stored facts (its role, source, zones are ignored)."""
    return {
        "jurisdiction": "CN",
        "at": at,
        "channel": channel,
        "purpose": purpose,
        "debt": {"id": debt_id, "time_barred": False},
        "recipient": {
            "role": role,
            "address": address,
            "source": source,
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
        "history": history or [],
        "message": {"language": "zh", "text": text},
    }


def contact(uow_factory, clock, line: int, channel: str, at: datetime, address: str, text: str, **kw):
    clock.set(at)
    with uow_factory() as uow:
        request = gate(
            channel,
            at.isoformat().replace("+00:00", "Z"),
            address,
            text,
            history=history_for_debt(uow, debt_id=debt_id_for_line(line), cipher=CIPHER),
            debt_id=debt_id_for_line(line),
            **kw,
        )
    letter = kw.pop("letter", None) if "letter" in kw else None
    with uow_factory() as uow:
        return request_contact(
            uow,
            gate_request=request,
            decide=decide,
            cipher=CIPHER,
            names=["张三"],
            message=OutgoingMessage(
                channel=channel,
                recipient_address=address,
                language="zh",
                text=text,
                subject="账单逾期提醒" if channel == "email" else None,
                letter=letter,
            ),
        )


def test_lawful_reminders_are_delivered_and_unlawful_contacts_are_not(
    uow_factory, engine, clock, database_url, tmp_path, line
):
    reminder = true_overdue_text(uow_factory, line, date(2026, 3, 2))
    with LocalSmtpServer() as smtp, StubProvider(api_key="k") as provider:
        decisions = DecisionLookup(engine)
        email_adapter = SmtpEmailAdapter(
            SmtpSettings(host="127.0.0.1", port=smtp.port, sender="notice@lender.test"),
            decisions=decisions,
            ledger=DbSentLedger(engine),
        )
        sms_adapter = HttpProviderAdapter("sms", base_url=provider.url, api_key="k", decisions=decisions)
        dispatcher = Dispatcher(uow_factory, {"email": email_adapter, "sms": sms_adapter}, cipher=CIPHER)

        # 10:00 Shanghai: a lawful email reminder is allowed, queued, and delivered over SMTP.
        email = contact(uow_factory, clock, line, "email", datetime(2026, 3, 2, 2, 0, tzinfo=UTC), EMAIL, reminder)
        assert email.allowed, email.violations
        assert dispatcher.run_until_idle().sent == 1
        [mail] = smtp.received()
        assert mail.rcpt_tos == (EMAIL,) and mail.subject == "账单逾期提醒" and "400-000-0000" in mail.body

        # 21:30 Shanghai: the SMS is denied for the hour and rescheduled to the gate's next_allowed_at.
        late = contact(uow_factory, clock, line, "sms", datetime(2026, 3, 2, 13, 30, tzinfo=UTC), PHONE, reminder)
        assert not late.allowed and {v["category"] for v in late.violations} == {"time_window"}
        assert late.next_allowed_at == datetime(2026, 3, 3, 0, 0, tzinfo=UTC)
        # A retry is a new message, true of its own day: one more day past due (the old text would now be false).
        next_day = true_overdue_text(uow_factory, line, date(2026, 3, 3))
        assert dispatcher.run_until_idle().claimed == 0 and provider.requests == 0
        retry = contact(uow_factory, clock, line, "sms", late.next_allowed_at, PHONE, next_day)
        assert retry.allowed, retry.violations
        assert dispatcher.run_until_idle().sent == 1
        assert [d.to for d in provider.deliveries] == [PHONE]
        for body, signature in provider.take_receipts():
            with uow_factory() as uow:
                record_receipt(uow, body=body, signature=signature, secret=provider.receipt_secret)

        # A friend's number from the borrower's phone contacts: denied, nothing queued, no channel reached.
        friend = contact(
            uow_factory,
            clock,
            line,
            "sms",
            datetime(2026, 3, 3, 3, 0, tzinfo=UTC),
            FRIEND,
            "【示例消费金融】您好，请转告张三回电 400-000-0000。",
            purpose="location",
            role="third_party",
            source="device_contacts",
        )
        assert not friend.allowed and friend.outbox_id is None
        assert {"data_source", "third_party"} <= {v["category"] for v in friend.violations}
        assert dispatcher.run_until_idle().claimed == 0
        # Even a message smuggled past the outbox is refused by the adapter: the log says "denied".
        smuggled = OutboundMessage(
            outbox_id=0,
            decision_seq=friend.decision_seq,
            channel="sms",
            recipient_address=FRIEND,
            language="zh",
            body="【示例消费金融】您好，请转告张三回电 400-000-0000。",
        )
        with pytest.raises(SendRefused):
            sms_adapter.send(smuggled, idempotency_key="smuggled")
        assert FRIEND not in [d.to for d in provider.deliveries] and len(provider.deliveries) == 1
        assert len(smtp.received()) == 1

    # The borrower's contact log: every decision, masked, with reasons and delivery.
    with uow_factory() as uow:
        log = contact_history(uow, debt_id=debt_id_for_line(line))
    assert [(i.channel, i.address_masked, i.allowed, i.outbox_status, i.delivery_status) for i in log] == [
        ("email", "z***@x.test", True, "sent", None),
        ("sms", "138****8000", False, None, None),
        ("sms", "138****8000", True, "sent", "delivered"),
        ("sms", "139****2222", False, None, None),
    ]
    assert log[1].reasons[0][0] == "CN.CBA2026.hours" and log[1].reasons[0][3]  # a zh reason too
    with UnitOfWork(engine) as uow:
        assert verify_log(uow).ok
        records = " ".join(uow.connection.execute(sa.text("SELECT record FROM decision_log")).scalars())
        outbox = " ".join(str(v) for row in uow.connection.execute(sa.select(outbox_messages)).all() for v in row)
    for secret in ("13800138000", "13911112222", "zhang.san@", "张三"):
        assert secret not in records and secret not in outbox

    # Someone edits the log: `fairdue audit verify` names the decision.
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER decision_log_no_update")
        conn.execute(
            sa.text("UPDATE decision_log SET record = replace(record, :a, :b) WHERE seq = 4"),
            {"a": '"allowed":false', "b": '"allowed":true'},
        )
    import os

    from fairdue.adapters.log_signing import LogKeys

    # verify checks (and signs) with the log key; a dev one is generated on SQLite only
    log_key_env = {**os.environ, "FAIRDUE_LOG_KEYS": LogKeys.generate().to_json()}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from fairdue.cli import main; main()",
            "audit",
            "verify",
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=log_key_env,
    )
    assert done.returncode == 1 and "decision 4" in done.stderr


def test_a_lawful_collection_letter_is_rendered_once(uow_factory, engine, clock, tmp_path, line):
    with uow_factory() as uow:
        state = debt_state(uow, line_id=line, on=date(2026, 3, 2))
    letter = CollectionLetter(
        language="zh",
        lender_name="示例消费金融有限公司",
        reference="CL-2026-0001",
        letter_on="2026-03-02",
        borrower_name="张三",
        balance_minor=state.balance,
        currency="CNY",
        reason=f"您的消费信贷账户未按约还款，已逾期 {state.days_past_due} 天。",
        legal_basis="《个人消费信贷合同》第八条；《商业银行信用卡业务监督管理办法》第六十九条。",
        rights_obligations="您有按约还款的义务；您有权查询欠款构成、提出异议、申请个性化分期。",
        account_check="登录示例消费金融 App「我的账单」或致电官方客服 400-000-0000 查询。",
        objection_route="如有异议或需协商还款，请致电 400-000-0000 或致函下述地址，我们将在 15 日内答复。",
        lender_contact="官方客服 400-000-0000；北京市朝阳区示例路 1 号",
    )
    text = render_text(letter)
    clock.set(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    with uow_factory() as uow:
        outcome = request_contact(
            uow,
            gate_request=gate("letter", "2026-03-02T02:00:00Z", POSTAL, text, debt_id=debt_id_for_line(line)),
            decide=decide,
            cipher=CIPHER,
            names=["张三"],
            message=OutgoingMessage(
                channel="letter", recipient_address=POSTAL, language="zh", text=text, letter=letter
            ),
        )
    assert outcome.allowed, outcome.violations
    spool = tmp_path / "spool"
    dispatcher = Dispatcher(
        uow_factory, {"letter": PdfLetterAdapter(spool, decisions=DecisionLookup(engine))}, cipher=CIPHER
    )
    assert dispatcher.run_until_idle().sent == 1
    [pdf] = list(spool.iterdir())
    assert pdf.read_bytes().startswith(b"%PDF")
