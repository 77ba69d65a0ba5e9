"""Worked examples of the documented rating and tier formula (community/agencies/scoring.py)."""

from __future__ import annotations

import pytest

from community.agencies.scoring import bayesian, credit, tier_for


def test_bayesian_average_pulls_small_samples_to_the_prior() -> None:
    assert bayesian(None, 0, 3.8) == 3.8
    assert bayesian(5.0, 1, 3.8) == pytest.approx((5 + 3.8 * 30) / 31)  # one 5-star review barely moves it
    assert bayesian(4.5, 300, 3.8) == pytest.approx((4.5 * 300 + 3.8 * 30) / 330)
    assert bayesian(5.0, 3, 3.8) < bayesian(4.6, 200, 3.8)  # many good reviews beat a few perfect ones


@pytest.mark.parametrize("deductions,bonus,rating,score,tier", [
    ([], [], 3.0, 100.0, "A+"),                                    # clean record, neutral rating
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
    assert [tier_for(s) for s in (100, 99.99, 90, 89.99, 80, 79.99, 60, 59.99)] == [
        "A+", "A", "A", "B", "B", "C", "C", "D"]
