"""Agency directory tables."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Enum, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

import core.accounts.models  # noqa: F401 - registers "users" for the foreign keys
from community.agencies.scoring import K_PRIOR, NEUTRAL_RATING, Tier
from core.db import Base, Row, UTCDateTime, utcnow

__all__ = ["Tier"]  # re-exported: the tier column's enum


class ServiceType(enum.StrEnum):
    patent = "patent"
    trademark = "trademark"
    copyright = "copyright"
    law = "law"


class ClaimStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class RecordKind(enum.StrEnum):
    sanction = "sanction"
    complaint_upheld = "complaint_upheld"
    commendation = "commendation"


class Agency(Row):
    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(String(300), index=True)
    licence_number: Mapped[str] = mapped_column(String(60), unique=True)
    province: Mapped[str] = mapped_column(String(60), default="")  # display name (English) of province_code
    city: Mapped[str] = mapped_column(String(60), default="")  # display name (English) of city_code
    province_code: Mapped[str | None] = mapped_column(String(6), index=True)  # GB/T 2260, e.g. 440000
    city_code: Mapped[str | None] = mapped_column(String(6), index=True)  # GB/T 2260 prefecture, e.g. 440300
    service_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    ipc_subclasses: Mapped[list[str]] = mapped_column(JSON, default=list)  # expertise, e.g. ["H04W"]
    ipc_sections: Mapped[list[str]] = mapped_column(JSON, default=list)  # the sections of ipc_subclasses
    practitioners: Mapped[int] = mapped_column(Integer, default=0)
    founded_year: Mapped[int | None] = mapped_column(Integer)
    contact: Mapped[str] = mapped_column(String(300), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the claimed agency account
    rating_mean: Mapped[float | None] = mapped_column(Float)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)
    bayes: Mapped[float] = mapped_column(Float, default=NEUTRAL_RATING)
    score: Mapped[float] = mapped_column(Float, default=100.0)
    tier: Mapped[Tier] = mapped_column(Enum(Tier, native_enum=False, length=10, validate_strings=True,
                                            values_callable=lambda tiers: [t.value for t in tiers]),
                                       default=Tier.not_rated)
    prior_version: Mapped[int | None] = mapped_column(Integer)  # the RatingPrior version rating it
    breakdown: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RatingPrior(Base):
    """The one prior every agency's Bayesian rating uses (a single row, ``id`` 1); ``version`` counts
    its recomputations, and each agency records the version it was rated under."""

    __tablename__ = "agency_rating_prior"

    id: Mapped[int] = mapped_column(primary_key=True)
    mean: Mapped[float] = mapped_column(Float, default=NEUTRAL_RATING)
    k: Mapped[int] = mapped_column(Integer, default=K_PRIOR)
    reviews: Mapped[int] = mapped_column(Integer, default=0)  # counted reviews the mean was taken over
    version: Mapped[int] = mapped_column(Integer, default=1)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AgencyRow:
    """A row about one agency (a claim, review, integrity record, objection): deleted with the
    agency, looked up by it, stamped when created."""

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AgencyClaim(AgencyRow, Base):
    __tablename__ = "agency_claims"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    evidence: Mapped[str] = mapped_column(Text)
    status: Mapped[ClaimStatus] = mapped_column(Enum(ClaimStatus, native_enum=False, length=10),
                                                default=ClaimStatus.pending)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Review(AgencyRow, Base):
    __tablename__ = "agency_reviews"
    __table_args__ = (UniqueConstraint("agency_id", "author_id", "engagement_ref"),)

    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    engagement_ref: Mapped[str] = mapped_column(String(100))
    professionalism: Mapped[int] = mapped_column(Integer)
    responsiveness: Mapped[int] = mapped_column(Integer)
    cost_transparency: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    linked_pn: Mapped[str | None] = mapped_column(String(40))
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    held: Mapped[bool] = mapped_column(Boolean, default=False)
    hold_reason: Mapped[str | None] = mapped_column(String(300))
    flags: Mapped[list[int]] = mapped_column(JSON, default=list)
    reply: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    client_network: Mapped[str | None] = mapped_column(String(64))

    def hold(self, reason: str) -> bool:
        """Keep the review but stop showing and counting it until a moderator decides."""
        if self.held:
            return False
        self.held, self.hold_reason = True, reason
        return True

    @property
    def stars(self) -> float:
        return (self.professionalism + self.responsiveness + self.cost_transparency + self.outcome) / 4


class IntegrityRecord(AgencyRow, Base):
    __tablename__ = "integrity_records"

    kind: Mapped[RecordKind] = mapped_column(Enum(RecordKind, native_enum=False, length=20))
    points: Mapped[float] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(300))
    occurred_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class Objection(AgencyRow, Base):
    """An agency's objection to its tier; moderators must answer."""

    __tablename__ = "tier_objections"

    filed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
