"""Staff answer a borrower's data-rights request exactly once (done, partly done, or refused with the reason the
borrower reads); a second answer, an unknown id or a refusal without a reason is a precise error that writes
nothing — on SQLite and PostgreSQL; and migration 0009 (who answered) goes down and up again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from fairdue.adapters.db.engine import make_engine
from fairdue.adapters.db.migrate import alembic_config, migrate
from fairdue.adapters.db.schema.web import data_rights_requests
from fairdue.errors import Conflict, NotFound
from fairdue.service.portal import data_rights

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=3)


def _file(uow_factory, *, borrower_id: str = "7", reason: str = "please delete my old address") -> int:
    with uow_factory() as uow:
        rid = data_rights.file_request(
            uow, borrower_id=borrower_id, kind="deletion", details={"reason": reason}, now=NOW
        )
        uow.commit()
    return rid


def _rows(engine) -> list[tuple]:
    """Every request row, including who answered (decided_by, added by migration 0009)."""
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text("SELECT id, status, decided_at, decided_by, outcome FROM data_rights_requests ORDER BY id")
            ).all()
        ]


def _answer(uow_factory, rid, outcome="done", note="", staff="comp", now=LATER) -> None:
    with uow_factory() as uow:
        data_rights.answer_request(uow, request_id=rid, outcome=outcome, note=note, staff=staff, now=now)
        uow.commit()


@pytest.mark.parametrize(
    ("outcome", "note"),
    [
        ("done", ""),
        ("done", "old address erased"),
        ("partially_done", "the address in collection records stays 2 years"),
        ("refused", "kept for the 2-year collection record (card rules Art. 68)"),
    ],
)
def test_an_answer_is_recorded_once_with_outcome_note_who_and_when(uow_factory, engine, outcome, note):
    rid = _file(uow_factory)
    other = _file(uow_factory, borrower_id="8")
    _answer(uow_factory, rid, outcome=outcome, note=f"  {note}  ")
    with uow_factory() as uow:
        answer = data_rights.answer_of(uow, request_id=rid)
        still_open = [r["id"] for r in data_rights.open_requests(uow)]
        answered = data_rights.answered_requests(uow)
        mine = data_rights.requests_of(uow, borrower_id="7")
    assert answer["status"] == outcome and answer["decided_by"] == "comp" and answer["note"] == (note or None)
    assert answer["decided_at"] == LATER
    assert still_open == [other]  # the other request is untouched
    assert [(r["id"], r["status"], r["decided_by"]) for r in answered] == [(rid, outcome, "comp")]
    assert mine[0]["status"] == outcome and mine[0]["decided_at"] == LATER and mine[0]["outcome"] == (note or None)


def test_answering_twice_is_refused_and_the_first_answer_stays(uow_factory, engine):
    rid = _file(uow_factory)
    _answer(uow_factory, rid, outcome="refused", note="kept by law")
    before = _rows(engine)
    for outcome, note in (("done", ""), ("refused", "another reason")):
        with pytest.raises(
            data_rights.DataRequestAnswered, match=rf"data request {rid} was answered already \(refused\)"
        ):
            _answer(uow_factory, rid, outcome=outcome, note=note, staff="admin")
    assert _rows(engine) == before
    assert issubclass(data_rights.DataRequestAnswered, Conflict)  # answered as 409


def test_an_unknown_request_is_refused_and_nothing_is_written(uow_factory, engine):
    rid = _file(uow_factory)
    before = _rows(engine)
    for wrong in (rid + 1, 999_999):
        with pytest.raises(data_rights.DataRequestNotFound, match=f"data request {wrong} not found"):
            _answer(uow_factory, wrong)
    with pytest.raises(data_rights.DataRequestNotFound):
        _answer(uow_factory, "1")  # not an id at all
    assert _rows(engine) == before and before[0][1] == "received"
    assert issubclass(data_rights.DataRequestNotFound, NotFound)  # answered as 404


@pytest.mark.parametrize(
    ("outcome", "note", "message"),
    [
        ("refused", "", "a refused answer must give the borrower its reason"),
        ("refused", "   \n ", "a refused answer must give the borrower its reason"),
        ("partially_done", "", "a partially done answer must give the borrower its reason"),
        ("received", "x", "unknown outcome 'received'"),
        ("approved", "x", "unknown outcome 'approved'"),
        ("done", "x" * (data_rights.NOTE_LENGTH_MAX + 1), "note too long"),
    ],
)
def test_a_bad_answer_is_refused_with_a_clear_error_and_nothing_is_written(uow_factory, engine, outcome, note, message):
    rid = _file(uow_factory)
    before = _rows(engine)
    with pytest.raises(data_rights.DataRightsError, match=message):
        _answer(uow_factory, rid, outcome=outcome, note=note)
    assert _rows(engine) == before and before[0][1:] == ("received", None, None, None)


@pytest.mark.parametrize(
    ("staff", "now", "message"),
    [
        ("", LATER, "say who answers"),
        ("x" * 81, LATER, "say who answers"),
        ("comp", LATER.replace(tzinfo=None), "timezone-aware"),
    ],
)
def test_an_answer_needs_who_and_an_aware_time(uow_factory, engine, staff, now, message):
    rid = _file(uow_factory)
    with pytest.raises(data_rights.DataRightsError, match=message):
        _answer(uow_factory, rid, staff=staff, now=now)
    assert _rows(engine)[0][1] == "received"


def test_an_answer_left_uncommitted_is_rolled_back(uow_factory, engine):
    rid = _file(uow_factory)
    with uow_factory() as uow:
        data_rights.answer_request(uow, request_id=rid, outcome="done", note="", staff="comp", now=LATER)
    assert _rows(engine)[0][1] == "received"


def test_the_copy_carries_the_answer(uow_factory):
    rid = _file(uow_factory)
    _answer(uow_factory, rid, outcome="refused", note="kept by law")
    with uow_factory() as uow:
        (row,) = data_rights.requests_of(uow, borrower_id="7")
    assert row["id"] == rid and row["outcome"] == "kept by law" and row["decided_at"] == LATER


def test_migration_0009_goes_down_and_up_keeping_requests(blank_database_url):
    engine = make_engine(blank_database_url)
    try:
        migrate(engine, "0008")
        with engine.begin() as conn:
            conn.execute(
                sa.insert(data_rights_requests).values(
                    borrower_id="7", kind="copy", details="{}", status="received", received_at=NOW, due_at=LATER
                )
            )
        migrate(engine)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT status, decided_by FROM data_rights_requests")).one() == (
                "received",
                None,
            )
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0008")
        columns = {c["name"] for c in sa.inspect(engine).get_columns("data_rights_requests")}
        assert "decided_by" not in columns and {"status", "decided_at", "outcome"} <= columns
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM data_rights_requests")).scalar_one() == 1
        migrate(engine)
        columns = {c["name"] for c in sa.inspect(engine).get_columns("data_rights_requests")}
        assert "decided_by" in columns
    finally:
        engine.dispose()
