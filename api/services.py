"""Composes the health of every configured service (database, search backend, broker)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from core.health import ServiceStatus, check_broker, check_database
from core.settings import Settings
from ipsearch.backends import get_backend


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    services: dict[str, ServiceStatus]

    def for_the_public(self) -> Health:
        """Up or not and how fast, without where each service lives (paths, hosts) nor what its
        failure said: those are for the operators (an administrator's request, ``ipcommons doctor``)."""
        return self.model_copy(update={"services": {
            name: s.model_copy(update={"where": None, "detail": None}) for name, s in self.services.items()}})


def service_statuses(settings: Settings) -> list[ServiceStatus]:
    return [check_database(settings), get_backend(settings).health(), check_broker(settings)]


def health(settings: Settings) -> Health:
    statuses = service_statuses(settings)
    return Health(status="ok" if all(s.ok for s in statuses) else "degraded",
                  services={s.name: s for s in statuses})
