"""An agent works only the accounts whose open collection case is assigned to them (issue 16, OWASP ASVS 4.0 V4.1.x
"access control enforced on a trusted service layer", V4.2.1 "no insecure direct object references"), in the
console and over the API alike; supervisors, compliance and admin keep their reach. On SQLite and PostgreSQL.

Before the fix any agent could compose, preview and send for any line (`acct:<line>`, `cl:<line>` or the service
debt `borrower:<id>`) or record a promise over the API: each test below failed on that code (a 200/201/422 where the
refusal is now a 403 that sends, logs and records nothing). Recording a cease or a dispute stays open to every staff
member: it only restricts contact.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import LAWFUL_CN_TEXT, add_staff, case_and_call_task, make_app, seed_overdue_case, staff_token

from fairdue.adapters.db.schema.collections import decision_log
from fairdue.adapters.db.schema.staff_audit import staff_audit

NOW = dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def ctx(engine, clock):
    clock.set(NOW)
    app = make_app(engine, clock)
    ids = {
        "ag": add_staff(app, "ag", "agent"),  # the case's agent (the only member of the team)
        "other": add_staff(app, "other", "agent"),  # an agent of the same lender, not on this case
        "sup": add_staff(app, "sup", "supervisor"),
        "comp": add_staff(app, "comp", "compliance"),
    }
    line = seed_overdue_case(app, agents=(ids["ag"],), now=NOW)
    with app.state.core.uow_factory() as uow:
        from fairdue.service.staff.console import borrower_of_line

        bid = int(borrower_of_line(uow, line))
    with TestClient(app) as client:
        yield {
            "app": app,
            "engine": engine,
            "client": client,
            "line": line,
            "bid": bid,
            "ids": ids,
            **{name: staff_token(client, name) for name in ids},
        }


def _form(line: int, **over) -> dict:
    form = {
        "template": "cn_overdue_zh",
        "channel": "sms",
        "purpose": "collection",
        "address": f"acct:{line}",
        "at_local": "2026-02-02T10:00",
        "language": "zh",
        "text": LAWFUL_CN_TEXT,
    }
    form.update(over)
    return form


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(sa.text("SELECT count(*) FROM outbox_messages")).scalar_one(),
            conn.execute(sa.select(sa.func.count()).select_from(decision_log)).scalar_one(),
            conn.execute(sa.select(sa.func.count()).select_from(staff_audit)).scalar_one(),
        )


def _refused(r, lang: str = "zh") -> None:
    """A 403 with the trimmed sentence in the caller's language (zh unless asked otherwise): no role, agent or
    account named."""
    assert r.status_code == 403, r.text
    text = r.text
    assert ("未分配给您" if lang == "zh" else "is not assigned to you") in text
    assert "supervisor" not in text and "agent" not in text.replace("user-agent", "")


def test_v4_2_1_an_agent_cannot_compose_preview_or_send_for_an_account_not_assigned_to_them(ctx):
    """ASVS V4.2.1: the other agent's send is refused before anything is built, logged, queued or audited."""
    c, line = ctx["client"], ctx["line"]
    before = _counts(ctx["engine"])
    _refused(c.post("/console/compose/send", data=_form(line), headers=ctx["other"]))
    _refused(c.post("/console/compose/verdict", data=_form(line), headers=ctx["other"]))
    _refused(c.get(f"/console/compose?account={line}", headers=ctx["other"]))
    # the same account named by its debt id, or the borrower's service debt: refused the same way
    by_debt = _form(line, address="+8613800138000", debt_id=f"cl:{line}")
    _refused(c.post("/console/compose/send", data=by_debt, headers=ctx["other"]))
    service = _form(line, address="+8613800138000", debt_id=f"borrower:{ctx['bid']}", purpose="service")
    _refused(c.post("/console/compose/send", data=service, headers=ctx["other"]))
    # a debt not on file is no one's case: an agent cannot compose for it either
    _refused(
        c.post("/console/compose/send", data=_form(line, address="+8613700137000", debt_id="X-1"), headers=ctx["other"])
    )
    address = {**_form(line, address="+8613900139558", debt_id=f"cl:{line}"), "source": "self_provided"}
    _refused(c.post("/console/compose/address", data=address, headers=ctx["other"]))
    assert _counts(ctx["engine"]) == before  # nothing queued, logged or audited
    en = c.post("/console/compose/send", data=_form(line), headers={**ctx["other"], "Accept-Language": "en"})
    _refused(en, "en")


def test_v4_2_1_the_assigned_agent_and_a_supervisor_still_compose_and_send(ctx):
    """The control is not a blanket refusal: the case's own agent and a supervisor reach the gate."""
    c, line = ctx["client"], ctx["line"]
    for who in ("ag", "sup"):
        assert c.post("/console/compose/verdict", data=_form(line), headers=ctx[who]).status_code == 200
        sent = c.post("/console/compose/send", data=_form(line), headers=ctx[who])
        assert sent.status_code in (200, 422), sent.text  # the gate's verdict, not an access refusal
    assert c.post("/console/compose/verdict", data=_form(line), headers=ctx["comp"]).status_code == 200
    assert c.get(f"/console/compose?account={line}", headers=ctx["ag"]).status_code == 200


def test_v4_2_1_an_agent_cannot_record_a_promise_on_another_agents_case_api_or_console(ctx):
    """ASVS V4.1.x / V4.2.1: before the fix the API recorded any agent's promise on any line (201)."""
    c, line = ctx["client"], ctx["line"]
    body = {"amount": "100.00", "currency": "CNY", "promised_on": "2026-02-10"}
    before = _counts(ctx["engine"])
    r = c.post(f"/api/v1/accounts/{line}/promises", json=body, headers={**ctx["other"], "Idempotency-Key": "pr-1"})
    _refused(r)
    form = {"amount": "100.00", "promised_on": "2026-02-10"}
    _refused(c.post(f"/console/accounts/{line}/promises", data=form, headers=ctx["other"]))
    assert _counts(ctx["engine"]) == before
    with ctx["engine"].connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM coll_promises")).scalar_one() == 0
    ok = c.post(f"/api/v1/accounts/{line}/promises", json=body, headers={**ctx["sup"], "Idempotency-Key": "pr-2"})
    assert ok.status_code == 201, ok.text
    mine = c.post(f"/api/v1/accounts/{line}/promises", json=body, headers={**ctx["ag"], "Idempotency-Key": "pr-3"})
    assert mine.status_code == 201, mine.text


def test_v4_2_1_an_agent_cannot_record_a_payment_on_another_agents_case(ctx):
    """A payment changes the debt: before the fix any agent recorded one on any line over the API (201)."""
    c, line = ctx["client"], ctx["line"]
    body = {"amount": "50.00", "received_on": "2026-02-05"}
    _refused(c.post(f"/api/v1/accounts/{line}/payments", json=body, headers={**ctx["other"], "Idempotency-Key": "p1"}))
    with ctx["engine"].connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM payments")).scalar_one() == 0
    mine = c.post(f"/api/v1/accounts/{line}/payments", json=body, headers={**ctx["ag"], "Idempotency-Key": "p2"})
    assert mine.status_code == 201, mine.text


def test_v4_2_1_an_agent_cannot_work_another_agents_call_task(ctx):
    """The call task's page, the gate's judgement and the outcome: refused to the other agent in console and API."""
    c = ctx["client"]
    case_id, task = case_and_call_task(ctx["engine"], ctx["line"])
    before = _counts(ctx["engine"])
    _refused(c.get(f"/console/tasks/{task}", headers=ctx["other"]))
    _refused(c.post(f"/console/tasks/{task}/judge", headers=ctx["other"]))
    _refused(c.post(f"/console/tasks/{task}/outcome", data={"outcome": "answered"}, headers=ctx["other"]))
    api = c.post(f"/api/v1/cases/{case_id}/actions/{task}/outcome", json={"outcome": "answered"}, headers=ctx["other"])
    _refused(api)
    assert _counts(ctx["engine"]) == before  # no gate decision logged for the refused agent
    assert c.get(f"/console/tasks/{task}", headers=ctx["ag"]).status_code == 200
    assert c.get(f"/console/tasks/{task}", headers=ctx["sup"]).status_code == 200


def test_regf_1006_6_c_and_conc_7_14_any_agent_records_a_cease_or_dispute_the_borrower_raises_with_them(ctx):
    """A cease stops contact and a dispute pauses collection: recording one only restricts what fairdue does, so an
    agent who takes the borrower's call records it even when the case is another agent's (refusing would leave the
    borrower's request unrecorded); the staff audit trail names who recorded it."""
    c, line, bid = ctx["client"], ctx["line"], ctx["bid"]
    audit_before = _counts(ctx["engine"])[2]
    d = c.post(
        f"/api/v1/accounts/{line}/disputes",
        json={"reason": "call-in"},
        headers={**ctx["other"], "Idempotency-Key": "d1"},
    )
    assert d.status_code == 201, d.text
    cease = {"channel": "sms", "source": "phone"}
    ok = c.post(f"/api/v1/borrowers/{bid}/cease", json=cease, headers={**ctx["other"], "Idempotency-Key": "c1"})
    assert ok.status_code == 201, ok.text
    assert _counts(ctx["engine"])[2] == audit_before + 2


def test_v4_1_x_the_check_is_one_service_function_not_a_hidden_button(ctx):
    """The rule lives in the service layer (fairdue.service.collections.assignment), so any new entry point
    that calls it gets the same answer; the console's case page only reflects it."""
    from fairdue.service.collections import assignment
    from fairdue.service.staff.auth import Principal

    def who(name: str, *roles: str) -> Principal:
        return Principal(kind="staff", csrf="", expires_at=NOW, staff_id=ctx["ids"][name], roles=frozenset(roles))

    with ctx["app"].state.core.uow_factory() as uow:
        assert assignment.may_work_account(uow, who=who("ag", "agent"), account_id=ctx["line"])
        assert not assignment.may_work_account(uow, who=who("other", "agent"), account_id=ctx["line"])
        assert not assignment.may_work_account(uow, who=who("ag", "agent"), account_id=10**9)
        assert assignment.may_work_account(uow, who=who("sup", "supervisor"), account_id=ctx["line"])
        assert assignment.may_work_borrower(uow, who=who("ag", "agent"), borrower_id=ctx["bid"])
        assert not assignment.may_work_borrower(uow, who=who("other", "agent"), borrower_id=ctx["bid"])
        with pytest.raises(assignment.NotYourCase):
            assignment.require_debt(uow, who=who("other", "agent"), debt_id=f"cl:{ctx['line']}")
    c = ctx["client"]
    mine = c.get(f"/console/accounts/{ctx['line']}/case", headers=ctx["ag"], follow_redirects=True)
    theirs = c.get(f"/console/accounts/{ctx['line']}/case", headers=ctx["other"], follow_redirects=True)
    assert mine.status_code == theirs.status_code == 200
    assert 'class="task-link"' in mine.text and 'class="task-link"' not in theirs.text


def test_v4_1_x_v7_1_3_a_supervisor_reassigns_a_case_in_the_staff_audit_trail(ctx):
    """ASVS V4.1.x / V7.1.3: only a supervisor or admin gives a case to another agent; the new agent may then work
    it and the old one may not; the change is a `case.assigned` row naming the supervisor, from and to whom."""
    c, line = ctx["client"], ctx["line"]
    case_id, _task = case_and_call_task(ctx["engine"], line)
    body = {"agent_id": ctx["ids"]["other"]}
    assert c.put(f"/api/v1/cases/{case_id}/agent", json=body, headers=ctx["ag"]).status_code == 403
    assert (
        c.put(f"/api/v1/cases/{case_id}/agent", json={"agent_id": ctx["ids"]["comp"]}, headers=ctx["sup"]).status_code
        == 422
    )
    r = c.put(f"/api/v1/cases/{case_id}/agent", json=body, headers=ctx["sup"])
    assert r.status_code == 200 and r.json()["agent_id"] == ctx["ids"]["other"], r.text
    with ctx["engine"].connect() as conn:
        rows = conn.execute(sa.select(staff_audit)).all()
    assert [(x.action, x.staff_id, x.via, x.subject_kind, x.subject_id) for x in rows] == [
        ("case.assigned", ctx["ids"]["sup"], "api", "case", str(case_id))
    ]
    assert json.loads(rows[0].details) == {
        "account_id": line,
        "from_agent_id": ctx["ids"]["ag"],
        "to_agent_id": ctx["ids"]["other"],
    }
    assert c.post("/console/compose/verdict", data=_form(line), headers=ctx["other"]).status_code == 200
    _refused(c.post("/console/compose/verdict", data=_form(line), headers=ctx["ag"]))
