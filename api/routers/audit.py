"""Read-only access to the audit trail, for admins. There is no endpoint that changes it."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query

from api.deps import AdminUser, SessionDep
from core import audit
from core.ids import DbId

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", summary="The audit trail (admins)", response_model=list[audit.AuditOut])
def list_audit(
    _: AdminUser,
    session: SessionDep,
    actor_id: DbId | None = None,
    action: str | None = Query(default=None, max_length=80),
    object_type: str | None = Query(default=None, max_length=60),
    object_id: str | None = Query(default=None, max_length=120),
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: DbId | None = None,
    limit: int = Query(default=100, ge=1, le=1000),
) -> list[audit.AuditOut]:
    """Admins only: entries newest first, at most `limit`. Each filter must match exactly: `action` as
    recorded (`agency.claim`, `forum.post.flag` ...), `object_type` and `object_id`, `actor_id`; `since`
    is inclusive, `until` exclusive. For the next page, send the last entry's `id` as `before_id`."""
    f = audit.AuditFilter(actor_id=actor_id, action=action, object_type=object_type, object_id=object_id,
                          since=since, until=until, before_id=before_id, limit=limit)
    return audit.trail(session, f)
