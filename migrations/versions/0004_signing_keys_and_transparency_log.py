"""signing keys and transparency log

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 01:17:05.246858
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
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('idx', name=op.f('pk_log_entries'))
    )
    op.create_table('log_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_log_head'))
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
    with op.batch_alter_table('corpus_events', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_corpus_events_run_id_load_runs'), type_='foreignkey')



    # the log's single head row: every append increments it (serialising appends)
    op.execute("INSERT INTO log_head (id, size) VALUES (1, 0)")


def downgrade() -> None:
    with op.batch_alter_table('corpus_events', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_corpus_events_run_id_load_runs'), 'load_runs', ['run_id'], ['id'])

    op.drop_table('signing_keys')
    op.drop_table('log_head')
    op.drop_table('log_entries')
    op.drop_table('log_checkpoints')
