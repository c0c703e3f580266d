"""Admin reset of a lost authenticator (issue 16, ASVS 4.0 V2.5.x credential recovery, V2.8 second factor): only
an admin, never for their own account, only with a reason; recorded in the staff audit trail; the person's
sessions end, their old codes stop working, and their next login must set up a new authenticator. Before this
change a staff member who lost their phone (and recovery codes) was locked out for good, or an operator edited
the database by hand with no record."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from web_testing import STAFF_PASSWORD, add_staff, make_app

from fairdue.service.staff import auth as auth_service

LOGIN = "/api/v1/auth/staff/sessions"
RESETS = "/api/v1/staff/authenticator-resets"


@pytest.fixture
def app(engine, clock):
    app = make_app(engine, clock)
    app.state.second_factor_enforced = True  # as every real app has it
    for name, role in (("root", "admin"), ("rita", "admin"), ("sue", "supervisor"), ("ada", "agent")):
        add_staff(app, name, role)
    return app


@pytest.fixture
def client(app):
    with TestClient(app) as c:
        yield c


def _enrol(app, username: str, clock) -> tuple[str, list[str]]:
    """Set up an authenticator for `username` (secret, recovery codes) through the service."""
    with app.state.core.uow_factory() as uow:
        staff_id = uow.staff.id_of_username(username)
        enrolment = auth_service.begin_totp_enrolment(uow, staff_id=staff_id)
        codes = auth_service.confirm_totp(
            uow, staff_id=staff_id, code=auth_service.totp_code(enrolment.secret, at=clock()), now=clock()
        )
        uow.commit()
    clock.advance(seconds=auth_service.TOTP_STEP_S * 2)  # the next login uses a later code
    return enrolment.secret, codes


def _login(client: TestClient, username: str, **extra: Any) -> Any:
    r = client.post(LOGIN, json={"username": username, "password": STAFF_PASSWORD, **extra})
    client.cookies.clear()
    return r


def _signed_in(client: TestClient, app, username: str, clock) -> dict[str, str]:
    """A Bearer header of `username`, after setting up their authenticator."""
    secret, _codes = _enrol(app, username, clock)
    r = _login(client, username, second_factor=auth_service.totp_code(secret, at=clock()))
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _trail(engine) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT staff_id, action, subject_kind, subject_id, details FROM staff_audit ORDER BY id")
        ).all()


def test_v2_5_v2_8_an_admin_resets_a_lost_authenticator(client, app, engine, clock):
    """The supervisor lost their phone: the admin's reset ends their sessions, their old code and recovery codes
    stop working, the audit trail names who, whom and why, and their next login must set up a new one."""
    root = _signed_in(client, app, "root", clock)
    secret, codes = _enrol(app, "sue", clock)
    sue_session = _login(client, "sue", second_factor=auth_service.totp_code(secret, at=clock())).json()["token"]
    r = client.post(RESETS, headers=root, json={"username": "sue", "reason": "device_lost"})
    assert r.status_code == 201, r.text
    assert r.json()["sessions_ended"] == 1
    assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {sue_session}"}).status_code == 401
    ((staff_id, action, kind, subject, details),) = _trail(engine)
    with app.state.core.uow_factory() as uow:
        assert staff_id == uow.staff.id_of_username("root")
        assert subject == str(uow.staff.id_of_username("sue"))
    assert (action, kind) == ("staff.authenticator_reset", "staff") and '"cause":"device_lost"' in details
    # the old authenticator and recovery codes are gone; the password alone now opens a session that can only
    # set up a new authenticator
    clock.advance(seconds=auth_service.TOTP_STEP_S)
    assert _login(client, "sue", second_factor=codes[0]).status_code == 201  # codes are ignored: no factor now
    fresh = {"Authorization": f"Bearer {_login(client, 'sue').json()['token']}"}
    assert client.get("/api/v1/auth/me", headers=fresh).json()["second_factor_missing"] is True
    assert client.get("/api/v1/cases", headers=fresh).json().get("reason") == "second_factor_required"
    assert client.post("/api/v1/auth/staff/totp", headers=fresh).status_code == 201


def test_v2_8_an_agent_who_had_an_authenticator_must_set_up_a_new_one(client, app, clock):
    """An agent's role does not need a second factor, but one who had it and lost it must enrol again: the
    reset never silently lowers them to a password alone."""
    root = _signed_in(client, app, "root", clock)
    _enrol(app, "ada", clock)
    assert client.post(RESETS, headers=root, json={"username": "ada", "reason": "device_replaced"}).status_code == 201
    page = TestClient(app).post(
        "/console/login", data={"username": "ada", "password": STAFF_PASSWORD}, follow_redirects=False
    )
    assert page.status_code == 303 and page.headers["location"] == "/console/totp"


def test_v2_5_v2_8_a_reset_is_refused_without_the_right_or_the_reason(client, app, engine, clock):
    """Not one's own (another admin must), not by a supervisor, not without a reason from the list, not for
    someone unknown or with nothing to reset; nothing is written then."""
    root = _signed_in(client, app, "root", clock)
    sue = _signed_in(client, app, "sue", clock)
    _enrol(app, "ada", clock)
    own = client.post(RESETS, headers=root, json={"username": "root", "reason": "device_lost"})
    assert own.status_code == 403
    assert client.post(RESETS, headers=sue, json={"username": "ada", "reason": "device_lost"}).status_code == 403
    assert client.post(RESETS, headers=root, json={"username": "ada"}).status_code == 422
    assert client.post(RESETS, headers=root, json={"username": "ada", "reason": "because"}).status_code == 422
    assert client.post(RESETS, headers=root, json={"username": "nobody", "reason": "device_lost"}).status_code == 404
    assert client.post(RESETS, headers=root, json={"username": "rita", "reason": "device_lost"}).status_code == 409
    assert _trail(engine) == []
    anonymous = client.post(RESETS, json={"username": "ada", "reason": "device_lost"})
    assert anonymous.status_code == 401


@pytest.mark.parametrize("lang,expected", [("zh", "的身份验证器已重置"), ("en", "The authenticator of ada is reset")])
def test_v2_5_the_console_form_resets_with_csrf_and_says_why_it_refuses(app, engine, clock, lang, expected):
    """The admin's console form: CSRF-checked, the outcome and each refusal in the admin's language."""
    client = TestClient(app, headers={"accept": "text/html", "accept-language": lang})
    secret, _ = _enrol(app, "root", clock)
    r = client.post(
        "/console/login",
        data={
            "username": "root",
            "password": STAFF_PASSWORD,
            "second_factor": auth_service.totp_code(secret, at=clock()),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get("/console/authenticator-reset")
    assert page.status_code == 200
    csrf = page.text.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    _enrol(app, "ada", clock)
    form = {"username": "ada", "reason": "app_reinstalled"}
    assert client.post("/console/authenticator-reset", data=form).status_code == 403  # no CSRF token
    assert _trail(engine) == []
    own = client.post("/console/authenticator-reset", data={"csrf": csrf, "username": "root", "reason": "device_lost"})
    assert own.status_code == 403 and ("另一位管理员" if lang == "zh" else "another admin") in own.text
    no_reason = client.post("/console/authenticator-reset", data={"csrf": csrf, "username": "ada"})
    assert no_reason.status_code == 422
    done = client.post("/console/authenticator-reset", data={"csrf": csrf, **form})
    assert done.status_code == 200 and expected in done.text
    assert [row.action for row in _trail(engine)] == ["staff.authenticator_reset"]


def test_v2_5_only_admins_see_the_reset_page(app, clock):
    """The page is admin-only (a supervisor gets 403) and the nav offers it to admins only."""
    client = TestClient(app, headers={"accept": "text/html"})
    secret, _ = _enrol(app, "sue", clock)
    code = auth_service.totp_code(secret, at=clock())
    client.post("/console/login", data={"username": "sue", "password": STAFF_PASSWORD, "second_factor": code})
    assert client.get("/console/authenticator-reset").status_code == 403
    assert "/console/authenticator-reset" not in client.get("/console/sessions").text
