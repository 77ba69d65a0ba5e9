"""A licence offer's inbox notice keeps how the offer ended (``settled``), for offers closed before

The inbox asks for an answer only while an offer waits: it reads ``payload.settled``, which answering,
declining or withdrawing now writes. Notices of offers closed before this revision get it here from
the offer's status, so they stop asking for an answer. Downgrading leaves the key (read by nothing).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 14:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None

notifications = sa.table('notifications', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                         sa.column('payload', sa.JSON))
offers = sa.table('licence_offers', sa.column('id', sa.Integer), sa.column('status', sa.String))


def upgrade() -> None:
    bind = op.get_bind()
    closed = dict(bind.execute(sa.select(offers.c.id, offers.c.status).where(offers.c.status != 'offered')).all())
    if not closed:
        return
    notices = bind.execute(sa.select(notifications.c.id, notifications.c.payload)
                           .where(notifications.c.kind == 'copyright.licence_offer')).all()
    for note in notices:
        payload = dict(note.payload or {})
        outcome = closed.get(payload.get('offer_id'))
        if outcome is not None and 'settled' not in payload:
            bind.execute(notifications.update().where(notifications.c.id == note.id)
                         .values(payload=payload | {'settled': outcome}))


def downgrade() -> None:
    pass
