"""Bad input gets problem+json 4xx, never a 500."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.requests import Request

from api.app import API_ROUTERS, create_app
from api.problems import HTTP_TITLES, PROBLEM_TYPES, STATUS, asked_language, problem, type_slug, worded
from core.errors import Conflict, InvalidInput, TooManyRequests
from core.i18n import Day, Language, Term
from core.settings import Settings
from tests.helpers import PASSWORD


def test_malformed_json_is_400_problem(client: TestClient) -> None:
    for body in (b"{not json", b'{"email": "a@b.org", "password": ', b"\xff\xfe\x00garbage"):
        r = client.post("/api/v1/auth/register", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 400, (body, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        problem = r.json()
        assert problem["status"] == 400 and problem["title"] == "Malformed JSON"
        assert problem["request_id"] == r.headers["x-request-id"]


def test_wrong_shape_is_422_problem(client: TestClient) -> None:
    r = client.post("/api/v1/auth/register", json={"email": ["x"], "password": 5})
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert {tuple(e["loc"]) for e in r.json()["errors"]} >= {("body", "email"), ("body", "password")}


def test_oversized_body_is_413_problem(client: TestClient) -> None:
    limit = client.app.state.platform.settings.max_body_bytes
    big = b'{"email": "a@b.org", "password": "' + b"x" * (limit + 10) + b'"}'
    r = client.post("/api/v1/auth/register", content=big, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"


def test_oversized_chunked_body_without_length_is_413(client: TestClient) -> None:
    limit = client.app.state.platform.settings.max_body_bytes

    def chunks():  # no Content-Length: the middleware must count
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    r = client.post("/api/v1/auth/register", content=chunks(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_unknown_route_and_method_are_problems(client: TestClient) -> None:
    r = client.get("/api/v1/nope")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    r = client.get("/api/v1/auth/register")
    assert r.status_code == 405 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["detail"] == "this address takes other methods: its Allow header lists them"
    assert r.headers["allow"] == "POST"


def test_request_id_is_echoed_or_generated(client: TestClient) -> None:
    r = client.get("/healthz", headers={"X-Request-ID": "abc12345-test"})
    assert r.headers["x-request-id"] == "abc12345-test"
    r = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces\n"})
    assert r.headers["x-request-id"] != "bad id with spaces\n" and len(r.headers["x-request-id"]) == 32


def test_login_with_missing_form_fields_is_422(client: TestClient) -> None:
    r = client.post("/api/v1/auth/token", data={"username": "x@example.org"})
    assert r.status_code == 422
    # the fields sent as JSON: said as what to change, not as two missing fields
    r = client.post("/api/v1/auth/token", json={"username": "x@example.org", "password": PASSWORD})
    assert r.status_code == 400 and "as form fields" in r.json()["detail"]
    r = client.post("/api/v1/auth/token", content=b'{"username": "x"}',
                    headers={"content-type": "application/vnd.api+json; charset=utf-8"})
    assert r.status_code == 400


def test_openapi_docs_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/v1/auth/token" in spec["paths"] and "/api/v1/audit" in spec["paths"]
    # each operation says what it does: FastAPI's own summary is the function's name ("Me", "Chain")
    generated = {route.name.replace("_", " ").title() for router in API_ROUTERS for route in router.routes
                 if isinstance(route, APIRoute)}
    summaries = [op["summary"] for path in spec["paths"].values() for op in path.values()]
    assert len(summaries) > 100 and not generated & set(summaries)


def test_an_address_with_no_page_is_said_in_the_readers_language(client: TestClient) -> None:
    """A person's browser gets a sentence, not the router's English "Not Found" under "未找到"."""
    zh = client.get("/no-such-page", headers={"accept": "text/html", "accept-language": "zh-CN"})
    assert zh.status_code == 404 and "Not Found" not in zh.text
    assert "这个网址没有对应的页面：请检查网址，或回到检索页重新开始" in zh.text
    # the site's sections stay one click away, and the account links of a signed-out visitor
    assert '<a href="/copyright" >版权登记</a>' in zh.text and 'href="/service-hall"' in zh.text
    assert 'href="/login"' in zh.text and 'href="/admin"' not in zh.text
    en = client.get("/no-such-page", headers={"accept": "text/html", "accept-language": "en"})
    assert "There is no page at this address: check it, or start again from the search page" in en.text
    assert '<a href="/">Back to search</a>' in en.text
    wrong_method = client.delete("/", headers={"accept": "text/html", "accept-language": "zh-CN"})
    assert wrong_method.status_code == 405 and "不能以这种方式使用此页面：请返回后重试" in wrong_method.text
    api = client.get("/api/v1/no-such-route")
    assert api.json()["title"] == "Not found"  # a problem document for API clients, its detail a sentence
    assert api.json()["detail"] == "no operation at this address: the API's operations are listed at /docs"


def test_an_address_with_no_page_in_the_community_leads_back_to_the_community(client: TestClient) -> None:
    """Under /community an address no page answers led back to the patent search (返回检索), as if
    the reader were lost in the search; it leads to the community, as a missing forum does."""
    for lang, home, words in (("zh-CN", "前往社区论坛", "这个网址没有对应的页面：请检查网址，或从下方的链接重新开始"),
                              ("en", "Go to the community forums",
                               "There is no page at this address: check it, or start again from the link below")):
        html = {"accept": "text/html", "accept-language": lang}
        for path in ("/community/nonexistent", "/community/forums/999999"):
            r = client.get(path, headers=html)
            main = r.text.split("<main", 1)[1].split("</main>", 1)[0]
            assert r.status_code == 404 and f'<a href="/community">{home}</a>' in main, (lang, path)
            assert 'href="/"' not in main and "返回检索" not in main and "Back to search" not in main, (lang, path)
        assert words in client.get("/community/nonexistent", headers=html).text
    # the directory of agencies is a section of its own, under the community's
    r = client.get("/community/agencies/1/nothing/here", headers={"accept": "text/html", "accept-language": "en"})
    assert r.status_code == 404 and '<a href="/community/agencies">Search the directory of IP agencies</a>' in r.text


def test_going_back_to_a_forms_address_leads_to_its_page(client: TestClient) -> None:
    """A refused form is shown at the address it was posted to; going back or reloading asks that
    address for a page, which takes posts only: the browser is sent to the page the form is on."""
    html = {"accept": "text/html"}
    for form, page in (("/community/forums/1/topics", "/community/forums/1"), ("/collections/7/edit", "/collections/7"),
                       ("/community/topics/3/posts", "/community/topics/3")):
        r = client.get(form, headers=html, follow_redirects=False)
        assert (r.status_code, r.headers.get("location")) == (303, page), form
    alone = client.get("/history/clear", headers=html, follow_redirects=False)  # nothing above it is a page
    assert alone.status_code == 405
    api = client.get("/api/v1/collections/7/items/remove", follow_redirects=False)
    assert api.status_code in (404, 405) and "location" not in api.headers  # the API keeps its answers


def test_an_error_page_keeps_the_readers_session_and_language(client: TestClient) -> None:
    """Refused before the page's handler ran (no route, a parameter that does not fit) or by it (a
    topic that does not exist): the header still shows who is signed in, in the language they
    chose, with a working logout form; it was drawn as for a visitor, in the browser's language."""
    html = {"accept": "text/html", "accept-language": "en"}
    page = client.get("/signup", headers=html).text
    token = page.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    signed = client.post("/signup", data={"email": "reader@example.org", "password": PASSWORD, "csrf_token": token},
                         headers=html, follow_redirects=False)
    assert signed.status_code == 303
    account = client.get("/account", headers=html).text
    token = account.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    chosen = client.post("/language", data={"lang": "zh", "next": "/", "csrf_token": token}, headers=html,
                         follow_redirects=False)
    assert chosen.status_code == 303
    for path, status in (("/no-such-page", 404), ("/community/topics/999999", 404), ("/?sort=sideways", 422)):
        r = client.get(path, headers=html)  # the browser says English; the reader chose Chinese
        assert r.status_code == status, path
        assert '<html lang="zh-Hans">' in r.text and 'href="/inbox"' in r.text and 'href="/login"' not in r.text
        assert 'action="/logout"' in r.text and 'name="csrf_token" value=""' not in r.text, path


def test_a_value_that_does_not_fit_is_named_as_people_know_it(client: TestClient) -> None:
    """Not by its code name ("post_id", "sort"): by the form's label, a number in the address, or,
    for a value people never see (``trail``), not named at all."""
    zh, en = ({"accept": "text/html", "accept-language": lang} for lang in ("zh-CN", "en"))
    for path, english, chinese in (("/community/posts/abc", "(Number in the address)", "（网址中的编号）"),
                                   ("/?q=led&sort=sideways&page=0", "(Sort order)", "（排序方式）"),
                                   ("/?q=led&trail=" + "x" * 40001, "does not fit: go back", "不符合要求的值：请返回")):
        r = client.get(path, headers=en)
        assert r.status_code == 422 and english in r.text, path
        assert chinese in client.get(path, headers=zh).text, path
        assert "post_id" not in r.text and "trail)" not in r.text


def test_a_missing_page_reached_by_a_link_of_this_site_links_back_to_it(client: TestClient) -> None:
    html = {"accept": "text/html", "accept-language": "en"}
    r = client.get("/community/topics/999999", headers={**html, "referer": "http://testserver/community?x=1"})
    assert r.status_code == 404 and '<a href="/community?x=1">Back to the page you came from</a>' in r.text
    for referer in ("http://evil.example/community", "http://testserver/community/topics/999999", ""):
        r = client.get("/community/topics/999999", headers={**html, "referer": referer})
        assert "Back to the page you came from" not in r.text, referer  # another site, itself, typed


def test_a_fault_of_ours_is_a_page_for_a_person_and_a_problem_for_a_client(embedded_settings: Settings) -> None:
    """An unexpected exception (a bug) is logged and answered 500: a person's browser gets the
    site's error page in their language, never the raw JSON problem document; an API client gets that."""
    app = create_app(embedded_settings)

    def broken() -> None:
        raise RuntimeError("a bug, with internals: /srv/secret.py line 12")

    app.add_api_route("/reports/broken", broken)
    app.add_api_route("/api/v1/broken", broken)
    with TestClient(app, raise_server_exceptions=False) as client:
        page = client.get("/reports/broken", headers={"accept": "text/html", "accept-language": "zh-CN"})
        assert page.status_code == 500 and page.headers["content-type"].startswith("text/html")
        assert '<html lang="zh-Hans">' in page.text and "服务器内部错误" in page.text
        assert "我们这边出了问题，已记录在案：请稍后重试，或返回上一页" in page.text
        assert "secret.py" not in page.text and 'href="/copyright"' in page.text  # the site's header, no internals
        api = client.get("/api/v1/broken")
        assert api.status_code == 500 and api.headers["content-type"] == "application/problem+json"
        assert api.json()["detail"] == "an unexpected error occurred; it has been logged"


def test_a_problems_type_leads_to_a_page_saying_what_it_means(client: TestClient) -> None:
    """The type pointed at a domain of nobody's: a developer who followed it found nothing."""
    problem = client.get("/api/v1/auth/me").json()
    assert problem["type"] == "/problems/not-authenticated"
    page = client.get(problem["type"], headers={"accept": "text/html", "accept-language": "zh-CN"})
    assert page.status_code == 200 and "X-API-Key" in page.text and "未登录" in page.text
    assert 'href="/problems/conflict"' in page.text  # and the other types beside it
    assert client.get("/problems/no-such-thing", headers={"accept": "text/html"}).status_code == 404
    assert client.get("/problems/" + "x" * 41).status_code in (404, 422)
    # every title the API answers with, from the tables and from the handlers' own calls
    source = "".join(p.read_text() for p in Path("api").glob("*.py"))
    said = set(re.findall(r'problem(?:_document)?\(\s*\d+,\s*"([^"]+)"', source))
    titles = {t for _, t in STATUS.values()} | set(HTTP_TITLES.values()) | said | {"HTTP error"}
    assert len(said) >= 3 and {type_slug(t) for t in titles} <= PROBLEM_TYPES.keys()
    assert "](/problems)" in client.get("/openapi.json").json()["info"]["description"]


def test_a_refusal_is_said_in_chinese_to_a_client_that_asks_first_for_chinese(client: TestClient) -> None:
    """The service's words, translated with their values, and the problems' own fixed sentences; a
    client that asks for nothing, or for English first, reads them as written (a program's log and
    its developers' searches stay English)."""
    asked = {"zh-CN,zh;q=0.9,en;q=0.8": ("zh", "不是有效的电子邮箱地址：“not-mail”"),
             "en-US, zh;q=0.5": ("en", "not an e-mail address: “not-mail”"),
             "": ("en", "not an e-mail address: “not-mail”")}
    for header, (lang, detail) in asked.items():
        r = client.post("/api/v1/auth/register", json={"email": "not-mail", "password": PASSWORD},
                        headers={"accept-language": header} if header else {})
        assert (r.status_code, r.json()["detail"], r.headers["content-language"]) == (400, detail, lang), header
        assert "Accept-Language" in r.headers["vary"] and r.json()["title"] == "Invalid input"  # the type stays
    missing = client.get("/api/v1/patents/US0000001B1", headers={"accept-language": "zh"})
    assert (missing.status_code, missing.json()["detail"]) == (404, "文献库中没有 US0000001B1")
    zh = {"accept-language": "zh-CN"}  # the problems no service raises: their fixed sentences
    assert client.get("/api/v1/nope", headers=zh).json()["detail"] == "此地址没有接口：全部接口见 /docs"
    shape = client.post("/api/v1/auth/register", json={"email": 1}, headers=zh)
    assert (shape.status_code, shape.json()["detail"], shape.headers["content-language"]) == (
        422, "请求与接口定义不符", "zh")
    broken = client.post("/api/v1/auth/register", content=b"{", headers=zh | {"content-type": "application/json"})
    assert (broken.status_code, broken.json()["detail"]) == (400, "请求体不是有效的 JSON")


def _asking(language: str | None) -> Request:
    headers = [(b"accept-language", language.encode())] if language is not None else []
    return Request({"type": "http", "method": "GET", "path": "/api/v1/x", "headers": headers, "query_string": b""})


def test_english_is_the_refusal_as_written_and_an_untranslated_one_is_said_to_be_english() -> None:
    """English is ``detail`` itself: its ISO day and status names as the API spells them, not the
    catalog's English for people ("7 Dec 2026", "Under review")."""
    refusal = Conflict.said("the time to supply the materials of application %(number)s ended on %(due)s: the "
                            "application is deemed withdrawn", number="SH1", due=Day(dt.date(2026, 3, 23)))
    stated = Conflict.said("application %(number)s is %(status)s: it waits for no materials", number="SH1",
                           status=Term("handling"))
    for exc in (refusal, stated):
        for asked in (None, "", "en", "*", "zh;q=0", "fr, zh", "en;q=0.9, zh;q=0.8", "x" * 10_000):
            said, lang = worded(exc, asked_language(_asking(asked)))
            assert (said, lang) == (exc.detail, Language.en), asked
    assert worded(refusal, Language.zh) == ("办件 SH1 的补正期限已于2026年3月23日届满，申请视为撤回", Language.zh)
    assert worded(stated, Language.zh) == ("办件 SH1 当前状态为“承办中”：不在补正期间", Language.zh)
    assert worded(InvalidInput("a sentence the catalog does not have"), Language.zh) == (
        "a sentence the catalog does not have", Language.en)  # not labelled Chinese
    assert worded(InvalidInput(""), Language.zh) == ("", Language.en)  # not the catalog's header
    assert asked_language(_asking("zh-TW, en")) is Language.zh


def test_a_problem_keeps_the_headers_its_caller_gave() -> None:
    response = problem(429, "Too many requests", TooManyRequests("slow down", retry_after=7), _asking("zh-CN"),
                       headers={"Retry-After": "7", "Vary": "Origin"})
    assert (response.headers["retry-after"], response.headers["vary"]) == ("7", "Origin, Accept-Language")
    assert response.headers["content-language"] == "en"  # "slow down" has no translation: said as written
