"""Liveness and dependency health."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import ReaderIfAny, SettingsDep
from api.services import Health, health

router = APIRouter(tags=["health"])


@router.get("/healthz",
            summary="Is the platform up (and each service it relies on)",
            response_model=Health, responses={503: {"model": Health, "description": "degraded"}})
def healthz(settings: SettingsDep, reader: ReaderIfAny) -> JSONResponse:
    """200 when every service the platform relies on answers, else 503; `services` says which.
    Anyone sees each service's state; an administrator also sees where it is and why it failed."""
    report = health(settings, reader)
    return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.status == "ok" else 503)
