"""Nothing moves once a page is shown: a chart is drawn in the room kept for it, beside its table
already folded, and the search page's query builder starts closed on a phone without jumping shut.
Measured with the Layout Instability API in Chromium, at a phone's width and a desktop's. The
scripts that would move the page are held back, so they surely run after the first paint. Tables of
records are one card a record on a phone, named by the page (not by app.js after the first paint), and
on a phone column names, numbers and a box's example stay whole. An administrator's header is one row
on a 1280-px screen."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jinja2 import ChainableUndefined
from lxml import html
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from api.i18n import translations
from api.pages.context import templates
from core.accounts.models import Role, User
from core.db import session_scope
from core.i18n import Language
from core.notifications import notify
from core.settings import Settings
from tests.api.pages.conftest import new_page, sign_up_in_browser

# Records each layout shift of the page (the Layout Instability API), from before its first paint.
LAYOUT_SHIFTS = """window.layoutShifts = [];
new PerformanceObserver(function (list) {
  list.getEntries().forEach(function (e) { window.layoutShifts.push(e.value); });
}).observe({type: "layout-shift", buffered: true});"""
CHART_PAGES = ["/regions", "/regions/440000", "/reports/industries/led"]


def _late(route: Route) -> None:
    time.sleep(0.3)  # after the first paint: drawn at once, the charts moved nothing even unreserved
    route.continue_()


def _shifts(page: Page, path: str) -> list[float]:
    page.goto(path)
    page.wait_for_load_state("load")
    page.wait_for_timeout(200)  # a shift is reported a frame after it happens
    shifts: list[float] = page.evaluate("window.layoutShifts")
    return shifts


@pytest.mark.parametrize("width", [390, 1280])
def test_charts_are_drawn_without_moving_the_page(browser: Browser, portal_url: str, width: int) -> None:
    page = new_page(browser, width=width)
    page.add_init_script(LAYOUT_SHIFTS)
    page.route("**/static/vendor/echarts.min.js", _late)
    assert page.evaluate("PerformanceObserver.supportedEntryTypes.includes('layout-shift')")
    for path in CHART_PAGES:
        # before: up to 0.09 at 1280 px, the chart pushing the page down and its folded table pulling it up
        assert _shifts(page, portal_url + path) == [], path
        charts = page.locator(".chart")
        assert charts.count() > 0, path
        expect(page.locator(".chart canvas")).to_have_count(charts.count())  # every chart drawn
        expect(page.locator("details[data-stat-table][open]")).to_have_count(0)  # its table folded
        folded = page.locator("details[data-stat-table]").first
        folded.locator("summary").click()  # and opened on demand
        expect(folded.locator("table")).to_be_visible()
    page.context.close()


def test_without_the_chart_library_the_tables_show(browser: Browser, portal_url: str) -> None:
    """The room kept for a chart that is never drawn goes once the page has loaded: its table shows."""
    page = new_page(browser, width=390)
    page.route("**/static/vendor/echarts.min.js", lambda route: route.abort())
    page.goto(portal_url + "/regions")
    page.wait_for_load_state("load")
    expect(page.locator("#provinces-table")).to_be_visible()
    expect(page.locator('[data-chart="provinces"]')).to_be_hidden()
    page.context.close()


@pytest.mark.parametrize("lang", ["en-GB", "zh-CN"])
def test_the_query_builder_starts_closed_on_a_phone(browser: Browser, portal_url: str, lang: str) -> None:
    """On a 390-px phone the builder and its field help took most of the first screen: closed, the
    results come first. It is closed before the first paint (app.js, and with it the end of the
    parse, is held back), and it opens on demand. A desktop still opens it on an empty page."""
    summary = {"en-GB": "Query builder and field help", "zh-CN": "检索式构造器与字段说明"}[lang]
    page = new_page(browser, lang=lang, width=390)
    page.add_init_script(LAYOUT_SHIFTS)
    page.route("**/static/app.js", _late)
    assert _shifts(page, portal_url + "/") == []
    panel = page.locator("details[data-phone-closed]")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.locator("#builder")).to_be_hidden()
    page.get_by_text(summary, exact=True).click()
    expect(page.locator("#builder")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    assert _shifts(page, portal_url + "/") == []
    expect(page.locator("#builder")).to_be_visible()
    page.context.close()


@pytest.mark.parametrize(("width", "lang"), [(390, "zh-CN"), (1280, "en-GB")])
def test_the_link_to_the_results_shows_over_the_page_without_moving_it(browser: Browser, portal_url: str,
                                                                       width: int, lang: str) -> None:
    """"Skip to the results" (the page's second Tab) shows over the page while it has the focus,
    whole and inside the window, and moves nothing: a link taking its place in the page pushed the
    facets and the results down a line, and back up when the focus moved on."""
    page = new_page(browser, lang=lang, width=width)
    page.goto(portal_url + "/?q=TXT%3Dapparatus")
    link, layout = page.locator("#skip-to-results"), page.locator(".layout")
    before = layout.bounding_box()
    link.focus()
    expect(link).to_be_focused()
    expect(link).to_be_visible()
    assert layout.bounding_box() == before  # nothing moved
    box = link.bounding_box()
    assert box is not None and before is not None
    assert 0 <= box["x"] and box["x"] + box["width"] <= width and box["y"] >= 0  # whole, inside the window
    assert link.evaluate("a => document.elementFromPoint(a.getBoundingClientRect().x + 5,"
                         " a.getBoundingClientRect().y + 5) === a")  # over what is beneath it, not under it
    page.context.close()


@pytest.mark.parametrize("lang", ["zh-CN", "en-GB"])
def test_on_a_phone_the_save_link_shows_the_fields_label(browser: Browser, portal_url: str, lang: str) -> None:
    """"Save as collection" beside the count scrolled its name box to the window's very top on a
    phone, its label ("Save this query as a collection") above, out of sight."""
    page = new_page(browser, lang=lang)
    sign_up_in_browser(page, portal_url, "scroll")  # where the header shows "Log out"
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(portal_url + "/?q=TXT%3Dapparatus")
    page.locator('#result-count a[href="#save-name"]').click()
    label, field = page.locator('label[for="save-name"]'), page.locator("#save-name")
    expect(page).to_have_url(re.compile("#save-name$"))
    page.wait_for_function("window.scrollY > 0")
    top, box = label.bounding_box(), field.bounding_box()
    assert top is not None and box is not None
    assert 0 <= top["y"] and box["y"] + box["height"] <= 900, (top, box)  # the label and its box, both in sight
    page.context.close()


@pytest.mark.parametrize(("width", "lang"), [(390, "zh-CN"), (1280, "en-GB")])
def test_a_refused_sign_up_gives_its_field_the_focus(browser: Browser, portal_url: str, width: int,
                                                     lang: str) -> None:
    """The refusal was said at the top and the focus stayed there: the field it is about takes the
    focus (app.js), its label in sight, so a screen reader says the field and why, and the person
    types there."""
    page = new_page(browser, lang=lang, width=width)
    page.goto(portal_url + "/signup")
    page.get_by_label(re.compile("E-mail|电子邮箱")).fill(f"focus-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label(re.compile("^(Password|密码)")).fill("1234567890")  # long enough, easy to guess
    with page.expect_navigation():
        page.locator("main form button").first.click()
    password = page.locator("#password")
    expect(password).to_be_focused()
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email")).not_to_have_attribute("aria-invalid", "true")
    described = page.locator("#" + (password.get_attribute("aria-describedby") or "none"))
    expect(described).to_have_attribute("role", "alert")
    expect(described).to_be_visible()
    top = page.locator('label[for="password"]').bounding_box()
    assert top is not None and top["y"] >= 0
    page.goto(portal_url + "/signup")  # nothing refused: the focus is left alone
    assert page.evaluate("document.activeElement === document.body")
    page.context.close()


# The line boxes an element's text takes (one top a line).
LINES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top))).size; }"""


def _new_collection(page: Page, portal_url: str, name: str) -> None:
    page.goto(portal_url + "/collections")
    page.locator("#c-name").fill(name)
    with page.expect_navigation():
        page.locator("#new button").click()


def test_on_a_phone_column_names_numbers_and_examples_stay_whole(browser: Browser, portal_url: str) -> None:
    """At 390 px, in Chinese: 文献 over the key companies' numbers stood a character a line, 被引次数
    and the emerging terms' column names made their header rows tall and empty-looking, the number
    of documents placed in a province stood a digit a line, and the box adding documents to a
    collection cut its own example (US9000001B2, CN112345678A) in two, its second line hidden."""
    page = new_page(browser, lang="zh-CN", width=390)
    page.goto(portal_url + "/regions/440000")
    companies = page.locator("#key-companies th")
    assert companies.count() == 3
    assert [th.evaluate(LINES) for th in companies.all()[:2]] == [1, 1]  # 申请人, 文献 (占比 (%) may wrap at its space)
    page.goto(portal_url + "/reports/industries/led")
    assert [th.evaluate(LINES) for th in page.locator("#key-patents th").all()] == [1] * 6  # it was 1, 1, 1, 4, 4, 1
    for th in page.locator("#emerging-terms th").all():  # when the period has emerging terms
        assert th.evaluate(LINES) <= 3, th.inner_text()  # 高出预期占比（百分点） took 6
    page.goto(portal_url + "/regions")
    for value in page.locator("#coverage dd").all():
        assert value.evaluate(LINES) == 1, value.inner_text()
    page.set_viewport_size({"width": 1280, "height": 900})  # signed up where the header shows "Log out"
    sign_up_in_browser(page, portal_url, "phone")
    _new_collection(page, portal_url, "手机上的专题库")
    page.set_viewport_size({"width": 390, "height": 900})
    room, example = page.locator("#add-pns").evaluate("""box => { const s = getComputedStyle(box);
      const c = document.createElement("canvas").getContext("2d"); c.font = s.font;
      const room = box.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      return [room, c.measureText(box.placeholder).width]; }""")
    assert room >= example, (room, example)  # 191 px for 250 before
    page.context.close()


def test_stacked_tables_are_labelled_before_the_first_paint(browser: Browser, portal_url: str) -> None:
    """On a phone a table of records is one card a record, each cell under its column's name: app.js
    named the cells after the first paint, the cards grew and the page moved (/collections: 0.064).
    The templates name them (data-label); app.js, held back here, has nothing left to add."""
    page = new_page(browser, lang="zh-CN")
    sign_up_in_browser(page, portal_url, "stacked")
    _new_collection(page, portal_url, "卡片")
    page.set_viewport_size({"width": 390, "height": 900})
    page.add_init_script(LAYOUT_SHIFTS)
    page.route("**/static/app.js", _late)
    assert _shifts(page, portal_url + "/collections") == []
    table = page.locator("#mine-h ~ .table-wrap table.stack")
    names = table.locator("thead th").all_inner_texts()
    for row in table.locator("tbody tr").all():
        assert row.locator("td").evaluate_all("tds => tds.map(td => td.dataset.label)") == names
    page.context.close()


# --- every table of records names its cells in the template ----------------------------------------

TEMPLATES = Path(__file__).resolve().parents[3] / "api" / "templates"
STACKED_TABLE = re.compile(r'<table\b[^>]*\bclass="[^"]*\bstack\b[^"]*"[^>]*>.*?</table>', re.S)
# those that app.js named after the first paint, and those that always named their own
STACKED_TEMPLATES = {"_copyright.html", "account.html", "copyright_mine.html", "copyright_works.html",
                     "forum_category.html", "hall_application.html", "hall_home.html", "hall_mine.html",
                     "hall_work.html", "patent.html", "admin_users.html", "collections.html",
                     "reports_subscription.html"}


class _Records(ChainableUndefined):
    """Whatever a table asks of the records it lists (none is given): each loop goes round twice
    (a pair unpacks too), each attribute, item or call gives another, a sum is 0. So each row of
    each table is written, whatever its data."""

    __slots__ = ()

    def __call__(self, *args: object, **kwargs: object) -> _Records:
        return _Records()

    def __iter__(self) -> Iterator[_Records]:
        yield from (_Records(), _Records())

    def __len__(self) -> int:
        return 2

    def _zero(self, *other: object) -> int:
        return 0

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _zero


def _stacked_tables() -> Iterator[tuple[str, str]]:
    for path in sorted(TEMPLATES.glob("*.html")):
        for table in STACKED_TABLE.findall(path.read_text(encoding="utf-8")):
            yield path.name, table


@pytest.mark.parametrize("lang", [Language.zh, Language.en])
def test_every_cell_of_a_stacked_table_is_named_by_its_template(lang: Language) -> None:
    """On a phone a table of records (class "stack") is one card a record, each cell under its
    column's name (data-label, app.css): written by the template, since app.js named them after the
    first paint and the cards grew. Each cell of each body row of each such table in the templates
    carries its column's name, the header's own words, but one across columns (colspan), under none."""
    catalog = translations(lang)

    def gettext(message: str, **values: Any) -> str:
        return catalog.gettext(message) % values if values else catalog.gettext(message)

    def ngettext(singular: str, plural: str, count: int, **values: Any) -> str:
        return catalog.ngettext(singular, plural, 2) % values

    def pgettext(context: str, message: str, **values: Any) -> str:
        return catalog.pgettext(context, message) % values if values else catalog.pgettext(context, message)

    env = templates.env.overlay(undefined=_Records)
    seen = set()
    for name, source in _stacked_tables():
        seen.add(name)
        table = html.fragment_fromstring(env.from_string(source).render(_=gettext, ngettext=ngettext,
                                                                         pgettext=pgettext, lang=lang.value))
        columns = [" ".join(th.text_content().split()) for th in table.xpath("thead//th")]
        assert columns and all(columns), (name, columns)
        rows = table.xpath("tbody/tr")
        assert rows, name  # each row of the loop was written
        for row in rows:
            cells = [td for td in row.findall("td") if int(td.get("colspan", "1")) == 1]
            if len(cells) < len(row.findall("td")):
                assert all(td.get("data-label") for td in cells), (name, html.tostring(row))
                continue
            assert [td.get("data-label") for td in cells] == columns, (name, html.tostring(row, encoding="unicode"))
    assert seen >= STACKED_TEMPLATES, STACKED_TEMPLATES - seen


# The widest header: an administrator's eight links, unread notices and a long name.
WIDE_NAME = "演示管理员 · Demo administrator of the regional IP office"


def _wide_header(page: Page, portal_url: str, settings: Settings) -> None:
    """A new account, signed in, made an administrator with a long name and two unread notices."""
    email = sign_up_in_browser(page, portal_url, "header")
    with session_scope(settings.effective_database_url) as session:
        me = session.scalars(select(User).where(User.email == email)).one()
        me.role, me.display_name = Role.admin, WIDE_NAME
        for n in range(2):
            notify(session, me.id, "account.password_changed", f"Notice {n}")


def _overflows(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth > window.innerWidth"))


@pytest.mark.parametrize("lang", ["en-GB", "zh-CN"])
def test_an_administrators_header_is_one_row_on_a_desktop(browser: Browser, portal_url: str,
                                                          portal_settings: Settings, lang: str) -> None:
    """At 1280 px an administrator's header took two rows ("Admin" made the links too wide for one,
    1,326 px in English): the brand, every link, the inbox, the name and "Log out" stand on one row,
    a long name cut short with "…" there, its link still saying it whole. At 1024 px it may take two
    rows, inside the window; on a phone the menu shows the whole name."""
    page = new_page(browser, lang=lang, width=1280)
    _wide_header(page, portal_url, portal_settings)
    page.goto(portal_url + "/service-hall/staff")
    header, who = page.locator("header.site"), page.locator("header.site .who")
    parts = [header.locator(selector) for selector in (".brand", "nav.main a[href='/admin']", "a[href='/inbox']",
                                                       ".who", "form[action='/logout'] button")]
    expect(header.locator("a[href='/inbox'] .unread")).to_be_visible()
    middles = []
    for part in parts:
        box = part.bounding_box()
        assert box is not None
        middles.append(box["y"] + box["height"] / 2)
    assert max(middles) - min(middles) <= 3, middles  # one row
    box = header.bounding_box()
    assert box is not None and box["height"] < 50, box  # 73 px, two rows, before
    assert who.evaluate("a => a.scrollWidth > a.clientWidth")  # the name cut short…
    expect(who).to_have_accessible_name(re.compile(re.escape(WIDE_NAME) + "$"))  # …but said whole
    assert not _overflows(page)
    page.set_viewport_size({"width": 1024, "height": 900})  # a tablet held sideways: two rows at most
    for part in parts:
        expect(part).to_be_visible()
        box = part.bounding_box()
        assert box is not None and box["x"] + box["width"] <= 1024
    assert not _overflows(page)
    page.set_viewport_size({"width": 390, "height": 900})  # a phone: the links behind the menu button
    expect(who).to_be_hidden()
    page.locator("header.site .menu-toggle").click()
    expect(who).to_be_visible()
    assert not who.evaluate("a => a.scrollWidth > a.clientWidth")  # the whole name, on its own lines
    assert not _overflows(page)
    page.context.close()
