"""The demo content of ``make run``: every part of the portal has something to show on a fresh
platform, labelled demo, and seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from community.agencies import service as agencies
from community.agencies.models import Agency, Review, Tier
from community.agencies.schemas import ReviewIn
from community.forums import service as forums
from copyright.catalogue import search_works
from copyright.schemas import WorksQuery
from core.accounts.models import Role, User
from core.accounts.service import check_credentials, create_user
from core.audit import AuditContext, Writer
from core.db import session_scope
from core.i18n import shown_today
from core.ratelimit import make_rate_limiter
from core.settings import Settings
from demo.content import ADMIN_EMAIL, DOMAIN, seed_demo_content


def test_a_fresh_platform_gets_demo_content_once(embedded_settings: Settings) -> None:
    made = seed_demo_content(embedded_settings)
    assert made.created and made.admin_password and (made.topics, made.agencies, made.works) == (3, 6, 1)
    assert made.services == 6  # the service hall's seed catalogue
    again = seed_demo_content(embedded_settings)
    assert not again.created and again.admin_password is None  # the password is shown once
    with session_scope(embedded_settings.effective_database_url) as session:
        admin = check_credentials(session, embedded_settings, make_rate_limiter(None), "127.0.0.1", ADMIN_EMAIL,
                                  made.admin_password)
        assert admin.role is Role.admin
        assert session.scalar(select(func.count()).select_from(User).where(User.email.like(f"%@{DOMAIN}"))) == 5
        assert session.scalar(select(func.count()).select_from(Agency)) == 6  # seeded once, not twice
        listed = agencies.list_agencies(session, limit=10)
        tiers = [a.tier for a in listed]
        assert tiers.count(Tier.not_rated) == 2 and tiers[-2:] == [Tier.not_rated, Tier.not_rated]
        assert len(set(tiers)) >= 3  # A+, a lower tier (a sanction), not yet rated
        assert [a.name for a in agencies.list_agencies(session, province="广东省")] and all(
            "演示" in a.name for a in listed)
        summaries = forums.category_summaries(session)
        assert len(summaries) == 3 and all("演示" in c.name for c in summaries)
        works = search_works(session, WorksQuery(title="演示"))
        assert works.total == 1 and works.items[0].hash_only


def test_the_demo_raises_real_alerts_on_the_demo_corpus(embedded_settings: Settings) -> None:
    """``make run`` showed no alert: the demo's subscriptions (to demo copies of two industries, named
    so) have their rules run on the demo corpus, which raise a red and a yellow alert with their
    evidence, in the administrator's alerts and inbox."""
    from analytics import alerts, scopes
    from analytics import service as analytics
    from analytics.models import Subscription
    from analytics.periods import latest_publication
    from analytics.rules import Rule, evaluate
    from core.notifications import Notification
    from ipsearch.backends import get_backend
    from ipsearch.service import SearchService
    from loaders.demo import prepare_demo

    assert prepare_demo(embedded_settings, 2000).loaded > 2000  # the corpus `make run` loads
    made = seed_demo_content(embedded_settings)
    assert made.alerts >= 2
    with session_scope(embedded_settings.effective_database_url) as session:
        admin = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        assert admin is not None
        subs = analytics.subscriptions_of(session, admin)
        assert [s.scope for s in subs] == ["demo-medical-devices", "demo-telecom"]
        named = {s.key: (s.name, s.name_zh) for s in scopes.custom_scopes(session, admin)}
        assert all("demo" in en and "演示" in zh for en, zh in named.values()) and set(named) == {s.scope for s in subs}
        raised = analytics.alerts_of(session, admin)
        assert {a.severity.value for a in raised} == {"red", "yellow"}
        assert all(a.evidence["patents"] and a.evidence["values"] for a in raised)
        inbox = session.scalars(select(Notification).where(Notification.user_id == admin.id,
                                                           Notification.kind == "alert")).all()
        assert len(inbox) == len(raised)
        # what the rules themselves find as of the corpus's latest publication, not rows written for the demo
        search = SearchService(get_backend(embedded_settings))
        as_of = latest_publication(search, search.plan("IPC=A61B")[1], shown_today())
        assert as_of is not None
        for sub in subs:
            row = session.get(Subscription, sub.id)
            assert row is not None
            found = evaluate(search, *alerts.rule_context(session, row, as_of))
            assert [(f.rule, f.severity.value, f.title) for f in found] == [
                (Rule(a.rule), a.severity.value, a.title) for a in raised if a.subscription_id == sub.id]


def test_a_visitors_new_accounts_do_not_hold_the_demos_reviews(embedded_settings: Settings) -> None:
    """The demo's reviewers were accounts made that minute, so their reviews counted towards a burst
    of new accounts (five in a day): a tour's two new accounts reviewing the first agency held all
    five, and the agency read "not yet rated". The demo's people are long-standing members; the
    visitors' own reviews are not a burst either."""
    seed_demo_content(embedded_settings)
    with session_scope(embedded_settings.effective_database_url) as session:
        first = session.scalars(select(Agency).order_by(Agency.id)).first()
        assert first is not None and first.tier is not Tier.not_rated
        for who in ("visitor-a", "visitor-b"):
            visitor = create_user(session, f"{who}@example.org", "a quiet harbour at dusk 7", who)
            agencies.review_agency(Writer(session, visitor, AuditContext(actor_id=visitor.id, client_ip=None)),
                                   first.id, ReviewIn(engagement_ref=who, professionalism=4, responsiveness=4,
                                                      cost_transparency=4, outcome=4, text="a visitor's review"))
        assert session.scalar(select(func.count()).select_from(Review).where(
            Review.agency_id == first.id, Review.held.is_(True))) == 0
        session.refresh(first)
        assert first.tier is not Tier.not_rated
