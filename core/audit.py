"""The append-only audit trail: who did what to which object, when, from where.

Rows are only ever inserted; the migration adds database triggers that refuse UPDATE and
DELETE, so not even a bug in a service can rewrite history.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, ForeignKey, Select, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" for the foreign keys below
from core.db import Base, UTCDateTime, utcnow


class AuditRecord(Base):
    __tablename__ = "audit_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(60))
    object_id: Mapped[str] = mapped_column(String(120))
    request_id: Mapped[str | None] = mapped_column(String(64))
    client_ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class AuditContext(BaseModel):
    """Where a write came from; the API fills it from the request."""

    actor_id: int | None = None
    request_id: str | None = None
    client_ip: str | None = None


def append(
    session: Session, ctx: AuditContext, action: str, object_type: str, object_id: object,
    **details: Any,
) -> AuditRecord:
    record = AuditRecord(
        actor_id=ctx.actor_id, action=action, object_type=object_type, object_id=str(object_id),
        request_id=ctx.request_id, client_ip=ctx.client_ip, details=details,
    )
    session.add(record)
    return record


class AuditFilter(BaseModel):
    actor_id: int | None = None
    action: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    before_id: int | None = None


def query(session: Session, f: AuditFilter) -> list[AuditRecord]:
    stmt: Select[tuple[AuditRecord]] = select(AuditRecord)
    if f.actor_id is not None:
        stmt = stmt.where(AuditRecord.actor_id == f.actor_id)
    if f.action:
        stmt = stmt.where(AuditRecord.action == f.action)
    if f.object_type:
        stmt = stmt.where(AuditRecord.object_type == f.object_type)
    if f.object_id:
        stmt = stmt.where(AuditRecord.object_id == f.object_id)
    if f.since:
        stmt = stmt.where(AuditRecord.at >= f.since)
    if f.until:
        stmt = stmt.where(AuditRecord.at < f.until)
    if f.before_id:
        stmt = stmt.where(AuditRecord.id < f.before_id)
    return list(session.scalars(stmt.order_by(AuditRecord.id.desc()).limit(min(max(f.limit, 1), 1000))))
