"""Pure-ASGI middleware: request ids, security headers, limits on expensive routes and request body
size limits."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from urllib.parse import parse_qs

from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import Expense, Platform, caller_id, client_ip, limit_expense
from api.pages.context import SESSION_COOKIE
from api.problems import problem_document
from core.errors import IPCommonsError

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Scripts only from the app's own files (inline <script> code and event handlers are refused;
# JSON data blocks are not scripts). Styles: the app's style sheets; style *attributes* are
# allowed because ECharts' tooltips and a few templates set them, <style> elements are not.
# Images: the app's, data:/blob: (icons in Swagger UI's style sheet, images the browser makes) and
# https images in forum posts (Markdown allows them; trust levels limit how many).
CSP_DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data: blob: https:",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


# ReDoc styles itself with <style> elements it writes (styled-components) and searches in a worker
# it starts from a blob: only /redoc allows them.
REDOC_CSP = content_security_policy(CSP_DIRECTIVES | {"style-src": "'self' 'unsafe-inline'",
                                                      "worker-src": "'self' blob:"})

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", content_security_policy(CSP_DIRECTIVES).encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
)


def _with_headers(message: Message, extra: tuple[tuple[bytes, bytes], ...]) -> None:
    """Add each header the response does not already carry (a route may set its own)."""
    headers = message.setdefault("headers", [])
    present = {name.lower() for name, _ in headers}
    headers.extend((name, value) for name, value in extra if name not in present)


class ResponseHeadersMiddleware:
    """Every response carries its request id (a sane incoming X-Request-ID, else a new one, also on
    request.state) and says: no sniffing, no framing, referrers only to this site, and the CSP."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        extra = ((b"x-request-id", request_id.encode()), *SECURITY_HEADERS)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                _with_headers(message, extra)
            await send(message)

        await self.app(scope, receive, send_with_headers)


# The routes that cost the most (a search or aggregation over the index, a file written, a report
# rendered, a file received and hashed, a person mailed), API and pages alike: (method, path template) -> kind.
EXPENSIVE_ROUTES: dict[tuple[str, str], Expense] = {
    ("GET", "/"): Expense.search,  # the search workbench
    ("GET", "/api/v1/patents/search"): Expense.search,
    ("GET", "/api/v1/patents/{pn}/similar"): Expense.search,
    ("GET", "/api/v1/forums/search"): Expense.search,
    ("GET", "/api/v1/copyright/works"): Expense.search,
    ("GET", "/api/v1/analytics/indicators"): Expense.search,
    ("GET", "/api/v1/regions/{code}"): Expense.search,
    ("GET", "/reports/industries/{key}"): Expense.search,
    ("GET", "/regions/{code}"): Expense.search,
    ("GET", "/api/v1/patents/export"): Expense.export,
    ("GET", "/export"): Expense.export,
    ("GET", "/api/v1/collections/{cid}/export"): Expense.export,
    ("GET", "/collections/{cid}/export"): Expense.export,
    ("POST", "/api/v1/reports"): Expense.report,
    ("POST", "/reports/industries/{key}/report"): Expense.report,
    ("POST", "/api/v1/copyright/registrations"): Expense.upload,
    ("POST", "/api/v1/copyright/registrations/upload"): Expense.upload,
    ("POST", "/api/v1/copyright/verify-file"): Expense.upload,
    ("POST", "/copyright/register"): Expense.upload,
    ("POST", "/api/v1/hall/applications/{number}/materials"): Expense.upload,
    ("POST", "/service-hall/applications/{number}/supply"): Expense.upload,
    ("POST", "/api/v1/copyright/registrations/{number}/licence-offers"): Expense.rights,
    ("POST", "/api/v1/copyright/registrations/{number}/transfers"): Expense.rights,
    ("POST", "/api/v1/copyright/registrations/{number}/licences"): Expense.rights,
    ("POST", "/api/v1/copyright/registrations/{number}/disputes"): Expense.rights,
    ("POST", "/copyright/records/{number}/offers"): Expense.rights,
    ("POST", "/copyright/records/{number}/transfers"): Expense.rights,
}


def _template_pattern(template: str) -> re.Pattern[str]:
    """``/a/{x}/b`` matches ``/a/<one segment>/b``, as the router does."""
    parts = re.split(r"\{[^}/]+\}", template)
    return re.compile("^" + "[^/]+".join(re.escape(p) for p in parts) + "$")


_EXPENSIVE = [(method, _template_pattern(path), expense) for (method, path), expense in EXPENSIVE_ROUTES.items()]


# Pages that search only when asked to: the workbench without a query or a filter (the search page's
# own test, ``q.strip() or f``) is an empty form.
FREE_WITHOUT_QUERY = {"/"}


def expense_of(method: str, path: str, query_string: bytes = b"") -> Expense | None:
    method = "GET" if method == "HEAD" else method
    if path in FREE_WITHOUT_QUERY and not _asks_search(query_string):
        return None
    return next((expense for m, pattern, expense in _EXPENSIVE if m == method and pattern.match(path)), None)


def _asks_search(query_string: bytes) -> bool:
    asked = parse_qs(query_string.decode("latin-1"), keep_blank_values=True)
    return any(q.strip() for q in asked.get("q", [])) or bool(asked.get("f"))


class ExpensiveRouteLimits:
    """Per-user and per-address limits on EXPENSIVE_ROUTES, checked before the body is read (a refused
    upload is not received first). The refusal is the app's own: a problem document, or an error
    page for a person's browser, with Retry-After."""

    def __init__(self, app: ASGIApp, platform: Platform,
                 respond: Callable[[Request, IPCommonsError], Response]) -> None:
        self.app = app
        self.platform = platform
        self.respond = respond

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        expense = expense_of(scope["method"], scope["path"], scope["query_string"]) if scope["type"] == "http" else None
        if expense is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:  # the database and Redis are blocking: off the event loop
            await run_in_threadpool(self._count, request, expense)
        except IPCommonsError as exc:
            await self.respond(request, exc)(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _count(self, request: Request, expense: Expense) -> None:
        scheme, bearer = get_authorization_scheme_param(request.headers.get("authorization"))
        secret = (bearer if scheme.lower() == "bearer" else None) or request.headers.get("x-api-key")
        user_id = caller_id(self.platform, secret, request.cookies.get(SESSION_COOKIE))
        limit_expense(self.platform, expense, client_ip(request), user_id)


class BodyLimitMiddleware:
    """Refuse bodies over the limit with 413, whether or not Content-Length tells the truth.

    Multipart uploads get their own, larger limit.
    """

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        is_upload = headers.get(b"content-type", b"").startswith(b"multipart/")
        limit = self.max_upload if is_upload else self.max_body
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit, scope)
            return
        seen = 0
        responded = False  # whoever sends http.response.start first owns the response

        async def counting_receive() -> Message:
            nonlocal seen, responded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    if not responded:
                        responded = True
                        await _too_large(send, limit, scope)
                    # Tell the app the client is gone, so it stops reading and writing.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal responded
            if message["type"] == "http.response.start":
                if responded:
                    return
                responded = True
            elif seen > limit:
                return  # the app's body after we already answered 413
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if seen <= limit:
                raise


async def _too_large(send: Send, limit: int, scope: Scope) -> None:
    body = json.dumps(problem_document(413, "Payload too large",
                                       f"the request body exceeds the limit of {limit} bytes",
                                       scope.get("path", ""), scope.get("state", {}).get("request_id"))).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
