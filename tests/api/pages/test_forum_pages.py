"""Forum pages over HTTP and in Chromium: the community home, a category's topics, a topic with
authors' names (never ids), Markdown rendered safely, reply with preview (htmx and plain), quote,
like, flag with a reason, and the moderators' queue (hide, restore, lock, move); hostile requests
(markup in titles, bodies, names and reasons stays text, no CSRF token, a locked topic, a member
moderating, ids that do not exist, page numbers that do not fit, blank posts, a hidden post read
through a quote of it); a member asking in the forum and a
moderator hiding the flagged answer in Chromium, with axe-core in Chinese and English."""

from __future__ import annotations

import datetime as dt
import html
import re
import uuid
from collections.abc import Iterator
from typing import NamedTuple

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from lxml import html as lxml_html
from playwright.sync_api import Browser, expect
from playwright.sync_api import Page as BrowserPage
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.app import create_app
from community.forums import service as svc
from community.forums.models import Post
from community.forums.schemas import CategoryIn, PostIn, TopicIn
from core.accounts.models import Role, User
from core.accounts.service import create_user
from core.audit import AuditContext, AuditRecord, Writer
from core.db import session_factory
from core.settings import Settings
from tests.api.pages.conftest import axe_violations, new_page, screenshot

PASSWORD = "a long password 123"
EN = {"Accept": "text/html", "Accept-Language": "en"}
ZH = {"Accept": "text/html", "Accept-Language": "zh-CN"}
HTMX = EN | {"HX-Request": "true"}
XSS = "<script>alert('x')</script>"


def _writer(session: Session, user: User) -> Writer:
    return Writer(session, user, AuditContext(actor_id=user.id, client_ip="test"))


def _person(session: Session, name: str, role: Role = Role.member) -> str:
    """A member of some days (past the new-user posting limits) named ``name``; their e-mail."""
    email = f"f-{uuid.uuid4().hex[:8]}@example.org"
    user = create_user(session, email, PASSWORD, role=role)
    user.display_name = name
    user.created_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=3)
    session.commit()
    return email


class Forum(NamedTuple):
    app: FastAPI
    settings: Settings
    category: int
    other: int
    people: dict[str, str]  # who: e-mail


@pytest.fixture
def forum(embedded_settings: Settings) -> Forum:
    with session_factory(embedded_settings.effective_database_url)() as s:
        people = {"alice": _person(s, f"Alice {XSS}"), "bob": _person(s, "Bob 王"), "carol": _person(s, "Carol"),
                  "mod": _person(s, "Mod Maria", Role.moderator), "admin": _person(s, "Root", Role.admin)}
        admin = s.scalars(select(User).where(User.email == people["admin"])).one()
        category = svc.create_category(_writer(s, admin), CategoryIn(name="专利申请 Patents", description="PCT, 审查"))
        other = svc.create_category(_writer(s, admin), CategoryIn(name="Copyright", description=""))
    return Forum(create_app(embedded_settings), embedded_settings, category.id, other.id, people)


def _csrf(client: TestClient, path: str = "/community") -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', client.get(path, headers=EN).text)
    assert match is not None
    return match.group(1)


@pytest.fixture
def clients(forum: Forum) -> Iterator[dict[str, TestClient]]:
    """A signed-in client for each person, and ``anon``."""
    signed: dict[str, TestClient] = {}
    with TestClient(forum.app) as anon:
        signed["anon"] = anon
        for who, email in forum.people.items():
            client = TestClient(forum.app)
            form = {"email": email, "password": PASSWORD, "csrf_token": _csrf(client, "/login")}
            r = client.post("/login", data=form, headers=EN, follow_redirects=False)
            assert r.status_code == 303, r.text
            signed[who] = client
        yield signed


def _post(client: TestClient, path: str, data: dict[str, str], headers: dict[str, str] = EN) -> httpx.Response:
    return client.post(path, data=data | {"csrf_token": _csrf(client)}, headers=headers, follow_redirects=False)


def _ask(client: TestClient, category: int, title: str, body: str) -> int:
    r = _post(client, f"/community/forums/{category}/topics", {"title": title, "body": body})
    assert r.status_code == 303, r.text
    location = r.headers["location"]
    assert location.endswith("#content")  # not the form's #new-topic, which a redirect without a fragment keeps
    return int(location.removesuffix("#content").rsplit("/", 1)[1])


def _listed_posts(client: TestClient, category: int, topic: int) -> int:
    """The post count the category's list shows beside ``topic``."""
    page = lxml_html.fromstring(client.get(f"/community/forums/{category}", headers=EN).text)
    [row] = page.xpath(f'//tr[.//a[@href="/community/topics/{topic}"]]')
    return int(row.xpath('string(./td[contains(@class, "num")])'))


def _reply(client: TestClient, topic: int, body: str, quote_of: str = "") -> int:
    r = _post(client, f"/community/topics/{topic}/posts", {"body": body, "quote_of": quote_of})
    assert r.status_code == 303, r.text
    match = re.search(r"#post-(\d+)$", r.headers["location"])
    assert match is not None and r.headers["location"].startswith(f"/community/topics/{topic}")
    return int(match.group(1))


def _post_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="post[^"]*" id="post-(\d+)"', html)]


def test_ask_reply_quote_and_like_under_names(forum: Forum, clients: dict[str, TestClient]) -> None:
    alice, bob = clients["alice"], clients["bob"]
    home = alice.get("/community", headers=EN).text
    assert 'href="/community/agencies"' in home and "专利申请 Patents" in home and "No topics yet" in home

    topic = _ask(alice, forum.category, f"How to file a PCT application? {XSS}",
                 "**Any** tips? <img src=x onerror=alert(1)> [site](javascript:alert(1)) [WIPO](https://wipo.int)")
    page = alice.get(f"/community/topics/{topic}", headers=EN).text
    assert "How to file a PCT application? &lt;script&gt;" in page and XSS not in page
    assert "<strong>Any</strong>" in page and "&lt;img src=x onerror=alert(1)&gt;" in page  # markup is text
    assert "<img" not in page and 'href="javascript' not in page
    assert 'href="https://wipo.int" rel="nofollow ugc noopener noreferrer"' in page
    assert "Alice &lt;script&gt;" in page and forum.people["alice"] not in page  # a name, never the e-mail
    [first] = _post_ids(page)

    listing = bob.get(f"/community/forums/{forum.category}", headers=EN).text
    assert f'href="/community/topics/{topic}"' in listing and "Alice &lt;script&gt;" in listing
    home = bob.get("/community", headers=EN).text
    assert re.search(r'<td class="num">1</td>', home) and f'href="/community/topics/{topic}"' in home

    quoting = bob.get(f"/community/topics/{topic}?quote={first}", headers=EN).text
    assert f'name="quote_of" value="{first}"' in quoting
    assert "&gt; **Alice \\&lt;script\\&gt;alert\\(&#39;x&#39;\\)\\&lt;/script\\&gt;** (#1):" in quoting
    quote = "> **Alice** (#1):\n> **Any** tips?\n\nFile with CNIPA first."
    answer = _reply(bob, topic, quote, str(first))
    page = bob.get(f"/community/topics/{topic}", headers=EN).text
    assert _post_ids(page) == [first, answer] and "<blockquote>" in page and "Bob 王" in page
    assert f'href="/community/posts/{first}"' in page  # "in reply to" leads to the quoted post
    inbox = alice.get("/inbox", headers=ZH).text  # told in her language, with a way to the reply
    assert "“How to file a PCT application? &lt;script&gt;" in inbox and "”有新回复" in inbox and XSS not in inbox
    assert f'href="/community/posts/{answer}"' in inbox and "论坛回复" in inbox and "forum.reply" not in inbox

    r = _post(bob, f"/community/posts/{first}/like", {})
    assert r.status_code == 303 and r.headers["location"] == f"/community/topics/{topic}#post-{first}"
    page = bob.get(f"/community/topics/{topic}", headers=EN).text
    assert 'aria-pressed="true"' in page and "Like · 1" in page
    fragment = _post(bob, f"/community/posts/{first}/like", {}, HTMX)  # unlike, answered with the button alone
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert 'aria-pressed="false"' in fragment.text and "Like · 0" in fragment.text

    own = _post(alice, f"/community/posts/{first}/like", {})
    assert own.status_code == 400 and "You cannot like your own post" in own.text
    assert f'action="/community/posts/{first}/like"' not in alice.get(f"/community/topics/{topic}", headers=EN).text


def test_markdown_preview_with_htmx_and_without(forum: Forum, clients: dict[str, TestClient]) -> None:
    alice = clients["alice"]
    topic = _ask(alice, forum.category, "Preview me", "first")
    body = f"# Heading\n\n{XSS} *em* <b onclick=x>b</b>"
    fragment = _post(alice, "/community/preview", {"body": body}, HTMX)
    assert fragment.status_code == 200 and "<h1>Heading</h1>" in fragment.text and "<em>em</em>" in fragment.text
    assert "&lt;script&gt;alert(" in fragment.text  # shown as text
    assert "<script" not in fragment.text and "<b onclick" not in fragment.text and "<html" not in fragment.text

    plain = _post(alice, f"/community/topics/{topic}/posts", {"body": body, "op": "preview"})
    assert plain.status_code == 200 and "<h1>Heading</h1>" in plain.text
    assert "# Heading\n\n&lt;script&gt;" in plain.text  # the typed text stays in the box, as text
    assert len(_post_ids(alice.get(f"/community/topics/{topic}", headers=EN).text)) == 1  # nothing posted

    new = _post(alice, f"/community/forums/{forum.category}/topics", {"title": "Draft", "body": "**x**",
                                                                      "op": "preview"})
    assert new.status_code == 200 and "<strong>x</strong>" in new.text and 'value="Draft"' in new.text
    assert "Draft" not in alice.get(f"/community/forums/{forum.category}", headers=EN).text.split("New topic")[0]
    assert _post(clients["anon"], "/community/preview", {"body": "x"}, HTMX).status_code == 401


def _queue(client: TestClient) -> str:
    r = client.get("/community/moderation", headers=EN)
    assert r.status_code == 200, r.text
    return r.text


def test_flag_with_a_reason_and_a_moderator_hides_the_post(forum: Forum, clients: dict[str, TestClient]) -> None:
    alice, bob, carol, mod = clients["alice"], clients["bob"], clients["carol"], clients["mod"]
    topic = _ask(alice, forum.category, "Which agency for a utility model?", "In Shenzhen.")
    spam = _reply(bob, topic, "Buy followers at https://spam.example")
    # a reason too short is said in the post's flag box, left open with what was typed
    short = _post(carol, f"/community/posts/{spam}/flag", {"reason": "<b"})
    box = lxml_html.fromstring(short.text).xpath(f'//article[@id="post-{spam}"]//details[@class="flag"]')
    assert short.status_code == 400 and box and box[0].get("open") is not None
    assert box[0].xpath(".//div[@role='alert']")[0].text_content() == "Say why in 3 to 500 characters."
    assert box[0].xpath(".//textarea")[0].text == "<b" and "&lt;b</textarea>" in short.text
    r = _post(carol, f"/community/posts/{spam}/flag", {"reason": f"spam {XSS}"})
    assert r.status_code == 303 and r.headers["location"] == f"/community/topics/{topic}?flagged=1#post-{spam}"
    page = carol.get(r.headers["location"], headers=EN).text
    assert "the moderators will look at the post" in page and "You flagged this post." in page
    short = _post(carol, f"/community/posts/{spam}/flag", {"reason": "x"})
    assert short.status_code == 400 and "Say why in 3 to 500 characters." in short.text

    queue = _queue(mod)
    assert f'id="queued-{spam}"' in queue and "Which agency for a utility model?" in queue
    assert "spam &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in queue and XSS not in queue
    assert "<strong>Carol</strong>" in queue and "Bob 王" in queue
    # the queue is a page of the console: the header marks Admin, and the console's menu marks the queue
    tree = lxml_html.fromstring(queue)
    assert [a.get("href") for a in tree.xpath('//nav[@class="main"]//a[@aria-current="page"]')] == ["/admin"]
    assert tree.xpath('//nav[@class="console-nav"]//a[@aria-current="page"]/@href') == ["/community/moderation"]
    # a moderator is offered the console's pages they may open, not the admins' (403 for them)
    assert tree.xpath('//nav[@class="console-nav"]//a/@href') == ["/admin", "/community/moderation"]

    forbidden = alice.get("/community/moderation", headers=EN)
    assert forbidden.status_code == 403 and "Requires role admin or moderator" in forbidden.text
    assert "Log out" in forbidden.text and f'id="queued-{spam}"' not in forbidden.text
    refused = _post(alice, f"/community/moderation/posts/{spam}", {"action": "hide"})
    assert refused.status_code == 403 and "Permission denied" in refused.text
    assert spam in _post_ids(alice.get(f"/community/topics/{topic}", headers=EN).text)

    done = _post(mod, f"/community/moderation/posts/{spam}", {"action": "hide"})
    assert done.status_code == 303 and done.headers["location"] == "/community/moderation?done=hide"
    assert "Hidden." in mod.get(done.headers["location"], headers=EN).text
    for who in ("alice", "carol", "anon"):
        assert spam not in _post_ids(clients[who].get(f"/community/topics/{topic}", headers=EN).text), who
    for who in ("mod", "bob"):  # moderators, and the author, still see it, marked hidden
        seen = clients[who].get(f"/community/topics/{topic}", headers=EN).text
        assert spam in _post_ids(seen) and "Hidden: by a moderator" in seen, who
    assert carol.get(f"/community/posts/{spam}", headers=EN).status_code == 404

    _post(mod, f"/community/moderation/posts/{spam}", {"action": "restore"})
    assert spam in _post_ids(alice.get(f"/community/topics/{topic}", headers=EN).text)
    assert f'id="queued-{spam}"' not in _queue(mod)  # restoring dismissed the flags
    with session_factory(forum.settings.effective_database_url)() as s:
        actions = list(s.scalars(select(AuditRecord.action).where(
            AuditRecord.object_type == "forum_post", AuditRecord.object_id == str(spam))))
        assert actions == ["forum.post.create", "forum.post.flag", "forum.post.hide", "forum.post.restore"]
        assert s.get(Post, spam) is not None


def test_a_hidden_post_is_not_read_through_the_quotes_of_it(forum: Forum, clients: dict[str, TestClient]) -> None:
    """A moderator hides post #1: a later reply's quote of it shows a placeholder, in the reader's
    language, and no link to it, to members and anonymous readers (the reply's author too); a quote of
    that reply starts without it; moderators and the post's author still read it."""
    alice, bob, carol, mod = clients["alice"], clients["bob"], clients["carol"], clients["mod"]
    topic = _ask(alice, forum.category, "A leaked number", "call me on 555-0100")
    [first] = _post_ids(alice.get(f"/community/topics/{topic}", headers=EN).text)
    quoting = bob.get(f"/community/topics/{topic}?quote={first}", headers=EN).text
    start = re.search(r'<textarea id="reply-body"[^>]*>([^<]*)</textarea>', quoting)
    assert start is not None and "555-0100" in start.group(1)
    answer = _reply(bob, topic, html.unescape(start.group(1)) + "Thanks!", str(first))
    _post(mod, f"/community/moderation/posts/{first}", {"action": "hide"})

    for who in ("carol", "anon", "bob"):
        page = clients[who].get(f"/community/topics/{topic}", headers=EN).text
        assert "555-0100" not in page and f'href="/community/posts/{first}"' not in page, who
        assert "<em>(this post was hidden by a moderator)</em>" in page and "Thanks!" in page, who
    zh = carol.get(f"/community/topics/{topic}", headers=ZH).text
    assert "<em>（该帖已被版主隐藏）</em>" in zh and "555-0100" not in zh
    again = carol.get(f"/community/topics/{topic}?quote={answer}", headers=ZH).text
    assert "（该帖已被版主隐藏）" in again and "555-0100" not in again and "Thanks!" in again
    api = clients["anon"].get(f"/api/v1/forums/topics/{topic}").json()["posts"]
    assert [p["id"] for p in api] == [answer] and "555-0100" not in api[0]["html"]
    for who in ("mod", "alice"):
        page = clients[who].get(f"/community/topics/{topic}", headers=EN).text
        assert page.count("555-0100") == 2 and f'href="/community/posts/{first}"' in page, who
    assert carol.get(f"/community/posts/{first}", headers=EN).status_code == 404


def test_three_flags_hold_a_post_until_a_moderator_decides(forum: Forum, clients: dict[str, TestClient]) -> None:
    topic = _ask(clients["alice"], forum.category, "Held", "question")
    spam = _reply(clients["bob"], topic, "spam again")
    for who in ("alice", "carol"):
        assert _post(clients[who], f"/community/posts/{spam}/flag", {"reason": "spam"}).status_code == 303
    third = _post(clients["admin"], f"/community/posts/{spam}/flag", {"reason": "advertising"})
    assert third.status_code == 303 and third.headers["location"].endswith(f"#post-{spam}")  # staff still see it
    for who in ("alice", "carol", "anon"):
        assert spam not in _post_ids(clients[who].get(f"/community/topics/{topic}", headers=EN).text), who
    held = clients["bob"].get(f"/community/topics/{topic}", headers=EN).text  # the author still sees it
    assert "Hidden: held after 3 members flagged it" in held
    queue = _queue(clients["mod"])
    assert f'id="queued-{spam}"' in queue and "advertising" in queue and "Flags: 3" in queue


def test_a_locked_topic_says_why_and_refuses_replies(forum: Forum, clients: dict[str, TestClient]) -> None:
    alice, bob, mod = clients["alice"], clients["bob"], clients["mod"]
    topic = _ask(alice, forum.category, "Old question", "Answered already.")
    r = _post(mod, f"/community/moderation/topics/{topic}", {"action": "lock", "next": f"/community/topics/{topic}"})
    assert r.status_code == 303 and r.headers["location"] == f"/community/topics/{topic}?done=lock"
    assert "The topic is locked." in mod.get(r.headers["location"], headers=EN).text  # said where it was done
    page = bob.get(f"/community/topics/{topic}", headers=EN).text
    assert "A moderator has locked this topic" in page and 'name="body"' not in page
    refused = _post(bob, f"/community/topics/{topic}/posts", {"body": "me too"})
    assert refused.status_code == 409 and "The topic is locked" in refused.text
    assert len(_post_ids(bob.get(f"/community/topics/{topic}", headers=EN).text)) == 1
    assert 'name="body"' in mod.get(f"/community/topics/{topic}", headers=EN).text  # moderators may still reply

    _post(mod, f"/community/moderation/topics/{topic}", {"action": "move", "category_id": str(forum.other)})
    assert f'href="/community/topics/{topic}"' in bob.get(f"/community/forums/{forum.other}", headers=EN).text
    member = _post(alice, f"/community/moderation/topics/{topic}", {"action": "unlock"})
    assert member.status_code == 403
    gone = _post(mod, f"/community/moderation/topics/{topic}", {"action": "delete",
                                                                "next": f"/community/topics/{topic}"})
    assert gone.headers["location"] == f"/community/forums/{forum.other}?done=delete"
    assert "Deleted." in mod.get(gone.headers["location"], headers=EN).text
    assert bob.get(f"/community/topics/{topic}", headers=EN).status_code == 404


def test_no_csrf_token_no_write(forum: Forum, clients: dict[str, TestClient]) -> None:
    alice, bob = clients["alice"], clients["bob"]
    topic = _ask(alice, forum.category, "Guarded", "text")
    for path, data in ((f"/community/forums/{forum.category}/topics", {"title": "Forged", "body": "x"}),
                       (f"/community/topics/{topic}/posts", {"body": "forged"}), ("/community/preview", {"body": "x"}),
                       (f"/community/moderation/topics/{topic}", {"action": "lock"})):
        r = bob.post(path, data=data | {"csrf_token": "forged"}, headers=EN, follow_redirects=False)
        assert r.status_code == 403 and "did not come from this site" in r.text, path
    [first] = _post_ids(bob.get(f"/community/topics/{topic}", headers=EN).text)
    assert bob.post(f"/community/posts/{first}/like", data={}, headers=EN).status_code == 403
    assert len(_post_ids(bob.get(f"/community/topics/{topic}", headers=EN).text)) == 1
    assert "Forged" not in bob.get(f"/community/forums/{forum.category}", headers=EN).text


def test_topics_are_paginated_with_pinned_topics_first(forum: Forum, clients: dict[str, TestClient]) -> None:
    with session_factory(forum.settings.effective_database_url)() as s:  # staff have no posting limits
        admin = s.scalars(select(User).where(User.email == forum.people["admin"])).one()
        made = [svc.create_topic(_writer(s, admin), TopicIn(category_id=forum.category, title=f"Topic {i:02d}",
                                                             body="x")).id for i in range(31)]
    mod, alice = clients["mod"], clients["alice"]
    r = _post(mod, f"/community/moderation/topics/{made[0]}", {"action": "pin", "next": f"/community/topics/{made[0]}"})
    assert r.status_code == 303 and "Pinned" in mod.get(f"/community/topics/{made[0]}", headers=EN).text
    first = alice.get(f"/community/forums/{forum.category}", headers=EN).text
    listed = re.findall(r'href="/community/topics/(\d+)"', first)
    assert listed[0] == str(made[0]) and listed[1] == str(made[-1]) and len(listed) == 30
    assert 'class="badge pinned"' in first and "?page=2" in first and "31 topics · page 1 of 2" in first
    second = alice.get(f"/community/forums/{forum.category}?page=2", headers=EN).text
    assert re.findall(r'href="/community/topics/(\d+)"', second) == [str(made[1])] and 'rel="prev"' in second
    assert alice.get(f"/community/forums/{forum.category}?page=3", headers=EN).status_code == 404
    api = [t["id"] for t in alice.get(f"/api/v1/forums/categories/{forum.category}/topics").json()]
    assert api[0] == made[0]  # the API lists them in the same order
    _post(mod, f"/community/moderation/topics/{made[0]}", {"action": "unpin"})
    assert re.findall(r'href="/community/topics/(\d+)"',
                      alice.get(f"/community/forums/{forum.category}", headers=EN).text)[0] == str(made[-1])


def test_new_members_are_held_to_the_posting_limits(forum: Forum, clients: dict[str, TestClient]) -> None:
    newcomer = clients["anon"]  # signs up now: a new user (trust level 0)
    email = f"n-{uuid.uuid4().hex[:8]}@example.org"
    r = newcomer.post("/signup", data={"email": email, "password": PASSWORD, "display_name": "Newbie",
                                       "csrf_token": _csrf(newcomer, "/signup")}, headers=EN, follow_redirects=False)
    assert r.status_code == 303, r.text
    _ask(newcomer, forum.category, "First question", "hello")
    again = _post(newcomer, f"/community/forums/{forum.category}/topics", {"title": "Second question", "body": "again"})
    assert again.status_code == 429 and "before posting again" in again.text and 'value="Second question"' in again.text
    links = "[a](https://a.example) [b](https://b.example) [c](https://c.example)"
    topic = _ask(clients["alice"], forum.category, "Links", "x")
    many = _post(newcomer, f"/community/topics/{topic}/posts", {"body": links})
    assert many.status_code == 400 and "New users may post at most 2 links" in many.text


def test_a_blank_post_is_refused_in_words_before_the_posting_limits(forum: Forum,
                                                                    clients: dict[str, TestClient]) -> None:
    """Spaces (past the textarea's ``required``), or Markdown that shows nothing, are refused with a
    sentence even right after a reply; a reply that comes too soon is told how long to wait, in Chinese."""
    newcomer = clients["anon"]  # a new user: 30 s between replies
    email = f"n-{uuid.uuid4().hex[:8]}@example.org"
    r = newcomer.post("/signup", data={"email": email, "password": PASSWORD, "display_name": "Newbie",
                                       "csrf_token": _csrf(newcomer, "/signup")}, headers=EN, follow_redirects=False)
    assert r.status_code == 303, r.text
    topic = _ask(clients["alice"], forum.category, "Blank answers", "question")
    blank_topic = _post(clients["bob"], f"/community/forums/{forum.category}/topics", {"title": "Blank", "body": "   "})
    assert blank_topic.status_code == 400 and "The post is blank: write something readers can see" in blank_topic.text
    _reply(newcomer, topic, "first answer")
    for body in ("   \r\n  ", "&nbsp;\u200b", "[](https://example.org)\n\n> "):
        blank = _post(newcomer, f"/community/topics/{topic}/posts", {"body": body}, ZH)
        assert blank.status_code == 400, body
        assert "帖子是空白的：请写下读者能看到的内容。" in blank.text and "请等待" not in blank.text, body
    assert len(_post_ids(newcomer.get(f"/community/topics/{topic}", headers=EN).text)) == 2
    soon = _post(newcomer, f"/community/topics/{topic}/posts", {"body": "second answer"}, ZH)
    assert soon.status_code == 429 and re.search(r"请等待 \d+ 秒后再发帖。", soon.text), soon.text
    assert "before posting again" not in soon.text and "second answer" in soon.text


def test_moderation_only_returns_to_pages_of_this_site(forum: Forum, clients: dict[str, TestClient]) -> None:
    topic = _ask(clients["alice"], forum.category, "Redirects", "x")
    r = _post(clients["mod"], f"/community/moderation/topics/{topic}", {"action": "lock", "next": "//evil.example/"})
    assert r.status_code == 303 and r.headers["location"] == "/community/moderation?done=lock"


@pytest.mark.parametrize("path", ["/community/topics/999999", "/community/forums/999999", "/community/posts/999999",
                                  "/community/topics/999999?quote=1"])
def test_ids_that_do_not_exist_are_404_pages(forum: Forum, clients: dict[str, TestClient], path: str) -> None:
    r = clients["alice"].get(path, headers=EN)
    assert r.status_code == 404 and "text/html" in r.headers["content-type"] and "Not found" in r.text
    _leads_back_to_the_community(r.text)


def _leads_back_to_the_community(page: str) -> None:
    """An error of the forum pages leads back to the community, as the copyright pages' to their
    register (it offered "Back to search", the patent search)."""
    assert lxml_html.fromstring(page).xpath('//main//a[@href="/community"]/text()') == ["Go to the community forums"]
    assert "Back to search" not in page


def test_the_community_errors_lead_back_to_the_community(forum: Forum, clients: dict[str, TestClient]) -> None:
    alice, bob = clients["alice"], clients["bob"]
    # the API's word for a forum (/api/v1/forums/categories/1) typed into the portal's address
    guessed = alice.get("/community/categories/999", headers=EN, follow_redirects=False)
    assert (guessed.status_code, guessed.headers["location"]) == (308, "/community/forums/999")
    missing = alice.get("/community/categories/999", headers=EN)
    assert missing.status_code == 404 and re.search("[Cc]ategory 999 not found", missing.text)
    _leads_back_to_the_community(missing.text)
    assert alice.get(f"/community/categories/{forum.category}", headers=EN).status_code == 200
    topic = _ask(alice, forum.category, "Whose post?", "mine")
    answer = _reply(bob, topic, "Bob's answer")
    for refused in (alice.get(f"/community/posts/{answer}/edit", headers=EN),  # another member's post: 403
                    alice.get("/community/moderation", headers=EN),  # a member in the moderators' queue
                    alice.get("/community/topics/abc", headers=EN)):  # 422
        assert refused.status_code in (403, 422)
        _leads_back_to_the_community(refused.text)
    zh = alice.get("/community/topics/999999", headers=ZH).text
    assert lxml_html.fromstring(zh).xpath('//main//a[@href="/community"]/text()') == ["前往社区论坛"]
    # elsewhere the way back is still the search
    assert 'href="/">Back to search</a>' in alice.get("/no-such-page", headers=EN).text


@pytest.mark.parametrize("query", ["/community/topics/abc", "/community/forums/x1", "?page=0", "?page=-3",
                                   "?page=abc", "?quote=abc", "?page=1e9"])
def test_page_parameters_that_do_not_fit_are_422_pages(forum: Forum, clients: dict[str, TestClient],
                                                        query: str) -> None:
    topic = _ask(clients["alice"], forum.category, "Pages", "one")
    path = query if query.startswith("/") else f"/community/topics/{topic}{query}"
    r = clients["alice"].get(path, headers=EN)
    assert r.status_code == 422 and "text/html" in r.headers["content-type"] and "does not fit" in r.text


def test_pages_past_the_end_and_hidden_topics_are_404(forum: Forum, clients: dict[str, TestClient]) -> None:
    alice, mod = clients["alice"], clients["mod"]
    topic = _ask(alice, forum.category, "Short", "one")
    assert alice.get(f"/community/topics/{topic}?page=2", headers=EN).status_code == 404
    assert alice.get(f"/community/forums/{forum.category}?page=2", headers=EN).status_code == 404
    _post(mod, f"/community/moderation/topics/{topic}", {"action": "hide"})
    assert alice.get(f"/community/topics/{topic}", headers=EN).status_code == 404
    assert "Hidden from members" in mod.get(f"/community/topics/{topic}", headers=EN).text


def test_refusals_keep_what_was_typed_and_anonymous_readers_are_asked_to_log_in(
        forum: Forum, clients: dict[str, TestClient]) -> None:
    alice, anon = clients["alice"], clients["anon"]
    r = _post(alice, f"/community/forums/{forum.category}/topics", {"title": "ab", "body": "kept <b>text</b>"})
    assert r.status_code == 400 and "A title needs 3 to 300 characters." in r.text
    assert "kept &lt;b&gt;text&lt;/b&gt;" in r.text
    # said inside the form the page scrolls to (#new-topic, #reply): at the top of the page it was out of sight
    said = lxml_html.fromstring(r.text).xpath('//section[@id="new-topic"]//*[@role="alert"]/text()')
    assert said == ["A title needs 3 to 300 characters."]
    empty = _post(alice, f"/community/forums/{forum.category}/topics", {"title": "", "body": ""}, headers=ZH)
    said = lxml_html.fromstring(empty.text).xpath('//section[@id="new-topic"]//*[@role="alert"]/text()')
    assert said == ["标题应为 3 至 300 个字符。请填写帖子内容：至少 1 个字符，最多 50,000 个字符。"]  # both, at once
    topic = _ask(alice, forum.category, "Open to all", "read me")
    blank = lxml_html.fromstring(_post(alice, f"/community/topics/{topic}/posts", {"body": "  "}).text)
    assert blank.xpath('//section[@id="reply"]//*[@role="alert"]/text()') == [
        "The post is blank: write something readers can see"]
    page = anon.get(f"/community/topics/{topic}", headers=EN).text
    assert "read me" in page and 'name="body"' not in page and "/login?next=%2Fcommunity%2Ftopics" in page
    assert _post(anon, f"/community/topics/{topic}/posts", {"body": "anonymous"}).status_code == 401


def _marked(page: str) -> dict[str, list[str]]:
    """The fields a refused form marks (aria-invalid), by id: the ids that describe each."""
    return {field.get("id"): (field.get("aria-describedby") or "").split()
            for field in lxml_html.fromstring(page).xpath('//main//*[@aria-invalid="true"]')}


def test_a_refused_reply_topic_or_edit_marks_its_field(forum: Forum, clients: dict[str, TestClient]) -> None:
    """The refusal was said above the form, the field left unmarked (the flag's form marked its own)."""
    alice = clients["alice"]
    r = _post(alice, f"/community/forums/{forum.category}/topics", {"title": "    ", "body": XSS}, ZH)
    assert r.status_code == 400 and "标题应为 3 至 300 个字符。" in r.text
    assert _marked(r.text) == {"t-title": ["form-error"]} and XSS not in r.text
    r = _post(alice, f"/community/forums/{forum.category}/topics", {"title": XSS, "body": "    "}, ZH)
    assert r.status_code == 400 and _marked(r.text) == {"t-body": ["form-error", "t-body-help"]}
    topic = _ask(alice, forum.category, "Marked fields", "question")
    r = _post(clients["bob"], f"/community/topics/{topic}/posts", {"body": "    "}, ZH)
    assert r.status_code == 400 and "帖子是空白的" in r.text
    assert _marked(r.text) == {"reply-body": ["form-error", "reply-body-help"]}
    post = _post_ids(alice.get(f"/community/topics/{topic}", headers=EN).text)[0]
    r = _post(alice, f"/community/posts/{post}/edit", {"body": "&nbsp;\u200b"})
    assert r.status_code == 400 and _marked(r.text) == {"edit-body": ["form-error", "edit-body-help"]}
    assert alice.get(f"/community/topics/{topic}", headers=EN).status_code == 200  # nothing marked unasked
    assert _marked(alice.get(f"/community/topics/{topic}", headers=EN).text) == {}


def test_the_pages_in_chinese(forum: Forum, clients: dict[str, TestClient]) -> None:
    topic = _ask(clients["alice"], forum.category, "中文问题", "你好")
    for path in ("/community", f"/community/forums/{forum.category}", f"/community/topics/{topic}",
                 "/community/moderation"):
        r = clients["mod"].get(path, headers=ZH)
        assert r.status_code == 200 and '<html lang="zh-Hans">' in r.text, path


# --- in Chromium: a member asks, another answers with spam, a moderator hides it ------------------------

def _api_member(portal_url: str, name: str) -> tuple[str, str, int]:
    """A member signed up through the API: e-mail, token, id."""
    email = f"m-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(f"{portal_url}/api/v1/auth/register", json={"email": email, "password": PASSWORD,
                                                                "display_name": name})
    assert r.status_code == 201, r.text
    token = httpx.post(f"{portal_url}/api/v1/auth/token", data={"username": email, "password": PASSWORD}).json()
    return email, str(token["access_token"]), int(r.json()["id"])


def _log_in(page: BrowserPage, portal_url: str, email: str, password: str) -> None:
    page.goto(f"{portal_url}/login")
    page.get_by_label(re.compile("E-mail|电子邮箱")).fill(email)
    page.get_by_label(re.compile("^(Password|密码)")).fill(password)
    page.locator("main form button").first.click()
    expect(page.get_by_role("button", name=re.compile("Log out|退出"))).to_be_visible()


def _no_axe_violations(page: BrowserPage) -> None:
    assert axe_violations(page) == []


@pytest.mark.parametrize("lang", ["zh-CN", "en-GB"])
def test_a_member_asks_and_a_moderator_hides_a_flagged_answer(browser: Browser, portal_url: str, admin_token: str,
                                                               lang: str) -> None:
    admin = {"Authorization": f"Bearer {admin_token}"}
    category = httpx.post(f"{portal_url}/api/v1/forums/categories", headers=admin,
                          json={"name": f"专利问答 {uuid.uuid4().hex[:6]}", "description": "申请、审查与维权"})
    assert category.status_code == 201, category.text
    cid = category.json()["id"]
    mod_email, _, mod_id = _api_member(portal_url, "审核员 Mia")
    assert httpx.put(f"{portal_url}/api/v1/users/{mod_id}/role", headers=admin,
                     json={"role": "moderator"}).status_code == 200
    _, spammer, _ = _api_member(portal_url, "Spammer")

    page = new_page(browser, lang)
    page.goto(f"{portal_url}/signup")
    email = f"a-{uuid.uuid4().hex[:8]}@example.org"
    page.get_by_label(re.compile("E-mail|电子邮箱")).fill(email)
    page.get_by_label(re.compile("^(Password|密码)")).fill(PASSWORD)
    page.locator("main form button").first.click()
    expect(page.get_by_role("button", name=re.compile("Log out|退出"))).to_be_visible()

    page.goto(f"{portal_url}/community")
    _no_axe_violations(page)
    screenshot(page, f"forum-home-{lang[:2]}")
    page.locator(f'a[href="/community/forums/{cid}"]').click()
    page.wait_for_load_state("load")  # htmx ready
    page.locator("#t-title").fill("如何提交PCT国际申请？")
    page.locator("#t-body").fill("我们是**深圳**的一家小企业，想问：\n\n- 费用\n- 时间")
    page.locator('#new-topic button[value="preview"]').click()
    expect(page.locator("#t-body-preview strong")).to_have_text("深圳")
    expect(page).to_have_url(re.compile(f"/community/forums/{cid}$"))  # rendered by htmx, in place
    expect(page.locator("#t-title")).to_have_value("如何提交PCT国际申请？")
    _no_axe_violations(page)
    screenshot(page, f"forum-category-{lang[:2]}")
    page.locator('#new-topic button[value="post"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("如何提交PCT国际申请？")
    match = re.search(r"/community/topics/(\d+)", page.url)
    assert match is not None
    topic = int(match.group(1))

    r = httpx.post(f"{portal_url}/api/v1/forums/topics/{topic}/posts", headers={"Authorization": f"Bearer {spammer}"},
                   json={"body": "便宜代理！加微信 <script>alert(1)</script>"})
    assert r.status_code == 201, r.text
    spam = r.json()["id"]
    page.reload()
    post = page.locator(f"#post-{spam}")
    expect(post).to_contain_text("Spammer")
    expect(post).to_contain_text("<script>alert(1)</script>")  # shown as text
    post.locator("details.flag summary").click()
    post.get_by_role("textbox").fill("广告 spam")
    post.locator("details.flag button").click()
    expect(page.locator(".notice")).to_be_visible()
    _no_axe_violations(page)
    screenshot(page, f"forum-topic-{lang[:2]}")

    moderator = new_page(browser, lang)
    _log_in(moderator, portal_url, mod_email, PASSWORD)
    moderator.goto(f"{portal_url}/community")
    moderator.locator('a[href="/community/moderation"]').click()
    item = moderator.locator(f"#queued-{spam}")
    expect(item).to_contain_text("广告 spam")
    _no_axe_violations(moderator)
    screenshot(moderator, f"forum-moderation-{lang[:2]}")
    item.locator('button[value="hide"]').click()
    expect(moderator.locator(f"#queued-{spam} .badge.held")).to_be_visible()
    moderator.goto(f"{portal_url}/community/topics/{topic}")
    moderator.locator("details.mod-tools summary").click()
    expect(moderator.locator(f"#post-{spam}.held")).to_be_visible()  # kept for moderators, marked hidden
    _no_axe_violations(moderator)

    page.reload()
    expect(page.locator(f"#post-{spam}")).to_have_count(0)
    expect(page.locator("article.post")).to_have_count(1)

    # deleting asks first, naming the post: "cancel" keeps it, "OK" deletes it
    asked: list[str] = []
    moderator.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    moderator.locator(f'#post-{spam} button[value="delete"]').click()
    expect(moderator.locator(f"#post-{spam}")).to_have_count(1)
    assert len(asked) == 1 and "如何提交PCT国际申请？" in asked[0]
    assert re.search(r"#2 |第 2 楼", asked[0]), asked[0]
    moderator.once("dialog", lambda dialog: dialog.accept())
    with moderator.expect_navigation():
        moderator.locator(f'#post-{spam} button[value="delete"]').click()
    expect(moderator.locator(f"#post-{spam}")).to_have_count(0)
    expect(moderator.locator("article.post")).to_have_count(1)
    page.goto(f"{portal_url}/community/moderation")
    expect(page.locator("h1")).not_to_have_text(re.compile("Moderation queue|审核队列"))
    _no_axe_violations(page)  # the 403 page
    page.context.close()
    moderator.context.close()


def test_a_like_by_keyboard_keeps_the_focus_on_its_button(browser: Browser, portal_url: str,
                                                          admin_token: str) -> None:
    """htmx swaps the like's form: its button had no id, so the focus fell to the page's top and the
    new state (aria-pressed) was never said; the like's form and button have ids of their post now."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    category = httpx.post(f"{portal_url}/api/v1/forums/categories", headers=admin,
                          json={"name": f"Likes {uuid.uuid4().hex[:6]}", "description": ""})
    assert category.status_code == 201, category.text
    _, asker, _ = _api_member(portal_url, f"Asker {XSS}")
    topic = httpx.post(f"{portal_url}/api/v1/forums/topics", headers={"Authorization": f"Bearer {asker}"},
                       json={"category_id": category.json()["id"], "title": f"Like me {XSS}", "body": XSS})
    assert topic.status_code == 201, topic.text
    email, _, _ = _api_member(portal_url, "Liker")
    page = new_page(browser, "zh-CN")
    alerts: list[str] = []
    page.on("dialog", lambda dialog: (alerts.append(dialog.message), dialog.dismiss()))
    _log_in(page, portal_url, email, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone's
    page.goto(f"{portal_url}/community/topics/{topic.json()['id']}")
    page.wait_for_load_state("load")  # htmx ready
    button = page.locator("form.like button")
    button.focus()
    for pressed in ("true", "false"):  # liked, then the like taken back: each said on the focused button
        page.keyboard.press("Enter")
        expect(button).to_have_attribute("aria-pressed", pressed)
        expect(page.locator("form.like")).not_to_have_class(re.compile("htmx-settling"))  # htmx has it again
        focused = page.evaluate("() => [document.activeElement.closest('form.like') !== null,"
                                " document.activeElement.getAttribute('aria-pressed')]")
        assert focused == [True, pressed]
    post = (page.locator("article.post").get_attribute("id") or "").removeprefix("post-")
    assert [page.locator("form.like").get_attribute("id"), button.get_attribute("id")] == [
        f"like-{post}", f"like-{post}-button"]  # unique on the page: one like a post
    assert alerts == [] and XSS in (page.text_content("h1") or "")
    page.context.close()


def test_a_refused_reply_gives_its_field_the_focus_where_the_form_posts_to_its_place(
        browser: Browser, portal_url: str, admin_token: str) -> None:
    """The reply form posts to "…#reply" and comes back there refused: app.js gave up on any "#…",
    so the focus stayed at the page's top; the marked field in the form's own place takes it, after
    the browser has gone to the place."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    category = httpx.post(f"{portal_url}/api/v1/forums/categories", headers=admin,
                          json={"name": f"Focus {uuid.uuid4().hex[:6]}", "description": ""})
    assert category.status_code == 201, category.text
    _, asker, _ = _api_member(portal_url, "Asker")
    topic = httpx.post(f"{portal_url}/api/v1/forums/topics", headers={"Authorization": f"Bearer {asker}"},
                       json={"category_id": category.json()["id"], "title": "Focus me", "body": XSS})
    assert topic.status_code == 201, topic.text
    email, _, _ = _api_member(portal_url, "Replier")
    page = new_page(browser, "zh-CN")
    _log_in(page, portal_url, email, PASSWORD)
    page.goto(f"{portal_url}/community/topics/{topic.json()['id']}")
    page.locator("#reply-body").fill("    ")
    with page.expect_navigation():
        page.locator("#reply-body").evaluate("e => e.form.requestSubmit()")
    page.wait_for_load_state("load")
    assert page.url.endswith("#reply")
    expect(page.locator("#reply-body")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reply-body")).to_be_focused()
    page.context.close()


def test_a_missing_topic_or_page_is_said_in_the_readers_language(forum: Forum, clients: dict[str, TestClient]) -> None:
    """Refusals that carry a number are templates, translated with the number filled in: "topic 12
    not found" used to reach Chinese readers in English."""
    anon = clients["anon"]
    r = anon.get("/community/topics/987654", headers=ZH)
    assert r.status_code == 404 and "主题 987654 不存在" in r.text and "not found" not in r.text
    r = anon.get("/community/topics/987654", headers=EN)
    assert r.status_code == 404 and "Topic 987654 not found" in r.text
    r = anon.get(f"/community/forums/{forum.category}?page=99", headers=ZH)
    assert r.status_code == 404 and "没有第 99 页：最后一页是第 1 页" in r.text


def test_an_author_edits_and_deletes_their_own_reply(forum: Forum, clients: dict[str, TestClient]) -> None:
    alice, bob, mod = clients["alice"], clients["bob"], clients["mod"]
    topic = _ask(alice, forum.category, "PCT fees", "What does a PCT filing cost?")
    answer = _reply(bob, topic, "About 1,300 CHF.")
    page = bob.get(f"/community/topics/{topic}", headers=EN).text
    assert f'href="/community/posts/{answer}/edit"' in page
    assert f'action="/community/posts/{answer}/delete"' in page
    assert 'data-confirm="Delete your post #2? This cannot be undone."' in page
    assert f'href="/community/posts/{answer}/edit"' not in alice.get(f"/community/topics/{topic}", headers=EN).text

    form = bob.get(f"/community/posts/{answer}/edit", headers=EN).text
    assert "About 1,300 CHF.</textarea>" in form and "Save the edit" in form
    shown = _post(bob, f"/community/posts/{answer}/edit", {"body": f"**About** 1,330 CHF {XSS}", "op": "preview"})
    assert shown.status_code == 200 and "<strong>About</strong>" in shown.text and XSS not in shown.text
    blank = _post(bob, f"/community/posts/{answer}/edit", {"body": "   "})
    assert blank.status_code == 400 and "The post is blank: write something readers can see" in blank.text
    saved = _post(bob, f"/community/posts/{answer}/edit", {"body": f"About 1,330 CHF {XSS}"})
    assert saved.status_code == 303 and saved.headers["location"].endswith(f"#post-{answer}")
    page = alice.get(f"/community/topics/{topic}", headers=EN).text
    assert "About 1,330 CHF &lt;script&gt;" in page and XSS not in page and "edited" in page

    # hostile: another member neither opens the form nor posts it; no token, no write
    assert alice.get(f"/community/posts/{answer}/edit", headers=EN).status_code == 403
    assert _post(alice, f"/community/posts/{answer}/edit", {"body": "vandalised"}).status_code == 403
    assert _post(alice, f"/community/posts/{answer}/delete", {}).status_code == 403
    assert bob.post(f"/community/posts/{answer}/delete", headers=EN).status_code == 403
    assert clients["anon"].get(f"/community/posts/{answer}/edit", headers=EN, follow_redirects=False).status_code == 303
    opening = _post_ids(page)[0]
    refused = _post(alice, f"/community/posts/{opening}/delete", {})
    assert refused.status_code == 409 and "The opening post of a topic cannot be deleted" in refused.text
    assert "About 1,330 CHF" in alice.get(f"/community/topics/{topic}", headers=EN).text

    gone = _post(bob, f"/community/posts/{answer}/delete", {})
    assert gone.status_code == 303 and gone.headers["location"] == f"/community/topics/{topic}?deleted=1"
    assert "Your post was deleted." in bob.get(gone.headers["location"], headers=EN).text
    trail = clients["admin"].get("/admin/audit", params={"action": "forum.post.delete"}, headers=ZH).text
    assert "删除帖子" in trail and "<dt>操作方</dt><dd>作者</dd>" in trail  # the trail's words, not "by: author"
    assert _post_ids(bob.get(f"/community/topics/{topic}", headers=EN).text) == [opening]
    assert bob.get(f"/community/posts/{answer}/edit", headers=EN).status_code == 404
    # the category's list counts the posts its reader can read, as the topic page does (it said 2 here,
    # the highest post number, and the next reply became #3 of a topic showing 1)
    assert _listed_posts(bob, forum.category, topic) == len(_post_ids(bob.get(f"/community/topics/{topic}").text)) == 1
    assert " · 1 post\n" in bob.get(f"/community/topics/{topic}", headers=EN).text  # one, not "1 posts"
    api = bob.get(f"/api/v1/forums/categories/{forum.category}/topics").json()
    assert [t["posts"] for t in api if t["id"] == topic] == [1]

    # a locked topic: the author's edit and delete are gone from the page and refused; a moderator edits
    carol = clients["carol"]
    second = _reply(carol, topic, "One more thing.")
    _post(mod, f"/community/moderation/topics/{topic}", {"action": "lock"})
    page = carol.get(f"/community/topics/{topic}", headers=EN).text
    assert f"/community/posts/{second}/edit" not in page and f"/community/posts/{second}/delete" not in page
    locked = _post(carol, f"/community/posts/{second}/edit", {"body": "changed meanwhile"})
    assert locked.status_code == 409 and "The topic is locked" in locked.text
    assert "changed meanwhile</textarea>" in locked.text  # what was typed is not lost
    assert carol.get(f"/community/posts/{second}/edit", headers=EN).status_code == 409  # nor opened anew
    assert _post(mod, f"/community/posts/{second}/edit", {"body": "Moderated."}).status_code == 303


def test_the_edit_form_in_chinese(forum: Forum, clients: dict[str, TestClient]) -> None:
    bob = clients["bob"]
    topic = _ask(clients["alice"], forum.category, "PCT 费用", "PCT 申请要多少钱？")
    answer = _reply(bob, topic, "大约一万元。")
    form = bob.get(f"/community/posts/{answer}/edit", headers=ZH).text
    assert "编辑第 2 楼" in form and "保存修改" in form
    topic_page = bob.get(f"/community/topics/{topic}", headers=ZH).text
    assert ">编辑</a>" in topic_page and 'data-confirm="删除您的第 2 楼帖子？此操作无法撤销。"' in topic_page


def test_deleting_the_only_post_of_the_last_page_shows_the_page_before(forum: Forum,
                                                                      clients: dict[str, TestClient]) -> None:
    """The post was alone on page 2: the redirect asked for a page that was gone with it (a 404)."""
    topic = _ask(clients["alice"], forum.category, "Twenty answers", "Who has an answer?")
    with session_factory(forum.settings.effective_database_url)() as s:
        for n in range(19):  # distinct members: no posting limit is met
            member = s.scalars(select(User).where(User.email == _person(s, f"Member {n}"))).one()
            svc.reply(_writer(s, member), topic, PostIn(body=f"answer {n}"))
    last = _reply(clients["bob"], topic, "the twenty-first post")
    gone = _post(clients["bob"], f"/community/posts/{last}/delete", {})
    assert gone.headers["location"] == f"/community/topics/{topic}?page=2&deleted=1"
    shown = clients["bob"].get(gone.headers["location"], headers=EN)
    assert shown.status_code == 200 and "Your post was deleted." in shown.text and len(_post_ids(shown.text)) == 20


def test_the_guessed_forum_addresses_lead_to_the_community(clients: dict[str, TestClient]) -> None:
    web = clients["anon"]
    for guess in ("/forum", "/forums"):
        r = web.get(guess, headers=EN, follow_redirects=False)
        assert (r.status_code, r.headers["location"]) == (308, "/community")
    assert 'href="/community/forums/' in web.get("/forum", headers=EN).text
    assert web.get("/forum/nothing-here", headers=EN).status_code == 404


def test_a_post_edited_after_a_flag_shows_the_moderators_the_flagged_text(forum: Forum,
                                                                         clients: dict[str, TestClient]) -> None:
    """The tour's case: Carol flagged Bob's hostile post, Bob edited it to harmless text, and the queue
    showed only the new text beside the flag's reason; the edit page promised the earlier text is
    kept in the post's history, which no page showed."""
    alice, bob, carol, mod, anon = (clients[w] for w in ("alice", "bob", "carol", "mod", "anon"))
    topic = _ask(alice, forum.category, "Fees for a design patent?", "How much?")
    hostile = f"**You are all idiots** {XSS}"
    answer = _reply(bob, topic, hostile)
    assert _post(carol, f"/community/posts/{answer}/flag", {"reason": "insults and a script"}).status_code == 303
    assert 'class="caution edited-since"' not in _queue(mod)  # flagged, not edited: nothing to say
    assert _post(bob, f"/community/posts/{answer}/edit", {"body": "Ask the office for its fee schedule."}) \
        .status_code == 303

    item = lxml_html.fromstring(_queue(mod)).xpath(f'//li[@id="queued-{answer}"]')[0]
    note = item.xpath('.//p[contains(@class, "edited-since")]')[0].text_content()
    assert "Edited since it was flagged." in note
    as_flagged = item.xpath('.//div[contains(@class, "as-flagged")]')[0]
    assert as_flagged.xpath(".//strong/text()") == ["You are all idiots"]
    assert "<script>alert" in as_flagged.text_content()  # shown as the text it is
    assert not item.xpath(".//script")  # the flagged markup is text, never markup
    assert "fee schedule" in item.xpath('string(.//div[@class="post-body quoted"])')
    assert item.xpath(".//ul[@class='reasons']/li")[0].text_content().startswith("Carol: insults and a script")
    assert f"/community/posts/{answer}/revisions" in item.xpath(".//a/@href")

    # the moderator reads the history: the flagged text and the text now, each under who wrote it
    history = mod.get(f"/community/posts/{answer}/revisions", headers=EN)
    assert history.status_code == 200 and XSS not in history.text
    page = lxml_html.fromstring(history.text)
    assert page.xpath("string(//h1)") == "History of post 2"
    versions = page.xpath('//article[starts-with(@id, "version-")]')
    assert [v.xpath("string(.//h2)") for v in versions] == ["Version 1", "Version 2: shown now"]
    assert versions[0].xpath(".//div[@class='post-body']/p/strong/text()") == ["You are all idiots"]
    assert versions[0].xpath("string(.//pre)") == hostile and "Posted by Bob 王" in versions[0].text_content()
    assert "Edited by Bob 王" in versions[1].text_content()
    # readers of the post see that it was edited, and may read what it said (as Discourse and the API show it)
    topic_page = lxml_html.fromstring(alice.get(f"/community/topics/{topic}", headers=EN).text)
    assert topic_page.xpath(f'//article[@id="post-{answer}"]//a[.="edited"]/@href') == [
        f"/community/posts/{answer}/revisions"]
    assert anon.get(f"/community/posts/{answer}/revisions", headers=EN).status_code == 200
    # the edit form, which promises the earlier text is kept in the post's history, leads there
    assert f'href="/community/posts/{answer}/revisions"' in bob.get(f"/community/posts/{answer}/edit", headers=EN).text
    zh = mod.get(f"/community/posts/{answer}/revisions", headers=ZH).text
    assert "第 2 楼的修改记录" in zh and "版本 2（当前显示）" in zh
    assert "被举报后已修改。" in mod.get("/community/moderation", headers=ZH).text

    # hostile: a hidden post's history is for moderators and its author only; ids that do not exist are 404
    _post(mod, f"/community/moderation/posts/{answer}", {"action": "hide"})
    for who in ("alice", "carol", "anon"):
        refused = clients[who].get(f"/community/posts/{answer}/revisions", headers=EN)
        assert refused.status_code == 404 and "You are all idiots" not in refused.text, who
        _leads_back_to_the_community(refused.text)
    assert bob.get(f"/community/posts/{answer}/revisions", headers=EN).status_code == 200
    assert mod.get(f"/community/posts/{answer}/revisions", headers=EN).status_code == 200
    assert mod.get("/community/posts/999999/revisions", headers=EN).status_code == 404
    assert mod.get("/community/posts/abc/revisions", headers=EN).status_code == 422
    # a post never edited has one version, and the page says so
    opening = _post_ids(alice.get(f"/community/topics/{topic}").text)[0]
    never = lxml_html.fromstring(alice.get(f"/community/posts/{opening}/revisions", headers=EN).text)
    assert "never edited" in never.text_content() and len(never.xpath('//article[starts-with(@id, "version-")]')) == 1


def test_a_moderator_hides_an_earlier_version_on_the_history_page(forum: Forum, clients: dict[str, TestClient]) -> None:
    """The edit took a telephone number out, and the history still showed it to everyone: the
    moderator hides that version with a reason; readers read the reason, not the text."""
    alice, bob, mod, anon = clients["alice"], clients["bob"], clients["mod"], clients["anon"]
    topic = _ask(alice, forum.category, "Who drafts claims well?", "Any agent?")
    answer = _reply(bob, topic, "Call my cousin on 555 0100")
    assert _post(bob, f"/community/posts/{answer}/edit", {"body": "Ask in the agency directory."}).status_code == 303
    history = f"/community/posts/{answer}/revisions"
    assert "/versions/1/hide" not in bob.get(history, headers=EN).text  # the form is the moderators'
    page = lxml_html.fromstring(mod.get(history, headers=EN).text)
    [form] = page.xpath('//form[contains(@action, "/versions/")]')  # one: the text shown now is not hidden here
    assert form.get("action") == f"/community/posts/{answer}/versions/1/hide"
    assert form.xpath(".//input[@name='csrf_token']/@value")

    # hostile: no token, a member, a short reason, the version shown now, a version that is not there
    no_token = mod.post(f"/community/posts/{answer}/versions/1/hide", data={"reason": "personal data"}, headers=EN,
                        follow_redirects=False)
    assert no_token.status_code == 403
    for reason in ("mine", "x"):  # a member is refused as one, whatever the reason's length
        assert _post(bob, f"/community/posts/{answer}/versions/1/hide", {"reason": reason}).status_code == 403
    short = _post(mod, f"/community/posts/{answer}/versions/1/hide", {"reason": "x"})
    assert short.status_code == 400 and "Say why in 3 to 500 characters." in short.text
    assert lxml_html.fromstring(short.text).xpath('string(//textarea[@id="hide-reason-1"])') == "x"
    now = _post(mod, f"/community/posts/{answer}/versions/2/hide", {"reason": "the text now"})
    assert now.status_code == 400 and 'id="version-error-2"' in now.text and "hide the post, or edit it" in now.text
    assert _post(mod, f"/community/posts/{answer}/versions/9/hide", {"reason": "no such"}).status_code == 404
    assert "555 0100" in anon.get(history, headers=EN).text  # nothing of that was done

    why = f"a private telephone number {XSS}"
    done = _post(mod, f"/community/posts/{answer}/versions/1/hide", {"reason": why})
    assert done.status_code == 303 and done.headers["location"] == f"{history}?done=hidden&version=1#version-1"
    told = mod.get(done.headers["location"], headers=EN).text
    assert lxml_html.fromstring(told).xpath('string(//p[@class="notice"])') == (
        "Version 1 is hidden: readers see only that a moderator hid it, and why.")
    assert "555 0100" in told and "/versions/1/show" in told  # moderators still read it, and may show it again
    for forged in ("?done=hidden&version=2", "?done=shown&version=1", "?done=hidden&version=7"):  # not so: unsaid
        assert "Version" not in lxml_html.fromstring(anon.get(history + forged, headers=EN).text).xpath(
            'string(//p[@class="notice"])')
    for reader in (anon, alice, bob):
        shown = reader.get(history, headers=EN)
        assert shown.status_code == 200 and "555 0100" not in shown.text and XSS not in shown.text
        first = lxml_html.fromstring(shown.text).xpath('//article[@id="version-1"]')[0]
        assert first.xpath("string(.//p[contains(@class, 'withheld')])").startswith(
            f"A moderator hid this version from readers: {why}")
    assert "版主已对读者隐藏此版本" in anon.get(history, headers=ZH).text
    assert _post(mod, f"/community/posts/{answer}/versions/1/show", {}).status_code == 303
    assert "555 0100" in anon.get(history, headers=EN).text
    with session_factory(forum.settings.effective_database_url)() as s:
        actions = s.scalars(select(AuditRecord.action).order_by(AuditRecord.id).where(
            AuditRecord.object_type == "forum_post", AuditRecord.object_id == str(answer))).all()
    assert actions[-2:] == ["forum.version.hide", "forum.version.show"]
