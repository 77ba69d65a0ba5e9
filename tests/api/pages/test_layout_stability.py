"""Nothing moves once a page is shown: a chart is drawn in the room kept for it, beside its table
already folded, and the search page's query builder starts closed on a phone without jumping shut.
Measured with the Layout Instability API in Chromium, at a phone's width and a desktop's. The
scripts that would move the page are held back, so they surely run after the first paint."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.api.pages.conftest import new_page

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
