"""Analytics records: user-defined scopes, subscriptions (alerts and monthly reports), alerts with
their deliveries, and the report archive (every version kept)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" and "organisations" for the foreign keys
from core.db import Row, UTCDateTime, utcnow


class Severity(enum.StrEnum):
    """How urgent an early-warning alert is."""

    red = "red"
    yellow = "yellow"


class CustomScope(Row):
    """An industry scope a user or association defined (the built-in ones live in code)."""

    __tablename__ = "analytics_scopes"

    key: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    query: Mapped[str] = mapped_column(Text)
    branches: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Subscription(Row):
    """A user's (or an association's) watch on a scope: early-warning alerts, monthly reports."""

    __tablename__ = "analytics_subscriptions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(60))
    home_country: Mapped[str] = mapped_column(String(2), default="CN")
    watched: Mapped[list[str]] = mapped_column(JSON, default=list)  # harmonised competitor names
    product_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # overrides of analytics.rules.RulesConfig
    alerts: Mapped[bool] = mapped_column(Boolean, default=True)
    monthly_report: Mapped[bool] = mapped_column(Boolean, default=False)
    lang: Mapped[str] = mapped_column(String(5), default="en")
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    last_report_month: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Alert(Row):
    __tablename__ = "analytics_alerts"
    __table_args__ = (UniqueConstraint("subscription_id", "fingerprint"),)

    subscription_id: Mapped[int] = mapped_column(ForeignKey("analytics_subscriptions.id", ondelete="CASCADE"),
                                                 index=True)
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[Severity] = mapped_column(Enum(Severity, native_enum=False, length=10))
    fingerprint: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AlertDelivery(Row):
    """One row per user and alert fingerprint: a user hears of an alert once, however many of
    their subscriptions (own or their association's) raise it."""

    __tablename__ = "analytics_alert_deliveries"
    __table_args__ = (UniqueConstraint("user_id", "fingerprint"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    alert_id: Mapped[int] = mapped_column(ForeignKey("analytics_alerts.id", ondelete="CASCADE"))
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


class Report(Row):
    """One generated report version; nothing is overwritten."""

    __tablename__ = "analytics_reports"

    scope: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lang: Mapped[str] = mapped_column(String(5))
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[ReportStatus] = mapped_column(Enum(ReportStatus, native_enum=False, length=10),
                                                 default=ReportStatus.queued)
    requested_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subscription_id: Mapped[int | None] = mapped_column(ForeignKey("analytics_subscriptions.id",
                                                                   ondelete="SET NULL"))
    load_runs: Mapped[list[int]] = mapped_column(JSON, default=list)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    html: Mapped[str | None] = mapped_column(Text)
    pdf: Mapped[bytes | None] = mapped_column(LargeBinary)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON)
