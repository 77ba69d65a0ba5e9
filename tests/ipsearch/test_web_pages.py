"""The pages people use: search with highlights and facets, errors, the document view; no XSS."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from core.settings import Settings


@pytest.fixture(scope="module")
def web(corpus_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_settings), headers={"Accept-Language": "en"}) as client:
        yield client


def test_search_page_shows_highlighted_results_and_facets(web: TestClient) -> None:
    r = web.get("/", params={"q": 'TI="light emitting"'})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert re.search(r"<mark>Light[ -]emitting</mark>", r.text, re.IGNORECASE) and "results" in r.text
    assert 'href="/patent/' in r.text and "IPC subclass" in r.text


def test_query_errors_are_shown_not_500(web: TestClient) -> None:
    r = web.get("/", params={"q": "TI=(led"})
    assert r.status_code == 400 and "never closed" in r.text
    for pasted in ("led " * 1000, "led " * 3000):  # past the query language's limit, and far past
        long = web.get("/", params={"q": pasted}, headers={"Accept": "text/html"})
        assert long.status_code == 400 and "2000 characters" in long.text, len(pasted)
    address = web.get("/", params={"q": "led " * 9000}, headers={"Accept": "text/html"})  # only the address bound
    assert address.status_code == 422 and address.headers["content-type"].startswith("text/html")


def test_script_in_query_is_escaped(web: TestClient) -> None:
    payload = '<script>alert(1)</script>'
    r = web.get("/", params={"q": payload})
    assert payload not in r.text and "&lt;script&gt;" in r.text
    r = web.get("/", params={"q": '"><img src=x onerror=alert(1)>'})
    assert "<img src=x" not in r.text


def test_document_page(web: TestClient) -> None:
    r = web.get("/patent/CN113781974A")
    assert r.status_code == 200 and "显示设备" in r.text and "Claim tree" in r.text
    assert web.get("/patent/US0000001B1").status_code == 404
    zh = web.get("/patent/CN113781974A", headers={"Accept-Language": "zh-CN"})
    assert "权利要求树" in zh.text and "著录项目" in zh.text


def test_the_results_list_titles_documents_in_the_readers_language(web: TestClient) -> None:
    """A Chinese document with an English title too: the English title for an English reader, its
    own for a Chinese one, through the API's ``lang`` as through the pages."""
    api = web.get("/api/v1/patents/search", params={"q": "CC=CN", "size": 100}).json()
    both = next(h for h in api["hits"] if {"en", "zh"} <= h["titles"].keys())
    en, zh = both["titles"]["en"], both["titles"]["zh"]
    assert both["title"] == en
    read = web.get("/api/v1/patents/search", params={"q": f"PN={both['pn']}", "lang": "zh"}).json()
    assert [h["title"] for h in read["hits"]] == [zh]
    for tag in ("zh-CN", "ZH", "zh_Hans"):  # a language tag: its language alone counts
        tagged = web.get("/api/v1/patents/search", params={"q": f"PN={both['pn']}", "lang": tag}).json()
        assert [h["title"] for h in tagged["hits"]] == [zh]
    for hostile in ("<script>", "", "zh-" + "x" * 40):
        assert web.get("/api/v1/patents/search", params={"q": "led", "lang": hostile}).status_code == 422
    english = web.get("/", params={"q": f"PN={both['pn']}"}).text
    chinese = web.get("/", params={"q": f"PN={both['pn']}"}, headers={"Accept-Language": "zh-CN"}).text
    assert html.escape(en) in english and html.escape(zh) not in english
    assert html.escape(zh) in chinese
    assert not any(h["synthetic"] for h in api["hits"]) and "合成数据" not in chinese  # a real document
    page = web.get(f"/patent/{both['pn']}", headers={"Accept-Language": "zh-CN"}).text
    assert page.index(html.escape(zh)) < page.index(html.escape(en))  # the reader's language first
    english_page = web.get(f"/patent/{both['pn']}").text
    assert english_page.index(html.escape(en)) < english_page.index(html.escape(zh))


def test_the_api_titles_in_the_language_its_client_accepts(web: TestClient) -> None:
    """Without ``lang`` the API reads the Accept-Language header, as the pages do, and says so in
    ``Vary``; ``lang`` wins over the header; the downloads follow the same rule."""
    api = web.get("/api/v1/patents/search", params={"q": "CC=CN", "size": 100}).json()
    both = next(h for h in api["hits"] if {"en", "zh"} <= h["titles"].keys())
    en, zh = both["titles"]["en"], both["titles"]["zh"]
    query = {"q": f"PN={both['pn']}"}
    chinese = web.get("/api/v1/patents/search", params=query, headers={"Accept-Language": "zh-CN,en;q=0.8"})
    assert [h["title"] for h in chinese.json()["hits"]] == [zh] and chinese.headers["vary"] == "Accept-Language"
    overridden = web.get("/api/v1/patents/search", params=query | {"lang": "en"}, headers={"Accept-Language": "zh"})
    assert [h["title"] for h in overridden.json()["hits"]] == [en]
    for header in ("*", "zh;q=0", "", "x;;q=abc"):  # nothing to read: the default title
        odd = web.get("/api/v1/patents/search", params=query, headers={"Accept-Language": header})
        assert odd.status_code == 200 and [h["title"] for h in odd.json()["hits"]] == [en], header
    csv_zh = web.get("/api/v1/patents/export", params=query, headers={"Accept-Language": "zh"}).content.decode()
    assert zh in csv_zh and en not in csv_zh
    page_csv = web.get("/export", params=query, headers={"Accept-Language": "zh-CN"}).content.decode("utf-8-sig")
    assert zh in page_csv and en not in page_csv


def test_a_name_typed_alone_is_offered_as_an_applicant(web: TestClient) -> None:
    page = web.get("/", params={"q": "Seoul Opto"}, headers={"Accept-Language": "zh-CN"}).text
    assert "作为申请人名称检索" in page and 'PA=&#34;Seoul Opto&#34;' in page and "PA=Seoul" in page
    assert "Seoul</code>：" in page  # a Chinese colon on a Chinese page


def test_a_row_showing_no_match_says_where_the_words_are(web: TestClient) -> None:
    page = web.get("/", params={"q": "led"}, headers={"Accept-Language": "zh-CN"}).text
    assert "检索词出现在其权利要求或说明书中。" in page
    assert "检索词出现在" not in web.get("/", params={"q": "IPC=H01L"}, headers={"Accept-Language": "zh-CN"}).text


def test_an_abbreviation_is_offered_with_its_other_names(web: TestClient) -> None:
    page = web.get("/", params={"q": "LED，lamp"}).text  # the Chinese comma separates the words
    offer = re.search(r'<p class="notice" id="widen">(.*?)</p>', page, re.S)
    assert offer is not None, page
    assert "You may also search LED by its other names:" in offer.group(1)
    link = re.search(r'href="([^"]+)">\(LED OR &#34;light emitting diode&#34;\) AND lamp</a>', offer.group(1))
    assert link is not None, offer.group(1)
    wider = web.get(html.unescape(link.group(1))).text
    assert 'id="widen"' not in wider  # the widened query has nothing more to offer
    assert "(it would find 2 documents)" in offer.group(1) and re.search(r"\b2 results\b", wider)
    assert 'id="widen"' not in web.get("/", params={"q": "lamp"}).text
    zh = web.get("/", params={"q": "LED，lamp"}, headers={"Accept-Language": "zh-CN"}).text
    assert "还可连同 LED 的同义词和英文说法一起检索：" in zh and "（可检出 2 件文献）" in zh  # an offer, not done


def test_a_query_near_the_limits_is_searched_though_its_widening_is_not(web: TestClient) -> None:
    long = "LED " + "lamp " * 150 + "x" * 1240  # 1,994 characters; with "LED" widened, past 2,000
    r = web.get("/", params={"q": long})
    assert r.status_code == 200 and 'id="widen"' not in r.text and 'id="result-count"' in r.text
