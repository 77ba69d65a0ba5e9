"""Account tables."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import Row, UTCDateTime, utcnow


class Role(enum.StrEnum):
    """Platform-wide roles. ``org_admin`` is a role inside an organisation (see Membership)."""

    admin = "admin"
    moderator = "moderator"
    member = "member"


class OrgRole(enum.StrEnum):
    """A member's role inside one organisation; org admins add members and share collections."""

    org_admin = "org_admin"
    member = "member"


class OrgKind(enum.StrEnum):
    """Who an organisation is: it decides which parts of the portal its members see first."""

    sme = "sme"
    association = "association"
    agency = "agency"
    government = "government"


class User(Row):
    """An account; ``password_hash`` is argon2id, never the password."""

    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20), default=Role.member)
    language: Mapped[str | None] = mapped_column(String(8))  # the portal's language; None: from the browser
    email_notifications: Mapped[bool] = mapped_column(default=True, server_default=true())
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan")


class Organisation(Row):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrgKind] = mapped_column(Enum(OrgKind, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="org", cascade="all, delete-orphan")


class Membership(Row):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "org_id"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    role: Mapped[OrgRole] = mapped_column(Enum(OrgRole, native_enum=False, length=20), default=OrgRole.member)

    user: Mapped[User] = relationship(back_populates="memberships")
    org: Mapped[Organisation] = relationship(back_populates="memberships")


class ApiKey(Row):
    """A machine client's key. Only its SHA-256 is stored; ``prefix`` finds the row."""

    __tablename__ = "api_keys"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)

    user: Mapped[User] = relationship()
