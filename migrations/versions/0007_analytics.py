"""analytics

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 02:37:44.328747
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('analytics_scopes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('branches', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_analytics_scopes_org_id_organisations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_analytics_scopes_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_scopes')),
    sa.UniqueConstraint('key', name=op.f('uq_analytics_scopes_key'))
    )
    op.create_table('analytics_subscriptions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Integer(), nullable=True),
    sa.Column('scope', sa.String(length=60), nullable=False),
    sa.Column('home_country', sa.String(length=2), nullable=False),
    sa.Column('watched', sa.JSON(), nullable=False),
    sa.Column('product_keywords', sa.JSON(), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('alerts', sa.Boolean(), nullable=False),
    sa.Column('monthly_report', sa.Boolean(), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('last_event_id', sa.Integer(), nullable=False),
    sa.Column('last_report_month', sa.String(length=7), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], name=op.f('fk_analytics_subscriptions_org_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_analytics_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_subscriptions'))
    )
    with op.batch_alter_table('analytics_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_subscriptions_user_id'), ['user_id'], unique=False)

    op.create_table('analytics_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['analytics_subscriptions.id'], name=op.f('fk_analytics_alerts_subscription_id_analytics_subscriptions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_alerts')),
    sa.UniqueConstraint('subscription_id', 'fingerprint', name=op.f('uq_analytics_alerts_subscription_id'))
    )
    with op.batch_alter_table('analytics_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_analytics_alerts_subscription_id'), ['subscription_id'], unique=False)

    op.create_table('analytics_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope', sa.String(length=60), nullable=False),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('lang', sa.String(length=5), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='reportstatus', native_enum=False, length=10), nullable=False),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('subscription_id', sa.Integer(), nullable=True),
    sa.Column('load_runs', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('html', sa.Text(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_analytics_reports_requested_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subscription_id'], ['analytics_subscriptions.id'], name=op.f('fk_analytics_reports_subscription_id_analytics_subscriptions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_reports'))
    )
    op.create_table('analytics_alert_deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('delivered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['analytics_alerts.id'], name=op.f('fk_analytics_alert_deliveries_alert_id_analytics_alerts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_analytics_alert_deliveries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_analytics_alert_deliveries')),
    sa.UniqueConstraint('user_id', 'fingerprint', name=op.f('uq_analytics_alert_deliveries_user_id'))
    )


def downgrade() -> None:
    op.drop_table('analytics_alert_deliveries')
    op.drop_table('analytics_reports')
    with op.batch_alter_table('analytics_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_alerts_subscription_id'))

    op.drop_table('analytics_alerts')
    with op.batch_alter_table('analytics_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_analytics_subscriptions_user_id'))

    op.drop_table('analytics_subscriptions')
    op.drop_table('analytics_scopes')
