"""Liveness and dependency health."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api.deps import OptionalUser, SettingsDep
from api.services import Health, health
from core.accounts.permissions import is_admin

router = APIRouter(tags=["health"])


@router.get("/healthz",
            summary="Is the platform up (and each service it relies on)",
            response_model=Health, responses={503: {"model": Health, "description": "degraded"}})
def healthz(settings: SettingsDep, reader: OptionalUser) -> JSONResponse:
    """Each service's state; where it lives and what its failure said only for an administrator."""
    report = health(settings) if is_admin(reader) else health(settings).for_the_public()
    return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.status == "ok" else 503)
