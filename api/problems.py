"""Errors as RFC 9457 problem details (application/problem+json), never a bare 500 page.

``STATUS`` is the one table from the platform's error classes (``core.errors``) to HTTP: the
first class in a raised error's MRO that the table names decides the status and title.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NamedTuple

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DataError, OperationalError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from api.i18n import N_, preferred_languages, translations
from api.pages.messages import ADDRESS_NUMBER, ADDRESS_NUMBERS, FIELD, FIELD_LABELS, PAGE_DETAILS
from copyright.verify import VerificationFailed
from core.errors import (
    Conflict,
    InvalidInput,
    IPCommonsError,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    TooManyRequests,
    Unavailable,
    validator_words,
)
from core.i18n import Language, Named

log = logging.getLogger("ipcommons.api")

# A problem's ``type`` is a page of this site (a reference resolved against the request's URL, as
# RFC 9457 allows): a developer who follows it reads what the problem means and what to change.
PROBLEM_TYPE_BASE = "/problems/"
MEDIA_TYPE = "application/problem+json"

STATUS: dict[type[IPCommonsError], tuple[int, str]] = {
    InvalidInput: (400, "Invalid input"),
    VerificationFailed: (400, "Verification failed"),
    NotAuthenticated: (401, "Not authenticated"),
    PermissionDenied: (403, "Permission denied"),
    NotFound: (404, "Not found"),
    Conflict: (409, "Conflict"),
    TooManyRequests: (429, "Too many requests"),
    Unavailable: (503, "Service unavailable"),
    IPCommonsError: (400, "Bad request"),
}
HTTP_TITLES = {404: "Not found", 405: "Method not allowed", 401: "Not authenticated", 403: "Permission denied",
               413: "Payload too large"}
# What the API says where the router says only its status's phrase ("Not Found" under "Not found").
API_DETAILS = {404: N_("no operation at this address: the API's operations are listed at /docs"),
               405: N_("this address takes other methods: its Allow header lists them")}
# the fixed details of the problems no service raises, translated for a client that asks for Chinese
NOT_THE_SCHEMA = N_("the request does not match the schema")
NOT_JSON = N_("the request body is not valid JSON")
FAULT = N_("an unexpected error occurred; it has been logged")


class Problem(BaseModel):
    """An RFC 9457 problem document: how every refusal of the API is answered."""

    model_config = ConfigDict(extra="allow")  # errors, position, limit ...: what the refusal adds

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    request_id: str | None = None


def _declared(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description,
            "content": {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}}


# What any API operation may answer besides its success: declared on every JSON route, so the
# OpenAPI schema tells clients (and Schemathesis) the truth.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _declared("Invalid input (a malformed query, value or JSON body)"),
    401: _declared("Not authenticated: log in or send an API key"),
    403: _declared("Permission denied"),
    404: _declared("Not found (or not visible to the caller)"),
    409: _declared("Conflict with the current state"),
    413: _declared("Payload too large"),
    422: _declared("The request does not match the schema"),
    429: _declared("Too many requests: see Retry-After"),
    503: _declared("A service the request needs is unavailable"),
}


def status_of(exc: IPCommonsError) -> tuple[int, str]:
    """The status and title of the most specific class in ``STATUS`` that ``exc`` is."""
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    raise AssertionError("IPCommonsError is always in STATUS")


def form_status(exc: Exception) -> int:
    """The status of a page that shows a refused form again: the error family's status, and 400 for
    a value that did not validate."""
    return status_of(exc)[0] if isinstance(exc, IPCommonsError) else 400


def type_slug(title: str) -> str:
    """The slug of a problem's title; every title the API answers with has a page (tested)."""
    return title.lower().replace(" ", "-")


class ProblemType(NamedTuple):
    title: str
    meaning: str  # what it means and what to change, said on its page (/problems/<slug>)


def _t(title: str, meaning: str) -> tuple[str, ProblemType]:
    return type_slug(title), ProblemType(title, meaning)


PROBLEM_TYPES: dict[str, ProblemType] = dict([
    _t(N_("Invalid input"), N_("A value the request sent is refused: the detail says which and why. Change it and "
                                "send the request again.")),
    _t(N_("Invalid request"), N_("The request does not match the operation's schema: errors lists each field with "
                                  "what was expected. The schema is at /openapi.json.")),
    _t(N_("Malformed JSON"), N_("The request body is not valid JSON: errors says where reading it stopped.")),
    _t(N_("Bad request"), N_("The request is refused: the detail says why.")),
    _t(N_("Verification failed"), N_("A certificate or signature does not verify: the detail names the step that "
                                      "failed. The file may have been changed, or was not issued by this platform.")),
    _t(N_("Not authenticated"), N_("The operation needs an account: send a bearer token from POST "
                                    "/api/v1/auth/token, or an API key (made on your account page) in the "
                                    "X-API-Key header.")),
    _t(N_("Permission denied"), N_("Your account may not do this: the detail says what it takes, such as a role or "
                                    "being the owner.")),
    _t(N_("Not found"), N_("Nothing is at this address, or it is not shown to you. Check the number or the "
                            "identifier.")),
    _t(N_("Method not allowed"), N_("This address does not take that HTTP method: the Allow header lists the ones "
                                     "it takes.")),
    _t(N_("Conflict"), N_("The request clashes with the current state: something changed since you read it, or "
                          "the step is not possible now. Read it again before you retry.")),
    _t(N_("Payload too large"), N_("The request body is larger than the platform takes: the detail gives the "
                                    "limit.")),
    _t(N_("Too many requests"), N_("Too many requests in a short time: wait the seconds the Retry-After header "
                                    "gives, then try again.")),
    _t(N_("Service unavailable"), N_("A service the platform relies on (search, the database or the task queue) is "
                                      "not answering. Try again later.")),
    _t(N_("Internal error"), N_("Something failed on our side. It is logged under the request's request_id: quote "
                                 "it if you report the problem.")),
    _t(N_("HTTP error"), N_("An HTTP error with no more specific type: the status and the detail say what "
                             "happened.")),
])


def problem_document(status: int, title: str, detail: str, instance: str | None = None,
                     request_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """The problem+json body; the one place its ``type`` URL is made."""
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + type_slug(title), "title": title,
                            "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    return body | extra


def problem(status: int, title: str, detail: str | IPCommonsError, request: Request | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """The problem document, its ``detail`` in the language the client asks for (``asked_language``)."""
    said, lang = worded(detail, asked_language(request) if request is not None else Language.en)
    body = problem_document(status, title, said, request.url.path if request else None,
                            getattr(request.state, "request_id", None) if request else None, **extra)
    response = JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)
    response.headers["Content-Language"] = lang.value
    response.headers.add_vary_header("Accept-Language")
    return response


def worded(detail: str | IPCommonsError, lang: Language) -> tuple[str, Language]:
    """A problem's detail in ``lang`` and the language it is really in. English is the words as written
    (a refusal's ``detail``: ISO dates, status names as the API spells them); another language is a
    refusal's template translated and filled (``in_words``) or a fixed sentence as the catalog has it,
    and English still where the catalog has no translation (said so by the returned language)."""
    english = detail.detail if isinstance(detail, IPCommonsError) else detail
    if lang is Language.en or not english:  # gettext("") is the catalog's header
        return english, Language.en
    translate = translations(lang).gettext
    said = detail.in_words(translate, lang) if isinstance(detail, IPCommonsError) else translate(detail)
    return said, lang if said != english else Language.en


def asked_language(request: Request) -> Language:
    """The language an API client reads a problem's ``detail`` in: Chinese when its Accept-Language puts
    Chinese first, else English. A client that says nothing reads English, as it always has: the pages
    default to Chinese, a program's log and its developers' searches to the words they were written in."""
    first = next(iter(preferred_languages(request.headers.get("accept-language"))), "")
    return Language.zh if first == "zh" else Language.en


def _headers(exc: IPCommonsError) -> dict[str, str] | None:
    if isinstance(exc, TooManyRequests):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, NotAuthenticated):
        return {"WWW-Authenticate": "Bearer"}
    return None


# (request, status, title, the error): the page says the error in the reader's language (``in_words``)
HtmlErrorPage = Callable[[Request, int, str, IPCommonsError], Response]
JSON_PATHS = ("/api/", "/.well-known/", "/healthz", "/openapi.json")


def wants_html(request: Request) -> bool:
    """A person's browser on a page, not an API client: errors are shown as pages."""
    return not request.url.path.startswith(JSON_PATHS) and "text/html" in request.headers.get("accept", "")


def error_response(request: Request, exc: IPCommonsError, html: HtmlErrorPage | None = None) -> Response:
    """The answer to a refusal: a page for a person's browser (with ``html``), else a problem document;
    a rate limit says when to retry either way."""
    status, title = status_of(exc)
    if html is not None and wants_html(request):
        response = html(request, status, title, exc)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return problem(status, title, exc, request, headers=_headers(exc), **exc.extra)


def allowed_methods(request: Request) -> list[str]:
    """The methods of the resource at this path: FastAPI declares one route per method, so Starlette's
    405 would name only the first route's method in ``Allow``. The most specific path template wins
    (``/registrations/upload`` over ``/registrations/{number}``), as in the OpenAPI document."""
    scopes = {method: {**request.scope, "method": method} for method in ("GET", "POST", "PUT", "PATCH", "DELETE")}
    templates: dict[str, set[str]] = {}
    for path, operations in request.app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\{[^/]+?\\}", "[^/]+", re.escape(path))
        if re.fullmatch(pattern, request.url.path):
            templates[path] = {m.upper() for m in operations}
    if templates:
        return sorted(templates[min(templates, key=lambda t: (t.count("{"), t))])
    return [m for m, scope in scopes.items()
            if any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)]


def page_above(request: Request) -> str | None:
    """The page a form's address belongs to (``/community/forums/1`` for ``.../1/topics``), when
    that is a page: a browser asks for the address a refused form was shown at when its reader
    goes back or reloads, and a form's address takes posts only."""
    path = request.url.path.rstrip("/")
    if "/" not in path:
        return None
    above = path.rsplit("/", 1)[0] or "/"
    scope = {**request.scope, "method": "GET", "path": above}
    found = any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)
    return above if found else None


DATABASE_RETRY_AFTER = 2  # seconds: a restart or a failover of the database takes about that long

HTML_VALIDATION_DETAIL = "a value in the address or the form does not fit (%(fields)s): go back and try again"
HTML_VALIDATION_UNNAMED = "a value in the address or the form does not fit: go back and try again"


def _parameter(loc: list[object]) -> str | None:
    """The parameter an error location names: its last name (``("query", "f", 0)`` -> ``f``)."""
    return next((str(part) for part in reversed(loc) if isinstance(part, str)), None)


def _query_parameters(errors: list[dict[str, Any]]) -> list[str]:
    """The query parameters refused (not a number in the path: reopening without the query would not help)."""
    return sorted({name for e in errors if e["loc"][:1] == ["query"] and (name := _parameter(e["loc"]))})


def _label(name: str) -> str | None:
    """A parameter's label: its form's, a record number in the address, or none (a hidden value)."""
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    if name.endswith("_id") or name in ADDRESS_NUMBERS:
        return ADDRESS_NUMBER
    return None


def _in_words(names: list[str]) -> Named | None:
    """Parameters as the form labels them, in both languages (``home`` -> 本国, Home country), once
    each; None when none has a label (a code name such as ``op`` or ``trail`` says nothing to a reader)."""
    labels = list(dict.fromkeys(label for n in names if (label := _label(n)) is not None))
    if not labels:
        return None

    def said(lang: Language, sep: str) -> str:
        words = translations(lang)
        return sep.join(str(words.pgettext(FIELD, label)) for label in labels)

    return Named(zh=said(Language.zh, "、"), en=said(Language.en, ", "))


async def _respond(request: Request, exc: IPCommonsError, html: HtmlErrorPage | None) -> Response:
    """A page in the thread pool (it may ask the database who is signed in); an API client's
    problem document at once."""
    if html is not None and wants_html(request):
        return await run_in_threadpool(error_response, request, exc, html)
    return error_response(request, exc)


async def _fault(request: Request, html: HtmlErrorPage | None) -> Response:
    """A fault of ours (logged by the caller): a person's browser gets a page in their language
    (the problem document in raw JSON was all it showed), an API client the problem document."""
    if html is not None and wants_html(request):
        return await run_in_threadpool(html, request, 500, "Internal error", IPCommonsError(PAGE_DETAILS[500]))
    return problem(500, "Internal error", FAULT, request)


def _sentence_for(exc: StarletteHTTPException, sentences: dict[int, str]) -> str:
    """The detail to give: ours for its status where the router gave only the status's phrase."""
    detail = str(exc.detail)
    if exc.status_code in sentences and detail == HTTPStatus(exc.status_code).phrase:
        return sentences[exc.status_code]
    return detail


def install(app: FastAPI, html: HtmlErrorPage | None = None) -> None:
    """Problem documents for API clients; with ``html``, error pages for people on the portal."""

    @app.exception_handler(IPCommonsError)
    async def domain_error(request: Request, exc: IPCommonsError) -> Response:
        return await _respond(request, exc, html)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": validator_words(e), "type": e.get("type", "")}
                  for e in exc.errors()]
        if html is not None and wants_html(request):  # a hand-edited or stale link: a page, not JSON
            names = sorted({name for e in errors if (name := _parameter(e["loc"]))})
            fields = _in_words(names)
            detail = IPCommonsError.said(HTML_VALIDATION_DETAIL, fields=fields) if fields is not None \
                else IPCommonsError(HTML_VALIDATION_UNNAMED)
            detail.extra["parameters"] = _query_parameters(errors)  # reopened without them, the others kept
            return await run_in_threadpool(html, request, 422, "Invalid request", detail)
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(400, "Malformed JSON", NOT_JSON, request, errors=errors)
        return problem(422, "Invalid request", NOT_THE_SCHEMA, request, errors=errors)

    @app.exception_handler(DataError)
    async def unstorable_value(request: Request, exc: DataError) -> Response:
        """A value no validator caught but the database refuses (a NUL character in text, a number
        beyond its column): the caller's input, not a server fault."""
        log.info("refused by the database on %s %s: %s", request.method, request.url.path, exc.orig)
        return await _respond(request, InvalidInput("a value in the request cannot be stored (a NUL character "
                                                    "in text, or a number out of range)"), html)

    @app.exception_handler(OperationalError)
    async def database_unavailable(request: Request, exc: OperationalError) -> Response:
        """The database went away (a restart, a failover, a lock held too long): nothing was written,
        and the same request may be sent again."""
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc.orig)
        response = error_response(request, Unavailable("the database is unavailable for a moment: send the request "
                                                       "again in a few seconds"), html)
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if html is not None and wants_html(request) and exc.status_code == 405 and request.method == "GET" \
                and (above := page_above(request)) is not None:
            return RedirectResponse(above, status_code=303)
        if html is not None and wants_html(request):
            title = HTTP_TITLES.get(exc.status_code, "HTTP error")
            detail = _sentence_for(exc, PAGE_DETAILS)
            return await run_in_threadpool(html, request, exc.status_code, title, IPCommonsError(detail))
        headers = getattr(exc, "headers", None)
        if exc.status_code == 405:
            headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
        return problem(exc.status_code, HTTP_TITLES.get(exc.status_code, "HTTP error"), _sentence_for(exc, API_DETAILS),
                       request, headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return await _fault(request, html)
