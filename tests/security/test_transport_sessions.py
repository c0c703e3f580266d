"""Issue 16, sessions and transport: the session cookie is `__Host-` and Secure unless the documented development
switch is on, HSTS and `Cache-Control: no-store` are sent, the API docs load only vendored files under the CSP,
logging out revokes whichever token authenticated the request, and staff can list and end their own sessions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from web_testing import STAFF_PASSWORD, TEST_SECRET, add_staff, make_core

from fairdue.adapters.crypto import FieldCipher, Keyring
from fairdue.web.app import WebConfig, create_app
from fairdue.web.auth import DEV_SESSION_COOKIE, SESSION_COOKIE

LOGIN = "/api/v1/auth/staff/sessions"


def _app(engine, clock, *, dev_http: bool):
    app = create_app(
        make_core(engine, clock),
        web_config=WebConfig(secret_key=TEST_SECRET, dev_http=dev_http),
        cipher=FieldCipher(Keyring.generate("test")),
    )
    with app.state.core.uow_factory() as uow:
        known = uow.staff.id_of_username("ada") is not None
    if not known:  # two apps over one database in a test
        add_staff(app, "ada", "agent")
    return app


@pytest.fixture
def secure_client(engine, clock):
    """The app as deployed (no development switch), spoken to over https."""
    with TestClient(_app(engine, clock, dev_http=False), base_url="https://testserver") as client:
        yield client


@pytest.fixture
def dev_client(engine, clock):
    """The app under the development switch for plain HTTP, as the tests and `fairdue demo` run it."""
    with TestClient(_app(engine, clock, dev_http=True)) as client:
        yield client


def _login(client) -> dict:
    r = client.post(LOGIN, json={"username": "ada", "password": STAFF_PASSWORD})
    assert r.status_code == 201, r.text
    return r.json()


def _set_cookie(response) -> str:
    (cookie,) = [v for k, v in response.headers.multi_items() if k.lower() == "set-cookie"]
    return cookie


def test_v3_4_1_session_cookie_is_host_prefixed_secure_and_httponly_by_default(secure_client):
    """ASVS V3.4.1-V3.4.4: `__Host-` name, Secure, HttpOnly, SameSite, Path=/ and no Domain attribute."""
    r = secure_client.post(LOGIN, json={"username": "ada", "password": STAFF_PASSWORD})
    cookie = _set_cookie(r)
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert cookie.startswith(f"{SESSION_COOKIE}=") and SESSION_COOKIE.startswith("__Host-")
    assert {"secure", "httponly", "samesite", "path"} <= attributes and "domain" not in attributes
    assert "path=/" in cookie.lower().replace(" ", "")
    # the cookie authenticates over https (CSRF-free GET)
    assert secure_client.get("/api/v1/auth/me").status_code == 200


def test_v3_4_1_a_cookie_without_the_prefix_is_not_a_session_by_default(secure_client, dev_client):
    """A sibling host can plant a plain `fairdue_session` cookie; the deployed app never reads it."""
    token = _login(secure_client)["token"]
    secure_client.cookies.clear()
    secure_client.cookies.set(DEV_SESSION_COOKIE, token)
    assert secure_client.get("/api/v1/auth/me").status_code == 401


def test_v14_4_5_hsts_by_default_and_not_under_the_development_switch(secure_client, dev_client):
    """ASVS V14.4.5: Strict-Transport-Security on every answer, unless serving plain HTTP on 127.0.0.1."""
    for path in ("/console/login", "/api/v1/openapi.json", "/static/app.css"):
        hsts = secure_client.get(path).headers.get("strict-transport-security", "")
        assert "max-age=31536000" in hsts, path
        assert "strict-transport-security" not in dev_client.get(path).headers


def test_development_switch_drops_secure_and_the_prefix_only(dev_client):
    """The switch (FAIRDUE_DEV_HTTP=1, WebConfig.dev_http) is what keeps http://127.0.0.1 working."""
    r = dev_client.post(LOGIN, json={"username": "ada", "password": STAFF_PASSWORD})
    cookie = _set_cookie(r)
    assert cookie.startswith(f"{DEV_SESSION_COOKIE}=") and "secure" not in cookie.lower()
    assert "httponly" in cookie.lower()
    assert dev_client.get("/api/v1/auth/me").status_code == 200


def test_development_switch_comes_from_the_environment_and_only_serves_loopback():
    from fairdue.config import ConfigurationRefused

    assert WebConfig.from_env({}, database_url="sqlite://").dev_http is False
    web = WebConfig.from_env({"FAIRDUE_DEV_HTTP": "1"}, database_url="sqlite://")
    assert web.dev_http and not web.cookie_secure and web.session_cookie == DEV_SESSION_COOKIE
    web.check_listen_host("127.0.0.1")
    with pytest.raises(ConfigurationRefused, match=r"127\.0\.0\.1"):
        web.check_listen_host("0.0.0.0")
    WebConfig().check_listen_host("0.0.0.0")  # behind TLS: any address


def test_v8_2_1_authenticated_answers_are_not_stored(secure_client):
    """ASVS V8.2.1: API and page answers to an authenticated request carry Cache-Control: no-store."""
    body = _login(secure_client)  # the cookie is set too
    login_again = secure_client.post(LOGIN, json={"username": "ada", "password": STAFF_PASSWORD})
    assert login_again.headers["cache-control"] == "no-store"  # the answer carries a token
    bearer = {"Authorization": f"Bearer {body['token']}"}
    for path in ("/api/v1/auth/me", "/api/v1/complaints", "/console", "/console/complaints"):
        by_cookie = secure_client.get(path)
        assert by_cookie.status_code == 200 and by_cookie.headers["cache-control"] == "no-store", path
        secure_client.cookies.clear()
        by_bearer = secure_client.get(path, headers=bearer)
        assert by_bearer.headers["cache-control"] == "no-store", path
        secure_client.cookies.set(SESSION_COOKIE, body["token"])


def test_v14_4_3_api_docs_load_only_vendored_files_under_the_csp(secure_client):
    """ASVS V14.4.3 / V14.2.x: no CDN; the docs page is under the same script-src 'self' CSP as the pages."""
    r = secure_client.get("/api/v1/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    assert "cdn" not in r.text.lower() and "https://" not in r.text and "<script>" not in r.text
    for asset in (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js",
        "/static/vendor/swagger-ui/swagger-ui.css",
        "/static/swagger-init.js",
    ):
        assert asset in r.text and secure_client.get(asset).status_code == 200, asset


def test_v3_3_1_page_logout_revokes_a_bearer_token(dev_client):
    """ASVS V3.3.1: logging out of the pages with an Authorization header revoked nothing before."""
    token = _login(dev_client)["token"]
    dev_client.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    r = dev_client.post("/console/logout", headers=bearer, follow_redirects=False)
    assert r.status_code == 303
    assert dev_client.get("/api/v1/auth/me", headers=bearer).status_code == 401


def test_v3_3_4_staff_list_their_sessions_and_end_the_others(dev_client):
    """ASVS V3.3.4: a staff member sees their live sessions and can end all but this one, or all of them."""
    first = {"Authorization": f"Bearer {_login(dev_client)['token']}"}
    second = {"Authorization": f"Bearer {_login(dev_client)['token']}"}
    dev_client.cookies.clear()
    listed = dev_client.get("/api/v1/auth/sessions", headers=second).json()["items"]
    assert len(listed) == 2 and [s["current"] for s in listed].count(True) == 1
    assert all(len(s["handle"]) == 12 for s in listed)
    r = dev_client.delete("/api/v1/auth/sessions", params={"keep_current": "true"}, headers=second)
    assert r.status_code == 200 and r.json() == {"revoked": 1}
    assert dev_client.get("/api/v1/auth/me", headers=first).status_code == 401
    assert dev_client.get("/api/v1/auth/me", headers=second).status_code == 200
    assert dev_client.delete("/api/v1/auth/sessions", headers=second).json() == {"revoked": 1}
    assert dev_client.get("/api/v1/auth/me", headers=second).status_code == 401


def test_v3_3_4_the_sessions_page_ends_every_session_with_its_csrf_token(dev_client):
    body = _login(dev_client)  # cookie session
    other = {"Authorization": f"Bearer {_login(dev_client)['token']}"}
    dev_client.cookies.set(DEV_SESSION_COOKIE, body["token"])
    page = dev_client.get("/console/sessions")
    assert page.status_code == 200 and page.text.count("<code>") == 2
    refused = dev_client.post("/console/sessions/revoke-all", data={}, follow_redirects=False)
    assert refused.status_code == 403  # no CSRF token: a cross-site form cannot log anyone out
    r = dev_client.post("/console/sessions/revoke-all", data={"csrf": body["csrf"]}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    dev_client.cookies.clear()
    assert dev_client.get("/api/v1/auth/me", headers=other).status_code == 401
    assert dev_client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"}).status_code == 401


def test_v3_3_4_sessions_are_staff_only(dev_client):
    from web_testing import add_borrower_row, borrower_session

    app = dev_client.app
    borrower = borrower_session(app, add_borrower_row(app.state.core.engine))
    assert dev_client.get("/api/v1/auth/sessions", headers=borrower).status_code == 403
