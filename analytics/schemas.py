"""Pydantic models of analytics at the boundary (API, pages): reports, subscriptions, alerts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from analytics.models import ReportStatus, Severity
from analytics.rules import RulesConfig
from core.db import RowOut


class ReportFormat(StrEnum):
    """The files of a generated report."""

    html = "html"
    pdf = "pdf"
    json = "json"

    @property
    def media_type(self) -> str:
        return {"html": "text/html", "pdf": "application/pdf", "json": "application/json"}[self.value]


class ReportOut(RowOut):
    id: int
    scope: str
    query: str
    lang: str
    version: int
    status: ReportStatus
    params: dict[str, Any]
    load_runs: list[int]
    error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    links: dict[str, str] = Field(default={}, description="the report itself and, once done, its files")

    @property
    def late(self) -> bool:
        """Still queued QUEUED_LATE after it was asked for: no worker seems to be taking jobs."""
        asked = self.created_at if self.created_at.tzinfo else self.created_at.replace(tzinfo=dt.UTC)
        return self.status is ReportStatus.queued and dt.datetime.now(dt.UTC) - asked > QUEUED_LATE


QUEUED_LATE = dt.timedelta(minutes=2)


class ReportFile(BaseModel):
    """One file of a generated report, ready to send."""

    content: bytes
    media_type: str
    filename: str | None = Field(default=None, description="set when the file is meant to be downloaded")


class SubscriptionOut(RowOut):
    id: int
    user_id: int
    org_id: int | None
    scope: str
    home_country: str
    watched: list[str]
    product_keywords: list[str]
    rules: RulesConfig
    alerts: bool
    monthly_report: bool
    lang: str
    created_at: dt.datetime


class AlertOut(RowOut):
    id: int
    subscription_id: int
    rule: str
    severity: Severity
    title: str
    evidence: dict[str, Any]
    created_at: dt.datetime
