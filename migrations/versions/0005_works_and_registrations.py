"""works and registrations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 01:18:40.571671
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('registration_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_registration_counters'))
    )
    op.create_table('works',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('work_type', sa.Enum('written', 'oral', 'music', 'drama', 'quyi', 'dance', 'acrobatics', 'fine_art', 'architecture', 'photographic', 'audiovisual', 'graphic', 'model', 'software', 'other', name='worktype', native_enum=False, length=20), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('authors', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('completion_date', sa.Date(), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('first_publication_date', sa.Date(), nullable=True),
    sa.Column('first_publication_place', sa.String(length=200), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('hash_only', sa.Boolean(), nullable=False),
    sa.Column('stored_path', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_works_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_works'))
    )
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_works_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_works_sha256'), ['sha256'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'under_review', 'disputed', 'revoked', name='registrationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('statement', sa.LargeBinary(), nullable=False),
    sa.Column('platform_key_id', sa.String(length=16), nullable=False),
    sa.Column('platform_signature', sa.LargeBinary(length=64), nullable=False),
    sa.Column('registrant_public_key', sa.LargeBinary(length=32), nullable=True),
    sa.Column('registrant_signature', sa.LargeBinary(length=64), nullable=True),
    sa.Column('log_index', sa.BigInteger(), nullable=False),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_registrations_work_id_works')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('number', name=op.f('uq_registrations_number'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_work_id'), ['work_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_work_id'))

    op.drop_table('registrations')
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_works_sha256'))
        batch_op.drop_index(batch_op.f('ix_works_owner_id'))

    op.drop_table('works')
    op.drop_table('registration_counters')
