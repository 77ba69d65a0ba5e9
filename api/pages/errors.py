"""Errors shown to people as pages in their language; "log in first" becomes the login form."""

from __future__ import annotations

import logging
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from api.deps import platform_of
from api.i18n import N_, from_accept_language, parse_language, translations
from api.pages.context import LANG_COOKIE, NAV, SESSION_COOKIE, local_path, open_page, refusal_words, templates
from api.pages.messages import PAGE_DETAILS
from core.errors import IPCommonsError

log = logging.getLogger(__name__)
# drawn without asking the database who is signed in: a 429 answers a flood of requests (often in
# the event loop, before routing), and a 503 says the database is unreachable
BARE_STATUSES = frozenset({429, 503})


# each section's way back, by the address it leads back to: an address under it that no page answers
# (/community/nonexistent) leads back there too, as the section's own pages do
SECTION_HOMES: dict[str, str] = {}
# the router's "no page at this address" under a section, whose page leads back to the section, not
# to the search page its usual words name
NO_PAGE_IN_SECTION = N_("there is no page at this address: check it, or start again from the link below")


def error_home(path: str, label: str) -> Callable[[Request], None]:
    """A dependency of a section's router: its error pages lead back to ``path`` (``label``, an N_
    message) where they led to the patent search (an unknown copyright record offered 返回检索), and
    so do those of the addresses under ``path`` that no page answers (``lead_back_from``)."""
    SECTION_HOMES[path] = label

    def lead_back(request: Request) -> None:
        request.state.error_home = (path, label)  # read by error.html
    return lead_back


def lead_back_from(request: Request) -> bool:
    """The way back of an error page no section's router chose (an address no page answers): that of
    the section whose address is the longest that this one is under; else error.html's search.
    True when chosen here."""
    if getattr(request.state, "error_home", None) is not None:
        return False
    here = request.url.path
    under = [path for path in SECTION_HOMES if here == path or here.startswith(path.rstrip("/") + "/")]
    if not under:
        return False
    home = max(under, key=len)
    request.state.error_home = (home, SECTION_HOMES[home])
    return True


def error_page(request: Request, status: int, title: str, error: IPCommonsError) -> Response:
    """The error in the reader's language, under the header they know: signed in as themselves
    (whatever refused the request, a handler or the checks before it), or, for a flood or when the
    database that says who they are is the trouble, as a visitor."""
    if status == 401 and request.method == "GET":
        # a session cookie that no longer signs in: signed out elsewhere, a changed password, or expired
        ended = {"after": "ended"} if request.cookies.get(SESSION_COOKIE) else {}
        # back to the same address after signing in, with its query (a link that fills a form in)
        back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse("/login?" + urlencode({"next": back, **ended}), status_code=303)
    if lead_back_from(request) and error.detail == PAGE_DETAILS[404]:
        error = IPCommonsError(NO_PAGE_IN_SECTION)
    shown: dict[str, object] = {"title": title, "back": came_from(request),
                                "reopen": reopened(request, status, _refused_parameters(error))}
    if status in BARE_STATUSES:
        return _bare_error_page(request, status, error, shown)
    try:
        page = open_page(request, platform_of(request))
        try:
            return page.render("error.html", status, detail=refusal_words(error, page.gettext, page.lang), **shown)
        finally:
            page.close()
    except Exception:  # the database failed while asking who is signed in (or counting their inbox)
        log.warning("error page without its reader's session", exc_info=True)
        return _bare_error_page(request, status, error, shown)


def _bare_error_page(request: Request, status: int, error: IPCommonsError, shown: dict[str, object]) -> Response:
    lang = parse_language(request.cookies.get(LANG_COOKIE)) or from_accept_language(
        request.headers.get("accept-language"))
    gettext = translations(lang).gettext
    context = {"detail": refusal_words(error, gettext, lang), "_": gettext, "lang": lang.value, "user": None,
               "csrf": "", "nav": NAV, "path": request.url.path, "page": _Bare(request), **shown}
    return templates.TemplateResponse(request, "error.html", context, status_code=status)


def reopened(request: Request, status: int, refused: list[str] | None = None) -> str | None:
    """The page asked for, without the values in its address that were refused (422), the others
    kept (``/export?q=led&limit=99999999`` reopens as ``/export?q=led``: without its words it was
    refused again); without every value when which were refused is not known. None when no value of
    its query was refused (a number in the path: the same address would be refused again), and
    after a 404, where the bare path is not found either (/search?q=...)."""
    if status != 422 or request.method != "GET" or not request.url.query:
        return None
    if refused is None:
        return request.url.path
    given = request.query_params.multi_items()
    kept = [(k, v) for k, v in given if k not in refused]
    if len(kept) == len(given):
        return None
    return request.url.path + (f"?{urlencode(kept)}" if kept else "")


def _refused_parameters(error: IPCommonsError) -> list[str] | None:
    """The query parameters a 422 refused (``api.problems`` keeps them), if known."""
    names = error.extra.get("parameters")
    return [str(n) for n in names] if isinstance(names, list) else None


def came_from(request: Request) -> str | None:
    """The page of this site the reader came from (its Referer): the form a refused post was sent
    from, or the page whose link led to a missing or forbidden one, so they go back there rather
    than to the search page. None for an address typed or from another site (and behind a proxy
    that rewrites the Host header, which the Referer then does not match)."""
    referer = urlsplit(request.headers.get("referer", ""))
    back = local_path(urlunsplit(("", "", referer.path, referer.query, "")))
    if referer.netloc != request.url.netloc or back is None:
        return None
    here = urlunsplit(("", "", request.url.path, request.url.query, ""))
    return back if back != here else None


class _Bare:
    """Enough of a Page for the layout of an error page."""

    def __init__(self, request: Request) -> None:
        self.request = request
