"""licences both parties sign (offers) and co-owners named on a work

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 20:20:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owners', sa.JSON(), nullable=False, server_default='[]'))

    op.create_table('licence_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('licensor_id', sa.Integer(), nullable=False),
    sa.Column('licensee_id', sa.Integer(), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('offered', 'accepted', 'declined', 'withdrawn', name='offerstatus',
                                native_enum=False, length=10), nullable=False),
    sa.Column('licence_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['licence_id'], ['licences.id'], name=op.f('fk_licence_offers_licence_id_licences')),
    sa.ForeignKeyConstraint(['licensee_id'], ['users.id'], name=op.f('fk_licence_offers_licensee_id_users')),
    sa.ForeignKeyConstraint(['licensor_id'], ['users.id'], name=op.f('fk_licence_offers_licensor_id_users')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'],
                            name=op.f('fk_licence_offers_registration_id_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licence_offers'))
    )
    with op.batch_alter_table('licence_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licence_offers_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_offers_licensor_id'), ['licensor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_licence_offers_licensee_id'), ['licensee_id'], unique=False)


def downgrade() -> None:
    op.drop_table('licence_offers')
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.drop_column('owners')
