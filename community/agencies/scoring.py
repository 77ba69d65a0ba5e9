"""Ratings and tiers, as documented rules (pure functions, so worked examples are tests).

Rating: Bayesian average (mu*N + mu_all*k) / (N + k) with k = 30 (a published default), over the
mean of the four criteria of each review that is not held for moderation. Never the raw mean.
The prior (mu_all, the platform-wide mean of counted reviews, and k) is one ``Prior`` shared by every
agency: it is recomputed only for all agencies at once (``service.recompute_all``), so a review of
one agency moves that agency's rating and no other's.

Evidence: an agency is rated once it has at least 3 counted reviews, or an adverse integrity record
(a sanction or an upheld complaint, which is never hidden). Until then its tier is "not yet rated"
(``Tier.not_rated``), listed after every rated agency, and its reviews do not count towards a score.

Credit score, modelled on CNIPA's patent-agency credit evaluation (trial rules of 2023):
  start at 100
  - every sanction and upheld complaint deducts its points (e.g. abnormal applications up to 40,
    ordered to stop new business 60, licence revoked 100)
  + commendations add their points, at most +10 in total
  + a rating component once the agency has 3 counted reviews: (Bayesian rating - 3.0) * 5, bounded
    to [-5, +5]
Tier: A+ above 100, A >= 90, B >= 80, C >= 60, D below 60; "not yet rated" without enough evidence.
Every agency starts at 100, so a clean record with neutral reviews is A; as in CNIPA's rules only
extra points (commendations, reviews better than neutral) lift it to A+: A+ at the start read as
"excellent" for every firm nobody had anything to say about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

K_PRIOR = 30
MIN_REVIEWS = 3  # counted reviews before an agency is rated on reviews alone
NEUTRAL_RATING = 3.0  # the prior before any review, and the rating that moves the score by nothing
BASE_SCORE = 100.0
MAX_BONUS = 10.0
RATING_WEIGHT = 5.0
RATING_BOUND = 5.0
FORMULA = "100 - deductions + min(bonus, 10) + clamp((rating - 3) * 5, -5, 5) once rated on 3 reviews"


class Tier(StrEnum):
    """Tiers best first; ``not_rated`` (too little evidence) sorts after every rated tier."""

    a_plus = "A+"
    a = "A"
    b = "B"
    c = "C"
    d = "D"
    not_rated = "not_rated"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)


TIERS = [(90.0, Tier.a), (80.0, Tier.b), (60.0, Tier.c)]  # A+ is a score above BASE_SCORE


@dataclass(frozen=True)
class Prior:
    """The prior every agency's rating uses: mean of counted reviews platform-wide, weight ``k``."""

    mean: float = NEUTRAL_RATING
    k: int = K_PRIOR
    version: int = 0


@dataclass(frozen=True)
class Evidence:
    """What an agency is rated on: its counted reviews' criteria means and its integrity records."""

    stars: list[float] = field(default_factory=list)
    deductions: list[tuple[str, float]] = field(default_factory=list)
    commendations: list[float] = field(default_factory=list)

    @property
    def enough_reviews(self) -> bool:
        return len(self.stars) >= MIN_REVIEWS

    @property
    def rated(self) -> bool:
        return self.enough_reviews or bool(self.deductions)


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
    rated: bool = True
    rating: dict[str, object] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return round(self.base - sum(p for _, p in self.deductions) + self.bonus + self.rating_component, 2)

    @property
    def tier(self) -> Tier:
        return tier_for(self.score) if self.rated else Tier.not_rated

    def as_dict(self) -> dict[str, object]:
        return {"base": self.base, "deductions": [{"reason": r, "points": p} for r, p in self.deductions],
                "bonus": self.bonus, "rating_component": self.rating_component, "score": self.score,
                "tier": self.tier.value, "rated": self.rated, "rating": self.rating, "formula": FORMULA}


def tier_for(score: float) -> Tier:
    if score > BASE_SCORE:
        return Tier.a_plus
    for threshold, tier in TIERS:
        if score >= threshold:
            return tier
    return Tier.d


def credit(deductions: list[tuple[str, float]], commendations: list[float], rating: float,
           rated: bool = True) -> Breakdown:
    component = max(-RATING_BOUND, min(RATING_BOUND, (rating - NEUTRAL_RATING) * RATING_WEIGHT))
    return Breakdown(deductions=deductions, bonus=min(MAX_BONUS, sum(commendations)),
                     rating_component=round(component, 2), rated=rated)


@dataclass(frozen=True)
class Rating:
    """An agency's rating and credit under one prior."""

    mean: float | None
    count: int
    bayes: float
    breakdown: Breakdown

    @property
    def score(self) -> float:
        return self.breakdown.score

    @property
    def tier(self) -> Tier:
        return self.breakdown.tier


def rate(evidence: Evidence, prior: Prior) -> Rating:
    """The rating and credit ``evidence`` earns under ``prior``; reviews move the score only once
    there are enough of them, and too little evidence gives ``Tier.not_rated``."""
    count = len(evidence.stars)
    mean = sum(evidence.stars) / count if count else None
    bayes = round(bayesian(mean, count, prior.mean, prior.k), 4)
    breakdown = credit(evidence.deductions, evidence.commendations,
                       bayes if evidence.enough_reviews else NEUTRAL_RATING, rated=evidence.rated)
    breakdown.rating = {"mean": round(mean, 3) if mean is not None else None, "count": count, "bayesian": bayes,
                        "prior_mean": round(prior.mean, 4), "k": prior.k, "prior_version": prior.version,
                        "min_reviews": MIN_REVIEWS, "counts_towards_score": evidence.enough_reviews}
    return Rating(mean=round(mean, 3) if mean is not None else None, count=count, bayes=bayes, breakdown=breakdown)
