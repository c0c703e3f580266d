"""Every state-changing staff action leaves a row naming its actor in the append-only staff audit trail
(issue 16, OWASP ASVS 4.0 V7.1.3 "security-relevant events are logged with who did what", V7.2.2 "access control
decisions and high-value business logic are logged"), on SQLite and PostgreSQL.

Before the fix a plan accepted over the API (with a fee waiver), a resolved dispute, a payment entered through the
API and a console send named no staff member anywhere: each test below failed for want of the table and its rows.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import (
    LAWFUL_CN_TEXT,
    add_staff,
    assert_no_pii,
    make_app,
    seed_overdue_case,
    staff_audit_rows,
    staff_token,
)

NOW = dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai, the seeded line overdue (M1, a late fee)
INPUTS = {"monthly_income": "6000.00", "monthly_expenses": "4500.00", "currency": "CNY"}
PII_FRAGMENTS = ("张伟", "13800138000", "+8613800138000", "110101")


@pytest.fixture
def ctx(engine, clock):
    clock.set(NOW)
    app = make_app(engine, clock)
    ids = {
        "ag": add_staff(app, "ag", "agent"),
        "sup": add_staff(app, "sup", "supervisor"),
        "comp": add_staff(app, "comp", "compliance"),
    }
    line = seed_overdue_case(app, agents=(ids["ag"],), now=NOW)
    with TestClient(app) as client:
        yield {
            "app": app,
            "engine": engine,
            "client": client,
            "line": line,
            "ids": ids,
            **{name: staff_token(client, name) for name in ids},
        }


def _trail(engine) -> list[dict]:
    return staff_audit_rows(engine)


def _no_pii(rows: list[dict]) -> None:
    assert_no_pii(rows, PII_FRAGMENTS)


def test_v7_1_3_plan_with_fee_waiver_accepted_over_the_api_names_the_supervisor(ctx):
    """ASVS V7.1.3 / V7.2.2: acceptance and its fee waiver are two rows with the supervisor's id; revert a third."""
    c, line = ctx["client"], ctx["line"]
    proposals = c.post(f"/api/v1/accounts/{line}/plans/proposals", headers=ctx["ag"], json=INPUTS).json()
    waive = next(p for p in proposals if p["kind"] == "freeze_waive")
    assert waive["waived_fees_minor"] > 0
    r = c.post(
        f"/api/v1/accounts/{line}/plans",
        headers={**ctx["sup"], "Idempotency-Key": "acc-1"},
        json={**INPUTS, "kind": "freeze_waive", "fingerprint": waive["fingerprint"]},
    )
    assert r.status_code == 201, r.text
    plan_id = r.json()["id"]
    replay = c.post(
        f"/api/v1/accounts/{line}/plans",
        headers={**ctx["sup"], "Idempotency-Key": "acc-1"},
        json={**INPUTS, "kind": "freeze_waive", "fingerprint": waive["fingerprint"]},
    )
    assert replay.status_code == 200  # a replay is not a second action
    rows = _trail(ctx["engine"])
    assert [(x["action"], x["staff_id"], x["via"], x["subject_kind"], x["subject_id"]) for x in rows] == [
        ("plan.accepted", ctx["ids"]["sup"], "api", "plan", str(plan_id)),
        ("plan.fee_waived", ctx["ids"]["sup"], "api", "plan", str(plan_id)),
    ]
    assert rows[0]["details"]["waived_fees_minor"] == waive["waived_fees_minor"]
    assert rows[1]["details"] == {
        "account_id": line,
        "amount_minor": waive["waived_fees_minor"],
        "currency": "CNY",
        "kind": "freeze_waive",
    }
    assert c.post(f"/api/v1/plans/{plan_id}/revert", headers=ctx["sup"]).status_code == 200
    last = _trail(ctx["engine"])[-1]
    assert (last["action"], last["staff_id"], last["subject_id"]) == ("plan.reverted", ctx["ids"]["sup"], str(plan_id))


def test_v7_1_3_dispute_opened_by_an_agent_and_resolved_by_compliance_names_each(ctx):
    """ASVS V7.1.3: who recorded a dispute for the borrower and who resolved it; the resolution text stays out."""
    c, line = ctx["client"], ctx["line"]
    d = c.post(
        f"/api/v1/accounts/{line}/disputes",
        headers={**ctx["ag"], "Idempotency-Key": "d-1"},
        json={"reason": "借款人来电：张伟称一月账单金额不对"},
    ).json()
    done = c.post(f"/api/v1/disputes/{d['id']}/resolution", headers=ctx["comp"], json={"resolution": "核实无误，张伟"})
    assert done.status_code == 200, done.text
    rows = _trail(ctx["engine"])
    assert [(x["action"], x["staff_id"], x["subject_id"]) for x in rows] == [
        ("dispute.opened", ctx["ids"]["ag"], str(d["id"])),
        ("dispute.resolved", ctx["ids"]["comp"], str(d["id"])),
    ]
    _no_pii(rows)


def test_v7_1_3_payment_entered_over_the_api_names_who_entered_it_once(ctx):
    """ASVS V7.1.3 / V7.2.2: a payment is a `payment.entered` row with the agent; an idempotent replay adds none."""
    c, line = ctx["client"], ctx["line"]
    body = {"amount": "500.00", "received_on": "2026-02-02"}
    first = c.post(f"/api/v1/accounts/{line}/payments", headers={**ctx["ag"], "Idempotency-Key": "p-1"}, json=body)
    assert first.status_code == 201, first.text
    again = c.post(f"/api/v1/accounts/{line}/payments", headers={**ctx["ag"], "Idempotency-Key": "p-1"}, json=body)
    assert again.status_code in (200, 201) and again.json() == first.json()
    rows = _trail(ctx["engine"])
    assert [(x["action"], x["staff_id"], x["via"], x["subject_id"]) for x in rows] == [
        ("payment.entered", ctx["ids"]["ag"], "api", str(first.json()["payment_id"]))
    ]
    assert rows[0]["details"] == {
        "account_id": line,
        "amount_minor": 50_000,
        "currency": "CNY",
        "received_on": "2026-02-02",
    }


def test_v7_1_3_console_send_names_the_sender_without_address_or_text(ctx):
    """ASVS V7.1.3 / V7.1.1: a console send (allowed or not) is a row with the agent, the decision's seq, the
    channel and purpose; never the number or the message."""
    form = {
        "template": "cn_overdue_zh",
        "jurisdiction": "CN",
        "channel": "sms",
        "purpose": "collection",
        "recipient_role": "borrower",
        "recipient_source": "contract",
        "address": f"acct:{ctx['line']}",
        "zone": "Asia/Shanghai",
        "at_local": "2026-02-02T10:00",
        "language": "zh",
        "text": LAWFUL_CN_TEXT,
    }
    sent = ctx["client"].post("/console/compose/send", headers=ctx["ag"], data=form)
    assert sent.status_code in (200, 422), sent.text
    rows = _trail(ctx["engine"])
    assert [(x["action"], x["staff_id"], x["via"], x["subject_kind"]) for x in rows] == [
        ("contact.send_requested", ctx["ids"]["ag"], "console", "debt")
    ]
    details = rows[0]["details"]
    assert details["channel"] == "sms" and details["purpose"] == "collection"
    assert details["allowed"] is (sent.status_code == 200) and isinstance(details["decision_seq"], int)
    _no_pii(rows)
    assert LAWFUL_CN_TEXT[:10] not in json.dumps(details, ensure_ascii=False)


def test_v7_2_2_trail_is_for_compliance_in_the_api_and_console_with_filters(ctx):
    """ASVS V7.2.2 / V4.1.3: compliance lists the trail by staff member and action; an agent is refused."""
    c, line = ctx["client"], ctx["line"]
    body = {"amount": "10.00", "received_on": "2026-02-02"}
    c.post(f"/api/v1/accounts/{line}/payments", headers={**ctx["ag"], "Idempotency-Key": "p-2"}, json=body)
    d = c.post(
        f"/api/v1/accounts/{line}/disputes", headers={**ctx["sup"], "Idempotency-Key": "d-2"}, json={"reason": "x"}
    ).json()
    assert d["id"]
    assert c.get("/api/v1/audit/staff-actions", headers=ctx["ag"]).status_code == 403
    assert c.get("/console/staff-audit", headers=ctx["ag"]).status_code == 403
    everything = c.get("/api/v1/audit/staff-actions", headers=ctx["comp"]).json()
    assert [e["action"] for e in everything] == ["dispute.opened", "payment.entered"]  # newest first
    assert everything[1]["username"] == "ag" and everything[1]["via"] == "api"
    by_agent = c.get(f"/api/v1/audit/staff-actions?staff_id={ctx['ids']['ag']}", headers=ctx["comp"]).json()
    assert [e["action"] for e in by_agent] == ["payment.entered"]
    by_action = c.get("/api/v1/audit/staff-actions?action=dispute.opened", headers=ctx["comp"]).json()
    assert [e["username"] for e in by_action] == ["sup"]
    assert c.get("/api/v1/audit/staff-actions?action=nope.nope", headers=ctx["comp"]).status_code == 422
    page = c.get(f"/console/staff-audit?staff_id={ctx['ids']['sup']}", headers=ctx["comp"])
    assert page.status_code == 200 and 'data-action="dispute.opened"' in page.text
    assert 'data-action="payment.entered"' not in page.text
    assert page.headers["cache-control"] == "no-store"
    assert 'href="/console/staff-audit"' in c.get("/console", headers=ctx["comp"]).text


def test_v7_1_3_console_plan_acceptance_and_plan_request_decision_name_the_supervisor(ctx):
    """ASVS V7.1.3: the console's paths are audited too (via=console): a waiver accepted on the plans page, and a
    borrower's plan request approved in the queue."""
    from web_testing import borrower_session

    from fairdue.service.staff.console import borrower_of_line

    c, line = ctx["client"], ctx["line"]
    page = c.get(f"/console/accounts/{line}/plans?income=6000&expenses=4500", headers=ctx["sup"])
    keys = [k.split('"')[0] for k in page.text.split('name="proposal" value="')[1:]]
    waive = next(k for k in keys if k.startswith("freeze_waive:"))
    form = {"income": "6000", "expenses": "4500", "proposal": waive}
    ok = c.post(f"/console/accounts/{line}/plans/accept", headers=ctx["sup"], data=form, follow_redirects=False)
    assert ok.status_code == 303, ok.text
    rows = _trail(ctx["engine"])
    assert [(x["action"], x["staff_id"], x["via"]) for x in rows] == [
        ("plan.accepted", ctx["ids"]["sup"], "console"),
        ("plan.fee_waived", ctx["ids"]["sup"], "console"),
    ]
    assert rows[1]["details"]["amount_minor"] == int(waive.rsplit(":", 1)[1]) > 0

    with ctx["app"].state.core.uow_factory() as uow:
        bid = borrower_of_line(uow, line)
    b = borrower_session(ctx["app"], bid)
    asked = {"line_id": str(line), "income": "6000", "expenses": "4500", "periods": "6"}
    assert c.post("/portal/plan/requests", data=asked, headers=b, follow_redirects=False).status_code == 303
    with ctx["engine"].connect() as conn:
        request_id = conn.execute(sa.text("SELECT max(id) FROM plan_requests")).scalar_one()
    assert c.post(f"/console/plan-requests/{request_id}/decline", headers=ctx["sup"]).status_code in (200, 303)
    last = _trail(ctx["engine"])[-1]
    assert (last["action"], last["staff_id"], last["via"], last["subject_id"]) == (
        "plan_request.declined",
        ctx["ids"]["sup"],
        "console",
        str(request_id),
    )
