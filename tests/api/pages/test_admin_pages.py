"""The admin and moderator console over HTTP and in Chromium: every page renders for an admin in
Chinese and English; members get the 403 page and signed-out visitors the login form on every page
and action; a role change, a deactivation, an organisation and its member, a claim decision, an
integrity record and a forum category go through the services and land in the audit trail, which
filters by person, action, object type and dates (bad values are 422 pages); no CSRF token, no
write; markup typed into names stays text. In Chromium an admin starts a load of new synthetic
documents, watches the progress bar reach done and reads the summary and quarantine report, and
axe-core finds no serious or critical violation on the console pages in Chinese and English."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from typing import NamedTuple, cast
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import html
from playwright.sync_api import Browser, expect
from playwright.sync_api import Page as BrowserPage
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import create_app
from api.i18n import SHOWN_ZONE as BEIJING
from api.pages.admin import _day
from api.pages.context import Page
from community.agencies import service as agencies
from community.agencies.models import Agency
from community.agencies.schemas import AgencyIn
from core.accounts.models import Organisation, OrgKind, Role, User
from core.accounts.service import create_user
from core.audit import AuditContext, AuditRecord, Writer
from core.db import session_factory
from core.settings import Settings
from tests.api.pages.conftest import ADMIN, axe_violations, new_documents, new_page, screenshot

PASSWORD = "a long password 123"
EN = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}
XSS = "<script>alert('x')</script>"
PAGES = ["/admin", "/admin/users", "/admin/organisations", "/admin/loads", "/admin/agencies", "/admin/forums",
         "/admin/audit"]


class Console(NamedTuple):
    app: FastAPI
    settings: Settings
    people: dict[str, str]  # who: e-mail
    ids: dict[str, int]
    agency: int
    claim: int
    org: int


def _writer(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="test"))


@pytest.fixture
def console(embedded_settings: Settings) -> Console:
    """An admin, a moderator, two members (one named with markup), an agency claimed by a member,
    an organisation."""
    people, ids = {}, {}
    with session_factory(embedded_settings.effective_database_url)() as s:
        for who, role in (("admin", Role.admin), ("mod", Role.moderator), ("member", Role.member),
                          ("other", Role.member)):
            user = create_user(s, f"{who}-{uuid.uuid4().hex[:6]}@example.org", PASSWORD, f"{who.title()} {XSS}", role)
            people[who], ids[who] = user.email, user.id
        s.commit()
        admin = s.get(User, ids["admin"])
        member = s.get(User, ids["member"])
        assert admin is not None and member is not None
        body = AgencyIn(name="深圳专利事务所 Shenzhen IP", licence_number="44-123", province="广东省", city="深圳")
        agency = agencies.create_agency(_writer(s, admin), body)
        claim = agencies.claim_agency(_writer(s, member), agency.id, f"I run it {XSS}")
        org = Organisation(name="Existing Org", kind=OrgKind.sme)
        s.add(org)
        s.commit()
        org_id = org.id
    return Console(create_app(embedded_settings), embedded_settings, people, ids, agency.id, claim.id, org_id)


def _csrf(client: TestClient, path: str = "/login") -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path, headers=EN).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def clients(console: Console) -> Iterator[dict[str, TestClient]]:
    signed: dict[str, TestClient] = {}
    with TestClient(console.app) as anon:
        signed["anon"] = anon
        for who, email in console.people.items():
            client = TestClient(console.app)
            r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client)},
                            headers=EN, follow_redirects=False)
            assert r.status_code == 303, r.text
            signed[who] = client
        yield signed


def _post(client: TestClient, path: str, data: dict[str, str], csrf: bool = True,
          headers: dict[str, str] = EN) -> httpx.Response:
    token = {"csrf_token": _csrf(client)} if csrf else {}
    return client.post(path, data=data | token, headers=headers, follow_redirects=False)


def _audit(console: Console, action: str) -> list[AuditRecord]:
    with session_factory(console.settings.effective_database_url)() as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)))


def test_every_console_page_renders_for_an_admin_in_chinese_and_english(console: Console,
                                                                       clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    for path in [*PAGES, f"/admin/organisations/{console.org}"]:
        for headers, lang in ((EN, "en"), (ZH, "zh-Hans")):
            admin.cookies.delete("ipc_lang")
            r = admin.get(path, headers=headers)
            assert r.status_code == 200, (path, r.text[-500:])
            assert f'<html lang="{lang}">' in r.text
    home = admin.get("/admin", headers=EN).text
    for href in ("/admin/users", "/admin/loads", "/admin/audit", "/community/moderation", "/admin/agencies"):
        assert f'href="{href}"' in home
    assert re.search(r"Claims waiting</dt><dd>1</dd>", home)


def test_members_get_403_and_visitors_are_sent_to_log_in(console: Console, clients: dict[str, TestClient]) -> None:
    member, anon, mod = clients["member"], clients["anon"], clients["mod"]
    for path in [*PAGES, f"/admin/organisations/{console.org}", "/admin/loads/1", "/admin/loads/1/progress"]:
        assert member.get(path, headers=EN).status_code == 403, path
        r = anon.get(path, headers=EN, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fadmin"), path
    assert mod.get("/admin", headers=EN).status_code == 200  # moderators: the queue
    # the console is in the menu of those it answers, and of nobody else
    menu = {who: [a.get("href") for a in html.fromstring(clients[who].get("/", headers=EN).text).xpath(
        "//nav[contains(@class, 'main')]//a")] for who in ("admin", "mod", "member", "anon")}
    assert all("/" in links for links in menu.values())
    assert ["/admin" in menu[who] for who in ("admin", "mod", "member", "anon")] == [True, True, False, False]
    assert 'href="/community/moderation"' in mod.get("/admin", headers=EN).text
    assert mod.get("/admin/users", headers=EN).status_code == 403
    actions = {f"/admin/users/{console.ids['other']}/role": {"role": "admin"},
               f"/admin/users/{console.ids['other']}/active": {"active": "false"},
               "/admin/organisations": {"name": "Mine", "kind": "sme"},
               f"/admin/organisations/{console.org}/members": {"email": console.people["other"]},
               "/admin/loads": {"path": str(console.settings.incoming_dir)},
               f"/admin/agencies/claims/{console.claim}": {"decision": "approve"},
               "/admin/agencies/integrity": {"agency": str(console.agency), "kind": "sanction", "points": "10",
                                             "description": "fined", "source": "CNIPA", "occurred_on": "2025-01-02"},
               "/admin/forums": {"name": "Members' own"}}
    console.settings.incoming_dir.mkdir(parents=True, exist_ok=True)
    for path, form in actions.items():
        for who in ("member", "mod"):
            assert _post(clients[who], path, form).status_code == 403, (who, path)
        r = _post(anon, path, form)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fadmin"), path
    for action in ("user.role.set", "user.deactivate", "org.create", "org.member.add", "load.start",
                   "agency.claim.decide", "agency.integrity", "forum.category.create"):
        assert _audit(console, action) == [], action


def test_a_role_change_is_audited_and_found_by_the_trail_filters(console: Console,
                                                                 clients: dict[str, TestClient]) -> None:
    admin, other = clients["admin"], console.ids["other"]
    r = _post(admin, f"/admin/users/{other}/role", {"role": "moderator", "q": "other", "page": "1"})
    assert r.status_code == 303 and r.headers["location"] == f"/admin/users?q=other&who={other}&done=role"
    page = admin.get(r.headers["location"], headers=EN).text
    notice = html.fromstring(page).xpath("//p[@class='notice']")[0].text_content()
    # whose role, and what it is now (it said "The role was changed.")
    assert notice == f"Other {XSS} is now: Moderator."  # the name as written, escaped in the page
    assert XSS not in page
    # the admin's own row offers no change the console refuses
    own = html.fromstring(admin.get("/admin/users", headers=EN).text).get_element_by_id(
        f"user-{console.ids['admin']}")
    assert not own.xpath(".//select") and "your own role is changed by another admin" in own.text_content()
    assert re.search(rf'id="user-{other}".*?<option value="moderator" selected>', page, re.S)
    assert console.people["admin"] not in page  # searched for "other" only
    [entry] = _audit(console, "user.role.set")
    assert (entry.actor_id, entry.object_id, entry.details) == (console.ids["admin"], str(other),
                                                                {"role": "moderator", "was": "member"})

    today = dt.datetime.now(BEIJING).date()  # the trail's dates are Beijing's, as its times
    trail = admin.get("/admin/audit", params={"action": "user.role.set"}, headers=EN).text
    assert f'id="audit-{entry.id}"' in trail and console.people["admin"] in trail
    # in words, in the reader's language; the code stays beside it for the filters and the API
    row = re.search(rf'<tr id="audit-{entry.id}">.*?</tr>', trail, re.S)
    assert row is not None
    assert "Changed a role<br><code class=\"meta\">user.role.set</code>" in row.group(0)
    assert f"<td>User account {other}<br><span class=\"meta\">{console.people['other']}</span></td>" in row.group(0)
    assert "<dt>New role</dt><dd>moderator</dd>" in row.group(0)
    assert "<dt>Role before</dt><dd>member</dd>" in row.group(0)
    assert '<option value="user.role.set" selected>Changed a role</option>' in trail
    zh = admin.get("/admin/audit", params={"action": "user.role.set"}, headers=ZH).text
    assert "修改角色<br>" in zh and f"<td>用户账号 {other}<br>" in zh
    assert "<dt>新角色</dt><dd>版主</dd>" in zh and "<dt>原角色</dt><dd>成员</dd>" in zh  # the platform's words
    assert '<option value="user" >用户账号</option>' in zh
    assert "user.register" not in re.sub(r"<select.*?</select>", "", trail, flags=re.S)
    for params in ({"actor": console.people["admin"], "object_type": "user"},
                   {"since": today.isoformat(), "until": today.isoformat(), "action": "user.role.set"},
                   {"since": "0001-01-01", "until": "9999-12-31", "action": "user.role.set"}):  # were a 500
        assert f'id="audit-{entry.id}"' in admin.get("/admin/audit", params=params, headers=EN).text
    for params in ({"actor": console.people["member"], "action": "user.role.set"},
                   {"since": (today + dt.timedelta(days=1)).isoformat()},
                   {"until": (today - dt.timedelta(days=1)).isoformat(), "action": "user.role.set"}):
        r = admin.get("/admin/audit", params=params, headers=EN)
        assert r.status_code == 200 and "No entries match these filters." in r.text, params
    unknown = admin.get("/admin/audit", params={"actor": "nobody@example.org"}, headers=EN)
    assert unknown.status_code == 200 and "No account has the e-mail nobody@example.org" in unknown.text


def test_the_trails_dates_are_beijing_days() -> None:
    """The trail shows Beijing time, so its date filters are Beijing days: 4 December starts at
    16:00 UTC on the 3rd (it started 8 hours late, dropping the evening's entries)."""
    assert _day(cast(Page, None), "2026-12-04") == dt.datetime(2026, 12, 3, 16, tzinfo=dt.UTC)


def test_the_trail_is_paginated_newest_first(console: Console, clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    for _ in range(3):  # 51+ entries: the fixture's plus role changes back and forth
        for role in ("moderator", "member") * 10:
            assert _post(admin, f"/admin/users/{console.ids['other']}/role", {"role": role}).status_code == 303
    first = admin.get("/admin/audit", params={"action": "user.role.set"}, headers=EN).text
    ids = [int(i) for i in re.findall(r'id="audit-(\d+)"', first)]
    assert len(ids) == 50 and ids == sorted(ids, reverse=True)
    older = re.search(r'href="(/admin/audit\?[^"]+)" rel="next"', first)
    assert older is not None and "action=user.role.set" in older.group(1)
    second = admin.get(older.group(1).replace("&amp;", "&"), headers=EN).text
    rest = [int(i) for i in re.findall(r'id="audit-(\d+)"', second)]
    assert len(rest) == 10 and max(rest) < min(ids) and 'rel="next"' not in second and "Newest" in second


@pytest.mark.parametrize("params", [{"action": "user.nonsense"}, {"since": "yesterday"}, {"until": "2026-02-30"},
                                    {"object_type": "<b>"}, {"before": "0"}, {"actor": "not an e-mail"},
                                    {"since": "2026-05-02", "until": "2026-05-01"}])
def test_filter_values_that_do_not_fit_are_422_pages(console: Console, clients: dict[str, TestClient],
                                                     params: dict[str, str]) -> None:
    r = clients["admin"].get("/admin/audit", params=params, headers=EN)
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")


def test_other_page_parameters_that_do_not_fit(console: Console, clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    for path, bad in (("/admin/users", {"page": "0"}), ("/admin/users", {"done": "x"}),
                      ("/admin/agencies", {"done": "x"}), ("/admin/loads/x", {})):
        assert admin.get(path, params=bad, headers=EN).status_code == 422, (path, bad)
    assert admin.get("/admin/users", params={"page": "9"}, headers=EN).status_code == 404
    assert admin.get("/admin/organisations/999999", headers=EN).status_code == 404


def test_no_csrf_token_no_write(console: Console, clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    assert _post(admin, f"/admin/users/{console.ids['other']}/role", {"role": "admin"}, csrf=False).status_code == 403
    assert _post(admin, "/admin/organisations", {"name": "No token", "kind": "sme"}, csrf=False).status_code == 403
    assert _post(admin, "/admin/forums", {"name": "No token"}, csrf=False).status_code == 403
    r = admin.post("/admin/forums", data={"name": "Forged", "csrf_token": "forged"}, headers=EN)
    assert r.status_code == 403
    assert _audit(console, "user.role.set") == [] and _audit(console, "org.create") == []
    assert _audit(console, "forum.category.create") == []


def test_markup_in_names_stays_text(console: Console, clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    r = _post(admin, "/admin/organisations", {"name": f"Org {XSS}", "kind": "association"})
    assert r.status_code == 303
    org_page = admin.get(r.headers["location"], headers=EN).text
    assert "The organisation was created." in org_page
    for text in (org_page, admin.get("/admin/organisations", headers=EN).text,
                 admin.get("/admin/users", headers=EN).text, admin.get("/admin/agencies", headers=EN).text,
                 admin.get("/admin/audit", headers=EN).text):
        assert XSS not in text and "<script>alert" not in text
    assert "Org &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in org_page
    assert "I run it &lt;script&gt;" in admin.get("/admin/agencies", headers=EN).text
    trail = admin.get("/admin/audit", params={"action": "org.create"}, headers=EN).text
    assert "<dt>Name given</dt><dd>Org &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</dd>" in trail


def test_an_admin_hands_over_a_link_to_set_a_new_password(console: Console, clients: dict[str, TestClient]) -> None:
    """On a site that sends no e-mail, "ask an administrator" led to the command line alone: the
    console makes the link, shows it this once to the admin, and it sets the password as a mailed
    one does (once; the sessions closed)."""
    admin, member = clients["admin"], clients["member"]
    made = _post(admin, f"/admin/users/{console.ids['member']}/password-link", {"q": "member"})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    shown = html.fromstring(made.text).get_element_by_id("password-link")
    assert console.people["member"] in shown.text_content() and "within 30 minutes" in shown.text_content()
    link = shown.get_element_by_id("handed-link").get("value")
    assert link.startswith(f"{console.settings.public_url.rstrip('/')}/password/reset#token=")
    token = parse_qs(urlsplit(link).fragment)["token"][0]
    assert token not in admin.get("/admin/users", headers=EN).text  # shown this once, in the answer to the POST
    fresh = TestClient(console.app)
    new = "a new and long passphrase 7"
    empty = fresh.post("/password/reset", data={"token": token, "csrf_token": _csrf(fresh)}, headers=EN)
    assert empty.status_code == 400 and 'id="reset-error"' in empty.text  # it was a whole page of 422
    done = fresh.post("/password/reset", data={"token": token, "password": new, "csrf_token": _csrf(fresh)},
                      headers=EN, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login?after=reset"
    again = fresh.post("/password/reset", data={"token": token, "password": new + "!", "csrf_token": _csrf(fresh)},
                       headers=EN, follow_redirects=False)
    assert again.status_code == 400  # spent
    assert member.get("/account", headers=EN, follow_redirects=False).status_code == 303  # signed out
    signed = fresh.post("/login", data={"email": console.people["member"], "password": new,
                                        "csrf_token": _csrf(fresh)}, headers=EN, follow_redirects=False)
    assert signed.status_code == 303
    made_by = [(e.object_id, e.details) for e in _audit(console, "user.password.reset_request")]
    assert made_by == [(str(console.ids["member"]), {"by": "admin"})]
    # hostile: a member, a moderator, no token, an account that is not there, a deactivated one
    assert _post(clients["other"], f"/admin/users/{console.ids['mod']}/password-link", {}).status_code == 403
    assert _post(clients["mod"], f"/admin/users/{console.ids['other']}/password-link", {}).status_code == 403
    assert _post(admin, f"/admin/users/{console.ids['mod']}/password-link", {}, csrf=False).status_code == 403
    assert _post(admin, "/admin/users/999999/password-link", {}).status_code == 404
    for someone in ("admin", "other_admin"):  # whoever opens it acts as that account: not for an administrator
        with session_factory(console.settings.effective_database_url)() as s:
            target = console.ids["admin"] if someone == "admin" else create_user(
                s, f"admin2-{uuid.uuid4().hex[:6]}@example.org", PASSWORD, "Second admin", Role.admin).id
            s.commit()
        refused = _post(admin, f"/admin/users/{target}/password-link", {})
        assert refused.status_code == 403 and "is not set by a link from the console" in refused.text
        assert f'action="/admin/users/{target}/password-link"' not in refused.text  # and offered for none
    assert _post(admin, f"/admin/users/{console.ids['other']}/active", {"active": "false"}).status_code == 303
    off = _post(admin, f"/admin/users/{console.ids['other']}/password-link", {}, headers=ZH)
    assert off.status_code == 400 and "已停用的账号不能设置密码：请先重新启用" in off.text
    assert len(_audit(console, "user.password.reset_request")) == 1
    # a link made for a member who is an administrator by the time it is opened opens nothing
    made = _post(admin, f"/admin/users/{console.ids['mod']}/password-link", {})
    late = parse_qs(urlsplit(html.fromstring(made.text).get_element_by_id("handed-link").get("value")).fragment)
    assert _post(admin, f"/admin/users/{console.ids['mod']}/role", {"role": "admin"}).status_code == 303
    opened = fresh.post("/password/reset", data={"token": late["token"][0], "password": new,
                                                 "csrf_token": _csrf(fresh)}, headers=EN, follow_redirects=False)
    assert opened.status_code == 400 and "has expired or was used already" in opened.text
    # the page a person without a password reads says where to go, in both languages
    for headers, said in ((EN, "its administrators are asked to give you a link"), (ZH, "本站管理员")):
        assert said in clients["anon"].get("/password/forgot", headers=headers).text


def test_on_a_site_without_mail_a_forgotten_password_reaches_the_administrators(
        console: Console, clients: dict[str, TestClient]) -> None:
    """The forgotten-password page was a dead end here: it said to ask an administrator, and gave no
    way to. The address now reaches every administrator's inbox, with the way to the link; the
    answer is the same whether or not an account uses it, and an administrator's own is asked of no one."""
    anon = clients["anon"]
    member, admin = console.people["other"], console.people["admin"]
    answers = []
    for address in (member, "nobody-here@example.org", admin):
        r = anon.post("/password/forgot", data={"email": address, "csrf_token": _csrf(anon, "/password/forgot")},
                      headers=ZH)
        assert r.status_code == 200, r.text
        answers.append(html.fromstring(r.text).find_class("notice")[0].text_content().replace(address, "…"))
    assert answers[0] == answers[1] == answers[2] and "管理员" in answers[0]
    inbox = html.fromstring(clients["admin"].get("/inbox", headers=ZH).text)
    asked = [" ".join(li.text_content().split()) for li in inbox.find_class("hit")
             if "设置新密码的链接" in li.text_content()]
    assert len(asked) == 1 and member in asked[0], asked
    link = inbox.xpath("//a[starts-with(@href, '/admin/users?')]/@href")
    assert link == ["/admin/users?" + urlencode({"q": member})]
    listed = clients["admin"].get(link[0], headers=EN).text
    assert f'action="/admin/users/{console.ids["other"]}/password-link"' in listed
    assert "只把链接交给经您信任的渠道联系到的账号本人" in asked[0]  # anyone may ask: the notice says so
    assert _post(clients["admin"], f"/admin/users/{console.ids['other']}/password-link", {}).status_code == 200
    settled = " ".join(clients["admin"].get("/inbox", headers=ZH).text.split())
    assert "已为该账号生成链接" in settled and "只把链接交给" not in settled
    assert "设置新密码的链接" not in clients["mod"].get("/inbox", headers=ZH).text  # administrators only
    assert len(_audit(console, "user.password.reset_request")) == 3  # two asked for, one link made


def test_organisations_and_their_members(console: Console, clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    r = _post(admin, "/admin/organisations", {"name": "粤港澳知识产权联盟", "kind": "association"})
    org = int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])
    form = admin.get(f"/admin/organisations/{org}", headers=EN).text  # a new member is a member unless chosen
    assert '<option value="member" selected>' in form and '<option value="org_admin" >' in form
    r = _post(admin, f"/admin/organisations/{org}/members", {"email": console.people["member"].upper(),
                                                              "role": "org_admin"})
    assert r.status_code == 303
    page = admin.get(r.headers["location"], headers=EN).text
    assert "The member was added." in page and console.people["member"] in page and "Organisation admin" in page
    again = _post(admin, f"/admin/organisations/{org}/members", {"email": console.people["member"]})
    assert again.status_code == 409 and "Already a member" in again.text
    nobody = _post(admin, f"/admin/organisations/{org}/members", {"email": "nobody@example.org"})
    assert nobody.status_code == 404 and 'value="nobody@example.org"' in nobody.text
    # the browser's "required" bypassed: each field sent empty, or not at all, was a whole page of 422
    for sent in ({"email": " "}, {}):
        blank = _post(admin, f"/admin/organisations/{org}/members", sent)
        assert blank.status_code == 400 and "E-mail is required" in blank.text, blank.text[-600:]
    zh = _post(admin, f"/admin/organisations/{org}/members", {}, headers=ZH)
    assert zh.status_code == 400 and "电子邮箱为必填项" in zh.text
    unnamed = _post(admin, "/admin/organisations", {"kind": "sme"})
    assert unnamed.status_code == 400 and 'id="o-name"' in unnamed.text
    dup = _post(admin, "/admin/organisations", {"name": "粤港澳知识产权联盟", "kind": "sme"})
    assert dup.status_code == 409 and 'value="粤港澳知识产权联盟"' in dup.text
    listed = admin.get("/admin/organisations", headers=EN).text
    assert "粤港澳知识产权联盟" in listed and "Industry association" in listed
    assert [e.object_id for e in _audit(console, "org.member.add")] == [str(org)]
    trail = admin.get("/admin/audit", params={"action": "org.create"}, headers=EN).text
    assert "粤港澳知识产权联盟" in trail  # details with their Chinese as characters


def test_deactivate_and_reactivate_an_account(console: Console, clients: dict[str, TestClient]) -> None:
    admin, member = clients["admin"], clients["member"]
    assert member.get("/account", headers=EN).status_code == 200
    listed = admin.get("/admin/users", headers=EN).text  # the button asks first (app.js), naming the account
    assert f'data-confirm="Deactivate {console.people["member"]}? The account is signed out everywhere' in listed
    r = _post(admin, f"/admin/users/{console.ids['member']}/active", {"active": "false"})
    assert r.status_code == 303 and "done=deactivated" in r.headers["location"]
    assert member.get("/account", headers=EN, follow_redirects=False).status_code == 303  # signed out
    fresh = TestClient(console.app)
    refused = fresh.post("/login", data={"email": console.people["member"], "password": PASSWORD,
                                         "csrf_token": _csrf(fresh)}, headers=EN, follow_redirects=False)
    assert refused.status_code == 403 and "This account is deactivated" in refused.text  # not "wrong password"
    wrong = fresh.post("/login", data={"email": console.people["member"], "password": "not the password 1",
                                       "csrf_token": _csrf(fresh)}, headers=EN, follow_redirects=False)
    assert wrong.status_code == 401 and "deactivated" not in wrong.text  # nothing said without the password
    assert _post(admin, f"/admin/users/{console.ids['member']}/active", {"active": "true"}).status_code == 303
    self_off = _post(admin, f"/admin/users/{console.ids['admin']}/active", {"active": "false"})
    assert self_off.status_code == 400 and "You cannot deactivate your own account" in self_off.text
    self_demoted = _post(admin, f"/admin/users/{console.ids['admin']}/role", {"role": "member"})
    assert self_demoted.status_code == 400 and "You cannot change your own role" in self_demoted.text
    assert admin.get("/admin/users", headers=EN).status_code == 200  # still an admin
    assert [e.object_id for e in _audit(console, "user.deactivate")] == [str(console.ids["member"])]
    assert [e.object_id for e in _audit(console, "user.reactivate")] == [str(console.ids["member"])]


def test_claims_integrity_records_and_forum_categories(console: Console, clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    page = admin.get("/admin/agencies", headers=EN).text
    assert f'id="claim-{console.claim}"' in page and console.people["member"] in page
    r = _post(admin, f"/admin/agencies/claims/{console.claim}", {"decision": "approve"})
    assert r.status_code == 303 and "The claim was approved." in admin.get(r.headers["location"], headers=EN).text
    assert _post(admin, f"/admin/agencies/claims/{console.claim}", {"decision": "refuse"}).status_code == 409
    with session_factory(console.settings.effective_database_url)() as s:
        assert s.scalars(select(Agency.owner_id).where(Agency.id == console.agency)).one() == console.ids["member"]
    form = {"agency": str(console.agency), "kind": "sanction", "points": "15", "description": "Fined for 非正常申请",
            "source": "广东省知识产权局 2025-17", "occurred_on": "2025-03-01", "evidence": "https://example.org/a\n\n"}
    r = _post(admin, "/admin/agencies/integrity", form)
    assert r.status_code == 303 and r.headers["location"] == "/admin/agencies?done=record#content"  # the notice in view
    assert "广东省知识产权局 2025-17" in admin.get("/admin/agencies", headers=EN).text
    bad = _post(admin, "/admin/agencies/integrity", form | {"points": "many", "source": "kept"})
    assert bad.status_code == 400 and 'value="kept"' in bad.text and "Points are a number" in bad.text
    # a refused form comes back at itself: on a phone it was far below the top the page opened at
    page = html.fromstring(bad.text)
    assert page.xpath("//form[@action='/admin/agencies/integrity#new-record']")
    assert page.get_element_by_id("new-record").xpath(".//*[@id='record-error']")
    assert page.xpath("//form[@action='/admin/agencies#new-agency']")
    # a sanction dated 2099 lowered the agency's tier at once; the box offers no later day than today
    future = _post(admin, "/admin/agencies/integrity", form | {"occurred_on": "2099-01-01"})
    assert future.status_code == 400 and "Date: the date it happened is in the future" in future.text
    assert 'value="2099-01-01"' in future.text and 'name="occurred_on" type="date" required max="' in future.text
    r = _post(admin, "/admin/forums", {"name": "专利运营 Licensing", "description": "许可与转让"})
    assert r.status_code == 303 and "专利运营 Licensing" in admin.get("/admin/forums", headers=EN).text
    short = _post(admin, "/admin/forums", {"name": "x"})
    assert short.status_code == 400 and "2 to 100 characters" in short.text
    unnamed = _post(admin, "/admin/forums", {"description": "kept <b>as text</b>"})
    assert unnamed.status_code == 400 and "2 to 100 characters" in unnamed.text
    assert "kept &lt;b&gt;as text&lt;/b&gt;" in unnamed.text
    for field in ("kind", "points", "description", "source", "occurred_on"):  # each sent empty, then not at all
        for sent in (form | {field: ""}, {k: v for k, v in form.items() if k != field}):
            refused = _post(admin, "/admin/agencies/integrity", sent)
            assert refused.status_code == 400 and 'id="record-error"' in refused.text, (field, refused.status_code)
    assert len(_audit(console, "agency.integrity")) == 1 and len(_audit(console, "forum.category.create")) == 1


def test_an_admin_adds_an_agency_to_the_directory(console: Console, clients: dict[str, TestClient]) -> None:
    """The directory's only way in from the portal: the agency as the register lists it, its region
    and IPC fields read as typed; refusals shown beside the form with what was typed kept."""
    admin, number = clients["admin"], f"31-{uuid.uuid4().hex[:8]}"

    def add(fields: dict[str, str], services: tuple[str, ...] = ("patent", "law"), client: TestClient = admin,
            headers: dict[str, str] = EN) -> httpx.Response:
        data: dict[str, str | list[str]] = {"name": f"上海专利所 {XSS}", "licence_number": number, "province": "",
                                            "city": "上海", "ipc_subclasses": "H01L，h04w G06F",
                                            "practitioners": "12", "founded_year": "1998", "contact": "021-5555",
                                            "service_types": list(services), "csrf_token": _csrf(client)} | fields
        return client.post("/admin/agencies", data=data, headers=headers, follow_redirects=False)

    assert "Add the agency" in admin.get("/admin/agencies", headers=EN).text
    done = add({})
    assert done.status_code == 303
    with session_factory(console.settings.effective_database_url)() as s:
        added = s.scalars(select(Agency.id).where(Agency.licence_number == number)).one()
    notice = admin.get(done.headers["location"], headers=EN).text
    # the notice names the agency added, as text, and links its profile
    assert re.search(r'class="notice" role="status">上海专利所 &lt;script&gt;.*? was added: it is in the directory, '
                     rf'and integrity records can name it. <a href="/community/agencies/{added}">Open its profile</a>',
                     notice) and XSS not in notice
    unknown = admin.get("/admin/agencies?done=agency&added=99999999", headers=EN).text
    assert "The agency was added" in unknown  # an id from the URL that names nothing: the fixed sentence
    listed = admin.get("/community/agencies?q=上海专利所", headers=EN).text
    assert "&lt;script&gt;" in listed and XSS not in listed  # the name is text
    assert f"Licence number {number}" in listed  # two agencies of one name and city are told apart
    with session_factory(console.settings.effective_database_url)() as s:
        agency = s.scalars(select(Agency).where(Agency.licence_number == number)).one()
        assert (agency.province_code, agency.city_code) == ("310000", None)  # a municipality is a province
        assert agency.ipc_subclasses == ["G06F", "H01L", "H04W"] and agency.service_types == ["patent", "law"]
        assert (agency.practitioners, agency.founded_year) == (12, 1998)
    created = [r for r in _audit(console, "agency.create") if r.object_id == str(agency.id)]
    assert [r.actor_id for r in created] == [console.ids["admin"]]
    # refusals, beside the form, with what was typed kept
    again = add({"contact": "kept 021"})
    assert again.status_code == 409 and number in again.text and 'value="kept 021"' in again.text
    for fields, said in (({"licence_number": f"x-{uuid.uuid4().hex[:6]}", "city": "火星"}, "未知地区“火星”"),
                         ({"licence_number": f"y-{uuid.uuid4().hex[:6]}", "ipc_subclasses": "LED"}, "IPC"),
                         ({"licence_number": f"z-{uuid.uuid4().hex[:6]}", "founded_year": "1066"}, "成立年份"),
                         ({"name": "x"}, "名称")):
        refused = add(fields, headers=ZH)
        assert refused.status_code == 400 and said in refused.text, (fields, refused.text[-2000:])
        assert 'id="agency-error"' in refused.text
    both = add({"name": "x", "founded_year": "1066"}, headers=ZH)  # every value that does not fit, at once
    assert both.status_code == 400 and re.search(r"名称[^<]*；[^<]*成立年份[^<]*1900", both.text), both.text[-3000:]
    assert "1,900" not in add({"founded_year": "1066"}).text  # a year is printed as years are
    municipality = add({"licence_number": f"v-{uuid.uuid4().hex[:6]}", "province": "广东"}, headers=ZH)
    assert municipality.status_code == 400 and "上海市是直辖市，不属于广东省" in municipality.text
    assert add({"licence_number": "w-1"}, services=("brokerage",)).status_code == 400
    for missing in ("name", "licence_number"):  # the browser's "required" bypassed: it was a whole page of 422
        sent = {"name": "No licence", "licence_number": "n-1", "csrf_token": _csrf(admin)}
        del sent[missing]
        refused = admin.post("/admin/agencies", data=sent, headers=EN, follow_redirects=False)
        assert refused.status_code == 400 and 'id="agency-error"' in refused.text, (missing, refused.status_code)
    # members get the 403 page, visitors are sent to log in; a form without its token changes nothing
    assert add({"licence_number": "m-1"}, client=clients["member"]).status_code == 403
    visitor = clients["anon"].post("/admin/agencies", data={"name": "Anon", "licence_number": "a-1",
                                                            "csrf_token": _csrf(clients["anon"])},
                                   headers=EN, follow_redirects=False)
    assert visitor.status_code == 303 and visitor.headers["location"].startswith("/login")
    forged = admin.post("/admin/agencies", data={"name": "Forged", "licence_number": "f-1"}, headers=EN)
    assert forged.status_code == 403
    with session_factory(console.settings.effective_database_url)() as s:
        assert not s.scalars(select(Agency).where(Agency.licence_number.in_(["m-1", "a-1", "f-1", "w-1", "n-1"]))).all()


def test_a_load_is_started_from_the_folders_the_service_lists(console: Console,
                                                              clients: dict[str, TestClient]) -> None:
    admin = clients["admin"]
    assert "No files are waiting" in admin.get("/admin/loads", headers=EN).text
    folder = new_documents(console.settings, "batch-7", 2)
    page = admin.get("/admin/loads", headers=EN).text
    assert f'value="{folder.resolve()}"' in page and "batch-7" in page
    outside = _post(admin, "/admin/loads", {"path": "/etc"})
    assert outside.status_code == 400 and "outside the folders loads may read" in outside.text
    assert _post(admin, "/admin/loads", {}).status_code == 400
    r = _post(admin, "/admin/loads", {"path": str(folder)})
    assert r.status_code == 303
    run_page = admin.get(r.headers["location"], headers=EN).text
    run = int(r.headers["location"].rsplit("/", 1)[1])
    assert f'hx-get="/admin/loads/{run}/progress"' in run_page and 'id="load-bar"' in run_page
    fragment = admin.get(f"/admin/loads/{run}/progress", headers=EN | {"HX-Request": "true"}).text
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    assert [e.object_id for e in _audit(console, "load.start")] == [str(run)]
    assert admin.get("/admin/loads/999999", headers=EN).status_code == 404


# --- in Chromium -----------------------------------------------------------------------------------

def _log_in(page: BrowserPage, portal_url: str) -> None:
    page.goto(f"{portal_url}/login?next=/admin")
    page.get_by_label(re.compile("E-mail|电子邮箱")).fill(ADMIN[0])
    page.get_by_label(re.compile("^(Password|密码)")).fill(ADMIN[1])
    page.locator("main form button").first.click()
    expect(page.get_by_role("button", name=re.compile("Log out|退出"))).to_be_visible()


def _claimed_agency(portal_url: str, admin_token: str, name: str) -> None:
    """An agency, a member's pending claim on it and an organisation, so the console lists something."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    r = httpx.post(f"{portal_url}/api/v1/agencies", headers=admin,
                   json={"name": f"广州知识产权代理 {name}", "licence_number": f"44-{name}", "province": "广东"})
    assert r.status_code == 201, r.text
    email = f"claimant-{name}@example.org"
    assert httpx.post(f"{portal_url}/api/v1/auth/register",
                      json={"email": email, "password": PASSWORD, "display_name": "代理人 Li"}).status_code == 201
    token = httpx.post(f"{portal_url}/api/v1/auth/token", data={"username": email, "password": PASSWORD}).json()
    claim = httpx.post(f"{portal_url}/api/v1/agencies/{r.json()['id']}/claims", json={"text": f"营业执照 {XSS}"},
                       headers={"Authorization": f"Bearer {token['access_token']}"})
    assert claim.status_code == 201, claim.text
    org = httpx.post(f"{portal_url}/api/v1/orgs", headers=admin, json={"name": f"协会 {name}", "kind": "association"})
    assert org.status_code == 201, org.text


@pytest.mark.parametrize("lang", ["zh-CN", "en-GB"])
def test_an_admin_starts_a_load_and_watches_its_progress(browser: Browser, portal_url: str, admin_token: str,
                                                         portal_settings: Settings, lang: str) -> None:
    name = f"admin-{lang}-{uuid.uuid4().hex[:6]}"
    folder = new_documents(portal_settings, name, 3)
    # one document the loader must quarantine (its own bytes: a file already loaded is not read again)
    (folder / "broken.xml").write_text(f'<us-patent-grant><oops id="{name}"></us-patent-grant>\n')
    _claimed_agency(portal_url, admin_token, name)
    page = new_page(browser, lang)
    _log_in(page, portal_url)
    page.goto(f"{portal_url}/admin")
    assert axe_violations(page) == []
    screenshot(page, f"admin-home-{lang[:2]}")
    page.locator('.console-nav a[href="/admin/loads"]').click()
    page.get_by_label(re.compile(re.escape(name))).check()
    assert axe_violations(page) == []
    screenshot(page, f"admin-loads-{lang[:2]}")
    page.locator('main form[action="/admin/loads"] button').click()
    expect(page).to_have_url(re.compile(r"/admin/loads/\d+$"))
    expect(page.locator("#load-bar")).to_be_visible()
    expect(page.locator("#load-summary")).to_be_visible(timeout=90_000)  # polled by htmx, no reload
    expect(page.locator("#load-bar")).to_have_attribute("value", "100")
    expect(page.locator("#load-status .badge")).to_have_class(re.compile("load-done"))
    expect(page.locator("#load-loaded")).to_have_text("3")
    expect(page.locator("#load-failed")).to_have_text("1")
    expect(page.locator("#quarantine")).to_contain_text("broken.xml")
    expect(page.locator("#quarantine")).to_contain_text("malformed XML")
    assert axe_violations(page) == []
    screenshot(page, f"admin-load-{lang[:2]}")
    for path in PAGES[1:]:
        page.goto(f"{portal_url}{path}")
        assert axe_violations(page) == [], path
        screenshot(page, f"admin-{path.rsplit('/', 1)[1]}-{lang[:2]}")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    for path in ("/admin", "/admin/users", "/admin/audit"):
        page.goto(f"{portal_url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path  # tables scroll inside
        screenshot(page, f"admin-phone-{path.rsplit('/', 1)[1]}-{lang[:2]}")
    page.context.close()


def test_the_console_reads_on_postgresql(prod_settings: Settings) -> None:
    """The same reads on the production database (counts, searches, joins, the trail's filters)."""
    with session_factory(prod_settings.effective_database_url)() as s:
        admin = create_user(s, f"pg-{uuid.uuid4().hex[:6]}@example.org", PASSWORD, "PG admin", Role.admin)
        s.commit()
        email = admin.email
    with TestClient(create_app(prod_settings)) as client:
        r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client)},
                        headers=EN, follow_redirects=False)
        assert r.status_code == 303
        assert _post(client, "/admin/organisations", {"name": "PG 协会", "kind": "association"}).status_code == 303
        for path in [*PAGES, "/admin/users?q=PG", "/admin/audit?action=org.create&object_type=organisation"]:
            assert client.get(path, headers=ZH).status_code == 200, path
        today = dt.datetime.now(BEIJING).date().isoformat()
        trail = client.get("/admin/audit", params={"actor": email, "since": today, "until": today}, headers=EN).text
        assert "org.create" in trail and "session.open" in trail


def test_an_empty_site_says_so_and_shows_admins_how_to_fill_it(embedded_settings: Settings) -> None:
    """A site without the demo starts with no agency and no service: "no agency matches these
    filters" would be wrong, and an admin is shown the way in (a visitor is told no command)."""
    with session_factory(embedded_settings.effective_database_url)() as s:
        email = create_user(s, f"admin-{uuid.uuid4().hex[:6]}@example.org", PASSWORD, "Admin", Role.admin).email
        s.commit()
    with TestClient(create_app(embedded_settings)) as anon, TestClient(create_app(embedded_settings)) as admin:
        page = anon.get("/community/agencies", headers=ZH).text
        assert "暂无代理机构" in page and "/admin/agencies" not in page
        # a name alone says what it missed; with other filters, which to loosen; spaces alone are no name
        assert "No agency&#39;s name contains “x”" in anon.get("/community/agencies?q=x", headers=EN).text
        assert "No agency matches these filters" in anon.get("/community/agencies?q=x&service=patent",
                                                             headers=EN).text
        assert "No agency&#39;s name" not in anon.get("/community/agencies?q=+", headers=EN).text
        hall = anon.get("/service-hall", headers=ZH).text
        assert "暂未提供办事事项。" in hall and "ipcommons hall seed" not in hall
        r = admin.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(admin)},
                       headers=EN, follow_redirects=False)
        assert r.status_code == 303
        page = admin.get("/community/agencies", headers=EN).text
        assert "No agency is listed yet." in page and 'href="/admin/agencies#agency-h"' in page
        assert "<code>ipcommons hall seed</code>" in admin.get("/service-hall", headers=EN).text


def test_an_admin_switches_a_departments_separation_of_duties_on_the_staff_page(
        console: Console, clients: dict[str, TestClient]) -> None:
    """审批分离 on /service-hall/staff: each department's state said, a button for admins only, the
    change audited; a member's post is 403, a post without its token refused, an unknown department 404."""
    from servicehall import catalogue

    with session_factory(console.settings.effective_database_url)() as s:
        admin_user = s.get(User, console.ids["admin"])
        assert admin_user is not None
        catalogue.seed(_writer(s, admin_user))
    admin, member = clients["admin"], clients["member"]
    page = admin.get("/service-hall/staff", headers=ZH).text
    assert "审批分离" in page and page.count(">允许同一人办理全部环节</button>") == 3  # one per seed department
    duties = "/service-hall/departments/protection/duties"
    assert _post(admin, duties, {"separate": "no"}, csrf=False).status_code == 403
    assert _post(member, duties, {"separate": "no"}).status_code == 403
    assert _post(admin, duties, {"separate": "nope"}).status_code == 422  # neither: nothing switched off
    assert _post(admin, duties, {}).status_code == 422
    missing = _post(admin, "/service-hall/departments/nowhere/duties", {"separate": "no"})
    assert missing.status_code == 404 and "No department nowhere" in missing.text
    assert _audit(console, "hall.duties") == []
    done = _post(admin, duties, {"separate": "no"})
    assert done.status_code == 303 and done.headers["location"] == "/service-hall/staff?notice=shared#duties"
    shown = admin.get(done.headers["location"], headers=EN).text
    assert "One person may now take every step of an application in the department." in shown
    assert shown.count(">Let one person take every step</button>") == 2
    assert shown.count(">Separate duties</button>") == 1
    assert [r.details for r in _audit(console, "hall.duties")] == [{"separate_duties": False}]
