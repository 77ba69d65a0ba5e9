"""Ratings and tiers, as documented rules (pure functions, so worked examples are tests).

Rating: Bayesian average (mu*N + mu_all*k) / (N + k) with k = 30 (a published default), over the
mean of the four criteria of each review that is not held for moderation. Never the raw mean.

Credit score, modelled on CNIPA's patent-agency credit evaluation (trial rules of 2023):
  start at 100
  - every sanction and upheld complaint deducts its points (e.g. abnormal applications up to 40,
    ordered to stop new business 60, licence revoked 100)
  + commendations add their points, at most +10 in total
  + a rating component: (Bayesian rating - 3.0) * 5, bounded to [-5, +5]
Tier: A+ >= 100 (reachable only with bonus points), A >= 90, B >= 80, C >= 60, D below 60.
"""

from __future__ import annotations

from dataclasses import dataclass, field

K_PRIOR = 30
BASE_SCORE = 100.0
MAX_BONUS = 10.0
RATING_WEIGHT = 5.0
RATING_BOUND = 5.0
TIERS = [(100.0, "A+"), (90.0, "A"), (80.0, "B"), (60.0, "C")]
TIER_ORDER = {"A+": 0, "A": 1, "B": 2, "C": 3, "D": 4}


def bayesian(mean: float | None, count: int, prior_mean: float, k: int = K_PRIOR) -> float:
    """(mu*N + mu_all*k) / (N + k); with no reviews, the prior mean."""
    if not count or mean is None:
        return prior_mean
    return (mean * count + prior_mean * k) / (count + k)


@dataclass
class Breakdown:
    base: float = BASE_SCORE
    deductions: list[tuple[str, float]] = field(default_factory=list)
    bonus: float = 0.0
    rating_component: float = 0.0

    @property
    def score(self) -> float:
        return round(self.base - sum(p for _, p in self.deductions) + self.bonus + self.rating_component, 2)

    @property
    def tier(self) -> str:
        return tier_for(self.score)

    def as_dict(self) -> dict[str, object]:
        return {"base": self.base, "deductions": [{"reason": r, "points": p} for r, p in self.deductions],
                "bonus": self.bonus, "rating_component": self.rating_component, "score": self.score,
                "tier": self.tier, "formula": "100 - deductions + min(bonus, 10) + clamp((rating - 3) * 5, -5, 5)"}


def tier_for(score: float) -> str:
    for threshold, name in TIERS:
        if score >= threshold:
            return name
    return "D"


def credit(deductions: list[tuple[str, float]], commendations: list[float], rating: float) -> Breakdown:
    component = max(-RATING_BOUND, min(RATING_BOUND, (rating - 3.0) * RATING_WEIGHT))
    return Breakdown(deductions=deductions, bonus=min(MAX_BONUS, sum(commendations)),
                     rating_component=round(component, 2))
