"""A+ is a score above the starting 100: agencies rated A+ at exactly their starting score are A

Every agency starts at 100 points; as in CNIPA's credit rules only extra points (commendations,
reviews better than neutral) lift one to A+. The stored tier, and the tier inside the stored score
breakdown, of every agency at 100 or below is set again by the new rule.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 04:30:00
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

agencies = sa.table('agencies', sa.column('id', sa.Integer), sa.column('score', sa.Float),
                    sa.column('tier', sa.String), sa.column('breakdown', sa.JSON))


def _retier(old: str, new: str, at: sa.ColumnElement[bool]) -> None:
    bind = op.get_bind()
    for row in bind.execute(sa.select(agencies.c.id, agencies.c.breakdown).where(agencies.c.tier == old, at)).all():
        breakdown: dict[str, Any] = dict(row.breakdown or {})
        if breakdown:
            breakdown["tier"] = new
        bind.execute(agencies.update().where(agencies.c.id == row.id).values(tier=new, breakdown=breakdown))


def upgrade() -> None:
    _retier('A+', 'A', agencies.c.score <= 100)


def downgrade() -> None:
    _retier('A', 'A+', agencies.c.score >= 100)
