"""The borrower portal shows the bill, the true APR of each plan, what is owed today, the late-fee rules and
the contact log from the decision log — and every borrower route refuses another borrower's data."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_testing import (
    LAWFUL_CN_TEXT,
    borrower_session,
    gate_contact,
    make_app,
    seed_portal_borrower,
)


@pytest.fixture
def ctx(engine, clock):
    app = make_app(engine, clock)
    one = seed_portal_borrower(app, name="张伟", mobile="+8613800138000", sequence=1, plan="12")
    two = seed_portal_borrower(app, name="李娜", mobile="+8613900139000", sequence=2, plan="3")
    with TestClient(app) as client:
        yield {
            "app": app,
            "client": client,
            "one": one,
            "two": two,
            "h1": {**borrower_session(app, one["borrower_id"]), "accept-language": "zh-CN"},
            "h2": borrower_session(app, two["borrower_id"]),
        }


def test_bill_shows_plan_apr_and_amount_due(ctx):
    r = ctx["client"].get("/portal", headers=ctx["h1"])
    assert r.status_code == 200
    assert "年化利率" in r.text and "%" in r.text
    assert "今日应还" in r.text and "下期应还" in r.text and "账单" in r.text
    assert "李娜" not in r.text


def test_plan_apr_matches_loanmath_for_the_stored_schedule(ctx):
    from fairdue.service.portal import lines as portal

    with ctx["app"].state.core.uow_factory() as uow:
        (plan,) = portal.plans_of_line(uow, ctx["one"]["line_id"], "CN")
    assert plan.periods == 12 and plan.convention == "cn-irr"
    # The flows the borrower actually faces: 3000.00 advanced on the purchase day, each installment on its
    # due date. The first period is longer than a month with one month's interest, so the true rate sits
    # just under the nominal 12 x 1.25% = 15%.
    from decimal import Decimal

    from fairdue.loanmath import apr

    flows = [(i.due_on, Decimal(i.total_minor) / 100) for i in plan.installments]
    assert plan.apr == apr([(plan.start_on, Decimal("3000.00"))], flows, "cn-irr")
    assert Decimal("0.12") < plan.apr < Decimal("0.15")


def test_late_page_explains_fee_and_never_contacts_address_book(ctx):
    r = ctx["client"].get("/portal/late", headers=ctx["h1"])
    assert r.status_code == 200
    assert "我们不会联系您的通讯录联系人" in r.text
    assert "5.0%" in r.text or "5%" in r.text  # the product's 500 bps
    assert "08:00" in r.text and "21:00" in r.text  # the pack's window
    assert "通讯录" in r.text and "12378" in r.text


def test_contact_log_lists_allowed_and_blocked_with_reasons(ctx):
    app, one = ctx["app"], ctx["one"]
    ok = gate_contact(app, debt_id=one["debt_id"], address="+8613800138000", text=LAWFUL_CN_TEXT)
    blocked = gate_contact(
        app,
        debt_id=one["debt_id"],
        address="+8613700137000",
        text=LAWFUL_CN_TEXT,
        role="third_party",
        source="device_contacts",
    )
    assert ok.allowed and not blocked.allowed
    r = ctx["client"].get("/portal/contacts", headers=ctx["h1"])
    assert r.status_code == 200
    assert r.text.count('class="allowed"') == 1 and r.text.count('class="denied"') == 1
    assert "已阻止" in r.text and "138****8000" in r.text
    assert "13700137000" not in r.text  # the blocked number is shown masked only
    other = ctx["client"].get("/portal/contacts", headers=ctx["h2"])
    assert "没有任何关于您债务的联系" in other.text


BORROWER_ROUTES = [
    "/portal",
    "/portal/late",
    "/portal/contacts",
    "/portal/complaints",
    "/portal/plan",
    "/portal/data",
    "/portal/data/export.json",
]


@pytest.mark.parametrize("path", BORROWER_ROUTES)
def test_borrower_routes_need_a_borrower(ctx, path):
    assert ctx["client"].get(path, headers={"accept": "text/html"}, follow_redirects=False).status_code == 303
    assert ctx["client"].get(path, headers={"accept": "application/json"}).status_code == 401


def test_plan_request_proposes_affordable_plans_with_apr_and_records_the_choice(ctx):
    c = ctx["client"]
    form = {"line_id": str(ctx["one"]["line_id"]), "income": "6000", "expenses": "4500"}
    r = c.post("/portal/plan/proposals", data=form, headers=ctx["h1"])
    assert r.status_code == 200 and 'id="proposals"' in r.text and "0.00%" in r.text
    r = c.post("/portal/plan/requests", data={**form, "periods": "12"}, headers=ctx["h1"], follow_redirects=False)
    assert r.status_code == 303
    page = c.get(r.headers["location"], headers=ctx["h1"])
    assert 'id="plan-requested"' in page.text and "12 个月" in page.text


def test_plan_for_another_borrowers_line_is_404(ctx):
    form = {"line_id": str(ctx["two"]["line_id"]), "income": "6000", "expenses": "4500"}
    assert ctx["client"].post("/portal/plan/proposals", data=form, headers=ctx["h1"]).status_code == 404
    r = ctx["client"].post("/portal/plan/requests", data={**form, "periods": "3"}, headers=ctx["h1"])
    assert r.status_code == 404


def test_plan_with_bad_amount_is_a_clear_error(ctx):
    form = {"line_id": str(ctx["one"]["line_id"]), "income": "12.345", "expenses": "1"}
    r = ctx["client"].post("/portal/plan/proposals", data=form, headers=ctx["h1"])
    assert r.status_code == 422 and 'class="problem"' in r.text


def _add_contact(ctx, mobile="+8613600136000"):
    return ctx["client"].post(
        "/portal/data/emergency-contacts",
        headers=ctx["h1"],
        follow_redirects=False,
        data={"name": "王芳", "mobile": mobile, "relationship": "spouse", "consent": "yes"},
    )


def test_data_export_is_my_data_only(ctx):
    r = ctx["client"].get("/portal/data/export.json", headers=ctx["h1"])
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    assert "attachment" in r.headers["content-disposition"]
    body = r.json()
    assert body["profile"]["name"] == "张伟"
    assert [a["id"] for a in body["accounts"]] == [ctx["one"]["line_id"]]
    assert "李娜" not in r.text and "13900139000" not in r.text


def test_deletion_request_states_the_retention_limits(ctx):
    page = ctx["client"].get("/portal/data", headers=ctx["h1"])
    assert "催收记录至少保存 2 年" in page.text
    r = ctx["client"].post(
        "/portal/data/requests",
        headers=ctx["h1"],
        follow_redirects=False,
        data={"kind": "deletion", "reason": "account closed"},
    )
    assert r.status_code == 303
    body = ctx["client"].get("/portal/data/export.json", headers=ctx["h1"]).json()
    (deletion,) = [d for d in body["data_rights_requests"] if d["kind"] == "deletion"]
    assert "collection_records_2y" in deletion["details"]["restricted_by_retention"]


def test_emergency_contact_consent_can_be_withdrawn_and_erases_the_number(ctx):
    assert _add_contact(ctx).status_code == 303
    (contact,) = ctx["client"].get("/portal/data/export.json", headers=ctx["h1"]).json()["emergency_contacts"]
    r = ctx["client"].post(
        f"/portal/data/emergency-contacts/{contact['id']}/withdraw", headers=ctx["h1"], follow_redirects=False
    )
    assert r.status_code == 303
    (contact,) = ctx["client"].get("/portal/data/export.json", headers=ctx["h1"]).json()["emergency_contacts"]
    assert contact["consent_withdrawn_at"] and contact["mobile"] is None and contact["name"] is None


def test_withdrawing_another_borrowers_contact_is_404(ctx):
    _add_contact(ctx)
    (contact,) = ctx["client"].get("/portal/data/export.json", headers=ctx["h1"]).json()["emergency_contacts"]
    r = ctx["client"].post(f"/portal/data/emergency-contacts/{contact['id']}/withdraw", headers=ctx["h2"])
    assert r.status_code == 404
    (again,) = ctx["client"].get("/portal/data/export.json", headers=ctx["h1"]).json()["emergency_contacts"]
    assert again["consent_withdrawn_at"] is None


def test_complaint_of_another_borrower_is_404_on_every_route(ctx):
    r = ctx["client"].post(
        "/api/v1/complaints",
        headers=ctx["h2"],
        json={"category": "fees", "text": "the fee on my bill looks wrong to me"},
    )
    cid = r.json()["id"]
    assert ctx["client"].get(f"/portal/complaints/{cid}", headers=ctx["h1"]).status_code == 404
    assert ctx["client"].get(f"/api/v1/complaints/{cid}", headers=ctx["h1"]).status_code == 404
