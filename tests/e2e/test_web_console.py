"""The agent console: the delinquency queue, the account view with PII masked for agents, unmasking only
for roles that need it and always written to the access log, and compose-from-account that never shows
the agent the number yet sends to it through the gate."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import LAWFUL_CN_TEXT, add_staff, make_app, seed_portal_borrower, staff_token


@pytest.fixture
def ctx(engine, clock):
    clock.set(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC))  # 10:00 in Shanghai, installments past due
    app = make_app(engine, clock)
    add_staff(app, "ag", "agent")
    add_staff(app, "sup", "supervisor")
    seeded = seed_portal_borrower(app, name="张伟", mobile="+8613800138000")
    with TestClient(app) as client:
        yield {
            "app": app,
            "client": client,
            "line": seeded["line_id"],
            "engine": engine,
            "ag": staff_token(client, "ag"),
            "sup": staff_token(client, "sup"),
        }


def test_queue_shows_day_end_state_not_a_recount_of_installments(ctx):
    """The seeded line has unpaid installments past due but day-end never ran: the queue, which reads
    day-end's buckets and DPD, does not list it (tests/e2e/test_web_console_cases.py runs day-end)."""
    r = ctx["client"].get("/console/queue", headers=ctx["ag"])
    assert r.status_code == 200 and f"/console/accounts/{ctx['line']}" not in r.text
    assert 'id="queue"' in r.text


def test_agent_sees_masked_pii_and_cannot_reveal(ctx):
    r = ctx["client"].get(f"/console/accounts/{ctx['line']}", headers=ctx["ag"])
    assert r.status_code == 200
    assert "张*" in r.text and "138****8000" in r.text
    assert "张伟" not in r.text and "13800138000" not in r.text
    denied = ctx["client"].post(
        f"/console/accounts/{ctx['line']}/reveal", headers=ctx["ag"], data={"purpose": "curious"}
    )
    assert denied.status_code == 403


def test_supervisor_reveal_is_written_to_the_access_log(ctx):
    c = ctx["client"]
    no_reason = c.post(f"/console/accounts/{ctx['line']}/reveal", headers=ctx["sup"], data={"purpose": ""})
    assert no_reason.status_code == 422 and "张伟" not in no_reason.text
    r = c.post(
        f"/console/accounts/{ctx['line']}/reveal",
        headers=ctx["sup"],
        data={"purpose": "dispute_handling", "detail": "borrower called to dispute identity"},
    )
    assert r.status_code == 200 and "张伟" in r.text and "+8613800138000" in r.text
    with ctx["engine"].connect() as conn:
        rows = conn.execute(sa.text("SELECT fields, purpose FROM access_log")).all()
    assert rows == [("id_number,mobiles,name", "dispute_handling: borrower called to dispute identity")]


def _assign_open_case(engine, line: int, username: str) -> None:
    """An open collection case of the line assigned to the agent (setup only): since issue 16 an agent composes
    only for accounts whose open case is theirs (tests/security/test_access_case_assignment.py)."""
    from fairdue.adapters.db.schema.collections_engine import coll_cases
    from fairdue.adapters.db.schema.web import staff_users

    opened = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with engine.begin() as conn:
        agent = conn.execute(sa.select(staff_users.c.id).where(staff_users.c.username == username)).scalar_one()
        values = {"account_id": line, "opened_on": opened.date(), "opened_at": opened, "bucket": "M1"}
        values |= {"bucket_entered_on": opened.date(), "dpd": 5, "status": "open", "agent_id": agent}
        conn.execute(sa.insert(coll_cases).values(**values))


def test_compose_from_account_hides_the_number_and_sends_through_the_gate(ctx):
    c = ctx["client"]
    _assign_open_case(ctx["engine"], ctx["line"], "ag")
    page = c.get(f"/console/compose?account={ctx['line']}", headers=ctx["ag"])
    assert page.status_code == 200 and "13800138000" not in page.text and 'id="address-ref"' in page.text
    form = {
        "template": "cn_overdue_zh",
        "jurisdiction": "CN",
        "channel": "sms",
        "purpose": "collection",
        "recipient_role": "borrower",
        "recipient_source": "contract",
        "address": f"acct:{ctx['line']}",
        "zone": "Asia/Shanghai",
        "at_local": "2026-03-02T10:00",
        "language": "zh",
        "text": LAWFUL_CN_TEXT,
    }
    verdict = c.post("/console/compose/verdict", headers=ctx["ag"], data=form)
    assert 'data-allowed="true"' in verdict.text and "13800138000" not in verdict.text
    sent = c.post("/console/compose/send", headers=ctx["ag"], data=form)
    assert sent.status_code == 200 and 'id="sent-ok"' in sent.text
    account = c.get(f"/console/accounts/{ctx['line']}", headers=ctx["ag"])
    assert "138****8000" in account.text and 'class="tag ok"' in account.text


def test_plan_request_is_approved_by_a_supervisor_not_an_agent(ctx):
    from web_testing import borrower_session

    c, line = ctx["client"], ctx["line"]
    with ctx["app"].state.core.uow_factory() as uow:
        from fairdue.service.staff.console import borrower_of_line

        bid = borrower_of_line(uow, line)
    b = borrower_session(ctx["app"], bid)
    form = {"line_id": str(line), "income": "6000", "expenses": "4500", "periods": "6"}
    assert c.post("/portal/plan/requests", data=form, headers=b, follow_redirects=False).status_code == 303
    queue = c.get("/console/plan-requests", headers=ctx["ag"])
    assert "6 个月" in queue.text or "6 months" in queue.text
    assert c.post("/console/plan-requests/1/approve", headers=ctx["ag"]).status_code == 403
    assert c.post("/console/plan-requests/1/approve", headers=ctx["sup"], follow_redirects=False).status_code == 303
    assert c.post("/console/plan-requests/1/decline", headers=ctx["sup"]).status_code == 409
    page = c.get("/portal/plan", headers=b)
    assert "已批准" in page.text or "approved" in page.text
