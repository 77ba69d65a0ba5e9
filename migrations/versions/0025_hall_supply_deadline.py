"""service hall: a time limit to supply asked-for materials (补正期限)

hall_items.supply_days (working days, 15 unless the office sets another) and
hall_applications.supply_due_at (while an application waits for materials). Applications already
waiting get their limit counted from now by the first sweep (servicehall.lapsing), not a past one.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 22:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hall_items') as batch:
        batch.add_column(sa.Column('supply_days', sa.Integer(), nullable=False, server_default='15'))
    with op.batch_alter_table('hall_applications') as batch:
        batch.add_column(sa.Column('supply_due_at', sa.DateTime(timezone=True), nullable=True))
        batch.create_index('ix_hall_applications_supply_due_at', ['supply_due_at'])


def downgrade() -> None:
    with op.batch_alter_table('hall_applications') as batch:
        batch.drop_index('ix_hall_applications_supply_due_at')
        batch.drop_column('supply_due_at')
    with op.batch_alter_table('hall_items') as batch:
        batch.drop_column('supply_days')
