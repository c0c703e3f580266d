"""The compliance dashboard counts what the decision log and complaints hold: denials by category and
rule, daily volumes, complaints by age; agents cannot open it."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from web_testing import add_staff, make_app, staff_token


def _deny(rule: str, category: str):
    def decide(request):
        return {
            "allowed": False,
            "jurisdiction": "CN",
            "pack": "test",
            "warnings": [],
            "next_allowed_at": None,
            "violations": [{"rule": rule, "category": category, "reason_en": "no", "reason_zh": "否", "evidence": {}}],
        }

    return decide


def _allow(request):
    return {
        "allowed": True,
        "jurisdiction": "CN",
        "pack": "test",
        "violations": [],
        "warnings": [],
        "next_allowed_at": None,
    }


def _contact(app, decide, text="【示例】请还款。"):
    from fairdue.service.contact.enforcement import OutgoingMessage, request_contact

    request = {
        "jurisdiction": "CN",
        "at": "2026-01-15T02:00:00Z",
        "channel": "sms",
        "purpose": "collection",
        "debt": {"id": "L1"},
        "recipient": {"role": "borrower", "address": "+8613800138000", "source": "contract"},
        "message": {"language": "zh", "text": text},
    }
    with app.state.core.uow_factory() as uow:
        request_contact(
            uow,
            gate_request=request,
            decide=decide,
            cipher=app.state.cipher,
            message=OutgoingMessage(channel="sms", recipient_address="+8613800138000", language="zh", text=text),
        )


@pytest.fixture
def ctx(engine, clock):
    app = make_app(engine, clock)
    add_staff(app, "comp", "compliance")
    add_staff(app, "ag", "agent")
    with TestClient(app) as client:
        yield app, client


def test_dashboard_counts_denials_by_category_and_rule(ctx, clock):
    from fairdue.service.portal import complaints

    app, client = ctx
    _contact(app, _deny("CN.CBA2026.hours", "time_window"))
    _contact(app, _deny("CN.CBA2026.hours", "time_window"))
    _contact(app, _deny("CN.content.threat", "content"))
    _contact(app, _allow)
    with app.state.core.uow_factory() as uow:
        complaints.file_complaint(
            uow,
            borrower_id="1",
            jurisdiction="CN",
            category="fees",
            text="the late fee is higher than the contract says",
            now=clock(),
        )
        uow.commit()
    clock.advance(days=20)
    r = client.get("/console/dashboard", headers={**staff_token(client, "comp"), "accept-language": "en"})
    assert r.status_code == 200
    html = r.text
    assert re.search(r'id="n-decisions">4<', html) and re.search(r'id="n-denied">3<', html)
    data = json.loads(re.search(r'<script type="application/json" id="chart-data">(.*?)</script>', html, re.S).group(1))
    charts = {c["canvas"]: c for c in data["charts"]}
    assert dict(
        zip(charts["chart-category"]["labels"], charts["chart-category"]["datasets"][0]["data"], strict=True)
    ) == {
        "time window": 2,
        "content": 1,
    }
    assert dict(zip(charts["chart-rule"]["labels"], charts["chart-rule"]["datasets"][0]["data"], strict=True)) == {
        "CN.CBA2026.hours": 2,
        "CN.content.threat": 1,
    }
    assert sum(charts["chart-volume"]["datasets"][0]["data"]) == 1
    assert sum(charts["chart-volume"]["datasets"][1]["data"]) == 3
    ages = dict(zip(charts["chart-age"]["labels"], charts["chart-age"]["datasets"][0]["data"], strict=True))
    assert ages["16-30 days"] == 1 and "1 overdue" in html


def test_agent_cannot_open_the_dashboard(ctx):
    _, client = ctx
    r = client.get("/console/dashboard", headers=staff_token(client, "ag"))
    assert r.status_code == 403
