"""Celery beat's hall tasks: every five minutes, fire the red and yellow cards now due and withdraw
the applications whose time to supply materials has passed; every hour, remove the files kept from
refused forms once a day old."""

from __future__ import annotations

from celery import shared_task

from core.audit import AuditContext, Writer
from core.celery_app import periodic
from core.db import session_scope
from core.settings import get_settings
from servicehall import service

SWEEP_SECONDS = 300.0
FORGET_SECONDS = 3600.0


@periodic(SWEEP_SECONDS)
@shared_task(name="servicehall.sweep")
def sweep() -> dict[str, int]:
    """What this run did: cards fired, people told, applications withdrawn (the platform itself is
    the actor: ``actor_id`` is empty)."""
    with session_scope(get_settings().effective_database_url) as session:
        return service.sweep(Writer(session, None, AuditContext(client_ip="beat"), operator=True)).model_dump()


@periodic(FORGET_SECONDS)
@shared_task(name="servicehall.forget_held_files")
def forget_held_files() -> int:
    """Files kept from refused forms, removed once a day old (the platform is the actor)."""
    settings = get_settings()
    with session_scope(settings.effective_database_url) as session:
        return service.forget_held_files(Writer(session, None, AuditContext(client_ip="beat"), operator=True), settings)
