"""The collections API on SQLite and PostgreSQL: cases (filters, the gate's verdict on call outcomes, a denied call
refused with its violations and next allowed time), promises (exact major-unit parsing), negotiated plans (stale
proposals refused by fingerprint, revert), a debt's contact history, disputes and cease requests, with roles and
borrower isolation (another borrower's ids are 404)."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import (
    LAWFUL_CN_TEXT,
    add_staff,
    borrower_session,
    gate_contact,
    make_app,
    seed_portal_borrower,
    staff_token,
)

from fairdue.adapters.db.schema.collections_engine import coll_actions, coll_cases

MORNING = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai: inside the 08:00-21:00 window
AT = MORNING.isoformat().replace("+00:00", "Z")
NIGHT = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)  # 22:30 in Shanghai: outside it


def _case(engine, *, line_id, bucket, dpd, agent_id, status="open", with_task=True):
    with engine.begin() as conn:
        case_id = conn.execute(
            sa.insert(coll_cases)
            .values(
                account_id=line_id,
                opened_on=dt.date(2026, 2, 20),
                opened_at=MORNING,
                bucket=bucket,
                bucket_entered_on=dt.date(2026, 2, 20),
                dpd=dpd,
                status=status,
                close_reason=None if status == "open" else "cure",
                closed_on=None if status == "open" else dt.date(2026, 3, 1),
                team_id=None,
                agent_id=agent_id,
            )
            .returning(coll_cases.c.id)
        ).scalar_one()
        action_id = None
        if with_task:
            action_id = conn.execute(
                sa.insert(coll_actions)
                .values(
                    case_id=case_id,
                    step_key=f"call:{bucket}:1:call:2026-02-20",
                    due_at=MORNING,
                    channel="call",
                    template=None,
                    status="task",
                    attempts=0,
                    agent_id=agent_id,
                    updated_at=MORNING,
                )
                .returning(coll_actions.c.id)
            ).scalar_one()
    return case_id, action_id


@pytest.fixture
def ctx(engine, clock):
    clock.set(MORNING)
    app = make_app(engine, clock)
    ag = add_staff(app, "ag", "agent")
    add_staff(app, "ag2", "agent")
    add_staff(app, "sup", "supervisor")
    add_staff(app, "comp", "compliance")
    one = seed_portal_borrower(app, name="张伟", mobile="+8613800138000", sequence=1, plan="12")
    two = seed_portal_borrower(app, name="李娜", mobile="+8613900139000", sequence=2, plan="3")
    case1, task1 = _case(engine, line_id=one["line_id"], bucket="M1", dpd=5, agent_id=ag)
    case2, _ = _case(
        engine, line_id=two["line_id"], bucket="M2", dpd=35, agent_id=None, status="closed", with_task=False
    )
    with TestClient(app) as client:
        yield {
            "app": app,
            "engine": engine,
            "clock": clock,
            "client": client,
            "one": one,
            "two": two,
            "ag_id": ag,
            "case1": case1,
            "task1": task1,
            "case2": case2,
            "b1": borrower_session(app, one["borrower_id"]),
            "b2": borrower_session(app, two["borrower_id"]),
            "ag": staff_token(client, "ag"),
            "ag2": staff_token(client, "ag2"),
            "sup": staff_token(client, "sup"),
            "comp": staff_token(client, "comp"),
        }


def _problem(r, status):
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    return r.json()


# --- cases ------------------------------------------------------------------------------------


def test_cases_are_paginated_and_filtered(ctx):
    c, ag = ctx["client"], ctx["ag"]
    page = c.get("/api/v1/cases", headers=ag).json()
    assert page["total"] == 2 and [x["id"] for x in page["items"]] == [ctx["case2"], ctx["case1"]]  # newest first
    page = c.get("/api/v1/cases?limit=1&offset=1", headers=ag).json()
    assert page["total"] == 2 and [x["id"] for x in page["items"]] == [ctx["case1"]]
    assert [x["id"] for x in c.get("/api/v1/cases?status=open", headers=ag).json()["items"]] == [ctx["case1"]]
    assert [x["id"] for x in c.get("/api/v1/cases?bucket=M2", headers=ag).json()["items"]] == [ctx["case2"]]
    mine = c.get(f"/api/v1/cases?agent={ctx['ag_id']}", headers=ag).json()["items"]
    assert [x["id"] for x in mine] == [ctx["case1"]] and mine[0]["borrower_id"] == int(ctx["one"]["borrower_id"])
    assert [x["id"] for x in c.get(f"/api/v1/cases?account={ctx['two']['line_id']}", headers=ag).json()["items"]] == [
        ctx["case2"]
    ]
    assert c.get("/api/v1/cases?status=open&bucket=M2", headers=ag).json()["total"] == 0
    assert "status" in _problem(c.get("/api/v1/cases?status=bogus", headers=ag), 422)["detail"]
    assert _problem(c.get("/api/v1/cases", headers=ctx["b1"]), 403)["reason"] == "staff_only"


def test_case_detail_lists_actions(ctx):
    c = ctx["client"]
    d = c.get(f"/api/v1/cases/{ctx['case1']}", headers=ctx["comp"]).json()
    assert d["bucket"] == "M1" and d["dpd"] == 5 and d["account_id"] == ctx["one"]["line_id"]
    [a] = d["actions"]
    assert a["id"] == ctx["task1"] and a["status"] == "task" and a["allowed"] is None and a["violations"] == []
    _problem(c.get("/api/v1/cases/999999", headers=ctx["comp"]), 404)


def _outcome(ctx, who="ag", outcome="no_answer", action=None, promise=None):
    return ctx["client"].post(
        f"/api/v1/cases/{ctx['case1']}/actions/{action or ctx['task1']}/outcome",
        headers=ctx[who],
        json={"outcome": outcome, "promise": promise},
    )


def test_call_outcome_inside_the_window_is_judged_logged_and_closes_the_task(ctx):
    r = _outcome(ctx)
    assert r.status_code == 200, r.text
    logged = r.json()
    [a] = logged["case"]["actions"]
    assert a["status"] == "done" and a["allowed"] is True and a["decision_seq"] == logged["gate_seq"]
    assert a["attempts"] == 1 and a["rules"] == [] and logged["promise_id"] is None
    assert logged["outcome_seq"] == logged["gate_seq"] + 1  # the outcome is chained right after the verdict
    # the gate's decision and the outcome are in the debt's contact history, the borrower's number masked
    items = ctx["client"].get(f"/api/v1/accounts/{ctx['one']['line_id']}/contacts", headers=ctx["b1"]).json()["items"]
    calls = {i["decision_seq"]: i for i in items if i["channel"] == "call"}
    assert set(calls) == {logged["gate_seq"], logged["outcome_seq"]}
    assert calls[logged["gate_seq"]]["allowed"] is True and calls[logged["gate_seq"]]["recipient_role"] == "borrower"
    assert "13800138000" not in str(items)
    # the task is done: a second outcome is refused
    assert _problem(_outcome(ctx), 409)["reason"] == "not_a_call_task"


def test_call_outcome_at_night_is_refused_with_violations_and_next_allowed_time(ctx):
    ctx["clock"].set(NIGHT)
    ctx["ag"] = staff_token(ctx["client"], "ag")  # the morning's session has expired by now
    body = _problem(_outcome(ctx), 409)
    assert body["type"].endswith("call-denied")
    assert "CN.CBA2026.hours" in {v["rule"] for v in body["violations"]}
    # 22:30 Shanghai -> next allowed 08:00 Shanghai the next morning = 00:00 UTC
    assert body["next_allowed_at"] == "2026-03-03T00:00:00Z" and "2026-03-03T00:00:00" in body["detail"]
    # the denial was kept: the task carries it, and the contact history shows it
    [a] = ctx["client"].get(f"/api/v1/cases/{ctx['case1']}", headers=ctx["ag"]).json()["actions"]
    assert a["status"] == "task" and a["allowed"] is False and a["decision_seq"] == body["decision_seq"]
    assert "CN.CBA2026.hours" in a["rules"] and a["next_allowed_at"].startswith("2026-03-03T00:00:00")
    denied = (
        ctx["client"]
        .get(f"/api/v1/accounts/{ctx['one']['line_id']}/contacts?allowed=false", headers=ctx["ag"])
        .json()["items"]
    )
    assert [i["decision_seq"] for i in denied] == [body["decision_seq"]]
    assert "CN.CBA2026.hours" in {r["rule"] for r in denied[0]["reasons"]}


def test_call_outcome_roles_and_ownership(ctx):
    assert _problem(_outcome(ctx, who="ag2"), 403)["reason"] == "not_your_case"
    assert _problem(_outcome(ctx, who="comp"), 403)["reason"] == "role"
    assert _problem(_outcome(ctx, who="b1"), 403)["reason"] == "staff_only"
    _problem(_outcome(ctx, action=999999), 404)
    assert "outcome" in _problem(_outcome(ctx, outcome="shouted"), 422)["detail"]
    assert "promise" in _problem(_outcome(ctx, outcome="promise"), 422)["detail"]
    assert _outcome(ctx, who="sup", outcome="answered").status_code == 200  # a supervisor may log any case


def test_call_outcome_with_a_promise_records_it(ctx):
    bad = _outcome(ctx, outcome="promise", promise={"amount": "1.001", "currency": "CNY", "promised_on": "2026-03-09"})
    assert _problem(bad, 422)["type"].endswith("excess-precision")
    r = _outcome(ctx, outcome="promise", promise={"amount": "541.54", "currency": "CNY", "promised_on": "2026-03-09"})
    assert r.status_code == 200, r.text
    [p] = ctx["client"].get(f"/api/v1/accounts/{ctx['one']['line_id']}/promises", headers=ctx["ag"]).json()
    assert p["id"] == r.json()["promise_id"] and (p["amount_minor"], p["promised_on"], p["status"]) == (
        54154,
        "2026-03-09",
        "pending",
    )


# --- promises ---------------------------------------------------------------------------------


def _promise(ctx, key, amount="150.50", currency="CNY", on="2026-03-10", who="ag", line=None):
    return ctx["client"].post(
        f"/api/v1/accounts/{line or ctx['one']['line_id']}/promises",
        headers={**ctx[who], "Idempotency-Key": key},
        json={"amount": amount, "currency": currency, "promised_on": on},
    )


def test_promise_is_parsed_exactly_and_replayed_by_key(ctx):
    first = _promise(ctx, "p-1")
    assert first.status_code == 201, first.text
    p = first.json()
    assert p["amount_minor"] == 15050 and p["currency"] == "CNY" and p["status"] == "pending"
    again = _promise(ctx, "p-1")
    assert again.status_code == 200 and again.json() == p and again.headers["idempotent-replayed"] == "true"
    assert _problem(_promise(ctx, "p-1", amount="99.00"), 422)["type"].endswith("idempotency-key-reused")
    # a second promise replaces the pending one
    second = _promise(ctx, "p-2", amount="200", on="2026-04-01").json()
    listed = ctx["client"].get(f"/api/v1/accounts/{ctx['one']['line_id']}/promises", headers=ctx["b1"]).json()
    assert [(x["id"], x["amount_minor"], x["status"]) for x in listed] == [
        (p["id"], 15050, "cancelled"),
        (second["id"], 20000, "pending"),
    ]


def test_concurrent_twin_promise_gets_409(ctx):
    from fairdue.web import idempotency

    body = {"amount": "150.50", "currency": "CNY", "promised_on": "2026-03-10"}
    # the first request has claimed the key and is still running
    assert (
        idempotency.claim(
            ctx["app"].state.core, key="p-9", scope=f"promise:{ctx['one']['line_id']}:staff:{ctx['ag_id']}", body=body
        )
        is None
    )
    assert _problem(_promise(ctx, "p-9"), 409)["reason"] == "idempotency_in_progress"
    # another staff member's key of the same name is theirs alone
    add_staff(ctx["app"], "sup2", "supervisor", "agent")
    ctx["sup2"] = staff_token(ctx["client"], "sup2")
    assert _promise(ctx, "p-9", who="sup2").status_code == 201


def test_bad_promises_are_specific_problems(ctx):
    assert (
        "precision" in _problem(_promise(ctx, "b-1", amount="1.234"), 422)["detail"].lower()
        or "decimal" in _problem(_promise(ctx, "b-1", amount="1.234"), 422)["detail"].lower()
    )
    assert "USD" in _problem(_promise(ctx, "b-2", currency="USD"), 422)["detail"]
    assert "30 days" in _problem(_promise(ctx, "b-3", on="2026-04-02"), 422)["detail"]  # today is 2026-03-02
    assert "amount" in _problem(_promise(ctx, "b-4", amount="-5"), 422)["detail"]
    assert _problem(_promise(ctx, "b-5", who="b1"), 403)["reason"] == "staff_only"
    # each failure left its key free for a corrected request
    assert _promise(ctx, "b-2").status_code == 201


def test_borrower_sees_only_own_promises(ctx):
    c = ctx["client"]
    assert c.get(f"/api/v1/accounts/{ctx['one']['line_id']}/promises", headers=ctx["b1"]).status_code == 200
    _problem(c.get(f"/api/v1/accounts/{ctx['two']['line_id']}/promises", headers=ctx["b1"]), 404)
    _problem(c.get("/api/v1/accounts/999999/promises", headers=ctx["ag"]), 404)


# --- plans ------------------------------------------------------------------------------------

INPUTS = {"monthly_income": "6000.00", "monthly_expenses": "4500.00", "currency": "CNY"}


def _proposals(ctx, who="ag"):
    r = ctx["client"].post(f"/api/v1/accounts/{ctx['one']['line_id']}/plans/proposals", headers=ctx[who], json=INPUTS)
    assert r.status_code == 200, r.text
    return r.json()


def _accept(ctx, proposal, key, who="sup"):
    return ctx["client"].post(
        f"/api/v1/accounts/{ctx['one']['line_id']}/plans",
        headers={**ctx[who], "Idempotency-Key": key},
        json={**INPUTS, "kind": proposal["kind"], "fingerprint": proposal["fingerprint"]},
    )


def test_proposals_carry_apr_as_text_and_their_rows_add_up(ctx):
    proposals = _proposals(ctx)
    assert proposals == _proposals(ctx, who="b1")  # the borrower asks for their own line: same offer
    owed = ctx["client"].get(f"/api/v1/accounts/{ctx['one']['line_id']}", headers=ctx["ag"]).json()["payoff_minor"]
    freeze = next(p for p in proposals if p["kind"] == "freeze")
    # 3,072.08 owed = 3,000.00 principal + 72.08 interest and fees carried into the rows; surplus 1,500.00 a month:
    # three rows of 1,000.00 principal, the 72.08 split 24.03 + 24.03 + 24.02, no new interest
    assert (owed, freeze["principal_minor"], freeze["carried_minor"], freeze["total_minor"]) == (
        307208,
        300000,
        7208,
        307208,
    )
    assert [r["total_minor"] for r in freeze["rows"]] == [102403, 102403, 102402] and freeze["monthly_rate"] == "0"
    assert {p["kind"] for p in proposals} <= {"extend", "freeze", "freeze_waive"} and proposals
    for p in proposals:
        assert len(p["fingerprint"]) == 64
        assert sum(r["total_minor"] for r in p["rows"]) == p["total_minor"] and len(p["rows"]) == p["months"]
        assert sum(r["principal_minor"] for r in p["rows"]) == p["principal_minor"]
        assert p["apr"] is None or (isinstance(p["apr"], str) and 0 < float(p["apr"]) <= 0.24)
    _problem(
        ctx["client"].post(f"/api/v1/accounts/{ctx['two']['line_id']}/plans/proposals", headers=ctx["b1"], json=INPUTS),
        404,
    )
    assert (
        "currency"
        in _problem(
            ctx["client"].post(
                f"/api/v1/accounts/{ctx['one']['line_id']}/plans/proposals",
                headers=ctx["ag"],
                json={**INPUTS, "currency": "USD"},
            ),
            422,
        )["detail"]
    )


def test_accept_by_fingerprint_replay_and_revert(ctx):
    c = ctx["client"]
    proposal = _proposals(ctx)[-1]
    wrong = {**proposal, "fingerprint": "0" * 64}
    assert _problem(_accept(ctx, wrong, "a-0"), 409)["reason"] == "fingerprint_mismatch"
    r = _accept(ctx, proposal, "a-1")
    assert r.status_code == 201, r.text
    plan = r.json()
    assert plan["kind"] == proposal["kind"] and plan["status"] == "active" and plan["accepted_on"] == "2026-03-02"
    assert [row["amount_minor"] for row in plan["rows"]] == [row["total_minor"] for row in proposal["rows"]]
    replay = _accept(ctx, proposal, "a-1")
    assert replay.status_code == 200 and replay.json() == plan
    assert _problem(_accept(ctx, proposal, "a-1", who="b1"), 403)["reason"] == "staff_only"
    assert _problem(_accept(ctx, proposal, "a-1", who="ag"), 403)["reason"] == "role"  # accepting restructures
    assert _problem(c.post(f"/api/v1/plans/{plan['id']}/revert", headers=ctx["ag"]), 403)["reason"] == "role"
    reverted = c.post(f"/api/v1/plans/{plan['id']}/revert", headers=ctx["sup"])
    assert reverted.status_code == 200 and reverted.json()["status"] == "reverted"
    assert (
        _problem(c.post(f"/api/v1/plans/{plan['id']}/revert", headers=ctx["sup"]), 409)["reason"] == "plan_not_allowed"
    )
    _problem(c.post("/api/v1/plans/999999/revert", headers=ctx["sup"]), 404)


def test_a_stale_proposal_is_refused(ctx):
    proposal = _proposals(ctx)[0]
    paid = ctx["client"].post(
        f"/api/v1/accounts/{ctx['one']['line_id']}/payments",
        headers={**ctx["sup"], "Idempotency-Key": "pay-1"},
        json={"amount": "100.00", "received_on": "2026-03-02"},
    )
    assert paid.status_code == 201, paid.text
    body = _problem(_accept(ctx, proposal, "a-2"), 409)
    assert body["type"].endswith("stale-proposal") and body["reason"] == "fingerprint_mismatch"
    fresh = next(p for p in _proposals(ctx) if p["kind"] == proposal["kind"])
    assert body["current_fingerprint"] == fresh["fingerprint"] != proposal["fingerprint"]
    assert _accept(ctx, fresh, "a-3").status_code == 201


# --- contact history --------------------------------------------------------------------------


def test_contact_history_newest_first_allowed_and_denied(ctx):
    app, one = ctx["app"], ctx["one"]
    ok = gate_contact(app, debt_id=one["debt_id"], address="+8613800138000", text=LAWFUL_CN_TEXT, at=AT)
    friend = gate_contact(
        app,
        debt_id=one["debt_id"],
        address="+8613911112222",
        text=LAWFUL_CN_TEXT,
        role="third_party",
        source="device_contacts",
        purpose="location",
        at=AT,
    )
    assert ok.allowed and not friend.allowed
    c = ctx["client"]
    page = c.get(f"/api/v1/accounts/{one['line_id']}/contacts", headers=ctx["b1"]).json()
    assert page["total"] == 2 and [i["allowed"] for i in page["items"]] == [False, True]
    denied = page["items"][0]
    assert denied["recipient_role"] == "third_party" and denied["outbox_status"] is None
    assert "data_source" in {r["category"] for r in denied["reasons"]}
    assert "13911112222" not in str(page) and "13800138000" not in str(page)
    assert page["items"][1]["outbox_status"] == "pending"  # queued, not yet sent
    assert (
        c.get(f"/api/v1/accounts/{one['line_id']}/contacts?limit=1&offset=1", headers=ctx["ag"]).json()["items"][0][
            "allowed"
        ]
        is True
    )
    _problem(c.get(f"/api/v1/accounts/{one['line_id']}/contacts", headers=ctx["b2"]), 404)
    assert c.get(f"/api/v1/accounts/{ctx['two']['line_id']}/contacts", headers=ctx["b2"]).json()["total"] == 0


# --- disputes and cease requests --------------------------------------------------------------


def test_dispute_filed_by_the_borrower_and_resolved_by_compliance(ctx):
    c, line = ctx["client"], ctx["one"]["line_id"]
    r = c.post(
        f"/api/v1/accounts/{line}/disputes",
        headers={**ctx["b1"], "Idempotency-Key": "d-1"},
        json={"reason": "一月账单中的手机分期金额不对"},
    )
    assert r.status_code == 201, r.text
    d = r.json()
    assert d["status"] == "open" and d["account_id"] == line and d["resolved_at"] is None
    again = c.post(
        f"/api/v1/accounts/{line}/disputes",
        headers={**ctx["b1"], "Idempotency-Key": "d-1"},
        json={"reason": "一月账单中的手机分期金额不对"},
    )
    assert again.status_code == 200 and again.json() == d  # the repeat opened no second dispute
    _problem(
        c.post(
            f"/api/v1/accounts/{ctx['two']['line_id']}/disputes",
            headers={**ctx["b1"], "Idempotency-Key": "d-2"},
            json={"reason": "x"},
        ),
        404,
    )
    assert (
        "reason"
        in _problem(
            c.post(
                f"/api/v1/accounts/{line}/disputes",
                headers={**ctx["b1"], "Idempotency-Key": "d-3"},
                json={"reason": "   "},
            ),
            422,
        )["detail"]
    )
    path = f"/api/v1/disputes/{d['id']}/resolution"
    assert _problem(c.post(path, headers=ctx["ag"], json={"resolution": "核实无误"}), 403)["reason"] == "role"
    done = c.post(path, headers=ctx["comp"], json={"resolution": "核实无误，已书面答复"})
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert done.json()["resolution"] == "核实无误，已书面答复"
    assert (
        _problem(c.post(path, headers=ctx["comp"], json={"resolution": "again"}), 409)["reason"] == "dispute_not_open"
    )
    _problem(c.post("/api/v1/disputes/999999/resolution", headers=ctx["comp"], json={"resolution": "x"}), 404)


def test_cease_request_then_calls_are_denied(ctx):
    c, b1 = ctx["client"], ctx["one"]["borrower_id"]
    mine = c.post(
        f"/api/v1/borrowers/{b1}/cease", headers={**ctx["b1"], "Idempotency-Key": "c-1"}, json={"channel": "sms"}
    )
    assert mine.status_code == 201, mine.text
    assert mine.json()["channel"] == "sms" and mine.json()["source"] == "self_service"
    _problem(
        c.post(
            f"/api/v1/borrowers/{ctx['two']['borrower_id']}/cease",
            headers={**ctx["b1"], "Idempotency-Key": "c-2"},
            json={"channel": "all"},
        ),
        404,
    )
    assert (
        "source"
        in _problem(
            c.post(
                f"/api/v1/borrowers/{b1}/cease",
                headers={**ctx["ag"], "Idempotency-Key": "c-3"},
                json={"channel": "all"},
            ),
            422,
        )["detail"]
    )
    assert (
        "channel"
        in _problem(
            c.post(
                f"/api/v1/borrowers/{b1}/cease",
                headers={**ctx["ag"], "Idempotency-Key": "c-4"},
                json={"channel": "fax", "source": "written"},
            ),
            422,
        )["detail"]
    )
    _problem(
        c.post(
            "/api/v1/borrowers/999999/cease",
            headers={**ctx["ag"], "Idempotency-Key": "c-5"},
            json={"channel": "all", "source": "written"},
        ),
        404,
    )
    written = c.post(
        f"/api/v1/borrowers/{b1}/cease",
        headers={**ctx["ag"], "Idempotency-Key": "c-6"},
        json={"channel": "all", "source": "written"},
    )
    assert written.status_code == 201 and written.json()["source"] == "written"
    # every later gate request carries the cease: the agent's call is now refused, inside the hours too
    body = _problem(_outcome(ctx), 409)
    assert "CN.house.cease" in {v["rule"] for v in body["violations"]}
