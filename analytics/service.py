"""Analytics operations the API calls: indicators of a scope, user-defined scopes, early-warning
subscriptions and their alerts (reports: analytics.reports.service).

Writes take a ``Writer`` (change, audit, commit); reads a session and the caller."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import alerts, scopes
from analytics.indicators import Basis, CountingUnit, IndicatorParams, Indicators, compute
from analytics.industries import Industry
from analytics.models import Alert, Severity, Subscription
from analytics.schemas import AlertOut, SubscriptionOut
from core.accounts.models import Membership, User
from core.audit import AuditAction, Writer
from core.i18n import shown_today
from ipsearch.service import SearchService

MAX_ALERTS = 500


def indicators(session: Session, search: SearchService, scope: str, *, user: User | None = None,
               basis: Basis = Basis.filing,
               cutoff: dt.date | None = None, from_year: int | None = None, to_year: int | None = None,
               home_country: str = "CN", top: int = 10,
               counting: CountingUnit = CountingUnit.family) -> Indicators:
    """The indicators of a built-in or user-defined scope, counted up to ``cutoff`` (default: today),
    by simple family (default) or by document. A custom scope only for those who may see it."""
    industry = scopes.resolve_for(session, scope, user)
    params = IndicatorParams.checked(basis=basis, cutoff=cutoff or shown_today(), from_year=from_year,
                                     to_year=to_year, home_country=home_country, top=top, counting=counting)
    return compute(search, industry.query, params)


def create_scope(w: Writer, body: scopes.ScopeIn) -> Industry:
    row = scopes.create(w.session, body, w.actor.id)
    w.audit(AuditAction.analytics_scope_create, "analytics_scope", row.id, key=row.key, query=row.query,
            org_id=row.org_id, published=row.published)
    w.commit()
    return scopes.resolve(w.session, row.key)


def subscribe(w: Writer, body: alerts.SubscriptionIn) -> SubscriptionOut:
    """Watch a scope for the caller or, for a member, for their organisation."""
    sub = alerts.subscribe(w.session, w.actor.id, body)
    w.audit(AuditAction.analytics_subscribe, "subscription", sub.id, scope=sub.scope, org_id=sub.org_id)
    w.commit()
    return SubscriptionOut.model_validate(sub)


def subscriptions_of(session: Session, user: User) -> list[SubscriptionOut]:
    rows = session.scalars(select(Subscription).where(Subscription.user_id == user.id).order_by(Subscription.id))
    return [SubscriptionOut.model_validate(s) for s in rows]


def unsubscribe(w: Writer, subscription_id: int) -> str:
    """Only the subscriber ends a subscription; to anyone else it does not exist. Returns the
    scope it watched, for the page to say which one ended."""
    sub = alerts.owned_subscription(w.session, w.actor.id, subscription_id)
    scope = sub.scope
    w.audit(AuditAction.analytics_unsubscribe, "subscription", subscription_id, scope=scope)
    w.session.delete(sub)
    w.commit()
    return scope


def subscribed_scope(session: Session, user: User, subscription_id: int | None) -> str | None:
    """The scope ``subscription_id`` watches when it is one of the user's subscriptions, else None:
    the list's "you are subscribed to …" is said from this, not from its address, which anyone can
    write (it named no scope, and a reader with several could not tell which one was made)."""
    sub = session.get(Subscription, subscription_id) if subscription_id else None
    return sub.scope if sub is not None and sub.user_id == user.id else None


def alerts_of(session: Session, user: User, severity: Severity | None = None) -> list[AlertOut]:
    """Alerts of the user's subscriptions and of their organisations' subscriptions, newest first."""
    orgs = select(Membership.org_id).where(Membership.user_id == user.id)
    subs = select(Subscription.id).where((Subscription.user_id == user.id) | Subscription.org_id.in_(orgs))
    stmt = select(Alert).where(Alert.subscription_id.in_(subs))
    if severity is not None:
        stmt = stmt.where(Alert.severity == severity)
    return [AlertOut.model_validate(a) for a in session.scalars(stmt.order_by(Alert.id.desc()).limit(MAX_ALERTS))]
