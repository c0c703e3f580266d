"""Every route declares who may use it (a role, a borrower, or any logged-in principal) unless it is one of
the few public ones; and no page answers 500 to junk in its path or query."""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from web_testing import add_staff, borrower_session, make_app, seed_portal_borrower, staff_token

PUBLIC = {
    ("GET", "/"),
    ("GET", "/lang/{lang}"),
    ("GET", "/console/login"),
    ("POST", "/console/login"),
    ("GET", "/portal/login"),
    ("POST", "/portal/login/code"),
    ("POST", "/portal/login"),
    ("POST", "/api/v1/auth/staff/sessions"),
    ("POST", "/api/v1/auth/borrower/codes"),
    ("POST", "/api/v1/auth/borrower/sessions"),
    ("GET", "/health"),  # liveness for a load balancer: a constant answer, no database, no session
}


def _dependency_names(dependant) -> set[str]:
    names = set()
    for dep in dependant.dependencies:
        names.add(getattr(dep.call, "__name__", ""))
        names |= _dependency_names(dep)
    return names


def _flatten(routes):
    """Every endpoint with its full path and dependant (FastAPI keeps included routers lazily)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()


def _routes(app):
    for route in _flatten(app.routes):
        for method in set(route.methods) - {"HEAD"}:
            yield method, route


def test_every_non_public_route_declares_its_principal(engine, clock):
    app = make_app(engine, clock)
    undeclared = []
    for method, route in _routes(app):
        if (
            (method, route.path) in PUBLIC
            or route.path.startswith("/api/v1/openapi")
            or route.path.startswith("/api/v1/docs")
        ):
            continue
        if not _dependency_names(route.dependant) & {"principal", "_staff", "borrower"}:
            undeclared.append(f"{method} {route.path}")
    assert undeclared == []


def test_the_scan_sees_role_declarations(engine, clock):
    app = make_app(engine, clock)
    names = {f"{m} {r.path}": _dependency_names(r.dependant) for m, r in _routes(app)}
    assert "_staff" in names["POST /api/v1/complaints/{complaint_id}/decision"]
    assert "borrower" in names["GET /portal/contacts"]
    assert not names["GET /"] & {"principal", "_staff", "borrower"}


JUNK = ["0", "-1", "99999999999999999999", "abc", "%00", "..%2F..%2Fetc", "１２", "' OR 1=1 --"]


@pytest.fixture
def clients(engine, clock):
    app = make_app(engine, clock)
    add_staff(app, "root", "agent", "supervisor", "compliance", "admin")
    seeded = seed_portal_borrower(app)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield (
            app,
            client,
            {"staff": staff_token(client, "root"), "borrower": borrower_session(app, seeded["borrower_id"])},
        )


def test_no_page_answers_500_to_junk(clients):
    import re

    app, client, headers = clients
    failures = []
    for method, route in _routes(app):
        if method != "GET" or route.path.startswith("/api/"):
            continue
        for who, h in headers.items():
            for junk in JUNK:
                path = re.sub(r"\{[^}]+\}", junk, route.path)
                r = client.get(
                    path,
                    params={"days": junk, "template": junk, "account": junk, "done": junk, "include_decided": junk},
                    headers={**h, "accept": "text/html"},
                )
                if r.status_code >= 500:
                    failures.append(f"{who} GET {path}: {r.status_code}")
    assert failures == []
