"""Limits on the expensive routes (searches, exports, report requests, uploads): per address and per
signed-in user (bearer token, API key or session cookie, whichever address it comes from), answered
429 with Retry-After and a problem document (an error page for a browser), checked before an upload
is read; other routes are not counted."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import anyio
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import Match
from starlette.types import Message

from api.app import create_app
from api.deps import Expense, caller_id
from api.middleware import EXPENSIVE_ROUTES, expense_of
from core.accounts.sessions import open_session
from core.audit import AuditContext, Writer
from core.settings import RouteLimit, Settings
from tests.helpers import quick_user

T = TypeVar("T")

SEARCH = "/api/v1/patents/search"


@pytest.fixture
def app(embedded_settings: Settings) -> FastAPI:
    return create_app(embedded_settings.model_copy(update={
        "limit_search": RouteLimit(per_user=2, per_ip=3), "limit_upload": RouteLimit(per_user=5, per_ip=1)}))


@pytest.fixture
def clients(app: FastAPI) -> Iterator[dict[str, TestClient]]:
    """Two clients at two addresses, on the same app (so the same limits)."""
    with TestClient(app, client=("198.51.100.1", 40000)) as a, TestClient(app, client=("198.51.100.2", 40000)) as b:
        yield {"a": a, "b": b}


def _search(client: TestClient, **headers: str) -> int:
    return client.get(SEARCH, params={"q": "lamp"}, headers=headers).status_code


def test_every_listed_route_is_a_route_of_the_app(app: FastAPI) -> None:
    for (method, template), _ in EXPENSIVE_ROUTES.items():
        path = re.sub(r"\{[^}]+\}", "1", template)
        scope = {"type": "http", "method": method, "path": path, "root_path": "", "headers": []}
        assert any(route.matches(scope)[0] is Match.FULL for route in app.routes), (method, template)
    assert expense_of("HEAD", "/", b"q=lamp") is Expense.search
    assert expense_of("GET", "/") is None and expense_of("GET", "/", b"q=+&sort=date_desc") is None  # an empty form
    assert expense_of("GET", "/", b"f=TI%3Dlamp") is Expense.search  # a filter alone searches too
    assert expense_of("GET", "/collections/7/export") is Expense.export
    assert expense_of("POST", "/collections/7/export") is None and expense_of("GET", SEARCH + "/x") is None
    assert expense_of("POST", "/reports/industries/led/report") is Expense.report


def test_an_address_is_limited_and_told_when_to_retry(clients: dict[str, TestClient]) -> None:
    a = clients["a"]
    assert [_search(a) for _ in range(3)] == [200] * 3
    r = a.get(SEARCH, params={"q": "lamp"}, headers={"X-Request-ID": "limited-search-1"})
    assert r.status_code == 429 and r.headers["content-type"] == "application/problem+json"
    assert 1 <= int(r.headers["retry-after"]) <= 61
    assert r.json()["title"] == "Too many requests" and "too many searches" in r.json()["detail"]
    assert r.json()["request_id"] == r.headers["x-request-id"] == "limited-search-1"
    assert r.headers["x-frame-options"] == "DENY"
    assert _search(clients["b"]) == 200  # another address has its own count
    assert all(a.get("/healthz").status_code == 200 for _ in range(5))  # not an expensive route
    page = a.get("/", params={"q": "lamp"}, headers={"Accept": "text/html", "Accept-Language": "zh-CN"})
    assert page.status_code == 429 and page.headers["content-type"].startswith("text/html")
    assert int(page.headers["retry-after"]) >= 1
    assert "短时间内检索次数过多" in page.text and "too many" not in page.text  # said in the reader's language
    # drawn without the caller's session: no account links or language form it could not serve
    assert 'href="/login"' not in page.text and 'action="/language"' not in page.text
    assert a.get("/", headers={"Accept": "text/html"}).status_code == 200  # the empty search form costs nothing


def test_a_user_is_limited_from_any_address(clients: dict[str, TestClient]) -> None:
    a, b = clients["a"], clients["b"]
    _, bearer = quick_user(a)
    assert _search(a, **bearer) == 200 and _search(b, **bearer) == 200
    assert _search(b, **bearer) == 429  # the user's third search, the address's second
    assert _search(b) == 200  # anonymous at the same address: its own (address) count
    key = a.post("/api/v1/auth/api-keys", json={"name": "robot"}, headers=bearer).json()["secret"]
    assert _search(a, **{"X-API-Key": key}) == 429  # the same user through an API key


def test_the_session_cookie_names_the_user(app: FastAPI) -> None:
    platform = app.state.platform
    with TestClient(app) as client:
        user, _ = quick_user(client)
    with platform.sessions() as session:
        token = open_session(Writer(session, None, AuditContext(client_ip="test")), int(user["id"]))
    assert caller_id(platform, None, token) == user["id"]
    assert caller_id(platform, None, "not-a-session") is None and caller_id(platform, "ipc_forged", None) is None
    assert caller_id(platform, "not.a.jwt", None) is None and caller_id(platform, None, None) is None


def _in_own_thread(call: Callable[[], Awaitable[T]]) -> T:
    """Run ``call`` in an event loop of its own thread: the browser tests' Playwright keeps one
    running in the main thread for the whole session."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(anyio.run, call).result()


def test_a_refused_upload_is_not_read(app: FastAPI) -> None:
    """Over the limit, the answer comes before the body is received."""
    received: list[int] = []

    async def call() -> tuple[int, dict[str, str]]:
        sent: list[Message] = []

        async def receive() -> Message:
            received.append(1)
            return {"type": "http.request", "body": b"--x--\r\n", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": "/api/v1/copyright/registrations/upload",
                 "raw_path": b"/api/v1/copyright/registrations/upload", "query_string": b"", "root_path": "",
                 "scheme": "http", "server": ("testserver", 80), "client": ("203.0.113.9", 1234),
                 "http_version": "1.1", "headers": [(b"content-type", b"multipart/form-data; boundary=x")]}
        await app(scope, receive, send)
        body = json.loads(b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"))
        start = next(m for m in sent if m["type"] == "http.response.start")
        return start["status"], {k.decode(): v.decode() for k, v in start["headers"]} | {"title": body["title"]}

    first, _ = _in_own_thread(call)
    assert first == 401 and received  # anonymous: refused by the route, after reading the form
    received.clear()
    status, headers = _in_own_thread(call)
    assert status == 429 and "retry-after" in headers and received == []


def test_limits_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPC_LIMIT_EXPORT", '{"per_user": 5, "per_ip": 9, "window_seconds": 3600}')
    assert Settings().limit_export == RouteLimit(per_user=5, per_ip=9, window_seconds=3600)
    monkeypatch.setenv("IPC_LIMIT_EXPORT", '{"per_user": 0, "per_ip": 9}')
    with pytest.raises(ValueError):
        Settings()


def test_licence_offers_and_transfers_are_limited_per_user(embedded_settings: Settings) -> None:
    """Each offer or transfer mails another person: one user may send only so many, from any address,
    through the API or the record page."""
    app = create_app(embedded_settings.model_copy(update={"limit_rights": RouteLimit(per_user=2, per_ip=10)}))
    offer = {"licensee_email": "someone@example.org", "rights": ["reproduction"], "start_date": "2026-01-01"}
    transfer = {"to_user_id": 1, "rights": ["reproduction"], "effective_date": "2026-01-01"}
    registration = "/api/v1/copyright/registrations/CR-NONE"
    with TestClient(app, client=("198.51.100.1", 40000)) as a, TestClient(app, client=("198.51.100.2", 40000)) as b:
        _, bearer = quick_user(a)
        assert a.post(f"{registration}/licence-offers", json=offer, headers=bearer).status_code == 404
        assert b.post(f"{registration}/transfers", json=transfer, headers=bearer).status_code == 404
        r = b.post(f"{registration}/licence-offers", json=offer, headers=bearer)
        assert r.status_code == 429 and "too many licence offers and transfers" in r.json()["detail"]
        _, other = quick_user(b)
        assert b.post(f"{registration}/transfers", json=transfer, headers=other).status_code == 404  # its own count
    assert expense_of("POST", "/copyright/records/CR-1/offers") is Expense.rights
    assert expense_of("POST", "/copyright/records/CR-1/transfers") is Expense.rights
    assert expense_of("GET", "/copyright/records/CR-1") is None


def test_a_refused_form_links_back_to_the_page_it_was_sent_from(embedded_settings: Settings) -> None:
    """A person refused on a record page's form goes back to that page, not to the search page; a
    Referer from another site is not linked."""
    app = create_app(embedded_settings.model_copy(update={"limit_rights": RouteLimit(per_user=1, per_ip=1)}))
    form = "/copyright/records/CR-1/offers"
    browser = {"accept": "text/html", "referer": "http://testserver/copyright/records/CR-1?lang=zh"}
    with TestClient(app, client=("198.51.100.1", 40000)) as client:
        client.post(form, headers=browser)
        refused = client.post(form, headers=browser)
        assert refused.status_code == 429
        assert '<a href="/copyright/records/CR-1?lang=zh">' in refused.text
        for referer in ("http://evil.example/copyright/records/CR-1", "http://testserver//evil.example/a",
                        "http://testserver/\\evil.example/a", "javascript:alert(1)"):
            elsewhere = client.post(form, headers={**browser, "referer": referer})
            assert elsewhere.status_code == 429 and "evil.example" not in elsewhere.text, referer
            assert "Back to the page you came from" not in elsewhere.text, referer
