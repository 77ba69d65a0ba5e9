"""What the admin console reads about agencies: claims waiting for a decision (with the agency and
the claimant named), the agencies an integrity record may be entered for, and the latest records.
Admins only. The decisions and the records themselves are written by ``service.decide_claim`` and
``service.add_integrity_record``."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from community.agencies.models import Agency, AgencyClaim, ClaimStatus, IntegrityRecord, RecordKind, Tier
from core.accounts.models import User
from core.accounts.permissions import require_admin

LISTED = 1000
RECENT_RECORDS = 20


class PendingClaimOut(BaseModel):
    id: int
    agency_id: int
    agency_name: str
    claimant_email: str
    claimant_name: str
    evidence: str
    created_at: datetime


class AgencyChoice(BaseModel):
    id: int
    name: str
    licence_number: str
    tier: Tier


class RecentRecordOut(BaseModel):
    id: int
    agency_id: int
    agency_name: str
    kind: RecordKind
    points: float
    source: str
    occurred_on: date
    created_at: datetime


def pending_claims(session: Session, actor: User) -> list[PendingClaimOut]:
    """Claims waiting for an admin, oldest first."""
    require_admin(actor)
    rows = session.execute(
        select(AgencyClaim, Agency.name, User.email, User.display_name)
        .join(Agency, Agency.id == AgencyClaim.agency_id).join(User, User.id == AgencyClaim.user_id)
        .where(AgencyClaim.status == ClaimStatus.pending).order_by(AgencyClaim.id).limit(LISTED))
    return [PendingClaimOut(id=c.id, agency_id=c.agency_id, agency_name=name, claimant_email=email,
                            claimant_name=display, evidence=c.evidence, created_at=c.created_at)
            for c, name, email, display in rows]


def pending_claim_count(session: Session, actor: User) -> int:
    require_admin(actor)
    return session.scalar(select(func.count()).where(AgencyClaim.status == ClaimStatus.pending)) or 0


def agency_choices(session: Session, actor: User) -> list[AgencyChoice]:
    """Agencies by name (the first ``LISTED``), for the integrity record form."""
    require_admin(actor)
    rows = session.scalars(select(Agency).order_by(Agency.name, Agency.id).limit(LISTED))
    return [_choice(a) for a in rows]


def agency_choice(session: Session, actor: User, agency_id: int) -> AgencyChoice | None:
    """One agency as the console names it (the one just added), or None when there is none."""
    require_admin(actor)
    agency = session.get(Agency, agency_id)
    return _choice(agency) if agency else None


def _choice(agency: Agency) -> AgencyChoice:
    return AgencyChoice(id=agency.id, name=agency.name, licence_number=agency.licence_number, tier=agency.tier)


def recent_records(session: Session, actor: User) -> list[RecentRecordOut]:
    """The integrity records entered last, newest first."""
    require_admin(actor)
    rows = session.execute(select(IntegrityRecord, Agency.name).join(Agency, Agency.id == IntegrityRecord.agency_id)
                           .order_by(IntegrityRecord.id.desc()).limit(RECENT_RECORDS))
    return [RecentRecordOut(id=r.id, agency_id=r.agency_id, agency_name=name, kind=r.kind, points=r.points,
                            source=r.source, occurred_on=r.occurred_on, created_at=r.created_at) for r, name in rows]
