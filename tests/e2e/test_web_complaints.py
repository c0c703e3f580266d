"""Complaint pages: a borrower files with evidence and follows the clock; staff see the queue with SLA
timers and act on it; a borrower cannot open another borrower's complaint page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_testing import add_borrower_row, add_staff, borrower_session, make_app, staff_token

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def ctx(engine, clock):
    app = make_app(engine, clock)
    add_staff(app, "sup", "supervisor")
    b1 = add_borrower_row(engine, now=clock())
    b2 = add_borrower_row(engine, now=clock())
    with TestClient(app) as client:
        yield {
            "client": client,
            "b1": borrower_session(app, b1),
            "b2": borrower_session(app, b2),
            "sup": staff_token(client, "sup"),
        }


def _file(ctx, who="b1", files=None):
    return ctx["client"].post(
        "/portal/complaints",
        headers=ctx[who],
        follow_redirects=False,
        data={"category": "third_party_contact", "text": "他们打电话给我的同事，说我欠钱不还。"},
        files=files or [("evidence", ("call.png", PNG, "image/png"))],
    )


def test_borrower_files_with_evidence_and_sees_the_clock(ctx):
    r = _file(ctx)
    assert r.status_code == 303
    page = ctx["client"].get(r.headers["location"], headers={**ctx["b1"], "accept-language": "zh-CN"})
    assert page.status_code == 200
    assert "剩余 15 天" in page.text and "call.png" in page.text and "联系了我的家人、朋友或单位" in page.text


def test_evidence_that_lies_about_its_type_is_refused(ctx):
    r = _file(ctx, files=[("evidence", ("x.png", b"MZ\x90\x00 not a png", "image/png"))])
    assert r.status_code == 422 and "content is not image/png" in r.text


def test_other_borrowers_complaint_page_is_404(ctx):
    location = _file(ctx, "b1").headers["location"]
    r = ctx["client"].get(location, headers={**ctx["b2"], "accept": "text/html"})
    assert r.status_code == 404
    assert "他们打电话" not in r.text


def test_staff_queue_shows_timer_and_decision_stops_it(ctx, clock):
    location = _file(ctx).headers["location"]
    cid = location.rsplit("/", 1)[1]
    clock.advance(days=13)
    sup = staff_token(ctx["client"], "sup")
    queue = ctx["client"].get("/console/complaints", headers={**sup, "accept-language": "en"})
    assert queue.status_code == 200 and "2 days left" in queue.text
    r = ctx["client"].post(
        f"/console/complaints/{cid}/decide",
        headers=sup,
        follow_redirects=False,
        data={"text": "We upheld the complaint and stopped that agency."},
    )
    assert r.status_code == 303
    page = ctx["client"].get(f"/console/complaints/{cid}", headers={**sup, "accept-language": "en"})
    assert "decided" in page.text and "We upheld" in page.text
    queue = ctx["client"].get("/console/complaints", headers={**sup, "accept-language": "en"})
    assert "No open complaints." in queue.text


def test_agent_escalates_and_the_queue_shows_it(ctx, engine, clock):
    from web_testing import add_staff, staff_token

    location = _file(ctx).headers["location"]
    cid = location.rsplit("/", 1)[1]
    client = ctx["client"]
    add_staff(client.app, "ag", "agent")
    agent = staff_token(client, "ag")
    assert client.post(f"/console/complaints/{cid}/escalate", headers=agent, data={"text": ""}).status_code == 422
    r = client.post(
        f"/console/complaints/{cid}/escalate",
        headers=agent,
        follow_redirects=False,
        data={"text": "borrower says calls continue at night"},
    )
    assert r.status_code == 303
    queue = client.get("/console/complaints", headers={**agent, "accept-language": "en"})
    assert 'class="tag bad escalated"' in queue.text
    ctx["sup"] = staff_token(client, "sup")
    client.post(f"/console/complaints/{cid}/take", headers=ctx["sup"])
    queue = client.get("/console/complaints", headers={**agent, "accept-language": "en"})
    assert 'escalated"' not in queue.text
