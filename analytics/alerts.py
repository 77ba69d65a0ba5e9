"""Subscriptions and alert delivery: rules run for every subscription on each corpus-updated
event and on schedule; each alert is stored once per subscription and reaches each subscriber
once (a notification), however many runs or subscriptions raise it."""

from __future__ import annotations

import datetime as dt
import logging

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analytics import scopes
from analytics.models import Alert, AlertDelivery, Subscription
from analytics.rules import Finding, RuleContext, RulesConfig, evaluate
from core.accounts.models import Membership, User
from core.countries import CountryCode
from core.db import session_scope
from core.errors import InvalidInput, NotFound, PermissionDenied, Refused
from core.i18n import shown_today
from core.ids import DbId
from core.notifications import notify
from ipsearch.events import CorpusEvent, latest_event_id
from ipsearch.names import harmonise_name
from ipsearch.query.parser import QuerySyntaxError
from ipsearch.service import SearchService

log = logging.getLogger(__name__)


class SubscriptionIn(BaseModel):
    scope: str = Field(min_length=1, max_length=60)
    org_id: DbId | None = None
    home_country: CountryCode = "CN"
    watched: list[str] = Field(default_factory=list, max_length=50, description="competitor names")
    product_keywords: list[str] = Field(default_factory=list, max_length=30)
    rules: RulesConfig = RulesConfig()
    alerts: bool = True
    monthly_report: bool = False
    lang: str = Field(default="en", pattern=r"^(en|zh)$")

    @field_validator("watched")
    @classmethod
    def _harmonised(cls, names: list[str]) -> list[str]:
        return list(dict.fromkeys(k for n in names if (k := harmonise_name(n))))

    @field_validator("product_keywords")
    @classmethod
    def _keywords(cls, words: list[str]) -> list[str]:
        cleaned = [w.replace('"', " ").strip() for w in words]
        if any(len(w) > 100 for w in cleaned):
            raise ValueError("a product keyword is at most 100 characters")
        return [w for w in dict.fromkeys(cleaned) if w]


def threshold_problems(rules: RulesConfig) -> list[InvalidInput]:
    """Each pair whose red threshold is below its yellow one, marked with the red field (where a
    form says it). A red alert is the stronger one: a newcomer's yellow 200 %, red 10 % would have
    sent red before yellow. Both pairs are checked, so one answer names both."""
    growth, keywords = rules.foreign_growth, rules.product_keywords
    problems: list[InvalidInput] = []
    if growth.red_pct < growth.yellow_pct:  # each pair named: the form has two
        problems.append(InvalidInput.said("a red threshold cannot be below its yellow one: foreign growth, red above "
                                          "%(red)s %% is below yellow above %(yellow)s %%", red=f"{growth.red_pct:g}",
                                          yellow=f"{growth.yellow_pct:g}").about("red_pct"))
    if keywords.red_keywords < keywords.min_keywords:
        problems.append(InvalidInput.said("a red threshold cannot be below its yellow one: %(red)s keywords for a red "
                                          "alert are fewer than %(yellow)s for a yellow one",
                                          red=keywords.red_keywords,
                                          yellow=keywords.min_keywords).about("red_keywords"))
    return problems


def _check_thresholds(rules: RulesConfig) -> None:
    problems = threshold_problems(rules)
    if len(problems) == 1:
        raise problems[0]
    if problems:  # both pairs: one refusal that says both, each part translated where it is said
        raise Refused(list(problems))


def subscribe(session: Session, user_id: int, data: SubscriptionIn) -> Subscription:
    scopes.resolve_for(session, data.scope, session.get(User, user_id))
    _check_thresholds(data.rules)
    if data.org_id is not None:
        member = session.scalar(select(Membership).where(Membership.user_id == user_id,
                                                         Membership.org_id == data.org_id))
        if member is None:
            raise PermissionDenied("you can subscribe for an organisation you belong to only").about("org_id")
    latest = latest_event_id(session)
    sub = Subscription(user_id=user_id, org_id=data.org_id, scope=data.scope, home_country=data.home_country,
                       watched=data.watched, product_keywords=data.product_keywords,
                       rules=data.rules.model_dump(), alerts=data.alerts, monthly_report=data.monthly_report,
                       lang=data.lang, last_event_id=latest)
    session.add(sub)
    session.flush()
    return sub


def owned_subscription(session: Session, user_id: int, sub_id: int) -> Subscription:
    sub = session.get(Subscription, sub_id)
    if sub is None or sub.user_id != user_id:
        raise NotFound.said("subscription %(id)s not found", id=sub_id)
    return sub


def subscribers(session: Session, sub: Subscription) -> list[int]:
    """The subscriber and, for an association's subscription, every member."""
    users = {sub.user_id}
    if sub.org_id is not None:
        users |= set(session.scalars(select(Membership.user_id).where(Membership.org_id == sub.org_id)))
    return sorted(users)


def record(session: Session, sub: Subscription, finding: Finding, as_of: dt.date) -> int:
    """Store the alert (once per subscription) and deliver it (once per user); returns deliveries."""
    fp = finding.fingerprint(sub.scope, as_of)
    alert = session.scalar(select(Alert).where(Alert.subscription_id == sub.id, Alert.fingerprint == fp))
    if alert is None:
        alert = Alert(subscription_id=sub.id, rule=finding.rule, severity=finding.severity, fingerprint=fp,
                      title=finding.title[:300], evidence=finding.evidence.model_dump() | {"values": finding.values})
        session.add(alert)
        session.flush()
    delivered = 0
    for user_id in subscribers(session, sub):
        if session.scalar(select(AlertDelivery.id).where(AlertDelivery.user_id == user_id,
                                                         AlertDelivery.fingerprint == fp)):
            continue
        try:
            with session.begin_nested():
                session.add(AlertDelivery(user_id=user_id, fingerprint=fp, alert_id=alert.id))
        except IntegrityError:  # a concurrent run delivered it first
            continue
        notify(session, user_id, "alert", f"[{finding.severity}] {finding.title}", alert_id=alert.id,
               rule=finding.rule, severity=finding.severity, scope=sub.scope, evidence=finding.evidence.model_dump(),
               subject=finding.subject, lang=sub.lang, **finding.values)
        delivered += 1
    return delivered


def rule_context(session: Session, sub: Subscription, as_of: dt.date,
                 new_runs: list[int] | None = None) -> tuple[RuleContext, RulesConfig]:
    """What the rules read of a subscription: its scope's query, watched names and keywords on
    ``as_of``, and its thresholds; NotFound when its scope is gone."""
    scope = scopes.resolve(session, sub.scope)
    return (RuleContext(query=scope.query, as_of=as_of, home_country=sub.home_country, watched=sub.watched,
                        product_keywords=sub.product_keywords, new_runs=new_runs or []),
            RulesConfig.model_validate(sub.rules or {}))


class Run(BaseModel):
    """What one subscription's rules found and delivered."""

    findings: int = 0
    deliveries: int = 0


def run_subscription(service: SearchService, database_url: str, sub_id: int, as_of: dt.date) -> Run | None:
    """Evaluate one subscription against the corpus as of ``as_of`` and record its findings; the
    newly loaded documents are those of corpus events after the subscription's last one. None when
    it is gone or its scope no longer reads."""
    with session_scope(database_url) as session:
        sub = session.get(Subscription, sub_id, with_for_update=True)
        if sub is None:
            return None
        events = list(session.execute(select(CorpusEvent.id, CorpusEvent.run_id).where(
            CorpusEvent.id > sub.last_event_id, CorpusEvent.backend == service.backend.kind)
            .order_by(CorpusEvent.id)))
        try:
            findings = evaluate(service, *rule_context(session, sub, as_of, sorted({r for _, r in events})))
        except (NotFound, QuerySyntaxError) as exc:
            log.warning("subscription %s: %s", sub_id, exc)
            return None
        run = Run(findings=len(findings))
        for finding in findings:
            run.deliveries += record(session, sub, finding, as_of)
        if events:
            sub.last_event_id = max(e for e, _ in events)
        return run


def run_rules(service: SearchService, database_url: str, as_of: dt.date | None = None) -> dict[str, int]:
    """Evaluate every alerting subscription against the corpus (``run_subscription``)."""
    as_of = as_of or shown_today()
    with session_scope(database_url) as session:
        ids = list(session.scalars(select(Subscription.id).where(Subscription.alerts.is_(True))))
    counts = {"subscriptions": 0, "findings": 0, "deliveries": 0}
    for sub_id in ids:
        run = run_subscription(service, database_url, sub_id, as_of)
        if run is not None:
            counts["subscriptions"] += 1
            counts["findings"] += run.findings
            counts["deliveries"] += run.deliveries
    return counts
