"""community.forums.service called directly: permission before any change (a refusal changes
nothing and records nothing), moderation as an enum audited as its own action, flags hiding a post
through the helper the agency directory shares, and what each viewer may see."""

from __future__ import annotations

import itertools

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from community.flags import flag_and_hold
from community.forums import service as svc
from community.forums.models import Post, PostRevision
from community.forums.schemas import CategoryIn, ModerationAction, ModerationIn, PostIn, QuoteWithheld, TopicIn
from core.accounts.models import Role, User
from core.audit import AuditAction
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TooManyRequests
from core.notifications import Notification
from tests.community.conftest import Community


class Forum:
    """A category with one topic by ``author``; posts come from distinct members (no rate limits hit)."""

    def __init__(self, c: Community) -> None:
        self.c = c
        self.admin, self.moderator, self.author = c.user(Role.admin), c.user(Role.moderator), c.user()
        self.category = svc.create_category(c.writer(self.admin), CategoryIn(name="Patents")).id
        self.topic = svc.create_topic(c.writer(self.author), TopicIn(
            category_id=self.category, title="How to file a PCT application?", body="Any tips?")).id

    def post(self, body: str = "my answer") -> tuple[User, int]:
        member = self.c.user()
        return member, svc.reply(self.c.writer(member), self.topic, PostIn(body=body)).id


@pytest.fixture
def forum(community: Community) -> Forum:
    return Forum(community)


def test_only_admins_make_categories(community: Community) -> None:
    c = community
    member = c.user(Role.moderator)
    c.refused(lambda: svc.create_category(c.writer(member), CategoryIn(name="Trademarks")))
    assert svc.categories(c.session) == []
    made = svc.create_category(c.writer(c.user(Role.admin)), CategoryIn(name="Trademarks", description="marks"))
    assert made.model_dump() == {"id": made.id, "name": "Trademarks"}
    assert [(x.name, x.description) for x in svc.categories(c.session)] == [("Trademarks", "marks")]
    assert c.audit_actions() == ["forum.category.create"]
    with pytest.raises(Conflict, match="a forum named Trademarks exists"):  # a refusal, not a server error
        svc.create_category(c.writer(c.user(Role.admin)), CategoryIn(name="Trademarks"))
    c.session.rollback()
    assert len(svc.categories(c.session)) == 1 and c.audit_actions() == ["forum.category.create"]


def test_topics_need_a_category_and_new_users_are_limited(forum: Forum) -> None:
    c = forum.c
    c.refused(lambda: svc.create_topic(c.writer(c.user()), TopicIn(category_id=999, title="Lost", body="x")),
             InvalidInput)
    newcomer = c.user(age_days=0)
    links = "[a](https://a.example) [b](https://b.example) [c](https://c.example)"
    c.refused(lambda: svc.reply(c.writer(newcomer), forum.topic, PostIn(body=links)), InvalidInput)
    svc.reply(c.writer(newcomer), forum.topic, PostIn(body="first"))
    c.refused(lambda: svc.reply(c.writer(newcomer), forum.topic, PostIn(body="second")), TooManyRequests)
    listed = svc.topics(c.session, forum.category)
    assert [(t.id, t.posts) for t in listed] == [(forum.topic, 2)]


def test_only_the_author_or_staff_edit_and_history_is_kept(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post("original")
    other = c.user()
    c.refused(lambda: svc.edit_post(c.writer(other), post, "vandalised"))
    assert svc.revisions(c.session, post, other) == []
    assert "edited" in svc.edit_post(c.writer(author), post, "edited").html
    assert "moderated" in svc.edit_post(c.writer(forum.moderator), post, "moderated").html
    history = svc.revisions(c.session, post, None)
    assert [(r.markdown, r.edited_by) for r in history] == [("original", author.id), ("edited", forum.moderator.id)]


def test_a_hidden_posts_history_is_for_staff_and_its_author(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post("call me on 555 0100")
    svc.edit_post(c.writer(author), post, "(number removed)")
    svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.hide)
    for viewer in (None, c.user()):
        with pytest.raises(NotFound):
            svc.revisions(c.session, post, viewer)
    for viewer in (author, forum.moderator, forum.admin):
        assert [r.markdown for r in svc.revisions(c.session, post, viewer)] == ["call me on 555 0100"]
    svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.restore)
    assert len(svc.revisions(c.session, post, None)) == 1
    svc.moderate_topic(c.writer(forum.moderator), forum.topic, ModerationAction.hide)  # the whole topic
    with pytest.raises(NotFound):
        svc.revisions(c.session, post, c.user())
    assert len(svc.revisions(c.session, post, forum.moderator)) == 1


def test_likes_toggle_and_never_ones_own(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post()
    fan = c.user()
    c.refused(lambda: svc.like_post(c.writer(author), post), InvalidInput)
    assert svc.like_post(c.writer(fan), post).likes == 1
    assert svc.like_post(c.writer(fan), post).likes == 0


def test_three_distinct_flags_hide_a_post_into_the_queue(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post("buy cheap watches")
    c.refused(lambda: svc.flag_post(c.writer(author), post), InvalidInput)
    flaggers = [c.user() for _ in range(3)]
    assert svc.flag_post(c.writer(flaggers[0]), post).flags == 1
    assert svc.flag_post(c.writer(flaggers[0]), post).flags == 1  # one flag per member
    assert svc.flag_post(c.writer(flaggers[1]), post).hidden is False
    hidden = svc.flag_post(c.writer(flaggers[2]), post)
    assert (hidden.flags, hidden.hidden) == (3, True)
    assert post not in [p.id for p in svc.topic_page(c.session, forum.topic, None).posts]
    assert post in [p.id for p in svc.topic_page(c.session, forum.topic, author).posts]  # its author still sees it
    with pytest.raises(PermissionDenied):
        svc.moderation_queue(c.session, c.user())
    queued = svc.moderation_queue(c.session, forum.moderator)
    assert [(q.post_id, q.hidden, q.reason, q.flags) for q in queued] == [(post, True, "flagged by 3 users", 3)]
    # a hidden post cannot be liked or flagged by whom it is hidden from: the answer told that it was there
    for act in (svc.like_post, svc.flag_post):
        with pytest.raises(NotFound):
            act(c.writer(c.user()), post)
        c.session.rollback()
    assert svc.like_post(c.writer(forum.moderator), post).likes == 1  # moderators read it
    _, shown = forum.post("a post of a topic about to be hidden")
    svc.moderate_topic(c.writer(forum.moderator), forum.topic, ModerationAction.hide)
    with pytest.raises(NotFound) as refused:
        svc.like_post(c.writer(c.user()), shown)
    assert refused.value.detail == f"post {shown} not found"  # as of a post that never was, not its topic
    c.session.rollback()
    svc.moderate_topic(c.writer(forum.moderator), forum.topic, ModerationAction.restore)
    # a deleted topic's posts leave the queue, as they leave the portal's
    svc.moderate_topic(c.writer(forum.moderator), forum.topic, ModerationAction.delete)
    assert svc.moderation_queue(c.session, forum.moderator) == []


def test_flag_and_hold_on_a_post_hides_once(community: Community) -> None:
    c = community
    author, a, b = c.user(), c.user(), c.user()
    post = Post(author_id=author.id, flags=[], hidden=False)
    assert flag_and_hold(post, a, 2, "post") is False
    assert flag_and_hold(post, b, 2, "post") is True
    assert flag_and_hold(post, b, 2, "post") is False
    assert (post.flags, post.hidden, post.hidden_reason) == ([a.id, b.id], True, "flagged by 2 users")
    with pytest.raises(InvalidInput, match="your own post"):
        flag_and_hold(post, author, 2, "post")


def test_every_moderation_action_has_its_audit_action() -> None:
    assert set(svc.TOPIC_AUDIT) == set(ModerationAction)
    assert set(svc.POST_AUDIT) == {ModerationAction.hide, ModerationAction.restore, ModerationAction.delete}
    for kind, table in (("post", svc.POST_AUDIT), ("topic", svc.TOPIC_AUDIT)):
        for action, audit in table.items():
            assert audit is AuditAction(f"forum.{kind}.{action.value}")
    assert ModerationIn.model_validate({"action": "lock"}).action is ModerationAction.lock
    with pytest.raises(ValidationError):
        ModerationIn.model_validate({"action": "explode"})


def test_post_moderation_by_staff_only_and_audited_by_action(forum: Forum) -> None:
    c = forum.c
    _, post = forum.post()
    member = c.user()
    c.refused(lambda: svc.moderate_post(c.writer(member), post, ModerationAction.hide))
    c.refused(lambda: svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.lock), InvalidInput)
    assert svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.hide).hidden is True
    restored = svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.restore)
    assert (restored.hidden, restored.deleted) == (False, False)
    assert svc.moderate_post(c.writer(forum.admin), post, ModerationAction.delete).deleted is True
    assert c.audit_actions()[-3:] == ["forum.post.hide", "forum.post.restore", "forum.post.delete"]
    with pytest.raises(NotFound):
        svc.get_post(c.session, post)


def test_topic_moderation_locks_moves_hides(forum: Forum) -> None:
    c = forum.c
    mod = forum.moderator
    c.refused(lambda: svc.moderate_topic(c.writer(forum.author), forum.topic, ModerationAction.lock))
    assert svc.moderate_topic(c.writer(mod), forum.topic, ModerationAction.lock).locked is True
    c.refused(lambda: svc.reply(c.writer(c.user()), forum.topic, PostIn(body="late")), Conflict)
    assert svc.reply(c.writer(mod), forum.topic, PostIn(body="staff may still answer")).number == 2
    c.refused(lambda: svc.moderate_topic(c.writer(mod), forum.topic, ModerationAction.move, 999), InvalidInput)
    other = svc.create_category(c.writer(forum.admin), CategoryIn(name="Trademarks")).id
    assert svc.moderate_topic(c.writer(mod), forum.topic, ModerationAction.move, other).category_id == other
    assert svc.moderate_topic(c.writer(mod), forum.topic, ModerationAction.hide).hidden is True
    with pytest.raises(NotFound):
        svc.topic_page(c.session, forum.topic, c.user())
    assert svc.topic_page(c.session, forum.topic, mod).id == forum.topic  # staff still see it
    assert c.audit_actions()[-3:] == ["forum.category.create", "forum.topic.move", "forum.topic.hide"]


def test_search_finds_visible_posts_only(forum: Forum) -> None:
    c = forum.c
    _, shown = forum.post("关于发明专利的新颖性检索")
    _, hidden = forum.post("新颖性 spam")
    svc.moderate_post(c.writer(forum.moderator), hidden, ModerationAction.hide)
    hits = svc.search(c.session, "新颖性")
    assert [(h.id, h.topic_id) for h in hits] == [(shown, forum.topic)]
    assert svc.search(c.session, "   ") == []


# what readers would see as nothing: spaces, invisible and blank-looking characters (typed or as
# entities), empty Markdown structures, a rule, an image whose source the sanitiser drops
BLANK = ["   ", "\r\n\t \r\n", "\u200b\u200d\ufeff\u00ad", "\u3164\u2800\u115f", "&nbsp;&#8203;&#x3164;",
         "[](https://example.org)", "#\n\n> \n\n- \n\n1. ", "***", "`\u200b`", "![](data:image/png;base64,AAAA)"]


@pytest.mark.parametrize("body", BLANK)
def test_blank_posts_topics_and_edits_are_refused(forum: Forum, body: str) -> None:
    c = forum.c
    author, post = forum.post("a real answer")
    c.refused(lambda: svc.reply(c.writer(c.user()), forum.topic, PostIn(body=body)), InvalidInput)
    c.refused(lambda: svc.create_topic(c.writer(c.user()), TopicIn(category_id=forum.category, title="Blank",
                                                                   body=body)), InvalidInput)
    c.refused(lambda: svc.edit_post(c.writer(author), post, body), InvalidInput)
    assert [p.html for p in svc.topic_page(c.session, forum.topic, None).posts][-1] == "<p>a real answer</p>\n"


@pytest.mark.parametrize("body", ["![](https://example.org/chart.png)", "中", "`0`", "_ _", "<!-- -->"])
def test_a_post_with_anything_to_see_is_not_blank(forum: Forum, body: str) -> None:
    assert svc.reply(forum.c.writer(forum.c.user()), forum.topic, PostIn(body=body)).html


def test_a_blank_reply_is_refused_as_blank_not_as_too_soon(forum: Forum) -> None:
    """The content is checked before the posting limits: a newcomer's blank reply right after a reply
    is told it is blank, and a real one that comes too soon is told how long to wait, in words a page
    can translate."""
    c = forum.c
    newcomer = c.user(age_days=0)
    svc.reply(c.writer(newcomer), forum.topic, PostIn(body="first"))
    with pytest.raises(InvalidInput, match="blank") as blank:
        svc.reply(c.writer(newcomer), forum.topic, PostIn(body=" \n\u200b"))
    assert blank.value.detail == svc.BLANK_POST
    c.session.rollback()
    with pytest.raises(TooManyRequests) as soon:
        svc.reply(c.writer(newcomer), forum.topic, PostIn(body="second"))
    seconds = soon.value.params["seconds"]
    assert isinstance(seconds, int) and 0 < seconds <= 30 and soon.value.retry_after == seconds
    assert soon.value.detail == f"please wait {seconds} s before posting again"
    chinese = {svc.WAIT: "请等待 %(seconds)s 秒后再发帖。"}
    assert soon.value.in_words(chinese.__getitem__) == f"请等待 {seconds} 秒后再发帖。"


def _quoting(forum: Forum, quoted: int, words: str) -> tuple[User, int]:
    """A member replies quoting ``quoted`` as the portal's Quote link starts the reply."""
    member = forum.c.user()
    start = svc.quote(forum.c.session, quoted, member).markdown
    return member, svc.reply(forum.c.writer(member), forum.topic, PostIn(body=start + words, quote_of=quoted)).id


def test_quotes_of_a_hidden_post_are_placeholders_wherever_the_post_is_read(forum: Forum) -> None:
    """A moderator hides a post: its text is gone from every quote of it (a quote of a quote too, and
    one whose first line was cut) for whoever may not read it, in the topic, the portal's view, the
    search, a new quote and the edit history; moderators and its author still read it; deleted, it is
    gone for everyone."""
    c = forum.c
    author, secret = forum.post("the secret plan 555-0100")
    quoter, answer = _quoting(forum, secret, "I agree")
    _, chained = _quoting(forum, answer, "me too")
    cutter = c.user()
    cut = svc.reply(c.writer(cutter), forum.topic, PostIn(body="> the secret plan 555-0100\n\nnoted",
                                                          quote_of=secret)).id
    svc.edit_post(c.writer(quoter), answer, svc.get_post(c.session, answer).markdown + " (edited)")
    svc.moderate_post(c.writer(forum.moderator), secret, ModerationAction.hide)

    for viewer in (None, c.user(), quoter):
        shown = {p.id: p.html for p in svc.topic_page(c.session, forum.topic, viewer).posts}
        assert secret not in shown and "secret" not in "".join(shown.values())
        assert all("<em>(this post was hidden by a moderator)</em>" in shown[p] for p in (answer, chained, cut))
        assert "I agree" in shown[answer] and "me too" in shown[chained] and "noted" in shown[cut]
        view = {p.id: p for p in svc.topic_view(c.session, forum.topic, viewer, words={
            QuoteWithheld.hidden: "（该帖已被版主隐藏）", QuoteWithheld.deleted: "（该帖已被删除）"}).posts}
        assert "<em>（该帖已被版主隐藏）</em>" in view[answer].html and "secret" not in view[chained].html
        assert (view[answer].quote_withheld, view[cut].quote_withheld) == (QuoteWithheld.hidden,) * 2
        assert view[chained].quote_withheld is None  # it quotes a post the viewer may read
        assert "secret" not in svc.quote(c.session, answer, viewer).markdown
        assert "secret" not in "".join(r.markdown for r in svc.revisions(c.session, answer, viewer))
    for viewer in (forum.moderator, author):
        shown = {p.id: p.html for p in svc.topic_page(c.session, forum.topic, viewer).posts}
        assert "the secret plan" in shown[answer] and "the secret plan" in shown[chained]
        assert "the secret plan" in svc.quote(c.session, answer, viewer).markdown
    assert svc.search(c.session, "secret plan") == []  # the replies matched only by the quotes
    agreed = svc.search(c.session, "agree")  # the answer, and the reply quoting it
    assert {h.id for h in agreed} == {answer, chained} and not any("secret" in h.html for h in agreed)

    svc.flag_post(c.writer(c.user()), chained)
    svc.moderate_post(c.writer(forum.moderator), secret, ModerationAction.delete)
    shown = {p.id: p.html for p in svc.topic_page(c.session, forum.topic, forum.moderator).posts}
    assert "secret" not in "".join(shown.values()) and "<em>(this post was deleted)</em>" in shown[answer]
    [queued] = [e for e in svc.moderation_entries(c.session, forum.moderator) if e.post_id == chained]
    assert "secret" not in queued.html and "(this post was deleted)" in queued.html
    assert not any("secret" in n.title or "secret" in str(n.payload) for n in c.session.scalars(select(Notification)))


def test_a_reply_quotes_only_posts_its_author_may_read(forum: Forum) -> None:
    c = forum.c
    author, hidden = forum.post("held text")
    svc.moderate_post(c.writer(forum.moderator), hidden, ModerationAction.hide)
    c.refused(lambda: svc.reply(c.writer(c.user()), forum.topic, PostIn(body="quoting", quote_of=hidden)), NotFound)
    assert svc.reply(c.writer(forum.moderator), forum.topic, PostIn(body="ok", quote_of=hidden)).quote_of == hidden
    other = svc.create_topic(c.writer(c.user()), TopicIn(category_id=forum.category, title="Other", body="x")).id
    c.refused(lambda: svc.reply(c.writer(c.user()), other, PostIn(body="elsewhere", quote_of=hidden)), NotFound)
    c.refused(lambda: svc.reply(c.writer(author), other, PostIn(body="elsewhere", quote_of=hidden)), InvalidInput)


def test_an_author_deletes_a_reply_but_not_an_opening_post(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post("posted in haste")
    c.refused(lambda: svc.delete_own_post(c.writer(c.user()), post))  # another member
    c.refused(lambda: svc.delete_own_post(c.writer(forum.moderator), post))  # staff use moderation
    opening = svc.get_topic(c.session, forum.topic).id
    first = c.session.scalar(select(Post.id).where(Post.topic_id == opening, Post.number == 1))
    assert first is not None
    c.refused(lambda: svc.delete_own_post(c.writer(forum.author), first), Conflict)
    svc.delete_own_post(c.writer(author), post)
    assert c.audit_actions()[-1] == AuditAction.forum_post_delete.value
    with pytest.raises(NotFound):
        svc.get_post(c.session, post)
    c.refused(lambda: svc.delete_own_post(c.writer(author), post), NotFound)  # only once
    assert [p.id for p in svc.topic_page(c.session, forum.topic, None).posts] == [first]


def test_in_a_locked_topic_only_staff_edit_and_nobody_deletes_their_own(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post("answer")
    svc.moderate_topic(c.writer(forum.moderator), forum.topic, ModerationAction.lock)
    c.refused(lambda: svc.edit_post(c.writer(author), post, "rewritten after the lock"), Conflict)
    c.refused(lambda: svc.delete_own_post(c.writer(author), post), Conflict)
    c.refused(lambda: svc.editable_post(c.session, post, author), Conflict)
    assert "moderated" in svc.edit_post(c.writer(forum.moderator), post, "moderated").html


def test_a_new_users_edit_is_held_to_the_links_of_a_new_post(forum: Forum) -> None:
    c = forum.c
    newcomer = c.user(age_days=0)
    post = svc.reply(c.writer(newcomer), forum.topic, PostIn(body="a plain answer")).id
    links = "[a](https://a.example) [b](https://b.example) [c](https://c.example)"
    c.refused(lambda: svc.edit_post(c.writer(newcomer), post, links), InvalidInput)
    assert svc.editable_post(c.session, post, newcomer).markdown == "a plain answer"


def test_authors_learn_in_the_inbox_what_a_moderator_did(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post("a cheap agent, call 555")

    def told() -> list[tuple[str, dict[str, object]]]:
        rows = c.session.scalars(select(Notification).where(Notification.user_id == author.id,
                                                            Notification.kind.startswith("forum."))
                                 .order_by(Notification.id))
        return [(n.kind, n.payload) for n in rows]

    place = {"topic_id": forum.topic, "topic_title": "How to file a PCT application?", "post_number": 2}
    svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.restore)  # flags of a shown post: nothing
    svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.hide)
    svc.moderate_post(c.writer(forum.admin), post, ModerationAction.hide)  # a second click: told once
    svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.restore)
    svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.delete)
    assert told() == [("forum.post_hidden", place | {"post_id": post}),
                      ("forum.post_restored", place | {"post_id": post}),
                      ("forum.post_deleted", place)]  # no link to a post that is gone
    other, in_hidden = forum.post("another answer")
    svc.moderate_topic(c.writer(forum.moderator), forum.topic, ModerationAction.hide)
    svc.moderate_post(c.writer(forum.moderator), in_hidden, ModerationAction.hide)
    svc.moderate_topic(c.writer(forum.moderator), forum.topic, ModerationAction.restore)
    [note] = c.session.scalars(select(Notification).where(Notification.user_id == other.id,
                                                          Notification.kind == "forum.post_hidden")).all()
    assert "post_id" not in note.payload  # its topic was hidden: a link its author could not open
    own = svc.reply(c.writer(forum.moderator), forum.topic, PostIn(body="mine")).id
    svc.moderate_post(c.writer(forum.moderator), own, ModerationAction.hide)
    assert not c.session.scalars(select(Notification).where(Notification.user_id == forum.moderator.id)).all()

    def topic_kinds() -> list[str]:
        return list(c.session.scalars(select(Notification.kind).where(
            Notification.user_id == forum.author.id, Notification.kind.startswith("forum.topic_"))
            .order_by(Notification.id)))

    told_before = topic_kinds()  # the hide and restore above
    assert told_before == ["forum.topic_hidden", "forum.topic_restored"]
    for action in (ModerationAction.lock, ModerationAction.restore, ModerationAction.hide, ModerationAction.hide,
                   ModerationAction.restore, ModerationAction.delete):
        svc.moderate_topic(c.writer(forum.moderator), forum.topic, action)
    assert topic_kinds()[len(told_before):] == ["forum.topic_hidden", "forum.topic_restored", "forum.topic_deleted"]


HOSTILE = "<script>alert('x')</script> **you people are idiots** [click](javascript:alert(1))"


def test_the_queue_shows_a_post_edited_since_it_was_flagged_as_it_was_flagged(forum: Forum) -> None:
    """The tour's case: a member flagged a hostile post, its author edited it to harmless text, and the
    queue showed the new text beside the flag's reason, with nothing saying it had changed."""
    c = forum.c
    author, post = forum.post("first draft")
    svc.edit_post(c.writer(author), post, HOSTILE)  # an edit before the flag: the flag is about this text
    flagger = c.user()
    svc.flag_post(c.writer(flagger), post, "abusive, and a script")
    [before] = [e for e in svc.moderation_entries(c.session, forum.moderator) if e.post_id == post]
    assert before.flagged_html is None and before.flagged_at is not None and before.edited_at is not None
    svc.edit_post(c.writer(author), post, "Sorry, I meant: check the fee schedule.")
    svc.edit_post(c.writer(author), post, "Check the fee schedule.")
    [entry] = [e for e in svc.moderation_entries(c.session, forum.moderator) if e.post_id == post]
    assert "fee schedule" in entry.html and "idiots" not in entry.html
    assert entry.flagged_html is not None and "<strong>you people are idiots</strong>" in entry.flagged_html
    assert "<script>" not in entry.flagged_html and 'href="javascript' not in entry.flagged_html  # sanitised as posted
    assert entry.edited_at is not None and entry.flagged_at is not None and entry.edited_at > entry.flagged_at
    assert [(r.reason, r.by) for r in entry.reasons] == [("abusive, and a script", flagger.display_name or "")]
    # a restore dismisses the flags: a new flag is about the text as it is then
    svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.restore)
    svc.flag_post(c.writer(c.user()), post)  # no reason given: still the first flag since the restore
    [again] = [e for e in svc.moderation_entries(c.session, forum.moderator) if e.post_id == post]
    assert again.flagged_html is None and again.reasons == [] and again.flagged_at > entry.flagged_at


def test_a_posts_history_is_every_text_it_had_under_who_wrote_it(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post(HOSTILE)
    assert [v.markdown for v in svc.post_history(c.session, post, None).versions] == [HOSTILE]
    svc.edit_post(c.writer(author), post, "calmer")
    svc.edit_post(c.writer(forum.moderator), post, "calm")
    history = svc.post_history(c.session, post, forum.moderator)
    assert [v.markdown for v in history.versions] == [HOSTILE, "calmer", "calm"]
    assert [v.written_by for v in history.versions] == [author.display_name, author.display_name,
                                                         forum.moderator.display_name]
    assert [v.number for v in history.versions] == [1, 2, 3] and history.versions[-1].until is None
    assert all(v.until == w.since for v, w in itertools.pairwise(history.versions))
    first = history.versions[0].html
    assert "<strong>you people are idiots</strong>" in first and "<script>" not in first  # sanitised as posted
    assert (history.topic_id, history.author, history.hidden) == (forum.topic, author.display_name, False)
    # the readers the API's history answers: whoever may read the post, so a hidden post's only staff and its author
    assert len(svc.post_history(c.session, post, c.user()).versions) == 3
    svc.moderate_post(c.writer(forum.moderator), post, ModerationAction.hide)
    for viewer in (None, c.user()):
        with pytest.raises(NotFound):
            svc.post_history(c.session, post, viewer)
    assert svc.post_history(c.session, post, author).hidden
    assert len(svc.post_history(c.session, post, forum.admin).versions) == 3
    with pytest.raises(NotFound):
        svc.post_history(c.session, 999_999, forum.moderator)


def test_a_page_past_the_last_is_refused_naming_the_last(forum: Forum) -> None:
    """It read "there are 1 page(s), not 99"."""
    with pytest.raises(NotFound) as refused:
        svc.topic_view(forum.c.session, forum.topic, None, 99)
    assert refused.value.detail == "no page 99: the last page is 1"


def test_a_moderator_hides_an_earlier_version_from_everyone_but_staff(forum: Forum) -> None:
    """An edit took a telephone number out; the history kept it for every reader until a moderator
    hid that version: readers see that it was hidden and why, the text only moderators."""
    c = forum.c
    author, post = forum.post("call me on 555 0100")
    svc.edit_post(c.writer(author), post, "(number removed)")
    svc.edit_post(c.writer(author), post, "(number removed, typo fixed)")
    why = "a telephone number <b>of someone else</b>"
    hidden = svc.hide_version(c.writer(forum.moderator), post, 1, why)
    assert (hidden.version, hidden.hidden, hidden.hidden_reason) == (1, True, why)
    assert c.audit_actions()[-1] == AuditAction.forum_version_hide.value
    for viewer in (None, c.user(), author):
        [first, second] = svc.revisions(c.session, post, viewer)
        assert (first.markdown, first.hidden, first.hidden_reason) == ("", True, why)
        assert (second.markdown, second.hidden) == ("(number removed)", False)
        versions = svc.post_history(c.session, post, viewer).versions
        assert [(v.hidden, v.markdown != "", v.html != "") for v in versions] == [
            (True, False, False), (False, True, True), (False, True, True)]
        assert "555" not in "".join(v.html + v.markdown for v in versions)
    for viewer in (forum.moderator, forum.admin):
        [first, _] = svc.revisions(c.session, post, viewer)
        assert (first.markdown, first.hidden) == ("call me on 555 0100", True)
        assert "555 0100" in svc.post_history(c.session, post, viewer).versions[0].html

    audited = len(c.audit_actions())
    svc.hide_version(c.writer(forum.moderator), post, 1, why)  # again, as it is: nothing written
    assert len(c.audit_actions()) == audited
    svc.hide_version(c.writer(forum.admin), post, 1, "personal data")  # another reason: said and audited
    assert svc.revisions(c.session, post, None)[0].hidden_reason == "personal data"
    shown = svc.show_version(c.writer(forum.moderator), post, 1)
    assert (shown.hidden, shown.hidden_reason) == (False, None)
    assert svc.revisions(c.session, post, None)[0].markdown == "call me on 555 0100"
    assert c.audit_actions()[-3:] == ["forum.version.hide", "forum.version.hide", "forum.version.show"]
    svc.show_version(c.writer(forum.moderator), post, 1)  # shown already: nothing written
    assert c.audit_actions()[-1] == "forum.version.show" and len(c.audit_actions()) == audited + 2


def test_hiding_a_version_is_for_moderators_and_for_earlier_versions_only(forum: Forum) -> None:
    c = forum.c
    author, post = forum.post("first text")
    svc.edit_post(c.writer(author), post, "second text")
    for someone in (author, c.user()):  # not even the author: the history is the moderators' to redact
        c.refused(lambda someone=someone: svc.hide_version(c.writer(someone), post, 1, "mine"))
        c.refused(lambda someone=someone: svc.show_version(c.writer(someone), post, 1))
    moderator = c.writer(forum.moderator)
    c.refused(lambda: svc.hide_version(moderator, post, 2, "the text shown now"), InvalidInput)  # hide the post instead
    for version in (0, 3, 99):
        c.refused(lambda version=version: svc.hide_version(moderator, post, version, "no such version"), NotFound)
    c.refused(lambda: svc.hide_version(moderator, 999_999, 1, "no such post"), NotFound)
    svc.moderate_post(moderator, post, ModerationAction.delete)
    c.refused(lambda: svc.hide_version(moderator, post, 1, "a deleted post"), NotFound)
    assert not any(r.hidden_at for r in c.session.scalars(select(PostRevision).where(PostRevision.post_id == post)))
