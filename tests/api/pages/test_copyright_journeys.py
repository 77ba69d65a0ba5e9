"""Creators in Chromium on a real portal (uvicorn + Celery worker): register an image by upload and
a text hash-only (the text never leaves the browser), download the PDF certificate, open the URL it
points to, verify in the browser with the right file and with four kinds of tampering (each fails at
the step the CLI names), license the work to a second person who accepts, and find the licence on
both people's pages and in the chain of title. Then every copyright page in Chinese, with axe-core."""

from __future__ import annotations

import base64
import copy
import hashlib
import io
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect

from copyright.models import WorkType
from copyright.registry import WorkIn, certificate, hash_stream, register
from core.accounts.service import create_user
from core.db import session_scope
from core.settings import Settings
from tests.api.pages.conftest import REPO, axe_violations, new_page, screenshot
from tests.copyright.media import picture
from tests.databases import migrated

PASSWORD = "correct horse battery"
STEP = re.compile(r"failed at step '([^']+)'")
PLAIN_WORDS = {"statement signature": "The certificate's contents were changed, or this platform did not issue it.",
               "inclusion proof": "it was changed, or belongs to another log."}


def _sign_up(page: Page, portal_url: str, name: str) -> str:
    email = f"cr-{uuid.uuid4().hex[:8]}@example.org"
    page.goto(portal_url + "/signup")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Display name").fill(name)
    page.get_by_label(re.compile("^Password")).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Create account").click()
    return email


def _no_axe_violations(page: Page) -> None:
    assert axe_violations(page) == [], page.url


def _posted_bodies(page: Page) -> list[tuple[str, bytes]]:
    """(resource type, body) of every POST the page sends from now on. Read where the request is
    routed: Chromium hands multipart file bodies to Playwright only there."""
    sent: list[tuple[str, bytes]] = []

    def keep(route: Route) -> None:
        if route.request.method == "POST":
            sent.append((route.request.resource_type, route.request.post_data_buffer or b""))
        route.continue_()

    page.route("**/*", keep)
    return sent


def _fill_work(page: Page, kind: str, title: str) -> None:
    page.get_by_label("Type of work").select_option(kind)
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Authors (one per line, optional)").fill("Li Hua")


def _register_upload(page: Page, portal_url: str, image: bytes) -> str:
    page.goto(portal_url + "/copyright/register")
    _no_axe_violations(page)
    _fill_work(page, "photographic", "Sunrise over Erhai 洱海日出")
    screenshot(page, "copyright-register")
    sent = _posted_bodies(page)
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "erhai.png", "mimeType": "image/png", "buffer": image}])
    with page.expect_navigation(url=re.compile(r"/copyright/records/CR-")):
        page.get_by_role("button", name="Register").click()
    assert [(kind, image in body) for kind, body in sent] == [("xhr", True)]  # sent once, with a progress bar
    page.unroute("**/*")
    return page.url.split("/copyright/records/")[1].split("?")[0]


def _register_hash_only(page: Page, portal_url: str, text: bytes) -> str:
    page.goto(portal_url + "/copyright/register")
    _fill_work(page, "written", "Notes from the harbour")
    page.get_by_role("radio", name=re.compile("Hash only")).check()
    sent = _posted_bodies(page)
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": text}])
    expect(page.get_by_label(re.compile("^SHA-256 of the file"))).to_have_value(hashlib.sha256(text).hexdigest())
    with page.expect_navigation(url=re.compile(r"/copyright/records/CR-")):
        page.get_by_role("button", name="Register").click()
    assert len(sent) == 1 and hashlib.sha256(text).hexdigest().encode() in sent[0][1]  # the form, with the hash
    assert not [body for _, body in sent if text[:64] in body]  # and never the file
    page.unroute("**/*")
    expect(page.locator("[data-sha256]")).to_have_text(hashlib.sha256(text).hexdigest())
    expect(page.get_by_text("Hash only: the file was never sent to the platform.")).to_be_visible()
    return page.url.split("/copyright/records/")[1].split("?")[0]


def _download_pdf_and_read_its_url(page: Page, number: str, folder: Path) -> str:
    with page.expect_download(timeout=90_000) as download:
        page.get_by_role("link", name="Certificate (PDF)").click()  # a wait page refreshes until it is ready
    pdf = folder / f"{number}.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"scan the code:\s*(\S+)", text.replace("-\n", "").replace("\n", ""))
    assert found is not None, text
    return found.group(1)


def _verify(page: Page, file: bytes | None, certificate_file: Path | None = None) -> tuple[bool, str | None]:
    """Run the record page's verifier; (valid, the failed step's name)."""
    box = page.locator("[data-verifier]")
    if file is not None:
        box.locator('[data-verifier-input="file"]').set_input_files(
            files=[{"name": "work.bin", "mimeType": "application/octet-stream", "buffer": file}])
    if certificate_file is not None:
        box.locator('[data-verifier-input="certificate"]').set_input_files(str(certificate_file))
    box.get_by_role("button", name="Verify").click()
    result = box.locator('[role="status"][data-valid]')
    expect(result).to_have_count(1, timeout=30_000)
    failed = box.locator('li[data-status="failed"]')
    step = failed.first.get_attribute("data-step") if failed.count() else None
    return result.get_attribute("data-valid") == "true", step


def _cli_step(cert: Path, keys: Path, file: Path | None) -> str | None:
    argv = [sys.executable, "-m", "api.cli", "copyright", "verify", str(cert), *([str(file)] if file else []),
            "--keys", str(keys)]
    done = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120)
    if done.returncode == 0:
        return None
    found = STEP.search(done.stdout + done.stderr)
    assert done.returncode == 1 and found is not None, done.stdout + done.stderr
    return found.group(1)


def _foreign_certificate(tmp_path: Path, data: bytes) -> dict[str, Any]:
    """A certificate from another registry, signed with a key this portal never published."""
    settings = Settings(data_dir=tmp_path / "elsewhere", database_url=None, elasticsearch_url=None,
                        broker_url=None, redis_url=None)
    migrated(settings.effective_database_url)
    with session_scope(settings.effective_database_url) as session:
        owner = create_user(session, "someone@elsewhere.example", "a long password 123")
        reg = register(session, settings, owner, WorkIn(title="Elsewhere", work_type=WorkType.photographic),
                       hash_stream(io.BytesIO(data), settings.max_upload_bytes), hash_only=True)
        session.flush()
        return certificate(session, settings, reg)


def _tampered(cert: dict[str, Any], change: str, other: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(cert)
    if change == "flipped proof byte":
        raw = bytearray(base64.b64decode(bad["log"]["inclusion_proof"][0]))
        raw[0] ^= 1
        bad["log"]["inclusion_proof"][0] = base64.b64encode(bytes(raw)).decode()
    elif change == "swapped checkpoint":
        bad["log"]["checkpoint"] = other["log"]["checkpoint"]  # a real checkpoint, of another size
    return bad


def test_register_prove_verify_and_license_in_the_browser(browser: Browser, portal_url: str,
                                                          tmp_path: Path) -> None:
    owner = new_page(browser)
    _sign_up(owner, portal_url, "Li Hua")
    image, text = picture(uuid.uuid4().int % 10_000), f"notes {uuid.uuid4()} 港口笔记\n".encode() * 20_000
    number = _register_upload(owner, portal_url, image)
    _no_axe_violations(owner)
    screenshot(owner, "copyright-record")
    first = httpx.get(f"{portal_url}/api/v1/copyright/registrations/{number}/certificate").json()
    text_number = _register_hash_only(owner, portal_url, text)
    second = httpx.get(f"{portal_url}/api/v1/copyright/registrations/{text_number}/certificate").json()
    assert second["log"]["tree_size"] == first["log"]["tree_size"] + 1  # two checkpoints, two sizes
    assert second["log"]["inclusion_proof"]  # index 1 or more: a proof to spoil

    owner.goto(f"{portal_url}/copyright/records/{number}")
    qr_url = _download_pdf_and_read_its_url(owner, number, tmp_path)
    assert qr_url == f"{portal_url}/copyright/records/{number}"  # IPC_PUBLIC_URL, not the API's JSON

    visitor = new_page(browser)
    visitor.goto(qr_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Sunrise over Erhai 洱海日出")
    _no_axe_violations(visitor)
    assert _verify(visitor, image) == (True, None)
    expect(visitor.locator('li[data-status="passed"]')).to_have_count(5)  # format, file, signature, checkpoint, proof
    visitor.locator("[data-verifier]").scroll_into_view_if_needed()
    screenshot(visitor, "copyright-verified")

    keys = tmp_path / "keys.json"
    keys.write_text(httpx.get(f"{portal_url}/.well-known/ipcommons-keys.json").text)
    cases: dict[str, tuple[dict[str, Any], bytes, str]] = {  # certificate, file, the step that fails
        "altered file": (first, image + b"\0", "file hash"),
        "flipped proof byte": (_tampered(second, "flipped proof byte", first), text, "inclusion proof"),
        "swapped checkpoint": (_tampered(first, "swapped checkpoint", second), image, "checkpoint signature"),
        "unknown key": (_foreign_certificate(tmp_path, image), image, "statement signature"),
    }
    for name, (shown, data, step) in cases.items():
        stem = tmp_path / name.replace(" ", "-")
        cert_file, work_file = stem.with_suffix(".json"), stem.with_suffix(".bin")
        cert_file.write_text(json.dumps(shown))
        work_file.write_bytes(data)
        assert _verify(visitor, data, cert_file) == (False, step), name
        assert _cli_step(cert_file, keys, work_file) == step, name
        if step in PLAIN_WORDS:  # the failed step's name, then what it means (a newcomer read only "签名失败")
            expect(visitor.locator('[data-verifier] [role="status"]')).to_contain_text(PLAIN_WORDS[step])
    visitor.context.close()

    licensee = new_page(browser)
    licensee_email = _sign_up(licensee, portal_url, "Wang Fang")
    owner.goto(f"{portal_url}/copyright/records/{number}")
    offer = owner.locator("#offer-form")  # the transfer form below it lists the same rights
    offer.get_by_label("Licensee's e-mail").fill(licensee_email)
    offer.get_by_label("Reproduction", exact=True).check()
    offer.get_by_label("Communication over information networks").check()
    offer.get_by_label("Media").fill("online galleries")
    offer.get_by_label("Fee (private to the two parties)").fill("CNY 3,000")
    with owner.expect_navigation():
        offer.get_by_role("button", name="Offer the licence").click()
    expect(owner.get_by_role("status").first).to_contain_text("The licence is offered.")
    _no_axe_violations(owner)

    licensee.goto(portal_url + "/inbox")
    offered = "Li Hua offers you a licence to “Sunrise over Erhai 洱海日出”"  # exact: not its "Mark as read" button
    expect(licensee.get_by_text(offered, exact=True)).to_be_visible()
    licensee.get_by_role("link", name="Answer the offer").click()
    _no_axe_violations(licensee)
    with licensee.expect_navigation():
        licensee.get_by_role("button", name="Accept").click()
    row = licensee.locator("tr[data-offer]")
    expect(row).to_contain_text("Accepted")
    expect(row).to_contain_text("CNY 3,000")
    expect(row.get_by_role("link", name="Licence document (PDF)")).to_be_visible()

    owner.goto(f"{portal_url}/copyright/records/{number}")
    expect(owner.locator("#licences")).to_contain_text("Li Hua → Wang Fang")
    expect(owner.locator("#licences")).to_contain_text("CNY 3,000")
    expect(owner.locator('#chain li[data-entry-type="licence"]')).to_have_count(1)
    screenshot(owner, "copyright-licensed")
    owner.goto(portal_url + "/copyright/mine")
    expect(owner.locator('section[aria-labelledby="works-h"] tr', has_text=number)).to_contain_text("1")
    expect(owner.locator('section[aria-labelledby="offered-h"] tr[data-offer]')).to_contain_text("Accepted")
    screenshot(owner, "copyright-mine")
    _no_axe_violations(owner)
    owner.context.close()
    licensee.context.close()


@pytest.mark.parametrize("path", ["/copyright", "/copyright/register", "/copyright/mine", "/copyright/verify",
                                  "/copyright/works", "/copyright/stats"])
def test_copyright_pages_in_chinese_pass_axe(browser: Browser, portal_url: str, path: str) -> None:
    page = new_page(browser, "zh-CN")
    _sign_up_zh(page, portal_url)
    page.goto(portal_url + path)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    heading = page.get_by_role("heading", level=1).inner_text()
    assert re.search("[\u4e00-\u9fff]", heading) and not re.search("[A-Za-z]{4}", heading), heading
    _no_axe_violations(page)
    page.context.close()


def _sign_up_zh(page: Page, portal_url: str) -> None:
    page.goto(portal_url + "/signup")
    page.locator("#email").fill(f"zh-{uuid.uuid4().hex[:8]}@example.org")
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button").last.click()


def test_a_record_and_its_verifier_in_chinese_pass_axe(browser: Browser, portal_url: str) -> None:
    page = new_page(browser, "zh-CN")
    _sign_up_zh(page, portal_url)
    page.goto(portal_url + "/copyright/register")
    page.locator("#w-type").select_option("written")
    page.locator("#w-title").fill("港口笔记（测试）")
    page.get_by_role("radio", name=re.compile("仅哈希")).check()
    page.locator("#w-sha256").fill(hashlib.sha256(uuid.uuid4().bytes).hexdigest())
    with page.expect_navigation(url=re.compile(r"/copyright/records/CR-")):
        page.locator("#w-submit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("港口笔记（测试）")
    expect(page.locator("main")).to_contain_text("仅哈希登记：文件从未发送给平台。")
    page.locator("[data-verifier]").get_by_role("button", name="核验").click()
    expect(page.locator('[data-verifier] [role="status"][data-valid="true"]')).to_contain_text("尚未核验文件")
    _no_axe_violations(page)
    page.context.close()


def test_the_wizard_catches_dates_out_of_order_before_the_file_is_sent(browser: Browser, portal_url: str) -> None:
    """A date the server refuses sent the form and its upload back without the file, which had to
    be chosen again, once for each mistake; the browser now says what is wrong, in Chinese, first."""
    page = new_page(browser, "zh-CN")
    _sign_up_zh(page, portal_url)
    page.goto(portal_url + "/copyright/register")
    page.locator("#w-type").select_option("photographic")
    page.locator("#w-title").fill("洱海日出（测试）")
    sent = _posted_bodies(page)
    page.locator("#w-file").set_input_files(files=[{"name": "erhai.png", "mimeType": "image/png",
                                                    "buffer": picture(11)}])
    page.locator("#w-completed").fill("2024-05-01")
    page.locator("#w-pubdate").fill("2024-04-01")
    page.locator("#w-submit").click()
    assert page.locator("#w-pubdate").evaluate("e => e.validationMessage") == "首次发表日期早于创作完成日期"
    page.locator("#w-pubdate").fill("2024-06-01")
    page.locator("#w-submit").click()
    assert page.locator("#w-published").evaluate("e => e.validationMessage") == (
        "首次发表日期或地点仅适用于已发表的作品：请勾选“作品已发表”")
    page.locator("#w-completed").fill("2999-01-01")
    page.locator("#w-submit").click()
    assert page.locator("#w-completed").evaluate("e => e.validationMessage") == "创作完成日期不能晚于今天"
    assert sent == []  # nothing was sent, so the chosen file is still there
    page.locator("#w-completed").fill("2024-05-01")
    page.locator("#w-pubdate").fill("")
    page.locator("#w-published").check()
    page.locator("#w-submit").click()
    assert page.locator("#w-pubdate").evaluate("e => e.validationMessage") == "已发表的作品须填写首次发表日期"
    page.locator("#w-pubdate").fill("2024-06-01")
    with page.expect_navigation(url=re.compile(r"/copyright/records/CR-")):
        page.locator("#w-submit").click()
    number = page.url.split("/copyright/records/")[1].split("?")[0]
    page.unroute("**/*")
    assert len(sent) == 1  # one upload, with the file chosen once

    page.goto(portal_url + "/copyright/verify")
    page.get_by_label("登记号（证书上印的编号）").fill(number.lower().replace("-", " "))
    with page.expect_navigation(url=re.compile(rf"/copyright/records/{number}\?check=1#verify")):
        page.get_by_role("button", name="查找并核验").click()
    expect(page.locator('[data-verifier] [role="status"][data-valid="true"]')).to_contain_text(number)
    page.goto(portal_url + "/copyright/verify?number=12345")
    expect(page.get_by_role("alert").first).to_contain_text("CR-2026-00000001")
    _no_axe_violations(page)

    # on a phone, a refused licence offer is said where the page comes back to: the form (it was
    # 2,200 px below, the page shown from its top)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{portal_url}/copyright/records/{number}")
    page.locator("#o-email").fill(f"nobody-{uuid.uuid4().hex[:8]}@example.org")  # no such account
    with page.expect_navigation():
        page.locator("#offer-form button").last.click()
    refusal = page.locator("#offer-error")
    expect(refusal).to_be_visible()
    expect(refusal).to_be_in_viewport()
    page.context.close()
