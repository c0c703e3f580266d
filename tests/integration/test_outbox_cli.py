"""`fairdue outbox dispatch` delivers over the channels the environment configures; `status` counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from fairdue.adapters.channels.devservers import LocalSmtpServer
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

KEYRING = Keyring.generate("cli")
CLI = [sys.executable, "-c", "from fairdue.cli import main; main()"]


def allow(_r):
    return {
        "allowed": True,
        "jurisdiction": "CN",
        "pack": "t",
        "violations": [],
        "warnings": [],
        "next_allowed_at": None,
    }


def test_dispatch_and_status(uow_factory, database_url):
    address, text = "li.si@x.test", "【示例消费金融】您的账单将于 3 月 5 日到期，可在 App 内还款。退订回T"
    with uow_factory() as uow:
        # Real-clock subprocess: a decision for a recent instant with a wide send window.
        from datetime import UTC, datetime

        request = {
            "jurisdiction": "CN",
            "at": datetime.now(UTC).isoformat(),
            "channel": "email",
            "debt": {"id": "D1"},
            "recipient": {"role": "borrower", "address": address},
        }
        request_contact(
            uow,
            gate_request=request,
            decide=allow,
            cipher=FieldCipher(KEYRING),
            send_window_s=3600,
            message=OutgoingMessage(channel="email", recipient_address=address, language="zh", text=text),
        )
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRDUE_")}
    base_env["FAIRDUE_KEYS"] = KEYRING.to_json()
    nothing = subprocess.run(
        CLI + ["outbox", "dispatch", "--database-url", database_url],
        env=base_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert nothing.returncode == 1 and "no channel configured" in nothing.stderr
    with LocalSmtpServer() as smtp:
        env = {**base_env, "FAIRDUE_SMTP_HOST": "127.0.0.1", "FAIRDUE_SMTP_PORT": str(smtp.port)}
        done = subprocess.run(
            CLI + ["outbox", "dispatch", "--database-url", database_url],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["sent"] == 1
        assert [m.rcpt_tos for m in smtp.received()] == [(address,)]
    status = subprocess.run(
        CLI + ["outbox", "status", "--database-url", database_url],
        env=base_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.stdout.split() == ["email", "sent", "1"]


def test_watching_dispatcher_delivers_new_messages_and_stops_on_sigterm(uow_factory, database_url):
    import signal
    import time
    from datetime import UTC, datetime

    base_env = {k: v for k, v in os.environ.items() if not k.startswith("FAIRDUE_")}
    with LocalSmtpServer() as smtp:
        env = {
            **base_env,
            "FAIRDUE_KEYS": KEYRING.to_json(),
            "FAIRDUE_SMTP_HOST": "127.0.0.1",
            "FAIRDUE_SMTP_PORT": str(smtp.port),
        }
        proc = subprocess.Popen(
            CLI + ["outbox", "dispatch", "--watch", "--interval-s", "0.2", "--database-url", database_url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert "SIGTERM stops" in proc.stderr.readline()
            for i in range(3):  # queued while the dispatcher is already running
                address = f"w{i}@x.test"
                request = {
                    "jurisdiction": "CN",
                    "at": datetime.now(UTC).isoformat(),
                    "channel": "email",
                    "debt": {"id": "D1"},
                    "recipient": {"role": "borrower", "address": address},
                }
                with uow_factory() as uow:
                    request_contact(
                        uow,
                        gate_request=request,
                        decide=allow,
                        cipher=FieldCipher(KEYRING),
                        send_window_s=3600,
                        message=OutgoingMessage(
                            channel="email", recipient_address=address, language="zh", text=f"【示例】提醒 {i}。退订回T"
                        ),
                    )
            for _ in range(300):
                if len(smtp.received()) == 3:
                    break
                time.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, err
    assert json.loads(out)["sent"] == 3
    assert sorted(m.rcpt_tos[0] for m in smtp.received()) == ["w0@x.test", "w1@x.test", "w2@x.test"]
