"""The demo content of ``make run``: every part of the portal has something to show on a fresh
platform, labelled demo, and seeding twice changes nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from community.agencies import service as agencies
from community.agencies.models import Agency, Tier
from community.forums import service as forums
from copyright.catalogue import search_works
from copyright.schemas import WorksQuery
from core.accounts.models import Role, User
from core.accounts.service import check_credentials
from core.db import session_scope
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
