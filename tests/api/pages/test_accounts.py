"""Accounts in the browser, tested over HTTP: CSRF on every form, cookie flags, the login limit on
the form, logout revoking the session, and the language chosen per user."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.app import create_app
from api.pages.context import checked_page
from core.settings import Settings

PASSWORD = "correct horse battery"
HTML = {"Accept": "text/html"}


@pytest.fixture
def web(embedded_settings: Settings) -> Iterator[TestClient]:
    settings = embedded_settings.model_copy(update={"login_attempts_per_minute": 3})
    with TestClient(create_app(settings)) as client:
        yield client


def _csrf(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path, headers=HTML).text)
    assert match is not None
    return match.group(1)


def _sign_up(client: TestClient, email: str | None = None) -> str:
    email = email or f"u-{uuid.uuid4().hex[:8]}@example.org"
    r = client.post("/signup", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/signup")},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    return email


def test_every_page_write_checks_the_csrf_token(embedded_settings: Settings) -> None:
    app = create_app(embedded_settings)
    unchecked = []
    for route in app.routes:
        if isinstance(route, APIRoute) and not route.include_in_schema and route.methods & {"POST", "PUT", "DELETE"}:
            calls = {d.call for d in route.dependant.dependencies}
            if checked_page not in calls:
                unchecked.append(route.path)
    assert unchecked == []


def test_forms_without_a_valid_token_are_refused_and_change_nothing(web: TestClient) -> None:
    email = f"x-{uuid.uuid4().hex[:8]}@example.org"
    for token in (None, "", "0" * 64):
        data = {"email": email, "password": PASSWORD} | ({"csrf_token": token} if token is not None else {})
        assert web.post("/signup", data=data, headers=HTML).status_code == 403
    r = web.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(web)}, headers=HTML)
    assert r.status_code == 401  # the refused sign-ups created no account


def test_a_token_of_one_visitor_does_not_work_for_another(embedded_settings: Settings) -> None:
    with TestClient(create_app(embedded_settings)) as alice, TestClient(create_app(embedded_settings)) as mallory:
        stolen = _csrf(mallory)
        r = alice.post("/signup", data={"email": "a@example.org", "password": PASSWORD, "csrf_token": stolen},
                       headers=HTML)
        assert r.status_code == 403


def test_session_cookie_flags_and_logout_revokes_it(web: TestClient) -> None:
    email = _sign_up(web)
    cookie = web.cookies.get("ipc_session")
    assert cookie
    r = web.get("/account", headers=HTML)
    assert r.status_code == 200 and email in r.text
    r = web.post("/logout", data={"csrf_token": _csrf(web, "/account")}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303
    web.cookies.set("ipc_session", cookie)  # replay the old cookie
    r = web.get("/account", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_set_cookie_is_httponly_and_samesite(web: TestClient) -> None:
    r = web.post("/signup", data={"email": f"c-{uuid.uuid4().hex[:6]}@example.org", "password": PASSWORD,
                                  "csrf_token": _csrf(web, "/signup")}, headers=HTML, follow_redirects=False)
    header = r.headers["set-cookie"]
    assert "ipc_session=" in header and "HttpOnly" in header and "SameSite=lax" in header


def test_login_form_is_rate_limited(web: TestClient) -> None:
    email = _sign_up(web)
    web.post("/logout", data={"csrf_token": _csrf(web, "/account")}, headers=HTML)
    codes = [web.post("/login", data={"email": email, "password": "wrong password!", "csrf_token": _csrf(web)},
                      headers=HTML).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    r = web.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(web)}, headers=HTML)
    assert r.status_code == 429  # even the right password waits for the window


def test_language_from_browser_then_switch_remembered_per_user(web: TestClient) -> None:
    assert "专利检索" in web.get("/", headers=HTML).text  # no Accept-Language: Chinese, the home language
    assert "Patent search" in web.get("/", headers=HTML | {"Accept-Language": "en-US,en;q=0.9"}).text
    _sign_up(web)
    web.post("/language", data={"lang": "en", "csrf_token": _csrf(web, "/")}, headers=HTML)
    web.cookies.delete("ipc_lang")  # the choice is kept on the account, not only in the cookie
    assert "Patent search" in web.get("/", headers=HTML | {"Accept-Language": "zh-CN"}).text


def test_open_redirect_after_login_is_refused(web: TestClient) -> None:
    email = _sign_up(web)
    web.post("/logout", data={"csrf_token": _csrf(web, "/account")}, headers=HTML)
    r = web.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(web),
                                 "next": "//evil.example/"}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_sign_up_refusals_are_in_the_readers_language(web: TestClient) -> None:
    """The sign-up form spoke English to Chinese readers, and pydantic's own words for a long name."""
    zh = {**HTML, "Accept-Language": "zh-CN"}
    taken = _sign_up(web)
    web.cookies.clear()
    cases = [({"email": f"n-{uuid.uuid4().hex[:6]}@example.org", "password": "short"}, "密码至少需要 10 个字符"),
             ({"email": "notanemail", "password": PASSWORD}, "不是有效的电子邮箱地址：'notanemail'"),
             ({"email": taken, "password": PASSWORD}, "该电子邮箱已注册"),
             ({"email": f"n-{uuid.uuid4().hex[:6]}@example.org", "password": PASSWORD, "display_name": "名" * 121},
              "显示名称最多 120 个字符")]
    for form, said in cases:
        r = web.post("/signup", data=form | {"csrf_token": _csrf(web, "/signup")}, headers=zh)
        assert r.status_code == 400 and said in html.unescape(r.text), (form, said)
