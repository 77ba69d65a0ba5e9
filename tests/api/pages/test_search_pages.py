"""The search and patent pages on real family data (EPO OPS samples): one row per family with the
other members listed and a switch back to one row per document; the patent page's family members
and forward citations; the Chinese page; field codes with spaces; one LexisNexis CNIPA document
whose parties the source repeats in several data formats."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from lxml import html

from api.app import create_app
from api.pages.field_help import FIELD_HELP, OPERATOR_HELP, described_codes, parser_codes
from api.pages.search import facet_lists
from core.settings import BackendKind, Settings
from ipsearch.names import harmonise_name
from ipsearch.query.ast import ALIASES, field_names
from ipsearch.query.parser import parse_query
from ipsearch.results import FacetBucket
from loaders.pipeline import run_load
from tests.databases import migrated

EN = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}
QUERY = "FAM=19768124 OR CC=JP"  # the EP1000000 family (six documents) and three Japanese ones


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> Iterator[TestClient]:
    patents = shared_data_dir / "patents"
    settings = Settings(data_dir=tmp_path_factory.mktemp("family-pages") / "var", shared_data_dir=shared_data_dir,
                        database_url=None, elasticsearch_url=None, broker_url=None, redis_url=None)
    migrated(settings.effective_database_url)
    lexisnexis = patents / "cnipa" / "CN101096965A.xml"
    assert run_load(settings, [patents / "ops", patents / "epo", patents / "jpo", lexisnexis],
                    backend=BackendKind.embedded).failed == 0
    with TestClient(create_app(settings)) as client:
        yield client


def rows(page: str) -> list[html.HtmlElement]:
    return html.fromstring(page).xpath("//article[contains(@class, 'hit')]")


def test_one_row_per_family_lists_the_other_members(web: TestClient) -> None:
    by_document = web.get("/", params={"q": QUERY}, headers=EN)
    by_family = web.get("/", params={"q": QUERY, "group": "family"}, headers=EN)
    assert by_document.status_code == by_family.status_code == 200
    assert len(rows(by_document.text)) == 9 and len(rows(by_family.text)) == 4
    assert "4 families, 9 documents" in html.fromstring(by_family.text).get_element_by_id("result-count").text_content()
    family_row = [r for r in rows(by_family.text) if r.xpath(".//p[contains(@class, 'family')]")]
    assert len(family_row) == 1
    members = [a.text_content() for a in family_row[0].xpath(".//p[contains(@class, 'family')]//a")]
    assert len(members) == 5 and "EP1000000B1" in members + [family_row[0].xpath(".//h3/a")[0].text_content()]
    # the switch is kept by facet links, so refining stays in family rows
    page = html.fromstring(by_family.text)
    facet_links = [a.get("href") for a in page.xpath("//section[contains(@class, 'facet')]//a")]
    assert facet_links and all("group=family" in href for href in facet_links)
    selected = page.xpath("//select[@id='group']/option[@selected]")
    assert [o.get("value") for o in selected] == ["family"]


def test_family_rows_in_chinese(web: TestClient) -> None:
    page = web.get("/", params={"q": "同族=19768124", "group": "family"}, headers=ZH)
    assert page.status_code == 200
    assert "1 个同族，6 件文献" in page.text and "同族其他文献" in page.text


def test_bad_grouping_is_a_clear_error(web: TestClient) -> None:
    r = web.get("/", params={"q": QUERY, "group": "inventor"}, headers=EN)
    assert r.status_code == 422 and "does not fit (Grouping)" in r.text  # names the value that does not fit


def test_the_field_help_lists_every_field_and_chinese_name(web: TestClient) -> None:
    """A field a row: its code with its other names, what it searches (in the reader's words), an
    example. Every field and name the parser takes is there, and every example parses as written."""
    for headers, meaning in ((EN, "Earliest priority date"), (ZH, "最早优先权日")):
        helped = html.fromstring(web.get("/", headers=headers).text).get_element_by_id("query-help")
        names = set(" ".join(dt.text_content() for dt in helped.xpath(".//div[@class='field-groups']//dt")).split())
        assert {name for name in ALIASES if not name.isascii()} <= names
        assert {code for code in field_names() if code.isascii()} <= names  # codes and their ASCII aliases
        prd = next(dt for dt in helped.xpath(".//dt") if dt.findtext("code") == "PRD")
        assert meaning in prd.getnext().text_content() and "优先权日" in prd.text_content()
    assert described_codes() == parser_codes()
    # the examples in the boxes are the reader's words, and run as written
    for headers, word in ((EN, "light emitting diode"), (ZH, "发光二极管")):
        page = html.fromstring(web.get("/", headers=headers).text)
        examples = [page.get_element_by_id("q").get("placeholder"),
                    page.xpath("//input[@name='b_words']")[0].get("placeholder")]
        assert all(word in example for example in examples)
        parse_query(examples[0])
    for row in [row for group in FIELD_HELP for row in group.rows] + [r for r in OPERATOR_HELP if r.code != "#n"]:
        parse_query(row.example)  # raises if the help shows a query the parser refuses


def test_patent_page_lists_family_members_and_says_when_there_are_none(web: TestClient) -> None:
    page = html.fromstring(web.get("/patent/EP1000000A1", headers=EN).text)
    section = page.get_element_by_id("fam-h").getparent()
    linked = {a.text_content() for a in section.xpath(".//a")}
    assert len(linked) == 5 and "EP1000000B1" in linked and "EP1000000A1" not in linked
    cited = page.get_element_by_id("citing-h").text_content()
    assert re.search(r"\(0\)$", cited.strip())  # the real samples do not cite each other
    alone = html.fromstring(web.get("/patent/JP2005533465A", headers=EN).text)
    assert "No other document of this family" in alone.get_element_by_id("fam-h").getparent().text_content()
    # where the document was read from, named for people, not as the loader's code ("ops")
    source = page.xpath("//dt[.='Source']/following-sibling::dd[1]")[0].text_content()
    assert source == "EPO Open Patent Services"  # both were read from OPS responses
    assert "欧洲专利局开放专利服务（OPS）" in web.get("/patent/JP2005533465A", headers=ZH).text
    chinese = html.fromstring(web.get("/patent/EP1000000A1", headers=ZH).text)  # counts in full-width brackets
    assert chinese.get_element_by_id("fam-h").text_content() == "同族成员（5）"
    assert chinese.get_element_by_id("citing-h").text_content().endswith("（0）")


def test_the_claim_tree_nests_claims_on_the_foregoing_ones_and_links_each_claim(web: TestClient) -> None:
    """EP1000000A1's claims 4, 9 and 10 read "as claimed in any of the foregoing claims": under claim 1."""
    page = html.fromstring(web.get("/patent/EP1000000A1", headers=EN).text)
    tree = page.xpath("//summary[.='Claim tree']/following-sibling::ul")[0]
    assert [a.text_content() for a in tree.xpath("./li/a")] == ["claim 1"]  # the one independent claim
    nested = {a.text_content() for a in tree.xpath("./li/ul//a")}
    assert {"claim 4", "claim 9", "claim 10"} <= nested
    for link in tree.xpath(".//a"):
        target = page.get_element_by_id(link.get("href").removeprefix("#"))
        assert target.tag == "li" and target.get("value") == link.text_content().split()[-1]


def test_class_symbol_with_its_space_on_the_search_page(web: TestClient) -> None:
    spaced = web.get("/", params={"q": "IPC=B28B 1/29"}, headers=EN)
    joined = web.get("/", params={"q": "IPC=B28B1/29"}, headers=EN)
    assert spaced.status_code == 200 and len(rows(spaced.text)) == len(rows(joined.text)) > 0


@pytest.mark.parametrize("headers,claim", [(EN, r"Claim \d+:"), (ZH, r"权利要求 \d+：")])
def test_a_claims_search_shows_the_claim_that_matched(web: TestClient, headers: dict[str, str], claim: str) -> None:
    page = web.get("/", params={"q": "CL=(device OR method)"}, headers=headers)
    assert page.status_code == 200
    shown = [r.xpath(".//p[contains(@class, 'claim-match')]") for r in rows(page.text)]
    assert shown and all(len(p) == 1 for p in shown)  # each hit: its title and abstract are not marked for CL=
    for p in (found[0] for found in shown):
        assert re.fullmatch(claim, p.xpath("./span[@class='meta']")[0].text_content().strip())
        assert {m.text_content().lower() for m in p.xpath(".//mark")} & {"device", "method"}
    api = web.get("/api/v1/patents/search", params={"q": "CL=(device OR method)"})
    assert api.status_code == 200 and all(h["claim"] is None for h in api.json()["hits"])  # the pages' lookup


@pytest.mark.parametrize("params,english,chinese", [
    ({"q": "PN=EP1000000B1"}, "1 result", "共 1 条结果"),
    ({"q": "FAM=19768124 OR CC=JP"}, "9 results", "共 9 条结果"),
    ({"q": "FAM=19768124", "group": "family"}, "1 family, 6 documents", "1 个同族，6 件文献"),
])
def test_counts_read_in_the_form_their_number_takes(web: TestClient, params: dict[str, str], english: str,
                                                    chinese: str) -> None:
    for headers, expected in ((EN, english), (ZH, chinese)):
        page = html.fromstring(web.get("/", params=params, headers=headers).text)
        assert page.get_element_by_id("result-count").text_content().split(" · ")[0].strip() == expected


def test_the_api_refuses_a_search_set_it_cannot_know(web: TestClient) -> None:
    r = web.get("/api/v1/patents/search", params={"q": "#1 AND #2"})
    assert r.status_code == 400 and "#1 names a set of a search history" in r.json()["detail"]
    page = web.get("/", params={"q": "#1 AND #2"}, headers=ZH)  # a visitor: asked to log in
    assert page.status_code == 400 and "登录" in page.text


def test_a_bad_address_gives_a_page_not_json(web: TestClient) -> None:
    page = web.get("/", params={"q": "led", "sort": "foo"}, headers=ZH)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "网址或表单中有不符合要求的值" in page.text
    api = web.get("/api/v1/patents/search", params={"q": "led", "sort": "foo"})
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")


def test_query_errors_in_chinese(web: TestClient) -> None:
    page = web.get("/", params={"q": "名称=(电池"}, headers=ZH)
    assert page.status_code == 400 and "括号“(”没有闭合" in page.text
    # a query too long is not repeated, and no caret stands alone on a line below the refusal
    long = web.get("/", params={"q": "led " * 600}, headers=ZH)
    error = re.search(r'class="error" role="alert">.*?<pre>(.*?)</pre>', long.text, re.S)
    assert long.status_code == 400 and error is not None and "2000" in error.group(1)
    assert "^" not in error.group(1) and "\n" not in error.group(1).strip()


@pytest.mark.parametrize(("query", "chinese"), [
    ("PD>=20100", "不是日期：“20100”（请写作 2010、2010-03 或 2010-03-15）"),
    ("PN=US", "不是公开号：“US”"),
    ("TI>led", "TI 只能用“=”，不能用“>”"),
    ("light NEAR100 diode", "邻近距离必须在 1 到 99 之间"),
    ("the OR of", "检索式中没有可检索的内容：只有停用词、标点或超过 60 个字符的词"),
    ("!!!", "检索式中没有可检索的内容：只有停用词、标点或超过 60 个字符的词"),
    ("x" * 300, "检索式中没有可检索的内容：只有停用词、标点或超过 60 个字符的词"),
    ("TI=( )", "这个“)”前面缺少词语或括号组"),
    ("light NEAR1000 diode", "邻近距离必须在 1 到 99 之间"),
    ("TI=ab*", "通配符前面至少要有 3 个字母或两个汉字：“ab*”"),
    ("PA=三*", "通配符前面至少要有 3 个字母或两个汉字：“三*”"),
])
def test_query_errors_with_values_in_chinese(web: TestClient, query: str, chinese: str) -> None:
    page = web.get("/", params={"q": query}, headers=ZH)
    assert page.status_code == 400 and chinese in html.fromstring(page.text).text_content()
    english = web.get("/", params={"q": query}, headers=EN)
    assert chinese not in english.text and "'" in english.text


def test_export_follows_the_rows_shown(web: TestClient) -> None:
    """One row per family in the results: one row per family in the file, with the other members."""
    shown = html.fromstring(web.get("/", params={"q": QUERY, "group": "family"}, headers=EN).text)
    link = shown.xpath("//p[@id='export']/a[starts-with(@href, '/export?') and contains(@href, 'format=csv')]/@href")
    assert link and "group=family" in link[0]
    assert shown.xpath("//p[@id='result-count']/a[@href='#export']")  # found from the count, not only below 20 rows
    r = web.get(link[0], headers=EN)
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 4 and {"Family ID", "Family members"} <= set(rows[0])
    ep = next(row for row in rows if row["Family ID"] == "19768124")
    assert len(ep["Family members"].split("; ")) == 5
    api = web.get("/api/v1/patents/export", params={"q": QUERY, "format": "csv", "group": "family"})
    assert api.text.startswith("pn,title,")  # the API's file keeps the field names scripts read
    per_document = web.get("/export", params={"q": QUERY, "format": "csv"}, headers=EN)
    assert len(list(csv.DictReader(io.StringIO(per_document.content.decode("utf-8-sig"))))) == 9
    # a hand-edited limit names the value refused and reopens with the words kept (it offered a bare
    # /export, refused again for want of them)
    refused = web.get("/export", params={"q": QUERY, "format": "csv", "limit": "99999999"}, headers=ZH)
    assert refused.status_code == 422 and "导出行数" in refused.text
    again = html.fromstring(refused.text).xpath("//a[contains(@href, '/export?')]/@href")
    assert again == ["/export?" + urlencode({"q": QUERY, "format": "csv"})], again
    assert web.get(again[0], headers=ZH).status_code == 200


def test_the_patent_page_says_whether_it_is_in_force_and_why(web: TestClient) -> None:
    """EP1000000A1 lapsed (OPS legal events): the status with its evidence date and code, the
    expiry taken from the event, and the events themselves; in Chinese too."""
    view = web.get("/api/v1/patents/EP1000000A1").json()["legal"]
    assert view["status"] == "lapsed" and view["expiry_basis"] == "event" and view["since"]
    page = html.fromstring(web.get("/patent/EP1000000A1", headers=EN).text)
    status = page.get_element_by_id("legal-status").text_content()
    # its evidence is PG25, the lapse in the last designated state: said in words, not as the code
    assert view["code"] == "PG25" and status.startswith("Lapsed") and "in the last of its designated states" in status
    assert "from a legal event" in page.get_element_by_id("expiry").text_content()
    # a lapsed right ended (it did not expire) on the day its last lapse took effect, which the events
    # show beside the day the lapse was announced (NL, announced 31 Aug 2011, in effect from 1 Jun)
    assert page.get_element_by_id("expiry").getprevious().text_content() == "Rights ended"
    assert view["expiry_date"] == "2011-06-01" and "1 Jun 2011" in page.get_element_by_id("expiry").text_content()
    dates = [row.xpath("./td")[0].text_content() for row in page.xpath("//table[@id='legal-events']/tbody/tr")
             if row.xpath("./td")[1].text_content() == "NL"]
    assert "31 Aug 2011in effect from 1 Jun 2011" in dates
    events = page.xpath("//details[summary[starts-with(normalize-space(), 'Legal events')]]//tbody/tr")
    assert len(events) > 3
    meanings = {row.xpath("./td")[2].text_content(): row.xpath("./td")[3].text_content() for row in events}
    assert meanings["AK"] == "Designated contracting states (with the publication)"  # was "Application published"
    zh = html.fromstring(web.get("/patent/EP1000000A1", headers=ZH).text)
    assert zh.get_element_by_id("legal-status").text_content().startswith("失效")
    assert "依法律事件" in zh.get_element_by_id("expiry").text_content()
    assert zh.get_element_by_id("expiry").getprevious().text_content() == "权利终止日"
    pending = html.fromstring(web.get("/patent/JP2021044377A", headers=EN).text)  # an application, no legal data
    assert pending.get_element_by_id("legal-status").text_content().startswith("Pending")
    # expired by its term, its evidence the grant: not "Expired (12 Feb 2003, B1)", which read as expiring on grant
    assert web.get("/api/v1/patents/EP1000000B1").json()["legal"]["expiry_basis"] == "estimate"
    term = html.fromstring(web.get("/patent/EP1000000B1", headers=EN).text).get_element_by_id("legal-status")
    assert term.text_content() == "Expired (by its statutory term)"


def test_a_party_is_listed_once_with_its_other_names_and_found_by_them(web: TestClient) -> None:
    """CN101096965A (LexisNexis) repeats its applicant in four data-format entries and each of
    six inventors in four: the page lists one applicant and six inventors, each with the Chinese
    name the source also gives, and a search by that name finds the document."""
    page = html.fromstring(web.get("/patent/CN101096965A", headers=EN).text)
    fields = {dt.text_content(): dt.getnext().text_content() for dt in page.xpath("//dl/dt")}
    assert fields["Applicant"] == "MITSUBISHI ELECTRIC CORP. (三菱电机株式会社)"
    assert fields["Inventor"].count(";") == 5 and "ARAI TOSHIKATSU (新井俊胜)" in fields["Inventor"]
    zh = html.fromstring(web.get("/patent/CN101096965A", headers=ZH).text)
    assert "MITSUBISHI ELECTRIC CORP.（三菱电机株式会社）" in zh.text_content()
    for query in ("PA=三菱电机", "IN=新井俊胜", "PA=mitsubishi AND IN=arai"):
        found = web.get("/api/v1/patents/search", params={"q": query}).json()
        assert [h["pn"] for h in found["hits"]] == ["CN101096965A"], query
    facet = web.get("/api/v1/patents/search", params={"q": "PN=CN101096965A", "facets": "applicant"}).json()
    assert [b["count"] for b in facet["facets"]["applicant"]] == [1]


def test_legal_events_say_what_they_did_in_the_readers_language(web: TestClient) -> None:
    """INPADOC words events in English whatever the office; beside them the page says what each did
    (CN101096965A: published, examination requested, designated in Hong Kong, then deemed
    withdrawn: the two between, which change no status, were left blank), and the description's
    language is named."""
    zh = html.fromstring(web.get("/patent/CN101096965A", headers=ZH).text)
    events = zh.xpath("//details[summary[starts-with(normalize-space(), '法律事件')]]//tbody/tr")
    meanings = [row.xpath("./td")[3].text_content() for row in events]
    assert meanings == ["申请公布", "实质审查请求生效", "在香港请求记录指定专利申请",
                        "申请撤回、视为撤回或被驳回"]  # C02 is deemed withdrawn, not withdrawn
    assert all("nowrap" in row.xpath("./td")[0].get("class", "") for row in events)
    assert zh.xpath("//details/summary[starts-with(normalize-space(), '说明书')]")[0].text_content() == "说明书（中文）"
    en = html.fromstring(web.get("/patent/CN101096965A", headers=EN).text)
    events = en.xpath("//details[summary[starts-with(normalize-space(), 'Legal events')]]//tbody/tr")
    assert [row.xpath("./td")[3].text_content() for row in events] == [
        "Application published", "Request for substantive examination in force",
        "Request to record the designated patent application in Hong Kong",
        "Application withdrawn, deemed withdrawn or refused"]


def test_an_edited_cursor_is_refused_in_the_readers_language(web: TestClient) -> None:
    """A cursor with one character changed is not one the service issued: a 400 page in Chinese
    (no server error), and a problem document from the API."""
    cursor = web.get("/api/v1/patents/search", params={"q": QUERY, "size": 2}).json()["next_cursor"]
    edited = cursor[:-3] + ("A" if cursor[-3] != "A" else "B") + cursor[-2:]
    page = web.get("/", params={"q": QUERY, "cursor": edited}, headers=ZH)
    assert page.status_code == 400 and page.headers["content-type"].startswith("text/html")
    assert "这个翻页标记不是本服务发出的" in html.fromstring(page.text).text_content()
    api = web.get("/api/v1/patents/search", params={"q": QUERY, "size": 2, "cursor": edited})
    assert api.status_code == 400 and "not one this service issued" in api.json()["detail"]


def test_a_missing_patent_is_named_in_chinese(web: TestClient) -> None:
    page = web.get("/patent/US99999999B2", headers=ZH)
    assert page.status_code == 404 and "文献库中没有 US99999999B2" in html.fromstring(page.text).text_content()


def test_the_applicant_facet_shows_names_as_written(web: TestClient) -> None:
    page = html.fromstring(web.get("/", params={"q": QUERY}, headers=EN).text)
    # its owners: the assignees, else the applicants (a patent page names the two apart)
    shown = page.xpath("//section[contains(@class, 'facet')][h2 = 'Applicant/assignee']//li/a/text()")
    assert "BEHEERMAATSCHAPPIJ DE BOER NIJMEGEN B.V" in shown  # its key: 'beheermaatschappij de boer nijmegen b v'
    assert all(name not in shown for name in map(harmonise_name, shown) if name.isascii())
    chinese = html.fromstring(web.get("/", params={"q": QUERY}, headers={"Accept-Language": "zh-CN"}).text)
    assert chinese.xpath("//section[contains(@class, 'facet')][h2 = '申请人/专利权人']//li/a")
    exported = web.get("/export", params={"q": QUERY, "format": "csv"}, headers={"Accept-Language": "zh-CN"})
    assert "申请人/专利权人" in exported.content.decode("utf-8-sig").splitlines()[0]


def test_synthetic_documents_are_labelled_in_every_list(embedded_settings: Settings, tmp_path: Path) -> None:
    """Each result row and each similar patent of a synthetic document carries the SYNTHETIC label."""
    from loaders.synthetic import SyntheticOptions, write_weekly_files

    write_weekly_files(tmp_path / "syn", SyntheticOptions(docs=12, seed=3))
    assert run_load(embedded_settings, [tmp_path / "syn"], backend=BackendKind.embedded).loaded == 12
    with TestClient(create_app(embedded_settings)) as client:
        found = rows(client.get("/", params={"q": "light"}, headers=ZH).text)
        assert found and all("合成数据" in row.text_content() for row in found)
        first = found[0].xpath(".//h3/a")[0].text_content()
        similar = html.fromstring(client.get(f"/patent/{first}", headers=EN).text).xpath(
            "//h2[@id='sim-h']/following-sibling::ul[1]/li")
        assert similar and all("SYNTHETIC" in item.text_content() for item in similar)


def test_the_guessed_search_address_leads_to_the_search_page(web: TestClient) -> None:
    r = web.get("/search", params={"q": "TI=lamp", "sort": "date"}, follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/?q=TI%3Dlamp&sort=date"
    assert web.get("/search", follow_redirects=False).headers["location"] == "/"


def test_the_export_links_take_every_row_the_search_found(web: TestClient) -> None:
    """They exported the first 1,000 rows of any search without a word."""
    page = html.fromstring(web.get("/", params={"q": QUERY}, headers=EN).text)
    total = int(re.sub(r"\D", "", page.xpath('string(//p[@id="result-count"])').split("·")[0]))
    [csv_link] = page.xpath('//p[@id="export"]/a[.="CSV"]/@href')
    assert f"limit={total}" in csv_link and f"(all {total} rows)" in page.xpath('string(//p[@id="export"])')
    rows = web.get(csv_link).content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == total + 1  # the header, then every result


def test_the_year_facet_lists_years_in_calendar_order(web: TestClient) -> None:
    page = html.fromstring(web.get("/", params={"q": QUERY, "f": []}, headers=EN).text)
    years = [int(y) for y in page.xpath("//section[contains(@class, 'facet')][h2 = 'Year']//li/a/text()")
             if y.strip().isdigit()]
    assert len(years) >= 2 and years == sorted(years, reverse=True)  # newest first, not by count


def test_a_year_facet_shows_the_newest_years_and_folds_the_rest() -> None:
    """The eight largest years were shown: a search whose older years were fuller lost its latest.
    The backends give years newest first (tests/ipsearch/test_conformance.py); the page keeps that order."""
    years = [FacetBucket(value=str(y), count=100 - (y - 2000)) for y in range(2011, 1999, -1)]  # thinner each year
    applicants = [FacetBucket(value=f"OWNER {i}", count=50 - i) for i in range(10)]
    lists = facet_lists({"year": years, "applicant": applicants, "country": []}, ["PD=2001", 'OWNER="OWNER 1"'])
    assert [b.value for b in lists["year"].shown] == [str(y) for y in range(2011, 2003, -1)]
    assert [b.value for b in lists["year"].more] == ["2003", "2002", "2001", "2000"]
    assert lists["year"].more_chosen  # PD=2001 is a filter: its fold opens
    assert [b.value for b in lists["applicant"].shown] == [f"OWNER {i}" for i in range(8)]  # by count
    assert not lists["applicant"].more_chosen  # the chosen owner is among those shown
    assert "country" not in lists  # a facet with no value is not listed


def test_a_facet_with_more_than_eight_values_folds_the_rest_on_the_page(web: TestClient) -> None:
    page = html.fromstring(web.get("/", params={"q": "CC=EP OR CC=JP OR CC=CN OR CC=WO OR CC=US"}, headers=EN).text)
    sections = page.xpath("//section[contains(@class, 'facet')]")
    folded = [s for s in sections if s.xpath(".//details")]
    assert folded, "no facet of this search has more than eight values"
    for section in folded:
        shown = section.xpath("./ul/li")
        more = section.xpath(".//details/ul/li")
        summary = section.xpath("string(.//details/summary)")
        assert len(shown) == 8 and more and summary == f"{len(more)} more"


def test_each_similar_patent_on_a_patent_page_says_what_it_shares(web: TestClient) -> None:
    page = html.fromstring(web.get("/patent/EP1019261B1", headers=EN).text)
    items = page.xpath("//ul[contains(@class, 'similar')]/li")
    assert items
    for item in items:
        said = item.xpath("string(.//span[contains(@class, 'likeness')])").strip()
        assert re.fullmatch(r"(same (group|subclass|US class|class|section) \S+.*|shared words: \w.*)", said), said
    chinese = html.fromstring(web.get("/patent/EP1019261B1", headers=ZH).text)
    said = chinese.xpath("string(//ul[contains(@class, 'similar')]/li[1]//span[contains(@class, 'likeness')])")
    assert re.match(r"(同一(大组|小类|美国分类|大类|部) |共同词语：)", said.strip()), said


def test_a_link_beside_the_count_goes_down_to_the_facets(web: TestClient) -> None:
    """On a phone the facets come after all twenty results; the link (shown there only) reaches them."""
    page = html.fromstring(web.get("/", params={"q": QUERY}, headers=ZH).text)
    [link] = page.xpath('//p[@id="result-count"]//span[@class="to-facets"]/a')
    assert link.get("href") == "#facets" and link.text_content() == "筛选 ↓"
    assert page.xpath('//aside[@id="facets"]//section[contains(@class, "facet")]')


@pytest.mark.parametrize(("headers", "hint"), [
    (EN, "US and EP documents write them in Latin letters: for example PA=huawei."),
    (ZH, "美国和欧洲专利文献的申请人名称以拉丁字母书写，例如 PA=huawei。")])
def test_an_applicant_named_in_chinese_that_finds_nothing_is_said_to_be_searched_as_written(
        web: TestClient, headers: dict[str, str], hint: str) -> None:
    """PA=华为 found nothing without a word, though PA=huawei finds Huawei Technologies Co., Ltd.:
    applicants are searched as the documents write them, and US and EP documents write them in
    Latin letters. Said for every applicant field (申请人, 专利权人, AS, 权利人) written in Chinese that
    finds nothing on its own; not for a Chinese name some document writes (CN101096965A: 三菱电机),
    a name in Latin letters, a name excluded by NOT or a Chinese word of the text."""
    for query in ("PA=华为", "申请人=华为技术有限公司", "专利权人=华为 AND TI=lamp", "AS=华为", "权利人=华为",
                  'PA="华为 技术"'):
        page = web.get("/", params={"q": query}, headers=headers)
        assert page.status_code == 200 and hint in page.text, query
        assert html.fromstring(page.text).get_element_by_id("names-hint").getparent().get("role") == "status"
    for query in ("PA=三菱电机 AND CC=JP", "PA=zzhuaweizz", "TI=zzqq NOT PA=华为", "TI=灯泡", "PA=三菱电机"):
        page = web.get("/", params={"q": query}, headers=headers)
        assert page.status_code == 200 and 'id="names-hint"' not in page.text, query


def _title(page: str) -> str:
    return html.fromstring(page).findtext(".//title")


def test_a_long_query_opens_the_title_cut_and_as_text(web: TestClient) -> None:
    """A 5,000-character query was the page's whole <title>: it is cut to a readable length, ending
    in "…" after a whole word, followed by the section; the site's name once, after it; markup in it
    stays text."""
    hostile = "</title><script>alert(1)</script> " + "light emitting diode " * 240
    for headers, section, site in ((EN, "Patent search", "IP Commons"), (ZH, "专利检索", "知识产权公共服务平台")):
        r = web.get("/", params={"q": hostile}, headers=headers)
        title = _title(r.text)
        shown, rest = title.split(" – ")
        assert rest == f"{section} · {site}" and title.count(site) == 1
        assert shown.startswith("</title><script>alert(1)</script> light emitting") and shown.endswith("diode…")
        assert len(shown) <= 60
        assert "<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; light" in r.text
    assert _title(web.get("/", params={"q": "light  emitting\ndiode"}, headers=EN).text) == (
        "light emitting diode – Patent search · IP Commons")
    assert _title(web.get("/", params={"q": "发光二极管" * 30}, headers=ZH).text) == (
        "发光二极管" * 11 + "发光二极… – 专利检索 · 知识产权公共服务平台")  # 59 characters and "…"
    assert _title(web.get("/", headers=EN).text) == "Patent search · IP Commons"  # no query, no dash


def _sign_up(web: TestClient, who: str) -> None:
    """A new account, signed in on ``web`` (the test signs it out again: the module's other tests are not)."""
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', web.get("/signup", headers=EN).text)
    assert csrf is not None
    signed = web.post("/signup", data={"email": f"{who}-{uuid.uuid4().hex[:8]}@example.org",
                                       "password": "correct horse battery", "csrf_token": csrf.group(1)},
                      headers=EN, follow_redirects=False)
    assert signed.status_code == 303


def test_a_search_says_its_number_in_the_history_and_links_there(web: TestClient) -> None:
    """"Saved as set #1" (已保存为检索式 #1) named a set of the search history as a saved query, which
    检索式 means on a collection: it says the search is in the history, as the number to combine."""
    _sign_up(web, "hist")
    try:
        for headers, query, said in ((EN, QUERY, "In your search history as #1"),
                                     (ZH, "CC=JP", "已记入检索历史，编号 #2")):
            page = html.fromstring(web.get("/", params={"q": query}, headers=headers).text)
            [link] = page.xpath('//p[@id="in-history"]/a')
            assert link.text_content() == said and link.get("href") == "#history"
            [history] = page.xpath('//aside[@id="history"]')
            assert history.xpath(f'.//li[strong="#{said[-1]}"]')  # the set it names, listed where it leads
        assert "Saved as set" not in web.get("/", params={"q": QUERY}, headers=EN).text
    finally:
        web.cookies.clear()  # the module's other tests are signed out


def test_a_long_query_in_the_history_is_cut_on_screen_and_kept_whole(web: TestClient) -> None:
    """On a phone a long query filled the history panel: its entry is cut to two lines by the
    stylesheet (line-clamp), the link and its title keep it whole, and it stays text."""
    _sign_up(web, "long")
    query = 'TXT=(lamp OR "<img src=x onerror=alert(1)>" OR ' + " OR ".join(f"word{n}" for n in range(60)) + ")"
    try:
        text = web.get("/", params={"q": query}, headers=EN).text
        assert "<img src=x" not in text
        [entry] = html.fromstring(text).xpath('//aside[@id="history"]//li[@class="history-set"]')
        [link] = entry.xpath("a[@class='history-query']")
        assert link.text_content() == query and link.get("title") == query  # whole, for hover and screen readers
        assert entry.xpath("strong/text()") == ["#1"] and entry.xpath("span[@class='meta']")
    finally:
        web.cookies.clear()  # the module's other tests are signed out
    css = (Path(__file__).resolve().parents[3] / "api" / "static" / "app.css").read_text()
    rule = re.search(r"\.history-query \{([^}]*)\}", css)
    assert rule is not None and "-webkit-line-clamp: 2" in rule.group(1) and "overflow: hidden" in rule.group(1)


def test_sets_combined_from_the_history_panel_are_searched_and_refused_on_the_search_page(web: TestClient) -> None:
    """The panel's form sent empty or longer than its box (its "required" and "maxlength" bypassed)
    was a whole page of 422: nothing typed is the page again, the rest is searched as typed and
    refused there in the page's words."""
    _sign_up(web, "combine")
    try:
        web.get("/", params={"q": QUERY}, headers=EN)  # set #1
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', web.get("/", headers=EN).text)
        assert csrf is not None

        def combine(expression: str | None) -> str:
            sent = {"csrf_token": csrf.group(1)} | ({"expression": expression} if expression is not None else {})
            r = web.post("/search/combine", data=sent, headers=EN, follow_redirects=False)
            assert r.status_code == 303, r.text
            return str(r.headers["location"])

        assert combine(None) == combine("  ") == "/#history"
        assert combine(" #1 NOT #1 ") == "/?q=%231+NOT+%231"
        too_long = "#1 AND " + " OR ".join(["<b>lamp</b>"] * 200)
        shown = web.get(combine(too_long), headers=EN)
        said = html.fromstring(shown.text).xpath('string(//div[@class="error"]/pre)')
        assert shown.status_code == 400 and "longer than 2000 characters" in said and "<b>lamp" not in shown.text, said
        unknown = web.get(combine("#9 AND #1"), headers=ZH)
        said = html.fromstring(unknown.text).xpath('string(//div[@class="error"]/pre)')
        assert unknown.status_code == 400 and said == "您的检索历史中没有检索式 #9", said  # said on the page
    finally:
        web.cookies.clear()  # the module's other tests are signed out
