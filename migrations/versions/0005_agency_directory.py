"""agency directory

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:44:02.606677
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('licence_number', sa.String(length=60), nullable=False),
    sa.Column('province', sa.String(length=60), nullable=False),
    sa.Column('city', sa.String(length=60), nullable=False),
    sa.Column('service_types', sa.JSON(), nullable=False),
    sa.Column('ipc_sections', sa.JSON(), nullable=False),
    sa.Column('practitioners', sa.Integer(), nullable=False),
    sa.Column('founded_year', sa.Integer(), nullable=True),
    sa.Column('contact', sa.String(length=300), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('rating_mean', sa.Float(), nullable=True),
    sa.Column('rating_count', sa.Integer(), nullable=False),
    sa.Column('bayes', sa.Float(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('tier', sa.String(length=3), nullable=False),
    sa.Column('breakdown', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_agencies_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('licence_number', name=op.f('uq_agencies_licence_number'))
    )
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agencies_name'), ['name'], unique=False)

    op.create_table('agency_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='claimstatus', native_enum=False, length=10), nullable=False),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_claims_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_agency_claims_decided_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_agency_claims_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_claims'))
    )
    with op.batch_alter_table('agency_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_claims_agency_id'), ['agency_id'], unique=False)

    op.create_table('agency_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('engagement_ref', sa.String(length=100), nullable=False),
    sa.Column('professionalism', sa.Integer(), nullable=False),
    sa.Column('responsiveness', sa.Integer(), nullable=False),
    sa.Column('cost_transparency', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('linked_pn', sa.String(length=40), nullable=True),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('hold_reason', sa.String(length=300), nullable=True),
    sa.Column('flags', sa.JSON(), nullable=False),
    sa.Column('reply', sa.Text(), nullable=True),
    sa.Column('replied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_network', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_agency_reviews_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_agency_reviews_author_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agency_reviews')),
    sa.UniqueConstraint('agency_id', 'author_id', 'engagement_ref', name=op.f('uq_agency_reviews_agency_id'))
    )
    with op.batch_alter_table('agency_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_reviews_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_reviews_author_id'), ['author_id'], unique=False)

    op.create_table('integrity_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('sanction', 'complaint_upheld', 'commendation', name='recordkind', native_enum=False, length=20), nullable=False),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_integrity_records_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_integrity_records_created_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_integrity_records'))
    )
    with op.batch_alter_table('integrity_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_integrity_records_agency_id'), ['agency_id'], unique=False)

    op.create_table('tier_objections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('filed_by', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_tier_objections_agency_id_agencies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['answered_by'], ['users.id'], name=op.f('fk_tier_objections_answered_by_users')),
    sa.ForeignKeyConstraint(['filed_by'], ['users.id'], name=op.f('fk_tier_objections_filed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tier_objections'))
    )
    with op.batch_alter_table('tier_objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tier_objections_agency_id'), ['agency_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tier_objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tier_objections_agency_id'))

    op.drop_table('tier_objections')
    with op.batch_alter_table('integrity_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_integrity_records_agency_id'))

    op.drop_table('integrity_records')
    with op.batch_alter_table('agency_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_reviews_author_id'))
        batch_op.drop_index(batch_op.f('ix_agency_reviews_agency_id'))

    op.drop_table('agency_reviews')
    with op.batch_alter_table('agency_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_claims_agency_id'))

    op.drop_table('agency_claims')
    with op.batch_alter_table('agencies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agencies_name'))

    op.drop_table('agencies')
