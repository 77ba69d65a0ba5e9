"""agency ratings under one shared prior, "not yet rated" tier, IPC subclasses, GB/T 2260 regions

Adds the single-row ``agency_rating_prior`` table and, on ``agencies``: ``province_code`` and
``city_code`` (GB/T 2260), ``ipc_subclasses``, ``prior_version``, and a ``tier`` wide enough for
``not_rated``. Existing rows are brought to the new rules here: regions a GB/T 2260 name or code
recognises get their codes and display names (others keep their text and no code); IPC entries at
subclass level or below move to ``ipc_subclasses`` (section letters stay in ``ipc_sections``); the
prior is taken over every counted review and every agency is rated under it.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 21:00:00
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

agencies = sa.table('agencies', sa.column('id', sa.Integer), sa.column('province', sa.String),
                    sa.column('city', sa.String), sa.column('province_code', sa.String),
                    sa.column('city_code', sa.String), sa.column('ipc_sections', sa.JSON),
                    sa.column('ipc_subclasses', sa.JSON), sa.column('rating_mean', sa.Float),
                    sa.column('rating_count', sa.Integer), sa.column('bayes', sa.Float),
                    sa.column('score', sa.Float), sa.column('tier', sa.String), sa.column('breakdown', sa.JSON),
                    sa.column('prior_version', sa.Integer))
reviews = sa.table('agency_reviews', sa.column('agency_id', sa.Integer), sa.column('held', sa.Boolean),
                   sa.column('professionalism', sa.Integer), sa.column('responsiveness', sa.Integer),
                   sa.column('cost_transparency', sa.Integer), sa.column('outcome', sa.Integer))
records = sa.table('integrity_records', sa.column('agency_id', sa.Integer), sa.column('kind', sa.String),
                   sa.column('points', sa.Float), sa.column('description', sa.Text))
priors = sa.table('agency_rating_prior', sa.column('id', sa.Integer), sa.column('mean', sa.Float),
                  sa.column('k', sa.Integer), sa.column('reviews', sa.Integer), sa.column('version', sa.Integer),
                  sa.column('computed_at', sa.DateTime(timezone=True)))


def upgrade() -> None:
    op.create_table('agency_rating_prior',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mean', sa.Float(), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('reviews', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_rating_prior'))
    )
    # Never a batch "move and copy" of agencies on SQLite: with foreign keys on, dropping the old table
    # would cascade to every review, claim and record. Columns are added in place; SQLite does not
    # enforce VARCHAR lengths, so only PostgreSQL needs the wider tier column.
    bind = op.get_bind()
    op.add_column('agencies', sa.Column('province_code', sa.String(length=6), nullable=True))
    op.add_column('agencies', sa.Column('city_code', sa.String(length=6), nullable=True))
    op.add_column('agencies', sa.Column('ipc_subclasses', sa.JSON(), nullable=False, server_default='[]'))
    op.add_column('agencies', sa.Column('prior_version', sa.Integer(), nullable=True))
    if bind.dialect.name != 'sqlite':
        op.alter_column('agencies', 'tier', existing_type=sa.String(length=3), type_=sa.String(length=10),
                        existing_nullable=False)
    op.create_index(op.f('ix_agencies_province_code'), 'agencies', ['province_code'], unique=False)
    op.create_index(op.f('ix_agencies_city_code'), 'agencies', ['city_code'], unique=False)
    for row in bind.execute(sa.select(agencies.c.id, agencies.c.province, agencies.c.city,
                                      agencies.c.ipc_sections)).all():
        bind.execute(agencies.update().where(agencies.c.id == row.id).values(
            **_region_values(row.province, row.city), **_ipc_values(row.ipc_sections or [])))
    _rate_all(bind)


def _region_values(province: str, city: str) -> dict[str, Any]:
    """Codes and display names for the places GB/T 2260 recognises; other text stays, with no code."""
    from core.regions import Level, lookup

    top = lookup(province, Level.province) if province else None
    town = lookup(city, province=top.code if top else None) if city else None
    values: dict[str, Any] = {}
    if town is not None and town.level is Level.province:  # a municipality given as the city
        top, town = town, None
        values.update(city="")
    top = top or (lookup(town.province_code) if town else None)
    if top is not None:
        values.update(province=top.name_en, province_code=top.code)
    if town is not None:
        values.update(city=town.name_en, city_code=town.code)
    return values


def _ipc_values(entries: list[str]) -> dict[str, Any]:
    """Subclass-level entries (``H04W``, ``H04W 4/00``) as subclasses; section letters kept as sections."""
    from community.agencies.ipc import parse

    subclasses: set[str] = set()
    sections: set[str] = set()
    for entry in entries:
        try:
            code = parse(entry).code
        except ValueError:
            continue
        if len(code) == 4:
            subclasses.add(code)
        sections.add(code[:1])
    return {"ipc_subclasses": sorted(subclasses), "ipc_sections": sorted(sections)}


def _rate_all(bind: sa.Connection) -> None:
    """Every agency rated under one prior: the mean of all counted reviews (3.0 before any)."""
    from collections import defaultdict
    from datetime import UTC, datetime

    from community.agencies.scoring import K_PRIOR, NEUTRAL_RATING, Evidence, Prior, rate

    stars = (reviews.c.professionalism + reviews.c.responsiveness + reviews.c.cost_transparency
             + reviews.c.outcome) / 4.0
    counted = bind.execute(sa.select(reviews.c.agency_id, stars.label('stars'))
                           .where(reviews.c.held.is_(False))).all()
    mean = sum(r.stars for r in counted) / len(counted) if counted else NEUTRAL_RATING
    prior = Prior(mean=float(mean), k=K_PRIOR, version=1)
    bind.execute(priors.insert().values(id=1, mean=prior.mean, k=prior.k, reviews=len(counted), version=1,
                                        computed_at=datetime.now(UTC)))
    by_agency: dict[int, Evidence] = defaultdict(Evidence)
    for r in counted:
        by_agency[r.agency_id].stars.append(float(r.stars))
    for r in bind.execute(sa.select(records.c.agency_id, records.c.kind, records.c.points, records.c.description)):
        if r.kind == 'commendation':
            by_agency[r.agency_id].commendations.append(r.points)
        else:
            by_agency[r.agency_id].deductions.append((f"{r.kind}: {r.description[:80]}", r.points))
    for (agency_id,) in bind.execute(sa.select(agencies.c.id)).all():
        rating = rate(by_agency[agency_id], prior)
        bind.execute(agencies.update().where(agencies.c.id == agency_id).values(
            rating_mean=rating.mean, rating_count=rating.count, bayes=rating.bayes, score=rating.score,
            tier=rating.tier.value, breakdown=rating.breakdown.as_dict(), prior_version=prior.version))


def downgrade() -> None:
    # the old rules had no "not yet rated": they gave such an agency A+, and knew only sections
    op.execute(agencies.update().where(agencies.c.tier == 'not_rated').values(tier='A+'))
    op.drop_index(op.f('ix_agencies_city_code'), table_name='agencies')
    op.drop_index(op.f('ix_agencies_province_code'), table_name='agencies')
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if not sqlite:
        op.alter_column('agencies', 'tier', existing_type=sa.String(length=10), type_=sa.String(length=3),
                        existing_nullable=False)
    for column in ('prior_version', 'ipc_subclasses', 'city_code', 'province_code'):
        if sqlite:  # in place (SQLite >= 3.35), never a table copy that would cascade to the reviews
            op.execute(f'ALTER TABLE agencies DROP COLUMN {column}')
        else:
            op.drop_column('agencies', column)
    op.drop_table('agency_rating_prior')
