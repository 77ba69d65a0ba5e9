"""load journal

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 00:13:10.547008
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('load_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'interrupted', 'failed', 'unchanged', name='loadstatus', native_enum=False, length=20), nullable=False),
    sa.Column('backend', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=500), nullable=False),
    sa.Column('paths', sa.JSON(), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('files_total', sa.Integer(), nullable=False),
    sa.Column('files_done', sa.Integer(), nullable=False),
    sa.Column('bytes_total', sa.BigInteger(), nullable=False),
    sa.Column('bytes_done', sa.BigInteger(), nullable=False),
    sa.Column('seen', sa.Integer(), nullable=False),
    sa.Column('loaded', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('quarantine_path', sa.String(length=1000), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('task_id', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_load_runs_requested_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_load_runs'))
    )
    op.create_table('corpus_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('backend', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=500), nullable=False),
    sa.Column('documents', sa.Integer(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['run_id'], ['load_runs.id'], name=op.f('fk_corpus_events_run_id_load_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_corpus_events'))
    )
    op.create_table('load_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=1000), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('backend', sa.String(length=20), nullable=False),
    sa.Column('target', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'interrupted', 'failed', 'unchanged', name='loadstatus', native_enum=False, length=20), nullable=False),
    sa.Column('items_done', sa.Integer(), nullable=False),
    sa.Column('seen', sa.Integer(), nullable=False),
    sa.Column('loaded', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('seconds', sa.Double(), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['load_runs.id'], name=op.f('fk_load_files_run_id_load_runs')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_load_files'))
    )
    with op.batch_alter_table('load_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_load_files_checksum'), ['checksum'], unique=False)
        batch_op.create_index(batch_op.f('ix_load_files_run_id'), ['run_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('load_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_load_files_run_id'))
        batch_op.drop_index(batch_op.f('ix_load_files_checksum'))

    op.drop_table('load_files')
    op.drop_table('corpus_events')
    op.drop_table('load_runs')
