"""a service-hall department may separate duties (审批分离): hall_departments.separate_duties

Every department separates them from now on, as a new one does; an admin switches it off where
too few people work to keep handling, review and approval apart.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 21:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hall_departments') as batch:
        batch.add_column(sa.Column('separate_duties', sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table('hall_departments') as batch:
        batch.drop_column('separate_duties')
