"""Nightly tier recomputation (Celery beat): the prior is taken afresh from the platform-wide mean and
every agency is rated under it in one transaction, so all ratings move together."""

from __future__ import annotations

from celery import shared_task

from community.agencies.service import recompute_all
from core.celery_app import periodic
from core.db import session_scope


@periodic(24 * 3600.0)
@shared_task(name="community.recompute_tiers")
def recompute_tiers() -> int:
    with session_scope() as session:
        return recompute_all(session)
