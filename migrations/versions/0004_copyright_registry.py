"""copyright registry

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 01:22:26.267992
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('log_checkpoints',
    sa.Column('size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('root_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('size', name=op.f('pk_log_checkpoints'))
    )
    op.create_table('log_entries',
    sa.Column('idx', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('leaf_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('entry', sa.LargeBinary(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('subject', sa.String(length=40), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('idx', name=op.f('pk_log_entries'))
    )
    with op.batch_alter_table('log_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_log_entries_subject'), ['subject'], unique=False)

    op.create_table('log_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_head'))
    )
    op.create_table('registration_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_registration_counters'))
    )
    op.create_table('signing_keys',
    sa.Column('key_id', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('public_key', sa.LargeBinary(length=32), nullable=False),
    sa.Column('encrypted_private_key', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key_id', name=op.f('pk_signing_keys'))
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

    op.create_table('fingerprint_bands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('band', sa.String(length=200), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_fingerprint_bands_work_id_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fingerprint_bands'))
    )
    with op.batch_alter_table('fingerprint_bands', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fingerprint_bands_band'), ['band'], unique=False)
        batch_op.create_index(batch_op.f('ix_fingerprint_bands_work_id'), ['work_id'], unique=False)

    op.create_table('registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('registered', 'under_review', 'disputed', 'revoked', name='registrationstatus', native_enum=False, length=20), nullable=False),
    sa.Column('statement', sa.LargeBinary(), nullable=True),
    sa.Column('platform_key_id', sa.String(length=16), nullable=True),
    sa.Column('platform_signature', sa.LargeBinary(length=64), nullable=True),
    sa.Column('registrant_public_key', sa.LargeBinary(length=32), nullable=True),
    sa.Column('registrant_signature', sa.LargeBinary(length=64), nullable=True),
    sa.Column('log_index', sa.BigInteger(), nullable=True),
    sa.Column('registered_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_registrations_work_id_works')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registrations')),
    sa.UniqueConstraint('number', name=op.f('uq_registrations_number'))
    )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registrations_work_id'), ['work_id'], unique=False)

    op.create_table('work_fingerprints',
    sa.Column('work_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['work_id'], ['works.id'], name=op.f('fk_work_fingerprints_work_id_works'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('work_id', name=op.f('pk_work_fingerprints'))
    )
    op.create_table('disputes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('complainant_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('open', 'upheld', 'rejected', name='disputestatus', native_enum=False, length=10), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['complainant_id'], ['users.id'], name=op.f('fk_disputes_complainant_id_users')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_disputes_registration_id_registrations')),
    sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_disputes_resolved_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_disputes'))
    )
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_disputes_registration_id'), ['registration_id'], unique=False)

    op.create_table('licences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('licensor_id', sa.Integer(), nullable=False),
    sa.Column('licensee_id', sa.Integer(), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('may_sublicense', sa.Boolean(), nullable=False),
    sa.Column('rights', sa.JSON(), nullable=False),
    sa.Column('territory', sa.String(length=100), nullable=False),
    sa.Column('media', sa.String(length=200), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('fee', sa.String(length=100), nullable=True),
    sa.Column('cc_code', sa.String(length=30), nullable=True),
    sa.Column('log_index', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['licensee_id'], ['users.id'], name=op.f('fk_licences_licensee_id_users')),
    sa.ForeignKeyConstraint(['licensor_id'], ['users.id'], name=op.f('fk_licences_licensor_id_users')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_licences_registration_id_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_licences'))
    )
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_licences_registration_id'), ['registration_id'], unique=False)

    op.create_table('transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('rights', sa.JSON(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('log_index', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_transfers_from_user_id_users')),
    sa.ForeignKeyConstraint(['registration_id'], ['registrations.id'], name=op.f('fk_transfers_registration_id_registrations')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_transfers_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfers'))
    )
    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfers_registration_id'), ['registration_id'], unique=False)

    with op.batch_alter_table('corpus_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_corpus_events_run_id_load_runs'), type_='foreignkey')



    # the log's single head row: every append increments it (serialising appends)
    op.execute("INSERT INTO log_head (id, size) VALUES (1, 0)")


def downgrade() -> None:
    with op.batch_alter_table('corpus_events', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_corpus_events_run_id_load_runs'), 'load_runs', ['run_id'], ['id'])

    with op.batch_alter_table('transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfers_registration_id'))

    op.drop_table('transfers')
    with op.batch_alter_table('licences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_licences_registration_id'))

    op.drop_table('licences')
    with op.batch_alter_table('disputes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_disputes_registration_id'))

    op.drop_table('disputes')
    op.drop_table('work_fingerprints')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registrations_work_id'))

    op.drop_table('registrations')
    with op.batch_alter_table('fingerprint_bands', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fingerprint_bands_work_id'))
        batch_op.drop_index(batch_op.f('ix_fingerprint_bands_band'))

    op.drop_table('fingerprint_bands')
    with op.batch_alter_table('works', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_works_sha256'))
        batch_op.drop_index(batch_op.f('ix_works_owner_id'))

    op.drop_table('works')
    op.drop_table('signing_keys')
    op.drop_table('registration_counters')
    op.drop_table('log_head')
    with op.batch_alter_table('log_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_log_entries_subject'))

    op.drop_table('log_entries')
    op.drop_table('log_checkpoints')
