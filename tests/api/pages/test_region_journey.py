"""A government user in Chromium opens Guangdong's regional page: finds the province by any of its
names, reads its cities and key companies, goes down to Shenzhen and back, and (signed in)
requests the region's own report in Chinese, and compares the province with Beijing. A name that
is no region is said so in the form.
axe-core finds no serious or critical violation, in Chinese and in English. The portal's corpus is
SYNTHETIC (its Chinese owners are in Shenzhen, Guangzhou and Beijing)."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Browser, expect
from playwright.sync_api import Page as BrowserPage

from tests.api.pages.conftest import axe_violations, new_page, screenshot, sign_up_in_browser


def _no_axe_violations(page: BrowserPage) -> None:
    assert axe_violations(page) == []


def _find(page: BrowserPage, portal_url: str, typed: str) -> None:
    page.goto(f"{portal_url}/regions")
    page.locator("#r-name").fill(typed)
    page.locator("form[role=search] button").click()


@pytest.mark.parametrize("lang,typed,province,city,based_here", [
    ("zh-CN", "广东省", "广东省", "深圳市", "本地申请人"),
    ("en-GB", "Guangdong", "Guangdong", "Shenzhen", "Applicants based here")])
def test_a_government_user_opens_guangdongs_regional_page(browser: Browser, portal_url: str, lang: str, typed: str,
                                                          province: str, city: str, based_here: str) -> None:
    page = new_page(browser, lang)
    page.goto(f"{portal_url}/regions")
    expect(page.locator("#provinces-table")).to_contain_text(province)
    # the overview counts owners placed in the province, not every applicant as a region's page does
    expect(page.locator("#provinces-table thead")).to_contain_text(based_here)
    expect(page.locator('[data-chart="provinces"] canvas')).to_be_visible()
    _no_axe_violations(page)
    screenshot(page, f"regions-{lang[:2]}")

    _find(page, portal_url, typed)
    expect(page).to_have_url(re.compile(r"/regions/440000$"))
    expect(page.locator("h1")).to_contain_text(province)
    expect(page.locator("#cities-table")).to_contain_text(city)
    expect(page.locator("#cities-table thead")).to_contain_text(based_here)
    expect(page.locator('[data-chart="cities"] canvas')).to_be_visible()
    companies = page.locator("#key-companies")
    expect(companies).to_contain_text("Aurora Lighting Co., Ltd.")  # as printed
    expect(companies).to_contain_text("Pearl River Display Co., Ltd.")
    expect(companies).not_to_contain_text("Huaxin")  # a Beijing company
    _no_axe_violations(page)
    screenshot(page, f"region-guangdong-{lang[:2]}")

    page.locator("#f-from").fill("2012")
    page.locator("#f-to").fill("2020")
    page.locator("form.filters button").click()
    expect(page).to_have_url(re.compile(r"/regions/440000\?from=2012&to=2020"))
    years = [int(t.split()[0]) for t in page.locator("#trend-table tbody td:first-child").all_text_contents()]
    assert years and min(years) >= 2012 and max(years) <= 2020

    page.locator("#stat-cities summary").click()  # the table folds once the chart is drawn
    page.locator("#cities-table a", has_text=city).click()
    expect(page).to_have_url(re.compile(r"/regions/440300$"))
    expect(page.locator("h1")).to_contain_text(city)
    expect(page.locator("#key-companies")).to_contain_text("Aurora Lighting Co., Ltd.")
    page.locator(".crumbs a", has_text=province).click()
    expect(page).to_have_url(re.compile(r"/regions/440000$"))

    # compared with Beijing: a line per region, the table beside it
    page.get_by_role("link", name=re.compile("与其他地区对比|Compare with other regions")).click()
    expect(page.locator("#r-0")).to_have_value(province)  # by its name, another asked for
    expect(page.get_by_role("alert")).to_have_count(0)
    page.locator("#r-1").fill("北京" if lang == "zh-CN" else "Beijing")
    page.locator("form.filters button").click()
    expect(page.locator("#compare-totals tbody tr")).to_have_count(2)
    expect(page.locator("#compare-totals")).to_contain_text(province)
    expect(page.locator("[data-compare-chart] canvas")).to_be_visible()
    _no_axe_violations(page)
    screenshot(page, f"regions-compare-{lang[:2]}")


@pytest.mark.parametrize("lang,said", [("zh-CN", "未知地区“Atlantis”"), ("en-GB", "Unknown region 'Atlantis'")])
def test_a_name_that_is_no_region_is_said_so_in_the_form(browser: Browser, portal_url: str, lang: str,
                                                          said: str) -> None:
    page = new_page(browser, lang)
    _find(page, portal_url, "Atlantis")
    expect(page.locator("#region-error")).to_contain_text(said)
    expect(page.locator("#r-name")).to_have_value("Atlantis")
    expect(page.locator("#r-name")).to_have_attribute("aria-invalid", "true")
    _no_axe_violations(page)
    _find(page, portal_url, "Suzhou")  # two Suzhous: the form asks for the province
    expect(page.locator("#region-error")).to_contain_text("320500")
    for path, status in (("/regions/Atlantis", 404), ("/regions/999999", 404), ("/regions/广东?from=2020&to=2010", 422),
                         ("/regions/440000?counting=nonsense", 422), ("/regions?name=" + "x" * 61, 422)):
        assert httpx.get(portal_url + path, follow_redirects=True).status_code == status, path
    assert httpx.get(portal_url + "/regions/Guangdong?from=2012").headers.get("location") == "/regions/440000?from=2012"


def test_a_signed_in_user_requests_the_regions_report_in_chinese(browser: Browser, portal_url: str) -> None:
    page = new_page(browser, "zh-CN")
    sign_up_in_browser(page, portal_url, "official", domain="example.gov.cn")
    page.goto(f"{portal_url}/regions/440000")
    page.locator('#request-report input[name="lang"][value="zh"]').check()
    page.locator("#request-button").click()
    expect(page).to_have_url(re.compile(r"/reports/archive/\d+\?open=pdf"))
    expect(page.locator("#open-report")).to_be_visible(timeout=180_000)
    report = page.url.split("?")[0]
    pdf = page.context.request.get(report + "/report.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    page.goto(report + "/report.html")
    expect(page.locator("body")).to_contain_text("广东省")
    expect(page.locator("body")).to_contain_text("深圳市")
