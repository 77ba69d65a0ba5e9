"""In the browser, as people read and touch the pages: a removal's undo is a finger's target on a
touch screen and a word in the line for a mouse; a long query in the search history is two lines on
a phone; an unread notice in the inbox shows it by more than colour, with enough contrast; the focus
ring stands out from what it is drawn on."""

from __future__ import annotations

import re
import uuid
from urllib.parse import urlencode

from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import select

from core.accounts.models import User
from core.db import session_scope
from core.notifications import notify
from core.settings import Settings
from tests.api.pages.conftest import BROWSER_PASSWORD, axe_violations

DOCS = ("US90000006B2", "US90000007B2")


def _phone(browser: Browser, lang: str = "en-GB") -> Page:
    """A 390-px phone with a touch screen (its pointer is coarse)."""
    context = browser.new_context(locale=lang, viewport={"width": 390, "height": 844}, has_touch=True,
                                  is_mobile=True, extra_http_headers={"Accept-Language": lang})
    return context.new_page()


def _desktop(browser: Browser, lang: str = "en-GB") -> Page:
    context = browser.new_context(locale=lang, viewport={"width": 1280, "height": 900},
                                  extra_http_headers={"Accept-Language": lang})
    return context.new_page()


def _sign_up(page: Page, portal_url: str, who: str) -> str:
    """A new account, signed in (on a phone the header's links are behind its menu button)."""
    email = f"{who}-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(f"{portal_url}/signup")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(BROWSER_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button").first.click()
    assert "/signup" not in page.url, page.url
    return email


def _collection_with_a_removal(page: Page, portal_url: str) -> None:
    """A new collection of two documents, the first removed in place (htmx), its undo shown."""
    _sign_up(page, portal_url, "touch")
    page.goto(portal_url + "/collections")
    page.locator("#c-name").fill("Undo target")
    with page.expect_navigation():
        page.get_by_role("button", name="Create collection").click()
    page.locator("#add-pns").fill(" ".join(DOCS))
    with page.expect_navigation():
        page.locator("form.add-docs button").click()
    page.locator(f"#item-{DOCS[0]} form.remove button").click()
    expect(page.locator(f"#item-{DOCS[0]}.removed")).to_be_visible()


def test_the_undo_is_a_fingers_target_on_a_touch_screen_and_a_word_for_a_mouse(browser: Browser,
                                                                                portal_url: str) -> None:
    """The undo was a 24-px word: on a touch screen it is at least 44 × 44 px (WCAG 2.5.5), and it
    still undoes; with a mouse it stays a word in the line, at least 24 × 24 px (WCAG 2.5.8)."""
    phone = _phone(browser)
    _collection_with_a_removal(phone, portal_url)
    undo = phone.locator(f"#item-{DOCS[0]} button.undo")
    box = undo.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44, box
    expect(phone.locator("#doc-range")).to_have_text("Documents 1–1 of 1 · the latest added first")
    undo.tap()
    expect(phone.locator(f"#item-{DOCS[0]} .added")).to_have_count(1)
    expect(phone.locator("#doc-range")).to_have_text("Documents 1–2 of 2 · the latest added first")
    expect(phone.locator("#doc-count")).to_have_text("2 documents")
    phone.context.close()

    desktop = _desktop(browser)
    _collection_with_a_removal(desktop, portal_url)
    row = desktop.locator(f"#item-{DOCS[0]}")
    undo_box, row_box = row.locator("button.undo").bounding_box(), row.bounding_box()
    assert undo_box is not None and row_box is not None
    assert 24 <= undo_box["height"] < 44 and undo_box["width"] >= 24, undo_box  # a word in the line
    assert row_box["height"] < 60, row_box  # the row as it was: one line of text and its padding
    assert axe_violations(desktop) == []
    desktop.context.close()


def test_a_long_query_in_the_history_is_two_lines_on_a_phone(browser: Browser, portal_url: str) -> None:
    """A query of 400 characters filled a phone's history panel: it shows two lines ending in "…",
    the link (and its title) keeping it whole; a script in it stays text."""
    page = _phone(browser, "zh-CN")
    _sign_up(page, portal_url, "history")
    query = 'TXT=(lamp OR "<img src=x onerror=alert(1)>" OR ' + " OR ".join(f"word{n}" for n in range(50)) + ")"
    page.goto(portal_url + "/?" + urlencode({"q": query}))
    link = page.locator("#history a.history-query")
    expect(link).to_have_count(1)
    assert link.get_attribute("title") == query and link.text_content() == query
    assert page.locator("img[src=x]").count() == 0
    line = float(link.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    height = link.evaluate("e => e.getBoundingClientRect().height")
    assert height <= 2 * line + 1, (height, line)  # two lines, not twenty
    assert link.evaluate("e => e.scrollHeight > e.clientHeight")  # the rest is cut, not gone from the DOM
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # and nothing runs past the edge
    page.context.close()


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgb(colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(c) for c in re.findall(r"\d+", colour)[:3])
    return red, green, blue


def _contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two computed colours ("rgb(…)")."""
    la, lb = (_luminance(_rgb(x)) for x in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def test_an_unread_notice_shows_it_by_more_than_colour(browser: Browser, portal_url: str,
                                                       portal_settings: Settings) -> None:
    """Read and unread notices looked alike: an unread one has a dot and a bar (3:1 against the card
    at least, WCAG 1.4.11), a bold title, and "Unread" for a screen reader; a read one is plain."""
    page = _desktop(browser)
    email = _sign_up(page, portal_url, "inbox")
    with session_scope(portal_settings.effective_database_url) as session:
        me = session.scalars(select(User).where(User.email == email)).one()
        notify(session, me.id, "account.role_changed", "Your role is now member", role="member")
        notify(session, me.id, "account.password_changed", "Your password was changed")
    page.goto(portal_url + "/inbox")
    with page.expect_navigation():
        page.locator("li.hit").nth(1).get_by_role("button", name="Mark as read").click()
    unread, read = page.locator("li.unread-notice"), page.locator("li.hit:not(.unread-notice)")
    expect(unread).to_have_count(1)
    expect(read).to_have_count(1)
    expect(unread.get_by_role("heading")).to_have_accessible_name(re.compile(r"^Unread: Your password was changed"))
    expect(read.get_by_role("heading")).to_have_accessible_name("Your role is now: member")

    def style(locator: Locator, prop: str) -> str:
        return str(locator.evaluate(f"e => getComputedStyle(e).{prop}"))

    assert int(style(unread.locator("h2 strong"), "fontWeight")) >= 700
    assert int(style(read.locator("h2"), "fontWeight")) <= 400
    card = style(unread, "backgroundColor")
    dot = unread.locator(".unread-dot")
    box = dot.bounding_box()
    assert box is not None and box["width"] >= 8 and box["height"] >= 8
    assert _contrast(style(dot, "backgroundColor"), card) >= 3
    assert _contrast(style(unread, "borderLeftColor"), card) >= 3 and style(unread, "borderLeftWidth") == "4px"
    assert style(read, "borderLeftWidth") == "1px"
    for title in (unread.locator("h2"), read.locator("h2")):
        assert _contrast(style(title, "color"), card) >= 4.5
    assert axe_violations(page) == []
    page.context.close()


def _backdrop(locator: Locator) -> str:
    """The colour behind an element: its own background or its nearest ancestor's that is not transparent."""
    return str(locator.evaluate("""e => { for (let n = e.parentElement; n; n = n.parentElement) {
        const c = getComputedStyle(n).backgroundColor;
        if (c !== "rgba(0, 0, 0, 0)" && c !== "transparent") return c; }
      return "rgb(255, 255, 255)"; }"""))


def test_the_focus_ring_has_three_to_one_against_what_it_is_drawn_on(browser: Browser, portal_url: str) -> None:
    """The keyboard's focus ring was a light amber with 2.1:1 against the white panels and 1.9:1 against
    the page (WCAG 1.4.11 asks 3:1): reached by Tab, a field in a panel, a link on the page and a link in
    the dark header each show a ring of 3:1 at least against the colour around them."""
    page = _desktop(browser)
    page.goto(portal_url + "/login")
    targets = {"a panel's field": page.locator("main input[name=email]"),
               "the page's link": page.locator("main a").first,
               "the header's link": page.locator("header.site a").first}
    for where, target in targets.items():
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # reached by the keyboard: :focus-visible applies
        expect(target).to_be_focused()
        ring = str(target.evaluate("e => getComputedStyle(e).outlineColor"))
        assert str(target.evaluate("e => getComputedStyle(e).outlineStyle")) == "solid", where
        assert _contrast(ring, _backdrop(target)) >= 3, (where, ring, _backdrop(target))
    page.context.close()


def test_a_double_click_sends_a_form_once(browser: Browser, portal_url: str) -> None:
    """A double click on a form's button sent it twice: a step taken, then refused as if someone else
    had acted ("nothing was done"), or two collections of one name. The second send within a few
    seconds is not sent; a form sent again later is."""
    page = _desktop(browser)
    _sign_up(page, portal_url, "twice")
    page.goto(portal_url + "/collections")
    name = f"Once {uuid.uuid4().hex[:6]}"
    page.locator("#c-name").fill(name)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    button = page.get_by_role("button", name="Create collection")
    # a person's double click: the second while the first is on its way
    button.evaluate("b => { b.click(); setTimeout(() => b.click(), 30); }")
    page.wait_for_url(re.compile(r"/collections/\d+"))
    page.wait_for_load_state("load")
    assert len(posts) == 1, posts
    page.goto(portal_url + "/collections")
    expect(page.get_by_role("link", name=name)).to_have_count(1)
    page.context.close()
