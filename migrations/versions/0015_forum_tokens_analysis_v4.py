"""forum posts' search tokens made anew by analysis version 4 (its stop words and plurals)

A post keeps the analyzer's tokens of the day it was written: after an analysis that reads words
otherwise, a forum search for the words it now makes (a workpiece, first, the top cover) missed
every older post. Posts are read and rewritten in batches by id; the analyzer is built only when
there is a post to rewrite.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 03:40:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

BATCH = 500


def upgrade() -> None:
    from community.forums.tokens import search_tokens

    posts = sa.table('forum_posts', sa.column('id', sa.Integer), sa.column('markdown', sa.Text),
                     sa.column('search_tokens', sa.Text))
    rewrite = posts.update().where(posts.c.id == sa.bindparam('post_id')).values(search_tokens=sa.bindparam('tokens'))
    bind = op.get_bind()
    last = 0
    while rows := bind.execute(sa.select(posts.c.id, posts.c.markdown).where(posts.c.id > last)
                               .order_by(posts.c.id).limit(BATCH)).all():
        bind.execute(rewrite, [{'post_id': post_id, 'tokens': search_tokens(markdown)} for post_id, markdown in rows])
        last = rows[-1][0]


def downgrade() -> None:
    pass  # the tokens of a newer analysis are tokens still: an older version searches them as they are
