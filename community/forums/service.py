"""Forum operations. Callers own the transaction; permission and rate checks live here."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from community.forums.markdown import render
from community.forums.models import Category, Post, PostRevision, Topic
from community.forums.rules import FLAGS_TO_HIDE, limits_for
from core.accounts.models import Role, User
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, TooManyRequests
from core.notifications import notify
from ipsearch.analysis import get_analyzer

_MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9_.-]{2,60})")


class TopicIn(BaseModel):
    category_id: int
    title: str = Field(min_length=3, max_length=300)
    body: str = Field(min_length=1, max_length=50_000)


class PostIn(BaseModel):
    body: str = Field(min_length=1, max_length=50_000)
    quote_of: int | None = None


def is_staff(user: User) -> bool:
    return user.role in (Role.moderator, Role.admin)


def get_topic(session: Session, topic_id: int, viewer: User | None = None) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None or topic.deleted or (topic.hidden and not (viewer and is_staff(viewer))):
        raise NotFound(f"topic {topic_id} not found")
    return topic


def get_post(session: Session, post_id: int) -> Post:
    post = session.get(Post, post_id)
    if post is None or post.deleted:
        raise NotFound(f"post {post_id} not found")
    return post


def _check_limits(session: Session, user: User, new_topic: bool, links: int, images: int) -> None:
    now = utcnow()
    limits = limits_for(user, now)
    if limits.links_per_post is not None and links > limits.links_per_post:
        raise InvalidInput(f"new users may post at most {limits.links_per_post} links")
    if limits.images_per_post is not None and images > limits.images_per_post:
        raise InvalidInput(f"new users may post at most {limits.images_per_post} image(s)")
    if new_topic:
        last = session.scalar(select(func.max(Topic.created_at)).where(Topic.author_id == user.id))
        wait = limits.seconds_between_topics
    else:
        last = session.scalar(select(func.max(Post.created_at)).where(Post.author_id == user.id, Post.number > 1))
        wait = limits.seconds_between_posts
    if last is not None and (now - last).total_seconds() < wait:
        left = int(wait - (now - last).total_seconds()) + 1
        raise TooManyRequests(f"please wait {left} s before posting again", retry_after=left)
    day_ago = now - timedelta(days=1)
    if new_topic and limits.topics_per_day is not None:
        count = session.scalar(select(func.count()).select_from(Topic).where(Topic.author_id == user.id,
                                                                            Topic.created_at >= day_ago))
        if (count or 0) >= limits.topics_per_day:
            raise TooManyRequests(f"new users may open {limits.topics_per_day} topics a day", retry_after=3600)
    if not new_topic and limits.replies_per_day is not None:
        count = session.scalar(select(func.count()).select_from(Post).where(
            Post.author_id == user.id, Post.number > 1, Post.created_at >= day_ago))
        if (count or 0) >= limits.replies_per_day:
            raise TooManyRequests(f"new users may post {limits.replies_per_day} replies a day", retry_after=3600)


def _mentions(session: Session, text: str) -> list[User]:
    handles = {h.lower() for h in _MENTION.findall(text)}
    if not handles:
        return []
    return list(session.scalars(select(User).where(func.lower(User.display_name).in_(handles))))


def _add_post(session: Session, topic: Topic, author: User, body: str, quote_of: int | None) -> Post:
    rendered = render(body)
    quoted = None
    if quote_of is not None:
        quoted = get_post(session, quote_of)
        if quoted.topic_id != topic.id:
            raise InvalidInput("you can quote posts of this topic only")
    number = (session.scalar(select(func.max(Post.number)).where(Post.topic_id == topic.id)) or 0) + 1
    post = Post(topic_id=topic.id, number=number, author_id=author.id, markdown=body, html=rendered.html,
                search_tokens=" " + get_analyzer().analyse(body) + " ", quote_of=quote_of)
    session.add(post)
    topic.post_count = number
    topic.last_post_at = utcnow()
    session.flush()
    told: set[int] = {author.id}
    if number > 1 and topic.author_id not in told:
        notify(session, topic.author_id, "forum.reply", f"New reply in '{topic.title}'", topic_id=topic.id,
               post_id=post.id)
        told.add(topic.author_id)
    if quoted is not None and quoted.author_id not in told:
        notify(session, quoted.author_id, "forum.quote", f"You were quoted in '{topic.title}'", topic_id=topic.id,
               post_id=post.id)
        told.add(quoted.author_id)
    for user in _mentions(session, body):
        if user.id not in told:
            notify(session, user.id, "forum.mention", f"You were mentioned in '{topic.title}'", topic_id=topic.id,
                   post_id=post.id)
            told.add(user.id)
    return post


def create_topic(session: Session, author: User, body: TopicIn) -> Topic:
    if session.get(Category, body.category_id) is None:
        raise InvalidInput(f"category {body.category_id} does not exist")
    rendered = render(body.body)
    _check_limits(session, author, True, rendered.links, rendered.images)
    topic = Topic(category_id=body.category_id, author_id=author.id, title=body.title)
    session.add(topic)
    session.flush()
    _add_post(session, topic, author, body.body, None)
    return topic


def reply(session: Session, topic: Topic, author: User, body: PostIn) -> Post:
    if topic.locked and not is_staff(author):
        raise Conflict("the topic is locked")
    rendered = render(body.body)
    _check_limits(session, author, False, rendered.links, rendered.images)
    return _add_post(session, topic, author, body.body, body.quote_of)


def edit(session: Session, post: Post, user: User, body: str) -> Post:
    if post.author_id != user.id and not is_staff(user):
        raise PermissionDenied("only the author or a moderator may edit a post")
    session.add(PostRevision(post_id=post.id, markdown=post.markdown, edited_by=user.id))
    rendered = render(body)
    post.markdown, post.html, post.edited_at = body, rendered.html, utcnow()
    post.search_tokens = " " + get_analyzer().analyse(body) + " "
    session.flush()
    return post


def like(session: Session, post: Post, user: User) -> Post:
    if post.author_id == user.id:
        raise InvalidInput("you cannot like your own post")
    post.likes = [u for u in post.likes if u != user.id] if user.id in post.likes else [*post.likes, user.id]
    session.flush()
    return post


def flag(session: Session, post: Post, user: User) -> Post:
    if post.author_id == user.id:
        raise InvalidInput("you cannot flag your own post")
    if user.id not in post.flags:
        post.flags = [*post.flags, user.id]
        post.flag_count = len(post.flags)
    if len(post.flags) >= FLAGS_TO_HIDE and not post.hidden:
        post.hidden, post.hidden_reason = True, f"flagged by {len(post.flags)} users"
    session.flush()
    return post


POST_ACTIONS = {"hide", "restore", "delete"}
TOPIC_ACTIONS = {"hide", "restore", "delete", "lock", "unlock", "move"}


def moderate_post(session: Session, post: Post, moderator: User, action: str) -> Post:
    if not is_staff(moderator):
        raise PermissionDenied("only moderators moderate")
    if action not in POST_ACTIONS:
        raise InvalidInput(f"unknown action; one of {sorted(POST_ACTIONS)}")
    if action == "hide":
        post.hidden, post.hidden_reason = True, "hidden by a moderator"
    elif action == "restore":
        post.hidden, post.hidden_reason, post.flags, post.flag_count = False, None, [], 0
    else:
        post.deleted = True
    session.flush()
    return post


def moderate_topic(session: Session, topic: Topic, moderator: User, action: str,
                   category_id: int | None = None) -> Topic:
    if not is_staff(moderator):
        raise PermissionDenied("only moderators moderate")
    if action not in TOPIC_ACTIONS:
        raise InvalidInput(f"unknown action; one of {sorted(TOPIC_ACTIONS)}")
    if action == "move":
        if category_id is None or session.get(Category, category_id) is None:
            raise InvalidInput("move needs an existing category_id")
        topic.category_id = category_id
    elif action in ("lock", "unlock"):
        topic.locked = action == "lock"
    elif action in ("hide", "restore"):
        topic.hidden = action == "hide"
    else:
        topic.deleted = True
    session.flush()
    return topic


def page(session: Session, topic: Topic, viewer: User | None, number: int, size: int) -> list[Post]:
    stmt = select(Post).where(Post.topic_id == topic.id, Post.deleted.is_(False))
    if not (viewer and is_staff(viewer)):
        stmt = stmt.where(or_(Post.hidden.is_(False), Post.author_id == (viewer.id if viewer else -1)))
    return list(session.scalars(stmt.order_by(Post.number).offset((number - 1) * size).limit(size)))


def search(session: Session, query: str, limit: int = 20) -> list[Post]:
    """All query tokens (the platform analyzer, so Chinese works) in a visible post."""
    tokens = get_analyzer().tokens(query)[:10]
    if not tokens:
        return []
    stmt = select(Post).join(Topic, Topic.id == Post.topic_id).where(
        Post.hidden.is_(False), Post.deleted.is_(False), Topic.hidden.is_(False), Topic.deleted.is_(False))
    for tok in tokens:
        stmt = stmt.where(Post.search_tokens.contains(f" {tok} "))
    return list(session.scalars(stmt.order_by(Post.created_at.desc()).limit(limit)))


def queue(session: Session) -> list[dict[str, Any]]:
    """The moderation queue: hidden or flagged posts, newest first."""
    rows = session.scalars(select(Post).where(Post.deleted.is_(False), or_(Post.hidden.is_(True),
                                                                            Post.flag_count > 0))
                           .order_by(Post.id.desc()).limit(200))
    return [{"post_id": p.id, "topic_id": p.topic_id, "hidden": p.hidden, "reason": p.hidden_reason,
             "flags": len(p.flags)} for p in rows]
