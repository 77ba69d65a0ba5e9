"""Composes the health of every configured service (database, search backend, broker)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from core.accounts.models import User
from core.accounts.permissions import is_admin
from core.health import ServiceStatus, check_broker, check_database
from core.settings import Settings
from ipsearch.backends import get_backend


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    services: dict[str, ServiceStatus]


def service_statuses(settings: Settings) -> list[ServiceStatus]:
    return [check_database(settings), get_backend(settings).health(), check_broker(settings)]


def health(settings: Settings, reader: User | None = None) -> Health:
    """Each service: up or not and how fast; where it lives (paths, hosts) and what its failure said
    only for an administrator (and ``ipcommons doctor``), not for anyone who asks."""
    statuses = service_statuses(settings)
    if not is_admin(reader):
        statuses = [s.model_copy(update={"where": None, "detail": None}) for s in statuses]
    return Health(status="ok" if all(s.ok for s in statuses) else "degraded",
                  services={s.name: s for s in statuses})
