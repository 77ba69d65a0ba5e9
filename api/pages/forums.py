"""The forums in the browser: the community home (categories with topic counts and latest activity),
a category's topics with the new-topic form, a topic's posts under their authors' names with reply,
Markdown preview, quote, like and flag, a post's history (every text it had; a moderator hides an
earlier one from readers), and the moderators' queue: forum posts (one edited since it was flagged
shown as it was flagged too), and the agency reviews members flagged or that are held.

Every route translates a form into one service call (``community.forums.service``; the queue is
``community.moderation``, a review's decision ``community.agencies.service``), which checks
permission and posting limits, audits and commits. Forms work without JavaScript ("Preview" is a
submit button); with htmx the preview is rendered in place and a like answers with its button only.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query
from fastapi import Path as FastAPIPath
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.i18n import N_
from api.pages.context import CheckedPageDep, Page, PageDep, local_path
from api.pages.errors import error_home
from api.problems import form_status
from community import moderation
from community.agencies import service as agencies
from community.agencies.schemas import ReviewDecision
from community.forums import service as svc
from community.forums.quotes import WITHHELD_WORDS, Words
from community.forums.schemas import BodyIn, FlagIn, ModerationAction, PostIn, TopicIn
from core.accounts.permissions import is_staff
from core.errors import Conflict, InvalidInput, PermissionDenied, TooManyRequests
from core.i18n import Language
from core.ids import DbId, parse_id

# an error on the forum pages (a topic that does not exist, another member's post to edit) leads back
# to the community, where the reader finds the forums again, not to the patent search
TO_THE_COMMUNITY = Depends(error_home("/community", N_("Go to the community forums")))
router = APIRouter(include_in_schema=False, dependencies=[TO_THE_COMMUNITY])
PageNumber = Annotated[int, Query(alias="page", ge=1, le=100_000)]
Text = Annotated[str, Form()]
OptionalText = Annotated[str, Form()]
# refusals shown next to the form that caused them; NotFound and PermissionDenied become error pages
FORM_ERRORS = (InvalidInput, Conflict, TooManyRequests, ValidationError)
PREVIEW = "preview"
FIELD_ERRORS = {"title": N_("A title needs 3 to 300 characters."),
                "body": N_("Write the post: at least one character, at most 50,000."),
                "reason": N_("Say why in 3 to 500 characters.")}

# the service's refusals people meet in the forums, and names passed to the templates by value
MESSAGES = [N_("the topic is locked"), N_("you cannot like your own post"), N_("you cannot flag your own post"),
            N_("you can quote posts of this topic only"), N_("move needs an existing category_id"),
            N_("hidden by a moderator"),
            N_("the post is blank: write something readers can see"),
            N_("please wait %(seconds)s s before posting again"),
            N_("(this post was hidden by a moderator)"), N_("(this post was deleted)"),
            N_("version %(n)s is the text the post shows now: hide the post, or edit it"),
            N_("this post has no version %(n)s")]
ACTIONS = {ModerationAction.hide: N_("Hide"), ModerationAction.restore: N_("Restore"),
           ModerationAction.delete: N_("Delete"), ModerationAction.lock: N_("Lock"),
           ModerationAction.unlock: N_("Unlock"), ModerationAction.move: N_("Move"),
           ModerationAction.pin: N_("Pin"), ModerationAction.unpin: N_("Unpin")}
DONE = {ModerationAction.hide: N_("Hidden."), ModerationAction.restore: N_("Shown: its flags are dismissed."),
        ModerationAction.delete: N_("Deleted."), ModerationAction.lock: N_("The topic is locked."),
        ModerationAction.unlock: N_("The topic is open for replies again."),
        ModerationAction.move: N_("The topic was moved."),
        ModerationAction.pin: N_("The topic is pinned: it is listed first in its forum."),
        ModerationAction.unpin: N_("The topic is no longer pinned.")}
REVIEW_DONE = {ReviewDecision.release: N_("Released: the review is shown and counted again; its flags are dismissed."),
               ReviewDecision.hold: N_("Held: the review is neither shown nor counted until it is released.")}
# why a review is held, stored in English (community.agencies.service), translated by value
MESSAGES += [N_("burst of reviews from new accounts"), N_("burst of reviews from one network"),
             N_("held by a moderator")]


def _explain(page: Page, exc: Exception) -> str:
    """A refusal in the reader's language; each field that does not fit is named in words, all at
    once (a blank title and body said only the title's). ``page.explain`` keeps the fields it is
    about, for the form to mark them (a blank title was said, its field left unmarked)."""
    said = page.explain(exc)
    if isinstance(exc, ValidationError):
        fields = dict.fromkeys(str(e["loc"][0]) for e in exc.errors() if e["loc"])
        if fields and all(field in FIELD_ERRORS for field in fields):
            return ("" if page.lang is Language.zh else " ").join(page.gettext(FIELD_ERRORS[f]) for f in fields)
    return said


def _withheld_words(page: Page) -> Words:
    """The placeholders of quotes the reader may not read, in the reader's language."""
    return {why: page.gettext(words) for why, words in WITHHELD_WORDS.items()}


def _is_htmx(page: Page) -> bool:
    return page.request.headers.get("hx-request") == "true"


# --- the community home and a category ------------------------------------------------------------

@router.get("/community", response_class=HTMLResponse)
def community_home(page: PageDep) -> HTMLResponse:
    return page.render("forum_home.html", categories=svc.category_summaries(page.session), staff=is_staff(page.user))


@router.get("/forum", response_model=None)
@router.get("/forums", response_model=None)
def forum_address() -> RedirectResponse:
    """The addresses people guess for the forums (a newcomer's /forum met a 404): the community home."""
    return RedirectResponse("/community", status_code=308)


def _category(page: Page, category_id: int, number: int = 1, status_code: int = 200, **extra: Any) -> HTMLResponse:
    listing = svc.topic_list(page.session, category_id, number, viewer=page.user)
    return page.render("forum_category.html", status_code, listing=listing, **extra)


@router.get("/community/categories/{category_id}", response_model=None)
def category_address(category_id: DbId) -> RedirectResponse:
    """The address the API's word suggests (/api/v1/forums/categories/1): the category's page."""
    return RedirectResponse(f"/community/forums/{category_id}", status_code=308)


@router.get("/community/forums/{category_id}", response_class=HTMLResponse)
def category_page(page: PageDep, category_id: DbId, page_number: PageNumber = 1,
                  done: Annotated[ModerationAction | None, Query()] = None) -> HTMLResponse:
    """``done=delete`` after a moderator deleted a topic from its page (a fixed sentence)."""
    return _category(page, category_id, page_number, typed={}, notice=page.gettext(DONE[done]) if done else None)


@router.post("/community/forums/{category_id}/topics", response_model=None)
def new_topic(page: CheckedPageDep, category_id: DbId, title: OptionalText = "", body: OptionalText = "",
              op: OptionalText = "") -> Response:
    """Open a topic, or (``op=preview``, the no-JavaScript "Preview") show the page again with it rendered."""
    typed = {"title": title, "body": body}
    try:
        if op == PREVIEW:
            page.require_user()
            return _category(page, category_id, typed=typed, preview=svc.preview(body))
        created = svc.create_topic(page.writer(), TopicIn(category_id=category_id, title=title.strip(), body=body))
    except FORM_ERRORS as exc:
        page.session.rollback()
        # said inside the form: the page comes back scrolled to it (#new-topic), past the top of the page
        return _category(page, category_id, status_code=form_status(exc), typed=typed, form_error=_explain(page, exc))
    # a fragment of its own: a redirect without one keeps the form's (#new-topic) in the address
    return page.redirect(f"/community/topics/{created.id}#content")


# --- a topic ------------------------------------------------------------------------------------

def _topic(page: Page, topic_id: int, number: int = 1, status_code: int = 200, **extra: Any) -> HTMLResponse:
    view = svc.topic_view(page.session, topic_id, page.user, number, words=_withheld_words(page))
    categories = svc.categories(page.session) if is_staff(page.user) else []
    return page.render("forum_topic.html", status_code, topic=view, categories=categories, actions=ACTIONS,
                       staff=is_staff(page.user), **extra)


@router.get("/community/topics/{topic_id}", response_class=HTMLResponse)
def topic_page(page: PageDep, topic_id: DbId, page_number: PageNumber = 1,
               quote: Annotated[DbId | None, Query()] = None,
               flagged: Annotated[int, Query(ge=0, le=1)] = 0,
               deleted: Annotated[int, Query(ge=0, le=1)] = 0,
               done: Annotated[ModerationAction | None, Query()] = None) -> HTMLResponse:
    """``quote=POST`` starts the reply with that post quoted; ``flagged=1`` thanks for a flag and
    ``deleted=1`` says the reader's post is deleted (fixed sentences: a link cannot put words in the
    page)."""
    typed: dict[str, Any] = {}
    if quote is not None:
        quoted = svc.quote(page.session, quote, page.user, _withheld_words(page))
        if quoted.topic_id == topic_id:
            typed = {"body": quoted.markdown, "quote_of": quoted.post_id}
    if deleted or done is ModerationAction.delete:  # the page it was on may have gone with it
        page_number = min(page_number, svc.topic_pages(page.session, topic_id, page.user))
    notice = page.gettext("Thank you: the moderators will look at the post.") if flagged \
        else page.gettext("Your post was deleted.") if deleted else page.gettext(DONE[done]) if done else None
    return _topic(page, topic_id, page_number, typed=typed, notice=notice)


@router.get("/community/posts/{post_id}", response_model=None)
def find_post(page: PageDep, post_id: DbId) -> Response:
    """A post's own address: the page of its topic that shows it."""
    place = svc.post_place(page.session, post_id, page.user)
    return page.redirect(_post_url(place.topic_id, place.page, post_id))


class VersionDone(StrEnum):
    """What a moderator just did to an earlier version, said on the history page."""

    hidden = "hidden"
    shown = "shown"


VERSION_DONE = {VersionDone.hidden: N_("Version %(n)s is hidden: readers see only that a moderator hid it, and why."),
                VersionDone.shown: N_("Version %(n)s is shown to readers again.")}
Version = Annotated[int, FastAPIPath(ge=1, le=100_000)]


def _history(page: Page, post_id: int, status_code: int = 200, done: VersionDone | None = None,
             version: int | None = None, **extra: Any) -> HTMLResponse:
    """The history page; ``done`` and ``version`` (from the address after a moderator's change) are
    said only when that version is as they say: anyone can write an address that says so."""
    history = svc.post_history(page.session, post_id, page.user, _withheld_words(page))
    shown = {v.number: v for v in history.versions if v.until is not None}
    if done is not None and version in shown and shown[version].hidden is (done is VersionDone.hidden):
        extra["notice"] = page.gettext(VERSION_DONE[done]) % {"n": version}
    return page.render("forum_post_revisions.html", status_code, history=history, staff=is_staff(page.user), **extra)


@router.get("/community/posts/{post_id}/revisions", response_class=HTMLResponse)
def history(page: PageDep, post_id: DbId, done: Annotated[VersionDone | None, Query()] = None,
            version: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> HTMLResponse:
    """Every text the post had, for whoever may read it (moderators judging a flag, its author, and
    readers of an edited post, as Discourse and the API show it); moderators hide an earlier one."""
    return _history(page, post_id, done=done, version=version)


def _after_version(page: Page, post_id: int, version: int, done: VersionDone) -> Response:
    query = urlencode({"done": done.value, "version": version})
    return page.redirect(f"/community/posts/{post_id}/revisions?{query}#version-{version}")


@router.post("/community/posts/{post_id}/versions/{version}/hide", response_model=None)
def hide_version(page: CheckedPageDep, post_id: DbId, version: Version, reason: OptionalText = "") -> Response:
    """A moderator hides an earlier version with a reason; a refusal is said beside its form."""
    try:
        svc.hide_version(page.writer(), post_id, version, reason.strip())
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _history(page, post_id, form_status(exc),
                        refused={"version": version, "error": _explain(page, exc), "reason": reason})
    return _after_version(page, post_id, version, VersionDone.hidden)


@router.post("/community/posts/{post_id}/versions/{version}/show", response_model=None)
def show_version(page: CheckedPageDep, post_id: DbId, version: Version) -> Response:
    try:
        svc.show_version(page.writer(), post_id, version)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _history(page, post_id, form_status(exc), refused={"version": version, "error": _explain(page, exc)})
    return _after_version(page, post_id, version, VersionDone.shown)


def _post_url(topic_id: int, number: int, post_id: int, **query: int) -> str:
    params = {"page": number} if number > 1 else {}
    params.update(query)
    return f"/community/topics/{topic_id}" + (f"?{urlencode(params)}" if params else "") + f"#post-{post_id}"


def _quote_of(value: str) -> int | None:
    return parse_id(value)


@router.post("/community/topics/{topic_id}/posts", response_model=None)
def reply(page: CheckedPageDep, topic_id: DbId, body: OptionalText = "", quote_of: OptionalText = "",
          op: OptionalText = "", page_number: Annotated[int, Form(alias="page", ge=1, le=100_000)] = 1) -> Response:
    """Reply, or (``op=preview``) show the topic again with the reply rendered under the form."""
    typed = {"body": body, "quote_of": _quote_of(quote_of)}
    try:
        if op == PREVIEW:
            page.require_user()
            return _topic(page, topic_id, page_number, typed=typed, preview=svc.preview(body))
        posted = svc.reply(page.writer(), topic_id, PostIn(body=body, quote_of=_quote_of(quote_of)))
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _topic(page, topic_id, page_number, form_status(exc), typed=typed, form_error=_explain(page, exc))
    place = svc.post_place(page.session, posted.id, page.user)
    return page.redirect(_post_url(topic_id, place.page, posted.id))


@router.post("/community/preview", response_class=HTMLResponse)
def preview(page: CheckedPageDep, body: OptionalText = "") -> HTMLResponse:
    """The htmx preview of a reply or a new topic: the Markdown rendered as it will be posted."""
    page.require_user()
    return page.render("_forum_preview.html", preview=svc.preview(body))


def _back_to_post(page: Page, post_id: int, exc: Exception | None, **query: int) -> Response:
    """After a like or a flag: the post's page again, with the refusal if there was one."""
    place = svc.post_place(page.session, post_id, page.user)
    if exc is None:
        return page.redirect(_post_url(place.topic_id, place.page, post_id, **query))
    return _topic(page, place.topic_id, place.page, form_status(exc), typed={}, error=_explain(page, exc))


@router.post("/community/posts/{post_id}/like", response_model=None)
def like(page: CheckedPageDep, post_id: DbId) -> Response:
    """Like, or take the like back; with htmx the answer is the button alone."""
    try:
        svc.like_post(page.writer(), post_id)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _back_to_post(page, post_id, exc)
    if _is_htmx(page):
        return page.render("_forum_like.html", post=svc.post_view(page.session, post_id, page.user))
    return _back_to_post(page, post_id, None)


@router.post("/community/posts/{post_id}/flag", response_model=None)
def flag(page: CheckedPageDep, post_id: DbId, reason: OptionalText = "") -> Response:
    """Flag with a reason; a flag that holds the post leads back to the topic (the post is gone)."""
    place = svc.post_place(page.session, post_id, page.user)
    try:
        flagged = svc.flag_post(page.writer(), post_id, FlagIn(reason=reason.strip()).reason)
    except FORM_ERRORS as exc:  # said in the post's flag box, kept open with the reason typed
        page.session.rollback()
        shown = svc.post_view(page.session, post_id, page.user)
        if shown.mine or shown.flagged:  # no flag box on the page: said above the topic
            return _topic(page, place.topic_id, place.page, form_status(exc), typed={}, error=_explain(page, exc))
        return _topic(page, place.topic_id, place.page, form_status(exc), typed={},
                      flag_refused={"post": post_id, "error": _explain(page, exc), "reason": reason})
    if flagged.hidden and not is_staff(page.user):  # the post is gone from the page: the topic's top
        return page.redirect(f"/community/topics/{place.topic_id}?flagged=1#content")
    return page.redirect(_post_url(place.topic_id, place.page, post_id, flagged=1))


def _edit_page(page: Page, post_id: int, status_code: int = 200, **extra: Any) -> HTMLResponse:
    post = svc.editable_post(page.session, post_id, page.user, refused=status_code >= 400)
    return page.render("forum_post_edit.html", status_code, post=post, **extra)


@router.get("/community/posts/{post_id}/edit", response_class=HTMLResponse)
def edit_form(page: PageDep, post_id: DbId) -> HTMLResponse:
    """The author's (or a moderator's) own Markdown in the editor."""
    return _edit_page(page, post_id, body=None)


@router.post("/community/posts/{post_id}/edit", response_model=None)
def edit(page: CheckedPageDep, post_id: DbId, body: OptionalText = "", op: OptionalText = "") -> Response:
    """Save the edit (the text before it is kept as a revision), or (``op=preview``) show it rendered."""
    try:
        if op == PREVIEW:
            return _edit_page(page, post_id, body=body, preview=svc.preview(body))
        svc.edit_post(page.writer(), post_id, BodyIn(body=body).body)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _edit_page(page, post_id, form_status(exc), body=body, error=_explain(page, exc))
    place = svc.post_place(page.session, post_id, page.user)
    return page.redirect(_post_url(place.topic_id, place.page, post_id))


@router.post("/community/posts/{post_id}/delete", response_model=None)
def delete(page: CheckedPageDep, post_id: DbId) -> Response:
    """The author deletes a reply of theirs, then reads the page it was on."""
    place = svc.post_place(page.session, post_id, page.user)
    try:
        svc.delete_own_post(page.writer(), post_id)
    except FORM_ERRORS as exc:
        page.session.rollback()
        return _topic(page, place.topic_id, place.page, form_status(exc), typed={}, error=_explain(page, exc))
    query = {"page": place.page, "deleted": 1} if place.page > 1 else {"deleted": 1}
    return page.redirect(f"/community/topics/{place.topic_id}?{urlencode(query)}")


# --- moderation ----------------------------------------------------------------------------------

@router.get("/community/moderation", response_class=HTMLResponse)
def moderation_page(page: PageDep, done: Annotated[ModerationAction | None, Query()] = None,
                    reviewed: Annotated[ReviewDecision | None, Query()] = None) -> HTMLResponse:
    """The queue: hidden or flagged posts with the flaggers' reasons, then held or flagged agency
    reviews; a 403 page for members."""
    try:
        found = moderation.queue(page.session, page.require_user(), _withheld_words(page))
    except PermissionDenied as exc:  # the error page, but still signed in (the shell shows who)
        return page.render("error.html", 403, title=N_("Permission denied"), detail=page.explain(exc))
    notice = page.gettext(DONE[done]) if done is not None else None
    notice = page.gettext(REVIEW_DONE[reviewed]) if reviewed is not None else notice
    return page.render("forum_moderation.html", entries=found.posts, reviews=found.reviews,
                       categories=svc.categories(page.session), actions=ACTIONS, notice=notice, nav_section="/admin")


def _with_done(target: str, action: ModerationAction) -> str:
    """``target`` saying what was done (``done=hide``), before its fragment: the page shows it."""
    path, _, fragment = target.partition("#")
    path += ("&" if "?" in path else "?") + urlencode({"done": action.value})
    return path + (f"#{fragment}" if fragment else "")


def _after_moderation(page: Page, action: ModerationAction, next_: str) -> Response:
    target = local_path(next_)
    if target is None or target.startswith("/community/moderation"):
        return page.redirect(_with_done("/community/moderation", action))
    return page.redirect(_with_done(target, action))


@router.post("/community/moderation/posts/{post_id}", response_model=None)
def moderate_post(page: CheckedPageDep, post_id: DbId, action: Annotated[ModerationAction, Form()],
                  next: OptionalText = "") -> Response:
    svc.moderate_post(page.writer(), post_id, action)
    return _after_moderation(page, action, next)


@router.post("/community/moderation/topics/{topic_id}", response_model=None)
def moderate_topic(page: CheckedPageDep, topic_id: DbId, action: Annotated[ModerationAction, Form()],
                   category_id: Annotated[DbId | None, Form()] = None, next: OptionalText = "") -> Response:
    moderated = svc.moderate_topic(page.writer(), topic_id, action, category_id)
    if moderated.deleted and local_path(next) and not next.startswith("/community/moderation"):
        return page.redirect(_with_done(f"/community/forums/{moderated.category_id}", action))  # the topic is gone
    return _after_moderation(page, action, next)


@router.post("/community/moderation/reviews/{review_id}", response_model=None)
def moderate_review(page: CheckedPageDep, review_id: DbId, action: Annotated[ReviewDecision, Form()]) -> Response:
    """Release a held or flagged agency review (its flags dismissed), or hold it."""
    agencies.release_review(page.writer(), review_id, keep_held=action is ReviewDecision.hold)
    return page.redirect(f"/community/moderation?{urlencode({'reviewed': action.value})}#reviews")
