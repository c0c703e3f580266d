"""An agent in a real browser cannot send a threatening message (the gate's reasons show inline and
the send button stays disabled) and can send a lawful one."""

from __future__ import annotations

import pytest

from fairdue.web.testing import STAFF_PASSWORD

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


def test_threatening_message_is_blocked_and_lawful_one_is_sent(page, live, shot):
    _login(page, live)
    page.goto(f"{live.url}/console/compose?template=cn_overdue_zh&address=%2B8613800138000")
    page.wait_for_selector("#verdict-box")
    page.fill("#at_local", "2026-01-15T10:00")

    page.fill("#text", THREAT)
    page.wait_for_selector("#verdict-box[data-allowed=false]")
    violations = page.inner_text("#verdict-box .violations")
    assert violations.strip()
    assert page.is_disabled("#send")
    shot(page, "console-compose-denied")

    page.select_option("select[name=template]", "cn_overdue_zh")
    page.wait_for_selector("#verdict-box")
    page.fill("#address", "+8613800138000")
    page.fill("#at_local", "2026-01-15T10:00")
    page.wait_for_selector("#verdict-box[data-allowed=true]")
    assert page.is_enabled("#send")
    shot(page, "console-compose-allowed")
    page.click("#send")
    page.wait_for_selector("#sent-ok, #sent-refused, .problem")
    shot(page, "console-compose-sent")
    assert page.locator("#sent-ok").count() == 1, page.inner_text("#sent")
