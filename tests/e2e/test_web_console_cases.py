"""The console's collections pages over the real day-end and collections engine: the queue shows day-end's
bucket and DPD, the case view shows the strategy and the gate's verdicts, a call is logged only when the
gate allows it now, promises are parsed exactly with inline zh/en errors, and only a supervisor accepts a plan."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import add_staff, case_and_call_task, make_app, seed_overdue_case, staff_token

UTC = dt.UTC
DAY_END_THROUGH = dt.date(2026, 1, 30)  # installment due 01-26, grace 3: overdue, bucket M1
MORNING = dt.datetime(2026, 2, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
NIGHT = dt.datetime(2026, 2, 2, 14, 0, tzinfo=UTC)  # 22:00 in Shanghai


@pytest.fixture
def world(engine, clock):
    app = make_app(engine, clock)
    ag = add_staff(app, "ag", "agent", display_name="Agent Wu")
    add_staff(app, "ag2", "agent")
    add_staff(app, "sup", "supervisor")
    line = seed_overdue_case(app, agents=(ag,), now=MORNING, sequence=7, key="case-1")
    with TestClient(app) as client:
        yield {
            "app": app,
            "client": client,
            "line": line,
            "engine": engine,
            "clock": clock,
            "ag": staff_token(client, "ag"),
            "ag2": staff_token(client, "ag2"),
            "sup": staff_token(client, "sup"),
        }


def _case_and_task(w) -> tuple[int, int]:
    return case_and_call_task(w["engine"], w["line"])


def test_queue_reads_day_end_bucket_and_dpd_not_installments(world):
    from fairdue.adapters.db.schema.dayend import dayend_account

    with world["engine"].connect() as conn:
        state = conn.execute(sa.select(dayend_account).where(dayend_account.c.account_id == world["line"])).one()
    r = world["client"].get("/console/queue", headers=world["ag"])
    assert r.status_code == 200
    row = r.text.split(f'data-line="{world["line"]}"')[1].split("</tr>")[0]
    # Day-end closed 01-30; the clock says 02-02: the queue shows day-end's DPD, not a count to today.
    assert state.last_closed_on == DAY_END_THROUGH and state.dpd > 0
    assert f'<td class="num">{state.dpd}</td>' in row and f">{state.bucket}<" in row
    assert str(DAY_END_THROUGH) in row and "Agent Wu" in row and "/console/cases/" in row
    assert "my-tasks" in r.text  # the agent's own call task is listed


def test_case_view_shows_strategy_actions_and_verdicts(world):
    case_id, task = _case_and_task(world)
    r = world["client"].get(f"/console/cases/{case_id}", headers=world["ag"])
    assert r.status_code == 200
    assert 'id="case-bucket">M1<' in r.text and "Agent Wu" in r.text
    assert "CN-DEFAULT" in r.text and 'id="case-variant"' in r.text
    assert f"/console/tasks/{task}" in r.text and 'data-status="task"' in r.text
    assert (
        world["client"]
        .get(f"/console/accounts/{world['line']}/case", headers=world["ag"], follow_redirects=False)
        .headers["location"]
        == f"/console/cases/{case_id}"
    )
    # Another agent sees the case but cannot work its call task.
    other = world["client"].get(f"/console/cases/{case_id}", headers=world["ag2"])
    assert other.status_code == 200 and f"/console/tasks/{task}" not in other.text
    assert world["client"].get(f"/console/tasks/{task}", headers=world["ag2"]).status_code == 403


def test_a_call_allowed_now_is_logged_with_a_promise_through_the_services(world):
    from fairdue.adapters.db.schema.collections import decision_log
    from fairdue.adapters.db.schema.collections_engine import coll_actions, coll_promises

    c, case_id = world["client"], _case_and_task(world)[0]
    task = _case_and_task(world)[1]
    world["clock"].set(MORNING + dt.timedelta(minutes=5))
    judged = c.post(f"/console/tasks/{task}/judge", headers=world["ag"])
    assert judged.status_code == 200 and 'data-allowed="true"' in judged.text and 'id="outcome-form"' in judged.text
    bad = c.post(
        f"/console/tasks/{task}/outcome",
        headers=world["ag"],
        data={"outcome": "promise", "amount": "12.345", "promised_on": "2026-02-10"},
    )
    assert bad.status_code == 422 and "小数位数" in bad.text
    ok = c.post(
        f"/console/tasks/{task}/outcome",
        headers=world["ag"],
        follow_redirects=False,
        data={"outcome": "promise", "amount": "1,000.10", "promised_on": "2026-02-10"},
    )
    assert ok.status_code == 303 and ok.headers["location"].startswith(f"/console/cases/{case_id}")
    with world["engine"].connect() as conn:
        promise = conn.execute(sa.select(coll_promises)).one()
        status = conn.execute(sa.select(coll_actions.c.status).where(coll_actions.c.id == task)).scalar_one()
        records = [
            json.loads(r) for r in conn.execute(sa.select(decision_log.c.record).order_by(decision_log.c.seq)).scalars()
        ]
    assert (promise.amount_minor, promise.promised_on, promise.status) == (100_010, dt.date(2026, 2, 10), "pending")
    assert status == "done"
    outcome = records[-1]
    assert outcome["kind"] == "call_outcome" and outcome["call"]["outcome"] == "promise"
    assert records[-2]["kind"] == "contact_decision" and records[-2]["decision"]["allowed"] is True
    assert outcome["call"]["gate_seq"] == records[-2]["seq"]
    assert outcome["call"]["promise_id"] == promise.id and "13800138000" not in json.dumps(outcome)
    page = c.get(f"/console/cases/{case_id}", headers=world["ag"])
    assert "1,000.10 CNY" in page.text and 'data-status="done"' in page.text


def test_a_call_the_gate_denies_now_cannot_be_logged(world):
    from fairdue.adapters.db.schema.collections_engine import coll_actions

    c, task = world["client"], _case_and_task(world)[1]
    world["clock"].set(NIGHT)
    world["ag"] = staff_token(c, "ag")  # the morning session has expired by 22:00
    judged = c.post(f"/console/tasks/{task}/judge", headers={**world["ag"], "Accept-Language": "en"})
    assert judged.status_code == 200 and 'data-allowed="false"' in judged.text
    assert "CN.CBA2026.hours" in judged.text and 'id="next-allowed"' in judged.text
    assert "2026-02-03 08:00" in judged.text and 'id="outcome-form"' not in judged.text
    refused = c.post(f"/console/tasks/{task}/outcome", headers=world["ag"], data={"outcome": "answered"})
    assert refused.status_code == 409
    with world["engine"].connect() as conn:
        assert conn.execute(sa.select(coll_actions.c.status).where(coll_actions.c.id == task)).scalar_one() == "task"


def test_a_stale_verdict_must_be_asked_again(world):
    c, task = world["client"], _case_and_task(world)[1]
    world["clock"].set(MORNING + dt.timedelta(minutes=1))
    assert 'data-allowed="true"' in c.post(f"/console/tasks/{task}/judge", headers=world["ag"]).text
    world["clock"].set(MORNING + dt.timedelta(minutes=12))
    r = c.post(f"/console/tasks/{task}/outcome", headers=world["ag"], data={"outcome": "no_answer"})
    assert r.status_code == 409 and "300" in r.text


def test_promise_form_errors_inline_in_both_languages(world):
    c, line = world["client"], world["line"]
    zh = c.post(f"/console/accounts/{line}/promises", headers=world["ag"], data={"amount": "abc", "promised_on": "x"})
    assert zh.status_code == 422 and "不是有效金额" in zh.text and "YYYY-MM-DD" in zh.text
    en = c.post(
        f"/console/accounts/{line}/promises",
        headers={**world["ag"], "Accept-Language": "en"},
        data={"amount": "0", "promised_on": "2026-06-01"},
    )
    assert en.status_code == 422 and "more than zero" in en.text and "repayment plan" in en.text
    assert (
        c.post(
            f"/console/accounts/{line}/promises",
            headers=world["ag2"],
            data={"amount": "10", "promised_on": "2026-02-05"},
        ).status_code
        == 403
    )
    ok = c.post(
        f"/console/accounts/{line}/promises",
        headers=world["ag"],
        follow_redirects=False,
        data={"amount": "500.5", "promised_on": "2026-02-05"},
    )
    assert ok.status_code == 303


def test_supervisor_proposes_and_accepts_a_plan_an_agent_cannot(world):
    from fairdue.adapters.db.schema.collections_engine import coll_cases, coll_plans

    c, line = world["client"], world["line"]
    bad = c.get(f"/console/accounts/{line}/plans?income=lots&expenses=100", headers=world["sup"])
    assert bad.status_code == 422 and "lots" in bad.text
    page = c.get(f"/console/accounts/{line}/plans?income=6000&expenses=4500", headers=world["ag"])
    assert page.status_code == 200 and 'class="proposal"' in page.text and "accept-plan" not in page.text
    sup = c.get(f"/console/accounts/{line}/plans?income=6000&expenses=4500", headers=world["sup"])
    key = sup.text.split('name="proposal" value="')[1].split('"')[0]
    form = {"income": "6000", "expenses": "4500", "proposal": key}
    assert c.post(f"/console/accounts/{line}/plans/accept", headers=world["ag"], data=form).status_code == 403
    forged = c.post(
        f"/console/accounts/{line}/plans/accept", headers=world["sup"], data={**form, "proposal": "extend:99:1:1:0"}
    )
    assert forged.status_code == 409
    ok = c.post(f"/console/accounts/{line}/plans/accept", headers=world["sup"], data=form, follow_redirects=False)
    assert ok.status_code == 303
    with world["engine"].connect() as conn:
        plan = conn.execute(sa.select(coll_plans).where(coll_plans.c.account_id == line)).one()
        case = conn.execute(sa.select(coll_cases).where(coll_cases.c.account_id == line)).one()
    assert plan.status == "active" and key.startswith(plan.kind + ":")
    assert (case.status, case.close_reason) == ("closed", "plan")
    view = c.get(f"/console/cases/{case.id}", headers=world["ag"])
    assert 'id="case-status"' in view.text and f"#{plan.id}" in view.text


def test_every_case_family_value_has_a_message():
    from fairdue.web import i18n

    families = {
        "case.status": ("open", "closed"),
        "case.close": ("cure", "plan", "charge_off"),
        "case.astatus": ("planned", "rescheduled", "task", "done", "sent", "denied", "skipped"),
        "case.plan_status": ("active", "completed", "broken", "reverted"),
        "case.dispute": ("open", "resolved"),
        "promise.status": ("pending", "kept", "broken", "cancelled"),
        "plan.kind": ("extend", "freeze", "freeze_waive"),
        "call.o": ("answered", "no_answer", "wrong_party", "promise", "refused"),
    }
    from fairdue.service.collections.call_outcomes import OUTCOMES
    from fairdue.web.pages.console import CALL_OUTCOMES

    assert set(CALL_OUTCOMES) == set(OUTCOMES) == set(families["call.o"])
    missing = [f"{f}.{v}" for f, values in families.items() for v in values if f"{f}.{v}" not in i18n.catalogue()]
    assert missing == []
