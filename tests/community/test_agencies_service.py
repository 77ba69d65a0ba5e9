"""community.agencies.service called directly: every write checks permission before it touches
anything (a refusal changes nothing and records nothing), audits what it changed, and returns the
Out model; flags hold a review through the helper the forums share."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from community import moderation
from community.agencies import service as svc
from community.agencies.models import Agency, AgencyClaim, RecordKind, Review, ServiceType, Tier
from community.agencies.schemas import AgencyIn, AgencyPatch, RecordIn, ReviewFlagOut, ReviewIn, ReviewQueueEntryOut
from community.flags import flag_and_hold
from core import notifications
from core.accounts.models import Role, User
from core.audit import AuditRecord
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.community.conftest import Community


def _agency(c: Community, admin: User, **extra: object) -> int:
    n = c.session.scalar(select(func.count()).select_from(Agency)) or 0
    body = AgencyIn.model_validate({"name": f"Bright IP Agency {n}", "licence_number": f"LIC-{n:04d}",
                                    "province": "Guangdong", "service_types": ["patent"], "ipc_subclasses": ["H04W"],
                                    **extra})
    return svc.create_agency(c.writer(admin), body).id


def _owned_agency(c: Community, admin: User, owner: User) -> int:
    agency = _agency(c, admin)
    claim = svc.claim_agency(c.writer(owner), agency, "our licence scan")
    svc.decide_claim(c.writer(admin), claim.id, approve=True)
    return agency


def _review(c: Community, author: User, agency: int, stars: int = 4, ref: str = "case-1") -> int:
    body = ReviewIn(engagement_ref=ref, professionalism=stars, responsiveness=stars, cost_transparency=stars,
                    outcome=stars)
    return svc.review_agency(c.writer(author, client_ip=f"198.51.{author.id}.7"), agency, body).id


def test_only_admins_create_agencies_and_input_is_checked(community: Community) -> None:
    c = community
    admin, member = c.user(Role.admin), c.user()
    body = AgencyIn(name="Dehns", licence_number="GB-1", service_types=[ServiceType.patent],
                    ipc_subclasses=["h04n 21/431"])
    c.refused(lambda: svc.create_agency(c.writer(member), body))
    assert c.session.scalar(select(func.count()).select_from(Agency)) == 0
    out = svc.create_agency(c.writer(admin), body)
    assert (out.ipc_subclasses, out.ipc_sections, out.service_types, out.claimed) == (
        ["H04N"], ["H"], ["patent"], False)
    assert (out.tier, out.rated) == (Tier.not_rated, False)  # no evidence yet: never A+
    assert c.audit_actions() == ["agency.create"]
    c.refused(lambda: svc.create_agency(c.writer(admin), body), Conflict)
    for ipc in (["Z"], ["H"], ["H04"], ["H04N", "nonsense"]):  # a section or class is too broad for expertise
        bad = AgencyIn(name="Other", licence_number="GB-2", ipc_subclasses=ipc)
        c.refused(lambda: svc.create_agency(c.writer(admin), bad), InvalidInput)  # noqa: B023
    legacy = AgencyIn.model_validate({"name": "Other", "licence_number": "GB-2", "ipc_sections": ["G06F"]})
    assert svc.create_agency(c.writer(admin), legacy).ipc_subclasses == ["G06F"]  # the old key still reads


def test_claims_are_decided_by_admins_once(community: Community) -> None:
    c = community
    admin, moderator, member, rival = c.user(Role.admin), c.user(Role.moderator), c.user(), c.user()
    agency = _agency(c, admin)
    claim = svc.claim_agency(c.writer(member), agency, "our licence scan")
    rival_claim = svc.claim_agency(c.writer(rival), agency, "no, ours")
    c.refused(lambda: svc.decide_claim(c.writer(moderator), claim.id, approve=True))
    assert svc.decide_claim(c.writer(admin), claim.id, approve=True).status == "approved"
    assert svc.agency_profile(c.session, agency).claimed
    c.refused(lambda: svc.decide_claim(c.writer(admin), claim.id, approve=False), Conflict)
    # the approval decided the rival's claim too: it waited for ever, and could never be approved
    row = c.session.get(AgencyClaim, rival_claim.id)
    assert row is not None and (row.status, row.decided_by) == ("rejected", admin.id)
    audited = c.session.scalars(select(AuditRecord).where(AuditRecord.action == "agency.claim.decide",
                                                          AuditRecord.object_id == str(rival_claim.id))).all()
    assert [(a.actor_id, a.details["approved"], a.details["claim_id"]) for a in audited] == [(admin.id, False,
                                                                                              claim.id)]
    c.refused(lambda: svc.decide_claim(c.writer(admin), rival_claim.id, approve=True), Conflict)
    # each claimant learns the decision in their inbox (they heard nothing, either way)
    told = {who.id: [(n.kind, n.payload["agency_id"]) for n in notifications.for_user(c.session, who.id)]
            for who in (member, rival)}
    assert told == {member.id: [("agency.claim_approved", agency)], rival.id: [("agency.claim_rejected", agency)]}
    c.refused(lambda: svc.claim_agency(c.writer(rival), agency, "again"), Conflict)
    c.refused(lambda: svc.decide_claim(c.writer(admin), 999_999, approve=True), NotFound)


def test_only_the_agency_account_or_an_admin_edits_the_profile(community: Community) -> None:
    c = community
    admin, owner, member = c.user(Role.admin), c.user(), c.user()
    agency = _owned_agency(c, admin, owner)
    patch = AgencyPatch(contact="ip@example.org", service_types=[ServiceType.trademark])
    c.refused(lambda: svc.update_agency(c.writer(member), agency, patch))
    assert svc.agency_profile(c.session, agency).contact == ""
    out = svc.update_agency(c.writer(owner), agency, patch)
    assert out.service_types == ["trademark"]
    assert svc.agency_profile(c.session, agency).contact == "ip@example.org"
    # a null leaves the field as it is (the column cannot hold one)
    svc.update_agency(c.writer(admin), agency, AgencyPatch.model_validate({"province": None, "city": "Shenzhen"}))
    profile = svc.agency_profile(c.session, agency)
    assert (profile.province, profile.city) == ("Guangdong", "Shenzhen")
    assert c.audit_actions()[-2:] == ["agency.update", "agency.update"]


def test_reviews_one_per_reader_and_agency_never_by_the_agency_itself(community: Community) -> None:
    c = community
    admin, owner, member = c.user(Role.admin), c.user(), c.user()
    agency = _owned_agency(c, admin, owner)
    c.refused(lambda: _review(c, owner, agency))
    created = _review(c, member, agency, stars=2)
    c.refused(lambda: _review(c, member, agency, stars=5), Conflict)
    profile = svc.agency_profile(c.session, agency)
    assert profile.rating_count == 1 and [r.id for r in profile.reviews] == [created]
    linked = ReviewIn(engagement_ref="EP grant", professionalism=5, responsiveness=5, cost_transparency=5,
                      outcome=5, linked_pn="EP3383757B1")
    c.refused(lambda: svc.review_agency(c.writer(member), agency, linked, search=None), Conflict)  # another matter
    assert svc.review_agency(c.writer(c.user()), agency, linked, search=None).verified is False  # no corpus to ask


def test_agency_replies_once_and_confirms_engagements(community: Community) -> None:
    c = community
    admin, owner, member = c.user(Role.admin), c.user(), c.user()
    agency = _owned_agency(c, admin, owner)
    review = _review(c, member, agency)
    c.refused(lambda: svc.reply_to_review(c.writer(member), review, "I reply to myself"))
    c.refused(lambda: svc.confirm_engagement(c.writer(member), review))
    assert svc.reply_to_review(c.writer(owner), review, "thank you").reply == "thank you"
    c.refused(lambda: svc.reply_to_review(c.writer(admin), review, "again"), Conflict)
    assert svc.confirm_engagement(c.writer(owner), review).verified is True
    c.refused(lambda: svc.reply_to_review(c.writer(owner), 999_999, "?"), NotFound)


def test_three_distinct_flags_hold_a_review_and_it_stops_counting(community: Community) -> None:
    c = community
    admin, author = c.user(Role.admin), c.user()
    agency = _agency(c, admin)
    review = _review(c, author, agency)
    c.refused(lambda: svc.flag_review(c.writer(author), review), InvalidInput)  # not one's own
    flaggers = [c.user() for _ in range(3)]
    first = svc.flag_review(c.writer(flaggers[0]), review)
    assert svc.flag_review(c.writer(flaggers[0]), review) == first  # one flag per member
    assert (first.flags, first.held) == (1, False)
    assert svc.flag_review(c.writer(flaggers[1]), review).held is False
    held = svc.flag_review(c.writer(flaggers[2]), review)
    assert (held.flags, held.held) == (3, True)
    row = c.session.get(Review, review)
    assert row is not None and row.hold_reason == "flagged by 3 users"
    profile = svc.agency_profile(c.session, agency)
    assert profile.rating_count == 0 and profile.reviews == []  # kept, not shown or counted
    assert c.audit_actions().count("agency.review.flag") == 4


def test_flag_and_hold_on_a_review_holds_once(community: Community) -> None:
    c = community
    author, a, b = c.user(), c.user(), c.user()
    review = Review(author_id=author.id, flags=[], held=False)
    assert flag_and_hold(review, a, 2, "review") is False
    assert flag_and_hold(review, b, 2, "review") is True  # this flag put it on hold
    assert flag_and_hold(review, b, 2, "review") is False  # already held: nothing new
    assert (review.flags, review.held, review.hold_reason) == ([a.id, b.id], True, "flagged by 2 users")
    with pytest.raises(InvalidInput, match="your own review"):
        flag_and_hold(review, author, 2, "review")


def test_moderators_release_held_reviews(community: Community) -> None:
    c = community
    admin, author, moderator, member = c.user(Role.admin), c.user(), c.user(Role.moderator), c.user()
    agency = _agency(c, admin)
    review = _review(c, author, agency)
    for _ in range(3):
        svc.flag_review(c.writer(c.user()), review)
    c.refused(lambda: svc.release_review(c.writer(member), review, keep_held=False))
    assert svc.agency_profile(c.session, agency).rating_count == 0
    assert svc.release_review(c.writer(moderator), review, keep_held=True).held is True
    assert svc.release_review(c.writer(moderator), review, keep_held=False).held is False
    assert svc.agency_profile(c.session, agency).rating_count == 1


def test_integrity_records_by_admins_move_the_tier(community: Community) -> None:
    c = community
    admin, moderator = c.user(Role.admin), c.user(Role.moderator)
    agency = _agency(c, admin)
    record = RecordIn(kind=RecordKind.sanction, points=60, description="ordered to stop new business",
                      source="CNIPA decision", occurred_on=date(2025, 3, 1))
    c.refused(lambda: svc.add_integrity_record(c.writer(moderator), agency, record))
    assert svc.agency_profile(c.session, agency).integrity_records == []
    assert svc.agency_profile(c.session, agency).tier == Tier.not_rated
    added = svc.add_integrity_record(c.writer(admin), agency, record)
    assert (added.tier, added.score) == ("D", 40.0)  # an adverse record is evidence: never hidden
    profile = svc.agency_profile(c.session, agency)
    assert profile.tier == "D" and profile.integrity_records[0].source == "CNIPA decision"
    assert profile.score_breakdown["deductions"][0]["points"] == 60


def test_objections_filed_by_the_agency_answered_by_moderators_once(community: Community) -> None:
    c = community
    admin, owner, member, moderator = c.user(Role.admin), c.user(), c.user(), c.user(Role.moderator)
    agency = _owned_agency(c, admin, owner)
    c.refused(lambda: svc.object_to_tier(c.writer(member), agency, "tier too low"))
    objection = svc.object_to_tier(c.writer(owner), agency, "tier too low").id
    c.refused(lambda: svc.answer_objection(c.writer(member), objection, "no"))
    assert svc.answer_objection(c.writer(moderator), objection, "records stand").answer == "records stand"
    c.refused(lambda: svc.answer_objection(c.writer(admin), objection, "again"), Conflict)
    assert c.audit_actions()[-2:] == ["agency.objection", "agency.objection.answer"]


def test_listing_filters_and_recommendation_explains(community: Community) -> None:
    c = community
    admin = c.user(Role.admin)
    patents = _agency(c, admin, name="Zhejiang Patent House", province="Zhejiang", ipc_subclasses=["H04N", "G06F"])
    marks = _agency(c, admin, name="Mark 100% Agency", service_types=["trademark"], ipc_subclasses=["A61K"])
    assert [a.id for a in svc.list_agencies(c.session, service=ServiceType.trademark)] == [marks]
    assert [a.id for a in svc.list_agencies(c.session, province="Zhejiang")] == [patents]
    assert [a.id for a in svc.list_agencies(c.session, q="mark 100")] == [marks]
    assert len(svc.list_agencies(c.session, limit=1)) == 1
    recs = svc.recommend(c.session, "H04N21/431", ServiceType.patent, "Zhejiang")
    assert recs[0].agency_id == patents and marks not in [r.agency_id for r in recs]
    assert "works in IPC subclass H04N" in recs[0].reasons and "based in Zhejiang" in recs[0].reasons
    with pytest.raises(NotFound):
        svc.agency_profile(c.session, 999_999)


def test_the_moderation_queue_lists_flagged_and_held_reviews_for_moderators(both_dbs: Community) -> None:
    """On SQLite and PostgreSQL: a flagged review and a held one are queued with their agency and
    author, newest first; releasing dismisses the flags (the next flag does not hold it again, and
    it leaves the queue); holding keeps it queued, neither shown nor counted; members are refused."""
    c = both_dbs
    admin, moderator, member = c.user(Role.admin), c.user(Role.moderator), c.user()
    agency = svc.create_agency(c.writer(admin), AgencyIn(name=f"Queue IP {c.tag}", licence_number=f"Q-{c.tag}")).id
    flagged, held, untouched = (_review(c, c.user(), agency) for _ in range(3))
    svc.flag_review(c.writer(member), flagged)
    for _ in range(3):
        svc.flag_review(c.writer(c.user()), held)
    with pytest.raises(PermissionDenied):
        svc.review_queue(c.session, member)
    with pytest.raises(PermissionDenied):
        moderation.queue(c.session, member)

    def queued() -> dict[int, ReviewQueueEntryOut]:
        return {e.id: e for e in svc.review_queue(c.session, moderator) if e.agency_id == agency}

    entries = queued()
    assert list(entries) == [held, flagged] and untouched not in entries
    assert (entries[held].held, entries[held].hold_reason, entries[held].flags) == (True, "flagged by 3 users", 3)
    assert (entries[flagged].held, entries[flagged].flags) == (False, 1)
    assert entries[flagged].agency_name == f"Queue IP {c.tag}" and entries[flagged].author.startswith("user")
    assert [r.id for r in moderation.queue(c.session, moderator).reviews if r.agency_id == agency] == [held, flagged]
    before = moderation.counts(c.session, moderator)
    svc.flag_review(c.writer(member), untouched)  # the console's count follows the queue
    assert moderation.counts(c.session, moderator) == before.model_copy(update={"reviews": before.reviews + 1})
    svc.release_review(c.writer(moderator), untouched, keep_held=False)

    assert svc.release_review(c.writer(moderator), held, keep_held=False).held is False
    assert list(queued()) == [flagged]
    assert svc.flag_review(c.writer(member), held) == ReviewFlagOut(id=held, flags=1, held=False)
    assert svc.release_review(c.writer(moderator), flagged, keep_held=True).held is True
    entries = queued()
    assert list(entries) == [held, flagged] and entries[flagged].hold_reason == "held by a moderator"
    profile = svc.agency_profile(c.session, agency)
    assert {r.id for r in profile.reviews} == {held, untouched} and profile.rating_count == 2
    assert c.audit_actions()[-3:] == ["agency.review.release", "agency.review.flag", "agency.review.release"]
