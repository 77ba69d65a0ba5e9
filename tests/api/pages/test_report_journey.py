"""An association analyst in Chromium: opens the LED dashboard, filters 2010-2024, requests a Chinese
PDF report and opens it (the worker writes it; the session cookie opens it), subscribes to a
competitor chosen from the suggestions, and sees a red alert after a load brings the competitor's
first patent in a new LED subclass: in the inbox, on the subscriptions page and by e-mail. axe-core
finds no serious or critical violation on any page, in Chinese and in English."""

from __future__ import annotations

import datetime as dt
import random
import re
import time
import uuid
from email.header import decode_header, make_header

import pytest
from playwright.sync_api import Browser, expect
from playwright.sync_api import Page as BrowserPage

from core.i18n import shown_today
from core.settings import Settings
from tests.api.pages.conftest import (
    axe_violations,
    load_through_api,
    new_page,
    run_mailer,
    screenshot,
    sign_up_in_browser,
    wait_for_mail,
)
from tests.api.pages.led_documents import write_led_documents
from tests.smtp import MailSink

COMPETITOR = "Aurora Lighting Co., Ltd."


def _no_axe_violations(page: BrowserPage) -> None:
    assert axe_violations(page) == []


def _dashboard(page: BrowserPage, portal_url: str, lang: str) -> None:
    page.goto(f"{portal_url}/reports")
    _no_axe_violations(page)
    screenshot(page, f"reports-home-{lang[:2]}")
    page.locator('a[href="/reports/industries/led"]').first.click()
    page.locator("#f-from").fill("2010")  # the other year left empty, as a newcomer leaves it
    page.locator("form.filters button").click()
    expect(page).to_have_url(re.compile(r"/reports/industries/led\?from=2010&to=&"))
    expect(page.locator("[data-report-trend] canvas")).to_be_visible()
    page.locator("#f-from").fill("2010")
    page.locator("#f-to").fill("2024")
    page.locator("form.filters button").click()
    expect(page).to_have_url(re.compile(r"/reports/industries/led\?from=2010&to=2024"))
    expect(page.locator("[data-report-trend] canvas")).to_be_visible()  # ECharts drew the trend
    expect(page.locator('[data-chart="applicants"] canvas')).to_be_visible()
    years = [int(t.split()[0]) for t in page.locator("#trend-table tbody td:first-child").all_text_contents()]
    assert years and min(years) >= 2010 and max(years) <= 2024
    _no_axe_violations(page)
    screenshot(page, f"reports-dashboard-{lang[:2]}")


def _report(page: BrowserPage) -> None:
    page.locator('#request-report input[name="lang"][value="zh"]').check()
    page.locator('#request-report input[name="format"][value="pdf"]').check()
    page.locator("#request-button").click()
    expect(page).to_have_url(re.compile(r"/reports/archive/\d+\?open=pdf"))
    _no_axe_violations(page)  # while queued or running
    link = page.locator("#open-report")
    expect(link).to_be_visible(timeout=180_000)  # htmx polls the status until the worker is done
    _no_axe_violations(page)
    screenshot(page, f"reports-ready-{page.evaluate('document.documentElement.lang')}")
    href = link.get_attribute("href")
    report = page.url.split("?")[0]  # /reports/archive/{id}
    assert href is not None and report.endswith(href.removesuffix("/report.pdf"))
    pdf = page.context.request.get(report + "/report.pdf")  # the session cookie, no Bearer header
    assert pdf.ok and pdf.body().startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    page.goto(report + "/report.html")
    expect(page.locator("h1").first).to_contain_text("专利预警报告")
    # on a phone the page keeps to the screen: its wide tables scroll in their own boxes (it was 565 px wide)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator("table.wide").count() >= 3
    assert page.evaluate("[...document.querySelectorAll('table.wide')].some(t => t.scrollWidth > t.clientWidth)")


def _subscribe(page: BrowserPage, portal_url: str, lang: str) -> None:
    page.goto(f"{portal_url}/reports/subscriptions?scope=led")
    page.wait_for_load_state("load")  # htmx ready
    page.locator("#find-applicant").press_sequentially("auro", delay=60)
    suggestion = page.locator(f'#suggestions button[data-add-watched="{COMPETITOR}"]')
    expect(suggestion).to_be_visible()
    _no_axe_violations(page)
    screenshot(page, f"reports-subscribe-{lang[:2]}")
    suggestion.click()
    expect(page.locator("#sub-watched")).to_have_value(COMPETITOR)
    page.locator("#sub-lang").select_option("zh" if lang.startswith("zh") else "en")
    page.locator("#subscribe-button").click()
    expect(page.locator("p.notice")).to_be_visible()
    expect(page.locator("#subscriptions")).to_contain_text(COMPETITOR)
    # on a phone the list keeps to the screen: its hidden "Actions" header widened the page to 537 px
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1280, "height": 900})


def _alert_subject(sink: MailSink, address: str) -> str:
    """The decoded subject of the alert mail to ``address`` (waiting for it)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        subjects = [str(make_header(decode_header(str(m["Subject"])))) for m in wait_for_mail(sink, address)]
        found = [s for s in subjects if "H10H" in s]
        if found:
            return found[0]
        time.sleep(0.5)
    pytest.fail(f"no alert mail to {address}: {subjects}")


@pytest.mark.parametrize("lang", ["zh-CN", "en-GB"])
def test_an_analyst_reads_the_led_dashboard_requests_a_report_and_is_alerted(
        browser: Browser, portal_url: str, portal_settings: Settings, admin_token: str,
        mail_sink: tuple[MailSink, int], lang: str) -> None:
    page = new_page(browser, lang)
    email = sign_up_in_browser(page, portal_url, "analyst")
    _dashboard(page, portal_url, lang)
    _report(page)
    _subscribe(page, portal_url, lang)

    # the competitor's first LED patent in H10H (micro-LED), published days ago
    today = shown_today()
    folder = write_led_documents(portal_settings.incoming_dir / f"aurora-{uuid.uuid4().hex[:6]}",
                                 5_000_000 + random.randrange(1_000_000), COMPETITOR, "H10H 20/851",
                                 [(today - dt.timedelta(days=420), today - dt.timedelta(days=3))])
    assert load_through_api(portal_url, admin_token, folder)["status"] == "done"

    red = page.locator("li.hit", has_text="H10H")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # the rules run on the corpus-updated event, after the load
        page.goto(f"{portal_url}/inbox")
        if red.count():
            break
        time.sleep(1)
    expect(red.first).to_be_visible()
    _no_axe_violations(page)
    page.goto(f"{portal_url}/reports/subscriptions")
    expect(page.locator("#my-alerts li.alert-red").first).to_contain_text("H10H")
    _no_axe_violations(page)
    screenshot(page, f"reports-alerts-{lang[:2]}")
    page.goto(f"{portal_url}/reports/industries/led")
    expect(page.locator("#scope-alerts li.alert-red").first).to_contain_text(COMPETITOR)  # as printed
    expect(page.locator("#trend-table .badge.incomplete").first).to_be_attached()  # the new filing: not all published
    _no_axe_violations(page)
    page.locator("#stat-trend").scroll_into_view_if_needed()
    screenshot(page, f"reports-dashboard-trend-{lang[:2]}")
    page.locator("#scope-alerts").scroll_into_view_if_needed()
    screenshot(page, f"reports-dashboard-alerts-{lang[:2]}")

    run_mailer(portal_settings)
    subject = _alert_subject(mail_sink[0], email)
    assert ("红色预警" in subject) if lang.startswith("zh") else ("Watched competitor" in subject), subject
    page.context.close()
