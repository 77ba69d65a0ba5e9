"""The works catalogue and the registry's statistics pages: over HTTP in English and Chinese (only
logged works, filters, pages, nothing that matches, hash-only works offering nothing, a value that
does not fit answered 422 with the field named, the API's JSON) and in Chromium on a real portal
(search through the form, charts drawn with tables of the same numbers, axe-core in both
languages)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import html
from playwright.sync_api import Browser, expect
from pydantic import SecretStr
from sqlalchemy import update
from sqlalchemy.orm import Session

from api.app import create_app
from copyright import service
from copyright.models import Registration, Right, WorkType
from copyright.registry import ContentHash, WorkIn, registry_day
from copyright.rights import LicenceIn
from copyright.schemas import DecisionIn, DisputeIn, RegisterIn, ResolveIn
from core.accounts.models import Role, User
from core.accounts.service import create_user
from core.audit import AuditContext, Writer
from core.db import session_factory
from core.settings import Settings
from tests.api.pages.conftest import axe_violations, new_page, screenshot
from tests.conftest import TEST_SIGNING_PASSPHRASE
from tests.databases import migrated

EN = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}
ETUDES = 22  # more than a page (20)
XSS_TITLE = "<img src=x onerror=alert(1)> 画"


def _writer(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="test"))


def _person(session: Session, name: str, role: Role = Role.member) -> User:
    user = create_user(session, f"p-{uuid.uuid4().hex[:8]}@example.org", "a long password 123", role=role)
    user.display_name = name
    session.commit()
    return user


def _hash_only(session: Session, settings: Settings, owner: User, title: str, kind: WorkType,
               authors: tuple[str, ...] = (), data: bytes | None = None) -> str:
    data = data if data is not None else uuid.uuid4().bytes
    body = RegisterIn(work=WorkIn(title=title, work_type=kind, authors=list(authors)),
                      content=ContentHash(sha256=hashlib.sha256(data).hexdigest(), size=len(data)))
    return service.register_hash(_writer(session, owner), settings, body).number


class Registry(NamedTuple):
    settings: Settings
    numbers: dict[str, str]


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory, shared_data_dir: Path) -> Registry:
    """A registry with every kind of registration: uploaded and hash-only, Chinese titles, a page
    and more of études, one under review, one refused at review, disputed, revoked, licences."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("catalogue") / "var", shared_data_dir=shared_data_dir,
                        database_url=None, elasticsearch_url=None, broker_url=None, redis_url=None,
                        signing_key_passphrase=SecretStr(TEST_SIGNING_PASSPHRASE))
    migrated(settings.effective_database_url)
    with session_factory(settings.effective_database_url)() as s:
        owner, rival = _person(s, "青山工作室"), _person(s, "Rival Studio")
        moderator = _person(s, "Moderator", Role.moderator)
        poem_file = "春江潮水连海平，海上明月共潮生。".encode()
        work = WorkIn(title="春江花月夜", work_type=WorkType.written, authors=["张若虚"])
        poem = service.register_stream(_writer(s, owner), settings, work, io.BytesIO(poem_file)).number
        photo = _hash_only(s, settings, owner, "Harbour at dawn", WorkType.photographic, ("Wang Fang",))
        etudes = [_hash_only(s, settings, owner, f"Etude {i:02d}", WorkType.music, ("Li Hua",)) for i in range(ETUDES)]
        xss = _hash_only(s, settings, owner, XSS_TITLE, WorkType.fine_art)
        pending = _hash_only(s, settings, rival, "Pending copy", WorkType.written, data=poem_file)
        copycat = _person(s, "Copycat")  # one person's second copy is refused outright, not held
        refused = _hash_only(s, settings, copycat, "Refused copy", WorkType.written, data=poem_file)
        service.review(_writer(s, moderator), settings, refused, DecisionIn(approve=False, note="a copy"))
        disputed = _hash_only(s, settings, owner, "Disputed map", WorkType.graphic)
        service.file_dispute(_writer(s, rival), disputed, DisputeIn(reason="I drew this map in 2019"))
        revoked = _hash_only(s, settings, owner, "Revoked software", WorkType.software)
        dispute = service.file_dispute(_writer(s, rival), revoked, DisputeIn(reason="I wrote this code in 2018"))
        service.resolve_dispute(_writer(s, moderator), dispute.id, ResolveIn(upheld=True, resolution="copied"))
        today = registry_day()  # the registry's day (Beijing's): UTC's is before the registration from 16:00 UTC
        for body in (LicenceIn(licensee_id=rival.id, rights=[Right.reproduction], exclusive=True, start_date=today),
                     LicenceIn(licensee_id=rival.id, rights=[Right.distribution], start_date=today),
                     LicenceIn(licensee_id=moderator.id, rights=[Right.information_network], start_date=today,
                               cc_code="CC-BY-4.0")):
            service.grant_licence(_writer(s, owner), photo, body)
        s.execute(update(Registration).where(Registration.number == photo)
                  .values(registered_at=dt.datetime(2024, 11, 5, 8, tzinfo=dt.UTC)))
        s.commit()
    return Registry(settings, {"poem": poem, "photo": photo, "first_etude": etudes[0], "xss": xss,
                               "pending": pending, "refused": refused, "disputed": disputed, "revoked": revoked})


@pytest.fixture(scope="module")
def web(registry: Registry) -> Iterator[TestClient]:
    with TestClient(create_app(registry.settings)) as client:
        yield client


@pytest.fixture(scope="module")
def numbers(registry: Registry) -> dict[str, str]:
    return registry.numbers


def _rows(page: str) -> list[html.HtmlElement]:
    return html.fromstring(page).xpath("//table[@id='works']/tbody/tr")


def _numbers(page: str) -> list[str]:
    return [row.xpath("./td[1]/a")[0].text_content() for row in _rows(page)]


def _row(page: str, number: str) -> html.HtmlElement:
    return next(r for r in _rows(page) if r.xpath("./td[1]/a")[0].text_content() == number)


def test_the_catalogue_in_english_lists_logged_works_only(web: TestClient, numbers: dict[str, str]) -> None:
    page = web.get("/copyright/works", params={"title": "a", "author": ""}, headers=EN)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    # one landmark named by the list's heading: the table's scrolling region (axe: landmark-unique)
    assert len(html.fromstring(page.text).xpath('//*[@aria-labelledby="works-h"]')) == 1
    listed = _numbers(web.get("/copyright/works", headers=EN).text) + _numbers(
        web.get("/copyright/works", params={"start": 20}, headers=EN).text)
    assert len(set(listed)) == len(listed) == ETUDES + 5  # poem, photo, picture, disputed, revoked
    assert numbers["pending"] not in listed and numbers["refused"] not in listed
    assert {numbers["disputed"], numbers["revoked"]} <= set(listed)

    text = web.get("/copyright/works", params={"title": "春江"}, headers=EN).text
    poem = _row(text, numbers["poem"])
    cells = [td.text_content().strip() for td in poem.xpath("./td")]
    assert cells[1:6] == ["春江花月夜", "Written work", "张若虚", "青山工作室", "Registered"]
    assert poem.xpath("./td[1]/a/@href") == [f"/copyright/records/{numbers['poem']}"]
    assert poem.xpath("./td[8]/a/@href") == [f"/api/v1/copyright/registrations/{numbers['poem']}/certificate"]

    text = web.get("/copyright/works", params={"title": "harbour"}, headers=EN).text
    photo = _row(text, numbers["photo"])
    assert photo.xpath("./td[8]//a") == [] and "Hash only" in photo.xpath("./td[8]")[0].text_content()
    assert photo.xpath("./td[7]/time/@datetime")[0].startswith("2024-11-05")
    hrefs = html.fromstring(web.get("/copyright/works", headers=EN).text).xpath("//a/@href")
    assert not [h for h in hrefs if "/works/" in h or "download" in h]  # never a file


def test_the_catalogue_in_chinese(web: TestClient, numbers: dict[str, str]) -> None:
    page = web.get("/copyright/works", params={"type": "written"}, headers=ZH)
    assert page.status_code == 200 and '<html lang="zh-Hans">' in page.text
    assert _numbers(page.text) == [numbers["poem"]]
    assert "文字作品" in _row(page.text, numbers["poem"]).xpath("./td[3]")[0].text_content()
    assert html.fromstring(page.text).xpath("//select[@id='w-type']/option[@value='photographic']/text()") == [
        "摄影作品"]


def test_titles_are_text_never_markup(web: TestClient, numbers: dict[str, str]) -> None:
    page = web.get("/copyright/works", params={"title": "onerror"}, headers=EN).text
    assert _numbers(page) == [numbers["xss"]]
    assert "&lt;img src=x onerror=alert(1)&gt; 画" in page and "<img src=x" not in page


def test_filters_counts_and_pages(web: TestClient, numbers: dict[str, str]) -> None:
    first = web.get("/copyright/works", params={"type": "music"}, headers=EN).text
    assert len(_rows(first)) == 20 and "Works 1–20 of 22" in first
    tree = html.fromstring(first)
    following = tree.xpath("//nav[@class='pager']/a[@rel='next']/@href")
    assert following == ["/copyright/works?type=music&start=20"] and not tree.xpath("//a[@rel='prev']")
    second = web.get(following[0], headers=EN).text
    assert len(_rows(second)) == 2 and "Works 21–22 of 22" in second
    assert html.fromstring(second).xpath("//a[@rel='prev']/@href") == ["/copyright/works?type=music"]
    assert numbers["first_etude"] in _numbers(second)  # the oldest is last: newest first

    # the type counts keep the other filters and offer the other types
    counts = web.get("/copyright/works", params={"author": "li hua", "type": "music"}, headers=EN).text
    facets = html.fromstring(counts).xpath("//p[@id='facet-type']/span[@class='facet-value']")
    assert [" ".join(value.text_content().split()) for value in facets] == ["Musical work (22)", "Any type"]
    assert facets[1].xpath("./a/@href") == ["/copyright/works?author=li+hua"]
    assert _numbers(web.get("/copyright/works", params={"status": "revoked"}, headers=EN).text) == [
        numbers["revoked"]]
    dated = web.get("/copyright/works", params={"from": "2024-11-01", "to": "2024-11-30"}, headers=EN).text
    assert _numbers(dated) == [numbers["photo"]]


def test_nothing_matches(web: TestClient) -> None:
    for headers in (EN, ZH):
        page = web.get("/copyright/works", params={"title": "no such work 无此作品"}, headers=headers)
        assert page.status_code == 200 and _rows(page.text) == []
        state = html.fromstring(page.text).get_element_by_id("no-works")
        assert state.get("role") == "status" and state.xpath(".//a/@href") == ["/copyright/works"]
    assert "No works match these filters." in web.get("/copyright/works", params={"title": "zzz"}, headers=EN).text


def test_a_hand_edited_position_opens_the_nearest_page(web: TestClient) -> None:
    """-1, 99999 and words were refused as a "Page" the form does not have, the works gone: the first
    page or the last one now, as a collection does; the API still answers past the end with no items."""
    first = _numbers(web.get("/copyright/works", headers=EN).text)
    for typed in ("-1", "many", "1e9"):  # the form has no such field to name in a refusal
        assert _numbers(web.get("/copyright/works", params={"start": typed}, headers=EN).text) == first, typed
    total = web.get("/api/v1/copyright/works", params={"limit": 1}).json()["total"]
    last = web.get("/copyright/works", params={"start": "99999"}, headers=ZH)
    assert last.status_code == 200 and len(_rows(last.text)) == (total - 1) % 20 + 1
    assert web.get("/api/v1/copyright/works", params={"start": 9999}).json()["items"] == []


@pytest.mark.parametrize(("params", "field"), [
    ({"type": "bogus"}, "Work type"), ({"from": "notadate"}, "Registered from"), ({"status": "under_review"}, "Status"),
    ({"from": "2025-02-01", "to": "2025-01-01"}, "Registered until"), ({"title": "长" * 201}, "Title"),
    ({"author": "a\x00"}, "Author"),
])
def test_a_value_that_does_not_fit_is_a_422_page_naming_the_field(web: TestClient, params: dict[str, str],
                                                                   field: str) -> None:
    page = web.get("/copyright/works", params=params, headers=EN)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    error = html.fromstring(page.text).get_element_by_id("works-error")
    assert error.get("role") == "alert" and field in error.text_content()
    assert 'action="/copyright/works"' in page.text  # the form again, to correct
    chinese = web.get("/copyright/works", params=params, headers=ZH)
    assert chinese.status_code == 422 and 'id="works-error"' in chinese.text
    api = web.get("/api/v1/copyright/works", params=params)
    assert api.status_code == 422 and api.headers["content-type"].startswith("application/problem+json")


def test_the_api_answers_with_the_same_works(web: TestClient, numbers: dict[str, str]) -> None:
    r = web.get("/api/v1/copyright/works", params={"title": "春江", "limit": 5})
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["start"], body["limit"]) == (1, 0, 5)
    (poem,) = body["items"]
    assert poem["number"] == numbers["poem"] and poem["owner"] == "青山工作室" and not poem["hash_only"]
    assert poem["certificate_url"] == f"/api/v1/copyright/registrations/{numbers['poem']}/certificate"
    assert body["facets"] == {"work_type": {"written": 1}, "status": {"registered": 1}}
    photo = web.get("/api/v1/copyright/works", params={"title": "harbour"}).json()["items"][0]
    assert photo["hash_only"] and photo["certificate_url"] is None
    assert web.get("/api/v1/copyright/works", params={"limit": 101}).status_code == 422


def _stat_tables(page: str) -> dict[str, dict[str, str]]:
    tree = html.fromstring(page)
    return {fig.get("id"): {tr.xpath("./td[1]")[0].text_content(): tr.xpath("./td[2]")[0].text_content()
                            for tr in fig.xpath(".//tbody/tr")}
            for fig in tree.xpath("//figure[contains(@class, 'stat')]")}


def test_statistics_in_both_languages_with_the_numbers_of_the_api(web: TestClient) -> None:
    api = web.get("/api/v1/copyright/stats").json()
    assert set(api) == {"by_work_type", "by_status", "by_month", "by_licence_type"}  # unchanged
    assert api["by_licence_type"] == {"exclusive": 1, "non_exclusive": 1, "creative_commons": 1}
    en = web.get("/copyright/stats", headers=EN)
    assert en.status_code == 200
    tables = _stat_tables(en.text)
    assert tables["stat-by_work_type"]["Musical work"] == "22" and tables["stat-by_work_type"]["Written work"] == "3"
    assert tables["stat-by_month"]["2024-11"] == "1"
    assert sum(int(n) for n in tables["stat-by_month"].values()) == sum(api["by_month"].values())
    assert tables["stat-by_status"] == {"Registered": str(api["by_status"]["registered"]), "Under review": "1",
                                        "Disputed": "1", "Revoked": "2"}
    assert tables["stat-by_licence_type"] == {"Exclusive licence": "1", "Non-exclusive licence": "1",
                                              "Creative Commons licence": "1"}
    # the charts draw the very numbers of the tables
    data = json.loads(html.fromstring(en.text).get_element_by_id("stats-data").text_content())
    assert {label: str(n) for label, n in data["by_work_type"]} == tables["stat-by_work_type"]
    boxes = html.fromstring(en.text).xpath("//div[@data-chart]")
    assert len(boxes) == 4 and all(b.get("role") == "img" and b.get("aria-label") for b in boxes)

    zh = web.get("/copyright/stats", headers=ZH)
    assert zh.status_code == 200 and '<html lang="zh-Hans">' in zh.text
    assert _stat_tables(zh.text)["stat-by_work_type"]["音乐作品"] == "22"


# --- in the browser, on a real portal ------------------------------------------------------------

def _register_through_the_api(portal_url: str, token: str) -> dict[str, str]:
    """A member signs up and registers three works through the public API, one with its file."""
    email = f"cat-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(f"{portal_url}/api/v1/auth/register",
                   json={"email": email, "password": "a long password 123", "display_name": "墨香出版社"})
    assert r.status_code == 201, r.text
    r = httpx.post(f"{portal_url}/api/v1/auth/token", data={"username": email, "password": "a long password 123"})
    auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
    numbers = {}
    for key, title, kind, authors in (("poem", f"{token} 静夜思", "written", ["李白"]),
                                      ("song", f"{token} Harbour song", "music", ["Wang Fang", "Li Hua"])):
        content = hashlib.sha256(f"{token} {key}".encode()).hexdigest()
        r = httpx.post(f"{portal_url}/api/v1/copyright/registrations", headers=auth,
                       json={"work": {"title": title, "work_type": kind, "authors": authors},
                             "content": {"sha256": content}})
        assert r.status_code == 201, r.text
        numbers[key] = r.json()["number"]
    work = json.dumps({"title": f"{token} 山水图", "work_type": "fine_art", "authors": ["张大千"]})
    r = httpx.post(f"{portal_url}/api/v1/copyright/registrations/upload", headers=auth, data={"work": work},
                   files={"file": ("shanshui.bin", os.urandom(256), "application/octet-stream")})
    assert r.status_code == 201, r.text
    numbers["picture"] = r.json()["number"]
    return numbers


@pytest.mark.parametrize(("lang", "search", "hash_only"), [("en-GB", "Search", "Hash only"),
                                                           ("zh-CN", "检索", None)])
def test_search_the_catalogue_and_read_the_charts_in_the_browser(browser: Browser, portal_url: str, lang: str,
                                                                 search: str, hash_only: str | None) -> None:
    token = f"cat{uuid.uuid4().hex[:6]}"
    numbers = _register_through_the_api(portal_url, token)
    page = new_page(browser, lang)
    page.goto(portal_url + "/copyright/works")
    assert axe_violations(page) == [], page.url
    page.locator("#w-title").fill(token)
    with page.expect_navigation():
        page.get_by_role("button", name=search, exact=True).click()
    rows = page.locator("#works tbody tr")
    expect(rows).to_have_count(3)
    assert rows.locator("td:first-child a").all_inner_texts() == [numbers["picture"], numbers["song"],
                                                                   numbers["poem"]]  # newest first
    poem = rows.filter(has_text="静夜思")
    assert poem.locator("td:first-child a").get_attribute("href") == f"/copyright/records/{numbers['poem']}"
    assert poem.locator("td").nth(7).locator("a").count() == 0  # hash-only: nothing to open
    if hash_only:
        expect(poem.locator("td").nth(7)).to_contain_text(hash_only)
    assert rows.filter(has_text="山水图").locator("td").nth(7).locator("a").count() == 1  # its certificate
    assert axe_violations(page) == [], page.url
    screenshot(page, f"copyright-works-{lang[:2]}")

    page.locator("#w-author").fill("wang")
    page.locator("#w-type").select_option("music")
    with page.expect_navigation():
        page.get_by_role("button", name=search, exact=True).click()
    expect(rows).to_have_count(1)
    assert "type=music" in page.url and "author=wang" in page.url
    page.locator("#w-title").fill(f"{token} nothing like this")
    with page.expect_navigation():
        page.get_by_role("button", name=search, exact=True).click()
    expect(page.locator("#no-works")).to_be_visible()
    assert axe_violations(page) == [], page.url

    page.goto(portal_url + "/copyright/stats")
    boxes = page.locator("[data-chart]")
    assert boxes.count() >= 3  # type, month and status: the licence chart only once there are licences
    expect(page.locator("[data-chart] canvas")).to_have_count(boxes.count())  # every chart drawn
    for box in boxes.all():
        assert box.get_attribute("role") == "img" and box.get_attribute("aria-label")
        assert box.is_visible()
    assert page.locator("details[data-stat-table][open]").count() == 0  # the tables fold once drawn
    assert re.search(r"\d", page.locator("#stat-by_work_type tbody").text_content() or "")
    assert axe_violations(page) == [], page.url
    screenshot(page, f"copyright-stats-{lang[:2]}")
    page.context.close()


@pytest.mark.parametrize(("lang", "then"), [("en-GB", "is not a registration number"), ("zh-CN", "不是登记号")])
def test_a_refusal_opening_on_what_was_typed_shows_it_as_typed(browser: Browser, portal_url: str, lang: str,
                                                               then: str) -> None:
    """The pages raise a refusal's first letter where it opens on an ordinary word (api.pages.context:
    as_sentence); a style sheet raising every box's first letter wrote the typed 'garbage<b>' as
    'Garbage<b>' (and an uploaded 'evil.exe' as 'Evil.exe') on English pages."""
    page = new_page(browser, lang)
    page.goto(portal_url + "/copyright/verify?number=garbage%3Cb%3E")
    said = page.locator("#v-number-error")
    expect(said).to_be_visible()
    assert said.inner_text().startswith(f"garbage<b> {then}" if lang == "en-GB" else "garbage<b>"), said.inner_text()
    assert then in said.inner_text()
    page.goto(portal_url + "/copyright/verify?number=CR-2026-99999999")  # one that opens on a word is a sentence
    assert page.locator("#v-number-error").inner_text()[:1].isupper() or lang == "zh-CN"
    page.context.close()
