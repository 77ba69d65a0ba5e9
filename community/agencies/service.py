"""Directory operations: listing and profiles, claims, reviews (with burst detection, flags, and
the moderators' queue of held or flagged ones), integrity records, tiers, objections, recommendation.

Reads take a session and return Out models. Writes take a ``Writer``: they check permission
before touching anything, change the rows, record one audit entry, commit and return an Out model.
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, String, case, cast, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from community.agencies.ipc import IPCLevel, IPCPrefix
from community.agencies.ipc import parse as parse_ipc
from community.agencies.ipc import sections as ipc_sections
from community.agencies.ipc import subclasses as ipc_subclasses
from community.agencies.models import (
    Agency,
    AgencyClaim,
    ClaimStatus,
    IntegrityRecord,
    Objection,
    RatingPrior,
    RecordKind,
    Review,
    ServiceType,
    Tier,
)
from community.agencies.schemas import (
    AgencyIn,
    AgencyOut,
    AgencyPageOut,
    AgencyPatch,
    AgencyProfileOut,
    ClaimOut,
    DirectoryOut,
    DirectoryQuery,
    IntegrityAddedOut,
    IntegrityRecordOut,
    IntegrityRecordView,
    ObjectionAnswerOut,
    ObjectionOut,
    ObjectionView,
    PublicReviewOut,
    RecommendationOut,
    RecommendedOut,
    RecordIn,
    ReviewConfirmedOut,
    ReviewCreatedOut,
    ReviewFlagOut,
    ReviewIn,
    ReviewQueueEntryOut,
    ReviewReleaseOut,
    ReviewReplyOut,
    ReviewSavedOut,
    ReviewShown,
    ReviewView,
)
from community.agencies.scoring import K_PRIOR, NEUTRAL_RATING, Evidence, Prior, rate
from community.flags import flag_and_hold
from community.lookup import get_or_not_found
from core import regions
from core.accounts.models import User
from core.accounts.permissions import is_owner_or_admin, require_admin, require_owner_or_admin, require_staff
from core.audit import AuditAction, AuditRecord, Writer
from core.db import utcnow
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused, refusals_about
from core.i18n import Named
from core.notifications import notify
from core.regions import Level, Region
from ipsearch.service import SearchService

BURST_WINDOW = timedelta(hours=24)
BURST_SIZE = 5  # this many reviews for one agency from fresh accounts or one network in the window
FRESH_ACCOUNT = timedelta(days=7)
FLAGS_TO_HOLD = 3
HELD_BY_MODERATOR = "held by a moderator"
INTEGRITY_RECORD_NOT_FOUND = "integrity record %(id)s not found"
REVIEW_QUEUE = 200  # the most recent held or flagged reviews the moderation queue shows
PROFILE_REVIEWS = 50  # the most recent reviews a profile shows
FIELD_FIT = 2.0  # working in the field asked for: more than the service (1) and the same city (0.5) together


# --- lookups -------------------------------------------------------------------------------

def get_agency(session: Session, agency_id: int) -> Agency:
    return get_or_not_found(session, Agency, agency_id, "agency %(id)s not found")


def get_review(session: Session, review_id: int) -> Review:
    return get_or_not_found(session, Review, review_id, "review %(id)s not found")


def _require_agency_account(user: User, agency: Agency) -> None:
    """Only the agency's verified (claimed) account or an admin speaks for the agency."""
    require_owner_or_admin(user, agency.owner_id, "this agency profile")


# --- reads ---------------------------------------------------------------------------------

def agency_out(agency: Agency) -> AgencyOut:
    return AgencyOut(
        id=agency.id, name=agency.name, licence_number=agency.licence_number, province=agency.province,
        city=agency.city, province_code=agency.province_code, city_code=agency.city_code,
        service_types=agency.service_types, ipc_subclasses=agency.ipc_subclasses, ipc_sections=agency.ipc_sections,
        practitioners=agency.practitioners, founded_year=agency.founded_year, claimed=agency.owner_id is not None,
        tier=agency.tier, rated=agency.tier is not Tier.not_rated, score=agency.score, rating=agency.bayes,
        stars=agency.rating_mean, rating_count=agency.rating_count)


def list_agencies(session: Session, q: str = "", province: str | None = None, service: ServiceType | None = None,
                  limit: int = 20) -> list[AgencyOut]:
    """Rated agencies first, ranked by Bayesian rating (never the raw mean), then score; then those not
    yet rated. ``province`` is any GB/T 2260 name or code of a province (or of a prefecture-level city)."""
    stmt = select(Agency)
    if q:
        stmt = stmt.where(Agency.name.ilike(f"%{q.replace('%', '').replace('_', '')}%"))
    if province:
        place = regions.resolve(province)
        column = Agency.province_code if place.level is Level.province else Agency.city_code
        stmt = stmt.where(column == place.code)
    unrated_last = case((Agency.tier == Tier.not_rated, 1), else_=0)
    stmt = stmt.order_by(unrated_last, Agency.bayes.desc(), Agency.score.desc(), Agency.id)
    if service is None:
        return [agency_out(a) for a in session.scalars(stmt.limit(limit))]
    out: list[AgencyOut] = []  # service types are a JSON list: filter while streaming, stop at the limit
    for agency in session.scalars(stmt.execution_options(yield_per=200)):
        if service.value in agency.service_types:
            out.append(agency_out(agency))
            if len(out) == limit:
                break
    return out


def agency_profile(session: Session, agency_id: int) -> AgencyProfileOut:
    """The public profile: the score's breakdown, every integrity record, recent reviews not held."""
    agency = get_agency(session, agency_id)
    records = session.scalars(select(IntegrityRecord).where(IntegrityRecord.agency_id == agency.id)
                              .order_by(IntegrityRecord.occurred_on))
    reviews = session.scalars(select(Review).where(Review.agency_id == agency.id, Review.held.is_(False))
                              .order_by(Review.id.desc()).limit(PROFILE_REVIEWS))
    return AgencyProfileOut(
        **agency_out(agency).model_dump(), score_breakdown=agency.breakdown, contact=agency.contact,
        integrity_records=[IntegrityRecordOut.model_validate(r) for r in records],
        reviews=[PublicReviewOut.model_validate(r) for r in reviews])


def recommend(session: Session, ipc: str | None, service: ServiceType | None, region: str | None,
              limit: int = 10) -> list[RecommendationOut]:
    """Rank by fit (IPC field, service, city), then tier (not yet rated last), then Bayesian rating; say why.

    ``ipc`` ranks, it does not filter: the agencies working in the field come first, then the others
    (the page promises "those working in your field first"; any patent agency may take a case of any
    field, and a province with no specialist still has agencies to propose). It is compared at
    subclass level (``H04N 21/431`` asks for H04N; ``H04`` for any H04 subclass). A ``service`` is
    a filter: an agency that does not offer it cannot take the case. A ``region`` (any GB/T 2260
    name or code) keeps only agencies of its province: an agency elsewhere, or whose province is
    unknown, is never proposed."""
    field = parse_ipc(ipc) if ipc and ipc.strip() else None
    place = regions.resolve(region) if region and region.strip() else None
    stmt = select(Agency)
    if place is not None:
        stmt = stmt.where(Agency.province_code == place.province_code)
    ranked: list[tuple[float, int, float, str, RecommendationOut]] = []
    for agency in session.scalars(stmt):
        fit, why = _fit(agency, field, service, place)
        if fit is None or agency.tier is Tier.d:  # the directory lists a D (under 60: sanctioned); we never propose it
            continue
        why += [f"tier {agency.tier.value} (score {agency.score})",
                f"rating {agency.bayes:.2f} (Bayesian, {agency.rating_count} reviews)"]
        item = RecommendationOut(agency_id=agency.id, name=agency.name, fit=fit, tier=agency.tier,
                                 rating=agency.bayes, reasons=why,
                                 in_field=field is not None and works_in(agency, field))
        ranked.append((-fit, agency.tier.rank, -agency.bayes, agency.name, item))
    ranked.sort(key=lambda r: r[:4])
    return [r[4] for r in ranked[:limit]]


def works_in(agency: Agency, field: IPCPrefix) -> bool:
    """Whether the agency names a subclass inside ``field`` (or, an older row that knew only its
    sections, the section asked for)."""
    return any(field.covers(s) for s in agency.ipc_subclasses) or (
        field.level is IPCLevel.section and field.code in agency.ipc_sections)


def _fit(agency: Agency, field: IPCPrefix | None, service: ServiceType | None,
         place: Region | None) -> tuple[float | None, list[str]]:
    """How well ``agency`` fits and why; ``None`` when it lacks the service asked for. Working in the
    field weighs more than the service and the city together: those agencies come first."""
    fit, why = 0.0, list[str]()
    if field is not None and works_in(agency, field):
        matched = [s for s in agency.ipc_subclasses if field.covers(s)]
        shown = f" ({', '.join(matched)})" if matched and field.level is not IPCLevel.subclass else ""
        fit, why = fit + FIELD_FIT, [*why, f"works in IPC {field.level} {field.code}{shown}"]
    if service is not None:
        if service.value not in agency.service_types:
            return None, []
        fit, why = fit + 1, [*why, f"offers {service.value} services"]
    if place is not None:
        why.append(f"based in {agency.province}")
        if place.level is Level.prefecture and agency.city_code == place.code:
            fit, why = fit + 0.5, [*why, f"based in {agency.city}"]
    return fit, why


# --- profiles ------------------------------------------------------------------------------

def create_agency(w: Writer, body: AgencyIn) -> AgencyOut:
    """Admins enter agencies from the official register; the licence number is unique. The region is
    stored as GB/T 2260 codes with English names, IPC expertise as subclasses."""
    require_admin(w.actor)
    if w.session.scalar(select(Agency.id).where(Agency.licence_number == body.licence_number)) is not None:
        raise Conflict.said("an agency with licence %(number)s already exists", number=body.licence_number)
    place = _place(body.province, body.city)
    subclasses = ipc_subclasses(body.ipc_subclasses)
    agency = Agency(**body.model_dump(exclude={"service_types", "ipc_subclasses", "province", "city"}),
                    service_types=[s.value for s in body.service_types], **place,
                    ipc_subclasses=subclasses, ipc_sections=ipc_sections(subclasses))
    w.session.add(agency)
    w.session.flush()
    recompute(w.session, agency)
    w.audit(AuditAction.agency_create, "agency", agency.id, name=agency.name)
    w.commit()
    return agency_out(agency)


def update_agency(w: Writer, agency_id: int, body: AgencyPatch) -> AgencyOut:
    """The agency's own account (or an admin) edits the fields sent; a null leaves a field as it is.
    A new province or city is checked against the other (Shenzhen is not in Zhejiang)."""
    agency = get_agency(w.session, agency_id)
    _require_agency_account(w.actor, agency)
    changes = body.model_dump(mode="json", exclude_unset=True, exclude_none=True)
    values = {k: v for k, v in changes.items() if k not in ("province", "city", "ipc_subclasses")}
    if "province" in changes or "city" in changes:
        values |= _place(changes.get("province", agency.province_code or agency.province),
                         changes.get("city", agency.city_code or agency.city))
    if "ipc_subclasses" in changes:
        values["ipc_subclasses"] = ipc_subclasses(changes["ipc_subclasses"])
        values["ipc_sections"] = ipc_sections(values["ipc_subclasses"])
    for key, value in values.items():
        setattr(agency, key, value)
    w.audit(AuditAction.agency_update, "agency", agency.id, fields=sorted(changes))
    w.commit()
    return agency_out(agency)


def _place(province: str, city: str) -> dict[str, str | None]:
    """The agency columns for a province and a city as typed: GB/T 2260 codes and English names.

    A city alone names its province too; a municipality given as the city (Shanghai) is the province.
    Unknown or ambiguous names, and a city outside the province, are ``InvalidInput`` about the field
    to put right (``province``, or ``city``)."""
    with refusals_about("province"):
        top = regions.resolve(province, Level.province) if province.strip() else None
    with refusals_about("city"):
        town = _city(city, top) if city.strip() else None
    if town is not None and town.level is Level.province:
        top, town = town, None
    if town is not None and top is None:
        top = regions.by_code(town.province_code)
    return {"province": top.name_en if top else "", "province_code": top.code if top else None,
            "city": town.name_en if town else "", "city_code": town.code if town else None}


def _filters(province: str, city: str, ipc: str) -> tuple[dict[str, str | None], IPCPrefix | None]:
    """The place (``_place``) and the technical field a directory's filters ask for; a place and a
    field both refused are refused together (``Refused``), each about its own filter."""
    problems: list[Exception] = []
    place: dict[str, str | None] = {"province": "", "province_code": None, "city": "", "city_code": None}
    field = None
    try:
        place = _place(province, city)
    except InvalidInput as exc:
        problems.append(exc)
    try:
        with refusals_about("ipc"):
            field = parse_ipc(ipc) if ipc.strip() else None
    except InvalidInput as exc:
        problems.append(exc)
    if len(problems) > 1:
        raise Refused(problems)
    if problems:
        raise problems[0]
    return place, field


def _city(city: str, top: Region | None) -> Region:
    town = regions.lookup(city, province=top.code if top else None)
    if town is not None:
        return town
    elsewhere = regions.lookup(city) if top is not None else None
    if top is not None and elsewhere is not None:
        if elsewhere.level is Level.province:  # a municipality (上海) named as the city of another province
            raise InvalidInput.said("%(city)s is a municipality of its own, not in %(province)s",
                                    city=_named(elsewhere), province=_named(top))
        home = regions.by_code(elsewhere.province_code)
        raise InvalidInput.said("%(city)s is in %(home)s, not in %(province)s", city=_named(elsewhere),
                                home=_named(home) if home else elsewhere.province_code, province=_named(top))
    return regions.resolve(city)


def _named(region: Region) -> Named:
    """A place in both languages: a refusal names it as its reader writes it (杭州市, Hangzhou)."""
    return Named(zh=region.name_zh, en=region.name_en)


# --- claims --------------------------------------------------------------------------------

def claim_agency(w: Writer, agency_id: int, evidence: str) -> ClaimOut:
    """Any member may claim an unclaimed profile; an admin decides."""
    agency = get_agency(w.session, agency_id)
    if agency.owner_id is not None:
        raise Conflict("this profile is already claimed")
    row = AgencyClaim(agency_id=agency.id, user_id=w.actor.id, evidence=evidence)
    w.session.add(row)
    w.session.flush()
    w.audit(AuditAction.agency_claim, "agency", agency.id, claim_id=row.id)
    w.commit()
    return ClaimOut(id=row.id, status=row.status)


CLAIM_APPROVED, CLAIM_REJECTED = "agency.claim_approved", "agency.claim_rejected"


def _tell_claimant(session: Session, claim: AgencyClaim, approved: bool) -> None:
    """The claimant learns the decision in their inbox (they heard nothing, either way)."""
    agency = session.get(Agency, claim.agency_id)
    assert agency is not None
    notify(session, claim.user_id, CLAIM_APPROVED if approved else CLAIM_REJECTED,
           f"Your claim of {agency.name} is {'approved' if approved else 'not approved'}", agency_id=agency.id,
           agency_name=agency.name)


def decide_claim(w: Writer, claim_id: int, approve: bool) -> ClaimOut:
    """An admin approves (the claimant's account then speaks for the agency) or rejects a claim. An
    approval decides the agency's other pending claims too, rejected (they waited for ever, and
    approving one later was refused as already claimed)."""
    require_admin(w.actor)
    row = get_or_not_found(w.session, AgencyClaim, claim_id, "claim %(id)s not found")
    if row.status != ClaimStatus.pending:
        raise Conflict("the claim is already decided")
    if approve:
        agency = get_agency(w.session, row.agency_id)
        if agency.owner_id is not None:
            raise Conflict("this profile is already claimed")
        agency.owner_id = row.user_id
        for other in w.session.scalars(select(AgencyClaim).where(
                AgencyClaim.agency_id == row.agency_id, AgencyClaim.status == ClaimStatus.pending,
                AgencyClaim.id != row.id)):
            other.status, other.decided_by = ClaimStatus.rejected, w.actor.id
            _tell_claimant(w.session, other, approved=False)
            w.audit(AuditAction.agency_claim_decide, "agency_claim", other.id, approved=False,
                    claim_id=row.id)  # the claim approved instead
    row.status, row.decided_by = (ClaimStatus.approved if approve else ClaimStatus.rejected), w.actor.id
    _tell_claimant(w.session, row, approved=approve)
    w.audit(AuditAction.agency_claim_decide, "agency_claim", row.id, approved=approve)
    w.commit()
    return ClaimOut(id=row.id, status=row.status)


# --- reviews -------------------------------------------------------------------------------

def _network(ip: str | None) -> str | None:
    if not ip:
        return None
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return ip  # test clients and proxies name themselves
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def _agents_named_on(search: SearchService | None, pn: str) -> list[str]:
    record = search.backend.get(pn) if search is not None else None
    return list(record.get("agents") or []) if record else []


def review_agency(w: Writer, agency_id: int, body: ReviewIn, search: SearchService | None = None) -> ReviewCreatedOut:
    """One review per reader and agency (a second one is edited on the agency's page, ``save_review``);
    the agency's own account cannot review itself.

    A review linking a patent on which ``search`` names the agency as agent is a verified engagement.
    """
    agency = get_agency(w.session, agency_id)
    author = w.actor
    if agency.owner_id == author.id:
        raise PermissionDenied("an agency cannot review itself")
    _lock_for_reviews(w.session, agency.id)  # two requests at once made two reviews (each saw none)
    if _my_review(w.session, agency.id, author.id) is not None:
        raise Conflict("you already reviewed this agency: edit your review on its page instead of writing another")
    review = Review(agency_id=agency.id, author_id=author.id, client_network=_network(w.ctx.client_ip),
                    **body.model_dump())
    if body.linked_pn:
        names = " ".join(_agents_named_on(search, body.linked_pn)).lower()
        review.verified = bool(names) and agency.name.lower()[:20] in names
    w.session.add(review)
    w.session.flush()
    _hold_bursts(w.session, agency, review)
    recompute(w.session, agency)
    w.audit(AuditAction.agency_review, "review", review.id, agency_id=agency.id)
    w.commit()
    return ReviewCreatedOut(id=review.id, verified=review.verified, held=review.held)


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
                r.hold(why)


def confirm_engagement(w: Writer, review_id: int) -> ReviewConfirmedOut:
    """The agency confirms the reviewer was its client: the review becomes verified."""
    review = get_review(w.session, review_id)
    _require_agency_account(w.actor, get_agency(w.session, review.agency_id))
    review.verified = True
    w.audit(AuditAction.agency_review_confirm, "review", review.id)
    w.commit()
    return ReviewConfirmedOut(id=review.id, verified=review.verified)


def reply_to_review(w: Writer, review_id: int, text: str) -> ReviewReplyOut:
    """The agency answers a review, once."""
    review = get_review(w.session, review_id)
    _require_agency_account(w.actor, get_agency(w.session, review.agency_id))
    if review.reply is not None:
        raise Conflict("the agency has already replied to this review")
    review.reply, review.replied_at = text, utcnow()
    w.audit(AuditAction.agency_review_reply, "review", review.id)
    w.commit()
    return ReviewReplyOut(id=review.id, reply=review.reply)


def flag_review(w: Writer, review_id: int) -> ReviewFlagOut:
    """Enough distinct flags hold the review; a held review stops counting towards the rating."""
    review = get_review(w.session, review_id)
    if flag_and_hold(review, w.actor, FLAGS_TO_HOLD, "review"):
        recompute(w.session, get_agency(w.session, review.agency_id))
    w.audit(AuditAction.agency_review_flag, "review", review.id)
    w.commit()
    return ReviewFlagOut(id=review.id, flags=len(review.flags), held=review.held)


def release_review(w: Writer, review_id: int, keep_held: bool) -> ReviewReleaseOut:
    """A moderator decides a held or flagged review: released (shown and counted again, its flags
    dismissed, as restoring a forum post dismisses them: the next flag must not hold it again at
    once, and it leaves the queue) or kept held (a flagged review put on hold)."""
    require_staff(w.actor)
    review = get_review(w.session, review_id)
    if keep_held:
        review.hold(HELD_BY_MODERATOR)  # a review already held keeps its reason
    else:
        review.held, review.hold_reason, review.flags = False, None, []
    recompute(w.session, get_agency(w.session, review.agency_id))
    w.audit(AuditAction.agency_review_release, "review", review.id, keep_held=keep_held)
    w.commit()
    return ReviewReleaseOut(id=review.id, held=review.held)


def review_queue(session: Session, viewer: User) -> list[ReviewQueueEntryOut]:
    """Held or flagged reviews, newest first, with their agency and author; for moderators only."""
    require_staff(viewer)
    flagged = Review.flags.is_not(None) & cast(Review.flags, String).not_in(["[]", "null"])
    rows = session.execute(select(Review, Agency.name, User.display_name)
                           .join(Agency, Agency.id == Review.agency_id).join(User, User.id == Review.author_id)
                           .where(or_(Review.held.is_(True), flagged))
                           .order_by(Review.id.desc()).limit(REVIEW_QUEUE))
    return [ReviewQueueEntryOut(**_shown(r), agency_id=r.agency_id, agency_name=agency, author=author,
                                hold_reason=r.hold_reason, flags=len(r.flags or [])) for r, agency, author in rows]


# --- integrity, tiers, objections --------------------------------------------------------------

def add_integrity_record(w: Writer, agency_id: int, body: RecordIn) -> IntegrityAddedOut:
    """Admins enter sanctions, upheld complaints and commendations; the tier follows at once."""
    require_admin(w.actor)
    agency = get_agency(w.session, agency_id)
    row = IntegrityRecord(agency_id=agency.id, created_by=w.actor.id, **body.model_dump())
    w.session.add(row)
    w.session.flush()
    recompute(w.session, agency)
    w.audit(AuditAction.agency_integrity, "agency", agency.id, record_id=row.id, kind=row.kind.value)
    w.commit()
    return IntegrityAddedOut(id=row.id, tier=agency.tier, score=agency.score)


def prior_mean(session: Session) -> tuple[float, int]:
    """The platform-wide mean of the criteria means of counted reviews (3.0 before any), and their number."""
    mean, count = session.execute(select(func.avg((Review.professionalism + Review.responsiveness +
                                                   Review.cost_transparency + Review.outcome) / 4.0),
                                         func.count(Review.id)).where(Review.held.is_(False))).one()
    return (float(mean) if mean is not None else NEUTRAL_RATING), int(count)


def current_prior(session: Session, exclusive: bool = False) -> RatingPrior:
    """The one prior row, locked until the transaction ends: shared by a write that rates one agency,
    exclusive for ``recompute_all``, so no agency is ever rated under a prior being replaced."""
    stmt = (select(RatingPrior).where(RatingPrior.id == 1).with_for_update(read=not exclusive)
            .execution_options(populate_existing=True))
    row = session.scalar(stmt)
    if row is None:  # a database the migration seeded nothing in
        row = RatingPrior(id=1, mean=NEUTRAL_RATING, k=K_PRIOR, reviews=0, version=1, computed_at=utcnow())
        session.add(row)
        session.flush()
    return row


def _evidence(session: Session, agency_ids: Iterable[int] | None = None) -> dict[int, Evidence]:
    """Each agency's counted reviews and integrity records (every agency's when ``agency_ids`` is None)."""
    found: dict[int, Evidence] = defaultdict(Evidence)
    stars = select(Review.agency_id, Review.professionalism, Review.responsiveness, Review.cost_transparency,
                   Review.outcome).where(Review.held.is_(False))
    marks = select(IntegrityRecord.agency_id, IntegrityRecord.kind, IntegrityRecord.points,
                   IntegrityRecord.description)
    if agency_ids is not None:
        stars = stars.where(Review.agency_id.in_(list(agency_ids)))
        marks = marks.where(IntegrityRecord.agency_id.in_(list(agency_ids)))
    for agency_id, *criteria in session.execute(stars):
        found[agency_id].stars.append(sum(criteria) / 4)
    for agency_id, kind, points, description in session.execute(marks):
        if kind == RecordKind.commendation:
            found[agency_id].commendations.append(points)
        else:
            found[agency_id].deductions.append((f"{kind.value}: {description[:80]}", points))
    return found


def _apply(agency: Agency, evidence: Evidence, prior: Prior) -> None:
    rating = rate(evidence, prior)
    agency.rating_mean, agency.rating_count, agency.bayes = rating.mean, rating.count, rating.bayes
    agency.score, agency.tier, agency.breakdown = rating.score, rating.tier, rating.breakdown.as_dict()
    agency.prior_version = prior.version


def recompute(session: Session, agency: Agency) -> Agency:
    """Rate one agency under the current prior (which this does not change: no other agency moves).

    Locks the prior, then the agency's row (the order ``recompute_all`` takes them in), and reads the
    row afresh, so concurrent writes to one agency are rated one after the other."""
    row = current_prior(session)
    session.execute(select(Agency).where(Agency.id == agency.id).with_for_update()
                    .execution_options(populate_existing=True))
    _apply(agency, _evidence(session, [agency.id])[agency.id], Prior(row.mean, row.k, row.version))
    session.flush()
    return agency


def recompute_all(session: Session) -> int:
    """Take the prior afresh from every counted review and rate every agency under it, in one
    transaction the caller commits: all agencies move together, none keeps an older prior."""
    row = current_prior(session, exclusive=True)
    row.mean, row.reviews = prior_mean(session)
    row.version, row.computed_at = row.version + 1, utcnow()
    prior = Prior(row.mean, row.k, row.version)
    evidence = _evidence(session)
    count = 0
    for agency in session.scalars(select(Agency)):
        _apply(agency, evidence[agency.id], prior)
        count += 1
    session.flush()
    return count


def object_to_tier(w: Writer, agency_id: int, text: str) -> ObjectionOut:
    """The agency objects to its tier; a moderator must answer."""
    agency = get_agency(w.session, agency_id)
    _require_agency_account(w.actor, agency)
    row = Objection(agency_id=agency.id, filed_by=w.actor.id, text=text)
    w.session.add(row)
    w.session.flush()
    w.audit(AuditAction.agency_objection, "agency", agency.id, objection_id=row.id)
    w.commit()
    return ObjectionOut(id=row.id)


def answer_objection(w: Writer, objection_id: int, text: str) -> ObjectionAnswerOut:
    require_staff(w.actor)
    row = get_or_not_found(w.session, Objection, objection_id, "objection %(id)s not found")
    if row.answer is not None:
        raise Conflict("the objection is already answered")
    row.answer, row.answered_by, row.answered_at = text, w.actor.id, utcnow()
    w.audit(AuditAction.agency_objection_answer, "objection", row.id)
    w.commit()
    return ObjectionAnswerOut(id=row.id, answer=row.answer)


# --- the directory in the browser: filtered pages, a reader's profile view, one review per reader ---

def _json_has(column: InstrumentedAttribute[list[str]], prefix: str, whole: bool = True) -> ColumnElement[bool]:
    """A JSON list of codes (stored as text on SQLite and PostgreSQL alike) holds ``prefix`` (or, with
    ``whole`` false, an item starting with it). Callers pass only validated codes (no wildcards)."""
    return cast(column, String).like(f'%"{prefix}{chr(34) if whole else ""}%')


def directory(session: Session, query: DirectoryQuery) -> DirectoryOut:
    """One page of agencies matching the filters, rated first (by Bayesian rating, then score), then
    those not yet rated. The province and city are any GB/T 2260 names or codes (a city outside the
    province, or a name unknown, is ``InvalidInput``); ``ipc`` is a section, class or subclass."""
    place, field = _filters(query.province, query.city, query.ipc)
    stmt = select(Agency)
    if query.q.strip():
        stmt = stmt.where(Agency.name.ilike(f"%{query.q.strip().replace('%', '').replace('_', '')}%"))
    if place["province_code"]:
        stmt = stmt.where(Agency.province_code == place["province_code"])
    if place["city_code"]:
        stmt = stmt.where(Agency.city_code == place["city_code"])
    if query.service is not None:
        stmt = stmt.where(_json_has(Agency.service_types, query.service.value))
    if field is not None and field.level is IPCLevel.section:
        stmt = stmt.where(_json_has(Agency.ipc_sections, field.code))
    elif field is not None:
        stmt = stmt.where(_json_has(Agency.ipc_subclasses, field.code, whole=field.level is IPCLevel.subclass))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    pages = max(1, -(-total // query.per_page))
    if query.page > pages:
        raise NotFound.said("page %(page)s of the directory not found", page=query.page)
    unrated_last = case((Agency.tier == Tier.not_rated, 1), else_=0)
    rows = session.scalars(stmt.order_by(unrated_last, Agency.bayes.desc(), Agency.score.desc(), Agency.id)
                           .offset((query.page - 1) * query.per_page).limit(query.per_page))
    return DirectoryOut(agencies=[agency_out(a) for a in rows], total=total, page=query.page, pages=pages,
                        province_code=place["province_code"], city_code=place["city_code"],
                        ipc=field.code if field else None)


def recommended(session: Session, ipc: str | None, service: ServiceType | None, province: str = "", city: str = "",
                limit: int = 10) -> list[RecommendedOut]:
    """``recommend`` for a province and city as typed (checked as the directory checks them), with
    its reasons as data: whether the agency works in the field, the IPC subclasses that matched, the
    service, the same city. Those in the field come first, then the others of the province."""
    place, field = _filters(province, city, ipc or "")
    region = place["city_code"] or place["province_code"]
    out: list[RecommendedOut] = []
    for pick in recommend(session, ipc, service, region, limit):
        agency = get_agency(session, pick.agency_id)
        out.append(RecommendedOut(
            agency=agency_out(agency), fit=pick.fit, ipc_asked=field.code if field else None,
            ipc_matched=[s for s in agency.ipc_subclasses if field is not None and field.covers(s)],
            in_field=field is not None and works_in(agency, field),
            service=service, same_city=place["city_code"] is not None and agency.city_code == place["city_code"]))
    return out


def _my_review(session: Session, agency_id: int, user_id: int) -> Review | None:
    """The reader's review of the agency (the latest, should the API have taken several)."""
    return session.scalar(select(Review).where(Review.agency_id == agency_id, Review.author_id == user_id)
                          .order_by(Review.id.desc()).limit(1))


def _edited_at(session: Session, review_ids: list[int]) -> dict[int, datetime]:
    """When each review was last edited, from the audit trail (the review rows keep no such date)."""
    if not review_ids:
        return {}
    rows = session.execute(select(AuditRecord.object_id, func.max(AuditRecord.at)).where(
        AuditRecord.action == AuditAction.agency_review_edit.value, AuditRecord.object_type == "review",
        AuditRecord.object_id.in_([str(i) for i in review_ids])).group_by(AuditRecord.object_id))
    return {int(object_id): at for object_id, at in rows}


def _shown(review: Review) -> dict[str, Any]:
    """The review's fields every reader sees (``ReviewShown``), to build a fuller view on."""
    return dict(ReviewShown.model_validate(review))


def _review_view(review: Review, viewer: User | None, edited: dict[int, datetime]) -> ReviewView:
    mine = viewer is not None and review.author_id == viewer.id
    return ReviewView(**_shown(review), engagement_ref=review.engagement_ref if mine else None,
                      reply=review.reply, replied_at=review.replied_at, edited_at=edited.get(review.id), mine=mine,
                      flagged=viewer is not None and viewer.id in (review.flags or []))


def agency_page(session: Session, agency_id: int, viewer: User | None) -> AgencyPageOut:
    """The profile as ``viewer`` sees it: reviews not held (and the viewer's own, held or not), the
    viewer's review to edit, and the agency's objections when the viewer speaks for the agency."""
    agency = get_agency(session, agency_id)
    records = session.scalars(select(IntegrityRecord).where(IntegrityRecord.agency_id == agency.id)
                              .order_by(IntegrityRecord.occurred_on, IntegrityRecord.id))
    shown = Review.held.is_(False) if viewer is None else or_(Review.held.is_(False), Review.author_id == viewer.id)
    reviews = list(session.scalars(select(Review).where(Review.agency_id == agency.id, shown)
                                   .order_by(Review.id.desc()).limit(PROFILE_REVIEWS)))
    mine = _my_review(session, agency.id, viewer.id) if viewer is not None else None
    edited = _edited_at(session, [r.id for r in reviews] + ([mine.id] if mine else []))
    speaks = is_owner_or_admin(viewer, agency.owner_id)
    objections: Iterable[Objection] = session.scalars(select(Objection).where(Objection.agency_id == agency.id)
                                                      .order_by(Objection.id.desc())) if speaks else []
    return AgencyPageOut(
        agency=agency_out(agency), contact=agency.contact, score_breakdown=agency.breakdown,
        integrity_records=[IntegrityRecordView.model_validate(r) for r in records],
        reviews=[_review_view(r, viewer, edited) for r in reviews],
        my_review=_review_view(mine, viewer, edited) if mine is not None else None,
        speaks_for_agency=speaks, is_owner=viewer is not None and agency.owner_id == viewer.id,
        objections=[ObjectionView.model_validate(o) for o in objections])


def _lock_for_reviews(session: Session, agency_id: int) -> None:
    """The agency's row locked (in the lock order of ``recompute``: the prior, then the agency), so
    that one reader's two submissions at once make one review, not two."""
    current_prior(session)
    session.execute(select(Agency.id).where(Agency.id == agency_id).with_for_update())


def save_review(w: Writer, agency_id: int, body: ReviewIn, search: SearchService | None = None) -> ReviewSavedOut:
    """One review per reader and agency: the reader's review is edited if there is one, else written
    (as ``review_agency``). The agency's row is locked first, so two submissions make one review."""
    agency = get_agency(w.session, agency_id)
    if agency.owner_id == w.actor.id:
        raise PermissionDenied("an agency cannot review itself")
    _lock_for_reviews(w.session, agency.id)
    review = _my_review(w.session, agency.id, w.actor.id)
    if review is None:
        created = review_agency(w, agency.id, body, search)
        return ReviewSavedOut(id=created.id, created=True, verified=created.verified, held=created.held)
    changed = _edit_review(w.session, agency, review, body, search)
    recompute(w.session, agency)
    w.audit(AuditAction.agency_review_edit, "review", review.id, agency_id=agency.id, fields=changed)
    w.commit()
    return ReviewSavedOut(id=review.id, created=False, verified=review.verified, held=review.held)


def _edit_review(session: Session, agency: Agency, review: Review, body: ReviewIn,
                 search: SearchService | None) -> list[str]:
    """Apply ``body`` to ``review``; the names of the fields that changed. A new engagement or patent
    voids the verification (a confirmation or a patent was about the old one); a hold stays."""
    other = session.scalar(select(Review.id).where(
        Review.agency_id == agency.id, Review.author_id == review.author_id,
        Review.engagement_ref == body.engagement_ref, Review.id != review.id))
    if other is not None:
        raise Conflict("you already reviewed this engagement").about("engagement_ref")
    values = body.model_dump()
    changed = sorted(k for k, v in values.items() if getattr(review, k) != v)
    for key in changed:
        setattr(review, key, values[key])
    if "engagement_ref" in changed or "linked_pn" in changed:
        names = " ".join(_agents_named_on(search, body.linked_pn)).lower() if body.linked_pn else ""
        review.verified = bool(names) and agency.name.lower()[:20] in names
    return changed


def object_to_record(w: Writer, agency_id: int, record_id: int, text: str) -> ObjectionOut:
    """The agency objects to one of its integrity records (and so to the tier it gives); the objection
    names the record for the moderators, and the audit entry its id."""
    agency = get_agency(w.session, agency_id)
    record = get_or_not_found(w.session, IntegrityRecord, record_id, INTEGRITY_RECORD_NOT_FOUND)
    if record.agency_id != agency.id:
        raise NotFound.said(INTEGRITY_RECORD_NOT_FOUND, id=record_id)
    _require_agency_account(w.actor, agency)
    about = f"[integrity record {record.id}: {record.kind.value}, {record.occurred_on.isoformat()}] "
    row = Objection(agency_id=agency.id, filed_by=w.actor.id, text=about + text)
    w.session.add(row)
    w.session.flush()
    w.audit(AuditAction.agency_objection, "agency", agency.id, objection_id=row.id, record_id=record.id)
    w.commit()
    return ObjectionOut(id=row.id)
