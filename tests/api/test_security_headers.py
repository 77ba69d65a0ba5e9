"""Every answer carries the security headers and the request id: pages, API answers, a 404, a 413
refused by the body limit (with or without a Content-Length), and a 500 from an unexpected error."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings

EXPECTED = {"x-content-type-options": "nosniff", "x-frame-options": "DENY", "referrer-policy": "same-origin"}


@pytest.fixture
def app(embedded_settings: Settings) -> FastAPI:
    app = create_app(embedded_settings)

    @app.get("/boom-for-the-test")
    def boom() -> None:
        raise RuntimeError("an unexpected failure")

    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _policy(r: httpx.Response) -> dict[str, str]:
    directives = (d.strip().split(" ", 1) for d in r.headers["content-security-policy"].split(";"))
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives}


def _hardened(r: httpx.Response) -> None:
    for name, value in EXPECTED.items():
        assert r.headers.get(name) == value, (name, r.status_code, r.headers)
    policy = _policy(r)
    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in r.headers["content-security-policy"]
    assert len(r.headers.get_list("x-request-id")) == 1


def test_pages_and_api_answers_carry_the_headers(client: TestClient) -> None:
    for path in ("/", "/login", "/copyright", "/healthz", "/api/v1/forums/categories", "/docs",
                 "/static/app.js", "/no-such-page", "/api/v1/no-such-thing"):
        _hardened(client.get(path, headers={"Accept": "text/html"}))


def test_redoc_alone_may_use_inline_styles_and_a_blob_worker(client: TestClient) -> None:
    r = client.get("/redoc")
    _hardened(r)
    assert _policy(r)["style-src"] == "'self' 'unsafe-inline'" and "blob:" in _policy(r)["worker-src"]
    assert "unsafe-inline" not in _policy(client.get("/"))["style-src"]


def test_a_413_carries_the_request_id_in_header_and_body(client: TestClient) -> None:
    limit = client.app.state.platform.settings.max_body_bytes
    big = b"x" * (limit + 10)
    r = client.post("/api/v1/auth/register", content=big, headers={"Content-Type": "application/json",
                                                                     "X-Request-ID": "req-413-declared"})
    assert r.status_code == 413
    _hardened(r)
    assert r.headers["x-request-id"] == r.json()["request_id"] == "req-413-declared"

    def chunks() -> Iterator[bytes]:  # no Content-Length: refused while counting
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    r = client.post("/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    _hardened(r)
    assert r.headers["x-request-id"] == r.json()["request_id"]


def test_an_unexpected_error_carries_the_request_id(client: TestClient) -> None:
    r = client.get("/boom-for-the-test", headers={"X-Request-ID": "req-500-for-the-test"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    _hardened(r)
    assert r.headers["x-request-id"] == r.json()["request_id"] == "req-500-for-the-test"

