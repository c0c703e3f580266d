"""An agent in a real browser cannot send a threatening message (the gate's reasons show inline and
the send button stays disabled) and can send a lawful one."""

from __future__ import annotations

import pytest
from web_testing import STAFF_PASSWORD

pytest.importorskip("fairdue.policy", reason="policy gate package missing")
if not hasattr(__import__("fairdue.policy", fromlist=["decide"]), "decide"):
    pytest.skip("fairdue.policy.decide has not landed yet", allow_module_level=True)

THREAT = "你再不还钱，我们就去你单位闹，把你的欠款发给你通讯录里的所有人，公安已立案！"


def _login(page, live):
    page.goto(f"{live.url}/console/login")
    page.fill("input[name=username]", "agent1")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/console")


def test_threatening_message_is_blocked_and_lawful_one_is_sent(page, web_app, live_server, shot):
    from web_testing import seed_portal_borrower

    seeded = seed_portal_borrower(web_app, name="张伟", mobile="+8613800138000")  # overdue since 2025-12
    _assign_open_case(web_app, seeded["line_id"], "agent1")
    with live_server(web_app) as live:
        _compose_threat_then_lawful(page, live, shot, seeded["line_id"])


def _assign_open_case(app, line: int, username: str) -> None:
    """An open collection case of the line assigned to the agent (setup only): since issue 16 an agent composes
    only for accounts whose open case is theirs (tests/security/test_access_case_assignment.py)."""
    import datetime as dt

    import sqlalchemy as sa

    from fairdue.adapters.db.schema.collections_engine import coll_cases
    from fairdue.adapters.db.schema.web import staff_users

    opened = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    with app.state.core.engine.begin() as conn:
        agent = conn.execute(sa.select(staff_users.c.id).where(staff_users.c.username == username)).scalar_one()
        values = {"account_id": line, "opened_on": opened.date(), "opened_at": opened, "bucket": "M1"}
        values |= {"bucket_entered_on": opened.date(), "dpd": 5, "status": "open", "agent_id": agent}
        conn.execute(sa.insert(coll_cases).values(**values))


def _compose_threat_then_lawful(page, live, shot, line_id: int) -> None:
    _login(page, live)
    page.goto(f"{live.url}/console/compose?template=cn_overdue_zh&account={line_id}")
    page.wait_for_selector("#verdict-box")
    page.fill("#at_local", "2026-01-15T10:00")
    # The stored facts the request was built from are shown, read-only: the borrower, from the contract.
    assert page.locator("#stored-facts #fact-role").count() == 1

    page.fill("#text", THREAT)
    page.wait_for_selector("#verdict-box[data-allowed=false]")
    violations = page.inner_text("#verdict-box .violations")
    assert violations.strip()
    assert page.is_disabled("#send")
    shot(page, "console-compose-denied")

    page.select_option("select[name=template]", "cn_overdue_zh")
    page.wait_for_selector("#verdict-box")
    page.fill("#at_local", "2026-01-15T10:00")
    page.wait_for_selector("#verdict-box[data-allowed=true]")
    assert page.is_enabled("#send")
    shot(page, "console-compose-allowed")
    page.click("#send")
    page.wait_for_selector("#sent-ok, #sent-refused, .problem")
    shot(page, "console-compose-sent")
    assert page.locator("#sent-ok").count() == 1, page.inner_text("#sent")


def test_agent_works_the_queue_with_masked_pii_and_compliance_sees_the_dashboard(page, web_app, live_server, shot):
    from web_testing import add_staff, gate_contact, seed_portal_borrower

    seeded = seed_portal_borrower(web_app, name="张伟", mobile="+8613800138000")
    gate_contact(
        web_app,
        debt_id=seeded["debt_id"],
        address="+8613700137000",
        text="你再不还钱就告诉你全家！",
        role="third_party",
        source="device_contacts",
    )
    add_staff(web_app, "comp1", "compliance", display_name="陈静")
    _assign_open_case(web_app, seeded["line_id"], "agent1")
    with live_server(web_app) as live:
        _login(page, live)
        # The queue lists what day-end holds (day-end never ran here: test_console_case_flow covers the queue).
        page.goto(f"{live.url}/console/accounts/{seeded['line_id']}")
        page.wait_for_selector("#masked")
        party = page.inner_text("#party")
        assert "张*" in party and "138****8000" in party and "张伟" not in party
        shot(page, "console-account-masked")
        page.click("text=撰写消息 >> nth=-1")
        page.wait_for_selector("#address-ref")
        page.fill("#at_local", "2026-01-15T10:00")
        page.wait_for_selector("#verdict-box[data-allowed=true]")
        page.click("#send")
        page.wait_for_selector("#sent-ok")
        assert "13800138000" not in page.content()

        page.click("text=退出")
        page.wait_for_url(f"{live.url}/console/login")
        page.fill("input[name=username]", "comp1")
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live.url}/console")
        page.goto(f"{live.url}/console/dashboard")
        page.wait_for_selector("#chart-category[data-drawn=true]")
        assert page.inner_text("#n-denied") == "1"
        shot(page, "console-compliance-dashboard")
