"""Accounts in the browser: sign up, log in and out, a forgotten password, profile and language,
password, API keys, the notification inbox. Forms post with a CSRF token; the session cookie is
HttpOnly and SameSite."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, BackgroundTasks, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from api.deps import client_ip
from api.i18n import N_, formatter, parse_language
from api.pages.context import LANG_COOKIE, ONCE_COOKIES, SESSION_COOKIE, CheckedPageDep, Page, PageDep, local_path
from api.pages.copyright import right_names
from api.problems import form_status
from core import mail
from core.accounts import password_reset, service
from core.accounts.models import Role
from core.accounts.schemas import ApiKeyIn, ProfileIn, RegisterIn
from core.accounts.sessions import close_session, open_session
from core.errors import InvalidInput, IPCommonsError, PermissionDenied, TooManyRequests
from core.ids import DbId, DbInt
from core.mail import send_now
from core.notifications import ReadAllIn
from core.text import clean_line

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form()]


def _safe_next(target: str | None) -> str:
    """Where a login or a language choice leads: a path of this site, else the search page."""
    return local_path(target) or "/"


def _signed_in(page: Page, user_id: int, target: str | None) -> Response:
    token = open_session(page.anonymous_writer(), user_id)
    page.new_cookies[SESSION_COOKIE] = token
    return page.redirect(_safe_next(target))


@router.get("/signup", response_class=HTMLResponse)
def signup_form(page: PageDep) -> HTMLResponse:
    """Signed in already: said, with no form (another account needs logging out first)."""
    return page.render("signup.html", signed_in=page.user is not None)


@router.get("/register", response_model=None)
def register() -> RedirectResponse:
    """The address many sites use for signing up (the demo's new users typed it and met a 404)."""
    return RedirectResponse("/signup", status_code=308)


@router.post("/signup", response_model=None)
def signup(page: CheckedPageDep, email: Text = "", password: Text = "", display_name: Annotated[str, Form()] = "",
           next: Annotated[str, Form()] = "/") -> Response:
    try:
        body = RegisterIn(email=email, password=password, display_name=display_name)
        user = service.register(page.anonymous_writer(), body)
    except (IPCommonsError, ValidationError) as exc:
        page.session.rollback()
        return page.render("signup.html", 400, error=page.explain(exc), email=email, display_name=display_name)
    target = _safe_next(next)  # on to the page that asked for an account; else the search, welcoming
    return _signed_in(page, user.id, "/?welcome=1" if target == "/" else target)


@router.get("/login", response_model=None)
def login_form(page: PageDep, next: str = "/", after: str = "") -> Response:
    if page.user is not None:  # signed in already (an old bookmark, the back button): on to the page asked for
        return page.redirect(_safe_next(next))
    notice = {"reset": page.gettext("Your new password is set: log in with it."),
              "logout": page.gettext("You are logged out."),
              "ended": page.gettext("Your session has ended (you logged out or changed your password elsewhere, or "
                                    "it expired): please log in again.")}.get(after)
    if notice is None and _safe_next(next) != "/":  # sent here by a page that needs an account
        notice = page.gettext("That page needs an account: log in and you will be taken there.")
    return page.render("login.html", next=_safe_next(next), notice=notice)


@router.post("/login", response_model=None)
def login(page: CheckedPageDep, email: Text = "", password: Text = "", next: Annotated[str, Form()] = "/") -> Response:
    try:
        user = service.check_credentials(page.session, page.platform.settings, page.platform.rate_limiter,
                                         client_ip(page.request), clean_line(email), password)
    except IPCommonsError as exc:  # 429 and a deactivated account's 403 as themselves; any other failure is a 401
        status = form_status(exc) if isinstance(exc, TooManyRequests | PermissionDenied | InvalidInput) else 401
        return page.render("login.html", status, error=page.explain(exc), email=email, next=_safe_next(next))
    return _signed_in(page, user.id, next)


@router.get("/password/forgot", response_class=HTMLResponse)
def forgot_password_form(page: PageDep) -> HTMLResponse:
    """A site without a mail server says so at once, rather than after the address is typed."""
    return page.render("password_forgot.html", no_mail=not mail.enabled(page.platform.settings),
                       minutes=password_reset.RESET_MINUTES)


@router.post("/password/forgot", response_class=HTMLResponse)
def forgot_password(page: CheckedPageDep, background: BackgroundTasks, email: Text = "") -> HTMLResponse:
    """The same answer whether or not the address has an account; the mail leaves after it. A site
    without mail asks its administrators instead, in their inbox."""
    settings = page.platform.settings
    no_mail = not mail.enabled(settings)  # the page says the administrators are asked
    try:
        message = password_reset.ask_for_link(page.anonymous_writer(), settings, page.platform.rate_limiter,
                                              client_ip(page.request), clean_line(email), page.lang)
        if message is not None:
            background.add_task(send_now, settings, message)
    except IPCommonsError as exc:
        page.session.rollback()
        return page.render("password_forgot.html", form_status(exc), error=page.explain(exc), email=email,
                           no_mail=no_mail)
    return page.render("password_forgot.html", sent=clean_line(email), no_mail=no_mail,
                       minutes=password_reset.RESET_MINUTES)


@router.get("/password/reset", response_class=HTMLResponse)
def reset_password_form(page: PageDep) -> HTMLResponse:
    """The link's token is after "#", never sent here: the page's script puts it in the form. Opened
    without one, it says where such a link comes from: a mail, or an administrator on a site without mail."""
    return page.render("password_reset.html", no_mail=not mail.enabled(page.platform.settings))


@router.post("/password/reset/check", status_code=204, response_model=None)
def check_reset_link(page: CheckedPageDep, token: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """The page's script asks, with the link's token in the body (never in an address), whether the
    link still works: 204 if it does, 410 if it expired or was spent (the page then shows no form)."""
    try:
        password_reset.check_link(page.session, page.platform.settings, token)
    except password_reset.ResetLinkInvalid:
        return Response(status_code=410)
    return Response(status_code=204)


@router.post("/password/reset", response_model=None)
def reset_password(page: CheckedPageDep, password: Annotated[str, Form(max_length=1000)] = "",
                   token: Annotated[str, Form(max_length=2000)] = "") -> Response:
    """A password sent empty is refused on the form, as a short one is (it was a whole page of 422)."""
    try:
        password_reset.set_new_password(page.anonymous_writer(), page.platform.settings, token, password)
    except password_reset.ResetLinkInvalid as exc:
        page.session.rollback()  # the page says it in a sentence of its own, whose link asks for a new one
        return page.render("password_reset.html", form_status(exc), spent=True)
    except IPCommonsError as exc:
        page.session.rollback()
        return page.render("password_reset.html", form_status(exc), error=page.explain(exc), token=token)
    page.new_cookies[SESSION_COOKIE] = ""  # this browser's session, if any, was closed with the others
    return page.redirect("/login?after=reset")


@router.post("/logout", response_model=None)
def logout(page: CheckedPageDep) -> Response:
    if page.web_session is not None:
        close_session(page.writer(), page.web_session)
    page.new_cookies[SESSION_COOKIE] = ""
    for name in ONCE_COOKIES:  # what the session left to say: nothing, once it has ended
        if name in page.request.cookies:
            page.new_cookies[name] = ""
    return page.redirect("/login?after=logout")  # said there, with the form to log in again


@router.post("/language", response_model=None)
def choose_language(page: CheckedPageDep, lang: Text, next: Annotated[str, Form()] = "/") -> Response:
    chosen = parse_language(lang)
    if chosen is not None:
        if page.user is not None:
            service.update_profile(page.writer(), page.user.display_name, chosen)
        page.new_cookies[LANG_COOKIE] = chosen.value
    return page.redirect(_safe_next(next))


def _account(page: Page, status_code: int = 200, **extra: object) -> HTMLResponse:
    user = page.require_user()
    return page.render("account.html", status_code, keys=service.api_keys_of(page.session, user),
                       orgs=service.organisations_of(page.session, user),
                       site_mails=mail.enabled(page.platform.settings), **extra)


# what the account page says after each of its forms (?done=...), so a save is seen to have worked
DONE = {"profile": N_("Profile saved."),
        "password": N_("Password changed. Every other browser signed in to your account is signed out."),
        "revoked": N_("Key revoked: programs using it are refused from now on.")}


@router.get("/account", response_class=HTMLResponse)
def account(page: PageDep, done: str = "") -> HTMLResponse:
    said = page.gettext(DONE[done]) if done in DONE else None
    revoked = done == "revoked"  # said beside the keys the page is scrolled to
    return _account(page, notice=None if revoked else said, keys_notice=said if revoked else None,
                    new_secret=page.take_once() if done == "key" else None)


# A field left empty (the browser's check bypassed) reaches the service as "" and is refused there,
# beside its form with what was typed, not by FastAPI as a missing field on a bare error page.
@router.post("/account/profile", response_model=None)
def save_profile(page: CheckedPageDep, display_name: Text = "", language: Annotated[str, Form()] = "",
                 email_notifications: Annotated[bool, Form()] = False) -> Response:
    """The name, the language and whether notices are e-mailed (an unticked box is not sent: off)."""
    try:
        profile = ProfileIn(display_name=display_name.strip())
        service.update_profile(page.writer(), profile.display_name, parse_language(language), email_notifications)
    except (IPCommonsError, ValidationError) as exc:
        page.session.rollback()
        return _account(page, 400, profile_error=page.explain(exc), typed_name=display_name, typed_language=language,
                        typed_mail=email_notifications)
    if chosen := parse_language(language):
        page.new_cookies[LANG_COOKIE] = chosen.value
    return page.redirect("/account?done=profile")


@router.post("/account/password", response_model=None)
def change_password(page: CheckedPageDep, current: Text = "", new: Text = "") -> Response:
    """Then on to the account page (reloading it must not post the form again)."""
    try:
        service.change_password(page.writer(), current, new,
                                keep_session=page.web_session.id if page.web_session is not None else None)
    except IPCommonsError as exc:
        page.session.rollback()
        return _account(page, 400, password_error=page.explain(exc))
    return page.redirect("/account?done=password")


@router.post("/account/api-keys", response_model=None)
def create_api_key(page: CheckedPageDep, name: Text = "") -> Response:
    """The new key's secret goes to the account page in a one-time cookie: reloading that page
    shows the list, and does not create a second key."""
    try:
        created = service.issue_api_key(page.writer(), ApiKeyIn(name=name.strip()))
    except ValidationError as exc:  # a blank name, or one over 100 characters: said, and kept in its box
        page.session.rollback()
        return _account(page, 400, key_error=page.explain(exc), key_name=name)
    page.keep_once(created.secret)
    return page.redirect("/account?done=key#keys-h")


@router.post("/account/api-keys/{key_id}/revoke", response_model=None)
def revoke_api_key(page: CheckedPageDep, key_id: DbId) -> Response:
    service.revoke_key(page.writer(), key_id)
    return page.redirect("/account?done=revoked#keys-h")


# how a licence offer ended, said on its inbox notice instead of asking for an answer (the outcome
# the copyright service keeps in the notice, ``settled``)
OFFER_ENDED = {"accepted": N_("You accepted this offer"), "declined": N_("You declined this offer"),
               "withdrawn": N_("The offer was withdrawn")}


# what a new platform role lets its holder do, said under the inbox notice of the change
ROLE_NOTES = {Role.admin: N_("As an administrator you manage accounts, organisations, loads and the agency directory "
                             "in the console (Admin in the menu)."),
              Role.moderator: N_("As a moderator you hide, restore and delete forum posts and topics, and decide on "
                                 "flagged agency reviews (Admin in the menu: the moderation queue)."),
              Role.member: N_("The moderation tools and the console are no longer open to you; everything else "
                              "stays as it was.")}


@router.get("/inbox", response_class=HTMLResponse)
def inbox(page: PageDep, read: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> HTMLResponse:
    """``read=N`` after "mark all as read": how many were marked (a number only, nothing from the URL)."""
    notes = service.inbox(page.session, page.require_user())
    notice = page.ngettext("%(n)s message marked as read.", "%(n)s messages marked as read.", read,
                           n=formatter(page.lang).number(read)) if read else None
    return page.render("inbox.html", notes=notes, notice=notice,
                       ROLE_NOTES=ROLE_NOTES,  # Role is a StrEnum: the payload's "moderator" finds its note
                       OFFER_ENDED=OFFER_ENDED, right_labels=dict(right_names(page.lang)))


@router.post("/inbox/{note_id}/read", response_model=None)
def read(page: CheckedPageDep, note_id: DbId) -> Response:
    """Back to the inbox at the notice just marked (the browser goes on from there): the page opened
    at its top, and someone reading down a long inbox had to find their place again."""
    service.read_notification(page.writer(), note_id)
    return page.redirect(f"/inbox#notice-{note_id}")


@router.post("/inbox/read-all", response_model=None)
def read_all(page: CheckedPageDep, up_to: Annotated[DbInt | None, Form()] = None) -> Response:
    """Every unread notice up to the newest the page showed (``up_to``) marked read at once; back to
    the inbox, saying how many (nothing when none was). A visitor signed out meanwhile is sent to
    log in, then back to the inbox."""
    if page.user is None:
        return page.redirect("/login?" + urlencode({"next": "/inbox"}))
    marked = service.read_all_notifications(page.writer(), ReadAllIn(up_to=up_to)).marked
    return page.redirect(f"/inbox?{urlencode({'read': marked})}" if marked else "/inbox")
