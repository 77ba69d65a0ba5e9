"""Liveness and dependency health."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.services import service_statuses

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> JSONResponse:
    statuses = service_statuses(request.app.state.settings)
    ok = all(s.ok for s in statuses)
    body = {"status": "ok" if ok else "degraded", "services": {s.name: s.model_dump() for s in statuses}}
    return JSONResponse(body, status_code=200 if ok else 503)
