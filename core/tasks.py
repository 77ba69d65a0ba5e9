"""Core tasks: a ping that proves a worker really runs, and the notification mailer."""

from __future__ import annotations

import os
import socket

from celery import shared_task

from core.celery_app import periodic
from core.db import session_scope
from core.mail import send_pending
from core.settings import get_settings


@shared_task(name="core.ping")
def ping(payload: str) -> dict[str, object]:
    return {"echo": payload, "pid": os.getpid(), "host": socket.gethostname()}


@periodic(60.0)
@shared_task(name="core.send_mail")
def send_mail() -> int:
    """Mail the notifications written since the last run (saved-query matches, alerts, reports)."""
    settings = get_settings()
    with session_scope(settings.effective_database_url) as session:
        return send_pending(settings, session)
