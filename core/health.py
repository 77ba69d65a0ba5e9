"""Reachability checks for the services a deployment is configured with."""

from __future__ import annotations

import time
from collections.abc import Callable

import redis
from pydantic import BaseModel
from sqlalchemy import create_engine, text

from core.db import get_engine
from core.settings import Settings


class ServiceStatus(BaseModel):
    """One service's health as ``/healthz`` and ``ipcommons doctor`` show it."""

    name: str
    kind: str
    ok: bool
    version: str | None = None
    latency_ms: float | None = None
    detail: str | None = None
    where: str | None = None
    warning: str | None = None  # reachable and answering, but something needs an operator's hand


def timed(name: str, kind: str, where: str | None, probe: Callable[[], str | None]) -> ServiceStatus:
    """Run ``probe`` (which returns a version string) and report it as a ServiceStatus."""
    start = time.perf_counter()
    try:
        version = probe()
    except Exception as exc:  # noqa: BLE001 - any failure means "not reachable"
        return ServiceStatus(name=name, kind=kind, ok=False, where=where, detail=f"{type(exc).__name__}: {exc}"[:300])
    return ServiceStatus(name=name, kind=kind, ok=True, version=version, where=where,
                         latency_ms=round((time.perf_counter() - start) * 1000, 2))


def redact(url: str) -> str:
    """A service's address without the password it may carry (said by /healthz and the CLI)."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"


def check_database(settings: Settings) -> ServiceStatus:
    url = settings.effective_database_url
    kind = "postgresql" if url.startswith("postgresql") else "embedded"

    def probe() -> str | None:
        with get_engine(url).connect() as conn:
            if kind == "postgresql":
                return str(conn.execute(text("SHOW server_version")).scalar())
            return "sqlite " + str(conn.execute(text("select sqlite_version()")).scalar())

    return timed("database", kind, redact(url), probe)


def check_broker(settings: Settings) -> ServiceStatus:
    url = settings.effective_broker_url
    if settings.broker_kind == "redis":
        def probe() -> str | None:
            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            return "redis " + str(client.info("server")["redis_version"])
        return timed("broker", "redis", redact(url), probe)

    def probe_sqlite() -> str | None:
        engine = create_engine(url.removeprefix("sqla+"))
        try:
            with engine.connect() as conn:
                return "sqlite " + str(conn.execute(text("select sqlite_version()")).scalar())
        finally:
            engine.dispose()

    return timed("broker", "embedded", redact(url), probe_sqlite)
