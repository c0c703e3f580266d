"""The stored decision log is append-only, never forks under concurrent appends, and names tampering."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.domain.audit import ChainBroken
from fairdue.service.contact.decision_log import append_decision, contact_history, get_entry, require_intact, verify_log

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def record(i: int, *, allowed: bool = True) -> dict:
    decision = {
        "allowed": allowed,
        "jurisdiction": "CN",
        "pack": "CN@test",
        "warnings": [],
        "violations": []
        if allowed
        else [{"rule": "CN.hours", "category": "time_window", "reason_en": "outside hours", "reason_zh": "非允许时段"}],
        "next_allowed_at": None if allowed else "2026-03-03T00:00:00Z",
    }
    return {
        "kind": "contact_decision",
        "decided_at": (T0 + timedelta(minutes=i)).isoformat(),
        "debt_id": "D1",
        "channel": "sms",
        "purpose": "collection",
        "recipient": {"role": "borrower", "address_masked": "138****8000"},
        "fingerprint": None,
        "request": {"channel": "sms"},
        "decision": decision,
    }


def fill(uow_factory, n: int) -> None:
    with uow_factory() as uow:
        for i in range(n):
            append_decision(uow, record(i, allowed=i % 3 != 0))
        uow.commit()


def tamper(engine, sql: str, **params) -> None:
    """Change the log as an attacker with DDL rights would: around the append-only triggers."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS decision_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER IF EXISTS decision_log_no_delete")
        conn.execute(sa.text(sql), params)


def test_appended_chain_verifies(uow_factory, engine):
    fill(uow_factory, 12)
    with UnitOfWork(engine) as uow:
        result = verify_log(uow)
    assert result.ok and result.checked == 12
    with UnitOfWork(engine) as uow:
        assert get_entry(uow, 12).seq == 12 and get_entry(uow, 13) is None


def test_update_and_delete_are_refused_by_the_database(uow_factory, engine):
    fill(uow_factory, 2)
    for statement in (
        "UPDATE decision_log SET allowed = NOT allowed WHERE seq = 1",
        "DELETE FROM decision_log WHERE seq = 2",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
    with UnitOfWork(engine) as uow:
        assert verify_log(uow).ok


def test_flipped_byte_is_named(uow_factory, engine):
    fill(uow_factory, 8)
    with engine.connect() as conn:
        text = conn.execute(sa.text("SELECT record FROM decision_log WHERE seq = 5")).scalar_one()
    raw = bytearray(text.encode())
    raw[raw.index(b'"sms"') + 1] ^= 0x01  # "sms" -> "rms"
    tamper(engine, "UPDATE decision_log SET record = :r WHERE seq = 5", r=raw.decode())
    with UnitOfWork(engine) as uow:
        result = verify_log(uow)
    assert (result.ok, result.bad_seq, result.problem) == (False, 5, "edited")
    with UnitOfWork(engine) as uow, pytest.raises(ChainBroken, match="decision 5"):
        require_intact(uow)


def test_edited_query_column_is_named(uow_factory, engine):
    fill(uow_factory, 6)
    tamper(engine, "UPDATE decision_log SET allowed = :t WHERE seq = 4", t=True)  # 4 was a denial
    with UnitOfWork(engine) as uow:
        result = verify_log(uow)
    assert (result.ok, result.bad_seq) == (False, 4)


def test_deleted_record_is_named(uow_factory, engine):
    fill(uow_factory, 8)
    tamper(engine, "DELETE FROM decision_log WHERE seq = 3")
    with UnitOfWork(engine) as uow:
        result = verify_log(uow)
    assert (result.ok, result.bad_seq, result.problem) == (False, 3, "missing")


def test_deleted_last_record_is_caught_by_the_head(uow_factory, engine):
    fill(uow_factory, 4)
    tamper(engine, "DELETE FROM decision_log WHERE seq = 4")
    with UnitOfWork(engine) as uow:
        result = verify_log(uow)
    assert (result.ok, result.bad_seq, result.problem) == (False, 4, "truncated")


def test_swapped_records_are_named(uow_factory, engine):
    fill(uow_factory, 8)
    tamper(engine, "UPDATE decision_log SET seq = 1000 WHERE seq = 2")
    tamper(engine, "UPDATE decision_log SET seq = 2 WHERE seq = 6")
    tamper(engine, "UPDATE decision_log SET seq = 6 WHERE seq = 1000")
    with UnitOfWork(engine) as uow:
        result = verify_log(uow)
    assert (result.ok, result.bad_seq, result.problem) == (False, 2, "reordered")


def test_concurrent_appenders_never_fork_the_chain(engine, clock):
    writers, per_writer = 4, 15
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for i in range(per_writer):
                with UnitOfWork(engine, clock=clock) as uow:
                    append_decision(uow, record(i))
                    uow.commit()
        except BaseException as err:  # surfaced below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with UnitOfWork(engine) as uow:
        result = verify_log(uow)
        count = uow.connection.execute(sa.text("SELECT count(*) FROM decision_log")).scalar_one()
    assert result.ok and count == writers * per_writer


def test_contact_history_lists_every_decision_with_reasons(uow_factory):
    fill(uow_factory, 3)
    with uow_factory() as uow:
        items = contact_history(uow, debt_id="D1")
    assert [i.allowed for i in items] == [False, True, True]
    assert items[0].reasons[0][:2] == ("CN.hours", "time_window")
    assert items[0].next_allowed_at == datetime(2026, 3, 3, tzinfo=UTC)
    assert items[1].address_masked == "138****8000" and items[1].outbox_status is None


def test_cli_verify_exits_non_zero_naming_the_record(uow_factory, engine, database_url, monkeypatch):
    from fairdue.adapters.log_signing import LogKeys

    # verify signs the head it finds intact: it needs the log key (a dev one is generated on SQLite only).
    monkeypatch.setenv("FAIRDUE_LOG_KEYS", LogKeys.generate(dev=False).to_json())
    fill(uow_factory, 5)
    cli = [
        sys.executable,
        "-c",
        "from fairdue.cli import main; main()",
        "audit",
        "verify",
        "--database-url",
        database_url,
    ]
    ok = subprocess.run(cli, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "5 decisions verified" in ok.stdout
    head = subprocess.run(
        cli[:-4] + ["audit", "head", "--database-url", database_url], capture_output=True, text=True, timeout=120
    )
    anchor = head.stdout.strip()
    assert anchor.startswith("5:") and len(anchor) == 66
    anchored = subprocess.run(cli + ["--anchor", anchor], capture_output=True, text=True, timeout=120)
    assert anchored.returncode == 0, anchored.stderr
    tamper(engine, "UPDATE decision_log SET record = replace(record, 'collection', 'co11ection') WHERE seq = 2")
    bad = subprocess.run(cli, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1
    assert "decision 2" in bad.stdout and "decision 2" in bad.stderr


def test_an_anchor_catches_a_log_rewritten_with_fresh_hashes(uow_factory, engine):
    from fairdue.domain.audit import make_entry
    from fairdue.service.contact.decision_log import log_head

    fill(uow_factory, 6)
    with UnitOfWork(engine) as uow:
        anchor = log_head(uow)
        assert verify_log(uow, anchor=anchor).ok
        rows = uow.connection.execute(sa.text("SELECT seq, record, prev_hash FROM decision_log ORDER BY seq")).all()
    # The attacker turns decision 4 (a denial) into an allow and recomputes every hash after it, head included.
    import json

    forged = []
    for seq, text, prev_hash in rows:
        if seq < 4:
            continue
        record = json.loads(text)
        if seq == 4:
            assert record["decision"]["allowed"] is False
            record["decision"]["allowed"] = True
        forged.append(make_entry(seq=seq, prev_hash=forged[-1].hash if forged else prev_hash, record=record))
    for entry in forged:
        tamper(
            engine,
            "UPDATE decision_log SET record = :r, prev_hash = :p, hash = :h, allowed = :a WHERE seq = :s",
            r=entry.record_text,
            p=entry.prev_hash,
            h=entry.hash,
            a=entry.record()["decision"]["allowed"],
            s=entry.seq,
        )
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE decision_log_head SET last_hash = :h WHERE id = 1"), {"h": forged[-1].hash})
    with UnitOfWork(engine) as uow:
        assert verify_log(uow).ok  # a full rewrite fools the chain alone ...
        result = verify_log(uow, anchor=anchor)
    assert (result.ok, result.bad_seq) == (False, 6)  # ... not the anchor published before it


def test_a_missing_head_row_with_decisions_in_the_log_refuses_appends(uow_factory, engine):
    fill(uow_factory, 2)
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM decision_log_head")
    with uow_factory() as uow, pytest.raises(ChainBroken, match="head row is missing"):
        append_decision(uow, record(9))
    with UnitOfWork(engine) as uow:
        assert verify_log(uow).problem == "truncated"
