"""Report pages over HTTP: the section's home and an industry dashboard in Chinese and English with
its filters, values the form would not send (a 422 page), custom scopes private to their owner
(another user and anonymous visitors get 404), applicant suggestions, a subscription naming an
unknown competitor (flagged in the form, nothing kept), markup in scope names and keywords staying
text, forms without the CSRF token (403), and a report requested, generated and opened through the
session cookie. The Chromium journey is in test_report_journey.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import html
from PIL import Image, ImageStat
from playwright.sync_api import Browser
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from analytics import portal as portal_service
from analytics.alerts import record
from analytics.models import CustomScope, Report, Severity, Subscription
from analytics.reports.service import generate
from analytics.rules import Evidence, Finding, Rule, Standing, StandingLevel
from api.app import create_app
from core.accounts.models import OrgKind, OrgRole, Role, User
from core.accounts.service import add_member, create_organisation, create_user
from core.db import session_factory
from core.i18n import Language, shown_today
from core.mail import _title
from core.notifications import Notification
from core.settings import BackendKind, Settings
from ipsearch.service import SearchService
from loaders.pipeline import run_load
from loaders.synthetic import SyntheticOptions, write_weekly_files
from tests.api.pages.led_documents import write_led_documents
from tests.databases import migrated

PASSWORD = "a long password 123"
EN = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}
XSS = "<script>alert('x')</script>"


class Portal(NamedTuple):
    settings: Settings
    clients: dict[str, TestClient]  # anon, alice, bob, carol


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> Iterator[Portal]:
    data = tmp_path_factory.mktemp("reports") / "var"
    settings = Settings(data_dir=data, shared_data_dir=shared_data_dir, database_url=None, elasticsearch_url=None,
                        broker_url=None, redis_url=None)
    migrated(settings.effective_database_url)
    write_weekly_files(data / "synthetic", SyntheticOptions(docs=300, seed=5))
    today = shown_today()
    recent = [(today - dt.timedelta(days=200 + 30 * i), today - dt.timedelta(days=10 + i)) for i in range(4)]
    write_led_documents(data / "recent", 7_000_000, "Aurora Lighting Co., Ltd.", "H01L 33/50", recent)
    assert run_load(settings, [data / "synthetic", data / "recent"], backend=BackendKind.embedded).loaded == 304
    with session_factory(settings.effective_database_url)() as s:
        people = {who: create_user(s, f"{who}-{uuid.uuid4().hex[:6]}@example.org", PASSWORD).email
                  for who in ("alice", "bob", "carol")}
        s.commit()
    app = create_app(settings)
    clients: dict[str, TestClient] = {"anon": TestClient(app)}
    for who, email in people.items():
        client = TestClient(app)
        form = {"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
        assert client.post("/login", data=form, headers=EN, follow_redirects=False).status_code == 303
        clients[who] = client
    yield Portal(settings, clients)
    for client in clients.values():
        client.close()


def _csrf(client: TestClient, path: str = "/reports") -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path, headers=EN).text)
    assert match is not None
    return match.group(1)


def _post(client: TestClient, path: str, data: dict[str, str], csrf: bool = True,
          headers: dict[str, str] = EN) -> httpx.Response:
    token = {"csrf_token": _csrf(client)} if csrf else {}
    return client.post(path, data=data | token, headers=headers, follow_redirects=False)


def test_home_and_dashboard_in_chinese_and_english(portal: Portal) -> None:
    anon = portal.clients["anon"]
    home = anon.get("/reports", headers=ZH)
    assert home.status_code == 200 and "半导体照明" in home.text
    for key in ("led", "digital-tv", "telecom", "medical-devices", "software"):
        assert f'href="/reports/industries/{key}"' in home.text
    en = anon.get("/reports/industries/led", headers=EN)
    zh = anon.get("/reports/industries/led", headers=ZH)
    assert en.status_code == zh.status_code == 200
    assert "<h1>Light-emitting diodes" in en.text and "<h1>半导体照明 (LED)" in zh.text
    assert 'lang="zh-Hans"' in zh.text and "LED芯片与封装" in zh.text and "LED chips and packaging" in en.text
    for page in (en.text, zh.text):
        assert 'id="stats-data"' in page and "/static/vendor/echarts.min.js" in page
        assert page.count('role="img"') == 5  # trend, applicants, branches, countries, places
        assert re.search(r'<a href="/patent/US9\d+B2">', page)  # key patents link to the patent page
        assert 'id="trend-table"' in page and 'id="completeness"' in page and 'id="terms-h"' in page
    labels = html.fromstring(zh.text).xpath('//div[@role="img"]/@aria-label')
    assert labels and all(label.endswith("（图表；表格中是相同的数据）") for label in labels)  # full-width brackets
    assert all(label.endswith(" (chart; the table has the same numbers)")
               for label in html.fromstring(en.text).xpath('//div[@role="img"]/@aria-label'))
    assert "Aurora Lighting Co., Ltd." in en.text  # applicants as printed, not as lower-case keys
    for page, concentration, growth in ((zh, "集中度", "年均增长率"), (en, "Concentration", "Annual growth")):
        facts = html.fromstring(page.text)
        # a Chinese page's brackets are full-width: "HHI 2414.8 (中度集中)" read as English
        left, right = map(re.escape, ("（", "）") if page is zh else (" (", ")"))
        said = facts.xpath(f'string(//dt[.="{concentration}"]/following-sibling::dd[1])')
        assert re.fullmatch(rf"CR4 [\d.]+% · HHI [\d.]+{left}\w[\w ]*{right}", said), said
        rate = facts.xpath(f'string(//dt[.="{growth}"]/following-sibling::dd[1])')
        assert rate == "–" or re.fullmatch(rf"-?[\d.]+%{left}\d{{4}}–\d{{4}}{right}", rate), rate
    countries = {lang: [c for c, _ in json.loads(html.fromstring(page.text).xpath('//script[@id="stats-data"]')[0]
                                                 .text)["countries"]] for lang, page in (("en", en), ("zh", zh))}
    assert "China" in countries["en"] and "中国" in countries["zh"] and "CN" not in countries["zh"]  # named
    incomplete = re.findall(r'<tr class="incomplete"><td>(\d{4})', en.text)
    complete = re.findall(r"<tr><td>(\d{4})</td>", en.text.split('id="trend-table"')[1].split("</table>")[0])
    assert incomplete and complete and max(map(int, complete)) < min(map(int, incomplete))
    # none of the LED scope's subgroups grew here: none is called fastest-growing (its slowest decline was)
    assert 'data-chart="hotspots"' not in en.text and "No IPC subgroup grew from the earlier window" in en.text
    assert "近期窗口中没有比前期窗口增长的 IPC 小组。" in zh.text


def test_a_scope_without_documents_draws_no_conclusions(portal: Portal) -> None:
    """Jilin holds none of this corpus's owners: no life-cycle stage, concentration band, empty
    chart or publication-lag caution made from nothing, but a sentence that says why."""
    for headers, said, stage in ((EN, "No document in the data falls in this scope and period", "Life-cycle stage"),
                                 (ZH, "数据中没有属于这一范围和时期的文献", "生命周期阶段")):
        page = portal.clients["anon"].get("/regions/220000", headers=headers)
        assert page.status_code == 200 and said in page.text, page.text[-3000:]
        facts = html.fromstring(page.text).xpath(f'//dl[@id="summary"]/dt[.="{stage}"]/following-sibling::dd[1]')
        assert [dd.text_content() for dd in facts] == ["–"]  # no stage made from nothing
        assert "CR4" not in page.text and 'id="completeness"' not in page.text
        assert 'data-chart="branches"' not in page.text and 'role="img"' not in page.text


def test_hotspots_are_subgroups_that_grew(portal: Portal) -> None:
    """Each hotspot row: more in the recent window than in the earlier one, its growth beside them."""
    rows = []
    for key, to in itertools.product(("led", "telecom", "software"), range(2014, 2025, 2)):  # windows that move
        page = portal.clients["anon"].get(f"/reports/industries/{key}?to={to}", headers=EN).text
        figure = page.split('id="stat-hotspots"', 1)[1].split("</figure>", 1)[0]
        rows += re.findall(r'<tr><td>([A-H]\d\d[A-Z] [^<]+)</td><td class="num">([\d,]+)</td>'
                           r'<td class="num">([\d,]+)</td><td class="num">\+([\d,]+)</td></tr>', figure)
    assert rows  # the synthetic corpus grows in some field
    for code, recent, earlier, growth in rows:
        r, e = int(recent.replace(",", "")), int(earlier.replace(",", ""))
        assert r > e and abs(int(growth.replace(",", "")) - 100 * (r - e) / max(e, 1)) <= 0.5, code


def test_filters_years_basis_home_and_counting(portal: Portal) -> None:
    anon = portal.clients["anon"]
    page = anon.get("/reports/industries/led?from=2012&to=2018&basis=priority&home=US&counting=document",
                    headers=EN).text
    table = page.split('id="trend-table"')[1].split("</table>")[0]
    years = [int(y) for y in re.findall(r"<td>(\d{4})", table)]
    assert years and min(years) >= 2012 and max(years) <= 2018
    assert '<option value="document" selected>' in page and '<option value="priority" selected>' in page
    assert 'name="home" size="3" maxlength="2" pattern="[A-Za-z]{2}"' in page and 'value="US"></span>' in page
    family = anon.get("/reports/industries/led?from=2012&to=2018", headers=EN).text
    assert '<option value="family" selected>' in family and "documents)" in family  # families, with documents


def test_year_boxes_left_empty_are_no_limit(portal: Portal) -> None:
    """The filters' form sends its empty year boxes as ``from=&to=``: that refused the whole page,
    so the filters only worked with both years typed."""
    anon = portal.clients["anon"]
    for path in ("/reports/industries/led", "/regions/440000"):
        whole = anon.get(f"{path}?from=&to=&basis=filing&home=CN&counting=document", headers=EN)
        assert whole.status_code == 200, (path, whole.text[:500])
        assert '<option value="document" selected>' in whole.text
    half = anon.get("/reports/industries/led?from=2015&to=+&basis=filing&home=CN&counting=family", headers=EN)
    assert half.status_code == 200
    table = half.text.split('id="trend-table"')[1].split("</table>")[0]
    assert min(int(y) for y in re.findall(r"<td>(\d{4})", table)) >= 2015


def test_a_one_year_period_draws_no_comparison(portal: Portal) -> None:
    """One year compared with three before it, outside the period and counted as nothing, read as a
    field just born (萌芽期) with every subgroup 新出现; the page now says the period is too short."""
    page = portal.clients["anon"].get("/reports/industries/led?from=2019&to=2019", headers=ZH).text
    summary = page.split('id="summary"')[1].split("</dl>")[0]
    assert "<dt>生命周期阶段</dt><dd>–</dd>" in summary and "<dt>年均增长率</dt><dd>–</dd>" in summary
    assert page.count('class="meta short-period"') == 2 and "新出现" not in page
    longer = portal.clients["anon"].get("/reports/industries/led?from=2012&to=2019", headers=ZH).text
    assert "short-period" not in longer and "2017–2019 年对比 2014–2016 年" in longer
    # years none of which is complete yet: not "too short", which two years are not
    ahead = portal.clients["anon"].get("/reports/industries/led?from=2030&to=2031", headers=ZH).text
    assert "所选年份尚不完整" in ahead and "所选时段太短" not in ahead


@pytest.mark.parametrize("query", ["from=abc", "basis=grant", "counting=patent", "to=99999"])
def test_bad_parameters_answer_with_a_422_page(portal: Portal, query: str) -> None:
    r = portal.clients["anon"].get(f"/reports/industries/led?{query}", headers=EN)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), r.text
    assert "<h1>Invalid request</h1>" in r.text
    assert '<a href="/reports/industries/led">Open this page again without the refused values</a>' in r.text
    # the values not refused are kept: the period stays when only its basis is refused
    kept = portal.clients["anon"].get("/reports/industries/led?from=2015&basis=grant", headers=EN)
    assert kept.status_code == 422 and 'href="/reports/industries/led?from=2015"' in kept.text
    # a number refused in the path: the same address would be refused again, so it is not offered
    path = portal.clients["anon"].get("/collections/0?start=2", headers=EN)
    assert path.status_code == 422 and "without the refused values" not in path.text
    assert portal.clients["anon"].get("/reports/industries/no-such-scope", headers=EN).status_code == 404
    # after a 404 the bare path is not found either: no link to it
    missing = portal.clients["anon"].get("/no-such-page?q=led", headers=EN)
    assert missing.status_code == 404 and "without the refused values" not in missing.text


def test_a_refused_value_is_named_by_its_label_and_a_reversed_period_is_refused_above_the_filters(
        portal: Portal) -> None:
    """The error page named the address's parameter ("(home)"); a reversed period replaced the
    dashboard with an error page. A lower-case country code is the code."""
    anon = portal.clients["anon"]
    named = anon.get("/reports/industries/led?from=x&counting=x", headers=ZH)
    assert named.status_code == 422 and "（统计口径、起始年份）" in named.text  # each by its label
    assert "counting" not in named.text.split("<main")[1]  # never the parameter's own name
    reversed_period = anon.get("/reports/industries/led?from=2020&to=2010", headers=ZH)
    assert reversed_period.status_code == 422
    # in the words of the form's own labels, with the years typed kept in it to be put right
    assert '<p class="error" role="alert" id="f-period-error">起始年份晚于截止年份：以下为全部年份的数据。</p>' in \
        reversed_period.text  # the figures below are not the period's: it says so
    assert "<h1>半导体照明 (LED)" in reversed_period.text
    assert 'id="f-from" name="from" type="number" min="1800" max="2200" value="2020"' in reversed_period.text
    assert 'id="f-to" name="to" type="number" min="1800" max="2200" value="2010"' in reversed_period.text
    region = anon.get("/regions/440000?from=2020&to=2010", headers=EN)
    assert region.status_code == 422 and 'value="2020"' in region.text and 'value="2010"' in region.text
    lower = anon.get("/reports/industries/led?home=us", headers=EN)
    assert lower.status_code == 200 and 'such as CN or US" value="US">' in lower.text


def _marked(page: str) -> dict[str, list[str]]:
    """The fields a refused form marks (aria-invalid), by id: the ids that describe each."""
    return {field.get("id"): (field.get("aria-describedby") or "").split()
            for field in html.fromstring(page).xpath('//main//*[@aria-invalid="true"]')}


def test_a_refused_period_or_region_marks_its_fields(portal: Portal) -> None:
    """A reversed period marked neither year (the home country beside it was marked); a comparison
    described every region's box, the empty ones too, by its refusal and marked none."""
    anon = portal.clients["anon"]
    period = {"f-from": ["f-period-error"], "f-to": ["f-period-error"]}
    for path in ("/reports/industries/led", "/regions/440000"):
        r = anon.get(path, params={"from": "2025", "to": "2010", "home": XSS}, headers=ZH)
        assert r.status_code == 422 and _marked(r.text) == period | {"f-home": ["f-home-error"]}, path
        assert html.fromstring(r.text).get_element_by_id("f-period-error").text_content() == \
            "起始年份晚于截止年份：以下为全部年份的数据。"
        assert XSS not in r.text
    for query, marked in (("r=广东&r=<b>Atlantis&r=&r=&r=", ["r-1"]), ("r=&r=<b>Atlantis", ["r-1"]),
                          ("r=广东&r=广东省&r=", ["r-0", "r-1"]),
                          ("r=广东&r=北京&from=2025&to=2010", ["f-from", "f-to"])):
        r = anon.get(f"/regions/compare?{query}", headers=ZH)
        assert r.status_code == 422 and "<b>Atlantis" not in r.text
        assert _marked(r.text) == dict.fromkeys(marked, ["compare-error"]), (query, _marked(r.text))
        described = html.fromstring(r.text).xpath('//*[contains(@aria-describedby, "error")]/@id')
        assert sorted(described) == sorted(marked), query  # the others are not described by the refusal
    assert _marked(anon.get("/regions/compare?r=广东&r=北京", headers=ZH).text) == {}


def test_regional_tables_download_as_csv_in_the_readers_words(portal: Portal) -> None:
    """A government office takes the provinces, a province's cities and its key companies into a
    spreadsheet: UTF-8 with a byte-order mark (Excel), headed in the reader's language, the page's
    filters kept by the link; a table or region that is none is an error, not an empty file."""
    anon = portal.clients["anon"]
    # the division table's source, in the reader's language (no English block in a Chinese page)
    overview_zh, overview_en = (anon.get("/regions", headers=h).text for h in (ZH, EN))
    assert "民政部县级以上行政区划代码表" in overview_zh and "Codes and Chinese names" not in overview_zh
    assert "Codes and Chinese names" in overview_en and "民政部" not in overview_en
    provinces = anon.get("/regions.csv", headers=ZH)
    assert provinces.status_code == 200 and provinces.headers["content-type"].startswith("text/csv")
    assert re.fullmatch(r'attachment; filename="regions-\d{4}-\d{2}-\d{2}.csv"',
                        provinces.headers["content-disposition"])
    assert provinces.text.startswith("\ufeff省份,代码,") and "广东省,440000," in provinces.text
    page = anon.get("/regions/440000?from=2010&to=2024&counting=document", headers=EN).text
    link = re.search(r'<a href="(/regions/440000/companies.csv[^"]*)" download>', page)
    assert link is not None and "from=2010&amp;to=2024&amp;counting=document" in link.group(1)
    companies = anon.get(link.group(1).replace("&amp;", "&"), headers=EN)
    rows = list(csv.reader(companies.text.lstrip("\ufeff").splitlines()))
    assert companies.status_code == 200 and rows[0] == ["Applicant", "Documents", "Share (%)"] and len(rows) > 1
    shown = html.fromstring(page).xpath('//table[@id="key-companies"]/tbody/tr')
    assert rows[1:] == [[td.text_content().replace(",", "") if td.get("class") == "num" else td.text_content()
                         for td in tr.xpath("td")] for tr in shown]  # the page groups thousands, the file does not
    cities = anon.get("/regions/440000/cities.csv", headers=ZH)
    assert cities.text.startswith("\ufeff城市,代码,") and "深圳市,440300," in cities.text
    assert anon.get("/regions/440000/secrets.csv", headers=EN).status_code == 422
    assert anon.get("/regions/999999/cities.csv", headers=EN).status_code == 404
    assert anon.get("/regions/440300/cities.csv", headers=EN).status_code == 404  # a city has no table of cities
    assert anon.get("/regions/440000/cities.csv?from=2020&to=2010", headers=EN).status_code == 422
    refused = anon.get("/regions/440000?from=2020&to=2010&counting=document", headers=EN).text  # the whole period shown
    assert 'href="/regions/440000/cities.csv?counting=document"' in refused  # the table shown, not the refused years


def test_regions_are_compared_side_by_side_with_their_own_pages_numbers(portal: Portal) -> None:
    anon = portal.clients["anon"]
    assert 'href="/regions/compare"' in anon.get("/regions", headers=ZH).text
    assert 'href="/regions/compare?r=440000"' in anon.get("/regions/440000", headers=ZH).text
    form = anon.get("/regions/compare", headers=ZH)
    assert form.status_code == 200 and "<h1>地区对比</h1>" in form.text and 'id="compare-totals"' not in form.text
    page = anon.get("/regions/compare?r=广东&r=Beijing&counting=document&from=2010", headers=ZH)
    assert page.status_code == 200
    doc = html.fromstring(page.text)
    totals = [[td.text_content().strip() for td in tr.xpath("td")]
              for tr in doc.xpath('//table[@id="compare-totals"]/tbody/tr')]
    assert [row[0] for row in totals] == ["广东省", "北京市"]
    own = html.fromstring(anon.get("/regions/440000?counting=document&from=2010", headers=ZH).text)
    assert totals[0][1] == own.xpath('//dl[@id="summary"]/dd[1]/text()')[0].strip()  # the region page's total
    charts = json.loads(doc.xpath('//script[@id="stats-data"]')[0].text)["compare"]
    assert [s["name"] for s in charts["series"]] == ["广东省", "北京市"] and len(charts["years"]) == len(
        doc.xpath('//table[@id="compare-years"]/tbody/tr'))
    # one region (a region page's link): the form with its name, asking for another, and no refusal
    one = anon.get("/regions/compare?r=440000", headers=ZH)
    form = html.fromstring(one.text)
    assert one.status_code == 200 and 'role="alert"' not in one.text
    assert [i.get("value") for i in form.xpath("//input[@name='r']")][:2] == ["广东省", ""]
    assert form.xpath("//p[@id='compare-asked']")[0].text == "请再填写 1 至 4 个地区，与广东省对比。"
    assert "Name one to 4 more regions to compare with Guangdong." in anon.get("/regions/compare?r=广东",
                                                                                headers=EN).text
    for query, said in (("r=广东&r=广东省", "请填写 2 至 5 个不同的地区进行对比"),
                        ("r=广东&r=Atlantis", "未知地区“Atlantis”"), ("r=Atlantis", "未知地区“Atlantis”"),
                        ("r=广东&r=北京&from=2020&to=2010", "起始年份晚于截止年份。")):
        refused = anon.get(f"/regions/compare?{query}", headers=ZH)
        assert refused.status_code == 422 and said in refused.text, query
        typed = query.split("&")[0].removeprefix("r=")
        assert 'role="alert"' in refused.text and f'value="{typed}"' in refused.text  # what was typed stays
    assert "&lt;script&gt;" in anon.get(f"/regions/compare?r=广东&r={XSS}", headers=EN).text
    empty = anon.get("/regions/compare?r=广东&r=北京&from=1850&to=1860", headers=ZH).text
    assert 'id="nothing"' in empty and "data-compare-chart" not in empty and 'id="compare-totals"' in empty


def test_a_custom_scope_is_private_to_its_owner(portal: Portal) -> None:
    alice, bob, anon = (portal.clients[k] for k in ("alice", "bob", "anon"))
    key = f"lamps-{uuid.uuid4().hex[:6]}"
    r = _post(alice, "/reports/scopes", {"key": key, "name": f"Lamps {XSS}", "name_zh": f"灯具 {XSS}",
                                         "query": "IPC=F21V* OR IPC=F21K9/*",
                                         "branches": f"Luminaires {XSS}: IPC=F21V*\n灯泡：IPC=F21K9/*"})
    assert r.status_code == 303 and r.headers["location"] == f"/reports/industries/{key}", r.text[-1500:]
    mine = alice.get(f"/reports/industries/{key}", headers=EN)
    assert mine.status_code == 200 and "Lamps &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in mine.text
    assert XSS not in mine.text and XSS not in alice.get("/reports", headers=ZH).text
    assert "Luminaires &lt;script&gt;" in mine.text and "灯泡" in mine.text  # the branches, counted and charted
    badly = _post(alice, "/reports/scopes", {"key": f"x{key}", "name": "x", "query": "IPC=H01L",
                                             "branches": "no query"})
    assert badly.status_code == 400 and "one per line" in badly.text and "no query" in badly.text
    assert key in alice.get("/reports", headers=EN).text
    for other in (bob, anon):
        assert other.get(f"/reports/industries/{key}", headers=EN).status_code == 404
        assert key not in other.get("/reports", headers=EN).text
        assert other.get(f"/reports/suggest?scope={key}&q=aurora", headers=EN).status_code == 404
    assert _post(bob, f"/reports/industries/{key}/report", {"lang": "en"}).status_code == 404
    assert _post(bob, "/reports/subscriptions", {"scope": key}).status_code == 404
    bad = _post(alice, "/reports/scopes", {"key": "Bad Key!", "name": "x", "query": "TI=(a AND"})
    assert bad.status_code == 400 and 'id="scope-error"' in bad.text and 'value="Bad Key!"' in bad.text


def test_a_published_scope_is_seen_by_everyone(portal: Portal) -> None:
    key = f"public-{uuid.uuid4().hex[:6]}"
    r = _post(portal.clients["alice"], "/reports/scopes", {"key": key, "name": "Drivers for everyone",
                                                         "query": "IPC=H05B45/*", "published": "1"})
    assert r.status_code == 303
    for who in ("bob", "anon"):
        assert portal.clients[who].get(f"/reports/industries/{key}", headers=EN).status_code == 200
        assert f'href="/reports/industries/{key}"' in portal.clients[who].get("/reports", headers=EN).text
    assert key in {s["key"] for s in portal.clients["anon"].get("/api/v1/analytics/scopes").json()}


def test_a_scope_shared_with_an_organisation_is_seen_by_its_members_only(portal: Portal) -> None:
    alice, bob, carol = (portal.clients[k] for k in ("alice", "bob", "carol"))
    with session_factory(portal.settings.effective_database_url)() as s:
        users = {u.email.split("-")[0]: u for u in s.scalars(select(User))}
        org = create_organisation(s, users["alice"], f"LED Association {uuid.uuid4().hex[:6]}", OrgKind.association)
        add_member(s, org, users["carol"].id, OrgRole.member)
        s.commit()
        org_id = org.id
    assert f'<option value="{org_id}"' in alice.get("/reports", headers=EN).text  # alice may share with it
    key = f"assoc-{uuid.uuid4().hex[:6]}"
    created = _post(alice, "/reports/scopes", {"key": key, "name": "Association scope", "query": "IPC=H05B45/*",
                                               "org": str(org_id)})
    assert created.status_code == 303
    assert carol.get(f"/reports/industries/{key}", headers=EN).status_code == 200
    assert key in carol.get("/reports", headers=EN).text
    assert bob.get(f"/reports/industries/{key}", headers=EN).status_code == 404
    taken = _post(bob, "/reports/scopes", {"key": key, "name": "Mine too", "query": "IPC=H01L"})
    assert taken.status_code == 400 and f"The key {key} is taken: choose another" in taken.text
    assert "Association scope" not in taken.text  # nothing of alice's scope is shown
    for_members = _post(alice, "/reports/subscriptions", {"scope": key, "org": str(org_id), "keywords": "lamp"})
    assert for_members.status_code == 303  # an association's watch: its members get the alerts
    assert _post(bob, "/reports/subscriptions", {"scope": "led", "org": str(org_id)}).status_code == 400
    refused = _post(bob, "/reports/scopes", {"key": f"x{key}", "name": "Not mine", "query": "IPC=H01L",
                                             "org": str(org_id)})
    assert refused.status_code == 400 and "organisation you belong to only" in refused.text
    assert bob.get(f"/reports/industries/x{key}", headers=EN).status_code == 404  # nothing was created


def test_suggestions_come_from_the_applicant_names_of_the_index(portal: Portal) -> None:
    r = portal.clients["alice"].get("/reports/suggest?scope=led&q=aur", headers=EN | {"HX-Request": "true"})
    assert r.status_code == 200 and 'data-add-watched="Aurora Lighting Co., Ltd."' in r.text
    assert "<html" not in r.text  # a fragment for htmx
    none = portal.clients["alice"].get(f"/reports/suggest?scope=led&q={XSS}", headers=EN)
    assert "No applicant in this scope matches" in none.text and XSS not in none.text


def test_an_unknown_competitor_is_flagged_and_nothing_is_kept(portal: Portal) -> None:
    alice = portal.clients["alice"]
    before = _subscriptions(portal)
    form = {"scope": "led", "watched": f"Aurora Lighting Co., Ltd.\nNo Such Lamps Ltd {XSS}",
            "keywords": f"phosphor layer\n{XSS}", "lang": "zh"}
    r = _post(alice, "/reports/subscriptions", form)
    assert r.status_code == 400 and 'id="unknown-names"' in r.text
    assert '<strong class="unknown">No Such Lamps Ltd &lt;script&gt;' in r.text and XSS not in r.text
    textarea = r.text.split('<textarea id="sub-watched"')[1].split("</textarea>")[0]
    assert 'aria-invalid="true"' in textarea and "No Such Lamps Ltd &lt;script&gt;" in textarea  # kept to correct
    assert _subscriptions(portal) == before
    two = _post(alice, "/reports/subscriptions", form | {"watched": "No Such Lamps Ltd\nNone Such Bulbs"}, headers=ZH)
    said = html.fromstring(two.text).xpath('string(//*[@id="unknown-names"])')
    assert two.status_code == 400  # a Chinese list, not "： A, B"
    assert said == "数据中没有以下申请人：No Such Lamps Ltd、None Such Bulbs"
    assert "数据中没有名为 No Such Lamps Ltd、None Such Bulbs 的申请人" in two.text  # the summary above the form
    not_a_number = _post(alice, "/reports/subscriptions", form | {"watched": "Aurora Lighting Co., Ltd.",
                                                                "red_pct": "lots"})
    assert not_a_number.status_code == 400 and "The thresholds are numbers" in not_a_number.text
    # each refusal names its field, in the reader's words: the keyword's said "该项" and was English
    long_word = _post(alice, "/reports/subscriptions", form | {"watched": "Aurora Lighting Co., Ltd.",
                                                             "keywords": "灯" * 101}, headers=ZH)
    assert long_word.status_code == 400 and "产品关键词：每个产品关键词最多 100 个字符" in long_word.text
    reversed_red = _post(alice, "/reports/subscriptions", form | {"watched": "Aurora Lighting Co., Ltd.",
                                                                "yellow_pct": "200", "red_pct": "10"}, headers=ZH)
    assert reversed_red.status_code == 400
    assert "国外申请增长率红色预警阈值 10 % 低于黄色预警阈值 200 %" in reversed_red.text
    assert _subscriptions(portal) == before
    done = _post(alice, "/reports/subscriptions", form | {"watched": "Aurora Lighting Co., Ltd.", "red_pct": "150"})
    assert done.status_code == 303, done.text
    # this site is set up without mail: the notice promises the inbox alone
    said = alice.get(done.headers["location"], headers=EN).text
    assert "alerts reach your inbox (this site sends no e-mail)" in said and "and your e-mail" not in said
    page = alice.get("/reports/subscriptions", headers=EN).text
    assert "<td>Aurora Lighting Co., Ltd.</td>" in page and "red &gt; 150%" in page  # named as printed
    assert "checked after every load of new documents and once a day" in page  # when an alert can come
    # the new subscription's thresholds start at the defaults, written as people write them (50, not 50.0)
    assert 'name="yellow_pct"' in page and 'value="50"' in page and 'value="100"' in page and "50.0" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and XSS not in page
    (sub_id,) = [s for s in _subscriptions(portal) if s not in before]
    sub = _subscription(portal, sub_id)
    assert sub.watched == ["aurora lighting"] and sub.lang == "zh" and sub.rules["foreign_growth"]["red_pct"] == 150
    assert _post(portal.clients["bob"], f"/reports/subscriptions/{sub.id}/delete", {}).status_code == 404
    assert _post(alice, f"/reports/subscriptions/{sub.id}/delete", {}).status_code == 303
    assert sub.id not in _subscriptions(portal)


def test_a_subscription_shows_where_each_rule_stands_today(portal: Portal) -> None:
    """The rules' measures today beside the thresholds, for the subscriber alone: four recent
    Aurora documents, none in the 12 months before, so nothing to compare but the competitor's."""
    alice = portal.clients["alice"]
    form = {"scope": "led", "watched": "Aurora Lighting Co., Ltd.", "keywords": f"phosphor layer\n{XSS}", "lang": "zh"}
    assert _post(alice, "/reports/subscriptions", form).status_code == 303
    sub_id = _subscriptions(portal)[-1]
    listed = alice.get("/reports/subscriptions", headers=ZH).text
    assert f'<a href="/reports/subscriptions/{sub_id}">各预警规则今日情况</a>' in listed
    page = alice.get(f"/reports/subscriptions/{sub_id}", headers=ZH)
    assert page.status_code == 200
    rows = {row.get("id"): [" ".join(td.text_content().split()) for td in row.findall("td")]
            for row in html.fromstring(page.text).xpath('//table[@id="standings"]/tbody/tr')}
    assert rows["standing-foreign_growth"][3] == "无从比较"
    assert rows["standing-competitor_new_subclass"][1] == "关注 1 个竞争对手：近 12 个月公开 4 件；未进入新的小类"
    assert rows["standing-concentration_band"][1] == "两期中有一期公开不足 20 件，无从比较"
    assert rows["standing-product_keywords"][1:] == ["2 个产品关键词，每次导入新文献时在其权利要求中检索",
                                                     "关键词：黄色预警 ≥ 2，红色预警 ≥ 3", "导入时检查"]
    latest = shown_today() - dt.timedelta(days=10)
    assert f"本范围最近一件文献公开于{latest.year}年{latest.month}月{latest.day}日。" in page.text
    assert portal.clients["bob"].get(f"/reports/subscriptions/{sub_id}", headers=ZH).status_code == 404
    anon = portal.clients["anon"].get(f"/reports/subscriptions/{sub_id}", headers=ZH, follow_redirects=False)
    assert anon.status_code == 303 and anon.headers["location"].startswith("/login?next=")
    assert alice.get("/reports/subscriptions/first", headers=ZH).status_code == 422
    assert _post(alice, f"/reports/subscriptions/{sub_id}/delete", {}).status_code == 303


def test_a_regions_page_subscribes_to_that_region(portal: Portal) -> None:
    """The region's own "subscribe" link chose 数字电视终端 (the form listed the industries only)."""
    alice = portal.clients["alice"]
    region = alice.get("/regions/440000", headers=ZH).text
    assert 'href="/reports/subscriptions?scope=region-440000"' in region
    form = html.fromstring(alice.get("/reports/subscriptions?scope=region-440000", headers=ZH).text)
    assert form.xpath('//select[@id="sub-scope"]/option[@selected]/text()') == ["广东省"]
    assert _post(alice, "/reports/subscriptions", {"scope": "region-440000", "lang": "zh"}).status_code == 303
    listed = html.fromstring(alice.get("/reports/subscriptions", headers=ZH).text)
    assert listed.xpath('//a[@href="/reports/industries/region-440000"]/text()') == ["广东省"]
    assert listed.xpath('//button[@aria-label="删除对广东省的订阅"]')  # named, not region-440000
    moved = alice.get("/reports/industries/region-440000?from=2015", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/regions/440000?from=2015"
    assert alice.get("/reports/industries/region-999999", headers=EN).status_code == 404
    assert _post(alice, f"/reports/subscriptions/{_subscriptions(portal)[-1]}/delete", {}).status_code == 303


def test_the_subscriptions_list_names_competitors_as_printed_and_thresholds_in_the_readers_words(
        portal: Portal) -> None:
    """A watched competitor with no document in the scope yet is named as printed elsewhere, not as
    the lower-case key ("aurora lighting"); the thresholds read as one sentence in Chinese."""
    alice = portal.clients["alice"]
    key = f"no-aurora-{uuid.uuid4().hex[:6]}"
    assert _post(alice, "/reports/scopes", {"key": key, "name": "Not Aurora", "name_zh": "不含 Aurora",
                                            "query": 'IPC=H01L* NOT OWNER="aurora lighting"'}).status_code == 303
    assert _post(alice, "/reports/subscriptions", {"scope": key, "lang": "zh",
                                                    "watched": "Aurora Lighting Co., Ltd."}).status_code == 303
    listed = html.fromstring(alice.get("/reports/subscriptions", headers=ZH).text)
    row = listed.xpath(f'//a[@href="/reports/industries/{key}"]/ancestor::tr')[0]
    cells = [" ".join(td.text_content().split()) for td in row.findall("td")]
    assert cells[1] == "Aurora Lighting Co., Ltd."
    assert cells[3] == "国外申请增长：黄色预警 > 50%，红色预警 > 100%；关键词：黄色预警 ≥ 2，红色预警 ≥ 3"
    assert _post(alice, f"/reports/subscriptions/{_subscriptions(portal)[-1]}/delete", {}).status_code == 303


def test_every_standing_is_worded_and_alerts_or_rules_switched_off_are_said(portal: Portal,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The measures as the page words them, each branch (the rules' values are the rule tests'
    business), markup in a name kept as text; alerts off and every rule off said so."""
    alice = portal.clients["alice"]
    assert _post(alice, "/reports/subscriptions", {"scope": "led", "lang": "zh"}).status_code == 303
    sub_id = _subscriptions(portal)[-1]
    real = portal_service.standing

    def measured(session: Session, search: SearchService, user: User, sid: int, lang: Language) -> Any:
        shown = real(session, search, user, sid, lang)
        return shown.model_copy(update={"standings": [
            Standing(rule=Rule.foreign_growth, level=StandingLevel.yellow, values={
                "owner": f"Nordlicht {XSS}", "n": 6, "previous": 3, "growth": "+100", "applicants": 2}),
            Standing(rule=Rule.competitor_new_subclass, level=StandingLevel.red,
                     values={"competitors": 2, "n": 9, "subclasses": "F21V, H05B"}),
            Standing(rule=Rule.concentration_band, level=StandingLevel.below, values={
                "band": "moderately concentrated", "hhi": "1550", "n": 40, "previous_band": "moderately concentrated",
                "previous_hhi": "1500", "previous": 38})]})

    monkeypatch.setattr(portal_service, "standing", measured)
    page = alice.get(f"/reports/subscriptions/{sub_id}", headers=ZH)
    rows = {row.get("id"): [" ".join(td.text_content().split()) for td in row.findall("td")]
            for row in html.fromstring(page.text).xpath('//table[@id="standings"]/tbody/tr')}
    assert rows["standing-foreign_growth"][1] == (
        f"增长最快：Nordlicht {XSS}，本期 6 件，上期 3 件（+100%）；共比较 2 个国外申请人")
    assert "Nordlicht &lt;script&gt;" in page.text and XSS not in page.text
    assert rows["standing-foreign_growth"][3] == "黄色预警"
    competitor = rows["standing-competitor_new_subclass"][1]
    assert competitor == "关注 2 个竞争对手：近 12 个月公开 9 件；新进入小类：F21V、H05B"
    assert rows["standing-concentration_band"][1:] == [
        "HHI 1550（中度集中，40 件），上期 1500（中度集中，38 件）",
        "HHI 区间发生变化（两期均公开 20 件以上）；变为高度集中时为红色", "未达阈值"]
    assert "只有数值越过阈值时才会发出预警。" in page.text
    # on a phone each rule is a card, each cell under its column's name: written by the page, not by
    # app.js after the first paint
    standings = html.fromstring(page.text).get_element_by_id("standings")
    names = [th.text_content() for th in standings.xpath("thead//th")]
    assert names == ["规则", "今日数值", "预警阈值", "状态"]
    for row in standings.xpath("tbody/tr"):
        assert [td.get("data-label") for td in row.findall("td")] == names
    monkeypatch.setattr(portal_service, "standing", real)

    with session_factory(portal.settings.effective_database_url)() as s:  # alerts off, every rule off
        row = s.get(Subscription, sub_id)
        assert row is not None
        row.alerts = False
        row.rules = {name: {"enabled": False} for name in ("foreign_growth", "competitor_new_subclass",
                                                           "concentration_band", "product_keywords")}
        s.commit()
    quiet = alice.get(f"/reports/subscriptions/{sub_id}", headers=ZH).text
    assert "此订阅未开启预警：无论数值如何，都不会发出预警。" in quiet and "此订阅未开启任何预警规则。" in quiet
    assert _post(alice, f"/reports/subscriptions/{sub_id}/delete", {}).status_code == 303


def test_a_subscription_to_a_scope_no_longer_seen_shows_nothing_of_it(portal: Portal) -> None:
    """Unpublished by its owner since: the subscriber no longer sees the scope, nor its measures."""
    alice, bob = portal.clients["alice"], portal.clients["bob"]
    key = f"shared-{uuid.uuid4().hex[:6]}"
    made = _post(alice, "/reports/scopes", {"key": key, "name": "Shared lamps", "query": "IPC=H01L", "published": "1"})
    assert made.status_code == 303, made.text
    assert _post(bob, "/reports/subscriptions", {"scope": key}).status_code == 303
    sub_id = _subscriptions(portal)[-1]
    assert bob.get(f"/reports/subscriptions/{sub_id}", headers=EN).status_code == 200
    with session_factory(portal.settings.effective_database_url)() as s:
        s.execute(update(CustomScope).where(CustomScope.key == key).values(published=False))
        s.commit()
    hidden = bob.get(f"/reports/subscriptions/{sub_id}", headers=EN)
    assert hidden.status_code == 404 and "Shared lamps" not in hidden.text


def _subscriptions(portal: Portal) -> list[int]:
    with session_factory(portal.settings.effective_database_url)() as s:
        return list(s.scalars(select(Subscription.id).order_by(Subscription.id)))


def _subscription(portal: Portal, sub_id: int) -> Subscription:
    with session_factory(portal.settings.effective_database_url)() as s:
        row = s.get(Subscription, sub_id)
        assert row is not None
        s.expunge(row)
        return row


def test_forms_without_the_csrf_token_are_refused(portal: Portal) -> None:
    alice = portal.clients["alice"]
    for path, data in [("/reports/scopes", {"key": "nocsrf", "name": "x", "query": "IPC=H01L"}),
                       ("/reports/subscriptions", {"scope": "led"}),
                       ("/reports/industries/led/report", {"lang": "zh"}),
                       ("/reports/subscriptions/1/delete", {})]:
        assert _post(alice, path, data, csrf=False).status_code == 403, path
        assert _post(alice, path, data | {"csrf_token": "forged"}, csrf=False).status_code == 403, path
    assert "nocsrf" not in alice.get("/reports", headers=EN).text


def test_a_report_is_requested_followed_and_opened_with_the_session(portal: Portal) -> None:
    alice, bob = portal.clients["alice"], portal.clients["bob"]
    r = _post(alice, "/reports/industries/led/report", {"lang": "zh", "format": "pdf", "from": "2010",
                                                        "to": "2024", "counting": "document"})
    assert r.status_code == 303 and re.fullmatch(r"/reports/archive/\d+\?open=pdf", r.headers["location"])
    rid = int(r.headers["location"].split("/")[-1].split("?")[0])
    waiting = alice.get(f"/reports/archive/{rid}/status?open=pdf", headers=EN).text
    assert 'hx-trigger="every 2s"' in waiting and "<progress" in waiting  # polled until done
    assert alice.get(f"/reports/archive/{rid}/report.pdf", headers=EN).status_code == 404  # not generated yet
    generate(portal.settings, rid)  # what the worker runs
    done = alice.get(f"/reports/archive/{rid}/status?open=pdf", headers=EN).text
    assert "hx-trigger" not in done and f'href="/reports/archive/{rid}/report.pdf"' in done
    pdf = alice.get(f"/reports/archive/{rid}/report.pdf", headers=EN)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    html = alice.get(f"/reports/archive/{rid}/report.html", headers=EN)
    assert "专利预警报告" in html.text and "default-src 'none'" in html.headers["content-security-policy"]
    assert bob.get(f"/reports/archive/{rid}/report.pdf", headers=EN).status_code == 404
    anonymous = portal.clients["anon"].get(f"/reports/archive/{rid}/report.pdf", headers=EN, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?")
    assert bob.get(f"/reports/archive/{rid}", headers=EN).status_code == 404
    archive = alice.get("/reports/archive", headers=ZH).text
    assert f'href="/reports/archive/{rid}"' in archive and f'href="/reports/archive/{rid}/report.pdf"' in archive
    assert "半导体照明 (LED)" in archive  # the scope's name in the reader's language
    assert "<h1>Report: Light-emitting diodes, version" in alice.get(f"/reports/archive/{rid}", headers=EN).text
    again = _post(alice, "/reports/industries/led/report", {"lang": "zh", "format": "html"})
    assert again.headers["location"].endswith("?open=html")
    narrowed = alice.get("/reports/archive?scope=led", headers=ZH).text
    assert re.search(r">v(\d+)</a>", narrowed) and "范围：半导体照明 (LED)" in narrowed  # named, not its key
    assert alice.get("/reports/archive?scope=xyz", headers=ZH).status_code == 404  # no such scope, not an empty list
    assert alice.get("/reports/archive?scope=telecom", headers=EN).status_code == 200  # a scope without reports yet


def test_alert_titles_in_the_subscribers_language(portal: Portal) -> None:
    payload = {"rule": "competitor_new_subclass", "severity": "red", "owner": "aurora lighting", "subclass": "H10H",
               "n": 1}
    note = Notification(kind="alert", title="[red] Watched competitor aurora lighting entered H10H (1 publications)",
                        payload=payload)
    assert _title(User(email="a@example.org", language="zh"), note) == \
        "【红色预警】关注的竞争对手 aurora lighting 进入 H10H（1件公开）"
    assert _title(User(email="a@example.org", language="en"), note) == note.title
    assert _title(User(email="a@example.org", language=None), note) == note.title
    in_chinese = Notification(kind="alert", title=note.title, payload=payload | {"lang": "zh"})  # the subscription's
    assert _title(User(email="a@example.org", language=None), in_chinese).startswith("【红色预警】")
    assert _title(User(email="a@example.org", language="en"), in_chinese) == note.title  # the user's choice first


def _form_action(page: str, path: str) -> str:
    found = re.search(rf'<form method="post" action="({re.escape(path)}(?:#[^"]*)?)"', page)
    assert found is not None, path
    return found.group(1)


def _field(page: str, field_id: str) -> str:
    """The opening tag of the field ``field_id``."""
    found = re.search(rf'<(?:input|textarea|select) id="{field_id}"[^>]*>', page)
    assert found is not None, field_id
    return found.group(0)


def test_a_refused_scope_says_every_problem_in_the_readers_words_beside_its_field(portal: Portal) -> None:
    """A query that does not parse is explained as the search page explains it (in Chinese, with
    a caret), not "not a valid query: ... at position 3"; the key's refusals say the label's word
    (标识, not 键名); a bad key and a bad query are both named in one answer; the form comes back in
    view (its action carries its fragment) with each refused field marked and described."""
    alice = portal.clients["alice"]
    r = _post(alice, "/reports/scopes", {"key": "Bad Key!", "name": "x", "query": "TI=(led AND",
                                         "branches": "灯泡：TI=(lamp"}, headers=ZH)
    assert r.status_code == 400
    page = r.text
    assert "not a valid query" not in page and "at position" not in page and "键名" not in page
    assert "检索式：" in page and "标识" in page.split('id="scope-error"')[1].split("</div>")[0]
    assert re.search(r"TI=\(led AND\n {3}\^</pre>", page)  # the caret under the "("
    assert "技术分支：灯泡：" in page  # a branch's query, named by its branch
    assert _form_action(page, "/reports/scopes") == "/reports/scopes#scope-builder"
    assert re.search(r'<details class="panel" id="scope-builder"\s+open>', page)
    tree = html.fromstring(page)
    for field_id in ("s-key", "s-query", "s-branches"):
        tag = _field(page, field_id)
        assert 'aria-invalid="true"' in tag and f'aria-describedby="{field_id}-error"' in tag
        # the element described-by names holds the refusal (a <pre> in a <p> left the <p> empty)
        assert tree.get_element_by_id(f"{field_id}-error").text_content().strip(), field_id
    assert "检索式：" in tree.get_element_by_id("s-query-error").text_content()
    assert 'aria-invalid' not in _field(page, "s-name")
    key = f"taken-{uuid.uuid4().hex[:6]}"
    assert _post(alice, "/reports/scopes", {"key": key, "name": "x", "query": "IPC=H01L"}).status_code == 303
    taken = _post(alice, "/reports/scopes", {"key": key, "name": "x", "query": "IPC=H01L"}, headers=ZH)
    assert taken.status_code == 400 and f"标识 {key} 已被使用" in taken.text and "键名" not in taken.text
    assert 'aria-describedby="s-key-error"' in _field(taken.text, "s-key")


def test_the_publish_box_is_laid_out_as_the_sites_other_checkboxes(portal: Portal) -> None:
    """The scope form's rule for its boxes took in the checkbox too: full width, a block, its label
    squeezed beside an empty column at 390 px."""
    css = (Path(__file__).parents[3] / "api/static/app.css").read_text(encoding="utf-8")
    rule = next(line for line in css.splitlines() if "#scope-builder input:not([type=hidden])" in line)
    assert ":not([type=checkbox])" in rule
    home = portal.clients["alice"].get("/reports", headers=EN).text
    assert '<label class="check"><input type="checkbox" name="published"' in home


def test_a_refused_subscription_names_every_problem_at_once(portal: Portal) -> None:
    """An over-long keyword hid an unknown competitor, and the first reversed pair of thresholds
    hid the second: one answer now names all four, each beside its field, the form in view."""
    alice = portal.clients["alice"]
    before = _subscriptions(portal)
    r = _post(alice, "/reports/subscriptions", {"scope": "led", "watched": "No Such Lamps Ltd", "keywords": "灯" * 101,
                                                "yellow_pct": "200", "red_pct": "100", "min_keywords": "5",
                                                "red_keywords": "3"}, headers=ZH)
    assert r.status_code == 400 and _subscriptions(portal) == before
    box = r.text.split('id="subscribe-error"')[1].split("</div>")[0]
    assert "每个产品关键词最多 100 个字符" in box and "No Such Lamps Ltd" in box
    assert "红色预警阈值 100 % 低于黄色预警阈值 200 %" in box and box.count("<li>") == 4
    assert _form_action(r.text, "/reports/subscriptions") == "/reports/subscriptions#new-subscription"
    for field_id, said in (("sub-keywords", "sub-keywords-error"), ("sub-watched", "unknown-names"),
                           ("t-red", "t-red-error"), ("t-kw-red", "t-kw-red-error")):
        tag = _field(r.text, field_id)
        assert 'aria-invalid="true"' in tag and f'aria-describedby="{said}"' in tag and f'id="{said}"' in r.text
    assert 'aria-invalid' not in _field(r.text, "t-yellow")
    # a threshold that is no number is not compared with its pair (no made-up "red below yellow")
    words = _post(alice, "/reports/subscriptions", {"scope": "led", "yellow_pct": "lots", "red_pct": "10"}, headers=EN)
    assert words.status_code == 400 and "The thresholds are numbers" in words.text
    assert "cannot be below its yellow one" not in words.text
    # a threshold of 0, and 2.9 keywords, are refused with the form's other problems (0 refused alone,
    # hiding the unknown competitor; 2.9 was read as 2)
    zero = _post(alice, "/reports/subscriptions", {"scope": "led", "watched": "No Such Lamps Ltd", "yellow_pct": "0",
                                                   "min_keywords": "2.9"}, headers=EN)
    page = html.fromstring(zero.text)
    assert zero.status_code == 400 and _subscriptions(portal) == before
    # each said below the row of four boxes, naming its own (it read under the first, whichever was refused)
    assert page.get_element_by_id("t-yellow-error").text_content() == \
        "Foreign growth, yellow above (%): A threshold is above 0"
    assert page.get_element_by_id("t-kw-error").text_content() == \
        "Keywords matched, yellow from: A number of keywords is a whole number"
    red = html.fromstring(_post(alice, "/reports/subscriptions", {"scope": "led", "yellow_pct": "200", "red_pct": "-5"},
                                headers=ZH).text)
    assert red.get_element_by_id("t-red-error").text_content() == "国外申请增长率红色预警阈值（%）：阈值须大于 0"
    # the box above the form names the threshold too (it said only "A threshold is above 0")
    top = [li.text_content() for li in page.get_element_by_id("subscribe-error").iter("li")]
    assert "Foreign growth, yellow above (%): A threshold is above 0" in top
    assert "Keywords matched, yellow from: A number of keywords is a whole number" in top
    assert "No Such Lamps Ltd" in page.get_element_by_id("subscribe-error").text_content()


def test_deleting_a_subscription_asks_first_and_says_what_was_done(portal: Portal) -> None:
    alice = portal.clients["alice"]
    assert _post(alice, "/reports/subscriptions", {"scope": "telecom", "keywords": "antenna, radio",
                                                   "monthly_report": "1"}).status_code == 303
    page = alice.get("/reports/subscriptions", headers=ZH).text
    # at 390 px the comma started a line and "月度报告" split: each keyword keeps its separator, and
    # numbers and chips in these tables do not break
    assert '<span class="keyword">antenna，</span><span class="keyword">radio</span>' in page
    css = (Path(__file__).parents[3] / "api/static/app.css").read_text(encoding="utf-8")
    assert re.search(r"^td\.num \{ white-space: nowrap;", css, re.M)
    assert "#subscriptions .chip { white-space: nowrap;" in css
    sub_id = [int(i) for i in re.findall(r'action="/reports/subscriptions/(\d+)/delete"', page)
              if _subscription(portal, int(i)).scope == "telecom"][-1]
    form = page.split(f'action="/reports/subscriptions/{sub_id}/delete"')[1].split("</form>")[0]
    assert 'data-confirm="删除对“通信设备”的订阅？' in form  # app.js asks before the form is sent
    gone = _post(alice, f"/reports/subscriptions/{sub_id}/delete", {})
    assert gone.status_code == 303 and gone.headers["location"] == "/reports/subscriptions"
    said = alice.get(gone.headers["location"], headers=ZH).text
    assert 'id="deleted"' in said and "已删除对“通信设备”的订阅" in said
    assert 'id="deleted"' not in alice.get(gone.headers["location"], headers=ZH).text  # said once: a reload is quiet


def test_a_hand_made_address_says_no_subscription_was_made_or_deleted(portal: Portal) -> None:
    """Anyone can send a link: ``?deleted=telecom`` said "The subscription to 通信设备 was deleted"
    to a reader who had deleted nothing, and ``?created=1`` "You are subscribed". A notice is now
    given only for the reader's own subscription (just made), or one the reader ended (in the
    session's once-cookie, which another session cannot read: the address says nothing of it)."""
    alice, bob = portal.clients["alice"], portal.clients["bob"]
    alice.get("/reports/subscriptions", headers=EN)  # a deletion an earlier test of the module left unread is said now
    assert _post(bob, "/reports/subscriptions", {"scope": "medical-devices"}).status_code == 303
    bobs = max(int(i) for i in re.findall(r'action="/reports/subscriptions/(\d+)/delete"',
                                          bob.get("/reports/subscriptions", headers=EN).text))
    for address in ("?deleted=telecom", f"?deleted={XSS}", "?deleted=1", f"?deleted={bobs}", f"?deleted={bobs + 99}",
                    f"?created={bobs + 99}", f"?created={bobs}", "?created=yes", "?deleted=99999999999"):
        page = alice.get(f"/reports/subscriptions{address}", headers=EN)
        assert page.status_code == 200, address
        assert 'id="deleted"' not in page.text and "You are subscribed" not in page.text, address
    ended = _post(bob, f"/reports/subscriptions/{bobs}/delete", {})
    kept = ended.cookies.get("ipc_reports_once")
    assert kept and "Medical" not in kept and "medical" not in kept  # sealed, not the scope in clear
    # bob's subscription is gone, but alice did not end it: her page says nothing of it, even sent bob's cookie
    assert 'id="deleted"' not in alice.get(ended.headers["location"], headers=EN,
                                            cookies={"ipc_reports_once": kept}).text
    said = bob.get(ended.headers["location"], headers=EN).text
    assert "The subscription to Medical devices was deleted" in said
    made = _post(alice, "/reports/subscriptions", {"scope": "software"})
    assert re.fullmatch(r"/reports/subscriptions\?created=\d+#content", made.headers["location"])
    said = html.fromstring(alice.get(made.headers["location"], headers=EN).text).get_element_by_id("subscribed")
    assert said.text_content().startswith("You are subscribed to Software and data processing:")  # which one
    zh = html.fromstring(alice.get(made.headers["location"], headers=ZH).text).get_element_by_id("subscribed")
    assert zh.text_content().startswith("已订阅“软件与数据处理”：")
    assert "You are subscribed" not in bob.get(made.headers["location"], headers=EN).text  # not bob's


def test_a_reversed_period_is_refused_for_a_report_as_on_the_dashboard(portal: Portal) -> None:
    """The request form carries the dashboard's names (from, to): a hand-made from=2022&to=2015 was
    ignored and queued a report of every year."""
    alice = portal.clients["alice"]
    with session_factory(portal.settings.effective_database_url)() as s:
        before = s.scalar(select(func.count()).select_from(Report))
    r = _post(alice, "/reports/industries/led/report", {"lang": "zh", "from": "2022", "to": "2015"}, headers=ZH)
    assert r.status_code == 422 and "起始年份晚于截止年份" in r.text
    with session_factory(portal.settings.effective_database_url)() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == before
    board = alice.get("/reports/industries/led?from=2015&to=2020", headers=EN).text
    assert '<input type="hidden" name="from" value="2015">' in board and 'name="to" value="2020"' in board


def test_report_versions_are_counted_per_requester_and_statuses_are_words(portal: Portal) -> None:
    """Carol's first report of a scope is version 1 although alice asked for the same before; the
    archive names statuses as words (Queued), not codes (queued)."""
    alice, carol = portal.clients["alice"], portal.clients["carol"]
    key = f"versions-{uuid.uuid4().hex[:6]}"
    assert _post(alice, "/reports/scopes", {"key": key, "name": "Versions", "query": "IPC=H01L",
                                            "published": "1"}).status_code == 303
    ids = [int(_post(who, f"/reports/industries/{key}/report", {"lang": "en"}).headers["location"]
               .split("/")[-1].split("?")[0]) for who in (alice, alice, carol, carol)]
    with session_factory(portal.settings.effective_database_url)() as s:
        assert [s.get(Report, i).version for i in ids] == [1, 2, 1, 2]  # type: ignore[union-attr]
    archive = carol.get(f"/reports/archive?scope={key}", headers=EN).text
    assert re.findall(r">v(\d)</a>", archive) == ["2", "1"] and ">Queued</span>" in archive
    assert ">queued<" not in archive
    assert ">排队中</span>" in carol.get(f"/reports/archive?scope={key}", headers=ZH).text


def test_the_lag_caution_is_given_only_for_a_period_with_incomplete_years(portal: Portal) -> None:
    """2015-2020 read today is complete: no caution. By publication date the caution named the same
    day twice ("after X ... latest publication X"): it now says the last year is counted to that day."""
    anon = portal.clients["anon"]
    complete = anon.get("/reports/industries/led?from=2015&to=2020&basis=publication&counting=document", headers=ZH)
    assert complete.status_code == 200 and 'id="completeness"' not in complete.text
    assert 'id="completeness"' not in anon.get("/reports/industries/led?from=2015&to=2020", headers=EN).text
    open_ended = anon.get("/reports/industries/led?basis=publication", headers=EN).text
    caution = open_ended.split('id="completeness">')[1].split("</p>")[0]
    assert caution.startswith("The data&#39;s latest publication is") and "Publication lag" not in caution
    assert "Publication lag" in anon.get("/reports/industries/led", headers=EN).text


def test_a_generated_report_writes_chinese_colons_and_no_empty_column(portal: Portal) -> None:
    """A complete period has no incomplete-data note (telecom 1999-1999); labels end in "：" in
    Chinese; the trend table has no column without a heading."""
    alice = portal.clients["alice"]
    r = _post(alice, "/reports/industries/telecom/report", {"lang": "zh", "from": "1999", "to": "2001"})
    rid = int(r.headers["location"].split("/")[-1].split("?")[0])
    generate(portal.settings, rid)
    report = alice.get(f"/reports/archive/{rid}/report.html", headers=ZH).text
    assert "生成时间：" in report and "生成时间:" not in report
    assert "<th></th>" not in report
    assert "公开滞后" not in report and "不完整" not in report.split("<h2>4.")[0].split("<h2>3.")[1]


def test_an_administrator_is_not_offered_a_members_private_scope(portal: Portal) -> None:
    """The scope form promises a private scope is seen by its owner and those it is shared with: the
    administrator's lists (home, subscriptions) keep it, though its address still opens for them."""
    key = f"private-{uuid.uuid4().hex[:6]}"
    assert _post(portal.clients["bob"], "/reports/scopes", {"key": key, "name": "Bob's own",
                                                          "query": "IPC=H01L"}).status_code == 303
    with session_factory(portal.settings.effective_database_url)() as s:
        admin = create_user(s, f"admin-{uuid.uuid4().hex[:6]}@example.org", PASSWORD, "Admin", Role.admin)
        s.commit()
        home = portal_service.home(s, admin)
        assert key not in {i.key for i in home.mine}
        bob = s.scalars(select(User).where(User.email.like("bob-%"))).first()
        assert key in {i.key for i in portal_service.home(s, bob).mine}
        assert portal_service.scopes.resolve_for(s, key, admin).key == key


# --- after the phone tour: wide tables of the HTML report, the regions' totals, the home country,
# --- alert titles and stacked tables -----------------------------------------------------------

def _edge_brightness(page: Any, side: str) -> float:
    """The mean grey (0 black, 255 white) of a 4-px strip at one edge of the first wide table that
    scrolls, below its header row (whose cells have their own background)."""
    box = page.evaluate("""() => { const t = [...document.querySelectorAll("table.wide")]
        .find(t => t.scrollWidth > t.clientWidth);
      t.scrollIntoView(); const r = t.getBoundingClientRect(), h = t.querySelector("tr").getBoundingClientRect().height;
      return {x: r.x, y: r.y + h, width: r.width, height: r.height - h}; }""")
    x = box["x"] + (box["width"] - 5 if side == "right" else 1)
    shot = Image.open(io.BytesIO(page.screenshot(clip={"x": x, "y": box["y"], "width": 4, "height": box["height"]})))
    return float(ImageStat.Stat(shot.convert("L")).mean[0])


def test_a_wide_table_of_the_html_report_shows_on_a_phone_that_it_scrolls(portal: Portal, browser: Browser) -> None:
    """The archived report has no scripts: on a phone its wide tables scrolled in their own box with
    no hint that more columns were there. A shadow shows at the edge still to scroll past (CSS only,
    as the portal's .table-wrap), and goes once that end is reached."""
    alice = portal.clients["alice"]
    r = _post(alice, "/reports/industries/led/report", {"lang": "zh", "format": "html"})
    rid = int(r.headers["location"].split("/")[-1].split("?")[0])
    generate(portal.settings, rid)
    report = alice.get(f"/reports/archive/{rid}/report.html", headers=ZH).text
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.set_content(report)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    right, left = _edge_brightness(page, "right"), _edge_brightness(page, "left")
    assert right < left - 15, (right, left)  # a shadow on the right (about 215 against 253 without)
    page.evaluate("""() => { const t = [...document.querySelectorAll("table.wide")]
        .find(t => t.scrollWidth > t.clientWidth); t.scrollLeft = t.scrollWidth; }""")
    right, left = _edge_brightness(page, "right"), _edge_brightness(page, "left")
    assert left < right - 15, (right, left)  # scrolled to its end: the shadow is on the left only
    page.close()


def test_the_regions_page_says_by_its_total_that_provinces_count_a_document_twice(portal: Portal) -> None:
    """"Documents placed in a province 642" stood above provinces adding up to 643 (a document
    with owners in two provinces counts in each): said beside the total, in both languages."""
    for headers, words in ((ZH, "权利人分属两个省份的文献在两省各计一次"),
                           (EN, "a document with owners in two provinces counts in each")):
        page = html.fromstring(portal.clients["anon"].get("/regions", headers=headers).text)
        note = page.get_element_by_id("coverage-note")
        assert note.getprevious().get("id") == "coverage" and words in note.text_content()


@pytest.mark.parametrize(("typed", "headers", "said"), [
    ("ZZ", ZH, "无法识别本国代码“ZZ”"), ("ZZ", EN, "The home country “ZZ” was not understood"),
    (XSS, ZH, "无法识别本国代码“<script>alert('x')</"), ("1", EN, "“1” was not understood")])
def test_a_dashboard_refuses_a_home_country_that_is_none_beside_its_field(
        portal: Portal, typed: str, headers: dict[str, str], said: str) -> None:
    """/regions/440000?home=ZZ (or ?home=<script>) answered 200 and counted for CN without a word,
    and an industry's dashboard answered an error page instead of itself: both refuse it in the
    reader's words under the filters' row, the field marked and keeping what was typed (as text),
    the page counted for CN and usable; a region's CSV links refuse it the same way."""
    anon = portal.clients["anon"]
    for path in ("/regions/440000", "/regions/440000/companies.csv", "/reports/industries/led"):
        r = anon.get(path, params={"home": typed}, headers=headers)
        assert r.status_code == 422, path
        page = html.fromstring(r.text)
        refusal = page.get_element_by_id("f-home-error")
        assert said in refusal.text_content() and "CN" in refusal.text_content()
        field = page.get_element_by_id("f-home")
        assert field.get("aria-invalid") == "true" and field.get("aria-describedby") == "f-home-error"
        assert field.get("value") == typed[:20]
        assert XSS not in r.text and page.get_element_by_id("trend-table") is not None  # text, and the page is there
    for good in ("us", "US", ""):
        for path in ("/regions/440000", "/reports/industries/led"):
            r = anon.get(path, params={"home": good}, headers=EN)
            assert r.status_code == 200 and 'id="f-home-error"' not in r.text
            assert html.fromstring(r.text).get_element_by_id("f-home").get("value") == (good.upper() or "CN")


def test_an_alert_listed_beside_its_badge_does_not_repeat_its_colour(portal: Portal) -> None:
    """The dashboard and the subscriptions page list an alert after a badge of its colour; its title
    began with the colour again ("红色预警 [红色预警] 关注的竞争对手 …"). The inbox has no badge: its
    title still starts with the colour."""
    alice = portal.clients["alice"]
    assert _post(alice, "/reports/subscriptions", {"scope": "led", "lang": "zh"}).status_code == 303
    sub_id = _subscriptions(portal)[-1]
    finding = Finding(rule=Rule.competitor_new_subclass, severity=Severity.red, subject="nordlicht gmbh|H10H",
                      title="Watched competitor Nordlicht GmbH entered H10H (2 publications)",
                      evidence=Evidence(numbers={}, patents=[]), values={"owner": "Nordlicht GmbH", "subclass": "H10H",
                                                                         "n": 2})
    with session_factory(portal.settings.effective_database_url)() as s:
        sub = s.get(Subscription, sub_id)
        assert sub is not None
        record(s, sub, finding, shown_today())
        s.commit()
    title = "关注的竞争对手 Nordlicht GmbH 进入 H10H 领域（公开 2 件）"
    for path, list_id in (("/reports/industries/led", "scope-alerts"), ("/reports/subscriptions", "my-alerts")):
        item = html.fromstring(alice.get(path, headers=ZH).text).get_element_by_id(list_id).xpath("li")[0]
        said = " ".join(item.text_content().split())
        assert said.startswith(f"红色预警 {title}") and said.count("红色预警") == 1, said
    inbox = " ".join(html.fromstring(alice.get("/inbox", headers=ZH).text).text_content().split())
    assert f"【红色预警】{title}" in inbox
    assert _post(alice, f"/reports/subscriptions/{sub_id}/delete", {}).status_code == 303


def _outline(page: str) -> list[tuple[str, str]]:
    """The page's headings in order, under its <main>: (tag, words)."""
    return [(h.tag, " ".join(h.text_content().split()))
            for h in html.fromstring(page).xpath("//main//*[self::h1 or self::h2 or self::h3 or self::h4]")]


def test_each_charts_title_is_a_heading_of_the_pages_outline(portal: Portal) -> None:
    """The charts' titles were captions, no headings: a screen reader going from heading to heading
    went from the page's title to the key companies, past every chart. Each chart's title is a
    second-level heading, in the order the charts stand, beside the page's other sections."""
    anon = portal.clients["anon"]
    led = _outline(anon.get("/reports/industries/led", headers=EN).text)
    assert led[:7] == [("h1", "Light-emitting diodes"), ("h2", "Simple families and applicants per year"),
                       ("h2", "Top applicants"), ("h2", "Technology branches"), ("h2", "Applicant countries"),
                       ("h2", "Chinese provinces"), ("h2", "Hotspots: fastest-growing IPC subgroups (recent window)")]
    assert ("h2", "Emerging terms") in led[7:]
    region = [words for tag, words in _outline(anon.get("/regions/440000", headers=ZH).text) if tag == "h2"]
    assert region[4:7] == ["城市", "技术热点：增长最快的 IPC 小组（近期窗口）", "重点企业"]  # a province's cities
    assert _outline(anon.get("/regions", headers=EN).text) == [("h1", "Regional statistics"),
                                                               ("h2", "Provinces by documents")]
    compared = _outline(anon.get("/regions/compare?r=广东&r=北京", headers=EN).text)
    assert compared == [("h1", "Compare regions"), ("h2", "In the period"), ("h2", "Simple families per year")]
    for page in (anon.get("/reports/industries/led", headers=EN).text, anon.get("/regions", headers=EN).text):
        for figure in html.fromstring(page).xpath("//figure[contains(@class, 'stat')]"):
            assert figure.xpath("figcaption/h2[@class='stat-title']"), html.tostring(figure)[:200]


def test_the_regions_boxes_give_examples_in_the_readers_language(portal: Portal) -> None:
    """The boxes' examples were written in one language for both: "Shanghai" among the Chinese names
    of a Chinese page, 广东 and 深圳 on an English one, "quantum dot" in a Chinese query."""
    anon, alice = portal.clients["anon"], portal.clients["alice"]

    def examples(client: TestClient, path: str, xpath: str, headers: dict[str, str]) -> list[str]:
        return [str(p) for p in html.fromstring(client.get(path, headers=headers).text).xpath(xpath)]

    boxes = "//input[@name='r']/@placeholder"
    assert examples(anon, "/regions/compare", boxes, ZH) == ["广东", "北京", "上海", "深圳", "330000"]
    assert examples(anon, "/regions/compare", boxes, EN) == ["Guangdong", "Beijing", "Shanghai", "Shenzhen", "330000"]
    assert examples(anon, "/regions", "//input[@id='r-name']/@placeholder", ZH) == ["广东 / 深圳 / 440000"]
    assert examples(anon, "/regions", "//input[@id='r-name']/@placeholder", EN) == ["Guangdong / Shenzhen / 440000"]
    scope = "//textarea[@id='s-query' or @id='s-branches']/@placeholder"
    assert examples(alice, "/reports", scope, ZH) == ["IPC=H01L33/* OR TI=(量子点)", "微型LED：IPC=H10H*"]
    assert examples(alice, "/reports", scope, EN) == ["IPC=H01L33/* OR TI=(quantum dot)", "Micro-LED: IPC=H10H*"]
