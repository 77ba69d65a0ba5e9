"""Migration 0015 makes forum posts' search tokens anew with analysis version 4, on SQLite and
PostgreSQL: a post written under the older analysis is found by the words version 4 makes."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from community.forums.tokens import search_tokens
from core.db import get_engine
from core.migrate import upgrade

# (markdown, the tokens version 3 stored, a token only version 4 makes)
LEGACY = [("Clamping **workpieces** on the top cover", " clamp workpieces cover ", "workpiece"),
          ("The first electrode", " electrode ", "first"),
          ("无线 充电", " 无线 充电 ", "充电")]


def _seed(url: str) -> list[int]:
    now = datetime.now(UTC)
    meta = sa.MetaData()
    meta.reflect(get_engine(url), only=["users", "forum_categories", "forum_topics", "forum_posts"])
    users, categories = meta.tables["users"], meta.tables["forum_categories"]
    topics, posts = meta.tables["forum_topics"], meta.tables["forum_posts"]
    with get_engine(url).begin() as conn:
        user = conn.execute(users.insert().values(email="old@example.org", display_name="old", password_hash="-",
                                                  role="member", is_active=True, created_at=now)
                            .returning(users.c.id)).scalar_one()
        category = conn.execute(categories.insert().values(name="Old", description="")
                                .returning(categories.c.id)).scalar_one()
        topic = conn.execute(topics.insert().values(
            category_id=category, author_id=user, title="Old", locked=False, hidden=False, deleted=False,
            post_count=len(LEGACY), created_at=now, last_post_at=now).returning(topics.c.id)).scalar_one()
        return [conn.execute(posts.insert().values(
            topic_id=topic, number=n, author_id=user, markdown=markdown, html="", search_tokens=stored, likes=[],
            flags=[], flag_count=0, hidden=False, deleted=False, created_at=now).returning(posts.c.id)).scalar_one()
            for n, (markdown, stored, _) in enumerate(LEGACY, start=1)]


def test_migration_0015_makes_forum_tokens_anew(fresh_db: str) -> None:
    upgrade(fresh_db, "0014")
    ids = _seed(fresh_db)
    upgrade(fresh_db, "0015")
    with get_engine(fresh_db).connect() as conn:
        stored = dict(conn.execute(sa.text("SELECT id, search_tokens FROM forum_posts")).all())
    for post_id, (markdown, old, new_token) in zip(ids, LEGACY, strict=True):
        assert stored[post_id] == search_tokens(markdown)
        assert f" {new_token} " in stored[post_id] and (stored[post_id] != old or new_token in old)
    assert " workpiece " in stored[ids[0]] and " top " in stored[ids[0]] and " first " in stored[ids[1]]
