"""Nightly tier recomputation (Celery beat): ratings move as the platform-wide mean moves."""

from __future__ import annotations

from community.agencies.service import recompute_all
from core.celery_app import celery_app
from core.db import session_scope


@celery_app.task(name="community.recompute_tiers")
def recompute_tiers() -> int:
    with session_scope() as session:
        return recompute_all(session)
