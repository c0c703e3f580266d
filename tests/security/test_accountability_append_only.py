"""The staff audit trail cannot be quietly rewritten (issue 16, OWASP ASVS 4.0 V7.3.3 "security logs are protected
from unauthorized modification", V7.1.1/V7.1.2 "no credentials or sensitive personal data in logs"): the database
refuses UPDATE, DELETE and (PostgreSQL) TRUNCATE on it, the code has no path that changes a row, and a row whose
details could carry personal data is refused on write.

Before the fix there was no trail at all; these tests fail on the old code for want of the table.
"""

from __future__ import annotations

import inspect

import pytest
import sqlalchemy as sa
from web_testing import STAFF_PASSWORD

from fairdue.adapters.db.repos import staff_audit as repo_module
from fairdue.adapters.db.repos.staff_audit import AuditDetailsInvalid, StaffActor, StaffAuditRepository
from fairdue.adapters.db.schema.staff_audit import staff_audit
from fairdue.service.staff import audit_trail
from fairdue.service.staff.auth import create_staff


def _one_row(uow_factory) -> tuple[int, int]:
    with uow_factory() as uow:
        staff_id = create_staff(
            uow, username="sup", display_name="Sup", password=STAFF_PASSWORD, roles=["supervisor"], now=uow.clock()
        )
        row_id = audit_trail.record(
            uow,
            actor=StaffActor(staff_id=staff_id, via="api"),
            action="payment.entered",
            subject_kind="payment",
            subject_id=7,
            details={"account_id": 1, "amount_minor": 100, "currency": "CNY"},
        )
        uow.commit()
    return staff_id, row_id


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE staff_audit SET staff_id = staff_id",
        "UPDATE staff_audit SET details = '{}'",
        "DELETE FROM staff_audit",
    ],
)
def test_v7_3_3_update_and_delete_on_the_trail_are_refused_by_the_database(uow_factory, engine, statement):
    """ASVS V7.3.3: on PostgreSQL and on SQLite a trigger refuses the change; the row is as written."""
    _staff_id, row_id = _one_row(uow_factory)
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
        conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(staff_audit.c.id, staff_audit.c.details)).all()
    assert rows == [(row_id, '{"account_id":1,"amount_minor":100,"currency":"CNY"}')]


@pytest.mark.postgres
def test_v7_3_3_truncate_is_refused_on_postgresql(postgres_url):
    """ASVS V7.3.3: TRUNCATE skips row triggers, so PostgreSQL has a statement trigger for it too."""
    from fairdue.adapters.db.engine import make_engine
    from fairdue.adapters.db.uow import UnitOfWork
    from fairdue.bootstrap import EVENT_HANDLERS

    engine = make_engine(postgres_url)
    try:
        _one_row(lambda: UnitOfWork(engine, handlers=EVENT_HANDLERS))
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE staff_audit CASCADE")
        with engine.connect() as conn:
            assert conn.execute(sa.select(sa.func.count()).select_from(staff_audit)).scalar_one() == 1
    finally:
        engine.dispose()


def test_v7_3_3_the_code_has_no_path_that_changes_a_row():
    """ASVS V7.3.3: the repository only appends and reads (no update/delete method, no UPDATE/DELETE built)."""
    methods = {name for name, _ in inspect.getmembers(StaffAuditRepository, inspect.isfunction)}
    assert methods == {"__init__", "append", "entries", "staff_seen"}
    source = inspect.getsource(repo_module)
    assert "sa.update(" not in source and "sa.delete(" not in source


@pytest.mark.parametrize(
    "details",
    [
        {"id_number": "110105199003070021"},
        {"phone": "+8613800138000"},
        {"resolution": "核实无误"},
        {"text": "any free text"},
        {"account_id": "x" * 81},
        {"nested": {"a": 1}},
        {"Bad-Key": 1},
    ],
)
def test_v7_1_2_details_that_could_carry_personal_data_are_refused(uow_factory, details):
    """ASVS V7.1.1 / V7.1.2: a wiring mistake that would put personal data or free text in the trail raises and
    writes nothing."""
    staff_id, _ = _one_row(uow_factory)
    with uow_factory() as uow, pytest.raises(AuditDetailsInvalid):
        StaffAuditRepository(uow.connection, clock=uow.clock).append(
            actor=StaffActor(staff_id=staff_id, via="api"),
            action="payment.entered",
            subject_kind="payment",
            subject_id=8,
            details=details,
        )


def test_v7_1_3_unknown_actions_channels_and_actors_are_refused(uow_factory):
    staff_id, _ = _one_row(uow_factory)
    cases = [
        (StaffActor(staff_id=staff_id, via="api"), "payment.deleted", "payment"),
        (StaffActor(staff_id=staff_id, via="email"), "payment.entered", "payment"),
        (StaffActor(staff_id=staff_id, via="api"), "payment.entered", "planet"),
        (StaffActor(staff_id=True, via="api"), "payment.entered", "payment"),  # type: ignore[arg-type]
    ]
    with uow_factory() as uow:
        for actor, action, kind in cases:
            with pytest.raises(AuditDetailsInvalid):
                audit_trail.record(uow, actor=actor, action=action, subject_kind=kind, subject_id=1, details={})
