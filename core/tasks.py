"""Core tasks: a ping used by health checks and tests to prove a worker really runs."""

from __future__ import annotations

import os
import socket

from core.celery_app import celery_app


@celery_app.task(name="core.ping")
def ping(payload: str) -> dict[str, object]:
    return {"echo": payload, "pid": os.getpid(), "host": socket.gethostname()}
