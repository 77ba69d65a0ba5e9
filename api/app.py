"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI

from api import problems, web
from api.middleware import BodyLimitMiddleware, RequestIdMiddleware
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
)
from core.ratelimit import make_rate_limiter
from core.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="IP Commons",
        version="0.1.0",
        description="Open intellectual-property public service platform: patent search, analytics, "
        "copyright registry and community.",
        docs_url="/docs",
    )
    app.state.settings = settings
    app.state.rate_limiter = make_rate_limiter(settings.redis_url)
    problems.install(app)
    for router in (health.router, auth.router, accounts.router, audit.router, loads.router, patents.router,
                   collections.router, copyright.router, agencies.router, forums.router, analytics.router,
                   web.router):
        app.include_router(router)
    app.add_middleware(BodyLimitMiddleware, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    app.add_middleware(RequestIdMiddleware)
    return app
