"""`fairdue demo` ends by serving the console and portal: the demo logins it prints work, and a demo
borrower's one-time code reaches the demo phone page through the gate and the outbox."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def demo(tmp_path):
    from fairdue.devtools.demo import run_demo
    from fairdue.web import demo as web_demo

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    keys = tmp_path / "dev-keys.json"
    summary = run_demo(database_url=url, accounts=6, key_file=keys)
    app, core, cipher = web_demo.demo_app(url, as_of=summary.as_of, key_file=keys)
    logins = web_demo.prepare(core, cipher)
    app.state.demo_phones = {b["phone"] for b in logins["borrowers"]}
    with TestClient(app) as client:
        yield client, logins
    core.dispose()


def test_demo_staff_logins_work(demo):
    client, logins = demo
    for username, _roles in logins["staff"]:
        r = client.post("/api/v1/auth/staff/sessions", json={"username": username, "password": logins["password"]})
        assert r.status_code == 201, (username, r.text)


def test_demo_borrower_logs_in_with_the_code_from_the_demo_phone(demo):
    client, logins = demo
    phone = logins["borrowers"][0]["phone"]
    assert client.post("/portal/login/code", data={"phone": phone}).status_code == 200
    page = client.get("/demo/phone").text
    code = re.search(r"(\d{6})", page.split(phone, 1)[1]).group(1)
    r = client.post("/portal/login", data={"phone": phone, "code": code}, follow_redirects=False)
    assert r.status_code == 303
    contacts = client.get("/portal/contacts").text
    assert 'class="allowed"' in contacts and 'class="denied"' in contacts
