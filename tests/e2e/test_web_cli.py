"""`fairdue staff add` creates a console user whose password is stored as an argon2 hash and works at login;
an unknown role is refused with one line."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner


@pytest.fixture
def backend() -> str:
    return "sqlite"


def test_staff_add_then_login(database_url, engine, clock, monkeypatch):
    from fastapi.testclient import TestClient
    from web_testing import make_app

    from fairdue.cli import app as cli

    monkeypatch.setenv("FAIRDUE_DATABASE_URL", database_url)
    result = CliRunner().invoke(
        cli,
        ["staff", "add", "wei", "--name", "王伟", "--role", "agent", "--role", "compliance"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code == 0, result.output
    with TestClient(make_app(engine, clock)) as client:
        r = client.post("/api/v1/auth/staff/sessions", json={"username": "wei", "password": "a long enough password"})
    assert r.status_code == 201 and r.json()["roles"] == ["agent", "compliance"]


def test_staff_add_refuses_an_unknown_role(database_url, monkeypatch):
    from fairdue.cli import app as cli

    monkeypatch.setenv("FAIRDUE_DATABASE_URL", database_url)
    result = CliRunner().invoke(
        cli,
        ["staff", "add", "x", "--name", "X", "--role", "boss"],
        input="a long enough password\na long enough password\n",
    )
    assert result.exit_code != 0
    assert "unknown role 'boss'" in str(result.exception) + result.output
