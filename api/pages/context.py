"""What every page needs: the signed-in user (from the session cookie), the language, the CSRF
token, and rendering with translations and formatters bound to this request.

Cookies: ``ipc_session`` (the session, HttpOnly, SameSite=Lax), ``ipc_anon`` (a random id that
scopes the CSRF token of signed-out visitors, HttpOnly, SameSite=Lax) and ``ipc_lang`` (the
language a signed-out visitor chose), ``ipc_once`` (a secret to show once after a redirect, such as
a new API key: encrypted under the platform's and the session's secrets, sent to /account only,
kept five minutes, cleared when read and at logout). ``Secure`` is set when the platform is served over HTTPS.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from cryptography.fernet import Fernet, InvalidToken
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.orm import Session

from api.deps import Platform, PlatformDep, audit_context
from api.i18n import formatter, from_accept_language, parse_language, translations
from api.pages.messages import FIELD, FIELD_LABELS, UNLABELLED_FIELD, VALIDATION_MESSAGES
from core import notifications
from core.accounts.models import User
from core.accounts.permissions import is_staff
from core.accounts.sessions import WebSession, csrf_token, csrf_valid, find_session
from core.audit import Writer
from core.errors import IPCommonsError, NotAuthenticated, PermissionDenied, Refused, validator_words
from core.i18n import LIST_SEPARATORS, Language

SESSION_COOKIE = "ipc_session"
ANON_COOKIE = "ipc_anon"
LANG_COOKIE = "ipc_lang"
ONCE_COOKIE = "ipc_once"
HALL_ONCE_COOKIE = "ipc_hall_once"  # why a step on an application was refused, said on the page redirected to
REPORTS_ONCE_COOKIE = "ipc_reports_once"  # the scope of the subscription just ended, said on the list
ONCE_COOKIES = (ONCE_COOKIE, HALL_ONCE_COOKIE, REPORTS_ONCE_COOKIE)  # each cleared at logout
ONCE_SECONDS = 300
# cookies sent to part of the site only, or kept for a while only: (path, max-age in seconds)
COOKIE_SCOPES = {ONCE_COOKIE: ("/account", ONCE_SECONDS), HALL_ONCE_COOKIE: ("/service-hall", ONCE_SECONDS),
                 REPORTS_ONCE_COOKIE: ("/reports", ONCE_SECONDS)}
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parents[1] / "templates"))
templates.env.autoescape = True

TITLE_CHARS = 60  # what a tab or a window's title bar shows of a page's title, and more


def _joined(before: str, after: str) -> bool:
    """Whether ``before`` and ``after`` read as one character, which a cut between them would split:
    a letter and its accent, an emoji and its variation selector or skin tone, a sequence joined by
    U+200D."""
    return (unicodedata.category(after) in ("Mn", "Mc", "Me") or "\u200d" in (before, after)
            or "\U0001f3fb" <= after <= "\U0001f3ff")


def short_title(text: str, limit: int = TITLE_CHARS) -> str:
    """``text`` a person typed (a query, a name) fit to open a page's title: its runs of spaces and
    line breaks made one space and, longer than ``limit`` characters, cut to fewer, ending in "…",
    at a space near the end when there is one (a word stays whole) and never inside a character
    (the Jinja filter ``short_title``: a 5,000-character query was a whole ``<title>``)."""
    shown = "".join(c for c in str(text) if c.isspace() or unicodedata.category(c) != "Cc")  # no NUL, no ESC
    words = " ".join(shown.split())
    if len(words) <= limit:
        return words
    cut = limit - 1
    while cut > 1 and _joined(words[cut - 1], words[cut]):
        cut -= 1
    kept = words[:cut]
    if (space := kept.rfind(" ")) >= cut * 3 // 4:
        kept = kept[:space]
    return kept.rstrip() + "…"


templates.env.filters["short_title"] = short_title

NAV = (("/", "Search"), ("/collections", "Collections"), ("/reports", "Reports"), ("/regions", "Regions"),
       ("/copyright", "Copyright"), ("/community", "Community"), ("/service-hall", "Service hall"))
STAFF_NAV = (*NAV, ("/admin", "Admin"))  # the console answers moderators and admins alone: nobody else sees it


def as_sentence(words: str) -> str:
    """A refusal shown on its own, as a sentence: the services word theirs in lower case ("category
    999 not found", as quoted in logs and API problems, whose detail stays as it is), so its first
    letter is raised when its first word is an ordinary lower-case word ("the", "e-mail", "work:").
    A first word that is not one is a name or a value and kept as written ("iPhone", "spaCy",
    "alice@example.org", "us7654321b2", "/tmp/keys"); nothing else is lowered or raised, and words
    without letter case (Chinese) are unchanged."""
    first = words.split(maxsplit=1)[0].rstrip(",.:;!?") if words.strip() else ""
    plain = first.replace("-", "").replace("'", "").replace("\u2019", "")
    if not (plain.isalpha() and plain.islower()):
        return words
    return words[0].upper() + words[1:]


# A term shown on its own (a step in an application's trail, a role in a list) starts as a label
# does; the same catalog word stays lower case inside a sentence ("you may not accept …").
templates.env.filters["sentence"] = as_sentence


def refusal_words(error: IPCommonsError, translate: Callable[[str], str], lang: Language) -> str:
    """An error's words in the reader's language, as a sentence shown on its own (``as_sentence``);
    one that opens on a value it names ("%(value)s is not a registration number") keeps the value as
    it was typed (a typed "abc" does not become "Abc")."""
    words = error.in_words(translate, lang)
    return words if error.params and error.template.startswith("%(") else as_sentence(words)


@dataclass
class Page:
    request: Request
    platform: Platform
    user: User | None
    web_session: WebSession | None
    lang: Language
    anon_id: str
    new_cookies: dict[str, str] = field(default_factory=dict)
    # the form fields the refusal last explained is about, for its form to mark them (aria-invalid)
    refused_fields: tuple[str, ...] = ()
    _session: Session | None = None

    @property
    def session(self) -> Session:
        """A database session, opened on first use: most anonymous pages never need one."""
        if self._session is None:
            self._session = self.platform.sessions()
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.rollback()  # anything not committed explicitly is discarded
            self._session.close()

    # --- CSRF ---------------------------------------------------------------------------
    @property
    def csrf(self) -> str:
        if self.web_session is not None:
            return csrf_token(self.web_session.csrf_secret, f"session:{self.web_session.id}")
        return csrf_token(self.platform.secret, f"anon:{self.anon_id}")

    def csrf_ok(self, presented: str | None) -> bool:
        if self.web_session is not None:
            return csrf_valid(self.web_session.csrf_secret, f"session:{self.web_session.id}", presented)
        return csrf_valid(self.platform.secret, f"anon:{self.anon_id}", presented)

    # --- who -----------------------------------------------------------------------------
    def require_user(self) -> User:
        if self.user is None:
            raise NotAuthenticated("sign in to continue")
        return self.user

    def writer(self) -> Writer:
        """An audited write by the signed-in user."""
        return Writer(self.session, self.require_user(), audit_context(self.request, self.user))

    def anonymous_writer(self) -> Writer:
        return Writer(self.session, self.user, audit_context(self.request, self.user))

    # --- a secret shown once, after a redirect ---------------------------------------------
    def keep_once(self, secret: str, cookie: str = ONCE_COOKIE) -> None:
        """Carry ``secret`` to the next page of this session (POST, redirect, GET: reloading the
        page it is shown on must not post the form again), never into a URL or the database.
        ``cookie`` names the part of the site it is carried to (``COOKIE_SCOPES``)."""
        self.new_cookies[cookie] = self._once_box().encrypt(secret.encode()).decode()

    def take_once(self, cookie: str = ONCE_COOKIE) -> str | None:
        """The secret kept by the previous request of this session, once; ``None`` if there is none,
        it is older than five minutes, or it was kept by another session."""
        token = self.request.cookies.get(cookie)
        if not token:
            return None
        self.new_cookies[cookie] = ""
        if self.web_session is None:
            return None
        try:
            return self._once_box().decrypt(token.encode(), ttl=ONCE_SECONDS).decode()
        except InvalidToken:
            return None

    def _once_box(self) -> Fernet:
        session = self.web_session
        if session is None:
            raise NotAuthenticated("sign in to continue")
        # keyed by the platform's secret too: a copy of the database (where csrf_secret is kept)
        # and of the cookie together still do not open it
        key = hmac.new(self.platform.secret.encode(), f"once:{session.id}:{session.csrf_secret}".encode(),
                       hashlib.sha256).digest()
        return Fernet(base64.urlsafe_b64encode(key))

    # --- output --------------------------------------------------------------------------
    def gettext(self, message: str, **values: Any) -> str:
        text = translations(self.lang).gettext(message)
        return text % values if values else text

    def pgettext(self, context: str, message: str, **values: Any) -> str:
        """The message as translated where ``context`` says it is used: a person's "Name" is 姓名,
        where "Name" alone (an organisation's, a collection's) is 名称."""
        text = str(translations(self.lang).pgettext(context, message))
        return text % values if values else text

    def ngettext(self, singular: str, plural: str, count: int, **values: Any) -> str:
        """The form of the message for ``count`` in the reader's language ("1 result", "2 results";
        Chinese has one form)."""
        return translations(self.lang).ngettext(singular, plural, count) % values

    def explain(self, exc: Exception) -> str:
        """A refusal in the reader's language, for the form that caused it; the fields it is about
        are kept in ``refused_fields`` (``fields_of``)."""
        self.refused_fields = fields_of(exc)
        if isinstance(exc, ValidationError):  # every value that does not fit, not one per try
            said = dict.fromkeys(self.explain_error(error) for error in exc.errors())
            return self.gettext("; ").join(said)
        if isinstance(exc, IPCommonsError):
            return refusal_words(exc, self.gettext, self.lang)
        return str(exc)

    def explain_error(self, error: ErrorDetails, label: str | None = None) -> str:
        """A form value pydantic refused, in words: the field's label and the limit it broke
        (pydantic's own English, "title: String should have at most 500 characters", reached
        Chinese pages), or a validator's own sentence, translated. ``label``: the form's own word
        for the field, translated (by default the word ``FIELD_LABELS`` gives its name)."""
        if label is None:
            field = next((str(p) for p in reversed(error["loc"]) if isinstance(p, str)), "")
            named = translations(self.lang).pgettext(FIELD, FIELD_LABELS.get(field, UNLABELLED_FIELD))
            label = str(named) if field else ""
        template = VALIDATION_MESSAGES.get(_string_or_other(error))
        if template is not None:
            limits = {k: self._limit(v) for k, v in error.get("ctx", {}).items()}
            return self.gettext(template) % {"field": label, **limits}
        message = validator_words(error)  # a validator's own sentence
        if not label:  # on its own, as the platform's refusals are (``as_sentence``)
            return as_sentence(self.gettext(message))
        return self.gettext("%(field)s: %(reason)s", field=label, reason=self.gettext(message))

    def _limit(self, value: object) -> str:
        """A limit pydantic names, as the page writes numbers (100, not 100.0; 100,000, but a year of
        four digits such as 1900 ungrouped, as printed years are)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            return str(value)
        if isinstance(value, int) and abs(value) < 10_000:
            return str(value)
        return formatter(self.lang).number(value)

    def render(self, template: str, status_code: int = 200, **data: Any) -> HTMLResponse:
        context = {"page": self, "user": self.user, "lang": self.lang.value, "csrf": self.csrf,
                   "nav": STAFF_NAV if is_staff(self.user) else NAV,
                   "_": self.gettext, "ngettext": self.ngettext, "pgettext": self.pgettext, "fmt": formatter(self.lang),
                   "comma": LIST_SEPARATORS[self.lang],  # between a list's items: "US1, US2", "US1、US2"
                   "path": self.request.url.path,
                   "unread": notifications.unread_count(self.session, self.user.id) if self.user else 0, **data}
        response = templates.TemplateResponse(self.request, template, context, status_code=status_code)
        self.finish(response)
        return response

    def redirect(self, url: str) -> Response:
        return self.finish(RedirectResponse(url, status_code=303))

    def finish(self, response: Response) -> Response:
        secure = self.request.url.scheme == "https"
        for name, value in self.new_cookies.items():
            path, max_age = COOKIE_SCOPES.get(name, ("/", None))
            response.set_cookie(name, value, httponly=True, samesite="lax", secure=secure, path=path,
                                max_age=max_age if value else 0)
        response.headers.setdefault("Cache-Control", "no-store")
        return response


def fields_of(exc: Exception) -> tuple[str, ...]:
    """The form fields a refusal is about: where pydantic found each value it refused, or the field
    a platform's refusal was marked with (``IPCommonsError.about``); none for one about no field
    (a wrong password, too many tries)."""
    if isinstance(exc, ValidationError):
        return tuple(dict.fromkeys(name for error in exc.errors() if (name := _located(error))))
    if isinstance(exc, Refused):  # every problem of one submit: each one's fields
        return tuple(dict.fromkeys(name for problem in exc.problems for name in fields_of(problem)))
    if isinstance(exc, IPCommonsError) and (marked := exc.extra.get("field")):
        return (str(marked),)
    return ()


def _located(error: ErrorDetails) -> str:
    """The field of one value pydantic refused: its place, else the field its validator's refusal names."""
    if named := next((str(p) for p in reversed(error["loc"]) if isinstance(p, str)), ""):
        return named
    cause = error.get("ctx", {}).get("error")
    return str(cause.extra.get("field", "")) if isinstance(cause, IPCommonsError) else ""


def local_path(target: str | None) -> str | None:
    """``target`` when it is an address on this site, else None: a form or a link must not send
    people to another site. Browsers read ``/\\evil.example`` as ``//evil.example`` and drop tabs
    and line breaks (``/\t/evil.example``), so those are refused too."""
    if not target or not target.startswith("/") or not target.isprintable():
        return None
    path = target.split("?", 1)[0].split("#", 1)[0]
    return None if path.startswith("//") or "\\" in path else target


def _language(request: Request, user: User | None) -> Language:
    return (parse_language(user.language if user else None) or parse_language(request.cookies.get(LANG_COOKIE))
            or from_accept_language(request.headers.get("accept-language")))


def open_page(request: Request, platform: Platform) -> Page:
    """The page of this request: who is signed in (the session cookie), the language, the CSRF
    scope of a signed-out visitor. The caller closes it."""
    page = Page(request=request, platform=platform, user=None, web_session=None, lang=Language.zh, anon_id="")
    try:
        if token := request.cookies.get(SESSION_COOKIE):
            if found := find_session(page.session, token):
                page.web_session, page.user = found
        page.anon_id = request.cookies.get(ANON_COOKIE) or ""
        if page.web_session is None and not 20 <= len(page.anon_id) <= 64:
            page.anon_id = secrets.token_urlsafe(24)
            page.new_cookies[ANON_COOKIE] = page.anon_id
        page.lang = _language(request, page.user)
    except BaseException:
        page.close()
        raise
    return page


def get_page(request: Request, platform: PlatformDep) -> Iterator[Page]:
    page = open_page(request, platform)
    try:
        yield page
    finally:
        page.close()


async def checked_page(request: Request, page: Annotated[Page, Depends(get_page)]) -> Page:
    """For state-changing requests: refused unless the form (or htmx header) carries the CSRF token."""
    presented = request.headers.get(CSRF_HEADER)
    if presented is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        presented = value if isinstance(value, str) else None
    if not page.csrf_ok(presented):
        raise PermissionDenied("the form has expired or did not come from this site: reload the page and retry")
    return page


PageDep = Annotated[Page, Depends(get_page)]
CheckedPageDep = Annotated[Page, Depends(checked_page)]


def _string_or_other(error: ErrorDetails) -> str:
    """The error type to explain: a text field's length error as a text's, whatever pydantic calls
    it (an optional annotated field says "too_short", "at least 1 item"), and an empty required
    text as a missing value ("名称为必填项", not "名称至少需要 1 项"): a blank one too, whatever its
    minimum ("E-mail is required", not "E-mail needs at least 3 characters" for nothing typed)."""
    kind = error["type"]
    if kind in ("too_short", "too_long") and isinstance(error.get("input"), str):
        kind = f"string_{kind}"
    if kind == "string_too_short" and (error.get("ctx", {}).get("min_length") == 1
                                       or not str(error.get("input", "")).strip()):
        kind = "missing"
    return kind
