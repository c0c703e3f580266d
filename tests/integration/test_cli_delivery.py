"""`fairdue outbox unknown|resolve` on SQLite and PostgreSQL: a message whose delivery is unknown is listed with its
Message-ID and settled by an operator's decision, which must name who and why."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from cli_helpers import cli_runner

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import outbox_messages
from fairdue.adapters.db.schema.handovers import channel_handovers

KEYRING = Keyring.generate("cli")


@pytest.fixture
def cli(database_url, monkeypatch, capsys):
    return cli_runner(database_url, monkeypatch, capsys, keyring=KEYRING)


def park_one(uow_factory, engine, clock) -> int:
    """One e-mail queued, then left in the SMTP server's hands by a dead dispatcher and parked unknown."""
    from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

    address, text = "zhang@x.test", "【示例消费金融】您本期账单将于 3 月 5 日到期，可在 App 内还款。退订回T"
    request = {
        "jurisdiction": "CN",
        "at": clock().isoformat(),
        "channel": "email",
        "purpose": "reminder",
        "debt": {"id": "D1"},
        "recipient": {"role": "borrower", "address": address, "source": "contract"},
    }
    with uow_factory() as uow:
        outbox_id = request_contact(
            uow,
            gate_request=request,
            decide=lambda _r: {
                "allowed": True,
                "jurisdiction": "CN",
                "pack": "t",
                "violations": [],
                "warnings": [],
                "next_allowed_at": None,
            },
            cipher=FieldCipher(KEYRING),
            send_window_s=3 * 3600,
            message=OutgoingMessage(channel="email", recipient_address=address, language="zh", text=text),
        ).outbox_id
    now = clock()
    with engine.begin() as conn:
        conn.execute(
            channel_handovers.insert().values(
                idempotency_key=f"fd-{outbox_id}-x",
                outbox_id=outbox_id,
                channel="email",
                message_id=f"<fd-{outbox_id}-x@lender.test>",
                state="unknown",
                attempts=1,
                started_at=now,
                updated_at=now,
            )
        )
        conn.execute(
            outbox_messages.update()
            .where(outbox_messages.c.id == outbox_id)
            .values(status="unknown", attempts=1, last_error="delivery unknown: test")
        )
    return outbox_id


def test_list_and_resolve(cli, uow_factory, engine, clock):
    outbox_id = park_one(uow_factory, engine, clock)
    code, out, _ = cli("outbox", "unknown")
    assert code == 0 and f"outbox {outbox_id}\temail\t" in out and f"<fd-{outbox_id}-x@lender.test>" in out
    assert "zhang@x.test" not in out  # masked
    code, _, err = cli("outbox", "resolve", str(outbox_id), "--by", "ops.wang", "--note", "log")
    assert code != 0 and "--delivered or --not-delivered" in err
    code, out, err = cli(
        "outbox", "resolve", str(outbox_id), "--delivered", "--by", "ops.wang", "--note", "relay log line 1234"
    )
    assert code == 0, err
    assert f"outbox {outbox_id}: sent" in out
    assert "no message awaits" in cli("outbox", "unknown")[1]
    code, _, err = cli("outbox", "resolve", str(outbox_id), "--not-delivered", "--by", "ops.wang", "--note", "x")
    assert code != 0 and "not awaiting a decision" in err
    with engine.connect() as conn:
        assert conn.execute(sa.select(channel_handovers.c.state)).scalar_one() == "confirmed"
