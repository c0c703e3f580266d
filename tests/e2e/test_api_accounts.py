"""Accounts over the API: pagination and filters, borrower isolation (another's account is 404 on every
route), payments with Idempotency-Key (a repeat replays the first answer, a concurrent twin gets 409),
and decision-log verification for compliance."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from web_testing import add_staff, borrower_session, make_app, seed_portal_borrower, staff_token


@pytest.fixture
def ctx(engine, clock):
    clock.set(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC))
    app = make_app(engine, clock)
    add_staff(app, "ag", "agent")
    add_staff(app, "sup", "supervisor")  # records payments: an agent only on a case assigned to them
    add_staff(app, "comp", "compliance")
    one = seed_portal_borrower(app, name="张伟", mobile="+8613800138000", sequence=1, plan="12")
    two = seed_portal_borrower(app, name="李娜", mobile="+8613900139000", sequence=2, plan="3")
    with TestClient(app) as client:
        yield {
            "app": app,
            "client": client,
            "one": one,
            "two": two,
            "b1": borrower_session(app, one["borrower_id"]),
            "ag": staff_token(client, "ag"),
            "sup": staff_token(client, "sup"),
            "comp": staff_token(client, "comp"),
        }


def test_staff_list_is_paginated_and_filtered(ctx):
    c = ctx["client"]
    page = c.get("/api/v1/accounts?limit=1&offset=1", headers=ctx["ag"]).json()
    assert page["total"] == 2 and [a["id"] for a in page["items"]] == [ctx["two"]["line_id"]]
    assert c.get("/api/v1/accounts?status=closed", headers=ctx["ag"]).json()["total"] == 0
    assert c.get("/api/v1/accounts?status=bogus", headers=ctx["ag"]).status_code == 422


def test_borrower_sees_only_own_accounts(ctx):
    c, mine, theirs = ctx["client"], ctx["one"]["line_id"], ctx["two"]["line_id"]
    assert [a["id"] for a in c.get("/api/v1/accounts", headers=ctx["b1"]).json()["items"]] == [mine]
    for suffix in ("", "/schedules", "/statement"):
        assert c.get(f"/api/v1/accounts/{mine}{suffix}", headers=ctx["b1"]).status_code == 200, suffix
        r = c.get(f"/api/v1/accounts/{theirs}{suffix}", headers=ctx["b1"])
        assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json", suffix


def test_schedule_carries_the_apr_and_convention(ctx):
    plans = ctx["client"].get(f"/api/v1/accounts/{ctx['one']['line_id']}/schedules", headers=ctx["ag"]).json()
    assert plans[0]["convention"] == "cn-irr" and 0.12 < float(plans[0]["apr"]) < 0.15
    assert len(plans[0]["installments"]) == 12


def _pay(ctx, key, amount="100.00"):
    return ctx["client"].post(
        f"/api/v1/accounts/{ctx['one']['line_id']}/payments",
        headers={**ctx["sup"], "Idempotency-Key": key},
        json={"amount": amount, "received_on": "2026-03-01"},
    )


def test_payment_repeat_returns_the_first_answer(ctx):
    first = _pay(ctx, "pay-1")
    assert first.status_code == 201
    again = _pay(ctx, "pay-1")
    assert again.status_code == 200 and again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    other = _pay(ctx, "pay-2")
    assert other.status_code == 201 and other.json()["payment_id"] != first.json()["payment_id"]


def test_same_key_for_a_different_payment_is_refused(ctx):
    _pay(ctx, "pay-1")
    r = _pay(ctx, "pay-1", amount="5.00")
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"


def test_concurrent_twin_gets_409(ctx):
    from fairdue.web import idempotency

    body = {"amount": "100.00", "received_on": "2026-03-01"}
    # the first request has claimed the key and is still running
    assert (
        idempotency.claim(ctx["app"].state.core, key="pay-9", scope=f"payment:{ctx['one']['line_id']}", body=body)
        is None
    )
    r = _pay(ctx, "pay-9")
    assert r.status_code == 409 and r.json()["reason"] == "idempotency_in_progress"


def test_failed_payment_releases_the_key(ctx):
    bad = ctx["client"].post(
        f"/api/v1/accounts/{ctx['one']['line_id']}/payments",
        headers={**ctx["sup"], "Idempotency-Key": "pay-x"},
        json={"amount": "0", "received_on": "2026-03-01"},
    )
    assert bad.status_code == 422
    # the failed request left no claim behind: the key is free for a corrected request
    assert _pay(ctx, "pay-x").status_code == 201


def test_payment_needs_the_key_and_a_staff_role(ctx):
    r = ctx["client"].post(
        f"/api/v1/accounts/{ctx['one']['line_id']}/payments",
        headers=ctx["ag"],
        json={"amount": "1.00", "received_on": "2026-03-01"},
    )
    assert r.status_code == 422
    r = ctx["client"].post(
        f"/api/v1/accounts/{ctx['one']['line_id']}/payments",
        headers={**ctx["b1"], "Idempotency-Key": "k"},
        json={"amount": "1.00", "received_on": "2026-03-01"},
    )
    assert r.status_code == 403


def test_audit_verify_for_compliance_only(ctx, monkeypatch):
    from fairdue.adapters.log_signing import LogKeys

    # verify signs the head it finds intact: it needs the log key (a dev one is generated on SQLite only).
    monkeypatch.setenv("FAIRDUE_LOG_KEYS", LogKeys.generate(dev=False).to_json())
    r = ctx["client"].get("/api/v1/audit/verify", headers=ctx["comp"])
    assert r.status_code == 200 and r.json()["ok"] is True
    assert ctx["client"].get("/api/v1/audit/verify", headers=ctx["ag"]).status_code == 403


def test_plan_requests_api(ctx):
    c = ctx["client"]
    form = {"line_id": str(ctx["one"]["line_id"]), "income": "6000", "expenses": "4500", "periods": "6"}
    assert c.post("/portal/plan/requests", data=form, headers=ctx["b1"], follow_redirects=False).status_code == 303
    mine = c.get("/api/v1/plan-requests", headers=ctx["b1"]).json()
    assert [r["periods"] for r in mine] == [6] and mine[0]["status"] == "requested"
    rid = mine[0]["id"]
    assert c.post(f"/api/v1/plan-requests/{rid}/decision", json={"approve": True}, headers=ctx["ag"]).status_code == 403

    sup = ctx["sup"]
    assert [r["id"] for r in c.get("/api/v1/plan-requests", headers=sup).json()] == [rid]
    r = c.post(f"/api/v1/plan-requests/{rid}/decision", json={"approve": True}, headers=sup)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert c.post(f"/api/v1/plan-requests/{rid}/decision", json={"approve": False}, headers=sup).status_code == 409
    assert c.post("/api/v1/plan-requests/999/decision", json={"approve": False}, headers=sup).status_code == 404
