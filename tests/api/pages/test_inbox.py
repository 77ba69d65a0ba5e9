"""The inbox says what each service-hall notice is about in the reader's language: a yellow card
with the share of the step's time used, a deadline recalculated on the official holiday schedule;
"mark all as read" marks the reader's unread notices at once, in the page and in the API."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from sqlalchemy import select

from api.app import create_app
from core.accounts.models import User
from core.audit import AuditRecord
from core.db import session_scope
from core.notifications import notify, unread_count
from core.settings import Settings
from tests.helpers import PASSWORD, login

HTML = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}


@pytest.fixture
def web(embedded_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(embedded_settings)) as client:
        yield client


def _signed_up(client: TestClient) -> str:
    page = client.get("/signup", headers=HTML).text
    token = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert token is not None
    email = f"in-{uuid.uuid4().hex[:8]}@example.org"
    r = client.post("/signup", data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
                    headers=HTML, follow_redirects=False)
    assert r.status_code == 303, r.text
    return email


def test_hall_notices_say_what_happened_in_the_readers_language(web: TestClient,
                                                                 embedded_settings: Settings) -> None:
    email = _signed_up(web)
    with session_scope(embedded_settings.effective_database_url) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        notify(session, user.id, "hall.yellow_card", "Yellow card: application SH1 has used 80% of its step's time",
               number="SH20270001", step="handle", due="", share=80)
        notify(session, user.id, "hall.rescheduled", "Application SH2: its promised completion time follows ...",
               number="SH20270002", year=2027, due="")
    zh, en = (html.unescape(web.get("/inbox", headers=h).text) for h in (ZH, HTML))
    assert "办件 SH20270001：黄牌预警，本环节时限已用 80%" in zh
    assert "Application SH20270001: yellow card, 80% of the step's time used" in en
    assert "办件 SH20270002：承诺办结时间已按国务院公布的节假日安排重新计算" in zh
    assert "Application SH20270002: promised completion time recalculated on the official holiday schedule" in en
    assert zh.count('href="/service-hall/applications/SH2027000') == 2


def test_moderation_and_role_notices_say_what_happened_and_link_what_is_left(web: TestClient,
                                                                             embedded_settings: Settings) -> None:
    email = _signed_up(web)
    title = "PCT 费用 <b>x</b>"
    with session_scope(embedded_settings.effective_database_url) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        notify(session, user.id, "forum.post_hidden", "A moderator hid your post 2 in '...'", topic_id=7,
               topic_title=title, post_number=2, post_id=70)
        notify(session, user.id, "forum.post_deleted", "A moderator deleted your post 3 in '...'", topic_id=7,
               topic_title=title, post_number=3)
        notify(session, user.id, "account.role_changed", "Your role is now moderator", role="moderator",
               was="member")
    zh_page, en_page = (web.get("/inbox", headers=h).text for h in (ZH, HTML))
    assert "<b>x</b>" not in zh_page and "&lt;b&gt;x&lt;/b&gt;" in zh_page  # a topic title stays text
    zh, en = html.unescape(zh_page), html.unescape(en_page)
    assert "版主隐藏了您在“PCT 费用 <b>x</b>”中的第 2 楼帖子" in zh and "其他读者已看不到该帖，您自己仍可看到" in zh
    assert "版主删除了您在“PCT 费用 <b>x</b>”中的第 3 楼帖子" in zh
    assert "您的角色已变更为：版主" in zh and "作为版主，您可以隐藏、恢复和删除论坛帖子与主题" in zh
    assert '<a href="/community/moderation">打开审核队列</a>' in zh
    assert "A moderator hid your post 2 in “PCT 费用 <b>x</b>”" in en and "Your role is now: moderator" in en
    assert " · post hidden" in en and " · post deleted" in en and "forum.post_" not in en  # the kinds, in words
    assert " · role changed" in en and "account.role_changed" not in en
    assert zh_page.count('href="/community/posts/70"') == 1 and zh_page.count('href="/community/topics/7"') == 1
    assert "/copyright/records/" not in zh_page  # a post number is not a registration number


def _csrf(client: TestClient) -> str:
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/inbox", headers=HTML).text)
    assert token is not None
    return token.group(1)


def _unread(url: str, email: str) -> int:
    with session_scope(url) as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        return unread_count(session, user.id)


def test_mark_all_as_read_marks_every_unread_notice_once_and_says_how_many(web: TestClient,
                                                                         embedded_settings: Settings) -> None:
    """The inbox had a "Mark as read" per notice only: "Mark all as read" marks every unread notice
    of the reader (not another's) in one go, audited once with how many, and says how many."""
    url = embedded_settings.effective_database_url
    with TestClient(web.app) as other:
        someone_else = _signed_up(other)
    email = _signed_up(web)
    with session_scope(url) as session:
        me, them = (session.scalars(select(User).where(User.email == e)).one() for e in (email, someone_else))
        for n in range(3):
            notify(session, me.id, "collection.new_matches", "x", collection_id=1, collection_name=f"c{n}", count=1)
        notify(session, them.id, "account.role_changed", "Your role is now moderator", role="moderator")
    page = html.unescape(web.get("/inbox", headers=HTML).text)
    assert page.count(">Mark all as read</button>") == 1
    assert page.count('<span aria-hidden="true">Mark as read</span>') == 3  # one a notice
    # without the form's token nothing is marked
    assert web.post("/inbox/read-all", headers=HTML, follow_redirects=False).status_code == 403
    assert _unread(url, email) == 3

    r = web.post("/inbox/read-all", data={"csrf_token": _csrf(web)}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inbox?read=3"
    page = web.get(r.headers["location"], headers=HTML).text
    assert 'role="status">3 messages marked as read.' in page
    assert "Mark all as read" not in page and "Mark as read" not in page  # nothing unread is left
    assert "已将 3 条消息标为已读。" in web.get("/inbox?read=3", headers=ZH).text
    assert _unread(url, email) == 0 and _unread(url, someone_else) == 1  # another's inbox is theirs
    with session_scope(url) as session:
        trail = [(r.action, r.object_type, r.details) for r in session.scalars(
            select(AuditRecord).where(AuditRecord.action.like("notification.%")))]
    assert trail == [("notification.read_all", "user", {"marked": 3})]

    # nothing unread: back to the inbox, nothing said, nothing recorded
    r = web.post("/inbox/read-all", data={"csrf_token": _csrf(web)}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/inbox"
    with session_scope(url) as session:
        assert len(session.scalars(select(AuditRecord).where(
            AuditRecord.action == "notification.read_all")).all()) == 1
    # the notice is a number the page words itself: a link cannot put its own words in the page
    assert web.get("/inbox?read=Your%20account%20is%20locked", headers=HTML).status_code == 422
    assert "marked as read" not in web.get("/inbox?read=0", headers=HTML).text


def test_mark_all_as_read_signed_out_asks_to_log_in(web: TestClient) -> None:
    """A visitor signed out (in another tab, say) who sends the form is asked to log in, then brought
    back to the inbox; without the form's token they are refused."""
    assert web.post("/inbox/read-all", headers=HTML, follow_redirects=False).status_code == 403
    token = re.search(r'name="csrf-token" content="([^"]+)"', web.get("/login", headers=HTML).text)
    assert token is not None
    r = web.post("/inbox/read-all", data={"csrf_token": token.group(1)}, headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Finbox"
    r = web.get("/inbox", headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Finbox")


def test_the_api_marks_every_notice_read(web: TestClient, embedded_settings: Settings) -> None:
    """Beside POST /api/v1/notifications/{id}/read: POST /api/v1/notifications/read-all, which says how many."""
    email = _signed_up(web)
    with session_scope(embedded_settings.effective_database_url) as session:
        me = session.scalars(select(User).where(User.email == email)).one()
        for n in range(2):
            notify(session, me.id, "account.role_changed", f"Your role is now {n}", role="member")
    assert web.post("/api/v1/notifications/read-all").status_code == 401
    headers = login(web, email)
    assert web.post("/api/v1/notifications/read-all", headers=headers).json() == {"marked": 2}
    assert web.get("/api/v1/notifications?unread=true", headers=headers).json() == []
    assert web.post("/api/v1/notifications/read-all", headers=headers).json() == {"marked": 0}


def test_a_notice_arriving_after_the_inbox_was_shown_stays_unread(web: TestClient,
                                                                  embedded_settings: Settings) -> None:
    """The form marks read what the page showed (its newest notice, ``up_to``): one that arrived
    while the reader looked was never seen, and stays unread; the API takes the same bound."""
    url = embedded_settings.effective_database_url
    email = _signed_up(web)
    with session_scope(url) as session:
        me = session.scalars(select(User).where(User.email == email)).one()
        for n in range(2):
            notify(session, me.id, "account.role_changed", f"Your role is now {n}", role="member")
    page = web.get("/inbox", headers=HTML).text
    shown = re.search(r'name="up_to" value="(\d+)"', page)
    assert shown is not None
    with session_scope(url) as session:
        notify(session, me.id, "account.password_changed", "Your password was changed")
    r = web.post("/inbox/read-all", data={"csrf_token": _csrf(web), "up_to": shown.group(1)}, headers=HTML,
                 follow_redirects=False)
    assert r.headers["location"] == "/inbox?read=2" and _unread(url, email) == 1
    assert web.post("/inbox/read-all", data={"csrf_token": _csrf(web), "up_to": "lots"}, headers=HTML,
                    follow_redirects=False).status_code == 422
    assert _unread(url, email) == 1
    headers = login(web, email)
    assert web.post("/api/v1/notifications/read-all", json={"up_to": 0}, headers=headers).status_code == 422
    assert web.post("/api/v1/notifications/read-all", json={"up_to": int(shown.group(1))},
                    headers=headers).json() == {"marked": 0}
    assert web.post("/api/v1/notifications/read-all", json={}, headers=headers).json() == {"marked": 1}


def test_unread_notices_look_different_and_say_so_in_words(web: TestClient, embedded_settings: Settings) -> None:
    """Read and unread notices looked alike (each title was a heading, bold either way): an unread
    one has a marker (a dot, a bar, a bold title: not colour alone) and says "Unread" to a screen
    reader, in the reader's language; a read one has none of these. Titles stay text."""
    email = _signed_up(web)
    with session_scope(embedded_settings.effective_database_url) as session:
        me = session.scalars(select(User).where(User.email == email)).one()
        notify(session, me.id, "account.role_changed", "Your role is now member", role="member")
        notify(session, me.id, "custom.kind", '<img src=x onerror=alert(1)>"unread" notice')
    older = _notice_ids(web)[-1]
    r = web.post(f"/inbox/{older}/read", data={"csrf_token": _csrf(web)}, headers=HTML,
                 follow_redirects=False)  # the older one, read
    assert r.status_code == 303 and r.headers["location"] == f"/inbox#notice-{older}"  # back where it was read
    page = web.get("/inbox", headers=HTML).text
    assert lxml_html.fromstring(page).get_element_by_id(f"notice-{older}").get("class") == "hit"
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;&#34;unread&#34; notice" in page
    unread, read = lxml_html.fromstring(page).xpath("//main//li[contains(@class, 'hit')]")
    assert unread.get("class") == "hit unread-notice" and read.get("class") == "hit"
    title = unread.xpath("h2[@class='notice-title']")[0]
    assert title.xpath("span[@class='visually-hidden']/text()") == ["Unread: "]
    assert title.xpath("span[@class='unread-dot'][@aria-hidden='true']") and title.xpath("strong")
    assert " ".join(title.text_content().split()) == 'Unread: <img src=x onerror=alert(1)>"unread" notice'
    assert not read.xpath(".//*[contains(@class, 'unread') or contains(@class, 'visually-hidden')]")
    assert not read.xpath(".//strong") and read.xpath("h2[@class='notice-title']")
    zh = lxml_html.fromstring(web.get("/inbox", headers=ZH).text)
    assert zh.xpath("//li[contains(@class, 'unread-notice')]/h2//span[@class='visually-hidden']/text()") == ["未读："]


def test_each_mark_as_read_button_names_its_notice(web: TestClient, embedded_settings: Settings) -> None:
    """Every "Mark as read" read the same to a screen reader, one a notice: each is named by its
    notice's title, in the reader's language, and still shows "Mark as read" alone; titles stay text."""
    email = _signed_up(web)
    with session_scope(embedded_settings.effective_database_url) as session:
        me = session.scalars(select(User).where(User.email == email)).one()
        notify(session, me.id, "account.password_changed", "Your password was changed")
        notify(session, me.id, "custom.kind", "<b>Loads</b> resumed")
    for headers, shown, named in ((HTML, "Mark as read", ["Mark as read: <b>Loads</b> resumed",
                                                          "Mark as read: Your password was changed"]),
                                  (ZH, "标为已读", ["标为已读：<b>Loads</b> resumed", "标为已读：您的密码已更改"])):
        page = web.get("/inbox", headers=headers).text
        assert "<b>Loads" not in page
        buttons = lxml_html.fromstring(page).xpath("//main//li[contains(@class, 'hit')]//form//button")
        assert [b.xpath("span[@aria-hidden='true']/text()") for b in buttons] == [[shown], [shown]]
        assert [b.xpath("span[@class='visually-hidden']")[0].text_content() for b in buttons] == named


def _notice_ids(client: TestClient) -> list[int]:
    """The inbox's notices by id, the newest first (as listed), from their "Mark as read" forms."""
    return [int(n) for n in re.findall(r'action="/inbox/(\d+)/read"', client.get("/inbox", headers=HTML).text)]
