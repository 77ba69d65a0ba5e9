"""Forum operations: categories, topics, posts, edits, likes, flags, moderation, search.

Reads take a session (and the viewer, where visibility depends on it) and return Out models; a
post's quote of a post the viewer may not read (hidden or deleted) is shown as a placeholder
(``community.forums.quotes``), since a reply carries the text it quotes.
Writes take a ``Writer``: they check permission and posting limits before touching anything,
change the rows, record one audit entry, commit and return an Out model.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple, TypeVarTuple

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from community.flags import flag_and_hold
from community.forums import quotes
from community.forums.markdown import Rendered, render
from community.forums.models import Category, Post, PostRevision, Topic
from community.forums.quotes import WITHHELD_WORDS, Words
from community.forums.rules import FLAGS_TO_HIDE, Limits, limits_for
from community.forums.schemas import (
    CategoryIn,
    CategoryOut,
    CategoryRef,
    CategorySummaryOut,
    FlagReasonOut,
    LikeOut,
    ModeratedPostOut,
    ModeratedTopicOut,
    ModerationAction,
    PostEditOut,
    PostFlagOut,
    PostHistoryOut,
    PostIn,
    PostOut,
    PostPlaceOut,
    PostViewOut,
    PreviewOut,
    QueueEntryOut,
    QueueItemOut,
    QuoteOut,
    QuoteWithheld,
    RevisionOut,
    SearchHitOut,
    TopicHead,
    TopicIn,
    TopicListOut,
    TopicOut,
    TopicPageOut,
    TopicRowOut,
    TopicViewOut,
    VersionHiddenOut,
    VersionHideIn,
    VersionOut,
)
from community.forums.tokens import search_tokens
from core.accounts.models import User
from core.accounts.permissions import is_staff, require_admin, require_staff
from core.audit import AuditAction, AuditRecord, Writer
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied, TooManyRequests
from core.i18n import Listed
from core.notifications import notify
from ipsearch.analysis import get_analyzer

_Ts = TypeVarTuple("_Ts")
# "@name" in any script (Python's \w holds Chinese characters; a Chinese keyboard types ＠). A Chinese
# name runs into the words after it ("@张小明你好"), and a sentence's full stop follows a Latin one
# ("ask @bob."): a mention is the longest start of what follows the @ that is someone's display name
# and ends where a word may end: at a Chinese or Japanese character, or before "." or "-". A Latin
# name matches whole: "@alexander" is not "alex".
_MENTION = re.compile(r"(?<![\w@＠])[@＠]([\w.-]{2,60})")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
MAX_MENTIONS = 20  # per post: a post naming everyone is not a way to message everyone
BLANK_POST = "the post is blank: write something readers can see"
WAIT = "please wait %(seconds)s s before posting again"


def get_topic(session: Session, topic_id: int, viewer: User | None = None) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None or topic.deleted or (topic.hidden and not is_staff(viewer)):
        raise NotFound.said("topic %(id)s not found", id=topic_id)
    return topic


def get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None or post.deleted:
        raise NotFound.said("post %(id)s not found", id=post_id)
    return post


def _daily_limit(template: str, n: int) -> TooManyRequests:
    """A new user reached a daily limit of ``n``: the refusal, to be tried again in an hour."""
    return TooManyRequests(template % {"n": n}, retry_after=3600, template=template, params={"n": n})


def _check_content(limits: Limits, rendered: Rendered) -> None:
    """A new user's links and images per post: checked on every write of a post, edits included."""
    if limits.links_per_post is not None and rendered.links > limits.links_per_post:
        raise InvalidInput.said("new users may post at most %(n)s links", n=limits.links_per_post)
    if limits.images_per_post is not None and rendered.images > limits.images_per_post:
        raise InvalidInput.said("new users may post at most %(n)s image(s)", n=limits.images_per_post)


def _check_limits(session: Session, user: User, new_topic: bool, rendered: Rendered) -> None:
    """What a new post may hold, and how often a new user may post."""
    now = utcnow()
    limits = limits_for(user, now)
    _check_content(limits, rendered)
    if new_topic:
        last = session.scalar(select(func.max(Topic.created_at)).where(Topic.author_id == user.id))
        wait = limits.seconds_between_topics
    else:
        last = session.scalar(select(func.max(Post.created_at)).where(Post.author_id == user.id, Post.number > 1))
        wait = limits.seconds_between_posts
    if last is not None and (now - last).total_seconds() < wait:
        left = int(wait - (now - last).total_seconds()) + 1
        raise TooManyRequests(WAIT % {"seconds": left}, retry_after=left, template=WAIT, params={"seconds": left})
    day_ago = now - timedelta(days=1)
    if new_topic and limits.topics_per_day is not None:
        count = session.scalar(select(func.count()).select_from(Topic).where(Topic.author_id == user.id,
                                                                            Topic.created_at >= day_ago))
        if (count or 0) >= limits.topics_per_day:
            raise _daily_limit("new users may open %(n)s topics a day", limits.topics_per_day)
    if not new_topic and limits.replies_per_day is not None:
        count = session.scalar(select(func.count()).select_from(Post).where(
            Post.author_id == user.id, Post.number > 1, Post.created_at >= day_ago))
        if (count or 0) >= limits.replies_per_day:
            raise _daily_limit("new users may post %(n)s replies a day", limits.replies_per_day)


def _name_ends(run: str, end: int) -> bool:
    """Whether a mention's name may end before ``run[end]`` (see _MENTION)."""
    return (end == len(run) or run[end] in ".-" or _CJK.match(run[end]) is not None
            or _CJK.match(run[end - 1]) is not None)


def _mentions(session: Session, text: str) -> list[User]:
    """The people a post names with @: each mention is the longest start of its run that ends where
    a name may end and is a display name (two characters at least). Names are compared as typed and
    lowered both: SQLite's lower() knows only ASCII letters, so "@Иван" finds Иван by its own case."""
    runs = list(dict.fromkeys(_MENTION.findall(text)))[:MAX_MENTIONS]
    starts = {run[:end] for run in runs for end in range(2, len(run) + 1) if _name_ends(run, end)}
    if not starts:
        return []
    lowered = {start.lower() for start in starts}
    named: dict[str, list[User]] = {}
    for user in session.scalars(select(User).where(
            or_(User.display_name.in_(starts), func.lower(User.display_name).in_(lowered)))):
        named.setdefault((user.display_name or "").lower(), []).append(user)
    found = [next((named[run[:end].lower()] for end in range(len(run), 1, -1)
                   if run[:end] in starts and run[:end].lower() in named), []) for run in runs]
    return list({user.id: user for users in found for user in users}.values())


def _content(body: str) -> Rendered:
    """The post rendered, or InvalidInput when readers would see nothing in it (spaces, invisible
    characters, Markdown that renders empty): checked before the posting limits count anything."""
    rendered = render(body)
    if not rendered.visible:
        raise InvalidInput(BLANK_POST).about("body")
    return rendered


def _quotable(session: Session, topic: Topic, author: User, quote_of: int | None) -> Post | None:
    """The post a reply quotes: one of the topic's that the author may read (a hidden post is not found)."""
    if quote_of is None:
        return None
    quoted, _ = _readable_post(session, quote_of, author)
    if quoted.topic_id != topic.id:
        raise InvalidInput("you can quote posts of this topic only")
    return quoted


def _add_post(session: Session, topic: Topic, author: User, body: str, rendered: Rendered,
              quoted: Post | None) -> Post:
    session.refresh(topic, with_for_update=True)  # concurrent replies take the topic's next numbers in turn
    number = (session.scalar(select(func.max(Post.number)).where(Post.topic_id == topic.id)) or 0) + 1
    post = Post(topic_id=topic.id, number=number, author_id=author.id, markdown=body, html=rendered.html,
                search_tokens=search_tokens(body), quote_of=quoted.id if quoted else None)
    session.add(post)
    topic.post_count = number
    topic.last_post_at = utcnow()
    session.flush()
    told: set[int] = {author.id}
    if number > 1 and topic.author_id not in told:
        notify(session, topic.author_id, "forum.reply", f"New reply in '{topic.title}'", topic_id=topic.id,
               post_id=post.id, topic_title=topic.title)
        told.add(topic.author_id)
    if quoted is not None and quoted.author_id not in told:
        notify(session, quoted.author_id, "forum.quote", f"You were quoted in '{topic.title}'", topic_id=topic.id,
               post_id=post.id, topic_title=topic.title)
        told.add(quoted.author_id)
    for user in _mentions(session, body):
        if user.id not in told:
            notify(session, user.id, "forum.mention", f"You were mentioned in '{topic.title}'", topic_id=topic.id,
                   post_id=post.id, topic_title=topic.title)
            told.add(user.id)
    return post


# --- out models ----------------------------------------------------------------------------

def post_out(post: Post, html: str | None = None) -> PostOut:
    """The post; ``html`` when its quotes are shown otherwise to the reader (``_shown``)."""
    return PostOut(id=post.id, number=post.number, author_id=post.author_id, html=post.html if html is None else html,
                   quote_of=post.quote_of, likes=len(post.likes), hidden=post.hidden, created_at=post.created_at,
                   edited_at=post.edited_at)


def topic_head(topic: Topic) -> TopicHead:
    """What every view of a topic shows above its posts."""
    return TopicHead(id=topic.id, category_id=topic.category_id, title=topic.title, author_id=topic.author_id,
                     locked=topic.locked, last_post_at=topic.last_post_at)


def topic_out(topic: Topic, posts: int) -> TopicOut:
    """``posts``: how many of its posts the reader can read (``_readable_posts``)."""
    return TopicOut(**topic_head(topic).model_dump(), posts=posts)


# --- quotes of posts the reader may not read (community.forums.quotes) ------------------------

def _unreadable(post: Post, viewer: User | None) -> QuoteWithheld | None:
    """Why ``viewer`` may not read ``post`` (as ``_visible_to`` decides), or None when they may."""
    if post.deleted:
        return QuoteWithheld.deleted
    if post.hidden and not is_staff(viewer) and (viewer is None or viewer.id != post.author_id):
        return QuoteWithheld.hidden
    return None


class _Text(NamedTuple):
    """A post's Markdown (or a revision's) with the topic its quotes' numbers are of."""

    topic_id: int
    quote_of: int | None
    markdown: str


@dataclass(frozen=True)
class _Shown:
    quoted: QuoteWithheld | None  # why the post it quotes is withheld from the reader
    chosen: list[tuple[quotes.Quote, QuoteWithheld]]  # the quotes shown as placeholders

    def markdown(self, markdown: str, words: Words | None) -> str:
        return quotes.replace(markdown, self.chosen, words) if self.chosen else markdown


def _texts(posts: Iterable[Post]) -> list[_Text]:
    return [_Text(p.topic_id, p.quote_of, p.markdown) for p in posts]


def _shown(session: Session, texts: Sequence[_Text], viewer: User | None) -> list[_Shown]:
    """For each text, what of it ``viewer`` may not read: its quotes of hidden or deleted posts."""
    found = [quotes.find(t.markdown) for t in texts]
    named = {(t.topic_id, q.number) for t, qs in zip(texts, found, strict=True) for q in qs if q.number is not None}
    ids = {t.quote_of for t in texts if t.quote_of is not None}
    if not named and not ids:
        return [_Shown(None, []) for _ in texts]
    rows = session.scalars(select(Post).where(or_(Post.id.in_(ids), and_(
        Post.topic_id.in_({topic for topic, _ in named}), Post.number.in_({n for _, n in named})))))
    by_number: dict[int, dict[int, QuoteWithheld]] = {}
    by_id: dict[int, QuoteWithheld] = {}
    for row in rows:
        if (why := _unreadable(row, viewer)) is not None:
            by_number.setdefault(row.topic_id, {})[row.number] = why
            by_id[row.id] = why
    out = []
    for text, quoted_here in zip(texts, found, strict=True):
        quoted = by_id.get(text.quote_of) if text.quote_of is not None else None
        out.append(_Shown(quoted, quotes.withheld(quoted_here, by_number.get(text.topic_id, {}), quoted)))
    return out


def _html(post: Post, shown: _Shown, words: Words) -> str:
    return render(shown.markdown(post.markdown, words)).html if shown.chosen else post.html


def _posts_out(session: Session, posts: list[Post], viewer: User | None, words: Words = WITHHELD_WORDS
               ) -> list[tuple[Post, PostOut, _Shown]]:
    """The posts as ``viewer`` may read them: a quote of a post they may not read is a placeholder."""
    shown = _shown(session, _texts(posts), viewer)
    return [(p, post_out(p, _html(p, s, words)), s) for p, s in zip(posts, shown, strict=True)]


# --- reads ---------------------------------------------------------------------------------

def categories(session: Session) -> list[CategoryOut]:
    return [CategoryOut.model_validate(c) for c in session.scalars(select(Category).order_by(Category.id))]


def _topic_rows(session: Session, category_id: int, number: int, size: int) -> list[Topic]:
    return list(session.scalars(select(Topic).where(Topic.category_id == category_id, Topic.hidden.is_(False),
                                                    Topic.deleted.is_(False))
                                .order_by(Topic.pinned.desc(), Topic.last_post_at.desc(), Topic.id.desc())
                                .offset((number - 1) * size).limit(size)))


def _readable_posts(session: Session, topics: list[Topic], viewer: User | None) -> dict[int, int]:
    """Per topic, the posts ``viewer`` can read, as its page counts them: the highest post number,
    which lists showed, counted deleted posts and posts hidden from the reader (the list said 3
    posts, the topic 2, and the next reply was #4)."""
    stmt = select(Post.topic_id, func.count()).where(Post.topic_id.in_([t.id for t in topics]))
    return dict(session.execute(_visible_to(stmt, viewer).group_by(Post.topic_id)).tuples().all())


def topics(session: Session, category_id: int, number: int = 1, size: int = 30,
           viewer: User | None = None) -> list[TopicOut]:
    """A page of a category's visible topics: pinned first, then the most recently active."""
    rows = _topic_rows(session, category_id, number, size)
    counts = _readable_posts(session, rows, viewer)
    return [topic_out(t, counts.get(t.id, 0)) for t in rows]


def _visible_to(stmt: Select[*_Ts], viewer: User | None) -> Select[*_Ts]:
    """Posts not deleted; hidden posts only for staff and their own authors."""
    stmt = stmt.where(Post.deleted.is_(False))
    if not is_staff(viewer):
        stmt = stmt.where(or_(Post.hidden.is_(False), Post.author_id == (viewer.id if viewer else -1)))
    return stmt


def page(session: Session, topic: Topic, viewer: User | None, number: int, size: int) -> list[Post]:
    """A page of posts: hidden posts only for staff and their own authors."""
    stmt = _visible_to(select(Post).where(Post.topic_id == topic.id), viewer)
    return list(session.scalars(stmt.order_by(Post.number).offset((number - 1) * size).limit(size)))


def topic_page(session: Session, topic_id: int, viewer: User | None, number: int = 1,
               size: int = 20) -> TopicPageOut:
    topic = get_topic(session, topic_id, viewer)
    head = topic_head(topic).model_dump()
    posts = _posts_out(session, page(session, topic, viewer, number, size), viewer)
    return TopicPageOut(**head, page=number, posts=[out for _, out, _ in posts])


def _revision_rows(session: Session, post_id: int) -> list[PostRevision]:
    return list(session.scalars(select(PostRevision).where(PostRevision.post_id == post_id)
                                .order_by(PostRevision.id)))


def revisions(session: Session, post_id: int, viewer: User | None,
              words: Words = WITHHELD_WORDS) -> list[RevisionOut]:
    """A post's edit history, oldest first, for whoever may read the post (as Discourse shows it to
    every reader): a hidden post's history (the text a moderator hid may be in it) only for staff
    and its author, and quotes of posts the viewer may not read as placeholders in ``words``. A
    version a moderator hid is there without its text, but for staff."""
    post, _ = _readable_post(session, post_id, viewer)
    rows = _revision_rows(session, post_id)
    shown = _shown(session, [_Text(post.topic_id, post.quote_of, r.markdown) for r in rows], viewer)
    withheld = not is_staff(viewer)
    return [RevisionOut(markdown="" if r.hidden_at and withheld else s.markdown(r.markdown, words),
                        edited_by=r.edited_by, at=r.created_at, hidden=r.hidden_at is not None,
                        hidden_reason=r.hidden_reason)
            for r, s in zip(rows, shown, strict=True)]


def post_history(session: Session, post_id: int, viewer: User | None,
                 words: Words = WITHHELD_WORDS) -> PostHistoryOut:
    """Every text the post had, oldest first, rendered as it was posted and under the name of who
    wrote it, for the readers ``revisions`` answers (the edit form says earlier text is kept in the
    post's history: this is where it is read)."""
    post, topic = _readable_post(session, post_id, viewer)
    earlier = revisions(session, post_id, viewer, words)
    [now] = _shown(session, _texts([post]), viewer)
    texts = [r.markdown for r in earlier] + [now.markdown(post.markdown, words)]
    writers = [post.author_id, *(r.edited_by for r in earlier)]  # an edit's author wrote the text after it
    since = [post.created_at, *(r.at for r in earlier)]
    until: list[datetime | None] = [*(r.at for r in earlier), None]
    hidden = [(r.hidden, r.hidden_reason) for r in earlier] + [(False, None)]
    names = display_names(session, [post.author_id, *writers])
    # the earlier texts rendered (a hidden one withheld is empty), the last as the topic shows it
    shown = [render(text).html if text else "" for text in texts[:-1]] + [_html(post, now, words)]
    versions = [VersionOut(number=n, html=html, markdown=text, written_by=names.get(by, ""), since=start, until=end,
                           hidden=hid, hidden_reason=why)
                for n, (html, text, by, start, end, (hid, why))
                in enumerate(zip(shown, texts, writers, since, until, hidden, strict=True), 1)]
    category = session.get(Category, topic.category_id)
    return PostHistoryOut(post_id=post.id, number=post.number, author=names.get(post.author_id, ""),
                          topic_id=topic.id, topic_title=topic.title,
                          category=CategoryRef.model_validate(category), hidden=post.hidden, versions=versions)


def _earlier_version(w: Writer, post_id: int, version: int) -> PostRevision:
    """Version ``version`` of a post as its history counts them (1: the text first posted), if it is
    one an edit replaced: the text shown now is hidden by hiding the post, or edited away."""
    require_staff(w.actor)
    post = get_post(w.session, post_id)
    get_topic(w.session, post.topic_id, w.actor)
    rows = _revision_rows(w.session, post.id)
    if version == len(rows) + 1:
        raise InvalidInput.said("version %(n)s is the text the post shows now: hide the post, or edit it",
                                n=version)
    if not 1 <= version <= len(rows):
        raise NotFound.said("this post has no version %(n)s", n=version)
    return rows[version - 1]


def hide_version(w: Writer, post_id: int, version: int, reason: str) -> VersionHiddenOut:
    """A moderator hides an earlier version of a post from everyone but moderators, saying why
    (readers of the history read why): the text an edit took out may be what must not be read. The
    text is kept; hiding it again only changes the reason. The post's author is no exception (as
    Discourse's hidden revisions, for staff only): a version may be a moderator's edit, not the
    author's text, and the author reads in the history that it was hidden and why (no inbox notice).
    A hidden post, unlike a hidden version, its author still reads, marked hidden with the reason,
    and edits (``_visible_to``)."""
    row = _earlier_version(w, post_id, version)
    reason = VersionHideIn(reason=reason).reason  # after the permission: a member learns no more than "no"
    if row.hidden_at is None or row.hidden_reason != reason:
        row.hidden_at, row.hidden_by, row.hidden_reason = row.hidden_at or utcnow(), w.actor.id, reason
        w.audit(AuditAction.forum_version_hide, "forum_post", post_id, version=version, reason=reason)
        w.commit()
    return VersionHiddenOut(post_id=post_id, version=version, hidden=True, hidden_reason=row.hidden_reason)


def show_version(w: Writer, post_id: int, version: int) -> VersionHiddenOut:
    """A moderator shows a hidden earlier version to readers again (nothing is done to one shown)."""
    row = _earlier_version(w, post_id, version)
    if row.hidden_at is not None:
        row.hidden_at, row.hidden_by, row.hidden_reason = None, None, None
        w.audit(AuditAction.forum_version_show, "forum_post", post_id, version=version)
        w.commit()
    return VersionHiddenOut(post_id=post_id, version=version, hidden=False, hidden_reason=None)


def search(session: Session, query: str, limit: int = 20) -> list[SearchHitOut]:
    """All query tokens (the platform analyzer, so Chinese works) in a visible post, as anyone may
    read it: a post that matches only by its quote of a hidden or deleted post is no hit."""
    tokens = get_analyzer().tokens(query)[:10]
    if not tokens:
        return []
    stmt = select(Post).join(Topic, Topic.id == Post.topic_id).where(
        Post.hidden.is_(False), Post.deleted.is_(False), Topic.hidden.is_(False), Topic.deleted.is_(False))
    for tok in tokens:
        stmt = stmt.where(Post.search_tokens.contains(f" {tok} "))
    stmt = stmt.order_by(Post.created_at.desc(), Post.id.desc()).limit(limit)
    hits: list[SearchHitOut] = []
    for start in itertools.count(0, limit):
        rows = list(session.scalars(stmt.offset(start)))
        for post, out, shown in _posts_out(session, rows, None):
            own = search_tokens(shown.markdown(post.markdown, None)) if shown.chosen else post.search_tokens
            if all(f" {tok} " in own for tok in tokens):
                hits.append(SearchHitOut(**out.model_dump(), topic_id=post.topic_id))
        if len(hits) >= limit or len(rows) < limit:
            return hits[:limit]
    return hits


def moderation_queue(session: Session, viewer: User) -> list[QueueItemOut]:
    """Hidden or flagged posts of topics not deleted, newest first, as the portal's queue lists them;
    for moderators only (a deleted topic's posts have nothing left to decide)."""
    require_staff(viewer)
    rows = session.scalars(select(Post).join(Topic, Topic.id == Post.topic_id)
                           .where(Post.deleted.is_(False), Topic.deleted.is_(False),
                                  or_(Post.hidden.is_(True), Post.flag_count > 0))
                           .order_by(Post.id.desc()).limit(200))
    return [QueueItemOut(post_id=p.id, topic_id=p.topic_id, hidden=p.hidden, reason=p.hidden_reason,
                         flags=len(p.flags)) for p in rows]


# --- writes --------------------------------------------------------------------------------

def create_category(w: Writer, body: CategoryIn) -> CategoryRef:
    """A forum; names are unique (a second one of the same name was a server error, not a refusal)."""
    require_admin(w.actor)
    if w.session.scalar(select(Category.id).where(Category.name == body.name)) is not None:
        raise Conflict.said("a forum named %(name)s exists", name=body.name)
    category = Category(name=body.name, description=body.description)
    w.session.add(category)
    w.session.flush()
    w.audit(AuditAction.forum_category_create, "forum_category", category.id, name=category.name)
    w.commit()
    return CategoryRef.model_validate(category)


def create_topic(w: Writer, body: TopicIn) -> TopicOut:
    """A topic and its first post, within the author's posting limits."""
    author = w.actor
    if w.session.get(Category, body.category_id) is None:
        raise InvalidInput.said("category %(id)s does not exist", id=body.category_id)
    rendered = _content(body.body)
    _check_limits(w.session, author, True, rendered)
    topic = Topic(category_id=body.category_id, author_id=author.id, title=body.title)
    w.session.add(topic)
    w.session.flush()
    _add_post(w.session, topic, author, body.body, rendered, None)
    w.audit(AuditAction.forum_topic_create, "forum_topic", topic.id)
    w.commit()
    return topic_out(topic, 1)  # its first post


def reply(w: Writer, topic_id: int, body: PostIn) -> PostOut:
    """A reply, within the author's posting limits; only staff reply to a locked topic."""
    author = w.actor
    topic = get_topic(w.session, topic_id, author)
    if topic.locked and not is_staff(author):
        raise Conflict("the topic is locked")
    rendered = _content(body.body)
    quoted = _quotable(w.session, topic, author, body.quote_of)
    _check_limits(w.session, author, False, rendered)
    post = _add_post(w.session, topic, author, body.body, rendered, quoted)
    w.audit(AuditAction.forum_post_create, "forum_post", post.id, topic_id=topic.id)
    w.commit()
    return post_out(post)


def _own_post(session: Session, post_id: int, user: User, staff_too: bool,
              locked_ok: bool = False) -> tuple[Post, Topic]:
    """A post its author (or, with ``staff_too``, a moderator) may change: in a topic they can see
    and, unless they are staff (or ``locked_ok``: only reading it back), one that is not locked."""
    post = get_post(session, post_id)
    topic = get_topic(session, post.topic_id, user)
    if post.author_id != user.id and not (staff_too and is_staff(user)):
        raise PermissionDenied("only the author or a moderator may edit a post" if staff_too
                               else "only its author may delete a post")
    if topic.locked and not is_staff(user) and not locked_ok:
        raise Conflict("the topic is locked")
    return post, topic


def editable_post(session: Session, post_id: int, viewer: User | None, refused: bool = False) -> PostEditOut:
    """A post's Markdown for its edit form, if ``viewer`` may edit it; with ``refused``, for the form
    shown again after a refusal, also when the topic was locked meanwhile (what they typed is kept)."""
    if viewer is None:
        raise NotAuthenticated("sign in to continue")
    post, topic = _own_post(session, post_id, viewer, staff_too=True, locked_ok=refused)
    return PostEditOut(id=post.id, topic_id=topic.id, topic_title=topic.title, number=post.number,
                       markdown=post.markdown)


def edit_post(w: Writer, post_id: int, body: str) -> PostOut:
    """The author or a moderator edits; the text before the edit is kept as a revision. A new user's
    edit is held to the links and images of a new post; only staff edit in a locked topic."""
    user = w.actor
    post, _ = _own_post(w.session, post_id, user, staff_too=True)
    rendered = _content(body)
    _check_content(limits_for(user, utcnow()), rendered)
    w.session.add(PostRevision(post_id=post.id, markdown=post.markdown, edited_by=user.id))
    post.markdown, post.html, post.edited_at = body, rendered.html, utcnow()
    post.search_tokens = search_tokens(body)
    w.audit(AuditAction.forum_post_edit, "forum_post", post.id)
    w.commit()
    return post_out(post)


def delete_own_post(w: Writer, post_id: int) -> PostOut:
    """The author takes back a reply (moderators delete through moderation). An opening post stays:
    its topic would lose its question under its replies; it can be edited, or the topic deleted by
    a moderator."""
    post, _ = _own_post(w.session, post_id, w.actor, staff_too=False)
    if post.number == 1:
        raise Conflict("the opening post of a topic cannot be deleted: edit it, or ask a moderator "
                       "to delete the topic")
    post.deleted = True
    w.audit(AuditAction.forum_post_delete, "forum_post", post.id, by="author")
    w.commit()
    return post_out(post)


def like_post(w: Writer, post_id: int) -> LikeOut:
    """Like, or take the like back: only a post the reader can read (a hidden post's likes told that
    it was there)."""
    post, _ = _readable_post(w.session, post_id, w.actor)
    user = w.actor
    if post.author_id == user.id:
        raise InvalidInput("you cannot like your own post")
    post.likes = [u for u in post.likes if u != user.id] if user.id in post.likes else [*post.likes, user.id]
    w.audit(AuditAction.forum_post_like, "forum_post", post.id)
    w.commit()
    return LikeOut(id=post.id, likes=len(post.likes))


def flag_post(w: Writer, post_id: int, reason: str | None = None) -> PostFlagOut:
    """Enough distinct flags hide the post until a moderator decides; the reason, if given, is kept
    with the audit entry, where the moderation queue reads it. Only a post the reader can read."""
    post, _ = _readable_post(w.session, post_id, w.actor)
    flag_and_hold(post, w.actor, FLAGS_TO_HIDE, "post")
    post.flag_count = len(post.flags)
    if reason:
        w.audit(AuditAction.forum_post_flag, "forum_post", post.id, reason=reason)
    else:
        w.audit(AuditAction.forum_post_flag, "forum_post", post.id)
    w.commit()
    return PostFlagOut(id=post.id, flags=len(post.flags), hidden=post.hidden)


# --- moderation ----------------------------------------------------------------------------

POST_AUDIT: dict[ModerationAction, AuditAction] = {
    ModerationAction.hide: AuditAction.forum_post_hide,
    ModerationAction.restore: AuditAction.forum_post_restore,
    ModerationAction.delete: AuditAction.forum_post_delete,
}
TOPIC_AUDIT: dict[ModerationAction, AuditAction] = {
    ModerationAction.hide: AuditAction.forum_topic_hide,
    ModerationAction.restore: AuditAction.forum_topic_restore,
    ModerationAction.delete: AuditAction.forum_topic_delete,
    ModerationAction.lock: AuditAction.forum_topic_lock,
    ModerationAction.unlock: AuditAction.forum_topic_unlock,
    ModerationAction.move: AuditAction.forum_topic_move,
    ModerationAction.pin: AuditAction.forum_topic_pin,
    ModerationAction.unpin: AuditAction.forum_topic_unpin,
}


def moderate_post(w: Writer, post_id: int, action: ModerationAction) -> ModeratedPostOut:
    """Hide, restore (clearing its flags) or delete a post."""
    require_staff(w.actor)
    if action not in POST_AUDIT:
        raise InvalidInput.said("a post can be %(actions)s, not %(action)s", actions=Listed(POST_AUDIT),
                                action=action.value)
    post = get_post(w.session, post_id)
    was_hidden = post.hidden
    if action is ModerationAction.hide:
        post.hidden, post.hidden_reason = True, "hidden by a moderator"
    elif action is ModerationAction.restore:
        post.hidden, post.hidden_reason, post.flags, post.flag_count = False, None, [], 0
    else:
        post.deleted = True
    _tell_author(w, post, action, was_hidden)
    w.audit(POST_AUDIT[action], "forum_post", post.id)
    w.commit()
    return ModeratedPostOut(id=post.id, hidden=post.hidden, deleted=post.deleted)


# what a moderator's action tells an author: the notification kind's ending and the English verb
TOLD = {ModerationAction.hide: ("hidden", "hid"), ModerationAction.restore: ("restored", "showed again"),
        ModerationAction.delete: ("deleted", "deleted")}


def _readers_see_a_change(action: ModerationAction, was_hidden: bool) -> bool:
    """Hidden when it was shown, shown again when it was hidden, or deleted: not a second "hide",
    nor dismissing the flags of a post that was never hidden, nor a lock, a pin or a move."""
    return {ModerationAction.hide: not was_hidden, ModerationAction.restore: was_hidden,
            ModerationAction.delete: True}.get(action, False)


def _tell_author(w: Writer, post: Post, action: ModerationAction, was_hidden: bool) -> None:
    """The author learns in the inbox what a moderator did to their post (not to their own post)."""
    if post.author_id == w.actor.id or not _readers_see_a_change(action, was_hidden):
        return
    topic = w.session.get(Topic, post.topic_id)
    title = topic.title if topic is not None else ""
    ending, did = TOLD[action]
    # a link only to what its author can open: not a deleted post, nor one in a hidden topic
    link = {} if action is ModerationAction.delete or (topic is not None and topic.hidden) else {"post_id": post.id}
    notify(w.session, post.author_id, f"forum.post_{ending}", f"A moderator {did} your post {post.number} in "
           f"'{title}'", topic_id=post.topic_id, topic_title=title, post_number=post.number, **link)


def _tell_topic_author(w: Writer, topic: Topic, action: ModerationAction, was_hidden: bool) -> None:
    """As for a post; a topic shown again is linked (a hidden or deleted one its author cannot open)."""
    if topic.author_id == w.actor.id or not _readers_see_a_change(action, was_hidden):
        return
    ending, did = TOLD[action]
    link = {"topic_id": topic.id} if action is ModerationAction.restore else {}
    notify(w.session, topic.author_id, f"forum.topic_{ending}", f"A moderator {did} your topic '{topic.title}'",
           topic_title=topic.title, **link)


def moderate_topic(w: Writer, topic_id: int, action: ModerationAction,
                   category_id: int | None = None) -> ModeratedTopicOut:
    """Hide, restore, delete, lock, unlock, pin, unpin, or move a topic to ``category_id``."""
    require_staff(w.actor)
    topic = get_topic(w.session, topic_id, w.actor)
    was_hidden = topic.hidden
    if action is ModerationAction.move:
        if category_id is None or w.session.get(Category, category_id) is None:
            raise InvalidInput("move needs an existing category_id")
        topic.category_id = category_id
    elif action in (ModerationAction.lock, ModerationAction.unlock):
        topic.locked = action is ModerationAction.lock
    elif action in (ModerationAction.pin, ModerationAction.unpin):
        topic.pinned = action is ModerationAction.pin
    elif action in (ModerationAction.hide, ModerationAction.restore):
        topic.hidden = action is ModerationAction.hide
    else:
        topic.deleted = True
    _tell_topic_author(w, topic, action, was_hidden)
    w.audit(TOPIC_AUDIT[action], "forum_topic", topic.id, category_id=category_id)
    w.commit()
    posts = _readable_posts(w.session, [topic], w.actor).get(topic.id, 0)
    return ModeratedTopicOut(**topic_out(topic, posts).model_dump(), hidden=topic.hidden, deleted=topic.deleted)


# --- reads for the portal: display names, pages, quotes, previews, the queue with reasons -----

TOPICS_PER_PAGE = 30
POSTS_PER_PAGE = 20


def display_names(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """Authors as people know them (never their e-mail)."""
    wanted = set(user_ids)
    if not wanted:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(wanted)))
    return {uid: name for uid, name in rows}


def get_category(session: Session, category_id: int) -> CategoryOut:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound.said("category %(id)s not found", id=category_id)
    return CategoryOut.model_validate(category)


def _pages(total: int, size: int, number: int) -> int:
    pages = max(1, math.ceil(total / size))
    if number > pages:
        raise NotFound.said("no page %(number)s: the last page is %(pages)s", pages=pages, number=number)
    return pages


def category_summaries(session: Session) -> list[CategorySummaryOut]:
    """Every category with how many visible topics it has and the most recently active one."""
    visible = (Topic.hidden.is_(False), Topic.deleted.is_(False))
    counts = {cid: (n, last) for cid, n, last in session.execute(
        select(Topic.category_id, func.count(), func.max(Topic.last_post_at)).where(*visible)
        .group_by(Topic.category_id))}
    out = []
    for category in session.scalars(select(Category).order_by(Category.id)):
        n, last = counts.get(category.id, (0, None))
        latest = session.scalars(select(Topic).where(Topic.category_id == category.id, *visible)
                                 .order_by(Topic.last_post_at.desc(), Topic.id.desc()).limit(1)).first()
        out.append(CategorySummaryOut(id=category.id, name=category.name, description=category.description,
                                      topics=n, last_post_at=last, last_topic_id=latest.id if latest else None,
                                      last_topic_title=latest.title if latest else None))
    return out


def topic_list(session: Session, category_id: int, number: int = 1, size: int = TOPICS_PER_PAGE,
               viewer: User | None = None) -> TopicListOut:
    """A page of a category's visible topics with their authors' names and the posts ``viewer`` can read."""
    category = get_category(session, category_id)
    total = session.scalar(select(func.count()).select_from(Topic).where(
        Topic.category_id == category_id, Topic.hidden.is_(False), Topic.deleted.is_(False))) or 0
    pages = _pages(total, size, number)
    rows = _topic_rows(session, category_id, number, size)
    names = display_names(session, (t.author_id for t in rows))
    counts = _readable_posts(session, rows, viewer)
    return TopicListOut(category=category, page=number, pages=pages, total=total,
                        topics=[TopicRowOut(**topic_out(t, counts.get(t.id, 0)).model_dump(),
                                            author=names.get(t.author_id, ""), pinned=t.pinned) for t in rows])


def _post_view(post: Post, out: PostOut, shown: _Shown, names: dict[int, str], viewer: User | None) -> PostViewOut:
    me = viewer.id if viewer else None
    return PostViewOut(**out.model_dump(), author=names.get(post.author_id, ""),
                       hidden_reason=post.hidden_reason, mine=post.author_id == me, liked=me in post.likes,
                       flagged=me in post.flags, quote_withheld=shown.quoted)


def topic_pages(session: Session, topic_id: int, viewer: User | None, size: int = POSTS_PER_PAGE) -> int:
    """How many pages of the topic ``viewer`` reads (a deletion may have taken the last one away)."""
    readable = _readable_posts(session, [get_topic(session, topic_id, viewer)], viewer).get(topic_id, 0)
    return max(1, math.ceil(readable / size))


def topic_view(session: Session, topic_id: int, viewer: User | None, number: int = 1,
               size: int = POSTS_PER_PAGE, words: Words = WITHHELD_WORDS) -> TopicViewOut:
    """A page of a topic as ``viewer`` may see it, with names and what the viewer liked or flagged;
    a quote of a post the viewer may not read says so in ``words`` (the reader's language)."""
    topic = get_topic(session, topic_id, viewer)
    total = _readable_posts(session, [topic], viewer).get(topic.id, 0)
    pages = _pages(total, size, number)
    posts = page(session, topic, viewer, number, size)
    names = display_names(session, [topic.author_id, *(p.author_id for p in posts)])
    category = session.get(Category, topic.category_id)
    head = topic_head(topic).model_dump()
    return TopicViewOut(**head, category=CategoryRef.model_validate(category), author=names.get(topic.author_id, ""),
                        hidden=topic.hidden, pinned=topic.pinned, page=number, pages=pages, total=total,
                        posts=[_post_view(p, out, shown, names, viewer)
                               for p, out, shown in _posts_out(session, posts, viewer, words)])


def _readable_post(session: Session, post_id: int, viewer: User | None) -> tuple[Post, Topic]:
    """The post and its topic, if ``viewer`` can read them; else "post … not found", the words for a
    post that never was (a hidden topic's "topic 12 not found" told that the post was there, and where)."""
    post = get_post(session, post_id)
    try:
        topic = get_topic(session, post.topic_id, viewer)
    except NotFound:
        raise NotFound.said("post %(id)s not found", id=post_id) from None
    if post.hidden and not is_staff(viewer) and (viewer is None or viewer.id != post.author_id):
        raise NotFound.said("post %(id)s not found", id=post_id)
    return post, topic


def post_place(session: Session, post_id: int, viewer: User | None, size: int = POSTS_PER_PAGE) -> PostPlaceOut:
    """The page of its topic on which ``viewer`` finds the post."""
    post, topic = _readable_post(session, post_id, viewer)
    before = session.scalar(_visible_to(select(func.count()).select_from(Post).where(
        Post.topic_id == topic.id, Post.number < post.number), viewer)) or 0
    return PostPlaceOut(topic_id=topic.id, page=before // size + 1)


def quote(session: Session, post_id: int, viewer: User | None, words: Words = WITHHELD_WORDS) -> QuoteOut:
    """The post's Markdown as a quote under its author's name, to start a reply with; what it quotes
    of a post the viewer may not read is its placeholder in ``words``."""
    post, topic = _readable_post(session, post_id, viewer)
    name = quotes.escape(display_names(session, [post.author_id]).get(post.author_id, ""))
    [shown] = _shown(session, _texts([post]), viewer)
    markdown = shown.markdown(post.markdown, words)
    lines = [f"> **{name}** (#{post.number}):", *(f"> {line}".rstrip() for line in markdown.strip().splitlines())]
    return QuoteOut(post_id=post.id, topic_id=topic.id, markdown="\n".join(lines) + "\n\n")


def preview(markdown: str) -> PreviewOut:
    """What a post would look like, rendered and sanitised exactly as when it is posted."""
    rendered = render(markdown)
    return PreviewOut(html=rendered.html, links=rendered.links, images=rendered.images)


@dataclass
class _Flags:
    """A post's current flags as the audit trail tells them: when the first was made, and each
    flagger's latest reason (flagger: reason, when)."""

    first_at: datetime
    reasons: dict[int, tuple[str, datetime]]


def _flag_trail(session: Session, posts: list[Post]) -> dict[int, _Flags]:
    """The current flags of each flagged post, from the audit trail (a restore clears the flags)."""
    flagged = {str(p.id): p for p in posts if p.flags}
    if not flagged:
        return {}
    found: dict[int, _Flags] = {}
    records = session.scalars(select(AuditRecord).where(
        AuditRecord.object_type == "forum_post", AuditRecord.object_id.in_(flagged),
        AuditRecord.action.in_([AuditAction.forum_post_flag.value, AuditAction.forum_post_restore.value]))
        .order_by(AuditRecord.id))
    for record in records:
        post = flagged[record.object_id]
        if record.action == AuditAction.forum_post_restore.value:
            found.pop(post.id, None)
        elif record.actor_id in post.flags:
            flags = found.setdefault(post.id, _Flags(record.at, {}))
            if record.details.get("reason"):
                flags.reasons[record.actor_id] = (str(record.details["reason"]), record.at)
    return found


def _as_flagged(session: Session, posts: list[Post], trail: dict[int, _Flags]) -> dict[int, str]:
    """The Markdown of each post edited after its first current flag, as it was then: the text the
    first edit after the flag replaced (each edit keeps the text before it as a revision)."""
    edited = {p.id: trail[p.id].first_at for p in posts
              if p.id in trail and p.edited_at is not None and p.edited_at > trail[p.id].first_at}
    if not edited:
        return {}
    found: dict[int, str] = {}
    for row in session.scalars(select(PostRevision).where(PostRevision.post_id.in_(edited))
                               .order_by(PostRevision.id)):
        if row.post_id not in found and row.created_at > edited[row.post_id]:
            found[row.post_id] = row.markdown
    return found


def moderation_entries(session: Session, viewer: User, words: Words = WITHHELD_WORDS) -> list[QueueEntryOut]:
    """The moderation queue with the post, its author's name, its topic and the flaggers' reasons
    (a quote of a deleted post is its placeholder in ``words``)."""
    require_staff(viewer)
    posts = list(session.scalars(select(Post).join(Topic, Topic.id == Post.topic_id).where(
        Post.deleted.is_(False), Topic.deleted.is_(False), or_(Post.hidden.is_(True), Post.flag_count > 0))
        .order_by(Post.id.desc()).limit(200)))
    topics_by_id = {t.id: t for t in session.scalars(select(Topic).where(Topic.id.in_({p.topic_id for p in posts})))}
    cats = {c.id: CategoryRef.model_validate(c) for c in session.scalars(select(Category))}
    trail = _flag_trail(session, posts)
    names = display_names(session, [*(p.author_id for p in posts), *(u for f in trail.values() for u in f.reasons)])
    before = _as_flagged(session, posts, trail)
    edited = [p for p in posts if p.id in before]
    then = dict(zip((p.id for p in edited), _shown(session, [_Text(p.topic_id, p.quote_of, before[p.id])
                                                             for p in edited], viewer), strict=True))
    out = []
    for p, shown in zip(posts, _shown(session, _texts(posts), viewer), strict=True):
        topic = topics_by_id[p.topic_id]
        flags = trail.get(p.id)
        out.append(QueueEntryOut(
            post_id=p.id, topic_id=p.topic_id, hidden=p.hidden, reason=p.hidden_reason, flags=len(p.flags),
            number=p.number, author=names.get(p.author_id, ""), html=_html(p, shown, words), topic_title=topic.title,
            topic_locked=topic.locked, topic_hidden=topic.hidden, category=cats[topic.category_id],
            created_at=p.created_at, edited_at=p.edited_at, flagged_at=flags.first_at if flags else None,
            flagged_html=render(then[p.id].markdown(before[p.id], words)).html if p.id in before else None,
            reasons=[FlagReasonOut(by=names.get(u, ""), reason=r, at=at)
                     for u, (r, at) in (flags.reasons.items() if flags else ())]))
    return out


def post_view(session: Session, post_id: int, viewer: User | None) -> PostViewOut:
    """One post as ``viewer`` sees it (after a like, for the button)."""
    post, _ = _readable_post(session, post_id, viewer)
    [(_, out, shown)] = _posts_out(session, [post], viewer)
    return _post_view(post, out, shown, display_names(session, [post.author_id]), viewer)
