"""Forums over HTTP: XSS never survives, trust levels and rate limits, three flags hide a post,
notifications, Chinese search, edit history, paging, audited moderation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from community.forums.models import Post, Topic
from core.accounts.models import Role, User
from core.db import session_scope
from tests.community.test_agencies_api import World, _age, _promote, _seq
from tests.helpers import audit_rows, quick_user

XSS = ['<script>alert(1)</script>', '[click](javascript:alert(1))', '<img src=x onerror=alert(1)>',
       '<svg onload=alert(1)><circle/></svg>', '<a href="javascript:alert(1)">x</a>', '![p](javascript:alert(1))',
       '<iframe src="https://evil.example"></iframe>',
       '[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
       '<div style="background:url(javascript:alert(1))">x</div>', '<a href="#" onclick="alert(1)">x</a>']


@pytest.fixture
def world(client: TestClient) -> World:
    return World(client)


def _rewind(client: TestClient, user_id: int, seconds: int) -> None:
    """Move this user's posts and topics back in time (instead of sleeping through rate limits)."""
    with session_scope(client.app.state.platform.settings.effective_database_url) as session:  # type: ignore[attr-defined]
        rows: list[Post | Topic] = [*session.scalars(select(Post).where(Post.author_id == user_id)),
                                    *session.scalars(select(Topic).where(Topic.author_id == user_id))]
        for row in rows:
            row.created_at = row.created_at - timedelta(seconds=seconds)


def test_xss_never_survives(world: World) -> None:
    c = world.client
    topic, _ = world.new_topic()
    for payload in XSS:
        _rewind(c, world.ids["outsider"], 60)
        r = c.post(f"/api/v1/forums/topics/{topic}/posts", headers=world.h["outsider"], json={"body": payload})
        assert r.status_code == 201, r.text
    from lxml import html as lxml_html

    rendered = "".join(p["html"] for p in c.get(f"/api/v1/forums/topics/{topic}", params={"size": 50}).json()["posts"])
    tree = lxml_html.fragment_fromstring(rendered, create_parent="div")
    assert not tree.xpath("//script | //svg | //iframe | //object | //embed | //style")
    for el in tree.iter():
        for name, value in el.attrib.items():
            assert not name.lower().startswith("on") and name.lower() != "style", (el.tag, name)
            if name in ("href", "src"):
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto") or ":" not in value, value
    assert "&lt;script&gt;" in rendered  # shown as text, never as markup


def test_a_hidden_posts_history_is_not_public(world: World) -> None:
    c = world.client
    _, first = world.new_topic()
    assert c.put(f"/api/v1/forums/posts/{first}", headers=world.h["outsider"],
                 json={"body": "(edited)"}).status_code == 200
    assert c.post(f"/api/v1/forums/posts/{first}/moderate", json={"action": "hide"},
                  headers=world.h["moderator"]).json()["hidden"] is True
    history = f"/api/v1/forums/posts/{first}/revisions"
    assert c.get(history).status_code == 404
    assert c.get(history, headers=world.h["member"]).status_code == 404
    assert [r["markdown"] for r in c.get(history, headers=world.h["moderator"]).json()] == ["Any tips?"]


def test_new_users_are_limited(world: World) -> None:
    c = world.client
    user, h = quick_user(c)
    uid = int(user["id"])  # type: ignore[call-overload]
    body = {"category_id": world.category, "title": "Question about utility models", "body": "hi"}
    assert c.post("/api/v1/forums/topics", headers=h, json=body).status_code == 201
    too_soon = c.post("/api/v1/forums/topics", headers=h, json=body)
    assert too_soon.status_code == 429 and int(too_soon.headers["retry-after"]) > 0
    for _ in range(2):
        _rewind(c, uid, 150)
        assert c.post("/api/v1/forums/topics", headers=h, json=body).status_code == 201
    _rewind(c, uid, 150)
    fourth = c.post("/api/v1/forums/topics", headers=h, json=body)
    assert fourth.status_code == 429 and "3 topics a day" in fourth.json()["detail"]
    topic, _ = world.new_topic()
    links = "[a](https://a.example) [b](https://b.example) [c](https://c.example)"
    assert c.post(f"/api/v1/forums/topics/{topic}/posts", headers=h, json={"body": links}).status_code == 400
    images = "![a](https://a.example/a.png) ![b](https://a.example/b.png)"
    assert c.post(f"/api/v1/forums/topics/{topic}/posts", headers=h, json={"body": images}).status_code == 400
    assert c.post(f"/api/v1/forums/topics/{topic}/posts", headers=h, json={"body": "first"}).status_code == 201
    assert c.post(f"/api/v1/forums/topics/{topic}/posts", headers=h, json={"body": "second"}).status_code == 429
    _age(c, uid, 30)  # a month later: trust level 1, links allowed, 5 s between posts
    _rewind(c, uid, 10)
    assert c.post(f"/api/v1/forums/topics/{topic}/posts", headers=h, json={"body": links}).status_code == 201


def test_three_distinct_flags_hide_a_post_for_moderation(world: World) -> None:
    c = world.client
    topic, first = world.new_topic()
    r = c.post(f"/api/v1/forums/topics/{topic}/posts", headers=world.h["member"], json={"body": "buy cheap watches"})
    post = r.json()["id"]
    flaggers = [quick_user(c)[1] for _ in range(3)]
    assert c.post(f"/api/v1/forums/posts/{post}/flag", headers=flaggers[0]).json()["hidden"] is False
    assert c.post(f"/api/v1/forums/posts/{post}/flag", headers=flaggers[0]).json()["flags"] == 1  # distinct users
    assert c.post(f"/api/v1/forums/posts/{post}/flag", headers=flaggers[1]).json()["hidden"] is False
    assert c.post(f"/api/v1/forums/posts/{post}/flag", headers=flaggers[2]).json()["hidden"] is True
    visible = [p["id"] for p in c.get(f"/api/v1/forums/topics/{topic}").json()["posts"]]
    assert post not in visible and first in visible
    queue = c.get("/api/v1/forums/moderation/queue", headers=world.h["moderator"]).json()
    assert any(q["post_id"] == post and q["hidden"] for q in queue)
    assert c.get("/api/v1/forums/moderation/queue", headers=world.h["member"]).status_code == 403
    assert c.post(f"/api/v1/forums/posts/{post}/moderate", json={"action": "restore"},
                  headers=world.h["moderator"]).json()["hidden"] is False
    assert [r["action"] for r in audit_rows(c, object_type="forum_post", object_id=str(post))][-1] == (
        "forum.post.restore")


def test_notifications_for_replies_quotes_and_mentions(world: World) -> None:
    c = world.client
    author, author_h = quick_user(c)
    fan, fan_h = quick_user(c)
    _promote(c, int(author["id"]), Role.moderator)  # type: ignore[call-overload]
    with session_scope(c.app.state.platform.settings.effective_database_url) as session:  # type: ignore[attr-defined]
        row = session.get(User, fan["id"])
        assert row is not None
        row.display_name = f"fan{fan['id']}"
    t = c.post("/api/v1/forums/topics", headers=author_h, json={
        "category_id": world.category, "title": "Design patent question", "body": "When is a design new?"}).json()
    first = c.get(f"/api/v1/forums/topics/{t['id']}").json()["posts"][0]["id"]
    c.post(f"/api/v1/forums/topics/{t['id']}/posts", headers=world.h["outsider"],
           json={"body": f"Good question, @fan{fan['id']} knows this", "quote_of": first})
    kinds = sorted(n["kind"] for n in c.get("/api/v1/notifications", headers=author_h).json())
    assert kinds == ["forum.reply"]  # the quote of the same author is not notified twice
    assert [n["kind"] for n in c.get("/api/v1/notifications", headers=fan_h).json()] == ["forum.mention"]


def test_a_mention_finds_a_chinese_name_run_into_the_words_after_it(world: World) -> None:
    """"@张小明你好" names 张小明 (Chinese puts no space after a name) and "ask @bob." names bob; the
    longest display name wins over a shorter one it starts with; a Latin name matches whole
    ("@alexander" is not alex); a Chinese keyboard's ＠ and a capitalised Cyrillic name are found;
    no one else is told."""
    c = world.client
    people = {name: quick_user(c) for name in ("张小明", "张小", "bob", "bobby", "alex", "Иван", "王芳")}
    with session_scope(c.app.state.platform.settings.effective_database_url) as session:  # type: ignore[attr-defined]
        for name, (user, _) in people.items():
            row = session.get(User, user["id"])
            assert row is not None
            row.display_name = name
    topic, _ = world.new_topic()
    r = c.post(f"/api/v1/forums/topics/{topic}/posts", headers=world.h["outsider"],
               json={"body": "@张小明你好，这个问题请 ask @bob. 谢谢 (not @nobody, not a@bobby, not @alexander, "
                             "not @bob_smith) ＠王芳 看看, @Иван"})
    assert r.status_code == 201, r.text

    def mentioned(name: str) -> bool:
        return any(n["kind"] == "forum.mention"
                   for n in c.get("/api/v1/notifications", headers=people[name][1]).json())

    assert {name: mentioned(name) for name in people} == {"张小明": True, "张小": False, "bob": True, "bobby": False,
                                                          "alex": False, "Иван": True, "王芳": True}


def test_search_edit_history_and_pages(world: World) -> None:
    c = world.client
    topic, first = world.new_topic()
    for i in range(24):
        _rewind(c, world.ids["outsider"], 60)
        c.post(f"/api/v1/forums/topics/{topic}/posts", headers=world.h["outsider"],
               json={"body": f"回复 {i}: 关于发明专利的新颖性检索 number{i}"})
    pages = [c.get(f"/api/v1/forums/topics/{topic}", params={"page": n, "size": 10}).json()["posts"]
             for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [10, 10, 5] and pages[2][-1]["number"] == 25
    found = c.get("/api/v1/forums/search", params={"q": "新颖性 number7"}).json()
    assert [p["number"] for p in found] == [9]
    assert c.put(f"/api/v1/forums/posts/{first}", headers=world.h["outsider"],
                 json={"body": "Any tips? (edited)"}).status_code == 200
    assert [r["markdown"] for r in c.get(f"/api/v1/forums/posts/{first}/revisions").json()] == ["Any tips?"]
    locked = c.post(f"/api/v1/forums/topics/{topic}/moderate", json={"action": "lock"},
                    headers=world.h["moderator"]).json()
    assert locked["locked"] is True
    assert c.post(f"/api/v1/forums/topics/{topic}/posts", headers=world.h["member"],
                  json={"body": "late"}).status_code == 409


def test_concurrent_replies_to_one_topic_all_land_with_consecutive_numbers(world: World) -> None:
    """Sixteen readers answer the same topic at once (PostgreSQL): none is refused and the numbers
    run 2..17 without a gap or a repeat (they used to collide: a 500 under load)."""
    import threading

    client = world.client
    topic, _ = world.new_topic()
    readers = [quick_user(client) for _ in range(16)]
    for user, _ in readers:
        _age(client, int(user["id"]), 400)  # type: ignore[call-overload]
    statuses: list[int] = []
    lock = threading.Lock()

    def answer(headers: dict[str, str]) -> None:
        r = client.post(f"/api/v1/forums/topics/{topic}/posts", headers=headers, json={"body": "my answer"})
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=answer, args=(h,)) for _, h in readers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 16
    with session_scope(client.app.state.platform.settings.effective_database_url) as session:  # type: ignore[attr-defined]
        numbers = sorted(session.scalars(select(Post.number).where(Post.topic_id == topic)))
    assert numbers == list(range(1, 18))


def test_the_api_shows_quotes_of_a_hidden_post_as_placeholders(world: World) -> None:
    """On PostgreSQL through the JSON API: a moderator hides a post, and the reply quoting it no longer
    shows its text to members or anonymous readers, nor is found by it; moderators still read it."""
    c = world.client
    topic, _ = world.new_topic()
    tag = f"x{next(_seq)}y{topic}"  # words of this test alone (the database is shared)
    secret = c.post(f"/api/v1/forums/topics/{topic}/posts", headers=world.h["member"],
                    json={"body": f"the secret formula {tag}"}).json()
    quote = f"> **member** (#2):\n> the secret formula {tag}\n\nthanks, noted {tag}"
    answer = c.post(f"/api/v1/forums/topics/{topic}/posts", headers=world.h["outsider"],
                    json={"body": quote, "quote_of": secret["id"]})
    assert answer.status_code == 201, answer.text
    assert c.post(f"/api/v1/forums/posts/{secret['id']}/moderate", json={"action": "hide"},
                  headers=world.h["moderator"]).status_code == 200
    for who in ("anonymous", "agency_owner"):
        posts = c.get(f"/api/v1/forums/topics/{topic}", headers=world.h[who]).json()["posts"]
        [shown] = [p for p in posts if p["id"] == answer.json()["id"]]
        assert "secret" not in shown["html"] and "(this post was hidden by a moderator)" in shown["html"], who
        assert f"thanks, noted {tag}" in shown["html"]
    assert c.get("/api/v1/forums/search", params={"q": f"secret {tag}"}).json() == []
    assert [h["id"] for h in c.get("/api/v1/forums/search", params={"q": f"noted {tag}"}).json()] == [
        answer.json()["id"]]
    posts = c.get(f"/api/v1/forums/topics/{topic}", headers=world.h["moderator"]).json()["posts"]
    assert sum(f"the secret formula {tag}" in p["html"] for p in posts) == 2  # the post and the quote


def test_an_author_deletes_a_reply_through_the_api(world: World) -> None:
    c = world.client
    topic, first = world.new_topic()
    _rewind(c, world.ids["outsider"], 60)
    r = c.post(f"/api/v1/forums/topics/{topic}/posts", headers=world.h["outsider"], json={"body": "a reply"})
    assert r.status_code == 201, r.text
    reply = r.json()["id"]
    assert c.delete(f"/api/v1/forums/posts/{reply}").status_code == 401
    assert c.delete(f"/api/v1/forums/posts/{reply}", headers=world.h["member"]).status_code == 403
    assert c.delete(f"/api/v1/forums/posts/{first}", headers=world.h["outsider"]).status_code == 409
    assert c.delete(f"/api/v1/forums/posts/{reply}", headers=world.h["outsider"]).status_code == 204
    assert c.delete(f"/api/v1/forums/posts/{reply}", headers=world.h["outsider"]).status_code == 404
    posts = c.get(f"/api/v1/forums/topics/{topic}").json()["posts"]
    assert [p["id"] for p in posts] == [first]
