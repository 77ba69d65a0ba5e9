"""Topic collection pages over HTTP: save a query, add by number (an unknown number is refused and
named), tags and notes (whole page without JavaScript, the item alone for htmx), export with tags
and notes, edit and share, delete only after confirming, who may see what, a removal's undo, and
what a refresh found marked new once per reader."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy import select, update

from api.app import create_app
from api.pages.collections import split_numbers
from core.accounts.models import User
from core.db import session_scope, utcnow
from core.i18n import SHOWN_ZONE
from core.notifications import Notification, notify
from core.settings import BackendKind, Settings
from ipsearch.collections.models import CollectionItem, CollectionVisit
from loaders.pipeline import run_load
from loaders.synthetic import SyntheticOptions, write_weekly_files

PASSWORD = "correct horse battery"
HTML = {"Accept": "text/html", "Accept-Language": "en"}
HTMX = HTML | {"HX-Request": "true"}
FIRST, SECOND, THIRD = "US90000000B2", "US90000001B2", "US90000002B2"


@pytest.fixture
def corpus_settings_small(embedded_settings: Settings) -> Settings:
    folder = embedded_settings.resolved_data_dir / "synthetic"
    write_weekly_files(folder, SyntheticOptions(docs=12, seed=3))
    assert run_load(embedded_settings, [folder], backend=BackendKind.embedded).loaded == 12
    return embedded_settings


@pytest.fixture
def web(corpus_settings_small: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(corpus_settings_small)) as client:
        yield client


def _csrf(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path, headers=HTML).text)
    assert match is not None
    return match.group(1)


def _sign_up(client: TestClient) -> str:
    email = f"c-{uuid.uuid4().hex[:8]}@example.org"
    r = client.post("/signup", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/signup")},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    return email


def _post(client: TestClient, path: str, data: dict[str, str], headers: dict[str, str] = HTML,
          follow: bool = False) -> httpx.Response:
    return client.post(path, data=data | {"csrf_token": _csrf(client, "/collections")}, headers=headers,
                       follow_redirects=follow)


def _create(client: TestClient, name: str = "LED drivers 专题库", query: str = "") -> int:
    r = _post(client, "/collections", {"name": name, "query": query, "visibility": "private"})
    assert r.status_code == 303 and r.headers["location"].endswith("#content"), r.text
    return int(r.headers["location"].removesuffix("#content").rsplit("/", 1)[1])


def test_save_a_query_tag_annotate_and_export_with_tags_and_notes(web: TestClient) -> None:
    _sign_up(web)
    search = web.get("/?q=TXT%3Dapparatus", headers=HTML).text
    assert 'action="/collections#new"' in search and 'name="query" value="TXT=apparatus"' in search
    # reached from the count at the top: the form stands below every result
    count = html.fromstring(search).get_element_by_id("result-count")
    assert count.xpath("a[@href='#save-name']") and search.index('id="result-count"') < search.index('id="save-name"')
    cid = _create(web, "Apparatus <b>watch</b>", "TXT=apparatus")
    page = web.get(f"/collections/{cid}", headers=HTML).text
    assert "Apparatus &lt;b&gt;watch&lt;/b&gt;" in page and "<b>watch</b>" not in page
    assert page.count('class="item"') == 12  # every synthetic document has an apparatus claim
    # each says when it joined; none is a later match of the query yet (the service test makes one)
    assert page.count('<span class="added">added ') == 12 and "the latest added first" in page
    assert 'class="badge new-match"' not in page
    # each chart's title is a heading under "Statistics", its table named by it for a screen reader
    stats = html.fromstring(page).xpath("//section[@aria-labelledby='stats-h']")[0]
    titles = [h.text_content() for h in stats.xpath(".//figcaption/h3")]
    assert titles == ["By publication year", "By IPC subclass", "By applicant"]
    assert [s.text_content() for s in stats.xpath(".//summary/span[@class='visually-hidden']")] == [
        f"Numbers: {title}" for title in titles]

    r = _post(web, f"/collections/{cid}/tags", {"pn": FIRST, "tag": "光源 <i>"})
    assert r.status_code == 303 and r.headers["location"] == f"/collections/{cid}#item-{FIRST}"
    _post(web, f"/collections/{cid}/notes", {"pn": FIRST, "text": 'claims 1-3, "see" figure 2'})
    page = web.get(f"/collections/{cid}", headers=HTML).text
    assert "光源 &lt;i&gt;" in page and "claims 1-3, &#34;see&#34; figure 2" in page

    r = web.get(f"/collections/{cid}/export?format=csv", headers=HTML)
    assert r.status_code == 200 and r.content.startswith("\ufeffPublication number,Title,".encode())
    disposition = r.headers["content-disposition"]
    beijing = dt.datetime.now(SHOWN_ZONE).date().isoformat()  # the day the pages show, not the server's UTC day
    assert disposition == f'attachment; filename="ipcommons-collection-{cid}-{beijing}.csv"'
    rows = {row["Publication number"]: row for row in csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))}
    assert len(rows) == 12
    assert rows[FIRST]["Tags"] == "光源 <i>" and rows[FIRST]["Notes"] == 'claims 1-3, "see" figure 2'
    chinese = web.get(f"/collections/{cid}/export?format=csv", headers=HTML | {"Accept-Language": "zh-CN"})
    header = next(csv.reader(io.StringIO(chinese.content.decode("utf-8-sig"))))
    assert header[:2] == ["公开号", "名称"] and header[-2:] == ["标引", "批注"]  # as Excel shows them
    lines = web.get(f"/collections/{cid}/export?format=jsonl", headers=HTML).text.splitlines()
    first = next(json.loads(line) for line in lines if json.loads(line)["pn"] == FIRST)
    assert first["tags"] == ["光源 <i>"] and first["notes"] == ['claims 1-3, "see" figure 2']


def test_a_refused_new_collection_is_said_beside_its_form(web: TestClient) -> None:
    """The refusal stood above the list of one's collections, far from the query box; the form posts
    to its own place (#new), where the page comes back with the refusal and what was typed."""
    _sign_up(web)
    _create(web, "Kept", "TXT=apparatus")
    r = _post(web, "/collections#new", {"name": "Lamps <i>", "query": 'TI="lamp'})
    assert r.status_code == 400
    new = html.fromstring(r.text).get_element_by_id("new")
    assert new.xpath("div[@role='alert']") and 'value="Lamps &lt;i&gt;"' in r.text
    assert r.text.index('id="mine-h"') < r.text.index('role="alert"')  # below one's collections, in the form
    # an empty name (the browser's own check bypassed) is said there too, the starting document kept
    # (it was a bare 422 page, the form and the patent it came from lost)
    r = _post(web, "/collections#new", {"name": "", "pns": FIRST})
    new = html.fromstring(r.text).get_element_by_id("new")
    (alert,) = new.xpath("div[@role='alert']")
    assert r.status_code == 400 and "Name" in alert.text and FIRST in new.text_content()
    kept = _create(web, "Empty box")
    empty = _post(web, f"/collections/{kept}/items", {"pns": ""})
    assert empty.status_code == 400 and "Type at least one publication number" in empty.text


def test_an_unknown_number_is_refused_named_and_nothing_is_added(web: TestClient) -> None:
    _sign_up(web)
    cid = _create(web)
    r = _post(web, f"/collections/{cid}/items", {"pns": f"{FIRST}, US0000000B2"})
    assert r.status_code == 400
    alert = re.search(r'id="add-error">([^<]*)<', r.text)
    assert alert is not None and "US0000000B2" in alert.group(1) and "Not in the corpus" in alert.group(1)
    assert "Nothing was added" in alert.group(1)  # one unknown number refuses the whole batch: said so
    assert f"{FIRST}, US0000000B2</textarea>" in r.text  # kept for correcting
    assert 'class="item"' not in web.get(f"/collections/{cid}", headers=HTML).text
    # a number that is not one and a number the corpus lacks: both named (only the first was, before)
    r = _post(web, f"/collections/{cid}/items", {"pns": f"{FIRST}, CN发明, US0000000B2"})
    alert = re.search(r'id="add-error">([^<]*)<', r.text)
    assert r.status_code == 400 and alert is not None
    assert "Not publication numbers: CN发明." in alert.group(1) and "Not in the corpus: US0000000B2." in alert.group(1)
    zh = _post(web, f"/collections/{cid}/items", {"pns": "CN发明, EP0000000A1, US0000000B2"},
               headers=HTML | {"Accept-Language": "zh-CN"})
    said = re.search(r'id="add-error">([^<]*)<', zh.text)
    assert said is not None and said.group(1) == (  # a Chinese list, and sentences run on without spaces
        "不是公开号：CN发明。文献库中没有：EP0000000A1、US0000000B2。" + said.group(1).split("US0000000B2。")[1])
    assert ", " not in said.group(1) and "。 " not in said.group(1)

    r = _post(web, f"/collections/{cid}/items", {"pns": f"{FIRST}\n{SECOND}，{THIRD}"})
    assert r.status_code == 303 and r.headers["location"] == f"/collections/{cid}?added=3"
    again = _post(web, f"/collections/{cid}/items", {"pns": FIRST}, follow=True)
    assert "Documents added: 0" in again.text  # already there: said, not silently ignored
    assert web.get(f"/collections/{cid}", headers=HTML).text.count('class="item"') == 3


def test_htmx_answers_with_the_changed_item_only(web: TestClient) -> None:
    _sign_up(web)
    cid = _create(web)
    _post(web, f"/collections/{cid}/items", {"pns": f"{FIRST} {SECOND}"})
    r = _post(web, f"/collections/{cid}/tags", {"pn": SECOND, "tag": "<script>x</script>"}, HTMX)
    text = r.text
    assert r.status_code == 200 and text.lstrip().startswith(f'<li class="item" id="item-{SECOND}">')
    assert "<html" not in text and "&lt;script&gt;x&lt;/script&gt;" in text and "<script>x" not in text

    # spaces, and an empty box (the browser's own check bypassed: a bare 422 that htmx did not show)
    for blank, said in (("   ", "A tag needs at least one character"), ("", "Tag is required")):
        r = _post(web, f"/collections/{cid}/tags", {"pn": SECOND, "tag": blank}, HTMX)
        assert r.status_code == 400 and f'<div class="error" role="alert">{said}' in r.text, blank
    r = _post(web, f"/collections/{cid}/notes", {"pn": SECOND, "text": ""}, HTMX)
    assert r.status_code == 400 and 'role="alert"' in r.text and f'id="item-{SECOND}"' in r.text
    # a refused note comes back in its box, escaped, to be shortened rather than typed again
    long_note = "<b>reading</b> " + "x" * 10_000
    r = _post(web, f"/collections/{cid}/notes", {"pn": SECOND, "text": long_note}, HTMX)
    assert r.status_code == 400 and "10,000" in r.text
    assert f'placeholder="Note">&lt;b&gt;reading&lt;/b&gt; {"x" * 10_000}</textarea>' in r.text
    page = _post(web, f"/collections/{cid}/tags", {"pn": SECOND, "tag": "t" * 101})  # the page, without htmx
    assert page.status_code == 400 and f'value="{"t" * 101}"' in page.text
    assert page.text.count(f'value="{"t" * 101}"') == 1  # in this document's form only

    r = _post(web, f"/collections/{cid}/items/remove", {"pn": SECOND}, HTMX)
    # htmx swaps the item for its place saying so, with an undo, and updates the size shown, out of band
    assert r.status_code == 200 and r.text.lstrip().startswith(f'<li class="item removed" id="item-{SECOND}">')
    assert r.text.rstrip().endswith('<span id="doc-count" hx-swap-oob="true">1 document</span>')
    assert "<html" not in r.text and f"Removed {SECOND}" in r.text
    assert web.get(f"/collections/{cid}", headers=HTML).text.count('class="item"') == 1


def test_edit_share_and_who_may_see_and_change(corpus_settings_small: Settings) -> None:
    app = create_app(corpus_settings_small)
    with TestClient(app) as owner, TestClient(app) as other:
        _sign_up(owner)
        _sign_up(other)
        cid = _create(owner, "private work")
        _post(owner, f"/collections/{cid}/items", {"pns": FIRST})
        assert other.get(f"/collections/{cid}", headers=HTML).status_code == 404  # not even revealed
        with TestClient(app) as visitor:  # not logged in: asked to, for this one as for one that never was
            for asked in (cid, 999_999):
                r = visitor.get(f"/collections/{asked}", headers=HTML, follow_redirects=False)
                assert r.status_code == 303 and r.headers["location"] == f"/login?next=%2Fcollections%2F{asked}"

        r = _post(owner, f"/collections/{cid}/edit", {"name": "shared work", "description": "for everyone",
                                                      "query": "", "visibility": "public"})
        assert r.status_code == 303
        page = other.get(f"/collections/{cid}", headers=HTML)
        assert page.status_code == 200 and "shared work" in page.text and "Everyone" in page.text
        assert "Edit and share" not in page.text  # the owner's controls are not offered
        kept_by = html.fromstring(page.text).xpath("//h1/following-sibling::p[@class='meta'][1]")[0].text_content()
        assert kept_by.startswith("Kept by ")  # whose collection a visitor reads
        # found from the collections page by others (it was reachable by its address alone), not by its owner
        with TestClient(app) as visitor:
            listed = html.fromstring(visitor.get("/collections", headers=HTML).text).get_element_by_id("public")
            assert listed.xpath(f".//a[@href='/collections/{cid}']/text()") == ["shared work"]
        owners_page = html.fromstring(owner.get("/collections", headers=HTML).text)
        assert owners_page.xpath(f"//a[@href='/collections/{cid}']")  # in the owner's own list
        assert not owners_page.get_element_by_id("public").xpath(f".//a[@href='/collections/{cid}']")
        r = _post(other, f"/collections/{cid}/tags", {"pn": FIRST, "tag": "mine now"})
        assert r.status_code == 400 and "Only the collection&#39;s owners and members may change it" in r.text
        assert "mine now" not in owner.get(f"/collections/{cid}", headers=HTML).text
        # a saved query that does not parse: the error says where, and what was typed stays in the form
        r = _post(owner, f"/collections/{cid}/edit", {"name": "shared work", "description": "for everyone",
                                                      "query": "TI=(led", "visibility": "public"})
        assert r.status_code == 400 and "never closed" in r.text and 'value="TI=(led"' in r.text
        r = _post(owner, f"/collections/{cid}/edit", {"name": "shared work", "description": "for everyone",
                                                      "query": "TI=(led", "visibility": "private"})
        chosen = html.fromstring(r.text).xpath("//select[@id='e-visibility']/option[@selected]/@value")
        assert r.status_code == 400 and chosen == ["private"]  # what was chosen, not what is saved
        # the choice is read out with what it shares (a screen reader reaches the help from the select)
        helped = html.fromstring(r.text).xpath("//select[@id='e-visibility']/@aria-describedby")
        assert helped == ["e-visibility-help"]
        assert "tags and notes" in html.fromstring(r.text).get_element_by_id("e-visibility-help").text_content()
        # a new saved query is run at once: the page says how many it added, the one there stays
        r = _post(owner, f"/collections/{cid}/edit", {"name": "shared work", "description": "for everyone",
                                                      "query": "TXT=apparatus", "visibility": "public"})
        assert r.status_code == 303 and r.headers["location"] == f"/collections/{cid}?matched=11"
        page = owner.get(r.headers["location"], headers=HTML).text
        assert "The new saved query was run: 11 documents added." in page and page.count('class="item"') == 12
        zh = owner.get(r.headers["location"], headers=HTML | {"Accept-Language": "zh-CN"}).text
        assert "已运行新的检索式：加入 11 件文献。" in zh


def test_delete_only_after_confirming(web: TestClient) -> None:
    _sign_up(web)
    cid = _create(web, "to be <em>deleted</em>")
    confirm = web.get(f"/collections/{cid}/delete", headers=HTML)
    assert confirm.status_code == 200 and "to be &lt;em&gt;deleted&lt;/em&gt;" in confirm.text
    assert web.get(f"/collections/{cid}", headers=HTML).status_code == 200  # asking deleted nothing
    r = _post(web, f"/collections/{cid}/delete", {}, follow=True)
    assert r.status_code == 200 and "The collection was deleted." in r.text
    assert web.get(f"/collections/{cid}", headers=HTML).status_code == 404
    # the notice is a fixed sentence: a link cannot put its own words in the page
    assert web.get("/collections?deleted=Your%20account%20is%20locked", headers=HTML).status_code == 422


def test_the_patent_page_adds_to_a_collection_and_shows_tags_and_notes(web: TestClient) -> None:
    assert "to add this document to a collection" in web.get(f"/patent/{FIRST}", headers=HTML).text
    _sign_up(web)
    cid = _create(web, "watch list")
    r = _post(web, "/collections/add", {"collection": str(cid), "pn": FIRST})
    assert r.status_code == 303 and r.headers["location"] == f"/patent/{FIRST}?added={cid}#collections"
    said = web.get(r.headers["location"], headers=HTML).text
    assert said.count('role="status">Added to this collection.') == 1
    assert f'href="/collections?add={FIRST}#new"' in said  # a new collection, starting with this document
    assert web.get(f"/patent/{FIRST}", params={"added": "x"}, headers=HTML).status_code == 422  # a number only
    _post(web, f"/collections/{cid}/tags", {"pn": FIRST, "tag": "novelty risk", "next": f"/patent/{FIRST}"})
    _post(web, f"/collections/{cid}/notes", {"pn": FIRST, "text": "compare with claim 4", "next": "//evil.example"})
    panel = web.get(f"/patent/{FIRST}", headers=HTML).text
    panel = panel[panel.index('id="collections"'):panel.index('id="cit-h"')]
    assert f'href="/collections/{cid}#item-{FIRST}">watch list</a>' in panel
    assert "novelty risk" in panel and "compare with claim 4" in panel
    assert "watch list" not in web.get(f"/patent/{SECOND}", headers=HTML).text.split('id="add-to"')[0]
    # a refused tag or note from the patent page is said there, by that collection's form, what was typed kept
    r = _post(web, f"/collections/{cid}/tags", {"pn": FIRST, "tag": "   ", "next": f"/patent/{FIRST}#collections"})
    page = html.fromstring(r.text)
    assert r.status_code == 400 and page.xpath("//h1")[0].text_content().startswith(FIRST)
    assert page.get_element_by_id("annotate-error").text_content().strip() != ""
    long_note = "<b>x</b>" * 1300
    r = _post(web, f"/collections/{cid}/notes", {"pn": FIRST, "text": long_note, "next": f"/patent/{FIRST}"})
    page = html.fromstring(r.text)
    assert r.status_code == 400 and page.get_element_by_id("annotate-error") is not None
    assert page.xpath(f"//textarea[@id='c{cid}-note-{FIRST}']")[0].text_content() == long_note  # kept


def test_a_new_collection_from_the_patent_page_starts_with_it_and_goes_back(web: TestClient) -> None:
    """"New collection" on a patent page made an empty collection and left the patent behind: the
    form now carries the document, and the patent page lists the new collection with it."""
    _sign_up(web)
    form = html.fromstring(web.get("/collections", params={"add": FIRST}, headers=HTML).text)
    assert form.xpath("//form[@action='/collections#new']//input[@name='pns']/@value") == [FIRST]
    assert form.xpath("//p[@id='c-starts']/a/@href") == [f"/patent/{FIRST}"]
    r = _post(web, "/collections", {"name": "from the patent", "visibility": "private", "pns": FIRST})
    assert r.status_code == 303 and r.headers["location"].startswith(f"/patent/{FIRST}?added=")
    assert r.headers["location"].endswith("&created=1#collections")
    cid = int(r.headers["location"].split("added=")[1].split("&")[0])
    said = web.get(r.headers["location"], headers=HTML).text
    assert 'role="status">Collection created, starting with this document.' in said and "from the patent" in said
    listed = html.fromstring(web.get(f"/collections/{cid}", headers=HTML).text)
    assert [i.get("id") for i in listed.xpath("//*[starts-with(@id, 'item-')]")] == [f"item-{FIRST}"]
    # hostile: a number the corpus lacks refuses the whole form, kept and named; nothing is made
    links = "//a[starts-with(@href, '/collections/')]"
    before = len(html.fromstring(web.get("/collections", headers=HTML).text).xpath(links))
    r = _post(web, "/collections", {"name": "typo", "visibility": "private", "pns": "US0000000B2"})
    page = html.fromstring(r.text)
    assert r.status_code == 400 and "US0000000B2" in page.get_element_by_id("form-error").text_content()
    assert page.xpath("//input[@name='pns']") == []  # named in the refusal, not carried on unseen
    assert len(html.fromstring(web.get("/collections", headers=HTML).text).xpath(links)) == before
    # a link puts no words of its own in the page, nor a path in its link back: only a document of the corpus
    for typed in ("<script>x</script>", "CALL 555-0100 TO VERIFY", "US/../../login", "US0000000B2"):
        shown = web.get("/collections", params={"add": typed}, headers=HTML).text
        assert 'id="c-starts"' not in shown and 'name="pns"' not in shown, typed
    assert web.get("/collections", params={"add": "x" * 41}, headers=HTML).status_code == 422
    spaced = html.fromstring(web.get("/collections", params={"add": f" {FIRST} "}, headers=HTML).text)
    assert spaced.xpath("//input[@name='pns']/@value") == [FIRST]  # as the corpus numbers it
    # a blank name keeps the document the form starts with
    r = _post(web, "/collections", {"name": " ", "visibility": "private", "pns": FIRST})
    assert r.status_code == 400 and html.fromstring(r.text).xpath("//input[@name='pns']/@value") == [FIRST]


def test_numbers_are_split_as_people_paste_them() -> None:
    assert split_numbers(" US1B2,US2B2;\nCN3A，JP4A、 EP5A1 ") == ["US1B2", "US2B2", "CN3A", "JP4A", "EP5A1"]
    assert split_numbers(" \n ,") == []


def test_a_tag_and_a_note_come_off_in_place(web: TestClient) -> None:
    _sign_up(web)
    cid = _create(web)
    _post(web, f"/collections/{cid}/items", {"pns": FIRST})
    _post(web, f"/collections/{cid}/tags", {"pn": FIRST, "tag": "typo"})
    _post(web, f"/collections/{cid}/notes", {"pn": FIRST, "text": "a note to delete"})
    page = web.get(f"/collections/{cid}", headers=HTML).text
    assert 'aria-label="Remove the tag typo"' in page
    note_id = re.search(rf'action="/collections/{cid}/notes/(\d+)/delete"', page)
    assert note_id is not None

    r = _post(web, f"/collections/{cid}/tags/remove", {"pn": FIRST, "tag": "typo"}, HTMX)
    assert r.status_code == 200 and r.text.lstrip().startswith(f'<li class="item" id="item-{FIRST}">')
    assert "Remove the tag typo" not in r.text and "a note to delete" in r.text
    added = re.search(r'<span class="added">added [^<]+</span>', page)  # the item swapped in keeps its date
    assert added is not None and added.group(0) in r.text
    r = _post(web, f"/collections/{cid}/notes/{note_id.group(1)}/delete", {"pn": FIRST})
    assert r.status_code == 303
    page = web.get(f"/collections/{cid}", headers=HTML).text
    assert "a note to delete" not in page and "typo" not in page
    # without the form's token nothing is removed
    r = web.post(f"/collections/{cid}/tags/remove", data={"pn": FIRST, "tag": "x"}, headers=HTML)
    assert r.status_code == 403


def test_the_page_promises_e_mail_only_when_the_site_sends_it(corpus_settings_small: Settings) -> None:
    """The page told every owner of a saved query that new matches come by e-mail, on a site that
    sends none (no SMTP host): it says the inbox alone then, and the e-mail where mail is sent."""
    inbox_only = "join the collection after every load, and you are told in your inbox."
    by_mail = "join the collection after every load, and you are told in your inbox and by e-mail."
    mailing = corpus_settings_small.model_copy(update={"smtp_host": "127.0.0.1"})  # nothing is sent by a page
    for settings, promised, not_promised in ((corpus_settings_small, inbox_only, by_mail),
                                             (mailing, by_mail, inbox_only)):
        with TestClient(create_app(settings)) as client:
            _sign_up(client)
            page = client.get(f"/collections/{_create(client, query='TXT=apparatus')}", headers=HTML).text
            assert promised in page and not_promised not in page


def _items(page: str) -> list[str]:
    """The ids of the items a page lists, a removed one's place included (``item-…``)."""
    return [i.get("id") for i in html.fromstring(page).xpath("//ul[contains(@class, 'items')]/li")]


def test_a_removal_is_undone_in_place_with_its_tags_notes_and_date(web: TestClient) -> None:
    """Remove took a document away at once, with no way back: its place now says so with an undo,
    which puts it back exactly as it was (its tags, its notes, when and how it came)."""
    _sign_up(web)
    cid = _create(web)
    _post(web, f"/collections/{cid}/items", {"pns": f"{FIRST} {SECOND}"})
    _post(web, f"/collections/{cid}/tags", {"pn": FIRST, "tag": "光源 <i>"})
    _post(web, f"/collections/{cid}/notes", {"pn": FIRST, "text": "claim 1 <b>reads</b>"})
    before = web.get(f"/collections/{cid}", headers=HTML).text
    added = re.search(r'<span class="added">added [^<]+</span>', before)
    assert added is not None

    r = _post(web, f"/collections/{cid}/items/remove", {"pn": FIRST}, HTMX)
    place = html.fromstring(r.text).get_element_by_id(f"item-{FIRST}")
    assert r.status_code == 200 and place.get("class") == "item removed"
    assert " ".join(place.text_content().split()) == f"Removed {FIRST} · Undo"
    (form,) = place.xpath(".//form")
    assert form.get("action") == f"/collections/{cid}/items/restore" and form.get("hx-target") == f"#item-{FIRST}"
    assert form.xpath("input[@name='csrf_token']/@value") and form.xpath("input[@name='pn']/@value") == [FIRST]
    r = _post(web, f"/collections/{cid}/items/restore", {"pn": FIRST}, HTMX)
    assert r.status_code == 200 and r.text.lstrip().startswith(f'<li class="item" id="item-{FIRST}">')
    assert "光源 &lt;i&gt;" in r.text and "claim 1 &lt;b&gt;reads&lt;/b&gt;" in r.text and added.group(0) in r.text
    assert r.text.rstrip().endswith('<span id="doc-count" hx-swap-oob="true">2 documents</span>')

    # without JavaScript: the page comes back with the undo in the removed document's place
    r = _post(web, f"/collections/{cid}/items/remove", {"pn": FIRST})
    assert r.status_code == 303 and r.headers["location"] == f"/collections/{cid}?removed={FIRST}#item-{FIRST}"
    page = web.get(r.headers["location"], headers=HTML).text
    assert _items(page) == [f"item-{FIRST}", f"item-{SECOND}"] and page.count('class="item"') == 1
    assert f"Removed {FIRST}" in page and "光源" not in page and "claim 1" not in page
    zh = web.get(r.headers["location"], headers=HTML | {"Accept-Language": "zh-CN"}).text
    assert f"已移除 {FIRST}" in zh and ">撤销</button>" in zh
    # gone from everything else: the size, the export, the statistics, the notes
    assert "1 document<" in page
    assert FIRST not in web.get(f"/collections/{cid}/export?format=jsonl", headers=HTML).text
    r = _post(web, f"/collections/{cid}/items/restore", {"pn": FIRST})
    assert r.status_code == 303 and r.headers["location"] == f"/collections/{cid}#item-{FIRST}"
    page = web.get(f"/collections/{cid}", headers=HTML).text
    assert _items(page) == [f"item-{FIRST}", f"item-{SECOND}"]  # added together: by number, as before
    assert page.count('class="item"') == 2 and added.group(0) in page and "光源 &lt;i&gt;" in page
    assert "2 documents<" in page and f"Removed {FIRST}" not in page
    lines = web.get(f"/collections/{cid}/export?format=jsonl", headers=HTML).text.splitlines()
    first = next(json.loads(line) for line in lines if json.loads(line)["pn"] == FIRST)
    assert first["tags"] == ["光源 <i>"] and first["notes"] == ["claim 1 <b>reads</b>"]


def test_an_undo_is_refused_to_others_without_the_token_and_for_what_was_never_removed(
        corpus_settings_small: Settings) -> None:
    app = create_app(corpus_settings_small)
    with TestClient(app) as owner, TestClient(app) as other:
        _sign_up(owner)
        _sign_up(other)
        cid = _create(owner, "private work")
        _post(owner, f"/collections/{cid}/items", {"pns": f"{FIRST} {SECOND}"})
        _post(owner, f"/collections/{cid}/items/remove", {"pn": FIRST})
        # a stranger: the private collection is not revealed, nothing is put back
        assert _post(other, f"/collections/{cid}/items/restore", {"pn": FIRST}).status_code == 404
        assert _post(other, f"/collections/{cid}/items/restore", {"pn": FIRST}, HTMX).status_code == 404
        assert other.get(f"/collections/{cid}?removed={FIRST}", headers=HTML).status_code == 404
        # without the form's token
        r = owner.post(f"/collections/{cid}/items/restore", data={"pn": FIRST}, headers=HTML)
        assert r.status_code == 403
        assert owner.get(f"/collections/{cid}", headers=HTML).text.count('class="item"') == 1
        # a number never in the collection is refused, named; one that is in it stays as it is
        r = _post(owner, f"/collections/{cid}/items/restore", {"pn": THIRD})
        assert r.status_code == 400 and f"never in the collection: {THIRD}" in r.text
        r = _post(owner, f"/collections/{cid}/items/restore", {"pn": THIRD}, HTMX)
        assert r.status_code == 400 and f'id="item-{THIRD}"' in r.text and 'role="alert"' in r.text
        assert _post(owner, f"/collections/{cid}/items/restore", {"pn": SECOND}).status_code == 303
        assert owner.get(f"/collections/{cid}", headers=HTML).text.count('class="item"') == 1
        # a link names only a document removed from the collection, to whoever may put it back
        for typed in (SECOND, THIRD, "<script>x</script>", "CALL 555-0100"):
            shown = owner.get(f"/collections/{cid}", params={"removed": typed}, headers=HTML).text
            assert "Removed " not in shown and "<script>x" not in shown, typed
        assert owner.get(f"/collections/{cid}", params={"removed": "x" * 41}, headers=HTML).status_code == 422
        _post(owner, f"/collections/{cid}/edit", {"name": "shared", "description": "", "query": "",
                                                 "visibility": "public"})
        shown = other.get(f"/collections/{cid}?removed={FIRST}", headers=HTML)
        assert shown.status_code == 200 and "Removed " not in shown.text  # a reader may not put it back
        r = _post(other, f"/collections/{cid}/items/restore", {"pn": FIRST})
        assert r.status_code == 400 and "Only the collection&#39;s owners and members may change it" in r.text
        assert owner.get(f"/collections/{cid}", headers=HTML).text.count('class="item"') == 1


def _found_later(settings: Settings, cid: int, pn: str, hours_ago: float) -> None:
    """As if the collection's saved query had found ``pn`` on a refresh ``hours_ago``."""
    with session_scope(settings.effective_database_url) as session:
        session.execute(update(CollectionItem).where(CollectionItem.collection_id == cid, CollectionItem.pn == pn)
                        .values(source="refresh", added_at=utcnow() - dt.timedelta(hours=hours_ago)))


def _last_seen(settings: Settings, cid: int, email: str, hours_ago: float) -> None:
    with session_scope(settings.effective_database_url) as session:
        user_id = session.scalars(select(User.id).where(User.email == email)).one()
        session.execute(update(CollectionVisit).where(CollectionVisit.collection_id == cid,
                                                      CollectionVisit.user_id == user_id)
                        .values(last_seen_at=utcnow() - dt.timedelta(hours=hours_ago)))


def test_a_refresh_find_is_new_once_then_says_when_the_query_found_it(web: TestClient,
                                                                      corpus_settings_small: Settings) -> None:
    """The "new match" badge stayed for ever: it now marks what a refresh found since the reader's
    visit before this one. Opening the collection reads its notices of new documents in the inbox."""
    email = _sign_up(web)
    cid = _create(web, "Apparatus", "TXT=apparatus")
    other = _create(web, "Other")
    _found_later(corpus_settings_small, cid, FIRST, 2)
    with session_scope(corpus_settings_small.effective_database_url) as session:
        user_id = session.scalars(select(User.id).where(User.email == email)).one()
        for coll in (cid, other):
            notify(session, user_id, "collection.new_matches", "1 new", collection_id=coll, collection_name="c",
                   pns=[FIRST], count=1, event_id=1)
    page = web.get(f"/collections/{cid}", headers=HTML).text
    badges = html.fromstring(page).xpath("//span[contains(@class, 'new-match')]/ancestor::li/@id")
    assert badges == [f"item-{FIRST}"]  # the first visit: what the query found later is new, once
    assert page.count("found by the saved query on ") == 1 and page.count('<span class="added">added ') == 11
    with session_scope(corpus_settings_small.effective_database_url) as session:
        unread = [n.payload["collection_id"] for n in session.scalars(
            select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None)))]
    assert unread == [other]  # the notice of this collection was read by opening it, not the other's
    assert "(1 unread)" in page
    again = web.get(f"/collections/{cid}?start=0", headers=HTML).text
    assert 'class="badge new-match"' in again  # the same visit (a reload, a form sent without JavaScript)
    _last_seen(corpus_settings_small, cid, email, 1)  # the next visit, an hour on
    page = web.get(f"/collections/{cid}", headers=HTML).text
    assert 'class="badge new-match"' not in page and page.count("found by the saved query on ") == 1
    zh = web.get(f"/collections/{cid}", headers=HTML | {"Accept-Language": "zh-CN"}).text
    assert re.search(r"由检索式于 \d{4}年\d{1,2}月\d{1,2}日 自动加入", zh) and "新命中" not in zh
    # found after the visit before this one ended: new, until the next visit
    _found_later(corpus_settings_small, cid, SECOND, 0.5)
    page = web.get(f"/collections/{cid}", headers=HTML).text
    assert html.fromstring(page).xpath("//span[contains(@class, 'new-match')]/ancestor::li/@id") == [
        f"item-{SECOND}"]


def _note_ids(client: TestClient, cid: int) -> list[int]:
    page = client.get(f"/collections/{cid}", headers=HTML).text
    return [int(n) for n in re.findall(rf'action="/collections/{cid}/notes/(\d+)/delete"', page)]


def test_a_note_deleted_already_is_said_where_the_reader_is_not_a_dead_end(corpus_settings_small: Settings) -> None:
    """Deleting a note deleted meanwhile (another tab, the form sent twice) gave a 404 page: the
    collection comes back, saying so in the document's place (htmx: the document without the note,
    saying so). An id of another collection's note is answered as one that never was, and a note
    of a collection the reader may not change stays refused: nothing is said of other collections."""
    app = create_app(corpus_settings_small)
    with TestClient(app) as owner, TestClient(app) as other:
        _sign_up(owner)
        _sign_up(other)
        cid = _create(owner)
        _post(owner, f"/collections/{cid}/items", {"pns": f"{FIRST} {SECOND}"})
        _post(owner, f"/collections/{cid}/notes", {"pn": FIRST, "text": "deleted in another tab"})
        _post(owner, f"/collections/{cid}/notes", {"pn": FIRST, "text": "kept <b>note</b>"})
        gone, kept = _note_ids(owner, cid)
        assert _post(owner, f"/collections/{cid}/notes/{gone}/delete", {"pn": FIRST}).status_code == 303

        r = _post(owner, f"/collections/{cid}/notes/{gone}/delete", {"pn": FIRST})  # the other tab's form
        assert r.status_code == 303 and r.headers["location"] == f"/collections/{cid}?note_gone={FIRST}#item-{FIRST}"
        page = html.fromstring(owner.get(r.headers["location"], headers=HTML).text)
        said = page.xpath(f"//li[@id='item-{FIRST}']/p[@class='notice'][@role='status']")
        assert [p.text_content() for p in said] == ["This note had already been deleted."]
        zh = owner.get(r.headers["location"], headers=HTML | {"Accept-Language": "zh-CN"}).text
        assert '<p class="notice" role="status">这条批注此前已被删除。</p>' in zh
        assert not page.xpath("//main/p[@class='notice']")  # said once, in its place
        assert len(page.xpath("//p[@class='notice']")) == 1
        r = _post(owner, f"/collections/{cid}/notes/{gone}/delete", {"pn": FIRST, "start": "0"}, HTMX)
        assert r.status_code == 200 and r.text.lstrip().startswith(f'<li class="item" id="item-{FIRST}">')
        assert "This note had already been deleted." in r.text and "another tab" not in r.text
        assert "kept &lt;b&gt;note&lt;/b&gt;" in r.text and "<html" not in r.text
        assert _note_ids(owner, cid) == [kept]
        # from the patent page's panel: back there, said beside the collection (its id only, a number)
        r = _post(owner, f"/collections/{cid}/notes/{gone}/delete",
                  {"pn": FIRST, "next": f"/patent/{FIRST}#collections"})
        assert r.status_code == 303 and r.headers["location"] == f"/patent/{FIRST}?note_gone={cid}#collections"
        panel = html.fromstring(owner.get(r.headers["location"], headers=HTML).text)
        assert [p.text_content() for p in panel.xpath("//div[@class='held']/p[@class='notice']")] == [
            "This note had already been deleted."]
        assert owner.get(f"/patent/{FIRST}", params={"note_gone": "<b>"}, headers=HTML).status_code == 422
        for away in ("//evil.example/x", "/\\evil.example", "https://evil.example/"):  # never off the site
            r = _post(owner, f"/collections/{cid}/notes/{gone}/delete", {"pn": FIRST, "next": away})
            assert r.status_code == 303 and r.headers["location"].startswith(f"/collections/{cid}?"), away

        # a number that names no document (forged, hostile): said at the page's top, nothing of it shown
        r = _post(owner, f"/collections/{cid}/notes/{gone}/delete", {"pn": "<script>x</script>"})
        assert r.status_code == 303 and r.headers["location"] == f"/collections/{cid}?note_gone=1"
        shown = owner.get(r.headers["location"], headers=HTML).text
        assert '<p class="notice" role="status">This note had already been deleted.' in shown
        for typed in ("<script>x</script>", THIRD):  # a link names a document, it never puts words in the page
            shown = owner.get(f"/collections/{cid}", params={"note_gone": typed}, headers=HTML).text
            assert "<script>x" not in shown and shown.count("This note had already been deleted.") == 1
        assert owner.get(f"/collections/{cid}", params={"note_gone": "x" * 41}, headers=HTML).status_code == 422

        # another collection's note: answered as an id that never was, and left alone
        theirs = _create(other, "private work")
        _post(other, f"/collections/{theirs}/items", {"pns": FIRST})
        _post(other, f"/collections/{theirs}/notes", {"pn": FIRST, "text": "their secret note"})
        (secret,) = _note_ids(other, theirs)
        forged = _post(owner, f"/collections/{cid}/notes/{secret}/delete", {"pn": FIRST})
        never = _post(owner, f"/collections/{cid}/notes/999999/delete", {"pn": FIRST})
        assert forged.status_code == never.status_code == 303
        assert forged.headers["location"] == never.headers["location"]
        forged = _post(owner, f"/collections/{cid}/notes/{secret}/delete", {"pn": FIRST}, HTMX)
        never = _post(owner, f"/collections/{cid}/notes/999999/delete", {"pn": FIRST}, HTMX)
        assert forged.status_code == 200 and forged.text == never.text
        # in the collection it belongs to, which they may not change: refused, as an unknown one is
        for note in (secret, 999_999):
            assert _post(owner, f"/collections/{theirs}/notes/{note}/delete", {"pn": FIRST}).status_code == 404
            assert _post(owner, f"/collections/{theirs}/notes/{note}/delete", {"pn": FIRST}, HTMX).status_code == 404
        _post(other, f"/collections/{theirs}/edit", {"name": "private work", "description": "", "query": "",
                                                     "visibility": "public"})
        answers = [_post(owner, f"/collections/{theirs}/notes/{note}/delete", {"pn": FIRST})
                   for note in (secret, 999_999)]
        assert [a.status_code for a in answers] == [400, 400]
        assert all("Only the collection&#39;s owners and members may change it" in a.text for a in answers)
        assert "This note had already been deleted." not in answers[1].text
        assert _note_ids(other, theirs) == [secret]
        # without the form's token nothing is said, nothing deleted
        r = owner.post(f"/collections/{cid}/notes/{kept}/delete", data={"pn": FIRST}, headers=HTML)
        assert r.status_code == 403 and _note_ids(owner, cid) == [kept]


def _oob(text: str, element_id: str) -> str:
    """The words of the element htmx swaps out of band by its id (each once in the answer)."""
    (found,) = html.fromstring(f"<div>{text}</div>").xpath(f"//*[@id='{element_id}'][@hx-swap-oob='true']")
    return " ".join(found.text_content().split())


def test_a_removal_and_its_undo_update_the_range_and_the_count_at_once(web: TestClient,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """After a removal over htmx the header's count and "Documents 1–3 of 3" kept the old numbers
    until a reload: the answer updates both out of band, and again after the undo, as a reload
    would say them; the page without JavaScript says the same."""
    _sign_up(web)
    cid = _create(web)
    _post(web, f"/collections/{cid}/items", {"pns": f"{FIRST} {SECOND} {THIRD}"})
    range_of = "//p[@id='doc-range']"
    page = html.fromstring(web.get(f"/collections/{cid}", headers=HTML).text)
    assert " ".join(page.xpath(range_of)[0].text_content().split()) == "Documents 1–3 of 3 · the latest added first"

    r = _post(web, f"/collections/{cid}/items/remove", {"pn": SECOND}, HTMX)
    assert r.status_code == 200 and _oob(r.text, "doc-range") == "Documents 1–2 of 2 · the latest added first"
    assert _oob(r.text, "doc-count") == "2 documents"
    reloaded = html.fromstring(web.get(f"/collections/{cid}", headers=HTML).text)
    assert " ".join(reloaded.xpath(range_of)[0].text_content().split()) == _oob(r.text, "doc-range")
    r = _post(web, f"/collections/{cid}/items/restore", {"pn": SECOND}, HTMX)
    assert r.status_code == 200 and _oob(r.text, "doc-range") == "Documents 1–3 of 3 · the latest added first"
    assert _oob(r.text, "doc-count") == "3 documents"
    # a number never in the collection changes nothing, and says the sizes as they are
    r = _post(web, f"/collections/{cid}/items/remove", {"pn": "US90000009B2"}, HTMX)
    assert _oob(r.text, "doc-range") == "Documents 1–3 of 3 · the latest added first"
    r = _post(web, f"/collections/{cid}/items/restore", {"pn": "<script>x</script>"}, HTMX)
    assert r.status_code == 400 and _oob(r.text, "doc-count") == "3 documents" and "<script>x" not in r.text

    monkeypatch.setattr("api.pages.collections.ITEMS_PER_PAGE", 2)  # the second page: the third document
    page = html.fromstring(web.get(f"/collections/{cid}?start=2", headers=HTML).text)
    assert " ".join(page.xpath(range_of)[0].text_content().split()) == "Documents 3–3 of 3 · the latest added first"
    # a hand-edited position opens the nearest page: -5 the first (it was a page of 422), 99999 the
    # last page, whole (three to a page: "1–3 of 3", where it showed the last document alone, "3–3")
    edited = html.fromstring(web.get(f"/collections/{cid}?start=-5", headers=HTML).text)
    assert " ".join(edited.xpath(range_of)[0].text_content().split()).startswith("Documents 1–2 of 3")
    monkeypatch.setattr("api.pages.collections.ITEMS_PER_PAGE", 3)
    edited = html.fromstring(web.get(f"/collections/{cid}?start=99999", headers=HTML).text)
    assert " ".join(edited.xpath(range_of)[0].text_content().split()).startswith("Documents 1–3 of 3")
    monkeypatch.setattr("api.pages.collections.ITEMS_PER_PAGE", 2)
    r = _post(web, f"/collections/{cid}/items/remove", {"pn": THIRD, "start": "2"}, HTMX)
    # the page's documents all removed: what is left, not a range past the end ("3–2 of 2")
    assert _oob(r.text, "doc-range") == "2 documents · the latest added first"
    r = _post(web, f"/collections/{cid}/items/remove", {"pn": FIRST}, HTMX)
    assert _oob(r.text, "doc-range") == "Documents 1–1 of 1 · the latest added first"
    r = _post(web, f"/collections/{cid}/items/remove", {"pn": SECOND}, HTMX)
    # the last one removed, above its undo: "yet" read as if the collection had never held one
    assert _oob(r.text, "doc-range") == "No documents now." and _oob(r.text, "doc-count") == "0 documents"
    zh = _post(web, f"/collections/{cid}/items/restore", {"pn": THIRD}, HTMX | {"Accept-Language": "zh-CN"})
    assert _oob(zh.text, "doc-range") == "第 1–1 件，共 1 件 · 最近加入的在前"
    # without JavaScript the page comes back, saying the same
    removed = _post(web, f"/collections/{cid}/items/remove", {"pn": THIRD})
    assert removed.status_code == 303
    page = html.fromstring(web.get(removed.headers["location"], headers=HTML | {"Accept-Language": "zh-CN"}).text)
    assert page.xpath(range_of)[0].text_content() == "目前没有文献。"  # above its undo
    page = html.fromstring(web.get(f"/collections/{cid}", headers=HTML).text)
    assert page.xpath(range_of)[0].text_content() == "No documents yet."


def test_the_page_says_how_many_documents_are_new_to_its_reader(web: TestClient,
                                                                corpus_settings_small: Settings) -> None:
    """The "new match" badges were not counted: the top of the page says how many there are, for
    this reader (the service counts them over every page), and nothing when there are none."""
    email = _sign_up(web)
    cid = _create(web, "Apparatus", "TXT=apparatus")
    page = html.fromstring(web.get(f"/collections/{cid}", headers=HTML).text)
    assert page.get_element_by_id("new-count").text_content() == ""  # none found later: nothing said
    for pn in (FIRST, SECOND, THIRD):
        _found_later(corpus_settings_small, cid, pn, 2)
    page = html.fromstring(web.get(f"/collections/{cid}", headers=HTML).text)
    header = page.xpath("//h1/following-sibling::p[@class='meta'][1]")[0]
    assert header.xpath(".//span[@id='new-count']/span[@class='badge new-match']/text()") == ["3 new matches"]
    assert len(page.xpath("//li[@class='item']//span[contains(@class, 'new-match')]")) == 3
    zh = html.fromstring(web.get(f"/collections/{cid}", headers=HTML | {"Accept-Language": "zh-CN"}).text)
    assert zh.get_element_by_id("new-count").text_content() == " · 新命中 3 件"
    # removed and put back over htmx: said again out of band, the singular for one
    for pn in (FIRST, SECOND):
        r = _post(web, f"/collections/{cid}/items/remove", {"pn": pn}, HTMX)
    assert _oob(r.text, "new-count") == "· 1 new match"
    r = _post(web, f"/collections/{cid}/items/restore", {"pn": FIRST}, HTMX)
    assert _oob(r.text, "new-count") == "· 2 new matches"
    # a reader not signed in: nothing is new to them
    _post(web, f"/collections/{cid}/edit", {"name": "Apparatus", "description": "", "query": "TXT=apparatus",
                                           "visibility": "public"})
    with TestClient(web.app) as visitor:
        shown = html.fromstring(visitor.get(f"/collections/{cid}", headers=HTML).text)
        assert shown.get_element_by_id("new-count").text_content() == "" and "new match" not in visitor.get(
            f"/collections/{cid}", headers=HTML).text
    # another reader: all three found later are new to them, whatever the owner has seen
    with TestClient(web.app) as reader:
        _sign_up(reader)
        shown = html.fromstring(reader.get(f"/collections/{cid}", headers=HTML).text)
        assert shown.get_element_by_id("new-count").text_content() == " · 2 new matches"
    _last_seen(corpus_settings_small, cid, email, 1)  # the owner's next visit: none is new any more
    page = web.get(f"/collections/{cid}", headers=HTML).text
    assert html.fromstring(page).get_element_by_id("new-count").text_content() == "" and "new match" not in page
