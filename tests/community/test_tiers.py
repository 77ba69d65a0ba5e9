"""Tiers and ratings on real databases (SQLite and PostgreSQL), issue 14 item 7.

Acceptance: an unreviewed agency is "not yet rated"; adding one review elsewhere changes no other
agency's displayed rating inconsistently. Every agency is rated under the one prior row, which only
``recompute_all`` replaces, for every agency at once.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from community.agencies import service as svc
from community.agencies.models import Agency, RatingPrior, Review, ServiceType, Tier
from community.agencies.schemas import AgencyIn, RecordIn, ReviewIn
from community.agencies.scoring import K_PRIOR, MIN_REVIEWS
from core.accounts.models import Role, User
from core.db import session_factory
from tests.community.conftest import Community


def _agency(c: Community, admin: User, name: str, **extra: Any) -> int:
    body = AgencyIn.model_validate({"name": f"{c.tag} {name}", "licence_number": f"{c.tag}-{name}"[:60],
                                    "province": "Guangdong", "service_types": ["patent"],
                                    "ipc_subclasses": ["H04W"], **extra})
    return svc.create_agency(c.writer(admin), body).id


def _review(c: Community, agency: int, stars: int, ref: str = "case") -> None:
    author = c.user()
    body = ReviewIn(engagement_ref=ref, professionalism=stars, responsiveness=stars, cost_transparency=stars,
                    outcome=stars)
    svc.review_agency(c.writer(author, client_ip=f"10.{author.id // 250 % 250}.{author.id % 250}.7"), agency, body)


def _shown(c: Community) -> dict[int, dict[str, Any]]:
    """Every agency in the database as its profile shows it (rating, tier, score, breakdown)."""
    ids = c.session.scalars(select(Agency.id).order_by(Agency.id)).all()
    return {i: svc.agency_profile(c.session, i).model_dump(exclude={"reviews", "integrity_records"}) for i in ids}


def test_an_unreviewed_agency_is_not_yet_rated_and_never_ahead_of_reviewed_ones(both_dbs: Community) -> None:
    c = both_dbs
    admin = c.user(Role.admin)
    fresh = _agency(c, admin, "Fresh")
    reviewed = _agency(c, admin, "Reviewed")
    for i in range(MIN_REVIEWS - 1):
        _review(c, reviewed, 2, f"r{i}")
    few = svc.agency_profile(c.session, reviewed)
    assert (few.tier, few.rated, few.rating_count) == (Tier.not_rated, False, MIN_REVIEWS - 1)  # too little
    assert few.score_breakdown["rating"]["counts_towards_score"] is False and few.score == 100.0
    _review(c, reviewed, 2, "last")
    now = svc.agency_profile(c.session, reviewed)
    assert now.rated and now.tier not in (Tier.not_rated, Tier.a_plus) and now.score < 100
    unrated = svc.agency_profile(c.session, fresh)
    assert (unrated.tier, unrated.rated, unrated.rating_count) == (Tier.not_rated, False, 0)
    assert unrated.rating > now.rating  # its rating is the prior, above the reviewed agency's poor one ...
    listed = [a.id for a in svc.list_agencies(c.session, q=c.tag)]
    assert listed == [reviewed, fresh]  # ... yet it is listed after it, as "not yet rated"
    recs = svc.recommend(c.session, "H04W", ServiceType.patent, "Guangdong", limit=1000)
    mine = [r.agency_id for r in recs if r.agency_id in (fresh, reviewed)]
    assert mine == [reviewed, fresh]


def test_an_adverse_record_rates_an_agency_without_reviews(both_dbs: Community) -> None:
    c = both_dbs
    admin = c.user(Role.admin)
    agency = _agency(c, admin, "Sanctioned")
    commended = _agency(c, admin, "Commended")
    record = RecordIn.model_validate({"kind": "sanction", "points": 15, "description": "abnormal applications",
                                      "source": "CNIPA notice", "occurred_on": "2025-01-02"})
    assert svc.add_integrity_record(c.writer(admin), agency, record).tier == Tier.b  # 100 - 15, no review bonus
    praise = RecordIn.model_validate({**record.model_dump(), "kind": "commendation", "points": 5})
    out = svc.add_integrity_record(c.writer(admin), commended, praise)
    assert (out.tier, out.score) == (Tier.not_rated, 105.0)  # a commendation alone is not enough to be A+


def test_one_review_moves_only_its_agency_and_every_agency_shares_one_prior(both_dbs: Community) -> None:
    c = both_dbs
    admin = c.user(Role.admin)
    agencies = [_agency(c, admin, f"A{i}") for i in range(4)]
    for n, agency in enumerate(agencies[:3]):
        for i in range(MIN_REVIEWS + n):
            _review(c, agency, 5 - n, f"seed{i}")
    svc.recompute_all(c.session)
    c.session.commit()
    before = _shown(c)
    version = c.session.get(RatingPrior, 1).version  # type: ignore[union-attr]
    _review(c, agencies[1], 1, "one more")
    after = _shown(c)
    changed = {i for i in before if before[i] != after[i]}
    assert changed == {agencies[1]}  # no other agency's displayed rating moved
    assert after[agencies[1]]["rating_count"] == before[agencies[1]]["rating_count"] + 1
    assert {a["score_breakdown"]["rating"]["prior_version"] for a in after.values()} == {version}
    assert set(c.session.scalars(select(Agency.prior_version))) == {version}

    assert svc.recompute_all(c.session) == len(after)  # the prior moves for every agency at once
    c.session.commit()
    _check_every_rating_uses_the_current_prior(c, version + 1)


def _check_every_rating_uses_the_current_prior(c: Community, version: int) -> None:
    """Each displayed rating equals (sum of stars + mu * k) / (n + k), recomputed here from the reviews
    table, with mu the mean of every counted review."""
    counted = c.session.execute(select(Review.agency_id, Review.professionalism, Review.responsiveness,
                                       Review.cost_transparency, Review.outcome)
                                .where(Review.held.is_(False))).all()
    stars: dict[int, list[float]] = {}
    for agency_id, *criteria in counted:
        stars.setdefault(agency_id, []).append(sum(criteria) / 4)
    mu = sum(sum(s) for s in stars.values()) / len(counted)
    prior = c.session.get(RatingPrior, 1)
    assert prior is not None and (prior.version, prior.reviews) == (version, len(counted))
    assert prior.mean == pytest.approx(mu)
    for agency_id, shown in _shown(c).items():
        mine = stars.get(agency_id, [])
        assert shown["rating"] == pytest.approx((sum(mine) + mu * K_PRIOR) / (len(mine) + K_PRIOR), abs=1e-4)
        assert shown["rated"] is (len(mine) >= MIN_REVIEWS or bool(shown["score_breakdown"]["deductions"]))
        assert shown["score_breakdown"]["rating"]["prior_version"] == version


def test_a_review_during_recomputation_waits_and_is_rated_under_the_new_prior(pg_url: str) -> None:
    """PostgreSQL: recompute_all holds the prior row exclusively; a review written meanwhile waits for it
    and is then rated under the new prior, never the one being replaced."""
    setup = Community(session_factory(pg_url)())
    admin, author = setup.user(Role.admin), setup.user()
    agency = _agency(setup, admin, "Busy")
    for i in range(MIN_REVIEWS):
        _review(setup, agency, 5, f"s{i}")
    setup.session.close()

    recomputing = session_factory(pg_url)()
    svc.recompute_all(recomputing)  # not committed yet: the prior row stays locked
    new_version = recomputing.get(RatingPrior, 1).version  # type: ignore[union-attr]
    writer = Community(session_factory(pg_url)())
    failures: list[BaseException] = []

    def write() -> None:
        try:
            body = ReviewIn(engagement_ref="meanwhile", professionalism=1, responsiveness=1, cost_transparency=1,
                            outcome=1)
            svc.review_agency(writer.writer(author), agency, body)
        except BaseException as exc:  # reported to the test below
            failures.append(exc)

    thread = threading.Thread(target=write)
    thread.start()
    time.sleep(1.0)
    assert thread.is_alive()  # waiting for the recomputation's lock
    recomputing.commit()
    recomputing.close()
    thread.join(timeout=30)
    assert not thread.is_alive() and failures == []
    writer.session.close()
    with session_factory(pg_url)() as check:
        row = check.get(Agency, agency)
        prior = check.get(RatingPrior, 1)
        assert row is not None and prior is not None and row.rating_count == MIN_REVIEWS + 1
        assert row.prior_version == row.breakdown["rating"]["prior_version"] == prior.version == new_version
        assert row.breakdown["rating"]["prior_mean"] == round(prior.mean, 4)
        assert row.bayes == pytest.approx((5 * MIN_REVIEWS + 1 + prior.mean * K_PRIOR) / (MIN_REVIEWS + 1 + K_PRIOR),
                                          abs=1e-4)


def test_one_readers_two_reviews_at_once_make_one(pg_url: str) -> None:
    """PostgreSQL: two POSTs of one reader's review at once (two engagement numbers) each found no
    review of theirs and both were written; the agency's row is now locked first, so the second waits,
    then finds the first and is refused."""
    from core.errors import Conflict

    setup = Community(session_factory(pg_url)())
    admin, author = setup.user(Role.admin), setup.user()
    agency = _agency(setup, admin, "Twice")
    setup.session.close()
    holder = session_factory(pg_url)()
    holder.execute(select(Agency.id).where(Agency.id == agency).with_for_update())  # both requests wait on it
    outcomes: list[str] = []

    def write(ref: str) -> None:
        writer = Community(session_factory(pg_url)())
        body = ReviewIn(engagement_ref=ref, professionalism=4, responsiveness=4, cost_transparency=4, outcome=4)
        try:
            svc.review_agency(writer.writer(author), agency, body)
            outcomes.append("written")
        except Conflict:
            outcomes.append("refused")
        finally:
            writer.session.close()

    threads = [threading.Thread(target=write, args=(ref,)) for ref in ("INV-1", "INV-2")]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    assert outcomes == [] and all(t.is_alive() for t in threads)  # both wait for the agency's row
    holder.rollback()
    holder.close()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "written"]
    with session_factory(pg_url)() as check:
        assert len(check.scalars(select(Review).where(Review.agency_id == agency,
                                                      Review.author_id == author.id)).all()) == 1
