"""The FastAPI application factory: the API's composition root."""

from __future__ import annotations

from fastapi import FastAPI

from api import problems, web
from api.deps import Platform
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
from api.worker import import_task_modules
from core.settings import Settings, get_settings

ROUTERS = (health.router, auth.router, accounts.router, audit.router, loads.router, patents.router,
           collections.router, copyright.router, agencies.router, forums.router, analytics.router, web.router)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    import_task_modules()  # services queue tasks by their objects; corpus-updated listeners registered
    app = FastAPI(
        title="IP Commons",
        version="0.1.0",
        description="Open intellectual-property public service platform: patent search, analytics, "
        "copyright registry and community.",
        docs_url="/docs",
    )
    app.state.platform = Platform.build(settings)
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.add_middleware(BodyLimitMiddleware, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    app.add_middleware(RequestIdMiddleware)
    return app
