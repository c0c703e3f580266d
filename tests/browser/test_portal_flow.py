"""A borrower in a real browser logs in with a one-time code, reads "if I'm late" and the contact log,
asks for a repayment plan and files a complaint — the portal's promise, end to end."""

from __future__ import annotations

import pytest
from web_testing import LAWFUL_CN_TEXT, gate_contact, seed_portal_borrower

PHONE = "+8613800138000"


@pytest.fixture
def borrower_app(web_app):
    """The portal app with a seeded borrower, two gate decisions in the log, and the phone's inbox."""
    from fairdue.web import wiring

    inbox: list[str] = []

    def deliver(uow, borrower_id, e164, code):
        wiring.deliver_code(web_app, uow, borrower_id, e164, code)  # the real path: gate, log, outbox
        inbox.append(code)  # ...and the phone receives it

    web_app.state.deliver_code = deliver
    seeded = seed_portal_borrower(web_app, name="张伟", mobile=PHONE)
    gate_contact(web_app, debt_id=seeded["debt_id"], address=PHONE, text=LAWFUL_CN_TEXT)
    gate_contact(
        web_app,
        debt_id=seeded["debt_id"],
        address="+8613700137000",
        text=LAWFUL_CN_TEXT,
        role="third_party",
        source="device_contacts",
    )
    web_app.state.inbox = inbox
    return web_app


@pytest.fixture
def portal_live(borrower_app, live_server):
    with live_server(borrower_app) as live:
        yield live


def test_borrower_portal_flow(page, borrower_app, portal_live, shot):
    live = portal_live
    page.goto(f"{live.url}/portal")
    page.wait_for_url(f"{live.url}/portal/login")
    page.fill("input[name=phone]", "138 0013 8000")
    page.click("#send-code")
    page.wait_for_selector("#code-sent")
    code = borrower_app.state.inbox[-1]
    page.fill("input[name=code]", code)
    page.click("#login")
    page.wait_for_url(f"{live.url}/portal")
    assert "今日应还" in page.inner_text("main")
    assert "年化利率" in page.inner_text("main")
    shot(page, "portal-bill")

    page.click("text=逾期会怎样")
    page.wait_for_selector("#late-answer")
    assert "不会联系您的通讯录联系人" in page.inner_text("#late-answer")
    assert page.locator("#late-never li").count() >= 2
    shot(page, "portal-late-consequences")

    page.click("text=联系记录")
    page.wait_for_selector("#contact-log")
    assert page.locator("#contact-log tr.allowed").count() >= 2  # the lawful SMS and the login code
    assert page.locator("#contact-log tr.denied").count() == 1  # the address-book number, blocked
    assert "13700137000" not in page.inner_text("#contact-log")
    shot(page, "portal-contact-log")

    page.click("text=协商还款")
    page.fill("input[name=income]", "6000")
    page.fill("input[name=expenses]", "4500")
    page.click("#see-plans")
    page.wait_for_selector("#proposals")
    shot(page, "portal-plan-proposals")
    page.click("button.accept-plan[data-periods='12']")
    page.wait_for_selector("#plan-requested")

    page.click("text=投诉")
    page.select_option("select[name=category]", "contact_time")
    page.fill("textarea[name=text]", "晚上十点还有人打电话催我还款，请核查。")
    page.click("#complaint-form button[type=submit]")
    page.wait_for_selector("#complaint-status")
    assert "剩余 15 天" in page.inner_text("#complaint-status")
    shot(page, "portal-complaint")
