"""Directory operations: claims, reviews (with burst detection), integrity records, tiers,
objections, recommendation. Callers own the transaction; permission checks live here."""

from __future__ import annotations

import ipaddress
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from community.agencies.models import (
    Agency,
    AgencyClaim,
    ClaimStatus,
    IntegrityRecord,
    Objection,
    RecordKind,
    Review,
    ServiceType,
)
from community.agencies.scoring import TIER_ORDER, bayesian, credit
from core.accounts.models import Role, User
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied

BURST_WINDOW = timedelta(hours=24)
BURST_SIZE = 5  # this many reviews for one agency from fresh accounts or one network in the window
FRESH_ACCOUNT = timedelta(days=7)
FLAGS_TO_HOLD = 3


class AgencyIn(BaseModel):
    name: str = Field(min_length=2, max_length=300)
    licence_number: str = Field(min_length=3, max_length=60)
    province: str = Field(default="", max_length=60)
    city: str = Field(default="", max_length=60)
    service_types: list[ServiceType] = Field(default_factory=list)
    ipc_sections: list[str] = Field(default_factory=list)
    practitioners: int = Field(default=0, ge=0)
    founded_year: int | None = Field(default=None, ge=1900, le=2100)
    contact: str = Field(default="", max_length=300)


class ReviewIn(BaseModel):
    engagement_ref: str = Field(min_length=1, max_length=100, description="Your case, matter or invoice reference")
    professionalism: int = Field(ge=1, le=5)
    responsiveness: int = Field(ge=1, le=5)
    cost_transparency: int = Field(ge=1, le=5)
    outcome: int = Field(ge=1, le=5)
    text: str = Field(default="", max_length=5000)
    linked_pn: str | None = Field(default=None, max_length=40)


class RecordIn(BaseModel):
    kind: RecordKind
    points: float = Field(ge=0, le=100)
    description: str = Field(min_length=3, max_length=5000)
    source: str = Field(min_length=3, max_length=300)
    occurred_on: date
    evidence: list[str] = Field(default_factory=list, max_length=20)


def get_agency(session: Session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise NotFound(f"agency {agency_id} not found")
    return agency


def require_owner_or_admin(agency: Agency, user: User) -> None:
    if user.role != Role.admin and agency.owner_id != user.id:
        raise PermissionDenied("only the agency's verified account or an admin may do this")


def create_agency(session: Session, body: AgencyIn) -> Agency:
    if session.scalar(select(Agency.id).where(Agency.licence_number == body.licence_number)) is not None:
        raise Conflict(f"an agency with licence {body.licence_number} exists")
    sections = sorted({s.strip().upper()[:1] for s in body.ipc_sections if s.strip()})
    if any(s not in "ABCDEFGH" for s in sections):
        raise InvalidInput("IPC sections are letters A-H")
    agency = Agency(**body.model_dump(exclude={"service_types", "ipc_sections"}),
                    service_types=[s.value for s in body.service_types], ipc_sections=sections)
    session.add(agency)
    session.flush()
    recompute(session, agency)
    return agency


# --- claims ------------------------------------------------------------------------------

def claim(session: Session, agency: Agency, user: User, evidence: str) -> AgencyClaim:
    if agency.owner_id is not None:
        raise Conflict("this profile is already claimed")
    row = AgencyClaim(agency_id=agency.id, user_id=user.id, evidence=evidence)
    session.add(row)
    session.flush()
    return row


def decide_claim(session: Session, claim_id: int, admin: User, approve: bool) -> AgencyClaim:
    if admin.role != Role.admin:
        raise PermissionDenied("only admins verify agency claims")
    row = session.get(AgencyClaim, claim_id)
    if row is None:
        raise NotFound(f"claim {claim_id} not found")
    if row.status != ClaimStatus.pending:
        raise Conflict("the claim is already decided")
    row.status, row.decided_by = (ClaimStatus.approved if approve else ClaimStatus.rejected), admin.id
    if approve:
        agency = get_agency(session, row.agency_id)
        if agency.owner_id is not None:
            raise Conflict("this profile is already claimed")
        agency.owner_id = row.user_id
    session.flush()
    return row


# --- reviews -----------------------------------------------------------------------------

def _network(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip  # test clients and proxies name themselves
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def add_review(session: Session, agency: Agency, author: User, body: ReviewIn, client_ip: str | None,
               agent_names_of: Any = None) -> Review:
    """One review per author and engagement; the agency's own account cannot review itself.

    ``agent_names_of(pn)`` returns the agents named on a patent: a review linking a patent the
    agency handled is a verified engagement.
    """
    if agency.owner_id == author.id:
        raise PermissionDenied("an agency cannot review itself")
    exists = session.scalar(select(Review.id).where(Review.agency_id == agency.id, Review.author_id == author.id,
                                                    Review.engagement_ref == body.engagement_ref))
    if exists is not None:
        raise Conflict("you already reviewed this engagement")
    review = Review(agency_id=agency.id, author_id=author.id, client_network=_network(client_ip),
                    **body.model_dump())
    if body.linked_pn and agent_names_of is not None:
        names = " ".join(agent_names_of(body.linked_pn)).lower()
        review.verified = bool(names) and agency.name.lower()[:20] in names
    session.add(review)
    session.flush()
    _hold_bursts(session, agency, review)
    recompute(session, agency)
    return review


def _hold_bursts(session: Session, agency: Agency, review: Review) -> None:
    """Hold (never delete) a burst: >= 5 reviews in 24 h from fresh accounts or one network."""
    since = utcnow() - BURST_WINDOW
    recent = session.execute(select(Review, User.created_at).join(User, User.id == Review.author_id).where(
        Review.agency_id == agency.id, Review.created_at >= since)).all()
    fresh = [r for r, created in recent if created is not None and r.created_at - created < FRESH_ACCOUNT]
    same_net = [r for r, _ in recent if review.client_network and r.client_network == review.client_network]
    for group, why in ((fresh, "burst of reviews from new accounts"), (same_net, "burst of reviews from one network")):
        if len(group) >= BURST_SIZE:
            for r in group:
                if not r.held:
                    r.held, r.hold_reason = True, why


def confirm_engagement(session: Session, review: Review, user: User) -> Review:
    agency = get_agency(session, review.agency_id)
    require_owner_or_admin(agency, user)
    review.verified = True
    session.flush()
    return review


def reply(session: Session, review: Review, user: User, text: str) -> Review:
    agency = get_agency(session, review.agency_id)
    require_owner_or_admin(agency, user)
    if review.reply is not None:
        raise Conflict("the agency has already replied to this review")
    review.reply, review.replied_at = text, utcnow()
    session.flush()
    return review


def flag(session: Session, review: Review, user: User) -> Review:
    if user.id == review.author_id:
        raise InvalidInput("you cannot flag your own review")
    if user.id not in review.flags:
        review.flags = [*review.flags, user.id]
    if len(review.flags) >= FLAGS_TO_HOLD and not review.held:
        review.held, review.hold_reason = True, f"flagged by {len(review.flags)} users"
        recompute(session, get_agency(session, review.agency_id))
    session.flush()
    return review


def release(session: Session, review: Review, moderator: User, keep_held: bool) -> Review:
    if moderator.role not in (Role.moderator, Role.admin):
        raise PermissionDenied("only moderators release held reviews")
    review.held = keep_held
    review.hold_reason = review.hold_reason if keep_held else None
    recompute(session, get_agency(session, review.agency_id))
    session.flush()
    return review


# --- integrity, tiers, objections ------------------------------------------------------------

def add_record(session: Session, agency: Agency, admin: User, body: RecordIn) -> IntegrityRecord:
    if admin.role != Role.admin:
        raise PermissionDenied("only admins enter integrity records")
    row = IntegrityRecord(agency_id=agency.id, created_by=admin.id, **body.model_dump())
    session.add(row)
    session.flush()
    recompute(session, agency)
    return row


def prior_mean(session: Session) -> float:
    """The platform-wide mean of the criteria means of counted reviews (3.0 before any review)."""
    value = session.scalar(select(func.avg((Review.professionalism + Review.responsiveness +
                                            Review.cost_transparency + Review.outcome) / 4.0))
                           .where(Review.held.is_(False)))
    return float(value) if value is not None else 3.0


def recompute(session: Session, agency: Agency, mu_all: float | None = None) -> Agency:
    reviews = session.scalars(select(Review).where(Review.agency_id == agency.id, Review.held.is_(False))).all()
    mean = sum(r.stars for r in reviews) / len(reviews) if reviews else None
    agency.rating_mean = round(mean, 3) if mean is not None else None
    agency.rating_count = len(reviews)
    agency.bayes = round(bayesian(mean, len(reviews), mu_all if mu_all is not None else prior_mean(session)), 4)
    records = session.scalars(select(IntegrityRecord).where(IntegrityRecord.agency_id == agency.id)).all()
    deductions = [(f"{r.kind.value}: {r.description[:80]}", r.points) for r in records
                  if r.kind != RecordKind.commendation]
    bonus = [r.points for r in records if r.kind == RecordKind.commendation]
    breakdown = credit(deductions, bonus, agency.bayes)
    agency.score, agency.tier, agency.breakdown = breakdown.score, breakdown.tier, breakdown.as_dict()
    session.flush()
    return agency


def recompute_all(session: Session) -> int:
    mu = prior_mean(session)
    count = 0
    for agency in session.scalars(select(Agency)):
        recompute(session, agency, mu)
        count += 1
    return count


def object_to_tier(session: Session, agency: Agency, user: User, text: str) -> Objection:
    require_owner_or_admin(agency, user)
    row = Objection(agency_id=agency.id, filed_by=user.id, text=text)
    session.add(row)
    session.flush()
    return row


def answer_objection(session: Session, objection_id: int, moderator: User, text: str) -> Objection:
    if moderator.role not in (Role.moderator, Role.admin):
        raise PermissionDenied("only moderators answer objections")
    row = session.get(Objection, objection_id)
    if row is None:
        raise NotFound(f"objection {objection_id} not found")
    if row.answer is not None:
        raise Conflict("the objection is already answered")
    row.answer, row.answered_by, row.answered_at = text, moderator.id, utcnow()
    session.flush()
    return row


# --- recommendation ----------------------------------------------------------------------------

def recommend(session: Session, ipc: str | None, service: ServiceType | None, region: str | None,
              limit: int = 10) -> list[dict[str, Any]]:
    """Rank by fit (field, service, region), then tier, then Bayesian rating; say why."""
    section = ipc.strip().upper()[:1] if ipc else None
    ranked: list[tuple[float, int, float, str, dict[str, Any]]] = []
    for agency in session.scalars(select(Agency)):
        fit = 0.0
        why: list[str] = []
        if section:
            if section in agency.ipc_sections:
                fit, why = fit + 2, [*why, f"works in IPC section {section}"]
            else:
                continue
        if service:
            if service.value in agency.service_types:
                fit, why = fit + 1, [*why, f"offers {service.value} services"]
            else:
                continue
        if region and region in (agency.province, agency.city):
            fit, why = fit + 0.5, [*why, f"based in {region}"]
        why += [f"tier {agency.tier} (score {agency.score})",
                f"rating {agency.bayes:.2f} (Bayesian, {agency.rating_count} reviews)"]
        item = {"agency_id": agency.id, "name": agency.name, "fit": fit, "tier": agency.tier,
                "rating": agency.bayes, "reasons": why}
        ranked.append((-fit, TIER_ORDER[agency.tier], -agency.bayes, agency.name, item))
    ranked.sort(key=lambda r: r[:4])
    return [r[4] for r in ranked[:limit]]
