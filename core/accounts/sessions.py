"""Browser sessions of the portal: a random token in an HttpOnly cookie, only its hash stored.

Logging out revokes the row, so a copied cookie is worthless afterwards; each session has its
own CSRF secret, so a token taken from one session does not work in another.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from core.accounts.models import User
from core.audit import AuditAction, Writer
from core.db import Row, UTCDateTime, utcnow

SESSION_DAYS = 14


class WebSession(Row):
    """A logged-in browser; ``token_hash`` is SHA-256 of the cookie value."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(w: Writer, user_id: int) -> str:
    """Start a session for an authenticated user; return the cookie value."""
    token = secrets.token_urlsafe(32)
    row = WebSession(token_hash=_hash(token), user_id=user_id, csrf_secret=secrets.token_hex(32),
                     expires_at=utcnow() + timedelta(days=SESSION_DAYS))
    w.session.add(row)
    w.session.flush()
    w.ctx.actor_id = user_id
    w.audit(AuditAction.session_open, "web_session", row.id)
    w.commit()
    return token


def find_session(session: Session, token: str | None) -> tuple[WebSession, User] | None:
    """The live session and its user for a cookie value; None when unknown, expired, revoked or disabled."""
    if not token or len(token) > 200:
        return None
    row = session.scalar(select(WebSession).where(WebSession.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    user = session.get(User, row.user_id)
    return (row, user) if user is not None and user.is_active else None


def close_session(w: Writer, row: WebSession) -> None:
    row.revoked_at = utcnow()
    w.audit(AuditAction.session_close, "web_session", row.id)
    w.commit()


def close_sessions_of(session: Session, user_id: int, keep: int | None = None) -> int:
    """Sign every browser of an account out but ``keep`` (its password changed); how many were
    signed in. The caller audits the change that asked for it."""
    open_ones = [WebSession.user_id == user_id, WebSession.revoked_at.is_(None), WebSession.expires_at > utcnow()]
    if keep is not None:
        open_ones.append(WebSession.id != keep)
    closed = session.scalars(update(WebSession).where(*open_ones).values(revoked_at=utcnow())
                             .returning(WebSession.id))
    return len(closed.all())


def csrf_token(secret: str, scope: str) -> str:
    """The token forms carry: an HMAC of the session's (or anonymous cookie's) secret."""
    return hmac.new(secret.encode(), f"csrf:{scope}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret: str, scope: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(secret, scope), presented or "")
