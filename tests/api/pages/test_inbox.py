"""The inbox says what each service-hall notice is about in the reader's language: a yellow card
with the share of the step's time used, a deadline recalculated on the official holiday schedule."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from core.accounts.models import User
from core.db import session_scope
from core.notifications import notify
from core.settings import Settings
from tests.helpers import PASSWORD

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
