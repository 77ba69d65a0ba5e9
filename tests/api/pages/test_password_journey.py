"""A forgotten password in Chromium, in Chinese: the login page's link, the form, the mail in a real
SMTP server, the link, the new password, and logging in with it (axe-core on each page)."""

from __future__ import annotations

import re
from email.header import decode_header, make_header

from playwright.sync_api import Browser, expect

from tests.api.pages.conftest import (
    BROWSER_PASSWORD,
    MailSink,
    axe_violations,
    new_page,
    screenshot,
    sign_up_in_browser,
    wait_for_mail,
)

NEW_PASSWORD = "一个新的密码 2026"


def test_a_forgotten_password_in_chinese(browser: Browser, portal_url: str, mail_sink: tuple[MailSink, int]) -> None:
    page = new_page(browser, "zh-CN")
    email = sign_up_in_browser(page, portal_url, "forgetful")
    page.get_by_role("button", name="退出").click()
    page.goto(f"{portal_url}/login")
    page.get_by_role("link", name="忘记密码？").click()
    expect(page).to_have_url(re.compile(r"/password/forgot"))
    assert axe_violations(page) == []
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_role("button", name="发送链接").click()
    expect(page.get_by_role("status")).to_contain_text(f"如果 {email} 是某个账号的邮箱")
    screenshot(page, "password-sent-zh")

    mail = wait_for_mail(mail_sink[0], email)[-1]
    assert str(make_header(decode_header(mail["Subject"]))) == "【知识产权公共服务平台】重设密码"
    payload = mail.get_payload(decode=True)
    assert isinstance(payload, bytes)
    link = re.search(r"(/password/reset#token=\S+)", payload.decode())
    assert link, payload
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(portal_url + link.group(1))
    expect(page.get_by_role("heading", name="设置新密码")).to_be_visible()
    expect(page).to_have_url(f"{portal_url}/password/reset")  # the token is off the address bar
    token = link.group(1).split("#token=")[1]
    assert not any(token in url for url in requests)  # and was never sent in an address
    assert axe_violations(page) == []
    # ten UTF-16 units pass the browser's minlength, five characters not the server's: refused, the form
    # stays to try again (the page came back without the token in its address, and hid the form)
    page.get_by_label("新密码（至少 10 个字符）").fill("😀😀😀😀😀")
    page.get_by_role("button", name="设置密码").click()
    expect(page.get_by_role("alert").first).to_contain_text("10")
    expect(page.locator("[data-no-token]")).to_be_hidden()
    expect(page.locator("#password")).to_be_focused()  # the refused field, once the script shows the form
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("新密码（至少 10 个字符）").fill(NEW_PASSWORD)
    page.get_by_role("button", name="设置密码").click()
    expect(page.get_by_role("status")).to_contain_text("新密码已设置，请用它登录。")

    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(BROWSER_PASSWORD)  # the old one no longer works
    page.locator("main form button").first.click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("密码").fill(NEW_PASSWORD)
    page.locator("main form button").first.click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()

    page.goto("about:blank")
    page.goto(portal_url + link.group(1))  # the link is spent: said at once, with no form to fill in first
    expect(page.get_by_role("alert")).to_contain_text("链接已过期或已使用过")
    expect(page.get_by_role("link", name="重新申请一个")).to_be_visible()
    expect(page.locator('form[action="/password/reset"]')).to_be_hidden()
    expect(page).to_have_url(f"{portal_url}/password/reset")  # the token is off the address bar again
    page.context.close()


def test_the_reset_page_without_its_link_says_where_to_get_one(browser: Browser, portal_url: str) -> None:
    page = new_page(browser, "zh-CN")
    for address in ("/password/reset", "/password/reset#token=garbage"):
        page.goto("about:blank")  # a link from a mail opens the page afresh, not as a jump within it
        page.goto(portal_url + address)
        expect(page.get_by_role("alert")).to_contain_text("请从我们发给您的邮件中的链接打开此页面。")
        expect(page.locator('form[action="/password/reset"]')).to_be_hidden()  # no form that cannot work
        expect(page).to_have_url(f"{portal_url}/password/reset")
    page.context.close()
