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
    """Every category, in the order they were made; anyone may read them."""
    return svc.categories(session)


@router.post("/categories",
             summary="Create a category (admins)",
             status_code=status.HTTP_201_CREATED, response_model=schemas.CategoryRef)
def create_category(body: schemas.CategoryIn, w: AdminWriterDep) -> schemas.CategoryRef:
    """Admins only; category names are unique (409 for a name in use)."""
    return svc.create_category(w, body)


@router.get("/categories/{category_id}/topics", summary="A category's topics", response_model=list[schemas.TopicOut])
def topics(category_id: DbId, session: SessionDep, reader: OptionalUser,
           page: Annotated[int, Query(ge=1, le=100_000)] = 1,
           size: Annotated[int, Query(ge=1, le=100)] = 30) -> list[schemas.TopicOut]:
    """``posts``: how many of each topic's posts the reader can read."""
    return svc.topics(session, category_id, page, size, viewer=reader)


@router.post("/topics", summary="Start a topic", status_code=status.HTTP_201_CREATED, response_model=schemas.TopicOut)
def create_topic(body: schemas.TopicIn, w: WriterDep) -> schemas.TopicOut:
    """Any signed-in person opens a topic in `category_id` (400 if there is none) with its first post:
    `body` in Markdown, stored as sanitised HTML. People named with @ are told in their inbox. Limits,
    but for moderators and admins: an account under a day old opens 3 topics a day (429) with at most 2
    links and 1 image a post (400); between two topics one waits 120 s, or 15 s once a day old (429)."""
    return svc.create_topic(w, body)


@router.get("/topics/{topic_id}", summary="A topic with its posts", response_model=schemas.TopicPageOut)
def topic_page(topic_id: DbId, session: SessionDep, user: OptionalUser,
               page: Annotated[int, Query(ge=1, le=100_000)] = 1,
               size: Annotated[int, Query(ge=1, le=100)] = 20) -> schemas.TopicPageOut:
    """Anyone may read: posts in order, `size` a page, as sanitised `html`. Hidden posts are shown only to
    moderators and their authors, deleted ones never; a quote of a post you may not read is a placeholder.
    404 for a deleted topic, and for a hidden one but to moderators."""
    return svc.topic_page(session, topic_id, user, page, size)


@router.post("/topics/{topic_id}/posts",
             summary="Reply to a topic", status_code=status.HTTP_201_CREATED, response_model=schemas.PostOut)
def reply(topic_id: DbId, body: schemas.PostIn, w: WriterDep) -> schemas.PostOut:
    """Any signed-in person; `quote_of` is a post of this topic you can read. 409 when the topic is
    locked (moderators may still reply). The topic's author, the quoted post's author and people named
    with @ are told in their inbox. Limits, but for moderators and admins: an account under a day old
    posts 10 replies a day; between two replies one waits 30 s, or 5 s once a day old (429, `Retry-After`)."""
    return svc.reply(w, topic_id, body)


@router.put("/posts/{post_id}", summary="Edit your post", response_model=schemas.PostOut)
def edit_post(post_id: DbId, body: schemas.BodyIn, w: WriterDep) -> schemas.PostOut:
    """Its author or a moderator (403 for others); 409 in a locked topic, but for moderators. The text
    before the edit is kept in the post's history (`/revisions`). An account under a day old is held
    to the links and images of a new post."""
    return svc.edit_post(w, post_id, body.body)


@router.delete("/posts/{post_id}",
               summary="Delete your reply", status_code=status.HTTP_204_NO_CONTENT, response_model=None)
def delete_post(post_id: DbId, w: WriterDep) -> None:
    """The author deletes a reply of theirs; moderators delete through ``/moderate``."""
    svc.delete_own_post(w, post_id)


@router.get("/posts/{post_id}/revisions", summary="A post's earlier versions", response_model=list[schemas.RevisionOut])
def revisions(post_id: DbId, session: SessionDep, user: OptionalUser) -> list[schemas.RevisionOut]:
    """The text before each edit, oldest first (entry n is version n of `/versions/{version}`), for
    anyone who may read the post: a hidden post's only for moderators and its author. A version a
    moderator hid comes with `hidden` and `hidden_reason` and, but to moderators, an empty `markdown`."""
    return svc.revisions(session, post_id, user)


@router.post("/posts/{post_id}/versions/{version}/hide", summary="Hide an earlier version of a post (moderators)",
             response_model=schemas.VersionHiddenOut)
def hide_version(post_id: DbId, version: Annotated[int, Path(ge=1, le=100_000)], body: schemas.VersionHideIn,
                 w: ModeratorWriterDep) -> schemas.VersionHiddenOut:
    """Moderators and admins. Version 1 is the text first posted, version n the n-th entry of
    `/revisions`; the text shown now cannot be hidden so (400: hide the post, or edit it), and a version
    the post does not have is 404. It is then hidden from everyone but moderators, its author included;
    readers of the history see `reason`. Hiding it again only changes the reason."""
    return svc.hide_version(w, post_id, version, body.reason)


@router.post("/posts/{post_id}/versions/{version}/show", summary="Show a hidden earlier version again (moderators)",
             response_model=schemas.VersionHiddenOut)
def show_version(post_id: DbId, version: Annotated[int, Path(ge=1, le=100_000)],
                 w: ModeratorWriterDep) -> schemas.VersionHiddenOut:
    """Moderators and admins: a hidden version's text is readable in the post's history again
    (a version not hidden is left as it is). `version` counts as for `/hide`."""
    return svc.show_version(w, post_id, version)


@router.post("/posts/{post_id}/like", summary="Like or unlike a post", response_model=schemas.LikeOut)
def like(post_id: DbId, w: WriterDep) -> schemas.LikeOut:
    """A second call takes your like back. Not your own post (400); a post you cannot read is 404.
    Answers the post's number of likes."""
    return svc.like_post(w, post_id)


@router.post("/posts/{post_id}/flag", summary="Flag a post for moderators", response_model=schemas.PostFlagOut)
def flag(post_id: DbId, w: WriterDep) -> schemas.PostFlagOut:
    """One flag per person (flagging again changes nothing); not your own post (400). Three flags from
    different people hide the post (`hidden`) until a moderator restores or deletes it; its author
    still sees it. The post is listed in the moderation queue. A post you cannot read is 404."""
    return svc.flag_post(w, post_id)


@router.post("/posts/{post_id}/moderate",
             summary="Hide, restore or delete a post (moderators)", response_model=schemas.ModeratedPostOut)
def moderate_post(post_id: DbId, body: schemas.ModerationIn, w: ModeratorWriterDep) -> schemas.ModeratedPostOut:
    """Moderators and admins. `action` is `hide`, `restore` (shown again, its flags cleared) or `delete`;
    any other action is 400. The post's author is told in their inbox when readers see a change."""
    return svc.moderate_post(w, post_id, body.action)


@router.post("/topics/{topic_id}/moderate",
             summary="Moderate a topic: lock, pin, move, hide or delete it, or undo (moderators)",
             response_model=schemas.ModeratedTopicOut)
def moderate_topic(topic_id: DbId, body: schemas.ModerationIn, w: ModeratorWriterDep) -> schemas.ModeratedTopicOut:
    """Moderators and admins. `action`: `lock` or `unlock` (only moderators reply in a locked topic),
    `pin` or `unpin` (listed first), `move` to `category_id` (400 without an existing one), `hide` or
    `restore`, or `delete` (404 from then on). Its author is told when it is hidden, restored or deleted."""
    return svc.moderate_topic(w, topic_id, body.action, body.category_id)


@router.get("/moderation/queue", summary="Flagged posts (moderators)", response_model=list[schemas.QueueItemOut])
def moderation_queue(session: SessionDep, moderator: ModeratorUser) -> list[schemas.QueueItemOut]:
    """Moderators and admins: up to 200 posts that are hidden or flagged, newest first, with their
    number of `flags` and why they are hidden (`reason`). Deleted posts, and the posts of deleted
    topics, are left out."""
    return svc.moderation_queue(session, moderator)


@router.get("/search", summary="Search the forums", response_model=list[schemas.SearchHitOut])
def search_posts(session: SessionDep, q: Annotated[str, Query(min_length=1, max_length=200)],
                 limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[schemas.SearchHitOut]:
    """Anyone: posts holding every word of `q` (the first 10 count; analysed as the patent index is, so
    Chinese works), newest first, at most `limit`. Only what anyone may read: never a hidden or deleted
    post or topic. Counted against the search limits (429 with `Retry-After`)."""
    return svc.search(session, q, limit)
