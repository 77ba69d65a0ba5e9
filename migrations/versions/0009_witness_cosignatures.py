"""witness cosignatures: what each witness cosigned of the log's checkpoints (C2SP tlog-cosignature)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:12:41.518203
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('checkpoint_cosignatures',
    sa.Column('size', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('witness', sa.String(length=500), nullable=False),
    sa.Column('lines', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['size'], ['log_checkpoints.size'], name=op.f('fk_checkpoint_cosignatures_size_log_checkpoints')),
    sa.PrimaryKeyConstraint('size', 'witness', name=op.f('pk_checkpoint_cosignatures'))
    )
    with op.batch_alter_table('checkpoint_cosignatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkpoint_cosignatures_witness'), ['witness'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('checkpoint_cosignatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkpoint_cosignatures_witness'))

    op.drop_table('checkpoint_cosignatures')
