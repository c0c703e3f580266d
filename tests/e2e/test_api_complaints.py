"""Complaints over the API: filing starts the regulatory clock (CN 15/30/+30 days), staff move it
by the rules, and a borrower never sees another borrower's complaint (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from web_testing import add_borrower_row, add_staff, borrower_session, make_app, staff_token

TEXT = "催收员晚上十点给我打电话，还说要联系我的家人。"


@pytest.fixture
def ctx(engine, clock):
    app = make_app(engine, clock)
    add_staff(app, "sup", "supervisor")
    add_staff(app, "ag", "agent")
    b1 = add_borrower_row(engine, region="CN", now=clock())
    b2 = add_borrower_row(engine, region="GB", now=clock())
    with TestClient(app) as client:
        yield {
            "app": app,
            "client": client,
            "b1": borrower_session(app, b1),
            "b2": borrower_session(app, b2),
            "sup": staff_token(client, "sup"),
            "ag": staff_token(client, "ag"),
        }


def _file(ctx, who="b1", category="contact_conduct"):
    r = ctx["client"].post("/api/v1/complaints", json={"category": category, "text": TEXT}, headers=ctx[who])
    assert r.status_code == 201, r.text
    return r.json()


def test_filing_starts_the_cn_15_day_clock(ctx, clock):
    body = _file(ctx)
    assert body["status"] == "received" and body["jurisdiction"] == "CN"
    assert body["clock"]["limit_days"] == 15 and body["clock"]["days_left"] == 15
    due = dt.datetime.fromisoformat(body["clock"]["due_at"])
    assert due == clock() + dt.timedelta(days=15)


def test_uk_complaint_gets_eight_weeks_and_cannot_be_extended(ctx):
    body = _file(ctx, "b2")
    assert body["jurisdiction"] == "UK" and body["clock"]["limit_days"] == 56
    r = ctx["client"].post(
        f"/api/v1/complaints/{body['id']}/complex", json={"text": "needs records from the agency"}, headers=ctx["sup"]
    )
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"


def test_complex_then_extended_then_decided(ctx, clock):
    cid = _file(ctx)["id"]
    c = ctx["client"]
    r = c.post(
        f"/api/v1/complaints/{cid}/complex", json={"text": "needs call recordings from the agency"}, headers=ctx["sup"]
    )
    assert r.status_code == 200 and r.json()["clock"]["limit_days"] == 30
    clock.advance(days=20)
    ctx["sup"] = staff_token(c, "sup")  # sessions last hours, not weeks
    r = c.post(
        f"/api/v1/complaints/{cid}/extension",
        json={"text": "我们需要调取第三方录音，将在60日内答复。"},
        headers=ctx["sup"],
    )
    body = r.json()
    assert r.status_code == 200 and body["clock"]["limit_days"] == 60 and body["clock"]["days_left"] == 40
    assert body["extension_notice"].startswith("我们需要")
    r = c.post(
        f"/api/v1/complaints/{cid}/decision",
        json={"text": "投诉成立，已处分相关催收员并删除记录。"},
        headers=ctx["sup"],
    )
    assert r.status_code == 200 and r.json()["status"] == "decided"
    r = c.post(f"/api/v1/complaints/{cid}/decision", json={"text": "second decision text here"}, headers=ctx["sup"])
    assert r.status_code == 409


def test_extension_after_the_limit_is_refused(ctx, clock):
    cid = _file(ctx)["id"]
    c = ctx["client"]
    c.post(f"/api/v1/complaints/{cid}/complex", json={"text": "needs call recordings"}, headers=ctx["sup"])
    clock.advance(days=31)
    ctx["sup"] = staff_token(c, "sup")
    r = c.post(f"/api/v1/complaints/{cid}/extension", json={"text": "too late to extend this one"}, headers=ctx["sup"])
    assert r.status_code == 409
    queue = c.get("/api/v1/complaints", headers=ctx["sup"]).json()["items"]
    assert queue[0]["id"] == cid and queue[0]["clock"]["overdue"] is True


def test_agent_cannot_decide(ctx):
    cid = _file(ctx)["id"]
    r = ctx["client"].post(
        f"/api/v1/complaints/{cid}/decision", json={"text": "an agent decides this"}, headers=ctx["ag"]
    )
    assert r.status_code == 403 and r.json()["reason"] == "role"


def test_borrower_sees_only_own_complaints(ctx):
    mine = _file(ctx, "b1")["id"]
    theirs = _file(ctx, "b2")["id"]
    c = ctx["client"]
    assert c.get(f"/api/v1/complaints/{mine}", headers=ctx["b1"]).status_code == 200
    r = c.get(f"/api/v1/complaints/{theirs}", headers=ctx["b1"])
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert [i["id"] for i in c.get("/api/v1/complaints", headers=ctx["b1"]).json()["items"]] == [mine]
    # a borrower cannot use the staff actions at all
    assert (
        c.post(
            f"/api/v1/complaints/{mine}/decision", json={"text": "I decide for myself"}, headers=ctx["b1"]
        ).status_code
        == 403
    )


def test_staff_cannot_file_a_complaint_as_a_borrower(ctx):
    r = ctx["client"].post("/api/v1/complaints", json={"category": "fees", "text": TEXT}, headers=ctx["ag"])
    assert r.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"category": "nonsense", "text": TEXT},
        {"category": "fees", "text": "short"},
        {"category": "fees"},
    ],
)
def test_bad_complaint_input_is_422_problem(ctx, body):
    r = ctx["client"].post("/api/v1/complaints", json=body, headers=ctx["b1"])
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
