"""The append-only audit trail: who did what to which object, when, from where.

Rows are only ever inserted; the migration adds database triggers that refuse UPDATE and
DELETE, so not even a bug in a service can rewrite history.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, ForeignKey, Select, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.accounts.models import User  # also registers "users" for the foreign keys below
from core.accounts.permissions import require_admin
from core.db import Row, RowOut, UTCDateTime, utcnow
from core.errors import NotAuthenticated


class AuditAction(StrEnum):
    """Every action the trail records, named ``<object>.<verb>``; the column stores the value."""

    agency_claim = "agency.claim"
    agency_claim_decide = "agency.claim.decide"
    agency_create = "agency.create"
    agency_integrity = "agency.integrity"
    agency_objection = "agency.objection"
    agency_objection_answer = "agency.objection.answer"
    agency_review = "agency.review"
    agency_review_confirm = "agency.review.confirm"
    agency_review_edit = "agency.review.edit"
    agency_review_flag = "agency.review.flag"
    agency_review_release = "agency.review.release"
    agency_review_reply = "agency.review.reply"
    agency_update = "agency.update"
    analytics_scope_create = "analytics.scope.create"
    analytics_subscribe = "analytics.subscribe"
    analytics_unsubscribe = "analytics.unsubscribe"
    api_key_create = "api_key.create"
    api_key_revoke = "api_key.revoke"
    collection_create = "collection.create"
    collection_delete = "collection.delete"
    collection_items_add = "collection.items.add"
    collection_items_remove = "collection.items.remove"
    collection_items_restore = "collection.items.restore"
    collection_note = "collection.note"
    collection_note_delete = "collection.note.delete"
    collection_tag = "collection.tag"
    collection_untag = "collection.untag"
    collection_update = "collection.update"
    copyright_dispute = "copyright.dispute"
    copyright_dispute_resolve = "copyright.dispute.resolve"
    copyright_licence = "copyright.licence"
    copyright_licence_offer = "copyright.licence.offer"
    copyright_licence_answer = "copyright.licence.answer"
    copyright_register = "copyright.register"
    copyright_review = "copyright.review"
    copyright_transfer = "copyright.transfer"
    forum_category_create = "forum.category.create"
    forum_post_create = "forum.post.create"
    forum_post_delete = "forum.post.delete"
    forum_post_edit = "forum.post.edit"
    forum_post_flag = "forum.post.flag"
    forum_post_hide = "forum.post.hide"
    forum_post_like = "forum.post.like"
    forum_post_restore = "forum.post.restore"
    forum_version_hide = "forum.version.hide"
    forum_version_show = "forum.version.show"
    forum_topic_create = "forum.topic.create"
    forum_topic_delete = "forum.topic.delete"
    forum_topic_hide = "forum.topic.hide"
    forum_topic_lock = "forum.topic.lock"
    forum_topic_move = "forum.topic.move"
    forum_topic_pin = "forum.topic.pin"
    forum_topic_restore = "forum.topic.restore"
    forum_topic_unlock = "forum.topic.unlock"
    forum_topic_unpin = "forum.topic.unpin"
    hall_apply = "hall.apply"
    hall_assign = "hall.assign"
    hall_card = "hall.card"
    hall_catalogue = "hall.catalogue"
    hall_duties = "hall.duties"
    hall_files_forget = "hall.files.forget"
    hall_files_hold = "hall.files.hold"
    hall_rate = "hall.rate"
    hall_reschedule = "hall.reschedule"
    hall_staff = "hall.staff"
    hall_supply_extend = "hall.supply_extend"
    hall_supply_limit = "hall.supply_limit"
    hall_transition = "hall.transition"
    load_start = "load.start"
    notification_read = "notification.read"
    notification_read_all = "notification.read_all"
    org_create = "org.create"
    org_member_add = "org.member.add"
    report_request = "report.request"
    search_history_clear = "search.history.clear"
    search_set_add = "search.set.add"
    search_set_update = "search.set.update"
    session_close = "session.close"
    session_open = "session.open"
    user_create_admin = "user.create_admin"
    user_deactivate = "user.deactivate"
    user_language_set = "user.language.set"  # the trail's name for a profile save before user.profile.update
    user_password_change = "user.password.change"  # noqa: S105 - an action name, not a secret
    user_password_reset = "user.password.reset"  # noqa: S105 - an action name, not a secret
    user_password_reset_request = "user.password.reset_request"  # noqa: S105 - an action name, not a secret
    user_profile_update = "user.profile.update"
    user_reactivate = "user.reactivate"
    user_register = "user.register"
    user_role_set = "user.role.set"


class AuditRecord(Row):
    """One row per write; database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_records"

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
    session: Session, ctx: AuditContext, action: AuditAction, object_type: str, object_id: object,
    **details: Any,
) -> AuditRecord:
    record = AuditRecord(
        actor_id=ctx.actor_id, action=AuditAction(action).value, object_type=object_type, object_id=str(object_id),
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


class AuditOut(RowOut):
    id: int
    at: datetime
    actor_id: int | None
    action: str
    object_type: str
    object_id: str
    request_id: str | None
    client_ip: str | None
    details: dict[str, object]


def trail(session: Session, f: AuditFilter) -> list[AuditOut]:
    return [AuditOut.model_validate(r) for r in query(session, f)]


class AuditEntryOut(AuditOut):
    actor_email: str | None
    object_email: str | None = None  # when the object is an account: whose


class AuditPageOut(BaseModel):
    """Newest first; ``older`` is the ``before_id`` of the next page (None on the last)."""

    entries: list[AuditEntryOut]
    older: int | None


def trail_page(session: Session, actor: User, f: AuditFilter) -> AuditPageOut:
    """One page of the trail for the admin console: the entries with who made them (admins only)."""
    require_admin(actor)
    rows = query(session, f.model_copy(update={"limit": f.limit + 1}))
    more, rows = len(rows) > f.limit, rows[:f.limit]
    accounts = {int(r.object_id) for r in rows if r.object_type == "user" and r.object_id.isdigit()}
    ids = {r.actor_id for r in rows if r.actor_id is not None} | accounts
    emails = dict(session.execute(select(User.id, User.email).where(User.id.in_(ids))).all()) if ids else {}
    entries = [AuditEntryOut.model_validate({
        **AuditOut.model_validate(r).model_dump(), "actor_email": emails.get(r.actor_id or 0),
        "object_email": emails.get(int(r.object_id)) if r.object_type == "user" and r.object_id.isdigit() else None,
    }) for r in rows]
    return AuditPageOut(entries=entries, older=rows[-1].id if more and rows else None)


def object_types(session: Session, actor: User) -> list[str]:
    """The kinds of object the trail names, for the console's filter."""
    require_admin(actor)
    return list(session.scalars(select(AuditRecord.object_type).distinct().order_by(AuditRecord.object_type)))


class Writer:
    """A write's session plus its audit trail: services record what they changed, then commit.

    ``commit`` refuses a write that recorded nothing, so no path can change state unaudited.
    The API builds one per request (after checking permission), the CLI one per command.

    ``operator`` marks the platform's own operator (a command at the console, a scheduled task):
    trusted with what an administrator may do though no account is logged in. Said outright, so
    an anonymous web write (no user either: a sign-up, a guest's form) is never taken for one.
    """

    def __init__(self, session: Session, user: User | None, ctx: AuditContext, *, operator: bool = False) -> None:
        self.session = session
        self.user = user
        self.ctx = ctx
        self.operator = operator
        self._audited = 0

    @property
    def actor(self) -> User:
        if self.user is None:
            raise NotAuthenticated("log in or send an API key")
        return self.user

    def require_admin(self) -> None:
        """An administrator's write: the operator may, anyone else must be a logged-in administrator."""
        if not self.operator:
            require_admin(self.actor)

    def audit(self, action: AuditAction, object_type: str, object_id: object, **details: Any) -> None:
        append(self.session, self.ctx, action, object_type, object_id, **details)
        self._audited += 1

    def commit(self) -> None:
        if not self._audited:
            raise RuntimeError("a write must record an audit entry before it commits")
        self.session.commit()
