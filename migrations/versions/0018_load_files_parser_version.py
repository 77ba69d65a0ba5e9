"""load journal rows record the parser version that read the file (loaders.parsers.PARSER_VERSION)

A file journaled before this revision counts as read by version 0: the next load reads it again
with the current parser.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 12:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('load_files') as batch:
        batch.add_column(sa.Column('parser_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('load_files') as batch:
        batch.drop_column('parser_version')
