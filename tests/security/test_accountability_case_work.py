"""Complaint handling, promises to pay, call outcomes and contact facts leave rows naming their actor in the
append-only staff audit trail, in the transaction of the action (issue 16, OWASP ASVS 4.0 V7.1.3 "security
relevant events are logged with who did what", V7.2.2), on SQLite and PostgreSQL.

Before the fix each of these kept its own actor field at most (`recorded_by`, a complaint event's "staff:name",
a contact fact's free-text `--by`) and none appeared in the trail: every test below failed for want of its rows.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_testing import (
    add_borrower_row,
    add_staff,
    assert_no_pii,
    borrower_session,
    case_and_call_task,
    make_app,
    seed_overdue_case,
    staff_audit_rows,
    staff_token,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

NOW = dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai
COMPLAINT = "催收员晚上十点给我打电话，还说要联系我的家人张伟。"
PII_FRAGMENTS = ("张伟", "13800138000", "王大律师", "13900139000", "晚上十点")


@pytest.fixture
def ctx(engine, clock):
    clock.set(NOW)
    app = make_app(engine, clock)
    ids = {"ag": add_staff(app, "ag", "agent"), "sup": add_staff(app, "sup", "supervisor")}
    line = seed_overdue_case(app, agents=(ids["ag"],), now=NOW)
    with TestClient(app) as client:
        yield {
            "app": app,
            "engine": engine,
            "client": client,
            "clock": clock,
            "line": line,
            "ids": ids,
            **{name: staff_token(client, name) for name in ids},
        }


def _trail(engine) -> list[dict]:
    return staff_audit_rows(engine)


def _no_pii(rows: list[dict]) -> None:
    assert_no_pii(rows, PII_FRAGMENTS)


def test_v7_1_3_promise_recorded_over_the_api_and_in_the_console_names_the_agent(ctx):
    """ASVS V7.1.3: `promise.recorded` with the agent, via, the amount and date; an idempotent replay adds none."""
    c, line = ctx["client"], ctx["line"]
    body = {"amount": "120.00", "currency": "CNY", "promised_on": "2026-02-10"}
    first = c.post(f"/api/v1/accounts/{line}/promises", json=body, headers={**ctx["ag"], "Idempotency-Key": "p-1"})
    assert first.status_code == 201, first.text
    again = c.post(f"/api/v1/accounts/{line}/promises", json=body, headers={**ctx["ag"], "Idempotency-Key": "p-1"})
    assert again.status_code in (200, 201)
    form = {"amount": "130.00", "promised_on": "2026-02-11"}
    page = c.post(f"/console/accounts/{line}/promises", data=form, headers=ctx["sup"], follow_redirects=False)
    assert page.status_code == 303, page.text
    rows = _trail(ctx["engine"])
    assert [(r["action"], r["staff_id"], r["via"], r["subject_kind"], r["subject_id"]) for r in rows] == [
        ("promise.recorded", ctx["ids"]["ag"], "api", "account", str(line)),
        ("promise.recorded", ctx["ids"]["sup"], "console", "account", str(line)),
    ]
    assert rows[0]["details"]["promise_id"] == first.json()["id"]
    assert rows[0]["details"]["amount_minor"] == 12_000 and rows[0]["details"]["promised_on"] == "2026-02-10"


def test_v7_1_3_call_outcome_with_a_promise_names_the_agent_in_one_transaction(ctx):
    """ASVS V7.1.3 / V7.2.2: a logged call is `call.outcome_logged` (case, task, outcome, decision seqs) and its
    promise `promise.recorded`, both with the agent; a call the gate denies leaves neither."""
    c = ctx["client"]
    case_id, task = case_and_call_task(ctx["engine"], ctx["line"])
    body = {"outcome": "promise", "promise": {"amount": "50.00", "currency": "CNY", "promised_on": "2026-02-09"}}
    r = c.post(f"/api/v1/cases/{case_id}/actions/{task}/outcome", json=body, headers=ctx["ag"])
    assert r.status_code == 200, r.text
    rows = _trail(ctx["engine"])
    assert [(x["action"], x["staff_id"], x["via"]) for x in rows] == [
        ("promise.recorded", ctx["ids"]["ag"], "api"),
        ("call.outcome_logged", ctx["ids"]["ag"], "api"),
    ]
    details = rows[1]["details"]
    assert details["case_id"] == case_id and details["action_id"] == task and details["outcome"] == "promise"
    assert details["outcome_seq"] == r.json()["outcome_seq"] and details["promise_id"] == r.json()["promise_id"]


def test_v7_1_3_complaint_handling_in_the_api_and_console_names_each_handler(ctx):
    """ASVS V7.1.3: taking, classifying, escalating and deciding a complaint are rows with the handler; the
    complainant's text and the decision's text stay out of the trail."""
    c = ctx["client"]
    borrower = borrower_session(ctx["app"], add_borrower_row(ctx["engine"], region="CN", now=NOW))
    filed = c.post("/api/v1/complaints", json={"category": "contact_conduct", "text": COMPLAINT}, headers=borrower)
    assert filed.status_code == 201, filed.text
    cid = filed.json()["id"]
    assert c.post(
        f"/console/complaints/{cid}/escalate", data={"text": "晚上十点 来电"}, headers=ctx["ag"]
    ).status_code in (
        200,
        303,
    )
    assert c.post(f"/console/complaints/{cid}/take", headers=ctx["sup"]).status_code in (200, 303)
    r = c.post(f"/api/v1/complaints/{cid}/complex", json={"text": "needs call recordings"}, headers=ctx["sup"])
    assert r.status_code == 200, r.text
    r = c.post(f"/api/v1/complaints/{cid}/decision", json={"text": "投诉成立，已处分张伟。"}, headers=ctx["sup"])
    assert r.status_code == 200, r.text
    rows = _trail(ctx["engine"])
    assert [(x["action"], x["staff_id"], x["via"], x["subject_kind"], x["subject_id"]) for x in rows] == [
        ("complaint.escalated", ctx["ids"]["ag"], "console", "complaint", str(cid)),
        ("complaint.taken", ctx["ids"]["sup"], "console", "complaint", str(cid)),
        ("complaint.marked_complex", ctx["ids"]["sup"], "api", "complaint", str(cid)),
        ("complaint.decided", ctx["ids"]["sup"], "api", "complaint", str(cid)),
    ]
    _no_pii(rows)


def test_v7_1_3_contact_facts_recorded_and_ended_from_the_cli_name_the_operator(database_url, monkeypatch, capsys):
    """ASVS V7.1.3: `fairdue borrower fact record|end --by` must name an active staff user (refused otherwise,
    writing nothing); the fact and its end are `contact_fact.*` rows with that staff member, via=cli, and no
    attorney details."""
    from cli_helpers import CN, OPEN, cli_runner, row_counts
    from test_cli_servicing import add_operator

    cli = cli_runner(database_url, monkeypatch, capsys)
    ops = add_operator(database_url, "ops.li")
    assert cli("product", "load", CN)[0] == 0 and cli(*OPEN)[0] == 0
    record = ("borrower", "fact", "record", "--borrower-id", "1", "--kind", "attorney", "--source", "attorney_notice")
    attorney = ("--attorney-name", "王大律师", "--attorney-reach", "+8613900139000")
    code, _, err = cli(*record, "--by", "nobody", *attorney)
    assert code == 1 and "--by 'nobody' is not an active staff user" in err
    assert row_counts(database_url, ("contact_facts", "staff_audit")) == {"contact_facts": 0, "staff_audit": 0}
    code, _, err = cli(*record, "--by", "ops.li", *attorney)
    assert code == 0, err
    code, _, err = cli("borrower", "fact", "end", "1", "--by", "ops.li", "--reason", "律师函已撤回")
    assert code == 0, err
    from fairdue.adapters.db.engine import make_engine

    engine = make_engine(database_url)
    try:
        rows = _trail(engine)
    finally:
        engine.dispose()
    assert [(r["action"], r["staff_id"], r["via"], r["subject_kind"], r["subject_id"]) for r in rows] == [
        ("contact_fact.recorded", ops, "cli", "contact_fact", "1"),
        ("contact_fact.ended", ops, "cli", "contact_fact", "1"),
    ]
    assert rows[0]["details"] == {"account_id": None, "borrower_id": 1, "kind": "attorney", "source": "attorney_notice"}
    _no_pii(rows)


def test_v7_1_3_new_actions_are_listed_for_the_trails_filter():
    """The trail's filter (console and API) accepts every new action code."""
    from fairdue.service.staff.audit_trail import ACTIONS

    for action in (
        "complaint.taken",
        "complaint.marked_complex",
        "complaint.extended",
        "complaint.decided",
        "complaint.escalated",
        "promise.recorded",
        "call.outcome_logged",
        "contact_fact.recorded",
        "contact_fact.ended",
        "case.assigned",
    ):
        assert action in ACTIONS
