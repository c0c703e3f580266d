"""SMTP has no idempotency key: an e-mail is recorded in flight before DATA, and one found in flight after a crash
(or a line that drops during DATA) is never re-sent blindly — reconciled by Message-ID against the relay's log,
or parked `unknown` for an operator whose decision the dispatcher then follows."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from fairdue.adapters.channels.devservers import LOOPBACK, LocalSmtpServer
from fairdue.adapters.channels.email import MailLogRelayLog, SmtpEmailAdapter, SmtpSettings
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import delivery_attempts, outbox_messages
from fairdue.adapters.db.schema.handovers import channel_handovers
from fairdue.service.contact.decision_log import DecisionLookup
from fairdue.service.contact.dispatcher import (
    DbSentLedger,
    Dispatcher,
    DispatchPolicy,
    NotUnknown,
    idempotency_key,
    resolve_unknown,
    unknown_messages,
)
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

CIPHER = FieldCipher(Keyring.generate("t1"))
POLICY = DispatchPolicy(lease_s=60, backoff_base_s=10, backoff_max_s=300, batch_max=5)
TEXT = "【示例消费金融】您本期账单 1,234.56 元将于 3 月 5 日到期，可在 App 内还款。退订回T"
NOW = datetime(2026, 1, 15, 2, 0, tzinfo=UTC)


class Crash(BaseException):
    """Stands for the process dying (not an Exception: nothing in the adapter may catch it)."""


def allow(_request: dict) -> dict:
    return {
        "allowed": True,
        "jurisdiction": "CN",
        "pack": "test",
        "violations": [],
        "warnings": [],
        "next_allowed_at": None,
    }


def queue(uow_factory, address: str = "zhang@x.test") -> int:
    request = {
        "jurisdiction": "CN",
        "at": NOW.isoformat(),
        "channel": "email",
        "purpose": "reminder",
        "debt": {"id": "D1", "time_barred": False},
        "recipient": {"role": "borrower", "address": address, "source": "contract"},
        "borrower": {"time_zones": ["Asia/Shanghai"]},
        "history": [],
    }
    with uow_factory() as uow:
        return request_contact(
            uow,
            gate_request=request,
            decide=allow,
            cipher=CIPHER,
            message=OutgoingMessage(channel="email", recipient_address=address, language="zh", text=TEXT),
        ).outbox_id


def adapter(engine, port: int, *, relay_log=None, after_accept=None) -> SmtpEmailAdapter:
    return SmtpEmailAdapter(
        SmtpSettings(host="127.0.0.1", port=port, sender="notice@lender.test", domain="lender.test", timeout_s=3),
        decisions=DecisionLookup(engine),
        ledger=DbSentLedger(engine),
        relay_log=relay_log,
        after_accept=after_accept,
    )


def dispatcher(uow_factory, email_adapter) -> Dispatcher:
    return Dispatcher(uow_factory, {"email": email_adapter}, cipher=CIPHER, policy=POLICY, owner="d1")


def outbox(engine, outbox_id: int):
    with engine.connect() as conn:
        return conn.execute(sa.select(outbox_messages).where(outbox_messages.c.id == outbox_id)).one()


def handover(engine, outbox_id: int):
    with engine.connect() as conn:
        return conn.execute(sa.select(channel_handovers).where(channel_handovers.c.outbox_id == outbox_id)).one()


def crash_after_250(uow_factory, engine, smtp, clock, **kw) -> int:
    """Queue one e-mail, let a dispatcher die right after the server's 250; return the outbox id."""
    outbox_id = queue(uow_factory)

    def die(_outbox_id):
        raise Crash()

    with pytest.raises(Crash):
        dispatcher(uow_factory, adapter(engine, smtp.port, after_accept=die, **kw)).run_once()
    assert len(smtp.received()) == 1
    assert handover(engine, outbox_id).state == "in_flight"
    clock.advance(seconds=POLICY.lease_s + 1)  # the dead dispatcher's lease runs out
    return outbox_id


class DropDuringData:
    """A minimal SMTP peer that reads the whole message after DATA and then hangs up without a reply."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((LOOPBACK, 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.sessions = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.sessions += 1
            with conn, conn.makefile("rb") as reader:
                conn.sendall(b"220 drop.test ESMTP\r\n")
                for line in reader:
                    verb = line[:4].upper()
                    if verb in (b"EHLO", b"HELO"):
                        conn.sendall(b"250 drop.test\r\n")
                    elif verb in (b"MAIL", b"RCPT"):
                        conn.sendall(b"250 OK\r\n")
                    elif verb == b"DATA":
                        conn.sendall(b"354 go ahead\r\n")
                        for body_line in reader:
                            if body_line == b".\r\n":
                                break
                        break  # hang up: no reply to the message
                    else:
                        conn.sendall(b"250 OK\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def smtp():
    with LocalSmtpServer() as server:
        yield server


def test_a_message_found_in_flight_is_parked_unknown_and_never_resent(uow_factory, engine, smtp, clock):
    outbox_id = crash_after_250(uow_factory, engine, smtp, clock)
    d = dispatcher(uow_factory, adapter(engine, smtp.port))
    report = d.run_once()
    assert (report.unknown, report.sent) == (1, 0)
    row = outbox(engine, outbox_id)
    assert row.status == "unknown" and "delivery unknown" in row.last_error
    assert handover(engine, outbox_id).state == "unknown"
    clock.advance(days=1)
    assert d.run_until_idle().claimed == 0  # parked: no dispatcher claims it again
    assert len(smtp.received()) == 1
    with engine.connect() as conn:
        outcomes = list(
            conn.execute(
                sa.select(delivery_attempts.c.outcome).where(delivery_attempts.c.outbox_id == outbox_id)
            ).scalars()
        )
    assert outcomes == ["unknown"]
    with uow_factory() as uow:
        [parked] = unknown_messages(uow)
    assert parked.outbox_id == outbox_id and parked.message_id == smtp.received()[0].message_id


def test_the_relay_log_settles_a_message_found_in_flight_as_delivered(uow_factory, engine, tmp_path, clock):
    log = tmp_path / "maillog"
    with LocalSmtpServer(log_path=log) as smtp:
        outbox_id = crash_after_250(uow_factory, engine, smtp, clock)
        report = dispatcher(uow_factory, adapter(engine, smtp.port, relay_log=MailLogRelayLog(log))).run_once()
        assert (report.sent, report.duplicates, report.unknown) == (1, 1, 0)
        assert len(smtp.received()) == 1
    row = outbox(engine, outbox_id)
    assert row.status == "sent" and row.provider_message_id == smtp.received()[0].message_id
    assert (handover(engine, outbox_id).state, handover(engine, outbox_id).resolved_by) == ("confirmed", "relay-log")


def test_the_relay_log_lets_a_message_that_never_arrived_go_again_once(uow_factory, engine, tmp_path, clock):
    log = tmp_path / "maillog"
    log.write_bytes(b"")
    with LocalSmtpServer(log_path=log) as smtp:
        outbox_id = queue(uow_factory)
        key = idempotency_key(outbox_id, outbox(engine, outbox_id).fingerprint)
        DbSentLedger(engine).begin_handover(
            key,
            outbox_id=outbox_id,
            channel="email",  # died before DATA
            message_id=f"<{key}@lender.test>",
            at=clock(),
        )
        report = dispatcher(uow_factory, adapter(engine, smtp.port, relay_log=MailLogRelayLog(log))).run_once()
        assert (report.sent, report.duplicates) == (1, 0)
        assert [m.message_id for m in smtp.received()] == [f"<{key}@lender.test>"]
    h = handover(engine, outbox_id)
    assert (h.state, h.attempts) == ("accepted", 2)


def test_an_unreadable_relay_log_cannot_tell(tmp_path):
    assert MailLogRelayLog(tmp_path / "missing").accepted("<x@y>") is None
    (tmp_path / "log").write_bytes(b"t smtpd: message-id=<a@b> status=accepted\n")
    assert MailLogRelayLog(tmp_path / "log").accepted("<a@b>") is True
    assert MailLogRelayLog(tmp_path / "log").accepted("<c@b>") is False


def test_a_line_dropped_during_data_is_unknown_not_retried(uow_factory, engine, clock):
    peer = DropDuringData()
    try:
        outbox_id = queue(uow_factory)
        report = dispatcher(uow_factory, adapter(engine, peer.port)).run_once()
        assert (report.unknown, report.retried, report.sent) == (1, 0, 0)
        assert outbox(engine, outbox_id).status == "unknown"
        assert handover(engine, outbox_id).state == "unknown"
        clock.advance(hours=1)
        assert dispatcher(uow_factory, adapter(engine, peer.port)).run_until_idle().claimed == 0
        assert peer.sessions == 1
    finally:
        peer.close()


def test_operator_says_not_delivered_and_it_goes_once_more(uow_factory, engine, smtp, clock):
    peer = DropDuringData()
    try:
        outbox_id = queue(uow_factory)
        dispatcher(uow_factory, adapter(engine, peer.port)).run_once()
    finally:
        peer.close()
    with uow_factory() as uow:
        assert (
            resolve_unknown(
                uow, outbox_id=outbox_id, delivered=False, by="ops.wang", note="relay has no such Message-ID"
            )
            == "pending"
        )
        uow.commit()
    report = dispatcher(uow_factory, adapter(engine, smtp.port)).run_until_idle()
    assert (report.sent, report.duplicates) == (1, 0)
    assert len(smtp.received()) == 1 and outbox(engine, outbox_id).status == "sent"
    h = handover(engine, outbox_id)
    assert (h.state, h.attempts) == ("accepted", 2)
    with uow_factory() as uow, pytest.raises(NotUnknown):
        resolve_unknown(uow, outbox_id=outbox_id, delivered=True, by="ops.wang", note="again")


def test_operator_says_delivered_and_it_is_never_sent_again(uow_factory, engine, smtp, clock):
    outbox_id = crash_after_250(uow_factory, engine, smtp, clock)
    d = dispatcher(uow_factory, adapter(engine, smtp.port))
    d.run_once()
    with uow_factory() as uow:
        assert (
            resolve_unknown(uow, outbox_id=outbox_id, delivered=True, by="ops.wang", note="seen in the relay log")
            == "sent"
        )
        uow.commit()
    row = outbox(engine, outbox_id)
    assert row.status == "sent" and row.provider_message_id == smtp.received()[0].message_id
    assert d.run_until_idle().claimed == 0 and len(smtp.received()) == 1


def test_not_delivered_after_the_decision_lapsed_expires_instead(uow_factory, engine, clock):
    peer = DropDuringData()
    try:
        outbox_id = queue(uow_factory)
        dispatcher(uow_factory, adapter(engine, peer.port)).run_once()
    finally:
        peer.close()
    clock.advance(hours=2)
    with uow_factory() as uow:
        assert (
            resolve_unknown(uow, outbox_id=outbox_id, delivered=False, by="ops", note="not in the relay log")
            == "expired"
        )
        uow.commit()
    assert "decide again" in outbox(engine, outbox_id).last_error


def test_an_expired_claim_of_a_message_the_server_took_is_recorded_sent(uow_factory, engine, tmp_path, clock):
    """A crash after 250, noticed only after send_by: the relay log shows it left, so it is `sent`, not `expired`."""
    log = tmp_path / "maillog"
    with LocalSmtpServer(log_path=log) as smtp:
        outbox_id = crash_after_250(uow_factory, engine, smtp, clock)
        clock.advance(hours=1)
        report = dispatcher(uow_factory, adapter(engine, smtp.port, relay_log=MailLogRelayLog(log))).run_once()
        assert (report.sent, report.expired) == (1, 0)
        assert len(smtp.received()) == 1
    assert outbox(engine, outbox_id).status == "sent"


def test_the_outbox_refuses_a_status_it_does_not_know(uow_factory, engine):
    outbox_id = queue(uow_factory)
    with engine.begin() as conn:
        conn.execute(outbox_messages.update().where(outbox_messages.c.id == outbox_id).values(status="unknown"))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(outbox_messages.update().where(outbox_messages.c.id == outbox_id).values(status="lost"))
