"""Errors as RFC 9457 problem details (application/problem+json), never a bare 500 page.

``STATUS`` is the one table from the platform's error classes (``core.errors``) to HTTP: the
first class in a raised error's MRO that the table names decides the status and title.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

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
)

log = logging.getLogger("ipcommons.api")

PROBLEM_TYPE_BASE = "https://ipcommons.example/problems/"
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


def problem_document(status: int, title: str, detail: str, instance: str | None = None,
                     request_id: str | None = None, **extra: Any) -> dict[str, Any]:
    """The problem+json body; the one place its ``type`` URL is made."""
    body: dict[str, Any] = {"type": PROBLEM_TYPE_BASE + title.lower().replace(" ", "-"), "title": title,
                            "status": status, "detail": detail}
    if instance is not None:
        body["instance"] = instance
    if request_id:
        body["request_id"] = request_id
    return body | extra


def problem(status: int, title: str, detail: str, request: Request | None = None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = problem_document(status, title, detail, request.url.path if request else None,
                            getattr(request.state, "request_id", None) if request else None, **extra)
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _headers(exc: IPCommonsError) -> dict[str, str] | None:
    if isinstance(exc, TooManyRequests):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, NotAuthenticated):
        return {"WWW-Authenticate": "Bearer"}
    return None


HtmlErrorPage = Callable[[Request, int, str, str], Response]
JSON_PATHS = ("/api/", "/.well-known/", "/healthz", "/openapi.json")


def wants_html(request: Request) -> bool:
    """A person's browser on a page, not an API client: errors are shown as pages."""
    return not request.url.path.startswith(JSON_PATHS) and "text/html" in request.headers.get("accept", "")


def error_response(request: Request, exc: IPCommonsError, html: HtmlErrorPage | None = None) -> Response:
    """The answer to a refusal: a page for a person's browser (with ``html``), else a problem document;
    a rate limit says when to retry either way."""
    status, title = status_of(exc)
    if html is not None and wants_html(request):
        response = html(request, status, title, exc.detail)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return problem(status, title, exc.detail, request, headers=_headers(exc), **exc.extra)


HTML_VALIDATION_DETAIL = "a value in the address or the form does not fit: go back and try again"


def install(app: FastAPI, html: HtmlErrorPage | None = None) -> None:
    """Problem documents for API clients; with ``html``, error pages for people on the portal."""

    @app.exception_handler(IPCommonsError)
    async def domain_error(request: Request, exc: IPCommonsError) -> Response:
        return error_response(request, exc, html)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        if html is not None and wants_html(request):  # a hand-edited or stale link: a page, not JSON
            return html(request, 422, "Invalid request", HTML_VALIDATION_DETAIL)
        if any(e["type"] == "json_invalid" for e in errors):
            return problem(400, "Malformed JSON", "the request body is not valid JSON", request, errors=errors)
        return problem(422, "Invalid request", "the request does not match the schema", request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if html is not None and wants_html(request):
            return html(request, exc.status_code, HTTP_TITLES.get(exc.status_code, "HTTP error"), str(exc.detail))
        return problem(exc.status_code, HTTP_TITLES.get(exc.status_code, "HTTP error"), str(exc.detail), request,
                       headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Internal error", "an unexpected error occurred; it has been logged", request)
