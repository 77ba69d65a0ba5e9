"""custom analytics scopes can be published: private to their owner (or organisation) until then

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 21:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('analytics_scopes') as batch:
        batch.add_column(sa.Column('published', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('analytics_scopes') as batch:
        batch.drop_column('published')
