"""In a real browser: an agent finds the case in the day-end queue, asks the gate, logs a call with a
promise to pay; a supervisor proposes plans from income and expenses and accepts one, closing the case."""

from __future__ import annotations

import datetime as dt

import pytest
from web_testing import STAFF_PASSWORD

pytest.importorskip("fairdue.policy", reason="policy gate package missing")

MORNING = dt.datetime(2026, 2, 2, 2, 0, tzinfo=dt.UTC)  # 10:00 in Shanghai


@pytest.fixture
def case_app(engine, clock):
    """One CN line overdue since 01-30 (day-end run), a case with a call task for agent1."""
    from web_testing import add_staff, make_app, seed_overdue_case

    app = make_app(engine, clock)
    agent = add_staff(app, "agent1", "agent", display_name="王敏")
    add_staff(app, "sup1", "supervisor", display_name="李强")
    line = seed_overdue_case(app, agents=(agent,), now=MORNING, key="browser")
    clock.set(MORNING + dt.timedelta(minutes=3))
    app.state.test_line = line
    return app


def _login(page, live, username):
    page.goto(f"{live.url}/console/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/console")


def test_agent_logs_a_call_with_a_promise_and_supervisor_accepts_a_plan(page, case_app, live_server, shot):
    line = case_app.state.test_line
    with live_server(case_app) as live:
        _login(page, live, "agent1")
        page.goto(f"{live.url}/console/queue")
        row = page.locator(f"#queue tr[data-line='{line}']")
        assert "M1" in row.inner_text()
        shot(page, "console-queue-dayend")
        row.locator("a.case-link").click()
        page.wait_for_selector("#case-facts")
        assert page.inner_text("#case-bucket") == "M1" and "王敏" in page.inner_text("#case-agent")
        shot(page, "console-case")

        page.locator("#case-actions a.task-link").first.click()
        page.wait_for_selector("#judge")
        page.click("#judge")
        page.wait_for_selector("#call-verdict[data-allowed=true]")
        page.check("input[name=outcome][value=promise]")
        page.fill("#promise-fields input[name=amount]", "12.345")
        page.fill("#promise-fields input[name=promised_on]", "2026-02-10")
        page.click("#log-call")
        page.wait_for_selector("#call-errors")
        assert "小数位数" in page.inner_text("#call-errors")
        shot(page, "console-call-promise-error")
        page.check("input[name=outcome][value=promise]")
        page.fill("#promise-fields input[name=amount]", "1000.10")
        page.fill("#promise-fields input[name=promised_on]", "2026-02-10")
        page.click("#log-call")
        page.wait_for_selector("#case-promises")
        assert "1,000.10 CNY" in page.inner_text("#case-promises")
        assert page.locator("#case-actions tr[data-status=done]").count() >= 1
        shot(page, "console-case-after-call")

        page.click("text=退出")
        page.wait_for_url(f"{live.url}/console/login")
        _login(page, live, "sup1")
        page.goto(f"{live.url}/console/accounts/{line}/plans")
        page.fill("input[name=income]", "6000")
        page.fill("input[name=expenses]", "4500")
        page.click("#propose")
        page.wait_for_selector("#proposals")
        aprs = page.locator("#proposals td.apr").all_inner_texts()
        assert aprs and all(a.endswith("%") for a in aprs)
        shot(page, "console-plan-proposals")
        page.locator("#proposals button.accept-plan").first.click()
        page.wait_for_selector("#case-status")
        assert "已达成还款计划" in page.inner_text("#case-status")
        assert "履行中" in page.inner_text("#case-plans")
        shot(page, "console-case-plan-accepted")
