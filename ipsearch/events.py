"""``corpus-updated`` events: written by a load that added documents, consumed by saved queries
(topic collections) and early-warning rules. The table is the durable record; a Celery message
only wakes the consumers up."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.celery_app import TaskQueue
from core.db import Row, UTCDateTime, utcnow
from core.settings import Settings

log = logging.getLogger(__name__)


class CorpusEvent(Row):
    __tablename__ = "corpus_events"

    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    run_id: Mapped[int] = mapped_column(Integer)  # load_runs.id: the constraint lives in the database
    backend: Mapped[str] = mapped_column(String(20))
    target: Mapped[str] = mapped_column(String(500))
    documents: Mapped[int] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


def latest_event_id(session: Session) -> int:
    return int(session.scalar(select(func.max(CorpusEvent.id))) or 0)


def announce(settings: Settings, event_id: int) -> None:
    """Wake the consumers (best effort: a periodic sweep catches events whose message was lost)."""
    try:
        TaskQueue(settings).announce_corpus_updated(event_id)
    except Exception as exc:  # noqa: BLE001 - the event row is the durable record
        log.warning("corpus-updated event %s recorded but not announced: %s", event_id, exc)
