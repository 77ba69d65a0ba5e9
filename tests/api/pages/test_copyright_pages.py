"""Copyright pages over HTTP, without JavaScript: the wizard (upload, or a SHA-256 typed in), its
refusals (the form comes back with the reason and what was typed, nothing is registered), the
public record, my works, and a licence offered, accepted and shown with its fee to its parties only."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import uuid
from collections.abc import Iterator
from datetime import date

import lxml.html
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from api.app import create_app
from copyright import registry, service
from copyright.models import Registration, RegistrationStatus, Right
from copyright.registry import registry_day
from core.accounts.models import Role
from core.accounts.service import create_user
from core.audit import AuditContext, Writer
from core.db import session_scope
from core.errors import InvalidInput
from core.settings import Settings
from servicehall import catalogue
from tests.core.test_filekinds import PE as PROGRAM

PASSWORD = "correct horse battery"
HTML = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}
XSS_TITLE = "<script>alert(1)</script>Harbour 港口"
FEE = "CNY 12,345 private"


@pytest.fixture
def portal(embedded_settings: Settings) -> Iterator[Settings]:
    yield embedded_settings


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


def _csrf(client: TestClient, path: str = "/copyright") -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path, headers=HTML).text)
    assert match is not None
    return match.group(1)


def _sign_up(client: TestClient, name: str = "") -> str:
    email = f"cr-{uuid.uuid4().hex[:8]}@example.org"
    r = client.post("/signup", data={"email": email, "password": PASSWORD, "display_name": name or email[:11],
                                     "csrf_token": _csrf(client, "/signup")}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    return email


def _register(client: TestClient, data: dict[str, str], file: bytes | None = None) -> str:
    """Post the wizard; returns the new record's number."""
    files = {"file": ("harbour.png", file, "image/png")} if file is not None else None
    r = client.post("/copyright/register", data=data | {"csrf_token": _csrf(client)}, files=files, headers=HTML,
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    match = re.fullmatch(r"/copyright/records/(CR-\d{4}-\d{8})\?registered=1#content", r.headers["location"])
    assert match is not None, r.headers["location"]
    return match.group(1)


WORK = {"work_type": "photographic", "title": XSS_TITLE, "authors": "Li Hua\nWang Fang", "owners": "Studio 工作室",
        "completion_date": "2025-03-01", "mode": "upload"}


def test_the_wizard_is_for_signed_in_people(portal: Settings) -> None:
    with _client(portal) as client:
        r = client.get("/copyright/register", headers=HTML, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?")
        r = client.post("/copyright/register", data={"title": "x", "work_type": "written", "csrf_token": _csrf(client)},
                        headers=HTML)
        assert r.status_code == 401


def test_register_by_upload_and_by_typed_hash_then_read_the_record(portal: Settings) -> None:
    with _client(portal) as client:
        _sign_up(client, "Li Hua")
        picture = b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes * 300
        number = _register(client, WORK, picture)
        page = client.get(f"/copyright/records/{number}?registered=1", headers=HTML).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;Harbour 港口" in page and "<script>alert(1)" not in page
        assert hashlib.sha256(picture).hexdigest() in page
        assert "Li Hua, Wang Fang" in page and "Studio 工作室" in page
        assert f"/copyright/records/{number}/certificate.pdf" in page
        # the size first: "…not published. · 4.8 kB" read oddly
        assert re.search(r"<dd>[0-9.]+ kB · Kept by the platform; not published\.</dd>", page)
        assert (portal.resolved_data_dir / "works" / hashlib.sha256(picture).hexdigest()).is_file()

        typed = hashlib.sha256(b"a text that stays at home").hexdigest()
        text_number = _register(client, {"work_type": "written", "title": "Diary", "mode": "hash",
                                         "sha256": typed.upper(), "size": "25"})
        page = client.get(f"/copyright/records/{text_number}", headers=HTML).text
        assert typed in page and "Hash only: the file was never sent to the platform." in page
        assert not (portal.resolved_data_dir / "works" / typed).exists()

        mine = client.get("/copyright/mine", headers=HTML).text
        assert number in mine and text_number in mine and "(hash only)" in mine


HASHED = {"mode": "hash", "sha256": "ab" * 32}


@pytest.mark.parametrize(("change", "reason"), [
    ({"mode": "upload"}, "choose the file to register"),  # upload mode without a file
    ({"mode": "hash", "sha256": "not a hash"}, "the SHA-256 is 64 hexadecimal characters"),
    ({"mode": "hash", "sha256": "ab" * 31}, "the SHA-256 is 64 hexadecimal characters"),
    ({"work_type": "poster"} | HASHED, "choose the type of work"),
    ({"completion_date": "2025-02-30"} | HASHED, "Completion date is not a date (YYYY-MM-DD)"),
    ({"completion_date": "2999-01-01"} | HASHED, "the completion date is in the future"),
    ({"published": "1", "first_publication_date": "2020-01-01", "completion_date": "2024-01-01"} | HASHED,
     "first published before it was completed"),
    ({"first_publication_date": "2025-06-01"} | HASHED, "tick 'published'"),
    ({"published": "1", "first_publication_place": "Kunming"} | HASHED,  # registered as published, undated
     "a published work gives the date it was first published"),
    ({"size": "99999999999999999999999"} | HASHED, "size"),  # more than canonical JSON can sign
    ({"title": "   "} | HASHED, "give the title of the work"),
    ({"size": "-5"} | HASHED, "the file size is a whole number of bytes"),  # was registered without a size
])
def test_a_refused_registration_comes_back_with_its_reason_and_registers_nothing(
        portal: Settings, change: dict[str, str], reason: str) -> None:
    with _client(portal) as client:
        _sign_up(client)
        data = {**WORK, "title": "Kept title 保留"} | change
        r = client.post("/copyright/register", data=data | {"csrf_token": _csrf(client)}, headers=HTML)
        assert r.status_code == 400
        error = re.search(r'<div class="error" role="alert" id="form-error">(.*?)</div>', r.text, re.S)
        assert error is not None and reason.lower() in html.unescape(error.group(1)).lower(), error
        # said where it is put right: a refusal of the file by the file (step 4), a screen below the top
        about_file = change.get("mode") == "upload" or "SHA-256" in reason or "size" in reason
        assert (error.start() > r.text.index("4. The file")) is about_file, reason
        assert 'action="/copyright/register#form-error"' in r.text  # the page comes back scrolled to it
        if change.get("title", "x").strip():
            assert 'value="Kept title 保留"' in r.text  # what was typed is kept
        missing = client.post("/copyright/register", data={"csrf_token": _csrf(client)}, headers=HTML)
        assert missing.status_code == 400 and 'id="form-error"' in missing.text  # the form, never JSON
        assert "You have not registered a work yet." in client.get("/copyright/mine", headers=HTML).text


def test_a_file_refused_with_its_form_is_asked_for_again(portal: Settings) -> None:
    """The browser does not keep a chosen file on the page it gets back: the refusal says so."""
    with _client(portal) as client:
        _sign_up(client)
        data = {**WORK, "mode": "upload", "completion_date": "2999-01-01", "csrf_token": _csrf(client)}
        r = client.post("/copyright/register", data=data, files={"file": ("novel.txt", b"chapter one")}, headers=HTML)
        assert r.status_code == 400 and "The completion date is in the future" in r.text
        assert "The file you chose was not kept: please choose it again." in r.text
        hashed = client.post("/copyright/register", data=data | HASHED, headers=HTML)  # no file was chosen
        assert hashed.status_code == 400 and "not kept" not in hashed.text


def test_forms_without_the_csrf_token_are_refused(portal: Settings) -> None:
    with _client(portal) as client:
        _sign_up(client)
        r = client.post("/copyright/register", data={"title": "x", "work_type": "written", "mode": "hash",
                                                     "sha256": "ab" * 32}, headers=HTML)
        assert r.status_code == 403
        r = client.post("/copyright/offers/1/accept", data={}, headers=HTML)
        assert r.status_code == 403


def test_a_licence_is_offered_accepted_and_its_fee_shown_to_its_parties_only(portal: Settings) -> None:
    with _client(portal) as owner, _client(portal) as licensee, _client(portal) as visitor:
        _sign_up(owner, "Owner 甲")
        licensee_email = _sign_up(licensee, "Licensee 乙")
        number = _register(owner, {**WORK, "mode": "hash", "sha256": hashlib.sha256(uuid.uuid4().bytes).hexdigest()})
        record = owner.get(f"/copyright/records/{number}", headers=HTML).text  # the registry's day: in force at once
        assert f'id="o-start" name="start_date" type="date" required value="{registry_day().isoformat()}"' in record
        r = owner.post(f"/copyright/records/{number}/offers", headers=HTML, data={
            "licensee_email": licensee_email, "rights": ["reproduction"], "start_date": "2001-01-01",
            "csrf_token": _csrf(owner)})
        assert r.status_code == 400 and "A licence starts on or after the registration date" in r.text
        r = owner.post(f"/copyright/records/{number}/offers", headers=HTML, data={
            "licensee_email": licensee_email, "csrf_token": _csrf(owner)})
        assert r.status_code == 400 and "choose at least one right to license" in r.text
        r = owner.post(f"/copyright/records/{number}/offers", headers=ZH, data={  # two refusals: both said at once
            "licensee_email": licensee_email, "start_date": "2030-01-02", "end_date": "2030-01-01",
            "csrf_token": _csrf(owner)})
        said = lxml.html.fromstring(r.text).get_element_by_id("offer-error").text_content()
        assert r.status_code == 400
        assert said == "权利：请至少选择一项许可的权利；截止日期：许可的截止日期早于起始日期", said
        offer = {"licensee_email": "nobody@example.org", "rights": ["reproduction", "information_network"],
                 "start_date": registry_day().isoformat(), "end_date": "2099-12-31", "territory": "中国大陆",
                 "media": "online", "fee": FEE, "csrf_token": _csrf(owner)}
        r = owner.post(f"/copyright/records/{number}/offers", data=offer, headers=HTML)
        assert r.status_code == 400 and "No account uses the e-mail nobody@example.org" in r.text
        r = owner.post(f"/copyright/records/{number}/offers", data=offer | {"licensee_email": licensee_email},
                       headers=HTML, follow_redirects=False)
        assert r.status_code == 303, r.text

        inbox = licensee.get("/inbox", headers=HTML).text
        assert "Owner 甲 offers you a licence to" in inbox and "Inbox <span class=\"unread\">(1 unread)</span>" in inbox
        mine = licensee.get("/copyright/mine", headers=HTML).text
        offer_id = re.search(r'data-offer="(\d+)"', mine)
        assert offer_id is not None and FEE in mine
        r = licensee.post(f"/copyright/offers/{offer_id.group(1)}/accept",
                          data={"csrf_token": _csrf(licensee), "back": "/copyright/mine"}, headers=HTML,
                          follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/copyright/mine?answered=accepted"
        assert "You accepted the licence" in licensee.get(r.headers["location"], headers=HTML).text  # said so
        assert licensee.get("/copyright/mine?answered=hacked", headers=HTML).status_code == 422  # fixed sentences
        inbox = licensee.get("/inbox", headers=HTML).text  # answered: the offer's notice asks no more
        assert 'class="unread"' not in inbox and "Mark as read" not in inbox
        r = licensee.post(f"/copyright/offers/{offer_id.group(1)}/accept",
                          data={"csrf_token": _csrf(licensee)}, headers=HTML)
        assert r.status_code == 409 and "This offer was accepted already" in r.text

        for client, sees_fee in ((owner, True), (licensee, True), (visitor, False)):
            page = client.get(f"/copyright/records/{number}?registered=1&offered=1", headers=HTML).text
            assert ("Your registration is received." in page) is (client is owner)  # a link cannot say it
            assert "Owner 甲 → Licensee 乙" in page and 'data-entry-type="licence"' in page
            assert (FEE in page) is sees_fee
        pdf = licensee.get(f"/copyright/offers/{offer_id.group(1)}/licence.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        assert visitor.get(f"/copyright/offers/{offer_id.group(1)}/licence.pdf", headers=HTML,
                           follow_redirects=False).status_code == 303  # to the login form
        assert "accepted your licence offer for" in owner.get("/inbox", headers=HTML).text


def _transfer_rights_offered(page: str) -> list[str]:
    """The rights the transfer form offers to tick (none when the reader may not transfer)."""
    form = re.search(r'<form[^>]*id="transfer-form".*?</form>', page, re.S)
    return re.findall(r'name="rights" value="([a-z_]+)"', form.group(0)) if form else []


def test_rights_are_transferred_from_the_record_and_the_recipient_may_pass_them_on(portal: Settings) -> None:
    with _client(portal) as owner, _client(portal) as heir, _client(portal) as visitor:
        owner_email = _sign_up(owner, "Owner 甲")
        heir_email = _sign_up(heir, "Heir 丙")
        number = _register(owner, {**WORK, "mode": "hash", "sha256": hashlib.sha256(uuid.uuid4().bytes).hexdigest()})
        record = f"/copyright/records/{number}"
        assert len(_transfer_rights_offered(owner.get(record, headers=HTML).text)) == 13
        for client in (heir, visitor):
            assert _transfer_rights_offered(client.get(record, headers=HTML).text) == []

        move = {"recipient_email": heir_email, "rights": ["reproduction", "adaptation"],
                "effective_date": registry_day().isoformat(), "confirm": "1"}
        assert owner.post(f"{record}/transfers", data=move, headers=HTML).status_code == 403  # no CSRF token
        refusals = [({"rights": []}, "Choose at least one right to transfer"),
                    ({"rights": ["reproduction", "fame"]}, "Choose at least one right to transfer"),
                    ({"confirm": ""}, "Tick the box to confirm"),
                    ({"recipient_email": "nobody@example.org"}, "No account uses the e-mail nobody@example.org"),
                    ({"recipient_email": owner_email}, "You cannot transfer rights to yourself"),
                    ({"effective_date": "2001-01-01"}, "A transfer takes effect on or after the registration date"),
                    ({"effective_date": "someday"}, "Effective from is not a date (YYYY-MM-DD)")]
        for change, reason in refusals:
            r = owner.post(f"{record}/transfers", data=move | change | {"csrf_token": _csrf(owner)}, headers=HTML)
            assert r.status_code == 400 and reason in r.text, (change, r.status_code)
            assert 'id="transfer-error"' in r.text and "→ Heir 丙" not in r.text  # nothing transferred
        r = owner.post(f"{record}/transfers", data=move | {"confirm": "", "csrf_token": _csrf(owner)}, headers=ZH)
        assert r.status_code == 400 and "请勾选确认：转让将写入公开日志，且不可撤销" in r.text
        r = owner.post(f"{record}/transfers", data=move | {"effective_date": "2001-01-01", "csrf_token": _csrf(owner)},
                       headers=ZH)
        day = registry_day()  # the registration's day, written as the page writes dates (it was 2026-12-07)
        assert r.status_code == 400 and f"转让的生效日期不能早于登记日期 {day.year}年{day.month}月{day.day}日" in r.text
        r = owner.post(f"{record}/transfers", data=move | {"effective_date": "2001-01-01", "csrf_token": _csrf(owner)},
                       headers=HTML)
        assert f"on or after the registration date, {day.day} {day.strftime('%b')} {day.year}" in r.text
        r = heir.post(f"{record}/transfers", headers=HTML,
                      data=move | {"recipient_email": owner_email, "csrf_token": _csrf(heir)})
        assert r.status_code == 400 and "Only the holder of these rights on" in r.text
        assert "transferred rights" not in owner.get("/inbox", headers=HTML).text

        r = owner.post(f"{record}/transfers", data=move | {"csrf_token": _csrf(owner)}, headers=HTML,
                       follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"{record}?transferred=1#transfers"
        page = owner.get(f"{record}?transferred=1", headers=HTML).text
        assert "The rights are transferred and written to the public log." in page
        assert "Owner 甲 → Heir 丙" in page and 'data-entry-type="transfer"' in page
        assert "reproduction" not in _transfer_rights_offered(page) and len(_transfer_rights_offered(page)) == 11
        page = visitor.get(f"{record}?transferred=1", headers=HTML).text  # public, as the log is; the
        assert "Owner 甲 → Heir 丙" in page and "The rights are transferred" not in page  # notice is not
        # the registration itself says who holds which rights today, not the first owner alone
        holders = [li.text_content() for li in lxml.html.fromstring(page).get_element_by_id("holders").iter("li")]
        assert len(holders) == 2 and holders[0].startswith("Owner 甲: ") and "reproduction" not in holders[0]
        assert holders[1] == "Heir 丙: Reproduction, Adaptation"
        assert "Owner at registration" in page
        inbox = heir.get("/inbox", headers=HTML).text
        assert f"Owner 甲 transferred rights in “{html.escape(XSS_TITLE, quote=False)}” to you" in inbox
        assert XSS_TITLE not in inbox
        assert "Owner 甲 向您转让了" in heir.get("/inbox", headers=ZH).text
        mine = heir.get("/copyright/mine", headers=HTML).text  # the recipient finds the work among theirs
        assert re.search(rf'data-transfer-received="1"><td data-label="Number"><a href="{record}">{number}</a>', mine)
        assert "Owner 甲 → Heir 丙" in mine and html.escape(XSS_TITLE, quote=False) in mine and XSS_TITLE not in mine
        assert 'data-transfer-received="0"' in owner.get("/copyright/mine", headers=HTML).text
        # the recipient holds what was transferred, may license it and pass it on
        page = heir.get(record, headers=HTML).text
        assert _transfer_rights_offered(page) == ["reproduction", "adaptation"] and 'id="offer-form"' in page
        r = heir.post(f"{record}/offers", headers=HTML, follow_redirects=False, data={
            "licensee_email": owner_email, "rights": ["reproduction"], "territory": "worldwide", "media": "all media",
            "csrf_token": _csrf(heir)})
        assert r.status_code == 303  # the form's words for no limit, stored as they are, read in Chinese
        assert "全世界 · 所有媒介" in heir.get(record, headers=ZH).text
        r = heir.post(f"{record}/transfers", headers=HTML, follow_redirects=False, data=move | {
            "recipient_email": owner_email, "rights": ["adaptation"], "csrf_token": _csrf(heir)})
        assert r.status_code == 303
        assert _transfer_rights_offered(heir.get(record, headers=HTML).text) == ["reproduction"]


def test_pages_in_chinese_and_unknown_records(portal: Settings) -> None:
    with _client(portal) as client:
        assert "<h1>著作权登记</h1>" in client.get("/copyright", headers=ZH).text
        r = client.get("/copyright/records/CR-2020-99999999", headers=ZH)
        assert r.status_code == 404
        r = client.get("/copyright/records/CR-2020-00000001?registered=7", headers=HTML)
        assert r.status_code == 422
        _sign_up(client)
        assert "登记作品" in client.get("/copyright/register", headers=ZH).text


def test_a_chinese_licence_form_says_no_limit_in_chinese_and_means_it(portal: Settings) -> None:
    """The form was filled with "worldwide" and "all media", English words a Chinese reader had to
    keep; it shows 全世界 and 所有媒介, and they are stored as the no-limit keywords the rights check reads."""
    with _client(portal) as owner, _client(portal) as licensee:
        _sign_up(owner, "Owner 甲")
        licensee_email = _sign_up(licensee, "Licensee 乙")
        number = _register(owner, {**WORK, "mode": "hash", "sha256": hashlib.sha256(uuid.uuid4().bytes).hexdigest()})
        form = owner.get(f"/copyright/records/{number}", headers=ZH).text
        assert 'name="territory" maxlength="100" value="全世界"' in form
        assert 'name="media" maxlength="200" value="所有媒介"' in form
        r = owner.post(f"/copyright/records/{number}/offers", headers=ZH, follow_redirects=False, data={
            "licensee_email": licensee_email, "rights": ["reproduction"], "start_date": registry_day().isoformat(),
            "territory": " 全世界 ", "media": "所有媒介", "csrf_token": _csrf(owner)})
        assert r.status_code == 303, r.text
        mine = licensee.get("/copyright/mine", headers=HTML).text
        assert "worldwide · all media" in mine and "全世界" not in mine  # stored as the keywords, shown in English


def test_registering_ones_own_file_again_is_refused_in_the_form(portal: Settings) -> None:
    """It was held for review as a copy of the creator's own registration, "由管理员决定"."""
    with _client(portal) as owner:
        _sign_up(owner, "Owner 甲")
        data = {**WORK, "mode": "hash", "sha256": hashlib.sha256(uuid.uuid4().bytes).hexdigest()}
        number = _register(owner, data)
        again = owner.post("/copyright/register", data=data | {"csrf_token": _csrf(owner)}, headers=ZH)
        assert again.status_code == 400 and f"您已登记过这个文件，登记号为 {number}" in again.text
        link = lxml.html.fromstring(again.text).get_element_by_id("form-error").xpath(".//a")[0]  # one step to it
        assert link.get("href") == f"/copyright/records/{number}" and link.text_content() == f"查看登记 {number}"


def _marked(page: str) -> list[str]:
    """The fields a refused form marks (aria-invalid), by id, else by name; each described by an error."""
    tree = lxml.html.fromstring(page)
    marked = tree.xpath('//main//*[@aria-invalid="true"]')
    for field in marked:
        described = [tree.get_element_by_id(i) for i in (field.get("aria-describedby") or "").split()]
        assert any("error" in (e.get("id") or "") for e in described), lxml.html.tostring(field)
    return [field.get("id") or field.get("name") for field in marked]


def test_registering_the_same_file_again_marks_the_file(portal: Settings) -> None:
    """The refusal was said in step 4, the file's field unmarked: a keyboard's focus was left at the top."""
    with _client(portal) as owner:
        _sign_up(owner)
        upload = {**WORK, "mode": "upload", "title": "<b>Twice</b> 两次", "csrf_token": _csrf(owner)}
        picture = b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes * 300
        files = {"file": ('"><img src=x onerror=alert(1)>.png', picture, "image/png")}
        assert owner.post("/copyright/register", data=upload, files=files, headers=ZH,
                          follow_redirects=False).status_code == 303
        again = owner.post("/copyright/register", data=upload, files=files, headers=ZH)
        assert again.status_code == 400 and "您已登记过这个文件" in again.text
        assert _marked(again.text) == ["w-file"]
        assert "<b>Twice</b>" not in again.text and "<img src=x" not in again.text
        chosen_none = owner.post("/copyright/register", data=upload, headers=ZH)  # upload mode, no file
        assert chosen_none.status_code == 400 and _marked(chosen_none.text) == ["w-file"]
        for sha256 in ("<b>zz</b>", hashlib.sha256(picture).hexdigest()):  # not a SHA-256; the file's again
            hashed = owner.post("/copyright/register", data=upload | {"mode": "hash", "sha256": sha256}, headers=ZH)
            assert hashed.status_code == 400 and _marked(hashed.text) == ["w-sha256"], sha256
            assert "<b>zz</b>" not in hashed.text


def test_a_refused_offer_or_transfer_marks_the_field_it_is_about(portal: Settings) -> None:
    """The refusal was said above the form only: the field to put right is marked and described by it."""
    with _client(portal) as owner, _client(portal) as other:
        owner_email = _sign_up(owner, "Owner 甲")
        other_email = _sign_up(other, "Other 乙")
        number = _register(owner, {**WORK, "mode": "hash", "sha256": hashlib.sha256(uuid.uuid4().bytes).hexdigest()})
        hostile = "<b>¥1000</b>"
        offer = {"licensee_email": other_email, "rights": ["reproduction"], "start_date": registry_day().isoformat(),
                 "fee": hostile, "territory": "<script>alert(1)</script>"}
        move = {"recipient_email": other_email, "rights": ["adaptation"], "effective_date": registry_day().isoformat(),
                "confirm": "1"}
        rights = ["rights"] * 13  # every right's box of the form
        cases = [("offers", offer | {"start_date": "2030-01-02", "end_date": "2030-01-01"}, ["o-end"]),
                 ("offers", offer | {"end_date": "someday"}, ["o-end"]),
                 ("offers", offer | {"start_date": "2001-01-01"}, ["o-start"]),
                 ("offers", offer | {"licensee_email": owner_email}, ["o-email"]),
                 ("offers", offer | {"licensee_email": "<b>x</b>@example.org"}, ["o-email"]),
                 ("offers", offer | {"rights": []}, rights),
                 ("transfers", move | {"recipient_email": owner_email}, ["t-email"]),
                 ("transfers", move | {"recipient_email": "<b>x</b>@example.org"}, ["t-email"]),
                 ("transfers", move | {"rights": []}, rights),
                 ("transfers", move | {"confirm": ""}, ["t-confirm"]),
                 ("transfers", move | {"effective_date": "2001-01-01"}, ["t-date"])]
        for form, data, fields in cases:
            r = owner.post(f"/copyright/records/{number}/{form}", data=data | {"csrf_token": _csrf(owner)}, headers=ZH)
            assert r.status_code == 400, (form, data)
            assert _marked(r.text) == fields, (form, data, _marked(r.text))
            assert hostile not in r.text and "<b>x</b>" not in r.text and "<script>alert(1)" not in r.text


def test_a_certificate_is_found_by_the_number_printed_on_it(portal: Settings) -> None:
    """The verify page took only the certificate's JSON file: someone holding the paper
    certificate had nowhere to type its number."""
    with _client(portal) as client:
        _sign_up(client)
        picture = b"\x89PNG\r\n\x1a\n" + uuid.uuid4().bytes * 300
        number = _register(client, WORK, picture)
        year, serial = number.split("-")[1:]
        for typed in (number, f" {number.lower()} ", f"CR {year} {int(serial)}", f"CR—{year}—{int(serial)}。",
                      f"ＣＲ－{year}－{serial}"):  # full width, as a Chinese input method types it
            r = client.get("/copyright/verify", params={"number": typed}, headers=ZH, follow_redirects=False)
            found = f"/copyright/records/{number}?check=1#verify"
            assert (r.status_code, r.headers.get("location")) == (303, found), typed
        record = client.get(f"/copyright/records/{number}?check=1", headers=ZH).text
        assert f'data-certificate-url="/api/v1/copyright/registrations/{number}/certificate"' in record
        assert "data-check-now" in record  # the verifier runs as the page opens
        assert "data-check-now" not in client.get(f"/copyright/records/{number}", headers=ZH).text

        unknown = client.get("/copyright/verify", params={"number": f"CR-{year}-99999999"}, headers=ZH)
        assert unknown.status_code == 404 and f"登记 CR-{year}-99999999 不存在" in unknown.text
        assert f'value="CR-{year}-99999999"' in unknown.text  # the number typed stays in the box
        arabic = client.get("/copyright/verify", params={"number": "CR-٢٠٢٦-1"}, headers=HTML)  # other digits
        assert arabic.status_code == 400 and "is not a registration number" in arabic.text
        hostile = "<b>12345</b>"
        bad = client.get("/copyright/verify", params={"number": hostile}, headers=ZH)
        assert bad.status_code == 400 and "CR-2026-00000001" in bad.text
        assert "<b>12345" not in bad.text and "&lt;b&gt;12345&lt;/b&gt;" in bad.text

        copier = _client(portal)  # the same file from someone else: held for review, no certificate yet
        with copier:
            _sign_up(copier)
            held = _register(copier, WORK, picture)
            r = copier.get("/copyright/verify", params={"number": held}, headers=HTML)
            assert r.status_code == 400 and "no certificate until it is registered" in r.text
        assert client.get("/copyright/verify", headers=HTML).status_code == 200


# --- what a new user met after a transfer, a licence offer and a refusal ---------------------------

def _hash_work(title: str) -> dict[str, str]:
    return {**WORK, "title": title, "mode": "hash", "sha256": hashlib.sha256(uuid.uuid4().bytes).hexdigest()}


def _transfer(client: TestClient, number: str, email: str, rights: list[str]) -> None:
    r = client.post(f"/copyright/records/{number}/transfers", headers=HTML, follow_redirects=False, data={
        "recipient_email": email, "rights": rights, "effective_date": registry_day().isoformat(), "confirm": "1",
        "csrf_token": _csrf(client)})
    assert r.status_code == 303, r.text


def _offer(client: TestClient, number: str, email: str, rights: list[str]) -> None:
    r = client.post(f"/copyright/records/{number}/offers", headers=HTML, follow_redirects=False, data={
        "licensee_email": email, "rights": rights, "csrf_token": _csrf(client)})
    assert r.status_code == 303, r.text


def _section(page: str, element_id: str) -> str:
    return lxml.html.fromstring(page).get_element_by_id(element_id).text_content()


def _holder_cell(page: str, number: str) -> str:
    """The register's 著作权人 cell of ``number``'s row."""
    table = lxml.html.fromstring(page).get_element_by_id("works")
    heads = [th.text_content() for th in table.iter("th")]
    row = next(tr for tr in table.iter("tr") if number in tr.text_content())
    return " ".join(row.xpath("./td")[heads.index("Rights holders")].text_content().split())


def test_the_register_names_who_holds_the_rights_now(portal: Settings) -> None:
    """The register kept naming the first owner after every right was transferred away."""
    with _client(portal) as owner, _client(portal) as heir:
        _sign_up(owner, "Owner 甲")
        heir_email = _sign_up(heir, "Heir 丙")
        title = f"Register {uuid.uuid4().hex[:6]}"
        number = _register(owner, _hash_work(title))
        works = f"/copyright/works?title={title}"
        assert _holder_cell(owner.get(works, headers=HTML).text, number) == "Owner 甲"
        # one card a work on a phone (its eight columns were 963 px wide at 320)
        table = lxml.html.fromstring(owner.get(works, headers=HTML).text).get_element_by_id("works")
        assert table.get("class") == "stack"
        _transfer(owner, number, heir_email, ["reproduction", "adaptation"])  # split between two holders
        assert _holder_cell(owner.get(works, headers=HTML).text, number) == "Owner 甲, Heir 丙 (rights divided)"
        _transfer(owner, number, heir_email, [r.value for r in Right if r.value not in ("reproduction", "adaptation")])
        assert _holder_cell(owner.get(works, headers=HTML).text, number) == "Heir 丙"
        assert "目前的权利人" in owner.get(f"/copyright/records/{number}", headers=ZH).text
        found = owner.get("/api/v1/copyright/works", params={"title": title}).json()["items"][0]
        assert (found["owner"], found["holders"]) == ("Owner 甲", ["Heir 丙"])  # the API says both
        with session_scope(portal.effective_database_url) as session:  # revoked (a dispute upheld)
            session.execute(update(Registration).where(Registration.number == number)
                            .values(status=RegistrationStatus.revoked))
        # a registration that no longer stands gives nobody rights: its registrant, said as such
        assert _holder_cell(owner.get(works, headers=HTML).text, number) == "Owner 甲 (at registration)"
        found = owner.get("/api/v1/copyright/works", params={"title": title}).json()["items"][0]
        assert (found["owner"], found["holders"]) == ("Owner 甲", [])


def test_rights_read_in_the_laws_order_on_every_page(portal: Settings) -> None:
    """Stored sorted by their English names, rights read 改编权、广播权、复制权 (random, in Chinese)."""
    with _client(portal) as owner, _client(portal) as heir:
        _sign_up(owner, "Owner 甲")
        heir_email = _sign_up(heir, "Heir 丙")
        number = _register(owner, _hash_work("Order"))
        _transfer(owner, number, heir_email, ["adaptation", "broadcasting", "reproduction"])
        _offer(owner, number, heir_email, ["compilation", "distribution"])
        moved, offered = "复制权、广播权、改编权", "发行权、汇编权"
        record = owner.get(f"/copyright/records/{number}", headers=ZH).text
        assert moved in _section(record, "chain") and moved in _section(record, "transfers")
        assert offered in _section(record, "licences")
        for text in (record, *(client.get("/copyright/mine", headers=ZH).text for client in (owner, heir))):
            assert "改编权、广播权" not in text and "汇编权、发行权" not in text
        mine = heir.get("/copyright/mine", headers=ZH).text
        assert moved in mine and offered in mine
        assert "Heir 丙：复制权、广播权、改编权" in _section(record, "holders")


def test_a_waiting_offer_and_a_transfer_are_said_where_they_belong(portal: Settings) -> None:
    """"The licence is offered" stood over "No licences."; "transferred" under the licences heading."""
    with _client(portal) as owner, _client(portal) as licensee, _client(portal) as visitor:
        _sign_up(owner, "Owner 甲")
        licensee_email = _sign_up(licensee, "Licensee 乙")
        number = _register(owner, _hash_work("Offer"))
        assert "No licences." in _section(owner.get(f"/copyright/records/{number}", headers=HTML).text, "licences")
        _offer(owner, number, licensee_email, ["reproduction"])
        record = owner.get(f"/copyright/records/{number}?offered=1", headers=HTML).text
        licences = _section(record, "licences")
        assert "The licence is offered." in licences and "No licences." not in licences
        assert "No licence is in force yet" in licences and "Owner 甲 → Licensee 乙" in licences
        assert "waiting for an answer" in licences
        assert "Owner 甲 → Licensee 乙" not in _section(visitor.get(f"/copyright/records/{number}", headers=HTML).text,
                                                        "licences")  # an offer is the two parties' business
        their_page = licensee.get(f"/copyright/records/{number}", headers=HTML).text
        theirs = _section(their_page, "licences")
        assert "Owner 甲 → Licensee 乙" in theirs
        # the licensee reads that the offer waits for them, not "for the licensee's answer", and where to answer
        assert "an offer waits for your answer" in theirs and "licensee's answer" not in theirs
        links = lxml.html.fromstring(their_page).get_element_by_id("licences").xpath(".//a/@href")
        assert "waiting for your answer" in theirs and links.count("/copyright/mine#licences") == 2
        mine = lxml.html.fromstring(owner.get("/copyright/mine", headers=ZH).text)
        cells = [" ".join(td.text_content().split()) for td in mine.get_element_by_id("works-h").getparent().iter("td")]
        assert "尚无许可 · 1 个许可要约待答复" in cells, cells  # not a bare "0"

        r = owner.post(f"/copyright/records/{number}/transfers", headers=HTML, follow_redirects=False, data={
            "recipient_email": licensee_email, "rights": ["adaptation"], "confirm": "1",
            "effective_date": registry_day().isoformat(), "csrf_token": _csrf(owner)})
        assert r.headers["location"] == f"/copyright/records/{number}?transferred=1#transfers"
        record = owner.get(f"/copyright/records/{number}?transferred=1", headers=HTML).text
        assert "The rights are transferred" in _section(record, "transfers")
        assert "The rights are transferred" not in _section(record, "licences")
        assert "Owner 甲 → Licensee 乙: Adaptation" in _section(record, "transfers")


def test_my_works_says_what_fits_the_giver_and_the_recipient(portal: Settings) -> None:
    """The giver was told that the rights they gave away were theirs to license."""
    with _client(portal) as owner, _client(portal) as heir:
        _sign_up(owner, "Owner 甲")
        heir_email = _sign_up(heir, "Heir 丙")
        number = _register(owner, _hash_work("Given"))
        _transfer(owner, number, heir_email, ["reproduction"])
        given = _section(owner.get("/copyright/mine", headers=HTML).text, "transfers")
        assert "Rights I transferred" in given and "Rights you received" not in given
        assert "belong to the recipient now" in given
        received = _section(heir.get("/copyright/mine", headers=HTML).text, "transfers")
        assert "Rights transferred to me" in received and "Rights you received are yours to license" in received
        assert "belong to the recipient now" not in received
        assert "您转出的权利现归受让人所有" in owner.get("/copyright/mine", headers=ZH).text


def test_works_whose_rights_you_hold_are_among_your_works(portal: Settings) -> None:
    """The recipient of every right read "您还没有登记作品" and found the work in the transfer table only."""
    with _client(portal) as owner, _client(portal) as heir:
        _sign_up(owner, "Owner 甲")
        heir_email = _sign_up(heir, "Heir 丙")
        number = _register(owner, _hash_work("Held"))
        partly = _register(owner, _hash_work("Partly"))
        assert 'id="held"' not in heir.get("/copyright/mine", headers=HTML).text
        _transfer(owner, number, heir_email, [r.value for r in Right])
        _transfer(owner, partly, heir_email, ["translation", "reproduction"])
        page = heir.get("/copyright/mine", headers=HTML).text
        held = lxml.html.fromstring(page).get_element_by_id("held")
        rows = {tr.get("data-held"): " ".join(tr.text_content().split()) for tr in held.iter("tr")
                if tr.get("data-held")}
        assert set(rows) == {number, partly}
        assert "All rights" in rows[number] and "Owner 甲" in rows[number]
        assert "Reproduction, Translation" in rows[partly]
        assert "Works whose rights I hold" in held.text_content()
        assert "我持有权利的作品" in heir.get("/copyright/mine", headers=ZH).text
        assert 'id="held"' not in owner.get("/copyright/mine", headers=HTML).text  # registered ones are listed above
        _transfer(heir, number, _sign_up(_client(portal)), [r.value for r in Right])  # passed on: no longer held
        held = lxml.html.fromstring(heir.get("/copyright/mine", headers=HTML).text).get_element_by_id("held")
        assert number not in held.text_content() and partly in held.text_content()


def test_an_unknown_record_leads_back_to_the_copyright_register(portal: Settings) -> None:
    """Its error page offered only 返回检索, the patent search."""
    with _client(portal) as client:
        r = client.get("/copyright/records/CR-2026-00000099", headers=ZH)
        assert r.status_code == 404 and "CR-2026-00000099" in r.text
        links = {a.get("href"): a.text_content() for a in lxml.html.fromstring(r.text).xpath("//main//a")}
        assert links.get("/copyright/works") == "检索已登记作品", links
        assert "/" not in links  # not the patent search
        other = client.get("/no-such-page", headers=ZH)  # elsewhere the way back is still the search
        assert other.status_code == 404 and "返回检索" in other.text


def test_an_answered_offer_asks_for_no_answer_in_the_inbox(portal: Settings) -> None:
    with _client(portal) as owner, _client(portal) as licensee:
        _sign_up(owner, "Owner 甲")
        licensee_email = _sign_up(licensee, "Licensee 乙")
        number = _register(owner, _hash_work("Inbox"))
        _offer(owner, number, licensee_email, ["reproduction"])
        _offer(owner, number, licensee_email, ["distribution"])
        inbox = licensee.get("/inbox", headers=ZH).text
        assert inbox.count("答复要约") == 2
        # two offers of one work: each notice names its rights (they read the same, word for word)
        rights = [" ".join(p.text_content().split()) for p in lxml.html.fromstring(inbox).find_class("notice-rights")]
        assert rights == ["权利：发行权", "权利：复制权"], rights
        first = re.findall(r'data-offer="(\d+)"', licensee.get("/copyright/mine", headers=HTML).text)[-1]
        r = licensee.post(f"/copyright/offers/{first}/accept", data={"csrf_token": _csrf(licensee)}, headers=HTML,
                          follow_redirects=False)
        assert r.status_code == 303
        inbox = licensee.get("/inbox", headers=ZH).text
        assert inbox.count("答复要约") == 1 and "您已接受该要约" in inbox  # the other still waits
        assert f'href="/copyright/records/{number}"' in inbox
        second = re.findall(r'data-offer="(\d+)"', licensee.get("/copyright/mine", headers=HTML).text)[0]
        r = owner.post(f"/copyright/offers/{second}/withdraw", data={"csrf_token": _csrf(owner)}, headers=HTML,
                       follow_redirects=False)
        assert r.status_code == 303
        inbox = licensee.get("/inbox", headers=ZH).text
        assert "答复要约" not in inbox and "您已接受该要约" in inbox and "· 该要约已撤回 ·" in " ".join(inbox.split())
        told = lxml.html.fromstring(owner.get("/inbox", headers=ZH).text)  # an offer accepted, not a licence
        assert [" ".join(h.text_content().split()) for h in told.find_class("notice-title")
                if "接受" in h.text_content()][0].endswith("许可要约")
        assert len(told.find_class("notice-rights")) == 1
        # answered in a stale tab: the offer's state in the reader's words (it read “withdrawn” on a Chinese page)
        r = licensee.post(f"/copyright/offers/{second}/accept", data={"csrf_token": _csrf(licensee)}, headers=ZH)
        said = " ".join(r.text.split())
        assert r.status_code == 409 and "要约未变更" in said and "此要约已被撤回" in said
        assert "withdrawn" not in said
        assert "You accepted this offer" in licensee.get("/inbox", headers=HTML).text


def _refusal_beside(page: str, field_id: str) -> str:
    """The refusal said next to the field ``field_id`` (its aria-describedby), or ""."""
    tree = lxml.html.fromstring(page)
    field = tree.get_element_by_id(field_id)
    said = [tree.get_element_by_id(i).text_content() for i in (field.get("aria-describedby") or "").split()
            if "error" in tree.get_element_by_id(i).get("class", "")]
    return " ".join(said)


@pytest.mark.parametrize(("change", "field_id", "zh_reason"), [
    ({"title": "长" * 501}, "w-title", "名称最多 500 个字符"),  # the form's label, not 标题
    ({"completion_date": "2999-01-01"}, "w-completed", "创作完成日期不能晚于今天"),
    ({"completion_date": "2025-02-30"}, "w-completed", "创作完成日期"),
    ({"published": "1", "first_publication_date": "2020-01-01", "completion_date": "2024-01-01"}, "w-pubdate",
     "首次发表日期早于创作完成日期"),
    ({"work_type": "poster"}, "w-type", "请选择作品类别"),
    ({"published": "1", "first_publication_date": "2020-01-01", "first_publication_place": "港" * 201}, "w-pubplace",
     "首次发表地点最多 200 个字符"),  # characters, not 项 (entries): an optional field's length error
])
def test_a_refusal_of_one_field_is_said_beside_it_under_its_label(
        portal: Settings, change: dict[str, str], field_id: str, zh_reason: str) -> None:
    with _client(portal) as client:
        _sign_up(client)
        r = client.post("/copyright/register", data={**WORK, **HASHED, **change, "csrf_token": _csrf(client)},
                        headers=ZH)
        assert r.status_code == 400
        said = _refusal_beside(r.text, field_id)
        assert said and zh_reason in said, said
        assert "标题" not in r.text
        tree = lxml.html.fromstring(r.text)
        assert tree.get_element_by_id(field_id).get("aria-invalid") == "true"
        assert tree.get_element_by_id("form-error") is not None  # the page still comes back scrolled to it
        assert r.text.index('id="form-error"') > r.text.index('id="register-form"')  # beside it, not above the form


# --- dates a registrar would not take, the registry's day, and which field a refusal marks ---------

def test_every_refusal_of_one_submit_is_said_at_once_each_beside_its_field(portal: Settings) -> None:
    """A title left empty and no file chosen were said one per submit: the title first, and only once
    it was given, that the file was missing. Each is said where it is put right, the first one down
    carrying #form-error; a type no one offers and an impossible date too."""
    with _client(portal) as client:
        _sign_up(client)
        data = {**WORK, "title": " ", "work_type": "<script>", "completion_date": "2025-02-30",
                "description": "x" * 10_001, "csrf_token": _csrf(client)}
        r = client.post("/copyright/register", data=data, headers=ZH)
        assert r.status_code == 400
        assert sorted(_marked(r.text)) == ["w-completed", "w-description", "w-file", "w-title", "w-type"]
        assert _refusal_beside(r.text, "w-type") == "请选择作品类别"
        assert _refusal_beside(r.text, "w-title") == "请填写作品名称"
        assert _refusal_beside(r.text, "w-completed") == "创作完成日期不是有效日期（格式为 YYYY-MM-DD）"
        assert "请选择要登记的文件" in _refusal_beside(r.text, "w-file")
        tree = lxml.html.fromstring(r.text)
        assert tree.xpath('//*[@id="form-error"]/following::*[@id="w-type"]')  # the first one down
        assert len(tree.xpath('//*[@id="form-error"]')) == 1 and tree.xpath('//*[@id="file-error"]')
        hashed = client.post("/copyright/register", data=data | HASHED | {"sha256": "not-hex"}, headers=ZH)
        assert sorted(_marked(hashed.text)) == ["w-completed", "w-description", "w-sha256", "w-title", "w-type"]
        assert "You have not registered a work yet." in client.get("/copyright/mine", headers=HTML).text


@pytest.mark.parametrize(("change", "field_id", "reason"), [
    ({"completion_date": "0101-01-01"}, "w-completed", "the completion date is before 1900: check the year"),
    ({"completion_date": "1899-12-31"}, "w-completed", "the completion date is before 1900: check the year"),
    ({"published": "1", "first_publication_date": "0101-06-01"}, "w-pubdate",
     "the first publication date is before 1900: check the year"),
])
def test_a_date_before_1900_is_refused_beside_its_field(
        portal: Settings, change: dict[str, str], field_id: str, reason: str) -> None:
    """0101 typed for 2010 was registered: the form refuses it by the field, and the browser's own
    date check knows the earliest date too."""
    with _client(portal) as client:
        _sign_up(client)
        form = client.get("/copyright/register", headers=HTML).text
        tree = lxml.html.fromstring(form)
        assert tree.get_element_by_id("w-completed").get("min") == "1900-01-01"
        assert tree.get_element_by_id("w-pubdate").get("min") == "1900-01-01"
        r = client.post("/copyright/register", data={**WORK, **HASHED, **change, "csrf_token": _csrf(client)},
                        headers=HTML)
        assert r.status_code == 400
        assert reason in _refusal_beside(r.text, field_id).lower()
        assert _marked(r.text) == [field_id]
        assert "You have not registered a work yet." in client.get("/copyright/mine", headers=HTML).text
        at_the_limit = {**change, **{k: "1900-01-01" for k in change if k.endswith("date")},
                        "completion_date": "1900-01-01"}
        assert _register(client, {**WORK, **HASHED, **at_the_limit})  # 1900 itself is registered


def test_each_refusal_of_an_upload_marks_the_field_it_is_about(portal: Settings,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Every refusal raised while the upload was registered marked the file: one about the title
    left the title unmarked. The file's own refusals mark the file, a date's its field, and one the
    registry raises about the title the title."""
    with _client(portal) as client:
        _sign_up(client)
        upload = {**WORK, "mode": "upload", "title": "A novel", "work_type": "written"}

        def refused(data: dict[str, str], content: bytes) -> str:
            r = client.post("/copyright/register", data=data | {"csrf_token": _csrf(client)},
                            files={"file": ("novel.txt", content, "text/plain")}, headers=HTML)
            assert r.status_code == 400, r.text
            return r.text

        assert _marked(refused(upload, PROGRAM)) == ["w-file"]  # a program
        assert _marked(refused(upload, b"")) == ["w-file"]  # empty
        assert _marked(refused(upload | {"completion_date": "0101-01-01"}, b"chapter one")) == ["w-completed"]

        def refuse_the_title(*args: object, **kwargs: object) -> None:
            raise InvalidInput("a title the registry will not take <b>here</b>").about("title")

        monkeypatch.setattr(service, "register", refuse_the_title)
        page = refused(upload, b"chapter two")
        assert _marked(page) == ["w-title"]
        assert "A title the registry will not take <b>here</b>" in _refusal_beside(page, "w-title")
        assert "<b>here</b>" not in page  # escaped
        assert "The file you chose was not kept: please choose it again." in page


def test_the_forms_default_date_is_the_day_the_pages_show(portal: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """At 01:00 in Beijing the transfer and licence forms said yesterday (UTC's day); a transfer on
    the day they now say is in force at once."""
    moment = dt.datetime.combine(date.today() - dt.timedelta(days=2), dt.time(17, 0), dt.UTC)  # not today
    beijing = (moment.date() + dt.timedelta(days=1)).isoformat()
    monkeypatch.setattr(registry, "utcnow", lambda: moment)
    with _client(portal) as owner, _client(portal) as heir:
        _sign_up(owner, "Owner 甲")
        heir_email = _sign_up(heir, "Heir 乙")
        number = _register(owner, _hash_work("Dated in Beijing"))
        tree = lxml.html.fromstring(owner.get(f"/copyright/records/{number}", headers=HTML).text)
        assert tree.get_element_by_id("t-date").get("value") == beijing
        assert tree.get_element_by_id("o-start").get("value") == beijing
        r = owner.post(f"/copyright/records/{number}/transfers", headers=HTML, follow_redirects=False, data={
            "recipient_email": heir_email, "rights": ["adaptation"], "confirm": "1", "csrf_token": _csrf(owner)})
        assert r.status_code == 303, r.text
        held = _section(owner.get(f"/copyright/records/{number}", headers=HTML).text, "holders")
        assert "Heir 乙" in held


def test_a_registration_held_for_review_leads_its_registrant_to_the_review_service(portal: Settings) -> None:
    """A held record said "A moderator decides" and offered nothing to do: no page of the portal
    decides it. Its registrant is led to the service hall's copyright registration review, which
    decides it, the number filled in (a number the registry writes, and nothing else)."""
    with session_scope(portal.effective_database_url) as session:
        admin = create_user(session, f"hall-{uuid.uuid4().hex[:8]}@example.org", PASSWORD, role=Role.admin)
        catalogue.seed(Writer(session, admin, AuditContext(actor_id=admin.id, client_ip="test")))
    data = _hash_work("Held twice")
    with _client(portal) as first:
        _sign_up(first)
        registered = _register(first, data)
    with _client(portal) as copier:
        _sign_up(copier)
        held = _register(copier, data)
        record = lxml.html.fromstring(copier.get(f"/copyright/records/{held}?registered=1", headers=ZH).text)
        box = record.get_element_by_id("held")
        assert "已收到您的登记" not in record.text_content()  # held: no success above the red box that says so
        assert "由管理员决定" not in box.text_content() and "审查决定之前，不写入公开日志" in box.text_content()
        link = box.get_element_by_id("ask-review")
        assert link.get("href") == f"/service-hall/apply/copyright-review?f_registration={held}"
        assert link.text_content() == "申请著作权登记审查"
        form = copier.get(link.get("href"), headers=ZH)
        assert form.status_code == 200
        assert lxml.html.fromstring(form.text).xpath('//input[@name="f_registration"]/@value') == [held]
        for hostile in ("<b>CR-2026-1</b>", f"{held}x", registered.lower()):  # the registry's writing alone
            page = copier.get("/service-hall/apply/copyright-review", params={"f_registration": hostile}, headers=ZH)
            assert lxml.html.fromstring(page.text).xpath('//input[@name="f_registration"]/@value') == [""], hostile
    with _client(portal) as anyone:  # the first registration is registered: nothing to ask for
        assert 'id="held"' not in anyone.get(f"/copyright/records/{registered}", headers=ZH).text


def test_a_long_title_is_shortened_in_the_list_and_whole_on_its_record(portal: Settings) -> None:
    """A 500-character title made its row of the public list as tall as a page."""
    title = f"长题 {uuid.uuid4().hex[:8]} " + "长" * 480
    with _client(portal) as owner:
        _sign_up(owner)
        number = _register(owner, _hash_work(title))
        listed = lxml.html.fromstring(owner.get("/copyright/works", params={"title": title[:20]}, headers=ZH).text)
        (row,) = listed.xpath("//table[@id='works']/tbody/tr")
        shown = row.xpath("./td[2]")[0].text_content()
        assert shown.endswith("…") and len(shown) <= 120 and shown.startswith(title[:20])
        record = lxml.html.fromstring(owner.get(f"/copyright/records/{number}", headers=ZH).text)
        assert title in record.text_content()
