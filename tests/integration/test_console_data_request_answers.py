"""Staff answer borrowers' data-rights requests in the console (agents see the queue but cannot answer), ending
a named contact fact answers its request as done in the same transaction, and the borrower sees every request's
state and, once answered, the outcome, date and note — in zh and en, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import add_staff, borrower_session, make_app, seed_portal_borrower, staff_token

from fairdue.adapters.db.schema.contact_facts import contact_facts

UTC = dt.UTC
START = dt.datetime(2026, 2, 2, 2, 0, tzinfo=UTC)


@pytest.fixture
def ctx(engine, clock):
    from fairdue.service.contact.facts import record_fact

    clock.set(START)
    app = make_app(engine, clock)
    one = seed_portal_borrower(app, name="张伟", mobile="+8613800138000", sequence=1, plan="12")
    two = seed_portal_borrower(app, name="李娜", mobile="+8613900139000", sequence=2, plan="3")
    add_staff(app, "ag", "agent")
    add_staff(app, "comp", "compliance", display_name="Compliance Zhao")
    add_staff(app, "sup", "supervisor")
    with app.state.core.uow_factory() as uow:
        attorney = record_fact(
            uow,
            borrower_id=int(one["borrower_id"]),
            kind="attorney",
            source="attorney_notice",
            recorded_by="agent.li",
            attorney_name="王大律师",
            attorney_contact="+862155550100",
            cipher=app.state.cipher,
            effective_from=dt.datetime(2026, 1, 20, tzinfo=UTC),
        )
        uow.commit()
    with TestClient(app) as client:
        yield {
            "app": app,
            "client": client,
            "engine": engine,
            "clock": clock,
            "one": one,
            "two": two,
            "attorney": attorney,
            "h1": {**borrower_session(app, one["borrower_id"]), "Accept-Language": "en"},
            "h2": {**borrower_session(app, two["borrower_id"]), "Accept-Language": "en"},
            "ag": {**staff_token(client, "ag"), "Accept-Language": "en"},
            "comp": {**staff_token(client, "comp"), "Accept-Language": "en"},
            "sup": {**staff_token(client, "sup"), "Accept-Language": "en"},
        }


def _advance_to(ctx, at: dt.datetime) -> None:
    """Move the clock; sessions last 8 hours, so everyone logs in again."""
    ctx["clock"].set(at)
    ctx["h1"] = {**borrower_session(ctx["app"], ctx["one"]["borrower_id"]), "Accept-Language": "en"}
    ctx["h2"] = {**borrower_session(ctx["app"], ctx["two"]["borrower_id"]), "Accept-Language": "en"}
    for name in ("ag", "comp", "sup"):
        ctx[name] = {**staff_token(ctx["client"], name), "Accept-Language": "en"}


def _rows(engine) -> list:
    """(id, status, decided_at, decided_by, note) of every request, oldest first."""
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT id, status, decided_at, decided_by, outcome FROM data_rights_requests ORDER BY id")
        ).all()


def _delete(ctx, headers, reason="please erase my old address") -> int:
    r = ctx["client"].post(
        "/portal/data/requests", headers=headers, follow_redirects=False, data={"kind": "deletion", "reason": reason}
    )
    assert r.status_code == 303
    return _rows(ctx["engine"])[-1].id


def _ask_end(ctx) -> int:
    r = ctx["client"].post(
        "/portal/data/requests",
        headers=ctx["h1"],
        follow_redirects=False,
        data={
            "kind": "correction",
            "field": "other",
            "value": "I no longer have a lawyer",
            "reason": "since March",
            "fact_id": str(ctx["attorney"]),
            "ask": "end",
        },
    )
    assert r.status_code == 303
    return _rows(ctx["engine"])[-1].id


def _my_row(page: str, rid: int) -> str:
    return page.split('id="data-requests"')[1].split(f'data-request="{rid}"')[1].split("</tr>")[0]


def _answer(ctx, who, rid, outcome, note=""):
    return ctx["client"].post(
        f"/console/data-requests/{rid}/answer",
        headers=ctx[who],
        follow_redirects=False,
        data={"outcome": outcome, "note": note},
    )


def test_staff_answer_and_the_borrower_sees_the_answer(ctx):
    rid = _delete(ctx, ctx["h1"])
    c = ctx["client"]
    before = _my_row(c.get("/portal/data", headers=ctx["h1"]).text, rid)
    assert "received" in before and "we answer by 2026-02-17" in before  # the lender's 15 days
    assert "our own commitment, since the law sets no number of days" in c.get("/portal/data", headers=ctx["h1"]).text
    queue = c.get("/console/data-requests", headers=ctx["comp"]).text
    assert f'action="/console/data-requests/{rid}/answer"' in queue
    _advance_to(ctx, START + dt.timedelta(days=3))
    note = "Your address stays in the 2-year collection record (card rules Art. 68); nothing else is held."
    r = _answer(ctx, "comp", rid, "refused", note)
    assert r.status_code == 303 and r.headers["location"] == f"/console/data-requests?answered={rid}"
    ((_, status, decided_at, by, stored),) = _rows(ctx["engine"])
    assert (status, by, stored) == ("refused", "comp", note)
    assert decided_at is not None  # the answer is dated (an unanswered request has none)
    after = c.get(r.headers["location"], headers=ctx["comp"]).text
    assert f"Request #{rid} answered" in after
    assert f'data-request="{rid}"' not in after.split('id="drq-open"')[1].split("</tbody>")[0]  # left the queue
    done_row = after.split('id="drq-answered-list"')[1].split(f'data-request="{rid}"')[1].split("</tr>")[0]
    assert "refused (with reasons)" in done_row and "2026-02-05" in done_row and "by comp" in done_row
    mine = _my_row(c.get("/portal/data", headers=ctx["h1"]).text, rid)
    assert "refused (with reasons) on 2026-02-05" in mine and "card rules Art. 68" in mine
    assert "we answer by" not in mine
    zh = _my_row(c.get("/portal/data", headers={**ctx["h1"], "Accept-Language": "zh-CN"}).text, rid)
    assert "已拒绝（附理由）" in zh and "2026-02-05" in zh and "card rules Art. 68" in zh
    assert "card rules Art. 68" not in c.get("/portal/data", headers=ctx["h2"]).text  # not another borrower's


def test_a_supervisor_answers_done_without_a_note(ctx):
    rid = _delete(ctx, ctx["h1"])
    assert _answer(ctx, "sup", rid, "done").status_code == 303
    assert _rows(ctx["engine"])[0][1::2] == ("done", "sup")
    mine = _my_row(ctx["client"].get("/portal/data", headers=ctx["h1"]).text, rid)
    assert "done on 2026-02-02" in mine and "answer-note" not in mine


def test_an_agent_sees_the_queue_but_cannot_answer(ctx):
    rid = _delete(ctx, ctx["h1"])
    page = ctx["client"].get("/console/data-requests", headers=ctx["ag"])
    assert page.status_code == 200 and f'data-request="{rid}"' in page.text
    assert "/answer" not in page.text and "A supervisor, compliance officer or admin answers." in page.text
    for outcome, note in (("done", ""), ("refused", "no")):
        assert _answer(ctx, "ag", rid, outcome, note).status_code == 403
    assert _rows(ctx["engine"])[0][1:] == ("received", None, None, None)


def test_bad_answers_are_refused_and_write_nothing(ctx):
    rid = _delete(ctx, ctx["h1"])
    r = _answer(ctx, "comp", rid, "refused", "   ")
    assert r.status_code == 422 and "a refused answer must give the borrower its reason" in r.text
    assert f'data-request="{rid}"' in r.text  # the queue is shown again
    r = _answer(ctx, "comp", rid, "approved", "x")
    assert r.status_code == 422 and "unknown outcome" in r.text
    assert _answer(ctx, "comp", 999_999, "done").status_code == 404
    assert _rows(ctx["engine"])[0][1:] == ("received", None, None, None)
    assert _answer(ctx, "comp", rid, "done", "erased").status_code == 303
    r = _answer(ctx, "sup", rid, "refused", "changed my mind")
    assert r.status_code == 409 and "answered already (done)" in r.text
    assert _rows(ctx["engine"])[0][1::2] == ("done", "comp")


def test_ending_the_named_fact_answers_its_request_as_done(ctx):
    rid = _ask_end(ctx)
    other = _delete(ctx, ctx["h1"])
    c = ctx["client"]
    # A failing end (no reason) ends nothing and answers nothing.
    assert (
        c.post(f"/console/data-requests/{rid}/end-fact", headers=ctx["comp"], data={"reason": " "}).status_code == 422
    )
    assert _rows(ctx["engine"])[0][1] == "received"
    _advance_to(ctx, START + dt.timedelta(days=1))
    r = c.post(
        f"/console/data-requests/{rid}/end-fact",
        headers=ctx["comp"],
        follow_redirects=False,
        data={"reason": "attorney's letter of 2026-02-01"},
    )
    assert r.status_code == 303
    answered, untouched = _rows(ctx["engine"])
    assert answered[0] == rid and answered[1::2] == ("done", "comp")
    assert answered[4] == "attorney's letter of 2026-02-01" and untouched[1] == "received" and untouched[0] == other
    with ctx["engine"].connect() as conn:
        fact = conn.execute(sa.select(contact_facts).where(contact_facts.c.id == ctx["attorney"])).one()
    assert fact.ended_by == "comp" and fact.ended_at is not None
    page = c.get(r.headers["location"], headers=ctx["comp"]).text
    assert f'data-request="{rid}"' not in page.split('id="drq-open"')[1].split("</tbody>")[0]
    row = page.split('id="drq-answered-list"')[1].split(f'data-request="{rid}"')[1].split("</tr>")[0]
    assert "ended 2026-02-03" in row and "done" in row and "by comp" in row
    mine = _my_row(c.get("/portal/data", headers=ctx["h1"]).text, rid)
    assert "done on 2026-02-03" in mine and "attorney&#39;s letter of 2026-02-01" in mine
    assert (
        c.post(f"/console/data-requests/{rid}/end-fact", headers=ctx["comp"], data={"reason": "again"}).status_code
        == 409
    )
    assert _answer(ctx, "comp", rid, "refused", "late").status_code == 409
