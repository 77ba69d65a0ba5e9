"""The agency directory over HTTP and in Chromium: filters by province (Chinese, pinyin, code),
city, service type, IPC subclass and name; not-yet-rated agencies after the rated ones; an unknown
province, a city of another province or a bad IPC symbol answered with the form and a sentence;
recommendations inside the province only; a profile with its tier in words, integrity records,
reviews and the agency's reply; one review per reader and agency (written, then edited); flags,
objections by the agency's account; flagged and held reviews in the moderation queue, held and
released by a moderator; hostile requests (markup stays text, no CSRF token, ids that do not exist,
parameters that do not fit, a member moderating); an applicant's journey and a moderator's in
Chromium in Chinese and English with axe-core."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import NamedTuple
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import html
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.app import create_app
from community.agencies import service as svc
from community.agencies.models import RecordKind, Review, ServiceType
from community.agencies.schemas import AgencyIn, RecordIn, ReviewIn
from core.accounts.models import Role, User
from core.accounts.service import create_user
from core.audit import AuditContext, AuditRecord, Writer
from core.db import session_factory
from core.settings import Settings
from servicehall import catalogue
from tests.api.pages.conftest import axe_violations, new_page, screenshot
from tests.api.pages.test_forum_pages import _api_member, _log_in

PASSWORD = "a long password 123"
EN = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}
XSS = "<script>alert('x')</script>"


def _writer(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="test"))


def _person(session: Session, name: str, role: Role = Role.member) -> User:
    user = create_user(session, f"g-{uuid.uuid4().hex[:8]}@example.org", PASSWORD, role=role)
    user.display_name = name
    user.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=30)
    session.commit()
    return user


class Directory(NamedTuple):
    app: FastAPI
    settings: Settings
    ids: dict[str, int]  # agency key: id
    people: dict[str, str]  # who: e-mail


def _review(n: int) -> ReviewIn:
    return ReviewIn(engagement_ref=f"case {n}", professionalism=5, responsiveness=5, cost_transparency=4, outcome=5)


@pytest.fixture
def directory(embedded_settings: Settings) -> Directory:
    """Agencies in Guangdong (Shenzhen, Guangzhou), Zhejiang and Beijing; the Shenzhen telecom one
    rated on three reviews and owned by ``owner``; a sanction on the Guangzhou one."""
    with session_factory(embedded_settings.effective_database_url)() as s:
        admin = _person(s, "Root", Role.admin)
        people = {"admin": admin, "alice": _person(s, f"Alice {XSS}"), "owner": _person(s, "Owner of Telecom"),
                  "mod": _person(s, "Mod Maria", Role.moderator)}
        raters = [_person(s, f"Rater {i}") for i in range(3)]
        specs = {
            "sz_telecom": AgencyIn(name="深圳通信专利事务所", licence_number="44001", province="广东", city="深圳",
                                   service_types=[ServiceType.patent], ipc_subclasses=["H04W", "H04L"]),
            "gz_sanctioned": AgencyIn(name="Guangzhou Pearl IP", licence_number="44002", province="Guangdong",
                                      city="Guangzhou", service_types=[ServiceType.patent, ServiceType.trademark],
                                      ipc_subclasses=["H04N"]),
            "sz_new": AgencyIn(name=f"Shenzhen Newcomer {XSS}", licence_number="44003", province="440000",
                               city="Shenzhen", service_types=[ServiceType.patent], ipc_subclasses=["H04W"]),
            "zj_telecom": AgencyIn(name="Hangzhou West Lake Patents", licence_number="33001", province="浙江",
                                   city="杭州", service_types=[ServiceType.patent], ipc_subclasses=["H04W"]),
            "bj_trademark": AgencyIn(name="Beijing Marks", licence_number="11001", province="北京",
                                     service_types=[ServiceType.trademark]),
        }
        ids = {key: svc.create_agency(_writer(s, admin), spec).id for key, spec in specs.items()}
        for i, rater in enumerate(raters):
            svc.review_agency(_writer(s, rater), ids["sz_telecom"], _review(i))
        svc.add_integrity_record(_writer(s, admin), ids["gz_sanctioned"], RecordIn(
            kind=RecordKind.sanction, points=25, description=f"Abnormal applications filed {XSS}",
            source="CNIPA notice 2024-17", occurred_on=dt.date(2024, 3, 1), evidence=["https://cnipa.example/17"]))
        claim = svc.claim_agency(_writer(s, people["owner"]), ids["sz_telecom"], "our licence")
        svc.decide_claim(_writer(s, admin), claim.id, True)
        emails = {who: user.email for who, user in people.items()}
    return Directory(create_app(embedded_settings), embedded_settings, ids, emails)


def _csrf(client: TestClient, path: str = "/community/agencies") -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path, headers=EN).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def clients(directory: Directory) -> Iterator[dict[str, TestClient]]:
    signed: dict[str, TestClient] = {}
    with TestClient(directory.app) as anon:
        signed["anon"] = anon
        for who, email in directory.people.items():
            client = TestClient(directory.app)
            form = {"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
            assert client.post("/login", data=form, headers=EN, follow_redirects=False).status_code == 303
            signed[who] = client
        yield signed


def _listed(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="agency-card" id="agency-(\d+)"', html)]


def _post(client: TestClient, path: str, data: dict[str, str]) -> httpx.Response:
    return client.post(path, data=data | {"csrf_token": _csrf(client)}, headers=EN, follow_redirects=False)


def test_filters_by_province_in_any_name_city_service_and_ipc(directory: Directory,
                                                              clients: dict[str, TestClient]) -> None:
    anon, ids = clients["anon"], directory.ids
    guangdong = {ids["sz_telecom"], ids["gz_sanctioned"], ids["sz_new"]}
    for name in ("广东", "广东省", "Guangdong", "guangdong province", "440000"):
        r = anon.get("/community/agencies", params={"province": name}, headers=EN)
        assert r.status_code == 200 and set(_listed(r.text)) == guangdong, name
        assert '<option value="440000" selected>Guangdong</option>' in r.text
    zh = anon.get("/community/agencies", params={"province": "Guangdong"}, headers=ZH).text
    assert '<option value="440000" selected>广东省</option>' in zh and "深圳市" in zh

    telecom = anon.get("/community/agencies", params={"province": "广东", "ipc": "H04W"}, headers=EN).text
    assert _listed(telecom) == [ids["sz_telecom"], ids["sz_new"]]  # rated first, then not yet rated
    assert "Tier A+" in telecom and "not yet rated" in telecom and "3 reviews" in telecom
    assert _listed(anon.get("/community/agencies?ipc=H04", headers=EN).text)[-1] != ids["sz_telecom"]
    assert set(_listed(anon.get("/community/agencies?ipc=h04w+4/00", headers=EN).text)) == {
        ids["sz_telecom"], ids["sz_new"], ids["zj_telecom"]}
    assert set(_listed(anon.get("/community/agencies?ipc=H", headers=EN).text)) == {
        ids["sz_telecom"], ids["sz_new"], ids["zj_telecom"], ids["gz_sanctioned"]}
    assert _listed(anon.get("/community/agencies?city=Guangzhou", headers=EN).text) == [ids["gz_sanctioned"]]
    assert set(_listed(anon.get("/community/agencies?province=广东&city=深圳市", headers=EN).text)) == {
        ids["sz_telecom"], ids["sz_new"]}
    assert set(_listed(anon.get("/community/agencies?service=trademark", headers=EN).text)) == {
        ids["gz_sanctioned"], ids["bj_trademark"]}
    assert _listed(anon.get("/community/agencies?q=pearl", headers=EN).text) == [ids["gz_sanctioned"]]
    assert _listed(anon.get("/community/agencies?province=北京&ipc=H04W", headers=EN).text) == []


def test_places_and_symbols_not_understood_show_the_form_again(directory: Directory,
                                                                clients: dict[str, TestClient]) -> None:
    anon = clients["anon"]
    r = anon.get("/community/agencies", params={"province": "Atlantis", "q": "kept"}, headers=EN)
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    assert "Unknown province &#39;Atlantis&#39;" in r.text and 'role="alert"' in r.text
    assert 'name="q" value="kept"' in r.text and _listed(r.text) == []
    elsewhere = anon.get("/community/agencies", params={"province": "浙江", "city": "深圳"}, headers=EN)
    assert elsewhere.status_code == 400 and "Shenzhen is in Guangdong, not in Zhejiang" in elsewhere.text
    zh = anon.get("/community/agencies", params={"province": "440000", "city": "杭州"}, headers=ZH)
    assert "杭州市属于浙江省，不属于广东省" in zh.text  # it named the places in English on a Chinese page
    long_name = anon.get("/community/agencies", params={"q": "x" * 200}, headers=ZH)
    assert long_name.status_code == 422 and "（检索词）" in long_name.text and "检索式" not in long_name.text
    assert '<option value="440000" selected' in zh.text  # and the province chosen is kept
    bad_ipc = anon.get("/community/agencies", params={"ipc": "telecom"}, headers=EN)
    assert bad_ipc.status_code == 400 and "Not an IPC symbol" in bad_ipc.text
    # the refused value stays in the filter, to be put right, and is not carried into "Recommend for me";
    # the reader's other choices are
    bad_ipc = anon.get("/community/agencies", params={"ipc": "telecom", "province": "广东", "service": "patent"},
                       headers=EN)
    page = html.fromstring(bad_ipc.text)
    inputs = {i.get("id"): i.get("value") for i in page.xpath("//input[@name='ipc']")}
    assert inputs == {"f-ipc": "telecom", "r-ipc": ""}
    assert page.xpath("//select[@id='r-province']/option[@selected]/@value") == ["440000"]
    assert page.xpath("//select[@id='r-service']/option[@selected]/@value") == ["patent"]
    bad_place = html.fromstring(anon.get("/community/agencies", params={"province": "Atlantis", "ipc": "H04W"},
                                         headers=EN).text)
    assert bad_place.xpath("//select[@id='r-province']/option[@selected]/@value") == []
    assert bad_place.xpath("//input[@id='r-ipc']/@value") == ["H04W"]
    good = html.fromstring(anon.get("/community/agencies", params={"ipc": "H04W"}, headers=EN).text)
    assert [i.get("value") for i in good.xpath("//input[@name='ipc']")] == ["H04W", "H04W"]
    rec = anon.get("/community/agencies/recommend", params={"province": "Narnia"}, headers=EN)
    assert rec.status_code == 400 and "Unknown province" in rec.text


def _marked(page: str) -> dict[str, list[str]]:
    """The fields a refused form marks (aria-invalid), by id (else name): the ids that describe each."""
    return {field.get("id") or field.get("name"): (field.get("aria-describedby") or "").split()
            for field in html.fromstring(page).xpath('//main//*[@aria-invalid="true"]')}


def test_a_refused_filter_or_review_marks_its_field(directory: Directory, clients: dict[str, TestClient]) -> None:
    """The refusal was said above the form, its field left unmarked (and a keyboard's focus at the top)."""
    anon, alice = clients["anon"], clients["alice"]
    for params, marked in (({"ipc": "<b>ZZ99", "city": "深圳"}, {"f-ipc": ["form-error", "f-ipc-hint"]}),
                           ({"province": "浙江", "city": "<b>深圳"}, {"f-city": ["form-error", "f-city-hint"]}),
                           ({"province": "<b>Atlantis", "city": "深圳"}, {"f-province": ["form-error"]})):
        r = anon.get("/community/agencies", params=params, headers=ZH)
        assert r.status_code == 400 and _marked(r.text) == marked, (params, _marked(r.text))
        assert "<b>" not in r.text
    # a place and a field both refused: both said at once (the province was said, then the field)
    both = anon.get("/community/agencies", params={"province": "<b>Atlantis", "ipc": "<b>ZZ99"}, headers=ZH)
    assert both.status_code == 400
    assert _marked(both.text) == {"f-province": ["form-error"], "f-ipc": ["form-error", "f-ipc-hint"]}
    said = html.fromstring(both.text).get_element_by_id("form-error").text_content()
    assert "Atlantis" in said and "ZZ99" in said and "<b>" not in both.text
    rec = anon.get("/community/agencies/recommend", params={"province": "广东", "ipc": "<b>ZZ99"}, headers=ZH)
    assert rec.status_code == 400 and _marked(rec.text) == {"r-ipc": ["form-error", "r-ipc-hint"]}
    path = f"/community/agencies/{directory.ids['sz_new']}"
    for change, marked in (({"linked_pn": "NOT-A-PATENT<b>"}, {"rv-pn": ["review-error", "rv-pn-hint"]}),
                           ({"engagement_ref": ""}, {"rv-ref": ["review-error", "rv-ref-hint"]}),
                           ({"outcome": "9"}, {"outcome": ["review-error"]})):
        r = _post(alice, f"{path}/review", _review_form("PCT-2024-8", "3", f"text {XSS}") | change)
        assert r.status_code == 400 and _marked(r.text) == marked, (change, _marked(r.text))
        assert "NOT-A-PATENT<b>" not in r.text and XSS not in r.text
    assert anon.get("/community/agencies", params={"ipc": "H04W"}, headers=ZH).text.count("aria-invalid") == 0


def test_recommendations_stay_in_the_province(directory: Directory, clients: dict[str, TestClient]) -> None:
    ids = directory.ids
    r = clients["anon"].get("/community/agencies/recommend", params={"province": "440000", "ipc": "H04",
                                                                     "service": "patent"}, headers=EN)
    assert r.status_code == 200
    found = _listed(r.text)
    assert found[0] == ids["sz_telecom"] and ids["zj_telecom"] not in found and ids["bj_trademark"] not in found
    assert "works in H04L, H04W" in r.text and "in your province" in r.text
    city = clients["anon"].get("/community/agencies/recommend", params={"province": "广东", "city": "深圳",
                                                                        "ipc": "H04W"}, headers=EN).text
    assert set(_listed(city)[:2]) == {ids["sz_telecom"], ids["sz_new"]} and "in your city" in city
    assert _listed(city)[2:] == [ids["gz_sanctioned"]]  # of the province, not in the field: after them
    # the reasons in the reader's punctuation, and "not yet rated" is no reason to recommend
    zh = clients["anon"].get("/community/agencies/recommend", params={"province": "440000", "ipc": "H04",
                                                                      "service": "patent"}, headers=ZH).text
    why = html.fromstring(zh).xpath(f'//li[@id="agency-{ids["sz_telecom"]}"]//p[@class="why"]')[0].text_content()
    assert why.startswith("推荐理由：") and "；" in why and "; " not in why and "暂未评级" not in why
    bare = clients["anon"].get("/community/agencies/recommend", params={"province": "440000"}, headers=ZH).text
    unrated = html.fromstring(bare).xpath(f'//li[@id="agency-{ids["sz_new"]}"]//p[@class="why"]')[0]
    assert unrated.text_content() == "推荐理由：位于您所在省份"


def test_recommendations_put_the_field_first_then_the_rest_of_the_province(directory: Directory,
                                                                          clients: dict[str, TestClient]) -> None:
    """"We propose agencies of your province only, those working in your field first": the field was a
    filter (Guangdong + H04W left out the Guangzhou agency; Zhejiang + G06F proposed nothing)."""
    ids, anon = directory.ids, clients["anon"]

    def asked(headers: dict[str, str] = EN, **params: str) -> html.HtmlElement:
        r = anon.get("/community/agencies/recommend", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return html.fromstring(r.text)

    def listed(section: list[html.HtmlElement]) -> list[int]:
        return [int(i.removeprefix("agency-")) for i in section[0].xpath('.//li[@class="agency-card"]/@id')]

    page = asked(province="广东", ipc="H04W", service="patent")
    field, others = (page.xpath(f'//section[@aria-labelledby="{h}"]') for h in ("picks-h", "others-h"))
    assert field[0].xpath("string(h2)") == "Agencies working in H04W"
    assert set(listed(field)) == {ids["sz_telecom"], ids["sz_new"]}
    assert others[0].xpath("string(h2)") == "Other agencies of your province" and listed(others) == [
        ids["gz_sanctioned"]]
    why = others[0].xpath('string(.//p[@class="why"])')
    assert "works in" not in why and "in your province" in why  # not said to work in a field it does not
    # no agency of Zhejiang works in G06F: the province's others, said so, rather than nothing
    page = asked(province="Zhejiang", ipc="G06F")
    assert page.xpath('string(//p[@role="status"])') == (
        "No agency of your province says it works in G06F: here are the others.")
    assert listed(page.xpath('//section[@aria-labelledby="others-h"]')) == [ids["zj_telecom"]]
    assert ids["sz_telecom"] not in _listed(html.tostring(page, encoding="unicode"))  # never another province
    zh = asked(ZH, province="浙江", ipc="G06F")
    assert zh.xpath("string(//h2[@id='others-h'])") == "您所在省份的其他代理机构"
    # a province without agencies, and a service nobody there offers, say so
    assert "The directory has no agency of your province yet" in asked(province="西藏", ipc="H04W").text_content()
    assert "No agency of your province offers this service" in asked(province="浙江", service="law").text_content()
    # what it cannot read is still refused, with the form again
    bad = anon.get("/community/agencies/recommend", params={"province": "广东", "ipc": "'; DROP TABLE"},
                   headers=EN)
    assert bad.status_code == 400 and "Not an IPC symbol" in bad.text and 'class="agency-card"' not in bad.text


def test_a_profile_says_its_tier_in_words(directory: Directory, clients: dict[str, TestClient]) -> None:
    ids, anon = directory.ids, clients["anon"]
    rated = anon.get(f"/community/agencies/{ids['sz_telecom']}", headers=EN).text
    assert "深圳通信专利事务所" in rated and "Shenzhen, Guangdong" in rated and "<code>H04W</code>" in rated
    assert "Every agency starts at 100 points." in rated and "from the clients&#39; reviews" in rated
    assert re.search(r"Score 10\d(\.\d+)?: tier A\+", rated) and "Verified agency account" in rated
    # the stars the three clients gave (5, 5, 4 and 5 each), not the weighted rating the score uses
    assert "4.75 of 5 · 3 reviews" in rated and "makes a rating of 3." in rated
    assert "their mean of 4.75 from 3 reviews" in rated  # the explanation starts from the stars shown above
    sanctioned = anon.get(f"/community/agencies/{ids['gz_sanctioned']}", headers=EN).text
    assert "25 points deducted: Sanction, Abnormal applications filed &lt;script&gt;" in sanctioned
    assert "Score 75: tier C" in sanctioned and "CNIPA notice 2024-17" in sanctioned
    assert 'href="https://cnipa.example/17" rel="nofollow noopener noreferrer"' in sanctioned
    assert "The reviews do not count towards the score yet" in sanctioned and XSS not in sanctioned
    new = anon.get(f"/community/agencies/{ids['sz_new']}", headers=EN).text
    assert "Shenzhen Newcomer &lt;script&gt;" in new and XSS not in new and "Not yet rated:" in new
    assert "/login?next=" in new and 'name="engagement_ref"' not in new
    zh = anon.get(f"/community/agencies/{ids['sz_telecom']}", headers=ZH)
    assert zh.status_code == 200 and '<html lang="zh-Hans">' in zh.text and "广东省深圳市" in zh.text  # as written
    facts = html.fromstring(new).xpath('//dt[.="Practitioners"]/following-sibling::dd[1]')[0].text_content()
    assert facts == "not given"  # none entered is not "0"


def test_a_profile_leads_to_mediation_with_the_agency_filled_in(directory: Directory,
                                                                 clients: dict[str, TestClient]) -> None:
    """The public had no way to complain about an agency from its page (only to flag a review): the
    page links the service hall's mediation, whose form the link fills in with the agency's number,
    and with nothing else (a link must not write an applicant's words), signed in or not yet."""
    with session_factory(directory.settings.effective_database_url)() as s:
        admin = s.scalars(select(User).where(User.role == Role.admin)).first()
        assert admin is not None
        catalogue.seed(_writer(s, admin))
    agency = directory.ids["gz_sanctioned"]
    profile = clients["anon"].get(f"/community/agencies/{agency}", headers=ZH).text
    link = f"/service-hall/apply/agency-mediation?f_agency_id={agency}"
    assert f'href="{link}"' in profile and "在网上办事大厅申请调解" in profile
    said = html.fromstring(profile).get_element_by_id("complain").text_content()
    assert said == "与该机构发生纠纷？在网上办事大厅申请调解（投诉成立的将计入本诚信档案）。"  # no spaces in Chinese
    form = clients["alice"].get(link + "&f_details=I+never+paid+them&f_nope=1", headers=ZH)
    page = html.fromstring(form.text)
    assert form.status_code == 200 and page.xpath('//input[@name="f_agency_id"]/@value') == [str(agency)]
    assert page.xpath('//textarea[@name="f_details"]')[0].text_content() == ""  # the applicant's own words
    assert not page.xpath('//*[@name="f_nope"]')
    hostile = html.fromstring(clients["alice"].get(f"/service-hall/apply/agency-mediation?f_agency_id={XSS}",
                                                   headers=ZH).text)
    assert hostile.xpath('//input[@name="f_agency_id"]/@value') == [""]  # a number or nothing
    # not signed in yet: the sign-in leads back to the same address, the agency still filled in
    sign_in = clients["anon"].get(link, headers=ZH, follow_redirects=False)
    assert sign_in.status_code == 303
    assert sign_in.headers["location"] == "/login?" + urlencode({"next": link})


def _review_form(engagement: str, stars: str, text: str) -> dict[str, str]:
    return {"engagement_ref": engagement, "professionalism": stars, "responsiveness": stars,
            "cost_transparency": stars, "outcome": stars, "text": text, "linked_pn": ""}


def _reviews_by(settings: Settings, email: str, agency: int) -> list[Review]:
    with session_factory(settings.effective_database_url)() as s:
        author = s.scalars(select(User.id).where(User.email == email)).one()
        return list(s.scalars(select(Review).where(Review.author_id == author, Review.agency_id == agency)))


def test_one_review_per_reader_written_then_edited(directory: Directory, clients: dict[str, TestClient]) -> None:
    alice, agency = clients["alice"], directory.ids["sz_new"]
    path = f"/community/agencies/{agency}"
    r = _post(alice, f"{path}/review", _review_form("PCT-2024-7", "4", f"Quick and clear {XSS}"))
    assert r.status_code == 303 and r.headers["location"] == f"{path}?done=reviewed#my-review"
    page = alice.get(r.headers["location"], headers=EN).text
    assert "Thank you: your review is published." in page and "Quick and clear &lt;script&gt;" in page
    assert XSS not in page and "Edit your review" in page and 'value="PCT-2024-7"' in page
    assert 'name="professionalism" value="4" required checked' in page

    again = _post(alice, f"{path}/review", _review_form("PCT-2024-7", "2", "Slower than promised"))
    assert again.status_code == 303 and "done=edited" in again.headers["location"]
    page = alice.get(again.headers["location"], headers=EN).text
    assert "Slower than promised" in page and "Quick and clear" not in page and "edited " in page
    [review] = _reviews_by(directory.settings, directory.people["alice"], agency)
    assert (review.professionalism, review.text) == (2, "Slower than promised")
    other = _post(alice, f"{path}/review", _review_form("another case", "5", "third try"))
    assert other.status_code == 303
    assert len(_reviews_by(directory.settings, directory.people["alice"], agency)) == 1  # still one
    with session_factory(directory.settings.effective_database_url)() as s:
        actions = list(s.scalars(select(AuditRecord.action).where(
            AuditRecord.object_type == "review", AuditRecord.object_id == str(review.id)).order_by(AuditRecord.id)))
    assert actions == ["agency.review", "agency.review.edit", "agency.review.edit"]
    public = clients["anon"].get(path, headers=EN).text
    assert "third try" in public and "another case" not in public  # the reference is the author's only

    refused = _post(alice, f"{path}/review", _review_form("", "9", "kept <b>text</b>"))
    assert refused.status_code == 400 and "kept &lt;b&gt;text&lt;/b&gt;" in refused.text
    assert "Give your case, matter or invoice reference" in refused.text
    # a patent number that is none is refused, kept in its box; a real one not naming the agency is said
    junk = _post(alice, f"{path}/review", _review_form("PCT-2024-7", "3", "x") | {"linked_pn": "NOT-A-PATENT-<b>"})
    assert junk.status_code == 400 and "Give a publication number such as CN101096965A" in junk.text
    assert 'value="NOT-A-PATENT-&lt;b&gt;"' in junk.text
    unverified = _post(alice, f"{path}/review", _review_form("PCT-2024-7", "3", "x") | {"linked_pn": "us 7654321 b2"})
    assert unverified.status_code == 303 and "done=unverified" in unverified.headers["location"]
    assert "not marked verified" in alice.get(unverified.headers["location"], headers=EN).text
    [review] = _reviews_by(directory.settings, directory.people["alice"], agency)
    assert review.linked_pn == "US7654321B2" and not review.verified  # as the index writes numbers
    own = _post(clients["owner"], f"/community/agencies/{directory.ids['sz_telecom']}/review",
                _review_form("self", "5", "we are great"))
    assert own.status_code == 403 and "an agency cannot review itself" in own.text


def test_the_agency_replies_and_objects_members_flag(directory: Directory, clients: dict[str, TestClient]) -> None:
    ids, owner, alice = directory.ids, clients["owner"], clients["alice"]
    path = f"/community/agencies/{ids['sz_telecom']}"
    _post(alice, f"{path}/review", _review_form("TM-1", "3", "Average"))
    [review] = _reviews_by(directory.settings, directory.people["alice"], ids["sz_telecom"])
    assert f'action="{path}/reviews/{review.id}/reply"' not in alice.get(path, headers=EN).text
    denied = _post(alice, f"{path}/reviews/{review.id}/reply", {"text": "forged reply"})
    assert denied.status_code == 403 and "Only the owner of this agency profile" in denied.text
    page = owner.get(path, headers=EN).text
    assert f'action="{path}/reviews/{review.id}/reply"' in page and "Reply as the agency" in page
    assert "This is your agency: an agency cannot review itself." in page
    r = _post(owner, f"{path}/reviews/{review.id}/reply", {"text": f"Thank you {XSS}"})
    assert r.headers["location"] == f"{path}?done=replied&review={review.id}#review-{review.id}"
    assert "The agency&#39;s reply is published" in owner.get(r.headers["location"], headers=EN).text
    page = alice.get(path, headers=EN).text
    assert "The agency&#39;s reply" in page and "Thank you &lt;script&gt;" in page and XSS not in page
    twice = _post(owner, f"{path}/reviews/{review.id}/reply", {"text": "again"})
    assert twice.status_code == 409 and "already replied" in twice.text

    flagged = _post(owner, f"{path}/reviews/{review.id}/flag", {})
    assert flagged.status_code == 303 and "done=flagged" in flagged.headers["location"]
    flagged_page = owner.get(flagged.headers["location"], headers=EN).text
    assert "You flagged this review." in flagged_page and "the moderators will look at the review" in flagged_page
    mine = _post(alice, f"{path}/reviews/{review.id}/flag", {})
    assert mine.status_code == 400 and "You cannot flag your own review" in mine.text

    sanctioned = f"/community/agencies/{ids['gz_sanctioned']}"
    assert 'id="objections"' not in alice.get(sanctioned, headers=EN).text
    assert _post(alice, f"{path}/objections", {"text": "unfair"}).status_code == 403
    objected = _post(owner, f"{path}/objections", {"text": f"Our tier ignores 2023 {XSS}", "record": ""})
    assert objected.status_code == 303 and "done=objected" in objected.headers["location"]
    page = owner.get(path, headers=EN).text
    assert "Our tier ignores 2023 &lt;script&gt;" in page and "Waiting for a moderator" in page
    admin = clients["admin"]
    record = re.search(r'<tr id="record-(\d+)"', admin.get(sanctioned, headers=EN).text)
    assert record is not None
    on_record = _post(admin, f"{sanctioned}/objections", {"text": "Filed in error", "record": record.group(1)})
    assert on_record.status_code == 303
    assert f"[integrity record {record.group(1)}: sanction, 2024-03-01] Filed in error" in admin.get(
        sanctioned, headers=EN).text
    assert _post(owner, f"{path}/objections", {"text": "x", "record": record.group(1)}).status_code == 404


def test_moderators_see_flagged_reviews_in_the_queue_and_hold_or_release_them(
        directory: Directory, clients: dict[str, TestClient]) -> None:
    """A member's flag puts the review in the moderation queue (with the agency, its author and the
    text, markup as text); a moderator holds it (gone from the profile and the rating) and releases
    it (back, its flags dismissed, out of the queue), each audited; members get 403 and forged forms
    nothing."""
    ids, alice, owner, mod = directory.ids, clients["alice"], clients["owner"], clients["mod"]
    path = f"/community/agencies/{ids['sz_telecom']}"
    _post(alice, f"{path}/review", _review_form("TM-9", "1", f"Never answered {XSS}"))
    [review] = _reviews_by(directory.settings, directory.people["alice"], ids["sz_telecom"])
    queued = f'id="queued-review-{review.id}"'
    assert queued not in mod.get("/community/moderation", headers=EN).text
    assert _post(owner, f"{path}/reviews/{review.id}/flag", {}).status_code == 303

    queue = mod.get("/community/moderation", headers=EN).text
    assert queued in queue and "深圳通信专利事务所" in queue and "Never answered &lt;script&gt;" in queue
    assert "By Alice &lt;script&gt;" in queue and XSS not in queue and "Flags: 1" in queue
    item = queue.split(queued)[1].split("</section>")[0]  # the only review queued
    assert item.count('name="csrf_token"') == 2 and 'value="hold"' in item and 'value="release"' in item
    assert "代理机构评价" in mod.get("/community/moderation", headers=ZH).text

    forbidden = alice.get("/community/moderation", headers=EN)
    assert forbidden.status_code == 403 and queued not in forbidden.text
    assert _post(alice, f"/community/moderation/reviews/{review.id}", {"action": "hold"}).status_code == 403
    forged = mod.post(f"/community/moderation/reviews/{review.id}", data={"action": "hold", "csrf_token": "forged"},
                      headers=EN, follow_redirects=False)
    assert forged.status_code == 403 and "did not come from this site" in forged.text
    assert _post(mod, f"/community/moderation/reviews/{review.id}", {"action": "explode"}).status_code == 422
    assert _post(mod, "/community/moderation/reviews/999999", {"action": "hold"}).status_code == 404
    assert f'id="review-{review.id}"' in clients["anon"].get(path, headers=EN).text  # nothing changed yet

    held = _post(mod, f"/community/moderation/reviews/{review.id}", {"action": "hold"})
    assert held.status_code == 303 and held.headers["location"] == "/community/moderation?reviewed=hold#reviews"
    queue = mod.get(held.headers["location"], headers=ZH).text
    assert "已暂时隐藏：该评价在恢复显示前既不显示，也不计入评分。" in queue
    assert queued in queue and "待审核：由版主暂时隐藏" in queue
    public = clients["anon"].get(path, headers=EN).text
    assert f'id="review-{review.id}"' not in public and "3 reviews" in public

    released = _post(mod, f"/community/moderation/reviews/{review.id}", {"action": "release"})
    assert released.status_code == 303 and "reviewed=release" in released.headers["location"]
    assert queued not in mod.get(released.headers["location"], headers=EN).text
    public = clients["anon"].get(path, headers=EN).text
    assert f'id="review-{review.id}"' in public and "4 reviews" in public
    with session_factory(directory.settings.effective_database_url)() as s:
        trail = list(s.execute(select(AuditRecord.action, AuditRecord.actor_id).where(
            AuditRecord.object_type == "review", AuditRecord.object_id == str(review.id)).order_by(AuditRecord.id)))
        moderator = s.scalars(select(User.id).where(User.email == directory.people["mod"])).one()
        assert s.get(Review, review.id).flags == []  # type: ignore[union-attr]
    assert [a for a, _ in trail] == ["agency.review", "agency.review.flag", "agency.review.release",
                                     "agency.review.release"]
    assert {actor for a, actor in trail if a == "agency.review.release"} == {moderator}


def test_no_csrf_token_no_write(directory: Directory, clients: dict[str, TestClient]) -> None:
    alice, agency = clients["alice"], directory.ids["sz_new"]
    for path, data in ((f"/community/agencies/{agency}/review", _review_form("x", "5", "forged")),
                       (f"/community/agencies/{agency}/objections", {"text": "forged"})):
        r = alice.post(path, data=data | {"csrf_token": "forged"}, headers=EN, follow_redirects=False)
        assert r.status_code == 403 and "did not come from this site" in r.text, path
    assert _reviews_by(directory.settings, directory.people["alice"], agency) == []
    assert _post(clients["anon"], f"/community/agencies/{agency}/review", _review_form("x", "5", "")).status_code \
        in (303, 401)


@pytest.mark.parametrize("path", ["/community/agencies/999999", "/community/agencies?page=2",
                                  "/community/agencies?province=广东&page=9"])
def test_ids_and_pages_that_do_not_exist_are_404_pages(directory: Directory, clients: dict[str, TestClient],
                                                       path: str) -> None:
    r = clients["alice"].get(path, headers=EN)
    assert r.status_code == 404 and "text/html" in r.headers["content-type"] and "Not found" in r.text
    _leads_back_to_the_directory(r.text)


def _leads_back_to_the_directory(page: str) -> None:
    """An error of the directory's pages leads back to the directory, as the copyright pages' to
    their register (it offered "Back to search", the patent search)."""
    assert "Search the directory of IP agencies" in html.fromstring(page).xpath(
        '//main//a[@href="/community/agencies"]/text()')
    assert "Back to search" not in page


@pytest.mark.parametrize("path", ["/community/agencies/abc", "/community/agencies?page=0", "/community/agencies?page=x",
                                  "/community/agencies?service=plumbing", "/community/agencies?province=" + "x" * 61,
                                  "/community/agencies/1?done=hacked", "/community/agencies/recommend?service=x"])
def test_parameters_that_do_not_fit_are_422_pages(directory: Directory, clients: dict[str, TestClient],
                                                  path: str) -> None:
    r = clients["alice"].get(path, headers=EN)
    assert r.status_code == 422 and "text/html" in r.headers["content-type"] and "does not fit" in r.text
    _leads_back_to_the_directory(r.text)


def test_pagination_keeps_the_filters(directory: Directory, clients: dict[str, TestClient]) -> None:
    with session_factory(directory.settings.effective_database_url)() as s:
        admin = s.scalars(select(User).where(User.email == directory.people["admin"])).one()
        for i in range(21):
            body = AgencyIn(name=f"Foshan Agency {i:02d}", licence_number=f"4406{i:02d}", province="广东", city="佛山",
                            service_types=[ServiceType.law])
            svc.create_agency(_writer(s, admin), body)
        assert s.scalar(select(func.count()).select_from(Review)) == 3
    first = clients["anon"].get("/community/agencies?city=佛山&service=law", headers=EN).text
    assert len(_listed(first)) == 20 and "Agencies found: 21 · page 1 of 2" in first
    link = re.search(r'href="([^"]+)" rel="next"', first)
    assert link is not None and "city=%E4%BD%9B%E5%B1%B1" in link.group(1) and "service=law" in link.group(1)
    second = clients["anon"].get(link.group(1).replace("&amp;", "&"), headers=EN).text
    assert len(_listed(second)) == 1 and 'rel="prev"' in second


# --- in Chromium: an applicant filters for telecom in Guangdong, reads a profile, writes a review ------

def _api_agency(portal_url: str, admin: dict[str, str], body: dict[str, object]) -> int:
    r = httpx.post(f"{portal_url}/api/v1/agencies", headers=admin, json=body)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


@pytest.mark.parametrize("lang", ["zh-CN", "en-GB"])
def test_an_applicant_filters_reads_and_reviews(browser: Browser, portal_url: str, admin_token: str,
                                                lang: str) -> None:
    admin = {"Authorization": f"Bearer {admin_token}"}
    tag = uuid.uuid4().hex[:6]
    telecom = _api_agency(portal_url, admin, {"name": f"华南通信知识产权 {tag}", "licence_number": f"GD-{tag}",
                                              "province": "广东省", "city": "深圳", "service_types": ["patent"],
                                              "ipc_subclasses": ["H04W", "H04L"], "practitioners": 12})
    _api_agency(portal_url, admin, {"name": f"Hangzhou Telecom {tag}", "licence_number": f"ZJ-{tag}",
                                    "province": "Zhejiang", "service_types": ["patent"], "ipc_subclasses": ["H04W"]})

    page = new_page(browser, lang)
    page.goto(f"{portal_url}/signup")
    page.get_by_label(re.compile("E-mail|电子邮箱")).fill(f"ap-{tag}@example.org")
    page.get_by_label(re.compile("^(Password|密码)")).fill(PASSWORD)
    page.locator("main form button").first.click()
    expect(page.get_by_role("button", name=re.compile("Log out|退出"))).to_be_visible()

    page.goto(f"{portal_url}/community/agencies")
    assert axe_violations(page) == []
    page.locator("#f-province").select_option("440000")
    page.locator("#f-service").select_option("patent")
    page.locator("#f-ipc").fill("H04W")
    page.locator("form.agency-filters button").first.click()
    card = page.locator(f"#agency-{telecom}")
    expect(card).to_be_visible()
    expect(page.locator("li.agency-card", has_text=f"Hangzhou Telecom {tag}")).to_have_count(0)
    expect(card.locator(".badge.tier-not_rated")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, f"agency-directory-{lang[:2]}")

    card.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"华南通信知识产权 {tag}")
    expect(page.locator("#tier")).to_contain_text("100")
    assert axe_violations(page) == []
    form = page.locator("#my-review form")
    form.locator("#rv-ref").fill("PCT/CN2024/0001")
    for key in ("professionalism", "responsiveness", "cost_transparency", "outcome"):
        form.locator(f'input[name="{key}"][value="4"]').check()
    form.locator("#rv-text").fill("回复及时 <b>not bold</b>")
    form.locator("button").click()
    expect(page.locator(".notice")).to_be_visible()
    mine = page.locator("article.review", has_text="回复及时")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("<b>not bold</b>")
    expect(page.locator("#my-review-h")).to_have_text(re.compile("Edit your review|修改"))
    expect(page.locator('#my-review input[name="outcome"][value="4"]')).to_be_checked()
    page.locator('#my-review input[name="outcome"][value="2"]').check()
    page.locator("#rv-text").fill("回复及时，但费用偏高")
    page.locator("#my-review form button").click()
    expect(page.locator("article.review")).to_have_count(1)  # edited, not a second review
    expect(page.locator("article.review")).to_contain_text("费用偏高")
    assert axe_violations(page) == []
    screenshot(page, f"agency-profile-{lang[:2]}")
    profile = httpx.get(f"{portal_url}/api/v1/agencies/{telecom}").json()
    assert profile["rating_count"] == 1 and len(profile["reviews"]) == 1
    page.context.close()


@pytest.mark.parametrize("lang", ["zh-CN", "en-GB"])
def test_a_moderator_holds_and_releases_a_flagged_review(browser: Browser, portal_url: str, admin_token: str,
                                                         lang: str) -> None:
    """In Chromium: a review flagged through the API is in the moderation queue; the moderator holds
    it, then releases it, with axe-core on the queue each time."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    tag = uuid.uuid4().hex[:6]
    agency = _api_agency(portal_url, admin, {"name": f"被举报的代理 {tag}", "licence_number": f"FL-{tag}",
                                             "province": "广东省", "service_types": ["patent"]})
    _, reviewer, _ = _api_member(portal_url, "Reviewer")
    stars = dict.fromkeys(("professionalism", "responsiveness", "cost_transparency", "outcome"), 1)
    review = httpx.post(f"{portal_url}/api/v1/agencies/{agency}/reviews",
                        headers={"Authorization": f"Bearer {reviewer}"},
                        json={"engagement_ref": "x", "text": f"骗子 {tag}", **stars})
    assert review.status_code == 201, review.text
    rid = review.json()["id"]
    _, flagger, _ = _api_member(portal_url, "Flagger")
    assert httpx.post(f"{portal_url}/api/v1/reviews/{rid}/flag",
                      headers={"Authorization": f"Bearer {flagger}"}).status_code == 200
    mod_email, _, mod_id = _api_member(portal_url, "审核员 Mia")
    assert httpx.put(f"{portal_url}/api/v1/users/{mod_id}/role", headers=admin,
                     json={"role": "moderator"}).status_code == 200

    page = new_page(browser, lang)
    _log_in(page, portal_url, mod_email, PASSWORD)
    page.goto(f"{portal_url}/community/moderation")
    item = page.locator(f"#queued-review-{rid}")
    expect(item).to_contain_text(f"骗子 {tag}")
    expect(item).to_contain_text(f"被举报的代理 {tag}")
    assert axe_violations(page) == []
    item.locator('button[value="hold"]').click()
    expect(page.locator(f"#queued-review-{rid} .badge.held")).to_be_visible()
    expect(page.locator(".notice").first).to_be_visible()
    assert axe_violations(page) == []
    page.locator(f'#queued-review-{rid} button[value="release"]').click()
    expect(page.locator(f"#queued-review-{rid}")).to_have_count(0)
    assert [r["id"] for r in httpx.get(f"{portal_url}/api/v1/agencies/{agency}").json()["reviews"]] == [rid]
    page.context.close()
