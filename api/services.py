"""Composes the health of every configured service (database, search backend, broker)."""

from __future__ import annotations

from core.health import ServiceStatus, check_broker, check_database
from core.settings import Settings
from ipsearch.backends import get_backend


def service_statuses(settings: Settings) -> list[ServiceStatus]:
    return [check_database(settings), get_backend(settings).health(), check_broker(settings)]
