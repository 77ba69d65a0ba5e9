"""The FastAPI application factory: the API's and the portal's composition root."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from starlette.routing import BaseRoute
from starlette.types import ASGIApp
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api import pages, problems
from api.deps import Platform, current_user, optional_user, reader_if_any
from api.middleware import BodyLimitMiddleware, ExpensiveRouteLimits, ResponseHeadersMiddleware
from api.pages.errors import error_page
from api.routers import (
    accounts,
    agencies,
    analytics,
    audit,
    auth,
    collections,
    copyright,
    forums,
    health,
    loads,
    patents,
    servicehall,
)
from api.worker import import_task_modules
from core.accounts import passwords
from core.settings import Settings, get_settings

API_ROUTERS = (health.router, auth.router, accounts.router, audit.router, loads.router, patents.router,
               collections.router, copyright.router, agencies.router, forums.router, analytics.router,
               servicehall.router)
STATIC_DIR = Path(__file__).with_name("static")


class IPCommonsApp(FastAPI):
    """FastAPI with the request id and the security headers outside everything else, and an API
    description that says which operations take a credential without requiring one.

    ``add_middleware`` would place them inside Starlette's ServerErrorMiddleware, so a 500 (and
    any answer from a layer outside them) would go out without them."""

    def build_middleware_stack(self) -> ASGIApp:
        return ResponseHeadersMiddleware(super().build_middleware_stack())

    def openapi(self) -> dict[str, Any]:
        if self.openapi_schema is None:
            mark_optional_auth(super().openapi(), self.routes)
        return self.openapi_schema or {}


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Every dependency function an operation runs, however deep."""
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def mark_optional_auth(schema: dict[str, Any], routes: list[BaseRoute]) -> None:
    """An operation that reads the caller when there is one (``optional_user``, ``reader_if_any``) but answers anyone
    lists the empty requirement ``{}`` beside its two ways to authorise: in OpenAPI that says the
    credential is optional (a public search, a forum topic). Without it, a client that tried an
    empty key and got 200 read the API as ignoring its declared authentication."""
    for context in iter_route_contexts(routes):  # the routes of the included routers, with their prefixes
        if not isinstance(context.route, APIRoute):
            continue
        calls = set(_calls(context.route.dependant))
        if not calls & {optional_user, reader_if_any} or current_user in calls:
            continue
        for method in context.methods or ():
            operation = schema.get("paths", {}).get(context.path_format, {}).get(method.lower(), {})
            if operation.get("security") and {} not in operation["security"]:
                operation["security"].append({})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    import_task_modules()  # services queue tasks by their objects; corpus-updated listeners registered
    passwords.prepare()  # the first unknown e-mail must not take longer than the others
    app = IPCommonsApp(
        title="IP Commons",
        version="0.1.0",
        description="Open intellectual-property public service platform: patent search, analytics, "
        "copyright registry and community. [Back to the site](/) · every refusal is a problem document "
        "whose `type` is [a page saying what it means](/problems).",
        docs_url=None,  # served by api.pages.shell from the app's own files (works offline)
        redoc_url=None,
    )
    app.state.platform = Platform.build(settings)
    # jieba's dictionary loads beside the start (1.5 s): a Chinese search waits for it only if it comes
    # within that time
    threading.Thread(target=app.state.platform.search.analyzer.prepare_chinese, name="jieba", daemon=True).start()
    problems.install(app, html=error_page)
    for router in API_ROUTERS:
        app.include_router(router, responses=problems.PROBLEM_RESPONSES)
    for router in pages.ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(BodyLimitMiddleware, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    app.add_middleware(ExpensiveRouteLimits, platform=app.state.platform,
                       respond=partial(problems.error_response, html=error_page))
    if settings.trusted_proxies:  # the client is the right-most X-Forwarded-For address not a proxy
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
