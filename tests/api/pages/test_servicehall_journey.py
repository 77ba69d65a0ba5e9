"""The service hall in Chromium on a real portal (uvicorn + Celery worker with beat): a creator
applies for rights-protection assistance with an evidence file, the acceptor asks for more
material, the creator supplies it, the acceptor accepts, the handler handles, the reviewer reviews
and approves, the creator rates the service, and the supervision dashboard counts it; in Chinese
and in English, with axe-core on every page on the way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from core.settings import Settings
from tests.api.pages.conftest import ADMIN, REPO, axe_violations, new_page

PASSWORD = "correct horse battery"
ITEM = {"zh-CN": "维权援助", "en-GB": "Rights-protection assistance"}
DONE = {"zh-CN": "办件 {number}：已办结", "en-GB": "Application {number}: completed"}
# 20 working days promised, 17 of them in the steps' own limits
RESERVE = {"zh-CN": "其余 3 个工作日为退回重办预留", "en-GB": "the other 3 working days allow for work sent back"}
IDENTITY = {"zh-CN": "申请人身份证明", "en-GB": "Proof of the applicant's identity"}
ONE_EACH = {"zh-CN": "请为每项必交材料上传文件：申请人身份证明",  # the unmet one alone
            "en-GB": "Attach a file for each required material: Proof of the applicant's identity"}
DUTIES = {"zh-CN": "此申请由您审核，批准须由其他工作人员进行（知识产权维权援助中心实行审批分离）。",
          "en-GB": "You reviewed this application, so another member of staff approves it: the IP Protection "
                   "Assistance Centre separates duties."}
KEPT_NOTE = {"zh-CN": "您选择的文件已保留", "en-GB": "The files you chose are kept"}
KEPT = {"zh-CN": "已保留：evidence.png（27字节）", "en-GB": "kept: evidence.png (27 bytes)"}
KEPT_AS = {"zh-CN": "申请人身份证明：id-card.png", "en-GB": "Proof of the applicant's identity: id-card.png"}
EVIDENCE_AS = {"zh-CN": "侵权证据：evidence.png", "en-GB": "Evidence of the infringement: evidence.png"}
SHOTS = os.environ.get("IPC_SCREENSHOTS_DIR")


def _cli(settings: Settings, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IPC_")}
    env.update(IPC_DATA_DIR=str(settings.resolved_data_dir))
    done = subprocess.run([sys.executable, "-m", "api.cli", "hall", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def _person(browser: Browser, portal_url: str, lang: str, name: str) -> tuple[Page, str]:
    page = new_page(browser, lang)
    email = f"{name}-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(portal_url + "/signup")
    page.locator("#email").fill(email)
    page.locator("#display_name").fill(name)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button").last.click()
    return page, email


# How many lines the text inside an element takes (the distinct tops of its text's boxes).
LINES_OF_TEXT = """el => { const r = document.createRange(); r.selectNodeContents(el);
  return new Set(Array.from(r.getClientRects(), b => Math.round(b.top))).size; }"""


def _column_name(page: Page, table: str, i: int) -> str:
    return (page.locator(f"{table} thead th").nth(i).text_content() or "").strip()


def _clean(page: Page, name: str) -> None:
    assert axe_violations(page) == [], page.url
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


FORWARD = {"accept", "handle", "review", "approve"}


def _act(page: Page, portal_url: str, number: str, action: str, comment: str = "", result: str = "") -> None:
    page.goto(f"{portal_url}/service-hall/applications/{number}")
    if comment:
        page.locator("#comment").fill(comment)
    if result:
        page.locator("#result").fill(result)
    if action in FORWARD:  # the step's way on is its first button, wherever staff are in the flow
        expect(page.locator("#staff-actions button").first).to_have_attribute("value", action)
    with page.expect_navigation(url=re.compile(rf"notice={action}$")):  # says what this action did
        page.locator(f'#staff-actions button[value="{action}"]').click()
    expect(page.locator("p.notice")).not_to_be_empty()


def _figure(page: Page, portal_url: str, key: str) -> float:
    page.goto(portal_url + "/service-hall/dashboard")
    text = page.locator(f"#fig-{key}").inner_text()
    return float(text.replace(",", "").replace("%", "")) if text.strip() not in ("—", "") else 0.0


@pytest.mark.parametrize("lang", ["zh-CN", "en-GB"])
def test_rights_protection_from_application_to_rating(browser: Browser, portal_url: str, portal_settings: Settings,
                                                      lang: str) -> None:
    _cli(portal_settings, "seed")
    creator, _ = _person(browser, portal_url, lang, "creator")
    staff = {}
    for role in ("acceptor", "handler", "reviewer", "approver"):
        staff[role], email = _person(browser, portal_url, lang, role)
        # the reviewer may approve too, but not what they reviewed: the department separates duties
        roles = {"reviewer": ["reviewer", "approver"], "approver": ["approver", "head"]}.get(role, [role])
        _cli(portal_settings, "staff", email, "--department", "protection", *[f"--role={r}" for r in roles])
    finished = _figure(staff["approver"], portal_url, "completed")

    # the creator applies, with an evidence file
    creator.goto(portal_url + "/service-hall")
    _clean(creator, f"hall-home-{lang}")
    expect(creator.locator('a[href="/service-hall/work"]')).to_have_count(0)  # staff's links, for staff
    expect(creator.locator('a[href="/service-hall/dashboard"]')).to_have_count(0)
    creator.locator('a[href="/service-hall/apply/rights-protection"]').click()
    expect(creator.get_by_role("heading", level=1)).to_have_text(ITEM[lang])
    expect(creator.locator("dl.facts")).to_contain_text(RESERVE[lang])
    expect(creator.locator('label[for="material-0"]')).to_contain_text(IDENTITY[lang])  # a box per material
    expect(creator.locator("#f_details")).to_have_attribute("maxlength", "5000")  # as the service refuses beyond
    _clean(creator, f"hall-apply-{lang}")
    creator.locator("#f_subject").fill("Harbour Notes (CR-2026-000001)")
    creator.locator("#f_infringer").fill("Copycat Ltd <script>alert(1)</script>")
    creator.locator("#f_details").fill("They sell copies of my book.")
    evidence = {"name": "evidence.png", "mimeType": "image/png", "buffer": b"\x89PNG evidence of the copies"}
    creator.locator("#material-1").set_input_files([evidence])
    creator.locator("form.hall-form button[type=submit]").click()  # the identity's box left empty
    expect(creator.locator("#form-error")).to_contain_text(ONE_EACH[lang])
    # the browser never shows a chosen file again: the page keeps it, ticked under its box
    expect(creator.locator("#form-error")).to_contain_text(KEPT_NOTE[lang])
    expect(creator.locator("#f_infringer")).to_have_value("Copycat Ltd <script>alert(1)</script>")  # kept
    kept = creator.locator('input[name="kept_material_1"]')
    expect(kept).to_be_checked()
    expect(creator.locator(".kept-files label")).to_contain_text(KEPT[lang])  # after its material's name, unseen
    expect(creator.locator(".kept-files label .visually-hidden")).to_contain_text(EVIDENCE_AS[lang].split("：")[0]
                                                                                 .split(":")[0])
    expect(creator.locator("#material-0")).to_have_attribute("aria-invalid", "true")  # the box the refusal names
    expect(creator.locator("#material-1")).not_to_have_attribute("aria-invalid", "true")
    _clean(creator, f"hall-apply-kept-{lang}")
    creator.locator("#material-0").set_input_files([{"name": "id-card.png", "mimeType": "image/png",
                                                     "buffer": b"\x89PNG id"}])  # only what was missing
    with creator.expect_navigation(url=re.compile(r"/service-hall/applications/SH\d+")):
        creator.locator("form.hall-form button[type=submit]").click()
    number = creator.url.split("/")[-1].split("?")[0]
    expect(creator.locator("main")).to_contain_text("Copycat Ltd <script>alert(1)</script>")  # text, not markup
    expect(creator.locator("main")).to_contain_text("evidence.png")
    expect(creator.locator("#materials-h + ul")).to_contain_text(KEPT_AS[lang])
    expect(creator.locator("#materials-h + ul")).to_contain_text(EVIDENCE_AS[lang])  # the kept file, as labelled

    # the acceptor asks for more material; the creator supplies it
    staff["acceptor"].goto(portal_url + "/service-hall")
    staff["acceptor"].locator('a[href="/service-hall/work"]').click()
    expect(staff["acceptor"].locator("#worklist")).to_contain_text(number)
    _clean(staff["acceptor"], f"hall-work-{lang}")
    row = staff["acceptor"].locator("#worklist tbody tr", has_text=number)
    for cell in (1, 3):  # the number and the step on one line: they broke as "SH202600000 / 1", "Acceptanc / e"
        assert row.locator("td").nth(cell).evaluate(LINES_OF_TEXT) == 1, cell
    # what the officer may do leads to where it is done
    expect(row.locator("td").last.get_by_role("link")).to_have_attribute(
        "href", f"/service-hall/applications/{number}#staff-actions")
    staff["acceptor"].set_viewport_size({"width": 390, "height": 844})  # one card a row on a phone
    assert staff["acceptor"].evaluate("document.documentElement.scrollWidth") <= 390
    due = row.locator("td").nth(6)
    assert due.get_attribute("data-label") == _column_name(staff["acceptor"], "#worklist", 6)
    due.scroll_into_view_if_needed()
    expect(due).to_be_in_viewport()
    staff["acceptor"].set_viewport_size({"width": 1280, "height": 900})
    _act(staff["acceptor"], portal_url, number, "request_materials", comment="Please add the sales receipt.")
    creator.goto(f"{portal_url}/service-hall/applications/{number}")
    expect(creator.locator("#app-status .status-materials")).to_have_text("待补正" if lang == "zh-CN" else
                                                                        "awaiting materials")  # not its code
    expect(creator.locator("#supply-form #asked")).to_contain_text("Please add the sales receipt.")  # what is asked
    withdraw = creator.locator("#withdraw button[value=withdraw]")
    expect(withdraw).to_be_hidden()  # withdrawing for good takes a second, deliberate click
    creator.locator("#withdraw summary").click()
    expect(withdraw).to_be_visible()
    _clean(creator, f"hall-materials-{lang}")
    creator.locator("#supply-comment").fill("The receipt of a copy I bought.")
    creator.locator("#supply-files").set_input_files([{"name": "receipt.pdf", "mimeType": "application/pdf",
                                                       "buffer": b"%PDF-1.4 receipt"}])
    with creator.expect_navigation(url=re.compile(r"notice=supplied")):
        creator.locator("#supply-form button[type=submit]").click()
    expect(creator.locator("main")).to_contain_text("receipt.pdf")

    # accepted, handled, reviewed and approved; rejecting is named for its step (驳回 said neither)
    zh = lang == "zh-CN"
    acceptor = staff["acceptor"]
    acceptor.goto(f"{portal_url}/service-hall/applications/{number}")
    reject = acceptor.locator('#staff-actions button[value="reject"]')
    expect(reject).to_have_text("不予受理" if zh else "Refuse to accept")
    expect(acceptor.locator('label[for="comment"]')).to_have_text(
        "意见（要求补正、不予受理时必填）" if zh else "Comment (required for: Request materials, Refuse to accept)")
    asked: list[str] = []  # refusing cannot be undone: the button asks first (it acted on one click)
    acceptor.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    reject.click()  # without a comment: refused, and named as the button is
    expect(acceptor.locator("main")).to_contain_text("请说明理由（“不予受理”需要填写意见）" if zh else
                                                     "Say why (“refuse to accept” needs a comment)")
    assert asked == [f"不予受理：申请 {number}。此操作不可撤销，申请人会看到您填写的理由作为办理结果。是否继续？"
                     if zh else
                     f"Refuse to accept: application {number}. This cannot be undone: the applicant reads your "
                     "reasons as its result. Go on?"]
    _act(acceptor, portal_url, number, "accept")
    _act(staff["handler"], portal_url, number, "handle", comment="Evidence is sufficient; send a warning letter.")
    _act(staff["reviewer"], portal_url, number, "review")
    staff["reviewer"].goto(f"{portal_url}/service-hall/applications/{number}")
    expect(staff["reviewer"].locator("#duties-note")).to_have_text(DUTIES[lang])  # no buttons, and why
    expect(staff["reviewer"].locator("#staff-actions")).to_have_count(0)
    _clean(staff["reviewer"], f"hall-duties-{lang}")
    approver = staff["approver"]
    approver.goto(f"{portal_url}/service-hall/applications/{number}")
    # the handler's opinion is the office's own: staff read it marked so, the applicant never
    expect(approver.locator("#trail")).to_contain_text(
        "Evidence is sufficient; send a warning letter. " + ("（内部意见，申请人不可见）" if zh else
                                                              "(internal: not shown to the applicant)"))
    expect(approver.locator("#comment-hint")).to_have_text(
        "不予批准时，申请人会看到您的意见。批准、退回的意见仅本部门可见。" if zh else
        "The applicant reads your comment when you choose Refuse approval. "
        "A comment when you choose Approve or Send back stays within the office.")
    # staff find their way back to the worklist (the trail offered only "my applications")
    assert approver.locator('p.crumbs a[href="/service-hall/work"]').count() == 1
    _clean(approver, f"hall-approve-{lang}")
    expect(approver.locator('#staff-actions button[value="reject"]')).to_have_text(
        "不予批准" if zh else "Refuse approval")
    _act(approver, portal_url, number, "approve", result="A warning letter was sent to Copycat Ltd.")

    # the creator sees every step and rates the service
    creator.goto(f"{portal_url}/service-hall/applications/{number}")
    assert creator.locator('p.crumbs a[href="/service-hall/work"]').count() == 0  # not staff
    expect(creator.locator("#app-status .status-completed")).to_be_visible()
    expect(creator.locator(".hall-steps li").last).to_have_text("办结" if zh else "Completed")
    expect(creator.locator("#trail tbody tr").first.locator("td").nth(1)).to_have_text(
        "提交申请" if zh else "Submit the application")  # what was done, in words (it read "apply")
    assert creator.locator("#trail tbody tr").count() == 7  # apply, 补正 asked and supplied, four steps
    expect(creator.locator("#trail")).to_contain_text("Please add the sales receipt.")  # the 补正 was theirs
    expect(creator.locator("#trail")).not_to_contain_text("Evidence is sufficient")
    creator.locator("#sat-very_satisfied").check()
    creator.locator("#rate-comment").fill("Quick and clear.")
    with creator.expect_navigation(url=re.compile(r"notice=rated")):
        creator.locator("#rate-form button[type=submit]").click()
    expect(creator.locator("#app-rating")).to_contain_text("Quick and clear.")
    _clean(creator, f"hall-done-{lang}")

    # each step reached the inbox, in the reader's language, and opens the application
    creator.goto(portal_url + "/inbox")
    expect(creator.locator("main")).to_contain_text(DONE[lang].format(number=number))
    _clean(creator, f"hall-inbox-{lang}")
    with creator.expect_navigation(url=re.compile(rf"/service-hall/applications/{number}$")):
        creator.locator(f'a[href="/service-hall/applications/{number}"]').first.click()
    expect(creator.locator("#app-status .status-completed")).to_be_visible()

    # on a phone the trail and "my applications" read as one card a row, each cell under its column's
    # name: the comment and the due date were past the screen's edge
    creator.set_viewport_size({"width": 390, "height": 844})
    comment = creator.locator("#trail tbody tr td").nth(4)
    assert comment.get_attribute("data-label") == _column_name(creator, "#trail", 4)
    comment.scroll_into_view_if_needed()
    expect(comment).to_be_in_viewport()  # scrolled down to, not sideways
    assert creator.evaluate("document.documentElement.scrollWidth") <= 390
    # each line of a value stands beside its column's name: a time's second line, "(UTC+8)", and a
    # long comment's ran on under the name
    for cell in creator.locator("#trail tbody td[data-label]").all():
        starts, name_ends = cell.evaluate("""td => {
            const range = document.createRange(); range.selectNodeContents(td);
            const left = td.getBoundingClientRect().left, name = getComputedStyle(td, "::before");
            const padding = parseFloat(getComputedStyle(td).paddingLeft);
            return [[...range.getClientRects()].map(r => r.left - left),
                    parseFloat(name.width) + parseFloat(name.marginLeft) + padding];
        }""")
        assert starts and min(starts) >= name_ends - 1, (cell.inner_text(), starts, name_ends)
    creator.goto(portal_url + "/service-hall/mine")
    due = creator.locator("#my-applications tbody tr").first.locator("td").nth(4)
    assert due.get_attribute("data-label") == _column_name(creator, "#my-applications", 4)
    box = due.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    _clean(creator, f"hall-mine-phone-{lang}")

    # the dashboard counts it
    assert _figure(approver, portal_url, "completed") == finished + 1
    expect(approver.locator("#by-service")).to_contain_text(ITEM[lang])
    assert approver.locator("[data-chart] canvas").count() >= 1  # ECharts drew the charts
    _clean(approver, f"hall-dashboard-{lang}")
    for page in (creator, *staff.values()):
        page.context.close()


def test_an_admin_gives_a_department_role_in_the_browser(browser: Browser, portal_url: str,
                                                         portal_settings: Settings, admin_token: str) -> None:
    _cli(portal_settings, "seed")
    person, email = _person(browser, portal_url, "zh-CN", "newstaff")
    admin = new_page(browser, "zh-CN")
    admin.goto(portal_url + "/login")
    admin.locator("#email").fill(ADMIN[0])
    admin.locator("#password").fill(ADMIN[1])
    with admin.expect_navigation():
        admin.locator("form button").last.click()
    # the staff page is found from the admin console and from the hall, not by typing its address
    admin.goto(portal_url + "/admin")
    expect(admin.locator('main a[href="/service-hall/staff"]')).to_have_text("办事大厅工作人员")
    admin.goto(portal_url + "/service-hall")
    with admin.expect_navigation(url=re.compile(r"/service-hall/staff$")):
        admin.locator('.hall-actions a[href="/service-hall/staff"]').click()
    admin.locator("#staff-email").fill(email)
    admin.locator("#staff-department").select_option("protection")
    admin.locator("#staff-role").select_option("handler")
    with admin.expect_navigation(url=re.compile(r"notice=staffed")):
        admin.locator("#staff-form button[type=submit]").click()
    expect(admin.locator("#staff")).to_contain_text(email)
    _clean(admin, "hall-staff-zh-CN")
    person.goto(portal_url + "/service-hall/work")  # the worklist opens for the new handler
    expect(person.locator("h1")).to_be_visible()
    assert person.url.endswith("/service-hall/work")
    for page in (person, admin):
        page.context.close()
