"""service-hall applications record the year their deadlines were provisional in, to reschedule them

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 17:40:00
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import chinese_calendar
import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hall_applications') as batch:
        batch.add_column(sa.Column('provisional_year', sa.Integer(), nullable=True))
        batch.create_index('ix_hall_applications_provisional_year', ['provisional_year'])
    _mark_running_applications()


def _unknown(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return True
    return False


def _mark_running_applications() -> None:
    """Running applications scheduled before this revision: the first year their deadlines reach
    without an official schedule (a deadline at 24:00 on 31 December is stored as 1 January 00:00)."""
    apps = sa.table('hall_applications', sa.column('id', sa.Integer), sa.column('running_since', sa.DateTime),
                    sa.column('step_due_at', sa.DateTime), sa.column('total_due_at', sa.DateTime),
                    sa.column('provisional_year', sa.Integer))
    conn = op.get_bind()
    beijing = ZoneInfo('Asia/Shanghai')
    rows = conn.execute(sa.select(apps.c.id, apps.c.step_due_at, apps.c.total_due_at)
                        .where(apps.c.running_since.is_not(None))).all()
    for row in rows:
        years = sorted({(due.replace(tzinfo=due.tzinfo or dt.UTC) - dt.timedelta(seconds=1)).astimezone(beijing).year
                        for due in (row.step_due_at, row.total_due_at) if due is not None})
        year = next((y for y in years if _unknown(y)), None)
        if year is not None:
            conn.execute(sa.update(apps).where(apps.c.id == row.id).values(provisional_year=year))


def downgrade() -> None:
    # Not batch mode: on SQLite it rebuilds the table, and dropping the old one with foreign keys on
    # would cascade to the applications' events, cards and materials. SQLite >= 3.35 drops a column.
    op.drop_index('ix_hall_applications_provisional_year', table_name='hall_applications')
    op.drop_column('hall_applications', 'provisional_year')
