"""service hall: a time limit to supply asked-for materials (补正期限)

hall_items.supply_days (working days, 15 unless the office sets another) and
hall_applications.supply_due_at (while an application waits for materials). Applications already
waiting get their limit counted from now by the first sweep (servicehall.lapsing), not a past one.
A withdrawn application is no longer said to be on time (on_time empty): only a decision is.

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
    # a withdrawn application was said to be "on time": only a decision is on time or late
    apps = sa.table('hall_applications', sa.column('status', sa.String), sa.column('on_time', sa.Boolean))
    op.get_bind().execute(sa.update(apps).where(apps.c.status == 'withdrawn').values(on_time=None))


def downgrade() -> None:
    # Not batch mode: on SQLite it rebuilds the table, and dropping the old one with foreign keys on
    # would cascade to the applications' events, cards and materials (and to the applications of an
    # item). SQLite >= 3.35 drops a column. A withdrawn application's on_time stays empty.
    op.drop_index('ix_hall_applications_supply_due_at', table_name='hall_applications')
    op.drop_column('hall_applications', 'supply_due_at')
    op.drop_column('hall_items', 'supply_days')
