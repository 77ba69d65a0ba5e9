"""The Content-Security-Policy in Chromium: the portal's pages (search, an industry dashboard and the
copyright statistics, with ECharts charts, the registration wizard, the verifier, /docs and
/redoc) run with no violation reported, and the charts still draw; an inline script slipped into a
page is refused (so the listener does hear violations)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, ConsoleMessage, expect
from playwright.sync_api import Page as BrowserPage

from tests.api.pages.conftest import new_page, sign_up_in_browser

# Registered before any page script runs: every violation the page reports is kept on window.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile);
});
"""


class Violations:
    """What the page reported (securitypolicyviolation events) and what Chromium logged."""

    def __init__(self, page: BrowserPage) -> None:
        self.page = page
        self.console: list[str] = []
        page.context.add_init_script(LISTEN)
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def found(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations || []")) + self.console


def _charts_draw(page: BrowserPage) -> None:
    canvas = page.locator("[data-chart] canvas").first
    expect(canvas).to_be_visible()
    canvas.hover()  # the tooltip is HTML ECharts writes with style attributes
    page.mouse.move(5, 5)


def test_pages_run_under_the_policy(browser: Browser, portal_url: str) -> None:
    page = new_page(browser)
    heard = Violations(page)
    page.goto(f"{portal_url}/?q=TI%3D(apparatus)")
    page.locator("details:has(#builder) summary").click()
    page.locator("#builder [name=b_words]").first.fill("lamp")
    page.locator("#builder [name=b_words]").first.press("Enter")  # the builder form is not sent
    expect(page).to_have_url(re.compile(r"q=TI%3D\(apparatus\)"))
    page.goto(f"{portal_url}/reports/industries/led")
    expect(page.locator("[data-report-trend] canvas")).to_be_visible()
    _charts_draw(page)
    page.goto(f"{portal_url}/copyright/stats")  # no registrations yet: its tables, no charts
    page.goto(f"{portal_url}/regions")
    page.goto(f"{portal_url}/copyright/verify")
    page.wait_for_load_state("networkidle")
    sign_up_in_browser(page, portal_url, "csp")
    page.goto(f"{portal_url}/copyright/register")
    page.wait_for_load_state("networkidle")
    page.goto(f"{portal_url}/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("IP Commons", timeout=20_000)
    page.goto(f"{portal_url}/redoc")
    expect(page.locator("h1").first).to_contain_text("IP Commons", timeout=20_000)
    page.wait_for_load_state("networkidle")
    assert heard.found() == []
    page.context.close()


def test_an_inline_script_is_refused(browser: Browser, portal_url: str) -> None:
    page = new_page(browser)
    heard = Violations(page)
    page.goto(f"{portal_url}/")
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.__ran = true"; document.body.append(s); }""")
    page.wait_for_function("window.__cspViolations.length > 0")  # the event is queued as a task
    assert page.evaluate("window.__ran === true") is False
    assert any(v.startswith("script-src") for v in heard.found())
    page.context.close()
