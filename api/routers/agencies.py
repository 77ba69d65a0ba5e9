"""IP agency directory: anonymous read; members review and claim; agency accounts reply and edit
their profile; moderators moderate; admins verify claims and enter integrity records."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import SessionDep, Writer, WriterDep, get_platform, role_writer
from community.agencies import service as svc
from community.agencies.models import Agency, IntegrityRecord, Review, ServiceType
from core.accounts.models import Role
from core.errors import NotFound

router = APIRouter(prefix="/api/v1", tags=["agencies"])
AdminWriter = Annotated[Writer, Depends(role_writer(Role.admin))]
ModeratorWriter = Annotated[Writer, Depends(role_writer(Role.moderator))]


class TextIn(BaseModel):
    text: str = Field(min_length=1, max_length=5000)


class DecideIn(BaseModel):
    approve: bool


class ReleaseIn(BaseModel):
    keep_held: bool = False


class AgencyPatch(BaseModel):
    province: str | None = Field(default=None, max_length=60)
    city: str | None = Field(default=None, max_length=60)
    service_types: list[ServiceType] | None = None
    practitioners: int | None = Field(default=None, ge=0)
    contact: str | None = Field(default=None, max_length=300)


def _agency_out(session: SessionDep, a: Agency, detail: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": a.id, "name": a.name, "licence_number": a.licence_number, "province": a.province, "city": a.city,
        "service_types": a.service_types, "ipc_sections": a.ipc_sections, "practitioners": a.practitioners,
        "founded_year": a.founded_year, "claimed": a.owner_id is not None, "tier": a.tier, "score": a.score,
        "rating": a.bayes, "rating_count": a.rating_count}
    if detail:
        out["score_breakdown"] = a.breakdown
        out["contact"] = a.contact
        out["integrity_records"] = [
            {"kind": r.kind.value, "points": r.points, "description": r.description, "source": r.source,
             "occurred_on": r.occurred_on, "evidence": r.evidence}
            for r in session.scalars(select(IntegrityRecord).where(IntegrityRecord.agency_id == a.id)
                                     .order_by(IntegrityRecord.occurred_on))]
        out["reviews"] = [
            {"id": r.id, "stars": r.stars, "text": r.text, "verified": r.verified, "reply": r.reply,
             "created_at": r.created_at}
            for r in session.scalars(select(Review).where(Review.agency_id == a.id, Review.held.is_(False))
                                     .order_by(Review.id.desc()).limit(50))]
    return out


def _review(session: SessionDep, review_id: int) -> Review:
    r = session.get(Review, review_id)
    if r is None:
        raise NotFound(f"review {review_id} not found")
    return r


@router.get("/agencies")
def list_agencies(session: SessionDep, q: Annotated[str, Query(max_length=100)] = "",
                  province: str | None = None, service: ServiceType | None = None,
                  limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[dict[str, Any]]:
    """Ranked by Bayesian rating (never the raw mean), then score."""
    stmt = select(Agency)
    if q:
        stmt = stmt.where(Agency.name.ilike(f"%{q.replace('%', '').replace('_', '')}%"))
    if province:
        stmt = stmt.where(Agency.province == province)
    stmt = stmt.order_by(Agency.bayes.desc(), Agency.score.desc(), Agency.id)
    if service is None:
        return [_agency_out(session, a) for a in session.scalars(stmt.limit(limit))]
    out: list[dict[str, Any]] = []  # service types are a JSON list: filter while streaming, stop at the limit
    for agency in session.scalars(stmt.execution_options(yield_per=200)):
        if service.value in agency.service_types:
            out.append(_agency_out(session, agency))
            if len(out) == limit:
                break
    return out


@router.get("/agencies/recommend")
def recommend(session: SessionDep, ipc: str | None = Query(default=None, max_length=20),
              service: ServiceType | None = None, region: str | None = Query(default=None, max_length=60),
              limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[dict[str, Any]]:
    return svc.recommend(session, ipc, service, region, limit)


@router.get("/agencies/{agency_id}")
def get_agency(agency_id: int, session: SessionDep) -> dict[str, Any]:
    return _agency_out(session, svc.get_agency(session, agency_id), detail=True)


@router.post("/agencies", status_code=status.HTTP_201_CREATED)
def create_agency(body: svc.AgencyIn, w: AdminWriter) -> dict[str, Any]:
    agency = svc.create_agency(w.session, body)
    w.audit("agency.create", "agency", agency.id, name=agency.name)
    w.commit()
    return _agency_out(w.session, agency)


@router.patch("/agencies/{agency_id}")
def update_agency(agency_id: int, body: AgencyPatch, w: WriterDep) -> dict[str, Any]:
    agency = svc.get_agency(w.session, agency_id)
    svc.require_owner_or_admin(agency, w.actor)
    changes = body.model_dump(exclude_unset=True)
    if "service_types" in changes:
        changes["service_types"] = [s.value for s in body.service_types or []]
    for key, value in changes.items():
        setattr(agency, key, value)
    w.audit("agency.update", "agency", agency.id, fields=sorted(changes))
    w.commit()
    return _agency_out(w.session, agency)


@router.post("/agencies/{agency_id}/claims", status_code=status.HTTP_201_CREATED)
def claim_agency(agency_id: int, body: TextIn, w: WriterDep) -> dict[str, Any]:
    row = svc.claim(w.session, svc.get_agency(w.session, agency_id), w.actor, body.text)
    w.audit("agency.claim", "agency", agency_id, claim_id=row.id)
    w.commit()
    return {"id": row.id, "status": row.status.value}


@router.post("/agency-claims/{claim_id}/decide")
def decide_claim(claim_id: int, body: DecideIn, w: AdminWriter) -> dict[str, Any]:
    row = svc.decide_claim(w.session, claim_id, w.actor, body.approve)
    w.audit("agency.claim.decide", "agency_claim", row.id, approved=body.approve)
    w.commit()
    return {"id": row.id, "status": row.status.value}


@router.post("/agencies/{agency_id}/reviews", status_code=status.HTTP_201_CREATED)
def review_agency(agency_id: int, body: svc.ReviewIn, request: Request, w: WriterDep) -> dict[str, Any]:
    backend = get_platform(request).search.backend

    def agents_of(pn: str) -> list[str]:
        record = backend.get(pn)
        return list(record.get("agents") or []) if record else []

    review = svc.add_review(w.session, svc.get_agency(w.session, agency_id), w.actor, body, w.ctx.client_ip,
                            agents_of)
    w.audit("agency.review", "review", review.id, agency_id=agency_id)
    w.commit()
    return {"id": review.id, "verified": review.verified, "held": review.held}


@router.post("/reviews/{review_id}/reply")
def reply_review(review_id: int, body: TextIn, w: WriterDep) -> dict[str, Any]:
    r = svc.reply(w.session, _review(w.session, review_id), w.actor, body.text)
    w.audit("agency.review.reply", "review", r.id)
    w.commit()
    return {"id": r.id, "reply": r.reply}


@router.post("/reviews/{review_id}/confirm")
def confirm_review(review_id: int, w: WriterDep) -> dict[str, Any]:
    r = svc.confirm_engagement(w.session, _review(w.session, review_id), w.actor)
    w.audit("agency.review.confirm", "review", r.id)
    w.commit()
    return {"id": r.id, "verified": r.verified}


@router.post("/reviews/{review_id}/flag")
def flag_review(review_id: int, w: WriterDep) -> dict[str, Any]:
    r = svc.flag(w.session, _review(w.session, review_id), w.actor)
    w.audit("agency.review.flag", "review", r.id)
    w.commit()
    return {"id": r.id, "flags": len(r.flags), "held": r.held}


@router.post("/reviews/{review_id}/release")
def release_review(review_id: int, body: ReleaseIn, w: ModeratorWriter) -> dict[str, Any]:
    r = svc.release(w.session, _review(w.session, review_id), w.actor, body.keep_held)
    w.audit("agency.review.release", "review", r.id, keep_held=body.keep_held)
    w.commit()
    return {"id": r.id, "held": r.held}


@router.post("/agencies/{agency_id}/integrity", status_code=status.HTTP_201_CREATED)
def add_integrity(agency_id: int, body: svc.RecordIn, w: AdminWriter) -> dict[str, Any]:
    agency = svc.get_agency(w.session, agency_id)
    row = svc.add_record(w.session, agency, w.actor, body)
    w.audit("agency.integrity", "agency", agency.id, record_id=row.id, kind=row.kind.value)
    w.commit()
    return {"id": row.id, "tier": agency.tier, "score": agency.score}


@router.post("/agencies/{agency_id}/objections", status_code=status.HTTP_201_CREATED)
def object_tier(agency_id: int, body: TextIn, w: WriterDep) -> dict[str, Any]:
    row = svc.object_to_tier(w.session, svc.get_agency(w.session, agency_id), w.actor, body.text)
    w.audit("agency.objection", "agency", agency_id, objection_id=row.id)
    w.commit()
    return {"id": row.id}


@router.post("/objections/{objection_id}/answer")
def answer_objection(objection_id: int, body: TextIn, w: ModeratorWriter) -> dict[str, Any]:
    row = svc.answer_objection(w.session, objection_id, w.actor, body.text)
    w.audit("agency.objection.answer", "objection", row.id)
    w.commit()
    return {"id": row.id, "answer": row.answer}
