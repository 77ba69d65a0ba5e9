"""What a keyboard and screen-reader tour found, in Chromium: "Skip to the results" was the 20th Tab
of the search page; the charts' titles were no headings to move between; every chart's "Numbers"
and every notice's "Mark as read" had one name for all; and a person's name was called 名称, the
word for a thing's name."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import html
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from api.app import create_app
from core.accounts.models import Role, User
from core.accounts.service import create_user
from core.db import session_factory, session_scope
from core.notifications import notify
from core.settings import Settings
from tests.api.pages.conftest import axe_violations, new_page, sign_up_in_browser

SKIP_RESULTS = {"en-GB": "Skip to the results", "zh-CN": "跳到检索结果"}


@pytest.mark.parametrize("lang", ["en-GB", "zh-CN"])
def test_the_results_are_the_second_tab_of_the_search_page(browser: Browser, portal_url: str, lang: str) -> None:
    """"Skip to the results" stood past the search form and the count: 20 Tabs from the top of the
    page (22 signed in), to spare a keyboard the facets' forty-odd links. It is the second Tab, after
    "Skip to content", shown while it has the focus, and the next Tab after it is the first result."""
    page = new_page(browser, lang=lang)
    page.goto(portal_url + "/?q=TXT%3Dapparatus")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip[href='#content']")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.locator("a[href='#results']")).to_have_count(1)  # one such link: a second one read the same
    skip = page.locator("a.skip[href='#results']")
    expect(skip).to_be_focused()
    expect(skip).to_have_text(SKIP_RESULTS[lang])
    expect(skip).to_be_in_viewport()  # shown while it has the focus
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href') || ''").startswith("/patent/")
    assert axe_violations(page) == []
    page.goto(portal_url + "/")  # nothing found yet, nothing to skip to: the second Tab is the brand
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("header.site .brand")).to_be_focused()
    page.context.close()


CHART_PAGES = ["/reports/industries/led", "/regions/440000", "/regions", "/regions/compare?r=广东&r=北京"]


def test_each_charts_title_is_a_heading_and_names_its_table(browser: Browser, portal_url: str) -> None:
    """A chart's title was a caption, no heading: a screen reader could not move from chart to chart.
    Each is a second-level heading in the page's outline, looking as the caption did, and each
    chart's "Numbers" (the table under it) is named by its chart, where all read "Numbers"."""
    page = new_page(browser)
    for path in CHART_PAGES:
        page.goto(portal_url + path)
        figures = page.locator("figure.stat")
        assert figures.count() > 0, path
        charts = []
        for figure in figures.all():
            caption = figure.locator("figcaption")
            heading = caption.get_by_role("heading", level=2)
            expect(heading).to_have_count(1)
            charts.append(heading.inner_text())
            assert caption.evaluate("c => ['fontSize', 'fontWeight', 'color'].every(p => getComputedStyle("
                                    "c.firstElementChild)[p] === getComputedStyle(c)[p])"), path  # the look kept
            if figure.locator("details[data-stat-table]").count():
                summary = figure.locator("details[data-stat-table] > summary")
                expect(summary).to_have_accessible_name(f"Numbers: {charts[-1]}")
                expect(summary.locator("[aria-hidden=true]")).to_have_text("Numbers")  # all it shows
        headings = [h.inner_text() for h in page.locator("main").get_by_role("heading", level=2).all()]
        assert [h for h in headings if h in charts] == charts, path  # each chart's, in the page's order
        assert axe_violations(page) == [], path
    page.context.close()


def test_each_mark_as_read_button_is_named_by_its_notice(browser: Browser, portal_url: str,
                                                         portal_settings: Settings) -> None:
    page = new_page(browser)
    email = sign_up_in_browser(page, portal_url, "marks")
    with session_scope(portal_settings.effective_database_url) as session:
        me = session.scalars(select(User).where(User.email == email)).one()
        notify(session, me.id, "account.role_changed", "Your role is now member", role="member")
        notify(session, me.id, "account.password_changed", "Your password was changed")
    page.goto(portal_url + "/inbox")
    buttons = page.locator("main li.hit form button")
    expect(buttons).to_have_count(2)
    expect(buttons.nth(0)).to_have_accessible_name("Mark as read: Your password was changed")
    expect(buttons.nth(1)).to_have_accessible_name("Mark as read: Your role is now: member")
    for button in buttons.all():
        box = button.bounding_box()
        assert box is not None and box["width"] < 200  # it shows "Mark as read" alone
        expect(button.locator("[aria-hidden=true]")).to_have_text("Mark as read")
    assert axe_violations(page) == []
    page.context.close()


# --- a person's name ---------------------------------------------------------------------------

PASSWORD = "a long password 123"
EN = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}


@pytest.fixture
def admin(embedded_settings: Settings) -> Iterator[TestClient]:
    """An administrator signed in through the login form."""
    with session_factory(embedded_settings.effective_database_url)() as s:
        email = create_user(s, f"admin-{uuid.uuid4().hex[:6]}@example.org", PASSWORD, "Admin", Role.admin).email
        s.commit()
    with TestClient(create_app(embedded_settings)) as client:
        token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login", headers=EN).text)
        assert token is not None
        r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
                        headers=EN, follow_redirects=False)
        assert r.status_code == 303, r.text
        yield client


def _texts(client: TestClient, path: str, xpath: str, headers: dict[str, str]) -> list[str]:
    page = client.get(path, headers=headers)
    assert page.status_code == 200, page.text[-500:]
    return [" ".join(e.text_content().split()) for e in html.fromstring(page.text).xpath(xpath)]


def test_the_staff_table_calls_a_persons_name_xingming(admin: TestClient) -> None:
    """The staff's "Name" column read 名称, a thing's or an organisation's name: a person's is 姓名
    (the message has the context "person"), and the other "Name"s stay 名称."""
    columns = "//table[@id='staff']/thead//th"
    assert _texts(admin, "/service-hall/staff", columns, ZH)[:2] == ["部门", "姓名"]
    assert _texts(admin, "/service-hall/staff", columns, EN)[:2] == ["Department", "Name"]
    assert _texts(admin, "/admin/users", "//table//thead//th", ZH)[:2] == ["电子邮箱", "姓名"]  # the accounts' too
    assert _texts(admin, "/community/agencies", "//label[@for='f-q']", ZH) == ["名称"]  # an agency's name
