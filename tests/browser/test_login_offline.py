"""Staff log in through a real browser, and the pages load everything from our own server:
no request leaves 127.0.0.1 (vendored htmx/Chart.js, no CDN)."""

from __future__ import annotations

from urllib.parse import urlsplit

from web_testing import STAFF_PASSWORD


def test_staff_login_in_browser_and_no_outside_requests(page, live, shot):
    hosts: set[str] = set()
    page.on("request", lambda req: hosts.add(urlsplit(req.url).hostname or ""))
    page.goto(f"{live.url}/console")
    page.wait_for_url(f"{live.url}/console/login")
    assert page.inner_text("h1") == "员工登录"
    page.fill("input[name=username]", "agent1")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text(".problem")
    page.fill("input[name=username]", "agent1")
    page.fill("input[name=password]", STAFF_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live.url}/console")
    assert "王敏" in page.inner_text("header")
    assert page.evaluate("typeof window.htmx") == "object"
    shot(page, "console-home")
    page.click("text=English")
    page.wait_for_selector("html[lang=en]")
    assert page.inner_text("h1") == "Console"
    assert hosts == {"127.0.0.1"}
