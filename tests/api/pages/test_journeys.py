"""Browser journeys on a real server, in English and in Chinese, with axe-core on every page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.api.pages.conftest import axe_violations, new_page, screenshot

PASSWORD = "correct horse battery"
LABELS = {  # what a person reads, per language
    "en-GB": {"signup": "Sign up", "create": "Create account", "logout": "Log out", "login": "Log in",
              "search": "Search", "combine": "Combine", "set": "Saved as set", "results": "results",
              "nothing": "Nothing matched", "create_key": "Create key", "inbox": "Inbox"},
    "zh-CN": {"signup": "注册", "create": "创建账号", "logout": "退出", "login": "登录", "search": "检索",
              "combine": "组配", "set": "已保存为检索式", "results": "条结果", "nothing": "没有命中结果",
              "create_key": "创建密钥", "inbox": "消息"},
}


def _no_axe_violations(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def _search(page: Page, text: str, label: str) -> None:
    page.get_by_label(re.compile("^(Query|检索式)$")).fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name=label, exact=True).click()


@pytest.mark.parametrize("lang", ["en-GB", "zh-CN"])
def test_sign_up_search_refine_combine_export_log_out(browser: Browser, portal_url: str, lang: str) -> None:
    t = LABELS[lang]
    page = new_page(browser, lang)
    page.goto(portal_url + "/")
    _no_axe_violations(page)
    page.get_by_role("link", name=t["signup"]).click()
    page.get_by_label(re.compile("E-mail|电子邮箱")).fill(f"u-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label(re.compile("^(Password|密码)")).fill(PASSWORD)
    _no_axe_violations(page)
    page.get_by_role("button", name=t["create"]).click()
    expect(page.get_by_role("button", name=t["logout"])).to_be_visible()

    _search(page, "TXT=apparatus", t["search"])
    expect(page.locator("#result-count")).to_contain_text(t["results"])
    expect(page.get_by_text(t["set"])).to_contain_text(t["set"])
    total = int(re.sub(r"\D", "", page.locator("#result-count").inner_text().split("·")[0]))
    _no_axe_violations(page)
    screenshot(page, f"search-{lang[:2]}")

    facet = page.locator(".facet").first.get_by_role("link").first  # refine by the first facet value
    value = facet.inner_text()
    with page.expect_navigation():
        facet.click()
    expect(page.locator(".chip").first).to_contain_text(value)
    refined = int(re.sub(r"\D", "", page.locator("#result-count").inner_text().split("·")[0]))
    assert 0 < refined < total

    _search(page, "TXT=wireless", t["search"])
    page.get_by_label(re.compile("Combine sets|组配检索式")).fill("#1 NOT #2")
    with page.expect_navigation():
        page.get_by_role("button", name=t["combine"], exact=True).click()
    expect(page.get_by_text("#3")).not_to_have_count(0)
    combined = int(re.sub(r"\D", "", page.locator("#result-count").inner_text().split("·")[0]))
    assert 0 < combined <= total

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    path = download.value.path()
    assert download.value.suggested_filename.endswith(".csv")
    content = path.read_bytes()
    assert content.startswith(b"\xef\xbb\xbfpn,") and content.count(b"\n") == combined + 1

    page.locator(".hit a").first.click()
    page.wait_for_url("**/patent/**")
    _no_axe_violations(page)

    page.goto(portal_url + "/account")
    page.get_by_label(re.compile("New key name|新密钥名称")).fill("laptop")
    page.get_by_role("button", name=t["create_key"]).click()
    expect(page.locator("#new-key")).to_contain_text("ipc_")
    _no_axe_violations(page)
    page.get_by_role("link", name=t["inbox"]).click()
    _no_axe_violations(page)

    cookies = page.context.cookies()
    page.get_by_role("button", name=t["logout"]).click()
    expect(page.get_by_role("link", name=t["login"])).to_be_visible()
    page.context.add_cookies(cookies)  # the old session cookie, replayed after logout
    page.goto(portal_url + "/account")
    assert "/login" in page.url
    page.context.close()


def test_zero_results_say_which_part_matched_nothing(browser: Browser, portal_url: str) -> None:
    page = new_page(browser)
    page.goto(portal_url + "/?q=" + "TXT%3Dapparatus%20AND%20TI%3Dwirelss")
    help_panel = page.get_by_role("status").filter(has_text="Nothing matched")
    expect(help_panel).to_contain_text("wirelss")
    expect(help_panel.get_by_role("link", name="wireless")).to_be_visible()
    _no_axe_violations(page)
    page.context.close()


def test_keyboard_only_search(browser: Browser, portal_url: str) -> None:
    page = new_page(browser)
    page.goto(portal_url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    for _ in range(30):  # from the main content, tab to the query box
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "q":
            break
    else:
        pytest.fail("the query box cannot be reached with the keyboard")
    page.keyboard.type("TXT=apparatus")
    page.keyboard.press("Enter")
    page.wait_for_url("**q=TXT*")
    expect(page.locator("#result-count")).to_be_visible()
    for _ in range(80):
        page.keyboard.press("Tab")
        if (page.evaluate("document.activeElement.getAttribute('href') || ''")).startswith("/patent/"):
            break
    else:
        pytest.fail("no result link can be reached with the keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url("**/patent/**")
    page.context.close()


def test_script_in_a_query_stays_text_in_the_dom(browser: Browser, portal_url: str) -> None:
    page = new_page(browser)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    payload = '"><img src=x onerror=alert(1)><script>alert(2)</script>'
    page.goto(portal_url + "/")
    page.get_by_label("Query").fill(payload)
    with page.expect_navigation():
        page.get_by_role("button", name="Search", exact=True).click()
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0
    assert page.get_by_label("Query").input_value() == payload
    page.context.close()


def test_phone_width_layout_has_no_horizontal_scroll(browser: Browser, portal_url: str) -> None:
    page = new_page(browser, width=390)
    page.goto(portal_url + "/?q=TXT%3Dapparatus")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.context.close()
