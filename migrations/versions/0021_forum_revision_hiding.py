"""a moderator may hide one of a post's earlier versions from readers (forum_post_revisions.hidden_*)

Every revision written before this one stays shown, as it was.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 19:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('forum_post_revisions') as batch:
        batch.add_column(sa.Column('hidden_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('hidden_by', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('hidden_reason', sa.String(length=500), nullable=True))
        batch.create_foreign_key('fk_forum_post_revisions_hidden_by_users', 'users', ['hidden_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('forum_post_revisions') as batch:
        batch.drop_constraint('fk_forum_post_revisions_hidden_by_users', type_='foreignkey')
        batch.drop_column('hidden_reason')
        batch.drop_column('hidden_by')
        batch.drop_column('hidden_at')
