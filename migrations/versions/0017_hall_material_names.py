"""service-hall materials record which of the item's listed materials each file is

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 07:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hall_materials') as batch:
        batch.add_column(sa.Column('material', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hall_materials') as batch:
        batch.drop_column('material')
