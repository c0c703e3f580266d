"""Killing the dispatcher (SIGKILL) inside the duplicate windows, many times, loses no message and sends none twice.

The windows: after the SMTP server's 250 and before the adapter's ledger write (SMTP has no idempotency key), and
after any send and before the outbox row is marked. Every message ends `sent`, or — e-mail only, when no relay log
can tell — in the explicit, counted status `unknown` until an operator settles it.
"""

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
from fairdue.adapters.db.schema.handovers import channel_handovers
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.service.contact.decision_log import verify_log
from fairdue.service.contact.dispatcher import resolve_unknown, unknown_messages
from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

pytestmark = pytest.mark.slow

MESSAGES_PER_CHANNEL = 25
KILL_AFTER_ACCEPT_P = 0.6  # the SMTP window: most e-mails are killed there once
KILL_AFTER_SEND_P = 0.1
KILLS_MIN = 10
KILLS_AFTER_ACCEPT_MIN = 8
RUNS_MAX = 200
LEASE_S = 1
KEYRING = Keyring.generate("t1")
# The subprocesses read the real clock: messages are for "now", with a window the whole test fits in.
AT = datetime.now(UTC).isoformat()
SEND_WINDOW_S = 3 * 3600

# The dispatcher process. It SIGKILLs itself (random, seeded per process) at one of two points:
# in the e-mail adapter right after the server's 250 and before the ledger write ("accept"), or in the dispatcher
# after a successful send and before the mark ("send"). Before dying it appends "<point> <outbox id>" to KILL_LOG.
DISPATCHER = r"""
import os, random, signal, sys
from fairdue.bootstrap import build_channels
from fairdue.adapters.crypto import load_cipher
from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.uow import UnitOfWork
from fairdue.service.contact.dispatcher import Dispatcher, DispatchPolicy

random.seed(int(os.environ["SEED"]))
engine = make_engine(os.environ["FAIRDUE_DATABASE_URL"])

def killer(point):
    kill_p = float(os.environ["KILL_P_" + point.upper()])
    def maybe_die(outbox_id):
        if random.random() < kill_p:
            with open(os.environ["KILL_LOG"], "a") as log:
                log.write(f"{point} {outbox_id}\n")
                log.flush()
                os.fsync(log.fileno())
            os.kill(os.getpid(), signal.SIGKILL)
    return maybe_die

adapters = build_channels(engine)
if "email" in adapters:
    adapters["email"].after_accept = killer("accept")
dispatcher = Dispatcher(lambda: UnitOfWork(engine), adapters, cipher=load_cipher(),
                        policy=DispatchPolicy(lease_s=int(os.environ["LEASE_S"]), backoff_base_s=0, batch_max=5),
                        after_send=killer("send"))
print("ready", flush=True)
report = dispatcher.run_until_idle()
print(report.sent, report.duplicates, report.unknown, flush=True)
"""


def allow(_request: dict) -> dict:
    return {
        "allowed": True,
        "jurisdiction": "CN",
        "pack": "test",
        "violations": [],
        "warnings": [],
        "next_allowed_at": None,
    }


def queue_one(uow_factory, *, channel: str, address: str, debt_id: str, text: str) -> None:
    """One reminder to a borrower's contract address, allowed by the gate and queued in the outbox."""
    request = {
        "jurisdiction": "CN",
        "at": AT,
        "channel": channel,
        "purpose": "reminder",
        "debt": {"id": debt_id},
        "recipient": {"role": "borrower", "address": address, "source": "contract"},
    }
    with uow_factory() as uow:
        request_contact(
            uow,
            gate_request=request,
            decide=allow,
            cipher=FieldCipher(KEYRING),
            send_window_s=SEND_WINDOW_S,
            message=OutgoingMessage(channel=channel, recipient_address=address, language="zh", text=text),
        )


def queue(uow_factory) -> None:
    for i in range(MESSAGES_PER_CHANNEL):
        for channel, address in (("email", f"borrower{i}@x.test"), ("sms", f"+86139{i:08d}")):
            queue_one(
                uow_factory,
                channel=channel,
                address=address,
                debt_id=f"D{i}",
                text=f"【示例消费金融】提醒 {i}：本期账单将于 3 月 5 日到期，可在 App 内还款。退订回T",
            )


def by_status(engine) -> Counter:
    with engine.connect() as conn:
        return Counter(
            dict(
                conn.execute(
                    sa.select(outbox_messages.c.status, sa.func.count()).group_by(outbox_messages.c.status)
                ).all()
            )
        )


def in_progress(engine) -> int:
    """Rows a dispatcher still has to handle (pending, or sending under a lease that may have died)."""
    counts = by_status(engine)
    return counts["pending"] + counts["sending"]


def unsent(engine) -> int:
    counts = by_status(engine)
    return sum(counts.values()) - counts["sent"]


def run_killed_dispatchers(engine, env: dict, kill_log) -> tuple[int, int, list[tuple[str, int]]]:
    kills = runs = 0
    while in_progress(engine) and runs < RUNS_MAX:
        runs += 1
        done = subprocess.run(
            [sys.executable, "-c", DISPATCHER],
            env={**env, "SEED": str(runs)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode == -signal.SIGKILL:
            kills += 1
            time.sleep(LEASE_S)  # let the dead dispatcher's lease run out
        else:
            assert done.returncode == 0, done.stderr[-2000:]
    points = []
    if kill_log.exists():
        for line in kill_log.read_text().splitlines():
            point, outbox_id = line.split()
            points.append((point, int(outbox_id)))
    assert len(points) == kills
    return kills, runs, points


def kill_at_random_moments(engine, env: dict, *, seed: int) -> tuple[int, int]:
    """Dispatchers run one after another until nothing is unsent (or RUNS_MAX), each SIGKILLed from outside after a
    random 0.05-1 s (seeded) unless it finished first; returns (kills, runs)."""
    import random

    rng = random.Random(seed)
    kills = runs = 0
    while unsent(engine) and runs < RUNS_MAX:
        runs += 1
        proc = subprocess.Popen(
            [sys.executable, "-c", DISPATCHER],
            env={**env, "SEED": str(runs)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
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
    return kills, runs


def delivered_once(smtp, provider) -> None:
    """Every e-mail and every SMS reached its server exactly once."""
    emails = smtp.received()
    per_message_id = Counter(m.message_id for m in emails)
    per_recipient = Counter(m.rcpt_tos[0] for m in emails)
    assert set(per_message_id.values()) == {1} and len(per_message_id) == MESSAGES_PER_CHANNEL, per_message_id
    assert set(per_recipient.values()) == {1} and len(per_recipient) == MESSAGES_PER_CHANNEL, per_recipient
    sms_keys = provider.delivered_keys()
    assert len(sms_keys) == MESSAGES_PER_CHANNEL and len(set(sms_keys)) == MESSAGES_PER_CHANNEL


def environment(database_url: str, smtp, provider, kill_log, **extra) -> dict:
    return {
        **os.environ,
        "FAIRDUE_DATABASE_URL": database_url,
        "KILL_P_ACCEPT": str(KILL_AFTER_ACCEPT_P),
        "KILL_P_SEND": str(KILL_AFTER_SEND_P),
        "LEASE_S": str(LEASE_S),
        "FAIRDUE_SMTP_HOST": "127.0.0.1",
        "FAIRDUE_SMTP_PORT": str(smtp.port),
        "FAIRDUE_SMTP_SENDER": "notice@lender.test",
        "FAIRDUE_PROVIDER_URL": provider.url,
        "FAIRDUE_PROVIDER_API_KEY": "k",
        "FAIRDUE_KEYS": KEYRING.to_json(),
        "KILL_LOG": str(kill_log),
        **extra,
    }


def test_sigkill_after_250_without_a_relay_log_parks_unknown_never_resends(uow_factory, engine, database_url, tmp_path):
    """No relay log: an e-mail killed after 250 is parked `unknown` (exactly those), never re-sent; the operator
    settles each by its Message-ID and then every message is sent, each once."""
    queue(uow_factory)
    kill_log = tmp_path / "kills.log"
    with LocalSmtpServer() as smtp, StubProvider(api_key="k") as provider:
        kills, runs, points = run_killed_dispatchers(
            engine, environment(database_url, smtp, provider, kill_log), kill_log
        )
        in_window = {outbox_id for point, outbox_id in points if point == "accept"}
        assert kills >= KILLS_MIN, f"only {kills} kills in {runs} runs: the fault was not exercised enough"
        assert len(in_window) >= KILLS_AFTER_ACCEPT_MIN, f"only {len(in_window)} kills after a 250"
        counts = by_status(engine)
        assert in_progress(engine) == 0, counts
        assert counts["sent"] + counts["unknown"] == 2 * MESSAGES_PER_CHANNEL, counts
        with uow_factory() as uow:
            parked = unknown_messages(uow)
        assert {m.outbox_id for m in parked} == in_window  # exactly the ones killed in the window
        delivered_once(smtp, provider)  # nothing re-sent while in doubt
        # The operator checks each Message-ID against what the relay accepted, and records the decision.
        accepted = {m.message_id for m in smtp.received()}
        with uow_factory() as uow:
            for m in parked:
                assert (
                    resolve_unknown(
                        uow,
                        outbox_id=m.outbox_id,
                        delivered=m.message_id in accepted,
                        by="ops.wang",
                        note=f"relay log shows {m.message_id}",
                    )
                    == "sent"
                )
            uow.commit()
        assert by_status(engine) == Counter({"sent": 2 * MESSAGES_PER_CHANNEL})
        delivered_once(smtp, provider)
    with UnitOfWork(engine) as uow:
        assert verify_log(uow).ok
    print(f"\n{kills} SIGKILLs in {runs} runs, {len(in_window)} after a 250: parked unknown, settled; each sent once")


def test_sigkill_after_250_with_a_relay_log_reconciles_by_message_id(uow_factory, engine, database_url, tmp_path):
    """With the relay's mail log, every e-mail found in flight is settled automatically: none unknown, none twice."""
    queue(uow_factory)
    kill_log, relay_log = tmp_path / "kills.log", tmp_path / "maillog"
    with LocalSmtpServer(log_path=relay_log) as smtp, StubProvider(api_key="k") as provider:
        env = environment(database_url, smtp, provider, kill_log, FAIRDUE_SMTP_RELAY_LOG=str(relay_log))
        kills, runs, points = run_killed_dispatchers(engine, env, kill_log)
        in_window = {outbox_id for point, outbox_id in points if point == "accept"}
        assert kills >= KILLS_MIN and len(in_window) >= KILLS_AFTER_ACCEPT_MIN, (kills, in_window)
        assert by_status(engine) == Counter({"sent": 2 * MESSAGES_PER_CHANNEL})
        delivered_once(smtp, provider)
    with UnitOfWork(engine) as uow:
        confirmed = set(
            uow.connection.execute(
                sa.select(channel_handovers.c.outbox_id).where(
                    channel_handovers.c.resolved_by == "relay-log", channel_handovers.c.state == "confirmed"
                )
            ).scalars()
        )
        assert verify_log(uow).ok
    assert confirmed == in_window
    print(f"\n{kills} SIGKILLs in {runs} runs, {len(in_window)} after a 250, all settled from the relay log")


def test_sigkill_at_random_moments_never_doubles_an_sms(uow_factory, engine, database_url):
    """Kills land anywhere (claim, send, mark); the provider's idempotency key keeps every SMS single.

    (E-mail: see test_sigkill_at_random_moments_never_doubles_an_email_with_a_relay_log.)
    """
    count = 15
    for i in range(count):
        queue_one(
            uow_factory,
            channel="sms",
            address=f"+86137{i:08d}",
            debt_id=f"R{i}",
            text=f"【示例消费金融】提醒 {i}：账单将于 3 月 5 日到期。退订回T",
        )
    with StubProvider(api_key="k") as provider:
        provider_env = {
            **os.environ,
            "FAIRDUE_DATABASE_URL": database_url,
            "KILL_P_SEND": "0",
            "LEASE_S": str(LEASE_S),
            "KILL_LOG": os.devnull,
            "FAIRDUE_PROVIDER_URL": provider.url,
            "FAIRDUE_PROVIDER_API_KEY": "k",
            "FAIRDUE_KEYS": KEYRING.to_json(),
        }
        provider.stall_next(count * 3, seconds=0.1)  # widen the send window so kills land inside it too
        kills, runs = kill_at_random_moments(engine, provider_env, seed=7)
        keys = provider.delivered_keys()
    assert unsent(engine) == 0, f"messages left after {runs} runs"
    assert kills >= 3, f"only {kills} kills in {runs} runs"
    assert len(keys) == count and len(set(keys)) == count
    print(f"\n{kills} random SIGKILLs in {runs} runs; {len(keys)} SMS, each once")


def test_sigkill_at_random_moments_never_doubles_an_email_with_a_relay_log(uow_factory, engine, database_url, tmp_path):
    """Kills land anywhere, also while the server holds the message before its 250 (stalled on purpose); the
    relay log settles every e-mail found in flight: each reaches the server once, none is left unknown."""
    count = 15
    for i in range(count):
        queue_one(
            uow_factory,
            channel="email",
            address=f"random{i}@x.test",
            debt_id=f"E{i}",
            text=f"【示例消费金融】提醒 {i}：账单将于 3 月 5 日到期。退订回T",
        )
    relay_log = tmp_path / "maillog"
    with LocalSmtpServer(log_path=relay_log) as smtp:
        env = {
            **os.environ,
            "FAIRDUE_DATABASE_URL": database_url,
            "KILL_P_ACCEPT": "0",
            "KILL_P_SEND": "0",
            "LEASE_S": str(LEASE_S),
            "KILL_LOG": os.devnull,
            "FAIRDUE_SMTP_HOST": "127.0.0.1",
            "FAIRDUE_SMTP_PORT": str(smtp.port),
            "FAIRDUE_SMTP_SENDER": "notice@lender.test",
            "FAIRDUE_SMTP_RELAY_LOG": str(relay_log),
            "FAIRDUE_KEYS": KEYRING.to_json(),
        }
        smtp.stall_next(count * 3, seconds=0.25)  # the server holds each message before its 250: kills land there
        kills, runs = kill_at_random_moments(engine, env, seed=11)
        emails = smtp.received()
    assert unsent(engine) == 0, f"messages left after {runs} runs: {by_status(engine)}"
    assert kills >= 3, f"only {kills} kills in {runs} runs"
    per_message_id = Counter(m.message_id for m in emails)
    assert len(per_message_id) == count and set(per_message_id.values()) == {1}, per_message_id
    with engine.connect() as conn:
        settled = Counter(
            conn.execute(
                sa.select(channel_handovers.c.state).where(channel_handovers.c.resolved_by == "relay-log")
            ).scalars()
        )
    print(
        f"\n{kills} random SIGKILLs in {runs} runs; {len(emails)} e-mails, each once; found in flight and "
        f"settled from the relay log: {settled['confirmed']} delivered, {settled['accepted']} not delivered "
        "and sent again"
    )
