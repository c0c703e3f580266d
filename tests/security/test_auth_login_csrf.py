"""Login CSRF (issue 16, ASVS 4.0 V3.5.3 / V4.2.2): a login form posted from another site would sign the
victim in as the attacker, so every login route refuses a post the browser says came from elsewhere
(Sec-Fetch-Site, or else Origin) and still accepts its own site's posts and non-browser clients."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_testing import STAFF_PASSWORD, add_staff, make_app, register_cn_borrower

PHONE = "+8613800138000"
CROSS_SITE = [
    pytest.param({"sec-fetch-site": "cross-site"}, id="sec-fetch-site-cross-site"),
    pytest.param({"sec-fetch-site": "same-site"}, id="sec-fetch-site-same-site"),
    pytest.param({"origin": "https://evil.example"}, id="origin-elsewhere"),
    pytest.param({"origin": "null"}, id="origin-null"),
]
LOGIN_POSTS = [
    pytest.param("/console/login", {"data": {"username": "ada", "password": STAFF_PASSWORD}}, id="console"),
    pytest.param("/portal/login/code", {"data": {"phone": PHONE}}, id="portal-code"),
    pytest.param("/portal/login", {"data": {"phone": PHONE, "code": "123456"}}, id="portal-login"),
    pytest.param("/api/v1/auth/staff/sessions", {"json": {"username": "ada", "password": STAFF_PASSWORD}}, id="api"),
    pytest.param("/api/v1/auth/borrower/codes", {"json": {"phone": PHONE}}, id="api-code"),
]


@pytest.fixture
def client(engine, clock):
    app = make_app(engine, clock)
    app.state.deliver_code = lambda uow, bid, e164, code: None
    add_staff(app, "ada", "agent")
    register_cn_borrower(app, name="张伟", mobile=PHONE)
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("headers", CROSS_SITE)
@pytest.mark.parametrize("path,kwargs", LOGIN_POSTS)
def test_v3_5_3_a_login_posted_from_another_site_is_refused(client, path, kwargs, headers):
    """Refused with 403 and no session cookie; the same post from this site is not refused."""
    r = client.post(path, headers=headers, follow_redirects=False, **kwargs)
    assert r.status_code == 403 and "set-cookie" not in r.headers
    here = {"sec-fetch-site": "same-origin", "origin": "http://testserver"}
    assert client.post(path, headers=here, follow_redirects=False, **kwargs).status_code != 403


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"sec-fetch-site": "same-origin", "origin": "http://testserver"}, id="same-origin"),
        pytest.param({"sec-fetch-site": "none"}, id="typed-or-bookmarked"),
        pytest.param({"origin": "http://testserver"}, id="origin-here"),
        pytest.param({}, id="no-browser-headers"),
    ],
)
def test_v3_5_3_a_cross_site_console_login_fails_but_this_sites_logs_in(client, headers):
    """The refusal is for other sites only: a cross-site post first (refused), then this one (logged in)."""
    evil = client.post(
        "/console/login",
        data={"username": "ada", "password": STAFF_PASSWORD},
        headers={"sec-fetch-site": "cross-site", "origin": "https://evil.example"},
        follow_redirects=False,
    )
    assert evil.status_code == 403
    r = client.post(
        "/console/login",
        data={"username": "ada", "password": STAFF_PASSWORD},
        headers=headers,
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/console"
