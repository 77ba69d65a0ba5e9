"""Forums: anonymous read; registered users post; moderators moderate; admins make categories."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from api.deps import AdminWriterDep, ModeratorUser, ModeratorWriterDep, OptionalUser, SessionDep, WriterDep
from community.forums import schemas
from community.forums import service as svc
from core.ids import DbId

router = APIRouter(prefix="/api/v1/forums", tags=["forums"])


@router.get("/categories", summary="Forum categories", response_model=list[schemas.CategoryOut])
def categories(session: SessionDep) -> list[schemas.CategoryOut]:
    return svc.categories(session)


@router.post("/categories",
             summary="Create a category (admins)",
             status_code=status.HTTP_201_CREATED, response_model=schemas.CategoryRef)
def create_category(body: schemas.CategoryIn, w: AdminWriterDep) -> schemas.CategoryRef:
    return svc.create_category(w, body)


@router.get("/categories/{category_id}/topics", summary="A category's topics", response_model=list[schemas.TopicOut])
def topics(category_id: DbId, session: SessionDep, reader: OptionalUser,
           page: Annotated[int, Query(ge=1, le=100_000)] = 1,
           size: Annotated[int, Query(ge=1, le=100)] = 30) -> list[schemas.TopicOut]:
    """``posts``: how many of each topic's posts the reader can read."""
    return svc.topics(session, category_id, page, size, viewer=reader)


@router.post("/topics", summary="Start a topic", status_code=status.HTTP_201_CREATED, response_model=schemas.TopicOut)
def create_topic(body: schemas.TopicIn, w: WriterDep) -> schemas.TopicOut:
    return svc.create_topic(w, body)


@router.get("/topics/{topic_id}", summary="A topic with its posts", response_model=schemas.TopicPageOut)
def topic_page(topic_id: DbId, session: SessionDep, user: OptionalUser,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1,
               size: Annotated[int, Query(ge=1, le=100)] = 20) -> schemas.TopicPageOut:
    return svc.topic_page(session, topic_id, user, page, size)


@router.post("/topics/{topic_id}/posts",
             summary="Reply to a topic", status_code=status.HTTP_201_CREATED, response_model=schemas.PostOut)
def reply(topic_id: DbId, body: schemas.PostIn, w: WriterDep) -> schemas.PostOut:
    return svc.reply(w, topic_id, body)


@router.put("/posts/{post_id}", summary="Edit your post", response_model=schemas.PostOut)
def edit_post(post_id: DbId, body: schemas.BodyIn, w: WriterDep) -> schemas.PostOut:
    return svc.edit_post(w, post_id, body.body)


@router.delete("/posts/{post_id}",
               summary="Delete your reply", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
def delete_post(post_id: DbId, w: WriterDep) -> None:
    """The author deletes a reply of theirs; moderators delete through ``/moderate``."""
    svc.delete_own_post(w, post_id)


@router.get("/posts/{post_id}/revisions", summary="A post's earlier versions", response_model=list[schemas.RevisionOut])
def revisions(post_id: DbId, session: SessionDep, user: OptionalUser) -> list[schemas.RevisionOut]:
    return svc.revisions(session, post_id, user)


@router.post("/posts/{post_id}/versions/{version}/hide", summary="Hide an earlier version of a post (moderators)",
             response_model=schemas.VersionHiddenOut)
def hide_version(post_id: DbId, version: Annotated[int, Path(ge=1, le=100_000)], body: schemas.VersionHideIn,
                 w: ModeratorWriterDep) -> schemas.VersionHiddenOut:
    return svc.hide_version(w, post_id, version, body.reason)


@router.post("/posts/{post_id}/versions/{version}/show", summary="Show a hidden earlier version again (moderators)",
             response_model=schemas.VersionHiddenOut)
def show_version(post_id: DbId, version: Annotated[int, Path(ge=1, le=100_000)],
                 w: ModeratorWriterDep) -> schemas.VersionHiddenOut:
    return svc.show_version(w, post_id, version)


@router.post("/posts/{post_id}/like", summary="Like or unlike a post", response_model=schemas.LikeOut)
def like(post_id: DbId, w: WriterDep) -> schemas.LikeOut:
    return svc.like_post(w, post_id)


@router.post("/posts/{post_id}/flag", summary="Flag a post for moderators", response_model=schemas.PostFlagOut)
def flag(post_id: DbId, w: WriterDep) -> schemas.PostFlagOut:
    return svc.flag_post(w, post_id)


@router.post("/posts/{post_id}/moderate",
             summary="Hide, restore or delete a post (moderators)", response_model=schemas.ModeratedPostOut)
def moderate_post(post_id: DbId, body: schemas.ModerationIn, w: ModeratorWriterDep) -> schemas.ModeratedPostOut:
    return svc.moderate_post(w, post_id, body.action)


@router.post("/topics/{topic_id}/moderate",
             summary="Lock, move, pin or hide a topic (moderators)", response_model=schemas.ModeratedTopicOut)
def moderate_topic(topic_id: DbId, body: schemas.ModerationIn, w: ModeratorWriterDep) -> schemas.ModeratedTopicOut:
    return svc.moderate_topic(w, topic_id, body.action, body.category_id)


@router.get("/moderation/queue", summary="Flagged posts (moderators)", response_model=list[schemas.QueueItemOut])
def moderation_queue(session: SessionDep, moderator: ModeratorUser) -> list[schemas.QueueItemOut]:
    return svc.moderation_queue(session, moderator)


@router.get("/search", summary="Search the forums", response_model=list[schemas.SearchHitOut])
def search_posts(session: SessionDep, q: Annotated[str, Query(min_length=1, max_length=200)],
                 limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[schemas.SearchHitOut]:
    return svc.search(session, q, limit)
