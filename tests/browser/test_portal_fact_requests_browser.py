"""In a real browser: a borrower sees the contact facts held about them (attorney masked), asks staff to end
one and states inconvenient hours; compliance sees which fact the request names and ends it; and on the case
page an agent sees a logged call's outcome on the call's own row."""

from __future__ import annotations

import datetime as dt

import pytest
from web_testing import STAFF_PASSWORD, add_staff, borrower_session, seed_portal_borrower

NOW = dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


def _staff_login(page, live, username):
    page.goto(f"{live.url}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/console")


def _borrower_cookie(page, app, live, borrower_id):
    from fairdue.web.auth import DEV_SESSION_COOKIE as SESSION_COOKIE  # the live server runs with dev_http

    token = borrower_session(app, borrower_id)["Authorization"].removeprefix("Bearer ")
    page.context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live.url}])


@pytest.fixture
def facts_app(web_app, clock):
    from fairdue.service.contact.facts import record_fact

    clock.set(NOW)
    add_staff(web_app, "comp1", "compliance", display_name="赵合规")
    one = seed_portal_borrower(web_app, name="张伟", mobile="+8613800138000", sequence=1)
    with web_app.state.core.uow_factory() as uow:
        attorney = record_fact(
            uow,
            borrower_id=int(one["borrower_id"]),
            kind="attorney",
            source="attorney_notice",
            recorded_by="agent1",
            attorney_name="王大律师",
            attorney_contact="+862155550100",
            cipher=web_app.state.cipher,
            effective_from=dt.datetime(2026, 1, 20, tzinfo=dt.UTC),
        )
        uow.commit()
    web_app.state.test_ids = {"borrower": one["borrower_id"], "attorney": attorney}
    return web_app


def test_borrower_asks_to_end_a_fact_and_compliance_ends_it(page, facts_app, live_server, shot):
    ids = facts_app.state.test_ids
    with live_server(facts_app) as live:
        _borrower_cookie(page, facts_app, live, ids["borrower"])
        page.goto(f"{live.url}/portal/data")
        row = page.locator(f"#contact-facts tr[data-fact='{ids['attorney']}']")
        assert "已委托律师" in row.inner_text() and "律师通知" in row.inner_text()
        assert "王大律师" not in page.inner_text("main") and "55550100" not in page.inner_text("main")
        page.click("#fact-request summary")
        page.select_option("#fact-request-form select[name=fact_id]", str(ids["attorney"]))
        page.check("#fact-request-form input[name=ask][value=end]")
        page.fill("#fact-request-form input[name=value]", "我已不再委托律师")
        page.click("#fact-request-form button[type=submit]")
        page.wait_for_selector("#data-done")
        assert "终止申请" in page.inner_text("#data-done")
        assert f"涉及记录 #{ids['attorney']}" in page.inner_text("#data-requests")
        assert "生效中" in page.locator(f"#contact-facts tr[data-fact='{ids['attorney']}']").inner_text()

        page.click("#hours summary")
        page.fill("#hours-form input[name=start]", "12:00")
        page.fill("#hours-form input[name=end]", "13:30")
        page.click("#hours-form button[type=submit]")
        page.wait_for_selector("#data-done")
        assert "12:00–13:30" in page.inner_text("#contact-facts")
        shot(page, "portal-data-contact-facts")

        page.context.clear_cookies()
        _staff_login(page, live, "comp1")
        page.click("text=数据权利申请")
        row = page.locator(f"#data-request-queue tr[data-fact='{ids['attorney']}']")
        assert "已委托律师" in row.inner_text() and "内容已隐藏" in row.inner_text()
        assert "我已不再委托律师" not in row.inner_text()  # the correction's value: only via a logged reveal (issue 16)
        row.locator("input[name=reason]").fill("律师来函确认解除委托")
        row.locator("form.end-fact button").click()
        page.wait_for_selector("#drq-done")
        assert f"记录 #{ids['attorney']} 已终止" in page.inner_text("#drq-done")
        assert "comp1" in page.locator(f"#data-request-queue tr[data-fact='{ids['attorney']}']").inner_text()
        shot(page, "console-data-requests-fact-ended")


@pytest.fixture
def case_app(engine, clock):
    """One CN line overdue since 01-30 (day-end run), a case with a call task for agent1."""
    from web_testing import make_app, seed_overdue_case

    app = make_app(engine, clock)
    agent = add_staff(app, "agent1", "agent", display_name="王敏")
    line = seed_overdue_case(app, agents=(agent,), now=NOW, key="browser-o")
    clock.set(NOW + dt.timedelta(minutes=3))
    app.state.test_line = line
    return app


def test_a_logged_call_outcome_shows_on_the_case_page(page, case_app, live_server, shot):
    with live_server(case_app) as live:
        _staff_login(page, live, "agent1")
        page.goto(f"{live.url}/console/accounts/{case_app.state.test_line}/case")
        page.wait_for_selector("#case-actions")
        assert page.locator("#case-actions .call-outcome").count() == 0
        page.locator("#case-actions a.task-link").first.click()
        page.wait_for_selector("#judge")
        page.click("#judge")
        page.wait_for_selector("#call-verdict[data-allowed=true]")
        page.check("input[name=outcome][value=no_answer]")
        page.click("#outcome-form button[type=submit]")
        page.wait_for_selector("#case-actions")
        outcome = page.locator("#case-actions .call-outcome[data-outcome=no_answer]")
        assert outcome.count() == 1
        text = outcome.inner_text()
        assert "王敏" in text and "2026-02-02 10:03" in text
        shot(page, "console-case-call-outcome-inline")
