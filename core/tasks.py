"""Core tasks: a ping used by health checks and tests to prove a worker really runs."""

from __future__ import annotations

import os
import socket

from celery import shared_task


@shared_task(name="core.ping")
def ping(payload: str) -> dict[str, object]:
    return {"echo": payload, "pid": os.getpid(), "host": socket.gethostname()}
