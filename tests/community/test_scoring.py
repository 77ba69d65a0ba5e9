"""Worked examples of the documented rating and tier formula (community/agencies/scoring.py)."""

from __future__ import annotations

import pytest

from community.agencies.scoring import Evidence, Prior, Tier, bayesian, credit, rate, tier_for


def test_bayesian_average_pulls_small_samples_to_the_prior() -> None:
    assert bayesian(None, 0, 3.8) == 3.8
    assert bayesian(5.0, 1, 3.8) == pytest.approx((5 + 3.8 * 30) / 31)  # one 5-star review barely moves it
    assert bayesian(4.5, 300, 3.8) == pytest.approx((4.5 * 300 + 3.8 * 30) / 330)
    assert bayesian(5.0, 3, 3.8) < bayesian(4.6, 200, 3.8)  # many good reviews beat a few perfect ones


@pytest.mark.parametrize("deductions,bonus,rating,score,tier", [
    ([], [], 3.0, 100.0, "A"),                                     # clean record, neutral rating: the start
    ([], [], 3.2, 101.0, "A+"),                                    # reviews better than neutral lift it
    ([], [], 2.6, 98.0, "A"),                                       # poor reviews cost up to 5
    ([("abnormal applications", 15)], [], 3.8, 89.0, "B"),          # 100 - 15 + 4
    ([("abnormal applications", 15)], [5, 10], 3.8, 99.0, "A"),     # bonus capped at 10
    ([("ordered to stop new business", 60)], [], 4.9, 45.0, "D"),  # rating bounded at +5
    ([("complaint upheld", 10), ("abnormal applications", 15)], [], 3.0, 75.0, "C"),
    ([("licence revoked", 100)], [10], 5.0, 15.0, "D"),
    ([], [3], 4.2, 108.0, "A+"),                                    # bonus lifts to A+; rating +6 bounded to +5
])
def test_tier_examples(deductions: list[tuple[str, float]], bonus: list[float], rating: float, score: float,
                       tier: str) -> None:
    b = credit(deductions, bonus, rating)
    assert b.score == score and b.tier == tier
    assert b.as_dict()["score"] == score


def test_tier_boundaries() -> None:
    assert [tier_for(s) for s in (100.01, 100, 99.99, 90, 89.99, 80, 79.99, 60, 59.99)] == [
        "A+", "A", "A", "A", "B", "B", "C", "C", "D"]


def test_too_little_evidence_is_not_yet_rated() -> None:
    prior = Prior(mean=4.0, k=30, version=7)
    two = rate(Evidence(stars=[5.0, 5.0]), prior)
    assert (two.tier, two.score, two.breakdown.rating_component) == (Tier.not_rated, 100.0, 0.0)
    assert two.bayes == round((10 + 4.0 * 30) / 32, 4)  # shown, but it does not move the score yet
    three = rate(Evidence(stars=[5.0, 5.0, 5.0]), prior)
    assert (three.tier, three.score) == (Tier.a_plus, 105.0)  # (4.09 - 3) * 5 bounded to +5
    assert three.breakdown.as_dict()["rating"] == {
        "mean": 5.0, "count": 3, "bayesian": round((15 + 120) / 33, 4), "prior_mean": 4.0, "k": 30,
        "prior_version": 7, "min_reviews": 3, "counts_towards_score": True}
    nothing = rate(Evidence(), prior)
    assert (nothing.tier, nothing.bayes, nothing.mean, nothing.breakdown.as_dict()["rated"]) == (
        Tier.not_rated, 4.0, None, False)
    sanctioned = rate(Evidence(deductions=[("licence revoked", 100.0)]), prior)
    assert (sanctioned.tier, sanctioned.score) == (Tier.d, 0.0)  # an adverse record is never hidden
    commended = rate(Evidence(commendations=[10.0]), prior)
    assert (commended.tier, commended.score) == (Tier.not_rated, 110.0)


def test_not_rated_sorts_after_every_rated_tier() -> None:
    assert sorted(Tier, key=lambda t: t.rank) == [Tier.a_plus, Tier.a, Tier.b, Tier.c, Tier.d, Tier.not_rated]
    assert Tier("not_rated") is Tier.not_rated and Tier("A+") == "A+"
