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
    """Ranked by fit, then tier, then Bayesian rating, each with its `reasons`. `ipc` (a section, class or
    subclass) ranks: agencies working in that field come first, the others follow. `service` keeps only
    agencies offering it; `region` (a GB/T 2260 name or code) only those of its province, and a city's own
    agencies rank higher. Tier D agencies are never proposed. 400 for an unknown region or IPC symbol."""
    return svc.recommend(session, ipc, service, region, limit)


@router.get("/agencies/{agency_id}",
            summary="One agency with its ratings and integrity record", response_model=schemas.AgencyProfileOut)
def get_agency(agency_id: DbId, session: SessionDep) -> schemas.AgencyProfileOut:
    """Anyone: the listing's fields plus `contact`, the score's `score_breakdown`, every integrity record
    (oldest first) and the 50 most recent reviews not held for moderation."""
    return svc.agency_profile(session, agency_id)


@router.post("/agencies",
             summary="Add an agency (admins)", status_code=status.HTTP_201_CREATED, response_model=schemas.AgencyOut)
def create_agency(body: schemas.AgencyIn, w: AdminWriterDep) -> schemas.AgencyOut:
    """Admins enter agencies from the official register; 409 when `licence_number` is taken. `province`
    and `city` are read as GB/T 2260 places (400 for an unknown one, or a city outside the province);
    `ipc_subclasses` are subclasses such as H04W (400 for a whole section or class)."""
    return svc.create_agency(w, body)


@router.patch("/agencies/{agency_id}",
              summary="Update an agency's profile (its verified account or admins)", response_model=schemas.AgencyOut)
def update_agency(agency_id: DbId, body: schemas.AgencyPatch, w: WriterDep) -> schemas.AgencyOut:
    """Only the agency's verified account (whose claim an admin approved) or an admin (403). Fields left
    out or null stay as they are; a new `province` or `city` is checked against the other (400)."""
    return svc.update_agency(w, agency_id, body)


@router.post("/agencies/{agency_id}/claims",
             summary="Claim an agency as its account",
             status_code=status.HTTP_201_CREATED, response_model=schemas.ClaimOut)
def claim_agency(agency_id: DbId, body: schemas.TextIn, w: WriterDep) -> schemas.ClaimOut:
    """Any signed-in person claims an unclaimed profile, `text` being the evidence (409 once it is
    claimed). The claim stays `pending` until an admin decides it (`/agency-claims/{claim_id}/decide`)."""
    return svc.claim_agency(w, agency_id, body.text)


@router.post("/agency-claims/{claim_id}/decide", summary="Decide a claim (admins)", response_model=schemas.ClaimOut)
def decide_claim(claim_id: DbId, body: schemas.DecideIn, w: AdminWriterDep) -> schemas.ClaimOut:
    """`approve` true makes the claimant the agency's verified account (it then edits the profile,
    replies to reviews, confirms clients and objects to the tier) and rejects the agency's other pending
    claims; false rejects the claim. 409 when the claim is decided already, or (to approve it) when the
    agency has been claimed meanwhile."""
    return svc.decide_claim(w, claim_id, body.approve)


@router.post("/agencies/{agency_id}/reviews",
             summary="Review an agency you engaged", status_code=status.HTTP_201_CREATED,
             response_model=schemas.ReviewCreatedOut)
def review_agency(agency_id: DbId, body: schemas.ReviewIn, w: WriterDep,
                  search: SearchServiceDep) -> schemas.ReviewCreatedOut:
    """One review per person and agency (409 for a second: edit it on the agency's page); the agency's
    own account may not review it (403). `linked_pn`, a patent the agency handled for you, makes the
    review `verified` when the corpus names the agency as its agent. Five or more reviews of an agency
    within 24 h from accounts under a week old, or from one network, are held: neither shown nor counted."""
    return svc.review_agency(w, agency_id, body, search)


@router.post("/reviews/{review_id}/reply",
             summary="The agency replies to a review", response_model=schemas.ReviewReplyOut)
def reply_review(review_id: DbId, body: schemas.TextIn, w: WriterDep) -> schemas.ReviewReplyOut:
    """Only the reviewed agency's verified account or an admin (403); once per review (409 after)."""
    return svc.reply_to_review(w, review_id, body.text)


@router.post("/reviews/{review_id}/confirm",
             summary="The agency confirms a reviewer was its client", response_model=schemas.ReviewConfirmedOut)
def confirm_review(review_id: DbId, w: WriterDep) -> schemas.ReviewConfirmedOut:
    """Only the reviewed agency's verified account or an admin (403): the review becomes `verified`."""
    return svc.confirm_engagement(w, review_id)


@router.post("/reviews/{review_id}/flag", summary="Flag a review", response_model=schemas.ReviewFlagOut)
def flag_review(review_id: DbId, w: WriterDep) -> schemas.ReviewFlagOut:
    """Any signed-in person but its author (400); one flag each. Three flags from different people hold
    the review: it is no longer shown nor counted in the agency's rating until a moderator decides."""
    return svc.flag_review(w, review_id)


@router.post("/reviews/{review_id}/release",
             summary="Release a flagged review (moderators)", response_model=schemas.ReviewReleaseOut)
def release_review(review_id: DbId, body: schemas.ReleaseIn, w: ModeratorWriterDep) -> schemas.ReviewReleaseOut:
    """Moderators and admins. By default the review is shown and counted again, its flags cleared;
    with `keep_held` true it is put (or kept) on hold. The agency's rating follows at once."""
    return svc.release_review(w, review_id, body.keep_held)


@router.post("/agencies/{agency_id}/integrity",
             summary="Add an integrity record (admins)", status_code=status.HTTP_201_CREATED,
             response_model=schemas.IntegrityAddedOut)
def add_integrity(agency_id: DbId, body: schemas.RecordIn, w: AdminWriterDep) -> schemas.IntegrityAddedOut:
    """Admins only. A `sanction` or `complaint_upheld` deducts its `points` from the agency's score, a
    `commendation` adds them (10 at most in all); `occurred_on` may not be in the future. The score and
    tier are recomputed at once: the answer holds them."""
    return svc.add_integrity_record(w, agency_id, body)


@router.post("/agencies/{agency_id}/objections",
             summary="Object to an agency's tier", status_code=status.HTTP_201_CREATED,
             response_model=schemas.ObjectionOut)
def object_tier(agency_id: DbId, body: schemas.TextIn, w: WriterDep) -> schemas.ObjectionOut:
    """Only the agency's verified account or an admin (403). A moderator answers the objection
    (`/objections/{objection_id}/answer`)."""
    return svc.object_to_tier(w, agency_id, body.text)


@router.post("/objections/{objection_id}/answer",
             summary="Answer a tier objection (moderators)", response_model=schemas.ObjectionAnswerOut)
def answer_objection(objection_id: DbId, body: schemas.TextIn, w: ModeratorWriterDep) -> schemas.ObjectionAnswerOut:
    """Moderators and admins; an objection is answered once (409 after)."""
    return svc.answer_objection(w, objection_id, body.text)
