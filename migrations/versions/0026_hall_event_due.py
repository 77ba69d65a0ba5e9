"""service hall: the time limit a trail event set (补正期限 on its step)

hall_events.due_at: the time to supply materials that a request for materials, an office's
extension (延长补正期限) or the platform's new count gave, and the one that had passed when the
application lapsed; the trail shows it beside the step. Events written before stay without one.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 00:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hall_events') as batch:
        batch.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Not batch mode (as 0025): rebuilding the table on SQLite would not keep its foreign keys' data
    # safe; SQLite >= 3.35 drops a column.
    op.drop_column('hall_events', 'due_at')
