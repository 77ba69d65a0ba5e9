"""forum topics can be pinned: a moderator's pinned topics are listed first in their category

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 21:50:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('forum_topics') as batch:
        batch.add_column(sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('forum_topics') as batch:
        batch.drop_column('pinned')
