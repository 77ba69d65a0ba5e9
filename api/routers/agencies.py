"""IP agency directory: anonymous read; members review and claim; agency accounts reply and edit
their profile; moderators moderate; admins verify claims and enter integrity records."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from api.deps import AdminWriterDep, ModeratorWriterDep, SearchServiceDep, SessionDep, WriterDep
from community.agencies import schemas
from community.agencies import service as svc
from community.agencies.models import ServiceType
from core.ids import DbId

router = APIRouter(prefix="/api/v1", tags=["agencies"])


@router.get("/agencies", summary="The directory of IP agencies", response_model=list[schemas.AgencyOut])
def list_agencies(session: SessionDep, q: Annotated[str, Query(max_length=100)] = "",
                  province: str | None = None, service: ServiceType | None = None,
                  limit: Annotated[int, Query(ge=1, le=100)] = 20) -> list[schemas.AgencyOut]:
    """Ranked by Bayesian rating (never the raw mean), then score."""
    return svc.list_agencies(session, q, province, service, limit)


@router.get("/agencies/recommend", summary="Agencies suited to a need", response_model=list[schemas.RecommendationOut])
def recommend(session: SessionDep, ipc: Annotated[str | None, Query(max_length=20)] = None,
              service: ServiceType | None = None,
              region: Annotated[str | None, Query(max_length=60)] = None,
              limit: Annotated[int, Query(ge=1, le=50)] = 10) -> list[schemas.RecommendationOut]:
    return svc.recommend(session, ipc, service, region, limit)


@router.get("/agencies/{agency_id}",
            summary="One agency with its ratings and integrity record", response_model=schemas.AgencyProfileOut)
def get_agency(agency_id: DbId, session: SessionDep) -> schemas.AgencyProfileOut:
    return svc.agency_profile(session, agency_id)


@router.post("/agencies",
             summary="Add an agency (admins)", status_code=status.HTTP_201_CREATED, response_model=schemas.AgencyOut)
def create_agency(body: schemas.AgencyIn, w: AdminWriterDep) -> schemas.AgencyOut:
    return svc.create_agency(w, body)


@router.patch("/agencies/{agency_id}",
              summary="Update an agency's profile (its staff or admins)", response_model=schemas.AgencyOut)
def update_agency(agency_id: DbId, body: schemas.AgencyPatch, w: WriterDep) -> schemas.AgencyOut:
    return svc.update_agency(w, agency_id, body)


@router.post("/agencies/{agency_id}/claims",
             summary="Claim an agency as its staff",
             status_code=status.HTTP_201_CREATED, response_model=schemas.ClaimOut)
def claim_agency(agency_id: DbId, body: schemas.TextIn, w: WriterDep) -> schemas.ClaimOut:
    return svc.claim_agency(w, agency_id, body.text)


@router.post("/agency-claims/{claim_id}/decide", summary="Decide a claim (admins)", response_model=schemas.ClaimOut)
def decide_claim(claim_id: DbId, body: schemas.DecideIn, w: AdminWriterDep) -> schemas.ClaimOut:
    return svc.decide_claim(w, claim_id, body.approve)


@router.post("/agencies/{agency_id}/reviews",
             summary="Review an agency you engaged", status_code=status.HTTP_201_CREATED,
             response_model=schemas.ReviewCreatedOut)
def review_agency(agency_id: DbId, body: schemas.ReviewIn, w: WriterDep,
                  search: SearchServiceDep) -> schemas.ReviewCreatedOut:
    return svc.review_agency(w, agency_id, body, search)


@router.post("/reviews/{review_id}/reply",
             summary="The agency replies to a review", response_model=schemas.ReviewReplyOut)
def reply_review(review_id: DbId, body: schemas.TextIn, w: WriterDep) -> schemas.ReviewReplyOut:
    return svc.reply_to_review(w, review_id, body.text)


@router.post("/reviews/{review_id}/confirm",
             summary="The agency confirms a reviewer was its client", response_model=schemas.ReviewConfirmedOut)
def confirm_review(review_id: DbId, w: WriterDep) -> schemas.ReviewConfirmedOut:
    return svc.confirm_engagement(w, review_id)


@router.post("/reviews/{review_id}/flag", summary="Flag a review", response_model=schemas.ReviewFlagOut)
def flag_review(review_id: DbId, w: WriterDep) -> schemas.ReviewFlagOut:
    return svc.flag_review(w, review_id)


@router.post("/reviews/{review_id}/release",
             summary="Release a flagged review (moderators)", response_model=schemas.ReviewReleaseOut)
def release_review(review_id: DbId, body: schemas.ReleaseIn, w: ModeratorWriterDep) -> schemas.ReviewReleaseOut:
    return svc.release_review(w, review_id, body.keep_held)


@router.post("/agencies/{agency_id}/integrity",
             summary="Add an integrity record (admins)", status_code=status.HTTP_201_CREATED,
             response_model=schemas.IntegrityAddedOut)
def add_integrity(agency_id: DbId, body: schemas.RecordIn, w: AdminWriterDep) -> schemas.IntegrityAddedOut:
    return svc.add_integrity_record(w, agency_id, body)


@router.post("/agencies/{agency_id}/objections",
             summary="Object to an agency's tier", status_code=status.HTTP_201_CREATED,
             response_model=schemas.ObjectionOut)
def object_tier(agency_id: DbId, body: schemas.TextIn, w: WriterDep) -> schemas.ObjectionOut:
    return svc.object_to_tier(w, agency_id, body.text)


@router.post("/objections/{objection_id}/answer",
             summary="Answer a tier objection (moderators)", response_model=schemas.ObjectionAnswerOut)
def answer_objection(objection_id: DbId, body: schemas.TextIn, w: ModeratorWriterDep) -> schemas.ObjectionAnswerOut:
    return svc.answer_objection(w, objection_id, body.text)
