"""a reader's visits of a collection's page: collection_visits

A document a collection's saved query found on a refresh carried a "new match" badge for ever; it
now says new to a reader only until they open the collection after it was found. Each reader of a
collection has one row: their last view and the end of the visit before their current one. Nobody has
visited yet, so on their first visit a reader sees every document found on a refresh as new, once.
Downgrading drops the table (the badge then shows for every document found on a refresh again).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 21:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('collection_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('collection_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_before', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['collection_id'], ['collections.id'],
                            name=op.f('fk_collection_visits_collection_id_collections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_collection_visits_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_collection_visits')),
    sa.UniqueConstraint('collection_id', 'user_id', name=op.f('uq_collection_visits_collection_id'))
    )
    with op.batch_alter_table('collection_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_collection_visits_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('collection_visits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_collection_visits_user_id'))
    op.drop_table('collection_visits')
