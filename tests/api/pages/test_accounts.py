"""Accounts in the browser, tested over HTTP: CSRF on every form, cookie flags, the login limit on
the form, logout revoking the session, and the language chosen per user."""

from __future__ import annotations

import functools
import html
import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from lxml import html as lxml_html

from api.app import create_app
from api.pages.context import checked_page
from core.settings import Settings
from tests.smtp import MailSink, smtp_server

PASSWORD = "correct horse battery"
HTML = {"Accept": "text/html"}
ZH = HTML | {"Accept-Language": "zh-CN"}


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
    forms = [c.route for c in iter_route_contexts(app.routes)  # app.routes holds included routers' wrappers
             if isinstance(c.route, APIRoute) and not c.route.include_in_schema
             and c.route.methods & {"POST", "PUT", "DELETE"}]
    assert len(forms) > 50  # the walk really sees the pages' forms
    unchecked = [route.path for route in forms if checked_page not in {d.call for d in route.dependant.dependencies}]
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
    csrf = _csrf(web, "/account")
    left = {"ipc_once": "/account", "ipc_hall_once": "/service-hall", "ipc_reports_once": "/reports"}
    r = web.post("/logout", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False,
                 cookies=dict.fromkeys(left, "sealed"))
    assert r.status_code == 303 and r.headers["location"] == "/login?after=logout"
    cleared = [c for c in r.headers.get_list("set-cookie") if "Max-Age=0" in c]
    for name, path in left.items():  # what the session had left to say goes with it, each where it was sent
        assert any(c.startswith(f"{name}=") and f"Path={path}" in c for c in cleared), name
    assert "您已退出登录。" in web.get(r.headers["location"], headers=HTML).text  # Chinese, the default
    web.cookies.set("ipc_session", cookie)  # replay the old cookie
    r = web.get("/account", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_set_cookie_is_httponly_and_samesite(web: TestClient) -> None:
    r = web.post("/signup", data={"email": f"c-{uuid.uuid4().hex[:6]}@example.org", "password": PASSWORD,
                                  "csrf_token": _csrf(web, "/signup")}, headers=HTML, follow_redirects=False)
    header = r.headers["set-cookie"]
    assert "ipc_session=" in header and "HttpOnly" in header and "SameSite=lax" in header


def test_a_new_account_is_welcomed_where_it_lands(web: TestClient) -> None:
    """Signing up landed on the search page with no word that the account was made."""
    form = {"email": f"w-{uuid.uuid4().hex[:6]}@example.org", "password": PASSWORD, "display_name": "小<b>王</b>"}
    r = web.post("/signup", data=form | {"csrf_token": _csrf(web, "/signup")}, headers=ZH, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/?welcome=1"
    welcome = lxml_html.fromstring(web.get(r.headers["location"], headers=ZH).text).get_element_by_id("welcome")
    assert welcome.get("role") == "status" and "欢迎您，小<b>王</b>：账号已创建。" in welcome.text_content()
    assert welcome.xpath(".//a/@href") == ["/account"]
    assert 'id="welcome"' not in web.get("/", headers=ZH).text  # said once, on arrival
    assert web.get("/?welcome=yes", headers=ZH).status_code == 200  # no refusal of the home page
    web.post("/logout", data={"csrf_token": _csrf(web, "/account")}, headers=HTML)
    assert 'id="welcome"' not in web.get("/?welcome=1", headers=ZH).text  # to nobody signed out
    # sent by a page that needs an account: back to that page
    form["email"] = f"w-{uuid.uuid4().hex[:6]}@example.org"
    r = web.post("/signup", data=form | {"next": "/collections", "csrf_token": _csrf(web, "/signup")}, headers=ZH,
                 follow_redirects=False)
    assert r.headers["location"] == "/collections"


def test_login_form_is_rate_limited(web: TestClient) -> None:
    email = _sign_up(web)
    web.post("/logout", data={"csrf_token": _csrf(web, "/account")}, headers=HTML)
    codes = [web.post("/login", data={"email": email, "password": "wrong password!", "csrf_token": _csrf(web)},
                      headers=HTML).status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    r = web.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(web)}, headers=HTML)
    assert r.status_code == 429  # even the right password waits for the window
    assert "来自您所在网络地址的登录失败次数过多，请一分钟后再试" in r.text  # the network's address, not the e-mail


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


def test_the_login_page_says_why_a_page_sent_the_reader_there(web: TestClient) -> None:
    """A visitor who clicks "Apply" in the service hall lands on the login form: it says why."""
    sent = web.get("/service-hall/apply/complaint", headers=HTML, follow_redirects=False)
    assert sent.status_code == 303 and sent.headers["location"].startswith("/login?next=")
    en = HTML | {"Accept-Language": "en"}
    assert "That page needs an account" in web.get(sent.headers["location"], headers=en).text
    assert "That page needs an account" not in web.get("/login", headers=en).text  # asked for itself
    hostile = web.get("/login", params={"next": "//evil.example/"}, headers=en).text  # not a page of ours
    assert "That page needs an account" not in hostile and 'name="next" value="/"' in hostile


def test_sign_up_refusals_are_in_the_readers_language(web: TestClient) -> None:
    """The sign-up form spoke English to Chinese readers, and pydantic's own words for a long name."""
    zh = {**HTML, "Accept-Language": "zh-CN"}
    taken = _sign_up(web)
    web.cookies.clear()
    cases = [({"email": f"n-{uuid.uuid4().hex[:6]}@example.org", "password": "short"}, "密码至少需要 10 个字符"),
             ({"email": "notanemail", "password": PASSWORD}, "不是有效的电子邮箱地址：“notanemail”"),
             ({"email": taken, "password": PASSWORD}, "该电子邮箱已注册"),
             ({"email": f"n-{uuid.uuid4().hex[:6]}@example.org", "password": PASSWORD, "display_name": "名" * 121},
              "显示名称最多 120 个字符"),
             # empty fields the browser let through (its checks bypassed): the form again, not 请求无效
             ({"email": "", "password": ""}, "为必填项"),
             ({"email": f"n-{uuid.uuid4().hex[:6]}@example.org"}, "密码为必填项")]
    for form, said in cases:
        r = web.post("/signup", data=form | {"csrf_token": _csrf(web, "/signup")}, headers=zh)
        assert r.status_code == 400 and said in html.unescape(r.text), (form, said)


def _marked(page: str) -> dict[str, str | None]:
    """Each field of the page's main form by name: the element its aria-invalid field points to, else None."""
    tree = lxml_html.fromstring(page)
    fields = tree.xpath('//main//form//input[not(@type="hidden")]')
    return {f.get("name"): f.get("aria-describedby") if f.get("aria-invalid") == "true" else None for f in fields}


def test_a_refused_sign_up_marks_the_field_it_is_about(web: TestClient) -> None:
    """A screen reader heard the refusal but not which field it was about: that field (only) is
    aria-invalid and described by the refusal, in a box of that id (app.js gives it the focus)."""
    taken = _sign_up(web)
    web.cookies.clear()
    fresh = f"n-{uuid.uuid4().hex[:6]}@example.org"
    cases = [({"email": fresh, "password": "short"}, {"password"}),
             ({"email": fresh, "password": "password123"}, {"password"}),  # easy to guess
             ({"email": "notanemail", "password": PASSWORD}, {"email"}),
             ({"email": taken.upper(), "password": PASSWORD}, {"email"}),
             ({"email": fresh, "password": PASSWORD, "display_name": "名" * 121}, {"display_name"}),
             ({"email": "", "password": ""}, {"password"})]  # pydantic's refusal, before the address is read
    for form, refused in cases:
        r = web.post("/signup", data=form | {"csrf_token": _csrf(web, "/signup")}, headers=ZH)
        assert r.status_code == 400, form
        marked = _marked(r.text)
        assert marked == {name: "signup-error" if name in refused else None
                          for name in ("email", "display_name", "password")}, form
        assert lxml_html.fromstring(r.text).get_element_by_id("signup-error").get("role") == "alert"
    assert set(_marked(web.get("/signup", headers=ZH).text).values()) == {None}  # nothing refused yet
    r = web.post("/signup", data={"email": fresh, "password": PASSWORD, "csrf_token": _csrf(web, "/signup")},
                 headers=ZH, follow_redirects=False)
    assert r.status_code == 303


def test_a_login_with_an_empty_field_is_told_so_and_not_counted(web: TestClient) -> None:
    """Sent with the browser's checks bypassed: said on the form, in the reader's language, and not
    counted as a failed login (five empty tries did not lock the address out)."""
    zh = {**HTML, "Accept-Language": "zh-CN"}
    email = _sign_up(web)
    web.cookies.clear()
    for form in [{"email": "", "password": ""}, {"email": email, "password": ""}] * 5:
        r = web.post("/login", data=form | {"csrf_token": _csrf(web)}, headers=zh)
        assert r.status_code == 400 and "请输入电子邮箱地址和密码" in r.text
    r = web.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(web)}, headers=zh,
                 follow_redirects=False)
    assert r.status_code == 303  # the empty tries counted nothing against the address


# --- a forgotten password ------------------------------------------------------------------------

EN = {**HTML, "Accept-Language": "en"}


@pytest.fixture
def mailing_web(embedded_settings: Settings) -> Iterator[tuple[TestClient, MailSink]]:
    """The portal with a real SMTP server (aiosmtpd) to mail password links to."""
    with smtp_server() as (sink, port):
        settings = embedded_settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port,
                                                        "public_url": "http://testserver"})
        with TestClient(create_app(settings)) as client:
            yield client, sink


def _ask_for_a_link(client: TestClient, email: str) -> str:
    r = client.post("/password/forgot", data={"email": email, "csrf_token": _csrf(client, "/password/forgot")},
                    headers=EN)
    assert r.status_code == 200, r.text
    return r.text


def _token_in(sink: MailSink, email: str) -> str:
    """The token of the last link mailed to ``email``: after "#", where no server ever sees it."""
    mails = sink.to(email)
    assert mails, [m["To"] for m in sink.messages]
    payload = mails[-1].get_payload(decode=True)
    assert isinstance(payload, bytes)
    body = payload.decode()
    found = re.search(r"http://testserver/password/reset#token=(\S+)", body)
    assert found, body
    return found.group(1)


def _set_password(client: TestClient, token: str, password: str, headers: dict[str, str] = EN) -> Response:
    return client.post("/password/reset", headers=headers, follow_redirects=False, data={
        "token": token, "password": password, "csrf_token": _csrf(client, "/password/reset")})


def test_a_forgotten_password_is_set_again_through_a_mailed_link(mailing_web: tuple[TestClient, MailSink],
                                                                 embedded_settings: Settings) -> None:
    web, sink = mailing_web
    email = _sign_up(web)  # this browser stays signed in: the reset signs it out
    assert web.get("/account", headers=EN).status_code == 200
    with TestClient(web.app) as other:
        assert 'href="/password/forgot"' in other.get("/login", headers=EN).text
        answer = _ask_for_a_link(other, email.upper())
        assert "If an account uses" in answer
        token = _token_in(sink, email)
        form = other.get("/password/reset", headers=EN)  # the token stays in the browser's address bar
        assert form.status_code == 200 and '<script src="/static/password-reset.js"' in form.text

        def check(value: str, csrf: str | None = None) -> int:  # what the page's script asks before showing the form
            return other.post("/password/reset/check", data={
                "token": value, "csrf_token": _csrf(other, "/password/reset") if csrf is None else csrf}).status_code
        assert check(token) == 204
        assert check(token, csrf="forged") == 403  # a page of another site cannot ask
        assert check("garbage") == check(token[:-2]) == check("") == 410
        short = _set_password(other, token, "short")
        assert short.status_code == 400 and "at least 10" in short.text and 'name="token"' in short.text
        done = _set_password(other, token, "a new password 456")
        assert done.status_code == 303 and done.headers["location"] == "/login?after=reset"
        assert "Your new password is set" in other.get("/login?after=reset", headers=EN).text
        assert check(token) == 410  # spent: the page says so before a password is typed
        spent = _set_password(other, token, "yet another password 789")
        assert spent.status_code == 400 and "expired or was used already" in spent.text
        assert 'href="/password/forgot"' in spent.text and 'name="token"' not in spent.text

        def log_in(password: str) -> int:
            return other.post("/login", data={"email": email, "password": password, "csrf_token": _csrf(other)},
                              headers=EN, follow_redirects=False).status_code

        assert log_in(PASSWORD) == 401 and log_in("a new password 456") == 303
    assert web.get("/account", headers=EN, follow_redirects=False).status_code != 200  # signed out


def test_a_password_link_says_nothing_about_who_has_an_account(mailing_web: tuple[TestClient, MailSink]) -> None:
    web, sink = mailing_web
    known = _sign_up(web)
    web.cookies.clear()
    strip = functools.partial(re.sub, r'name="csrf-token" content="[^"]+"|[\w.-]+@example\.org', "")
    answers = [strip(_ask_for_a_link(web, address)) for address in (known, "nobody-at-all@example.org")]
    assert answers[0] == answers[1]
    assert [m["To"] for m in sink.messages] == [known]
    for _ in range(3):  # three per address and hour, whether or not it has an account
        _ask_for_a_link(web, "nobody-else@example.org")
    r = web.post("/password/forgot", headers={**HTML, "Accept-Language": "zh-CN"},
                 data={"email": "nobody-else@example.org", "csrf_token": _csrf(web, "/password/forgot")})
    assert r.status_code == 429 and "等一小时" in r.text
    r = web.post("/password/forgot", headers={**HTML, "Accept-Language": "zh-CN"},  # the browser's check bypassed
                 data={"email": " ", "csrf_token": _csrf(web, "/password/forgot")})
    assert r.status_code == 400 and "请填写电子邮箱地址" in r.text


def test_bad_password_links_and_addresses_are_refused_in_the_readers_language(
        mailing_web: tuple[TestClient, MailSink]) -> None:
    web, sink = mailing_web
    zh = {**HTML, "Accept-Language": "zh-CN"}
    for token in ("", "not.a.token", "x" * 500, "<script>alert(1)</script>"):
        r = _set_password(web, token, "a new password 456", zh)
        assert r.status_code == 400 and "链接已过期或已使用过" in r.text and "<script>alert" not in r.text
    assert _set_password(web, "x" * 2001, "a new password 456", zh).status_code == 422
    hostile = "<b>me</b>@evil.org,victim@example.com"
    r = web.post("/password/forgot", headers=zh, data={"email": hostile, "csrf_token": _csrf(web, "/password/forgot")})
    assert r.status_code == 400 and "<b>me</b>" not in r.text and html.escape("<b>me</b>") in r.text
    assert sink.messages == []


def test_a_refused_password_form_marks_its_field(mailing_web: tuple[TestClient, MailSink]) -> None:
    """The forgotten-password form's address and the new password of a link, as on sign-up; a refusal
    about no field (too many requests, a spent link) marks none."""
    web, sink = mailing_web
    email = _sign_up(web)
    web.cookies.clear()
    for typed in (" ", "not an address"):
        r = web.post("/password/forgot", data={"email": typed, "csrf_token": _csrf(web, "/password/forgot")},
                     headers=ZH)
        assert r.status_code == 400 and _marked(r.text) == {"email": "forgot-error"}, typed
    _ask_for_a_link(web, email)
    token = _token_in(sink, email)
    for password in ("short", "1234567890"):
        r = _set_password(web, token, password, ZH)
        assert r.status_code == 400 and _marked(r.text) == {"password": "reset-error"}, password
        assert lxml_html.fromstring(r.text).get_element_by_id("reset-error").get("role") == "alert"
    spent = _set_password(web, "not.a.token", "a new password 456", ZH)
    assert spent.status_code == 400 and 'aria-invalid' not in spent.text
    for _ in range(3):  # past the limit per address: said, about no field
        r = web.post("/password/forgot", data={"email": email, "csrf_token": _csrf(web, "/password/forgot")},
                     headers=ZH)
    assert r.status_code == 429 and _marked(r.text) == {"email": None}


def test_without_a_mail_server_the_form_asks_the_administrators(web: TestClient) -> None:
    """The form stays (it was a dead end that said to ask an administrator, with no way to): the
    address goes to the administrators (tests/api/pages/test_admin_pages.py follows it there)."""
    page = web.get("/password/forgot", headers={**HTML, "Accept-Language": "zh-CN"})
    assert "本站未配置发信服务" in page.text and 'action="/password/forgot"' in page.text
    r = web.post("/password/forgot", headers={**HTML, "Accept-Language": "zh-CN"},
                 data={"email": "someone@example.org", "csrf_token": _csrf(web, "/password/forgot")})
    assert r.status_code == 200 and "本站管理员会在站内消息中收到请求" in r.text
    reset = web.get("/password/reset", headers={**HTML, "Accept-Language": "zh-CN"}).text
    assert "请从本站管理员交给您的链接打开此页面" in reset and "邮件" not in reset.split("data-no-token")[1][:200]


def test_signed_in_the_login_and_sign_up_pages_say_so(web: TestClient) -> None:
    _sign_up(web)
    login = web.get("/login", params={"next": "/collections"}, headers=EN, follow_redirects=False)
    assert login.status_code == 303 and login.headers["location"] == "/collections"
    outside = web.get("/login", params={"next": "//evil.example"}, headers=EN, follow_redirects=False)
    assert outside.headers["location"] == "/"
    signup = web.get("/signup", headers=EN)
    assert signup.status_code == 200 and "You are signed in as" in signup.text and 'action="/signup"' not in signup.text


def test_changing_the_password_signs_out_the_other_browsers(web: TestClient) -> None:
    email = _sign_up(web)
    with TestClient(web.app) as other:
        r = other.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(other)},
                       headers=EN, follow_redirects=False)
        assert r.status_code == 303 and other.get("/account", headers=EN).status_code == 200
        changed = web.post("/account/password", headers=EN, follow_redirects=False, data={
            "current": PASSWORD, "new": "a new password 456", "csrf_token": _csrf(web, "/account")})
        assert changed.status_code == 303 and changed.headers["location"] == "/account?done=password"
        assert "Every other browser" in web.get(changed.headers["location"], headers=EN).text
        assert web.get("/account", headers=EN).status_code == 200  # the browser that asked stays in
        ended = other.get("/account", headers=EN, follow_redirects=False)
        assert ended.status_code == 303 and ended.headers["location"] == "/login?next=%2Faccount&after=ended"
        assert "Your session has ended" in other.get(ended.headers["location"], headers=EN).text
    inbox = web.get("/inbox", headers=EN).text  # the owner is told, with what to do if it was not them
    assert "Your password was changed" in inbox and "someone else may know your password" in inbox
    assert '<a href="/account#password-h">Set a new password</a>' in inbox  # signed in: not the mail-only reset
    assert "您的密码已更改" in web.get("/inbox", headers={**HTML, "Accept-Language": "zh-CN"}).text


def test_chinese_pages_put_the_chinese_colon_after_a_label(web: TestClient) -> None:
    _sign_up(web)
    page = web.get("/account", headers={**HTML, "Accept-Language": "zh-CN"}).text
    assert "角色：成员" in page and "角色: " not in page


def test_the_usual_address_for_signing_up_leads_to_the_form(web: TestClient) -> None:
    r = web.get("/register", headers=HTML, follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/signup"
    assert 'name="password"' in web.get("/register", headers=HTML).text
    assert web.post("/register", data={"email": "x@example.org"}, headers=HTML).status_code == 405  # no sign-up here


def test_a_service_hall_action_that_is_none_is_refused_by_name(web: TestClient) -> None:
    """An action the form never sends was a server error (the page read it after the form), and
    went into the redirect's address as typed."""
    _sign_up(web)
    r = web.post("/service-hall/applications/SH2026000001/act", data={"action": "bogus&x=1", "csrf_token": _csrf(web)},
                 headers={**HTML, "Accept-Language": "zh-CN"}, follow_redirects=False)
    assert r.status_code == 422 and "（办理操作）" in r.text


def test_a_new_api_key_is_shown_once_and_reloading_makes_no_second_key(web: TestClient) -> None:
    """POST, redirect, GET: the secret reaches the account page in a one-time cookie encrypted
    under the session's secret; a reload shows the list without it, and creates nothing."""
    _sign_up(web)
    made = web.post("/account/api-keys", data={"name": "laptop", "csrf_token": _csrf(web, "/account")},
                    headers=EN, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"] == "/account?done=key#keys-h"
    header = made.headers["set-cookie"]
    assert "ipc_once=" in header and "HttpOnly" in header and "SameSite=lax" in header
    assert "Path=/account" in header and "Max-Age=300" in header  # sent to the account page only, for minutes
    kept = web.cookies.get("ipc_once")
    assert kept and "ipc_" not in kept  # encrypted, not the key itself
    shown = web.get("/account?done=key", headers=EN).text
    secret = re.search(r'id="new-key">(ipc_[^<]+)<', shown)
    assert secret is not None and "Copy the key now" in shown
    # how a program sends it, and where to try it (nothing said so, and no page linked the API's documentation)
    how = lxml_html.fromstring(shown).get_element_by_id("keys-how")
    assert "X-API-Key" in how.text_content() and how.xpath(".//a/@href") == ["/docs"]
    assert web.get("/api/v1/auth/api-keys", headers={"X-API-Key": secret.group(1)}).status_code == 200

    again = web.get("/account?done=key", headers=EN).text  # the reload
    assert "new-key" not in again and secret.group(1) not in again
    assert again.count("<code>") == 1 and '<td data-label="Name">laptop</td>' in again  # one key, listed

    # hostile: a forged or altered cookie, or one carried to another account's session, shows nothing
    for value in ("not-a-token", kept[:-4] + "AAAA"):
        web.cookies.set("ipc_once", value)
        assert "new-key" not in web.get("/account?done=key", headers=EN).text
    web.post("/logout", data={"csrf_token": _csrf(web, "/account")}, headers=HTML)
    _sign_up(web)
    web.cookies.set("ipc_once", kept)
    assert "new-key" not in web.get("/account?done=key", headers=EN).text


def test_a_key_name_that_does_not_fit_is_refused_and_kept(web: TestClient) -> None:
    """A blank name became the English "key", and one over 100 characters was cut without a word."""
    _sign_up(web)
    for name, said in (("   ", "Name is required"), ("键" * 150, "Name takes at most 100 characters")):
        r = web.post("/account/api-keys", data={"name": name, "csrf_token": _csrf(web, "/account")}, headers=EN,
                     follow_redirects=False)
        assert r.status_code == 400 and 'id="key-error"' in r.text, name
        assert said in html.unescape(r.text), r.text[r.text.find('id="key-error"'):][:200]
        assert f'value="{name}"' in r.text
    assert "<code>" not in web.get("/account", headers=EN).text  # no key was made
    made = web.post("/account/api-keys", data={"name": "laptop", "csrf_token": _csrf(web, "/account")}, headers=EN)
    assert 'data-confirm="Revoke the key “laptop”? Programs using it are refused at once."' in made.text


def test_account_forms_say_what_they_did_and_refuse_empty_fields_beside_themselves(web: TestClient) -> None:
    """A saved profile and a revoked key are said (the page used to reload without a word); a field
    left empty past the browser's check is refused beside its form, not on a bare error page."""
    _sign_up(web)
    saved = web.post("/account/profile", data={"display_name": "Ada", "csrf_token": _csrf(web, "/account")},
                     headers=EN, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"] == "/account?done=profile"
    said = web.get(saved.headers["location"], headers=EN).text
    assert "Profile saved." in said
    menu = '<a class="who" href="/account"><span class="menu-only">Your account: </span>Ada</a>'
    assert menu in said  # in the phone menu
    for path, data, box in (("/account/profile", {}, "profile-error"),
                            ("/account/profile", {"display_name": ""}, "profile-error"),
                            ("/account/api-keys", {"name": ""}, "key-error"),
                            ("/account/password", {"current": "", "new": ""}, "password-error")):
        r = web.post(path, data={**data, "csrf_token": _csrf(web, "/account")}, headers=EN, follow_redirects=False)
        assert r.status_code == 400 and f'id="{box}"' in r.text, (path, data, r.text[:300])
    refused = web.post("/account/profile", data={"display_name": "  ", "language": "zh",
                                                 "csrf_token": _csrf(web, "/account")}, headers=EN)
    field = html.unescape(refused.text[refused.text.find('id="display_name"'):][:200])
    assert 'value="  "' in field and 'aria-describedby="profile-error"' in field  # what was typed, described
    assert '<option value="zh" selected>' in refused.text  # and what was chosen
    wrong = web.post("/account/password", data={"current": "not it", "new": "long enough 123",
                                                "csrf_token": _csrf(web, "/account")}, headers=EN)
    assert wrong.status_code == 400 and wrong.text.count('aria-describedby="password-error"') == 2
    assert "Ada" in web.get("/account", headers=EN).text  # the saved name is untouched

    web.post("/account/api-keys", data={"name": "laptop", "csrf_token": _csrf(web, "/account")}, headers=EN)
    key_id = re.search(r'action="/account/api-keys/(\d+)/revoke"', web.get("/account", headers=EN).text)
    assert key_id is not None
    revoked = web.post(f"/account/api-keys/{key_id.group(1)}/revoke", data={"csrf_token": _csrf(web, "/account")},
                       headers=EN, follow_redirects=False)
    assert revoked.headers["location"] == "/account?done=revoked#keys-h"
    page = web.get("/account?done=revoked", headers=EN).text
    keys = page[page.index('id="keys-h"'):]  # said beside the keys the page is scrolled to, not above the profile
    assert "Key revoked" in keys and "Key revoked" not in page[:page.index('id="keys-h"')]
    assert '<td data-label="Status">Revoked</td>' in keys and ">In use</td>" not in keys and 'class="stack"' in keys
    assert "Profile saved." not in web.get("/account?done=nonsense", headers=EN).text


def _mail_box(client: TestClient) -> tuple[bool, str]:
    """Whether the account page's e-mail box is ticked, and the hint beside it."""
    page = lxml_html.fromstring(client.get("/account", headers=EN).text)
    [box] = page.xpath('//input[@name="email_notifications"]')
    return box.get("checked") is not None, page.get_element_by_id("mail-hint").text_content()


def test_a_member_chooses_whether_notices_are_e_mailed(web: TestClient,
                                                        mailing_web: tuple[TestClient, MailSink]) -> None:
    """The mailer honoured a choice no page offered: the profile form has the box, ticked from the
    start, and says what it covers (security notices are mailed in any case) or that this site
    sends no e-mail; an unticked box is not sent by a browser, so a save without it turns mail off."""
    _sign_up(web)
    assert _mail_box(web) == (True, "This site sends no e-mail at present: your notices stay in your inbox. "
                                "Ticked, they are e-mailed too once it does.")
    mailing, _ = mailing_web
    _sign_up(mailing)
    ticked, hint = _mail_box(mailing)
    assert ticked and "Security notices (your password changed) are e-mailed in any case." in hint

    def save(client: TestClient, **box: str) -> Response:
        return client.post("/account/profile", data={"display_name": "Ada", "csrf_token": _csrf(client, "/account"),
                                                     **box}, headers=EN, follow_redirects=False)

    assert save(mailing).status_code == 303 and _mail_box(mailing)[0] is False
    assert save(mailing, email_notifications="1").status_code == 303 and _mail_box(mailing)[0] is True
    refused = save(mailing, email_notifications="<script>")  # no browser sends that: a plain refusal, nothing saved
    assert refused.status_code == 422 and "<script>" not in refused.text and _mail_box(mailing)[0] is True
    blank = save(mailing, display_name=" ")  # refused beside the form, the box as it was sent (unticked)
    [box] = lxml_html.fromstring(blank.text).xpath('//input[@name="email_notifications"]')
    assert blank.status_code == 400 and box.get("checked") is None and _mail_box(mailing)[0] is True


def test_a_spent_password_link_says_it_once_and_its_link_is_the_way_on(
        mailing_web: tuple[TestClient, MailSink]) -> None:
    """The page of a spent link read "… has expired or was used already; ask for a new one" and then
    a link saying "Ask for a new link": one sentence now, and the link is the action, both where the
    server finds the link spent (a password sent with it) and where the page's script does."""
    web, _sink = mailing_web
    said = "This link to set a new password has expired or was used already. Ask for a new one"
    for token in ("not.a.token", '"><script>alert(1)</script>'):  # hostile: it stays out of the page
        r = _set_password(web, token, "a new password 456")
        assert r.status_code == 400 and "<script>alert" not in r.text and 'name="token"' not in r.text
        page = lxml_html.fromstring(r.text)
        (spent,) = page.xpath("//main//*[contains(@class, 'error')]")  # not a second box repeating it
        assert spent.get("role") == "alert" and " ".join(spent.text_content().split()) == said
        assert [(a.text, a.get("href")) for a in spent.xpath(".//a")] == [("Ask for a new one", "/password/forgot")]
        assert len(page.xpath("//main//a[@href='/password/forgot']")) == 1
    page = lxml_html.fromstring(web.get("/password/reset", headers=EN).text)
    (shown_by_script,) = page.xpath("//p[@data-spent]")
    assert shown_by_script.get("hidden") is not None and " ".join(shown_by_script.text_content().split()) == said
    assert shown_by_script.xpath(".//a/@href") == ["/password/forgot"]
    zh = lxml_html.fromstring(_set_password(web, "not.a.token", "a new password 456", ZH).text)
    (spent,) = zh.xpath("//main//*[contains(@class, 'error')]")
    assert spent.text_content() == "这个设置新密码的链接已过期或已使用过。重新申请一个"
