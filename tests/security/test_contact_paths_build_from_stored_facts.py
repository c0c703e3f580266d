"""Every path that can contact a person builds its gate request with the one builder, from stored facts.

Attack (issue: gate v2): the console composer took the recipient's role, source, time zone and jurisdiction
from the form, so an agent could label a third party's number `borrower/contract`, or a supervisor could pick
Asia/Shanghai for a US borrower at 21:47 Chicago time; a stored cease request did not reach the composer's
request. The defence is structural:

1. Statically: only `fairdue.service.contact.enforcement` writes an outbox row or a contact decision, and the
   callers of its two entry points (`request_contact`, `judge_contact`) are a known list; a new caller fails
   here until it is added to the dynamic table below.
2. Dynamically: with `gate_request.build` patched to answer a request the gate must deny, every route and CLI
   command that can queue a message or log a call is exercised; nothing is queued, no call can be logged, and
   the builder was asked each time.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import pathlib

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import (
    LAWFUL_CN_TEXT,
    add_staff,
    case_and_call_task,
    make_app,
    register_cn_borrower,
    seed_overdue_case,
    staff_token,
)

from fairdue.adapters.db.schema.collections import decision_log, outbox_messages
from fairdue.service.contact import gate_request as gate_requests
from fairdue.service.servicing.debts import debt_id_for_line

ROOT = pathlib.Path(__file__).resolve().parents[2] / "fairdue"
MORNING = dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
US_MOBILE = "+13125550199"  # Chicago

# Every function that calls the contact service's entry points; the dynamic test below reaches each.
KNOWN_CALLERS = {
    ("fairdue/service/collections/engine.py", "_execute_action"),  # strategy steps (messages, letters, call tasks)
    ("fairdue/service/collections/engine.py", "_execute_reminder"),  # pre-due and due-day reminders
    ("fairdue/service/collections/engine.py", "judge_call_task"),  # an agent's call, judged now
    ("fairdue/web/contact.py", "send"),  # the console composer
    ("fairdue/web/wiring.py", "deliver_code"),  # one-time login codes
    ("fairdue/web/demo.py", "prepare"),  # the demo's sample contacts
    ("fairdue/bench/delivery.py", "run"),  # the delivery benchmark (its own database)
}


def _functions_calling(names: set[str]) -> set[tuple[str, str]]:
    found = set()
    for path in ROOT.rglob("*.py"):
        rel = str(path.relative_to(ROOT.parent))
        if rel == "fairdue/service/contact/enforcement.py":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                if isinstance(node, ast.Call):
                    callee = node.func
                    name = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", None)
                    if name in names:
                        found.add((rel, fn.name))
    return found


def test_only_the_contact_service_writes_outbox_rows_or_contact_decisions():
    writers = _functions_calling({"add_outbox_message"})
    assert writers == set(), f"outbox rows written outside the contact service: {writers}"
    for path in ROOT.rglob("*.py"):
        rel = str(path.relative_to(ROOT.parent))
        if rel == "fairdue/service/contact/enforcement.py":
            continue
        assert '"kind": "contact_decision"' not in path.read_text("utf-8"), rel


def test_every_caller_of_the_contact_service_is_known_and_exercised_below():
    callers = _functions_calling({"request_contact", "judge_contact"})
    assert callers == KNOWN_CALLERS, (
        f"new: {callers - KNOWN_CALLERS}; gone: {KNOWN_CALLERS - callers} — add new paths to the dynamic test"
    )


@pytest.fixture
def deny_all(monkeypatch):
    """gate_request.build answering requests the gate must deny (no jurisdiction); counts its calls."""
    real = gate_requests.build
    calls: list[str] = []

    def denying(*args, **kwargs):
        built = real(*args, **kwargs)
        built.request["jurisdiction"] = None
        calls.append(kwargs.get("purpose", "?"))
        return built

    monkeypatch.setattr(gate_requests, "build", denying)
    return calls


def _queued(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(outbox_messages)).scalar_one()


def _decisions(engine) -> list[dict]:
    with engine.connect() as conn:
        return [
            json.loads(r) for r in conn.execute(sa.select(decision_log.c.record).order_by(decision_log.c.seq)).scalars()
        ]


@pytest.fixture
def world(engine, clock):
    app = make_app(engine, clock)
    ag = add_staff(app, "ag", "agent")
    add_staff(app, "sup", "supervisor")
    line = seed_overdue_case(app, agents=(ag,), now=MORNING, sequence=5, key="paths")
    with TestClient(app) as client:
        yield {"app": app, "client": client, "line": line, "engine": engine, "clock": clock}


def test_every_contact_path_goes_through_the_builder_and_queues_nothing_it_denies(world, deny_all):
    from fairdue.service import jobs
    from fairdue.web.demo import prepare

    app, c, engine, line = world["app"], world["client"], world["engine"], world["line"]
    before_queued, before_logged = _queued(engine), len(_decisions(engine))
    ag = staff_token(c, "ag")
    case_id, task = case_and_call_task(engine, line)
    form = {
        "template": "cn_overdue_zh",
        "channel": "sms",
        "purpose": "collection",
        "address": f"acct:{line}",
        "debt_id": debt_id_for_line(line),
        "at_local": "2026-02-02T10:00",
        "language": "zh",
        "text": LAWFUL_CN_TEXT,
    }
    # the console composer
    assert c.post("/console/compose/send", data=form, headers=ag).status_code == 422
    # an agent's call, judged now, through the console and the API; its outcome cannot then be logged
    assert 'data-allowed="false"' in c.post(f"/console/tasks/{task}/judge", headers=ag).text
    logged = c.post(f"/api/v1/cases/{case_id}/actions/{task}/outcome", json={"outcome": "answered"}, headers=ag)
    assert logged.status_code in (409, 422), logged.text
    # a one-time login code
    assert c.post("/api/v1/auth/borrower/codes", json={"phone": "+8613800138000"}).status_code == 202
    # the daily job (`fairdue jobs daily`): due steps and reminders a day later
    world["clock"].set(MORNING + dt.timedelta(days=1))
    jobs.run_engine(
        app.state.core.uow_factory,
        business_on=(MORNING + dt.timedelta(days=1)).date(),
        now_at=MORNING + dt.timedelta(days=1),
        cipher=app.state.cipher,
    )
    # the demo's sample contacts
    prepare(app.state.core, app.state.cipher)
    assert _queued(engine) == before_queued
    new = _decisions(engine)[before_logged:]
    assert new and all(d["decision"]["allowed"] is False for d in new if d["kind"] == "contact_decision")
    assert not [d for d in new if d["kind"] == "call_outcome"]
    assert {"collection", "authentication"} <= set(deny_all)


def test_the_composer_takes_no_fact_from_the_form(world):
    """A third party's number labelled borrower/contract, a zone and a jurisdiction picked in the form: the
    request carries the stored role (third_party, source unknown) and the stored zones; the gate denies."""
    c, engine, line = world["client"], world["engine"], world["line"]
    ag = staff_token(c, "ag")
    form = {
        "template": "cn_overdue_zh",
        "channel": "sms",
        "purpose": "collection",
        "address": "+8613900139000",  # not on file for this debt
        "debt_id": debt_id_for_line(line),
        "at_local": "2026-02-02T10:00",
        "language": "zh",
        "text": LAWFUL_CN_TEXT,
        # what the old form sent; ignored now
        "recipient_role": "borrower",
        "recipient_source": "contract",
        "zone": "Asia/Shanghai",
        "jurisdiction": "CN",
    }
    before = _queued(engine)
    verdict = c.post("/console/compose/verdict", data=form, headers=ag)
    assert 'id="not-on-file"' in verdict.text and 'data-allowed="false"' in verdict.text
    sent = c.post("/console/compose/send", data=form, headers=ag)
    assert sent.status_code == 422 and _queued(engine) == before
    request = _decisions(engine)[-1]["request"]
    assert (request["recipient"]["role"], request["recipient"]["source"]) == ("third_party", "unknown")
    assert request["jurisdiction"] == "CN" and "Asia/Shanghai" in request["borrower"]["time_zones"]


def test_a_stored_cease_request_reaches_the_composer(world):
    from fairdue.service.collections import engine as coll

    app, c, engine, line = world["app"], world["client"], world["engine"], world["line"]
    with app.state.core.uow_factory() as uow:
        bid = uow.contact.borrower_of_line(line)
        coll.record_cease(uow, borrower_id=bid, channel="all")
        uow.commit()
    ag = staff_token(c, "ag")
    form = {
        "channel": "sms",
        "purpose": "collection",
        "address": f"acct:{line}",
        "debt_id": debt_id_for_line(line),
        "at_local": "2026-02-02T10:00",
        "language": "zh",
        "text": LAWFUL_CN_TEXT,
    }
    before = _queued(engine)
    assert c.post("/console/compose/send", data=form, headers=ag).status_code == 422
    assert _queued(engine) == before
    assert _decisions(engine)[-1]["request"]["borrower"]["cease_requested"] is True


def test_an_address_recorded_with_a_lawful_source_becomes_the_borrowers(world):
    """Not on file → refused; recorded by staff with a lawful source → the borrower's, with that source; a device
    contact list as the source is refused (CBA 2026: never the address book)."""
    c, line = world["client"], world["line"]
    ag = staff_token(c, "ag")
    form = {
        "channel": "sms",
        "purpose": "collection",
        "address": "+8613900139001",
        "debt_id": debt_id_for_line(line),
        "at_local": "2026-02-02T10:00",
        "language": "zh",
        "text": LAWFUL_CN_TEXT,
    }
    refused = c.post("/console/compose/address", data={**form, "source": "device_contacts"}, headers=ag)
    assert refused.status_code == 422 and 'id="address-refused"' in refused.text
    recorded = c.post("/console/compose/address", data={**form, "source": "self_provided"}, headers=ag)
    assert recorded.status_code == 200 and 'id="not-on-file"' not in recorded.text
    assert 'id="fact-role"' in recorded.text


def test_regf_1006_6b1i_comment_2_the_numbers_zone_counts_with_every_stored_zone(engine, clock):
    """12 CFR 1006.6(b)(1)(i): 21:47 in Chicago is inconvenient whatever zone a form names."""
    app = make_app(engine, clock)
    bid = register_cn_borrower(app, name="张伟", mobile="+8613800138009")
    with app.state.core.uow_factory() as uow:
        zones = gate_requests.build(
            uow,
            debt_id=f"borrower:{bid}",
            recipient=US_MOBILE,
            channel="sms",
            purpose="authentication",
            at=MORNING,
            cipher=app.state.cipher,
        ).request["borrower"]["time_zones"]
    assert "America/Chicago" in zones and "Asia/Shanghai" in zones


def test_an_address_is_on_file_only_for_its_own_channel(world):
    """The borrower's mobile named as an e-mail recipient (or a letter's address) is no address of theirs: role
    third_party, source unknown, and the gate denies it (CBA 2026 lawful sources: only the addresses on file)."""
    app, line = world["app"], world["line"]
    with app.state.core.uow_factory() as uow:
        for channel in ("email", "letter"):
            built = gate_requests.build(
                uow,
                debt_id=debt_id_for_line(line),
                recipient="+8613800138000",
                channel=channel,
                purpose="collection",
                at=MORNING,
                cipher=app.state.cipher,
            )
            recipient = built.request["recipient"]
            assert (recipient["role"], recipient["source"]) == ("third_party", "unknown"), channel
        sms = gate_requests.build(
            uow,
            debt_id=debt_id_for_line(line),
            recipient="+86 138 0013 8000",
            channel="sms",
            purpose="collection",
            at=MORNING,
            cipher=app.state.cipher,
        ).request["recipient"]
    assert (sms["role"], sms["address"]) == ("borrower", "+8613800138000")  # the stored spelling
