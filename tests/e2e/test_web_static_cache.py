"""The vendored static files answered from memory (issue 22): same bytes, type and security headers as
StaticFiles gave, an ETag with 304 on If-None-Match (RFC 9110 §13.1.2), HEAD without a body (RFC 9110 §9.3.2)."""

from __future__ import annotations

import importlib.resources

import pytest
from fastapi.testclient import TestClient
from web_testing import make_app


@pytest.fixture
def client(engine, clock):
    with TestClient(make_app(engine, clock)) as c:
        yield c


def _vendored(name: str) -> bytes:
    return importlib.resources.files("fairdue.web").joinpath("static", name).read_bytes()


def test_static_file_comes_whole_with_its_type_and_the_security_headers(client):
    r = client.get("/static/app.js")
    assert r.status_code == 200 and r.content == _vendored("app.js")
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["content-length"] == str(len(r.content))
    assert r.headers["x-content-type-options"] == "nosniff" and "content-security-policy" in r.headers
    assert "cache-control" not in r.headers  # anonymous static files may be cached (transport middleware)
    assert client.get("/static/vendor/swagger-ui/swagger-ui.css").headers["content-type"].startswith("text/css")


def test_static_etag_answers_304_on_if_none_match_rfc9110_13_1_2(client):
    etag = client.get("/static/app.css").headers["etag"]
    again = client.get("/static/app.css", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/static/app.css", headers={"If-None-Match": '"not-this-one"'})
    assert other.status_code == 200 and other.content == _vendored("app.css")


def test_static_head_has_no_body_rfc9110_9_3_2(client):
    r = client.head("/static/app.js")
    assert r.status_code == 200 and r.content == b""
    assert r.headers["content-length"] == str(len(_vendored("app.js")))


def test_unknown_static_path_and_traversal_are_not_found(client):
    assert client.get("/static/no-such-file.js").status_code == 404
    assert client.get("/static/../app.py").status_code == 404
