"""Killing the dispatcher (SIGKILL) between send and mark, many times, loses no message and sends none twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from fairdue.adapters.channels.devservers import LocalSmtpServer, StubProvider
from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.adapters.db.schema.collections import outbox_messages
from fairdue.service.audit import verify_log
from fairdue.service.contacts import OutgoingMessage, request_contact

pytestmark = pytest.mark.slow

MESSAGES_PER_CHANNEL = 25
KILL_PROBABILITY = 0.35
KILLS_MIN = 10
RUNS_MAX = 200
LEASE_S = 1
KEYRING = Keyring.generate("t1")
# The subprocesses read the real clock: messages are for "now", with a window the whole test fits in.
AT = datetime.now(UTC).isoformat()
SEND_WINDOW_S = 3 * 3600

# The dispatcher process: it SIGKILLs itself right after a successful send and
# before marking the row sent, with probability KILL_P (seeded per process).
DISPATCHER = r"""
import os, random, signal, sys
from fairdue.adapters.channels.wiring import build_for_engine
from fairdue.adapters.crypto import load_cipher
from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.service.dispatcher import Dispatcher, DispatchPolicy

random.seed(int(os.environ["SEED"]))
engine = make_engine(os.environ["FAIRDUE_DATABASE_URL"])
kill_p = float(os.environ["KILL_P"])

def maybe_die(outbox_id):
    if random.random() < kill_p:
        os.kill(os.getpid(), signal.SIGKILL)

dispatcher = Dispatcher(lambda: UnitOfWork(engine), build_for_engine(engine), cipher=load_cipher(),
                        policy=DispatchPolicy(lease_s=int(os.environ["LEASE_S"]), backoff_base_s=0, batch_max=5),
                        after_send=maybe_die)
print("ready", flush=True)
report = dispatcher.run_until_idle()
print(report.sent, report.duplicates, flush=True)
"""


def allow(_request: dict) -> dict:
    return {"allowed": True, "jurisdiction": "CN", "pack": "test", "violations": [], "warnings": [],
            "next_allowed_at": None}


def queue(uow_factory) -> None:
    for i in range(MESSAGES_PER_CHANNEL):
        for channel, address in (("email", f"borrower{i}@x.test"), ("sms", f"+86139{i:08d}")):
            text = f"【示例消费金融】提醒 {i}：本期账单将于 3 月 5 日到期，可在 App 内还款。退订回T"
            request = {"jurisdiction": "CN", "at": AT, "channel": channel, "purpose": "reminder",
                       "debt": {"id": f"D{i}"},
                       "recipient": {"role": "borrower", "address": address, "source": "contract"}}
            with uow_factory() as uow:
                request_contact(uow, gate_request=request, decide=allow, cipher=FieldCipher(KEYRING),
                                send_window_s=SEND_WINDOW_S,
                                message=OutgoingMessage(channel=channel, recipient_address=address, language="zh",
                                                        text=text))


def unsent(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)
                            .where(outbox_messages.c.status != "sent")).scalar_one()


def test_sigkill_between_send_and_mark_loses_nothing_and_doubles_nothing(uow_factory, engine, database_url):
    queue(uow_factory)
    total = 2 * MESSAGES_PER_CHANNEL
    kills = runs = 0
    with LocalSmtpServer() as smtp, StubProvider(api_key="k") as provider:
        env = {**os.environ, "FAIRDUE_DATABASE_URL": database_url, "KILL_P": str(KILL_PROBABILITY),
               "LEASE_S": str(LEASE_S), "FAIRDUE_SMTP_HOST": "127.0.0.1", "FAIRDUE_SMTP_PORT": str(smtp.port),
               "FAIRDUE_SMTP_SENDER": "notice@lender.test", "FAIRDUE_PROVIDER_URL": provider.url,
               "FAIRDUE_PROVIDER_API_KEY": "k", "FAIRDUE_KEYS": KEYRING.to_json()}
        while unsent(engine) and runs < RUNS_MAX:
            runs += 1
            done = subprocess.run([sys.executable, "-c", DISPATCHER], env={**env, "SEED": str(runs)},
                                  capture_output=True, text=True, timeout=300)
            if done.returncode == -signal.SIGKILL:
                kills += 1
                time.sleep(LEASE_S)  # let the dead dispatcher's lease run out
            else:
                assert done.returncode == 0, done.stderr[-2000:]
        emails = smtp.received()
        sms_keys = provider.delivered_keys()
    assert unsent(engine) == 0, f"messages left after {runs} dispatcher runs"
    assert kills >= KILLS_MIN, f"only {kills} kills in {runs} runs: the fault was not exercised enough"
    per_recipient = Counter(m.rcpt_tos[0] for m in emails)
    assert len(per_recipient) == MESSAGES_PER_CHANNEL and set(per_recipient.values()) == {1}, per_recipient
    assert len(sms_keys) == MESSAGES_PER_CHANNEL and len(set(sms_keys)) == MESSAGES_PER_CHANNEL
    assert len(emails) + len(sms_keys) == total
    with engine.connect() as conn:
        assert verify_log(conn).ok
    print(f"\n{kills} SIGKILLs in {runs} dispatcher runs; {len(emails)} emails and {len(sms_keys)} SMS, each once")


def test_sigkill_at_random_moments_never_doubles_an_sms(uow_factory, engine, database_url):
    """Kills land anywhere (claim, send, mark); the provider's idempotency key keeps every SMS single.

    Email is left out on purpose: between the SMTP server's 250 and the sent-ledger
    write there is a window a kill can hit (see fairdue/adapters/channels/email.py).
    """
    import random

    count = 15
    for i in range(count):
        address = f"+86137{i:08d}"
        request = {"jurisdiction": "CN", "at": AT, "channel": "sms", "purpose": "reminder", "debt": {"id": f"R{i}"},
                   "recipient": {"role": "borrower", "address": address, "source": "contract"}}
        with uow_factory() as uow:
            request_contact(uow, gate_request=request, decide=allow, cipher=FieldCipher(KEYRING),
                            send_window_s=SEND_WINDOW_S, message=OutgoingMessage(channel="sms", recipient_address=address, language="zh",
                                                    text=f"【示例消费金融】提醒 {i}：账单将于 3 月 5 日到期。退订回T"))
    rng = random.Random(7)
    kills = runs = 0
    with StubProvider(api_key="k") as provider:
        provider_env = {**os.environ, "FAIRDUE_DATABASE_URL": database_url, "KILL_P": "0", "LEASE_S": str(LEASE_S),
                        "FAIRDUE_PROVIDER_URL": provider.url, "FAIRDUE_PROVIDER_API_KEY": "k",
                        "FAIRDUE_KEYS": KEYRING.to_json()}
        provider.stall_next(count * 3, seconds=0.1)  # widen the send window so kills land inside it too
        while unsent(engine) and runs < RUNS_MAX:
            runs += 1
            proc = subprocess.Popen([sys.executable, "-c", DISPATCHER], env={**provider_env, "SEED": str(runs)},
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            proc.stdout.readline()  # "ready": imports done, so the kill lands in the dispatching itself
            try:
                proc.wait(timeout=rng.uniform(0.05, 1.0))
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                kills += 1
                time.sleep(LEASE_S)
            else:
                assert proc.returncode == 0, proc.stderr.read()[-2000:]
            proc.stdout.close()
            proc.stderr.close()
        keys = provider.delivered_keys()
    assert unsent(engine) == 0, f"messages left after {runs} runs"
    assert kills >= 3, f"only {kills} kills in {runs} runs"
    assert len(keys) == count and len(set(keys)) == count
    print(f"\n{kills} random SIGKILLs in {runs} runs; {len(keys)} SMS, each once")
