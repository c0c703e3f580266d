"""Attacks on the decision log by someone with database rights but not the log signing key (ASVS 4.0 V7.3.3
log integrity, V7.3.4 log protection): each one passed the old `verify_log` (a chain that verifies by itself)
and must be caught by the signed checkpoints without a hand-kept anchor, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from fairdue.adapters.db.uow import UnitOfWork
from fairdue.adapters.log_signing import LogKeys
from fairdue.domain.audit import make_entry
from fairdue.domain.audit_checkpoint import checkpoint_from_dict
from fairdue.service.contact import decision_log
from fairdue.service.contact.decision_log import append_decision, newest_checkpoint, verify_log

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
INTERVAL = 5  # a checkpoint every 5 decisions here (1000 in production), so short logs cross boundaries


@pytest.fixture
def keys(monkeypatch) -> LogKeys:
    """A production-like (non-dev) log key set in FAIRDUE_LOG_KEYS, on both engines; interval checkpoints every 5."""
    keys = LogKeys.generate("log1", dev=False)
    monkeypatch.setenv("FAIRDUE_LOG_KEYS", keys.to_json())
    monkeypatch.setattr(decision_log, "CHECKPOINT_INTERVAL_ENTRIES", INTERVAL)
    return keys


def record(i: int) -> dict:
    allowed = i % 3 != 0
    decision = {
        "allowed": allowed,
        "violations": [] if allowed else [{"rule": "CN.hours", "category": "time_window"}],
        "next_allowed_at": None,
    }
    return {
        "kind": "contact_decision",
        "decided_at": (T0 + timedelta(minutes=i)).isoformat(),
        "debt_id": "D1",
        "channel": "sms",
        "purpose": "collection",
        "recipient": {"role": "borrower", "address_masked": "138****8000"},
        "fingerprint": None,
        "decision": decision,
    }


def fill(uow_factory, n: int) -> None:
    with uow_factory() as uow:
        for i in range(n):
            append_decision(uow, record(i))
        uow.commit()


def signed_verify(engine, clock, **options):
    """What `fairdue audit verify` and the API do: verify, sign the head when intact, commit."""
    with UnitOfWork(engine, clock=clock) as uow:
        result = verify_log(uow, sign=True, **options)
        uow.commit()
    return result


def verify(engine, **options):
    with UnitOfWork(engine) as uow:
        return verify_log(uow, **options)


def tamper(engine, *statements: tuple[str, dict]) -> None:
    """Change rows as an attacker with DDL rights would: around the append-only triggers, in one transaction."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            for table in ("decision_log", "decision_log_checkpoints"):
                for op in ("update", "delete"):
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_{op}")
        for sql, params in statements:
            conn.execute(sa.text(sql), params)


def rewrite_from(engine, seq: int) -> None:
    """Turn decision `seq` (a denial) into an allow and recompute every hash after it, head row included: a log
    that verifies by itself."""
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT seq, record, prev_hash FROM decision_log ORDER BY seq")).all()
    forged = []
    for row_seq, text, prev_hash in rows:
        if row_seq < seq:
            continue
        rec = json.loads(text)
        if row_seq == seq:
            assert rec["decision"]["allowed"] is False
            rec["decision"] = {"allowed": True, "violations": [], "next_allowed_at": None}
        forged.append(make_entry(seq=row_seq, prev_hash=forged[-1].hash if forged else prev_hash, record=rec))
    update = "UPDATE decision_log SET record = :r, prev_hash = :p, hash = :h, allowed = :a, violation_rules = :v, "
    update += "violation_categories = :c WHERE seq = :s"
    statements = []
    for e in forged:
        columns = decision_log.columns_from_record(e.record())  # the query columns agree with the forged record
        values = {"a": columns["allowed"], "v": columns["violation_rules"], "c": columns["violation_categories"]}
        statements.append((update, {"r": e.record_text, "p": e.prev_hash, "h": e.hash, "s": e.seq, **values}))
    statements.append(("UPDATE decision_log_head SET last_hash = :h WHERE id = 1", {"h": forged[-1].hash}))
    tamper(engine, *statements)


def insert_checkpoint(engine, checkpoint) -> None:
    """An INSERT the triggers allow (the table is append-only, not write-protected): the attacker's own row."""
    from fairdue.adapters.db.repos.audit import AuditRepository

    with engine.begin() as conn:
        AuditRepository(conn).add_checkpoint(checkpoint)


def head_hash(engine) -> str:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT last_hash FROM decision_log_head")).scalar_one()


def test_appends_sign_a_checkpoint_every_interval_and_verify_signs_the_head(keys, uow_factory, engine, clock):
    fill(uow_factory, 12)
    with engine.connect() as conn:
        seqs = conn.execute(sa.text("SELECT seq FROM decision_log_checkpoints ORDER BY seq")).scalars().all()
    assert seqs == [5, 10]
    result = signed_verify(engine, clock)
    assert result.ok and result.checked == 12 and result.checkpoint_seq == 12
    with UnitOfWork(engine) as uow:
        newest = newest_checkpoint(uow)
    assert newest is not None and (newest.seq, newest.head_hash, newest.key_id) == (12, head_hash(engine), "log1")
    assert keys.authentic(newest) is None
    assert verify(engine).ok and verify(engine).checkpoint_seq == 12


def test_v7_3_3_an_early_entry_rewritten_with_recomputed_hashes_is_caught(keys, uow_factory, engine):
    """ASVS V7.3.3: decision 4 (a denial) becomes an allow and every later hash and the head are recomputed; the
    chain alone is intact again, the checkpoint signed at decision 5 is not."""
    fill(uow_factory, 12)
    rewrite_from(engine, 4)
    result = verify(engine)
    assert (result.ok, result.bad_seq, result.problem) == (False, 5, "edited")
    assert "rewritten at or before decision 5" in result.message


def test_v7_3_3_a_rewrite_after_the_last_interval_is_caught_by_the_checkpoint_verify_signed(
    keys, uow_factory, engine, clock
):
    fill(uow_factory, 9)  # interval checkpoint at 5; decisions 6..9 covered only once a verify signs them
    assert signed_verify(engine, clock).checkpoint_seq == 9
    rewrite_from(engine, 7)
    result = verify(engine)
    assert (result.ok, result.bad_seq, result.problem) == (False, 9, "edited")


def test_v7_3_4_a_truncated_tail_is_caught_below_a_checkpoint(keys, uow_factory, engine, clock):
    """ASVS V7.3.4: decisions 11 and 12 deleted and the head row moved back to 10 (so the head agrees)."""
    fill(uow_factory, 12)
    signed_verify(engine, clock)
    with engine.connect() as conn:
        ten = conn.execute(sa.text("SELECT hash FROM decision_log WHERE seq = 10")).scalar_one()
    tamper(
        engine,
        ("DELETE FROM decision_log WHERE seq > 10", {}),
        ("UPDATE decision_log_head SET last_seq = 10, last_hash = :h WHERE id = 1", {"h": ten}),
    )
    result = verify(engine)
    assert (result.ok, result.bad_seq, result.problem) == (False, 11, "truncated")
    assert "decisions 11..12 are missing" in result.message


def test_v7_3_4_deleted_checkpoint_rows_are_caught(keys, uow_factory, engine):
    """ASVS V7.3.4: the attacker empties the checkpoint table, then rewrites the log; the log has crossed an
    interval boundary, so a checkpoint must exist at or after decision 10."""
    fill(uow_factory, 12)
    tamper(engine, ("DELETE FROM decision_log_checkpoints", {}))
    rewrite_from(engine, 4)
    result = verify(engine)
    assert (result.ok, result.bad_seq, result.problem) == (False, 10, "unsigned")


def test_v7_3_4_deleting_only_the_newest_checkpoints_is_caught(keys, uow_factory, engine, clock):
    fill(uow_factory, 12)
    signed_verify(engine, clock)
    tamper(engine, ("DELETE FROM decision_log_checkpoints WHERE seq >= 10", {}))
    rewrite_from(engine, 7)
    result = verify(engine)
    assert (result.ok, result.problem) == (False, "unsigned")


def test_v7_3_3_a_checkpoint_with_a_bad_signature_is_reported_as_forged(keys, uow_factory, engine, clock):
    """An inserted checkpoint of the real head whose signature was altered by one character."""
    fill(uow_factory, 12)
    real = keys.sign(seq=12, head_hash=head_hash(engine), signed_at=clock())
    flipped = real.signature[:10] + ("A" if real.signature[10] != "A" else "B") + real.signature[11:]
    insert_checkpoint(engine, replace(real, signature=flipped))
    result = verify(engine)
    assert (result.ok, result.bad_seq, result.problem) == (False, 12, "forged")
    assert "does not verify under key 'log1'" in result.message


def test_v7_3_3_the_attackers_own_key_is_refused(keys, uow_factory, engine, clock):
    """Swap the key: rewrite the log, delete every checkpoint and re-sign the new head with a key the attacker
    made, under the real key id and under a new one: neither verifies under the configured public key."""
    fill(uow_factory, 12)
    rewrite_from(engine, 4)
    tamper(engine, ("DELETE FROM decision_log_checkpoints", {}))
    attacker = LogKeys.generate("log1", dev=False)
    insert_checkpoint(engine, attacker.sign(seq=12, head_hash=head_hash(engine), signed_at=clock()))
    result = verify(engine)
    assert (result.ok, result.problem) == (False, "forged")
    assert "does not verify under key 'log1'" in result.message
    tamper(engine, ("DELETE FROM decision_log_checkpoints", {}))
    stranger = LogKeys.generate("evil", dev=False)
    insert_checkpoint(engine, stranger.sign(seq=12, head_hash=head_hash(engine), signed_at=clock()))
    result = verify(engine)
    assert (result.ok, result.problem) == (False, "forged")
    assert "'evil', which is not a configured log key" in result.message


def test_v7_3_3_an_exported_checkpoint_catches_a_rewrite_of_a_short_log(keys, uow_factory, engine, clock):
    """A witness's copy: below the first interval boundary, a rewrite plus deleted checkpoints leaves nothing in
    the database to compare with; the exported checkpoint still catches it. A forged export is reported."""
    fill(uow_factory, 4)
    signed_verify(engine, clock)
    with UnitOfWork(engine) as uow:
        exported = json.loads(json.dumps(keys.export(newest_checkpoint(uow))))
    assert exported["key_id"] == "log1" and exported["public_key"] == keys.public_key_text("log1")
    tamper(engine, ("DELETE FROM decision_log_checkpoints", {}))
    rewrite_from(engine, 4)
    assert verify(engine).ok  # nothing stored is left to catch it ...
    result = verify(engine, witness=checkpoint_from_dict(exported))
    assert (result.ok, result.bad_seq, result.problem) == (False, 4, "edited")  # ... the witness does
    forged = checkpoint_from_dict({**exported, "head_hash": head_hash(engine)})
    result = verify(engine, witness=forged)
    assert (result.ok, result.problem) == (False, "forged") and "witness" in result.message


def test_v7_3_4_the_checkpoint_table_refuses_update_and_delete(keys, uow_factory, engine):
    fill(uow_factory, 5)
    for statement in (
        "UPDATE decision_log_checkpoints SET seq = 4",
        "DELETE FROM decision_log_checkpoints",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql(statement)
    assert verify(engine).ok


def test_a_verify_only_key_set_checks_but_never_signs(keys, uow_factory, engine, clock, monkeypatch):
    fill(uow_factory, 7)
    monkeypatch.setenv("FAIRDUE_LOG_KEYS", keys.to_json(public_only=True))
    result = signed_verify(engine, clock)
    assert result.ok and result.checkpoint_seq == 5  # checked against the interval checkpoint, nothing signed
    with UnitOfWork(engine) as uow:
        assert newest_checkpoint(uow).seq == 5


def test_migration_0012_builds_the_checkpoint_table_the_metadata_describes(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from fairdue.adapters.db.schema import metadata

    def names(diff) -> str:
        return repr(diff)

    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, metadata) if "decision_log_checkpoints" in names(d)]
    assert diffs == []


def test_rows_beyond_a_head_moved_back_are_named(keys, uow_factory, engine):
    """The walk stops at the head it read; decisions past a head that was moved back are still reported."""
    fill(uow_factory, 4)
    tamper(
        engine,
        ("UPDATE decision_log_head SET last_seq = 3, last_hash = (SELECT hash FROM decision_log WHERE seq = 3)", {}),
    )
    result = verify(engine)
    assert (result.ok, result.bad_seq, result.problem) == (False, 4, "malformed")
