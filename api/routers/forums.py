"""Forums: anonymous read; registered users post; moderators moderate; admins make categories."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import ModeratorUser, OptionalUser, SessionDep, Writer, WriterDep, role_writer
from community.forums import service as svc
from community.forums.models import Category, Post, PostRevision, Topic
from core.accounts.models import Role

router = APIRouter(prefix="/api/v1/forums", tags=["forums"])
AdminWriter = Annotated[Writer, Depends(role_writer(Role.admin))]
ModeratorWriter = Annotated[Writer, Depends(role_writer(Role.moderator))]


class CategoryIn(BaseModel):
    name: str = Field(min_length=2, max_length=100)
    description: str = Field(default="", max_length=2000)


class BodyIn(BaseModel):
    body: str = Field(min_length=1, max_length=50_000)


class ActionIn(BaseModel):
    action: str = Field(max_length=20)
    category_id: int | None = None


def _post_out(p: Post) -> dict[str, Any]:
    return {"id": p.id, "number": p.number, "author_id": p.author_id, "html": p.html, "quote_of": p.quote_of,
            "likes": len(p.likes), "hidden": p.hidden, "created_at": p.created_at, "edited_at": p.edited_at}


def _topic_out(t: Topic) -> dict[str, Any]:
    return {"id": t.id, "category_id": t.category_id, "title": t.title, "author_id": t.author_id,
            "locked": t.locked, "posts": t.post_count, "last_post_at": t.last_post_at}


@router.get("/categories")
def categories(session: SessionDep) -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "description": c.description}
            for c in session.scalars(select(Category).order_by(Category.id))]


@router.post("/categories", status_code=status.HTTP_201_CREATED)
def create_category(body: CategoryIn, w: AdminWriter) -> dict[str, Any]:
    cat = Category(name=body.name, description=body.description)
    w.session.add(cat)
    w.session.flush()
    w.audit("forum.category.create", "forum_category", cat.id, name=cat.name)
    w.commit()
    return {"id": cat.id, "name": cat.name}


@router.get("/categories/{category_id}/topics")
def topics(category_id: int, session: SessionDep, page: Annotated[int, Query(ge=1)] = 1,
           size: Annotated[int, Query(ge=1, le=100)] = 30) -> list[dict[str, Any]]:
    rows = session.scalars(select(Topic).where(Topic.category_id == category_id, Topic.hidden.is_(False),
                                               Topic.deleted.is_(False))
                           .order_by(Topic.last_post_at.desc(), Topic.id.desc()).offset((page - 1) * size).limit(size))
    return [_topic_out(t) for t in rows]


@router.post("/topics", status_code=status.HTTP_201_CREATED)
def create_topic(body: svc.TopicIn, w: WriterDep) -> dict[str, Any]:
    topic = svc.create_topic(w.session, w.actor, body)
    w.audit("forum.topic.create", "forum_topic", topic.id)
    w.commit()
    return _topic_out(topic)


@router.get("/topics/{topic_id}")
def topic_page(topic_id: int, session: SessionDep, user: OptionalUser, page: Annotated[int, Query(ge=1)] = 1,
               size: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    topic = svc.get_topic(session, topic_id, user)
    return {**_topic_out(topic), "page": page, "posts": [_post_out(p) for p in svc.page(session, topic, user, page,
                                                                                        size)]}


@router.post("/topics/{topic_id}/posts", status_code=status.HTTP_201_CREATED)
def reply(topic_id: int, body: svc.PostIn, w: WriterDep) -> dict[str, Any]:
    post = svc.reply(w.session, svc.get_topic(w.session, topic_id, w.actor), w.actor, body)
    w.audit("forum.post.create", "forum_post", post.id, topic_id=topic_id)
    w.commit()
    return _post_out(post)


@router.put("/posts/{post_id}")
def edit_post(post_id: int, body: BodyIn, w: WriterDep) -> dict[str, Any]:
    post = svc.edit(w.session, svc.get_post(w.session, post_id), w.actor, body.body)
    w.audit("forum.post.edit", "forum_post", post.id)
    w.commit()
    return _post_out(post)


@router.get("/posts/{post_id}/revisions")
def revisions(post_id: int, session: SessionDep) -> list[dict[str, Any]]:
    svc.get_post(session, post_id)
    return [{"markdown": r.markdown, "edited_by": r.edited_by, "at": r.created_at}
            for r in session.scalars(select(PostRevision).where(PostRevision.post_id == post_id)
                                     .order_by(PostRevision.id))]


@router.post("/posts/{post_id}/like")
def like(post_id: int, w: WriterDep) -> dict[str, Any]:
    post = svc.like(w.session, svc.get_post(w.session, post_id), w.actor)
    w.audit("forum.post.like", "forum_post", post.id)
    w.commit()
    return {"id": post.id, "likes": len(post.likes)}


@router.post("/posts/{post_id}/flag")
def flag(post_id: int, w: WriterDep) -> dict[str, Any]:
    post = svc.flag(w.session, svc.get_post(w.session, post_id), w.actor)
    w.audit("forum.post.flag", "forum_post", post.id)
    w.commit()
    return {"id": post.id, "flags": len(post.flags), "hidden": post.hidden}


@router.post("/posts/{post_id}/moderate")
def moderate_post(post_id: int, body: ActionIn, w: ModeratorWriter) -> dict[str, Any]:
    post = svc.moderate_post(w.session, svc.get_post(w.session, post_id), w.actor, body.action)
    w.audit(f"forum.post.{body.action}", "forum_post", post.id)
    w.commit()
    return {"id": post.id, "hidden": post.hidden, "deleted": post.deleted}


@router.post("/topics/{topic_id}/moderate")
def moderate_topic(topic_id: int, body: ActionIn, w: ModeratorWriter) -> dict[str, Any]:
    topic = svc.moderate_topic(w.session, svc.get_topic(w.session, topic_id, w.actor), w.actor, body.action,
                               body.category_id)
    w.audit(f"forum.topic.{body.action}", "forum_topic", topic.id, category_id=body.category_id)
    w.commit()
    return {**_topic_out(topic), "hidden": topic.hidden, "deleted": topic.deleted}


@router.get("/moderation/queue")
def moderation_queue(session: SessionDep, _: ModeratorUser) -> list[dict[str, Any]]:
    return svc.queue(session)


@router.get("/search")
def search_posts(session: SessionDep, q: Annotated[str, Query(min_length=1, max_length=200)],
                 limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[dict[str, Any]]:
    return [_post_out(p) | {"topic_id": p.topic_id} for p in svc.search(session, q, limit)]
