"""the IP online service hall: departments and staff roles, catalogue items, applications with
their clocks, materials, the handling trail, warning cards (the seed catalogue: ipcommons hall seed)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 21:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hall_counters',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_counters')),
    sa.UniqueConstraint('year', name=op.f('uq_hall_counters_year'))
    )
    op.create_table('hall_departments',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_departments')),
    sa.UniqueConstraint('code', name=op.f('uq_hall_departments_code'))
    )
    op.create_table('hall_items',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.Enum('copyright_review', 'registration_subsidy', 'legal_aid', 'rights_protection', 'complaint', 'agency_mediation', name='itemkind', native_enum=False, length=30), nullable=False),
    sa.Column('name_zh', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('description_zh', sa.Text(), nullable=False),
    sa.Column('description_en', sa.Text(), nullable=False),
    sa.Column('materials', sa.JSON(), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('step_days', sa.JSON(), nullable=False),
    sa.Column('total_days', sa.Integer(), nullable=False),
    sa.Column('warn_ratio', sa.Float(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('public_results', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['hall_departments.id'], name=op.f('fk_hall_items_department_id_hall_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_items')),
    sa.UniqueConstraint('code', name=op.f('uq_hall_items_code'))
    )
    with op.batch_alter_table('hall_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_items_department_id'), ['department_id'], unique=False)

    op.create_table('hall_staff',
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('acceptor', 'handler', 'reviewer', 'approver', 'head', name='staffrole', native_enum=False, length=20), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['hall_departments.id'], name=op.f('fk_hall_staff_department_id_hall_departments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hall_staff_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_staff')),
    sa.UniqueConstraint('department_id', 'user_id', 'role', name=op.f('uq_hall_staff_department_id'))
    )
    with op.batch_alter_table('hall_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_staff_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_staff_user_id'), ['user_id'], unique=False)

    op.create_table('hall_applications',
    sa.Column('number', sa.String(length=24), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('applicant_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('submitted', 'materials', 'handling', 'reviewing', 'approving', 'completed', 'rejected', 'withdrawn', name='status', native_enum=False, length=20), nullable=False),
    sa.Column('paused_from', sa.Enum('submitted', 'materials', 'handling', 'reviewing', 'approving', 'completed', 'rejected', 'withdrawn', name='status', native_enum=False, length=20), nullable=True),
    sa.Column('form', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('step_no', sa.Integer(), nullable=False),
    sa.Column('step_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('running_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('step_budget_s', sa.Float(), nullable=False),
    sa.Column('step_used_s', sa.Float(), nullable=False),
    sa.Column('step_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('yellow_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('red_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('total_budget_s', sa.Float(), nullable=False),
    sa.Column('total_used_s', sa.Float(), nullable=False),
    sa.Column('total_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('on_time', sa.Boolean(), nullable=True),
    sa.Column('result', sa.Text(), nullable=True),
    sa.Column('upheld', sa.Boolean(), nullable=True),
    sa.Column('satisfaction', sa.Enum('very_satisfied', 'satisfied', 'neutral', 'dissatisfied', 'very_dissatisfied', name='satisfaction', native_enum=False, length=20), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('rated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['applicant_id'], ['users.id'], name=op.f('fk_hall_applications_applicant_id_users')),
    sa.ForeignKeyConstraint(['assignee_id'], ['users.id'], name=op.f('fk_hall_applications_assignee_id_users')),
    sa.ForeignKeyConstraint(['department_id'], ['hall_departments.id'], name=op.f('fk_hall_applications_department_id_hall_departments')),
    sa.ForeignKeyConstraint(['item_id'], ['hall_items.id'], name=op.f('fk_hall_applications_item_id_hall_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_applications')),
    sa.UniqueConstraint('number', name=op.f('uq_hall_applications_number'))
    )
    with op.batch_alter_table('hall_applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_applications_applicant_id'), ['applicant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_applications_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_applications_completed_at'), ['completed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_applications_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_applications_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_applications_red_at'), ['red_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_applications_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_applications_submitted_at'), ['submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_applications_yellow_at'), ['yellow_at'], unique=False)

    op.create_table('hall_cards',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('step_no', sa.Integer(), nullable=False),
    sa.Column('step', sa.Enum('accept', 'handle', 'review', 'approve', name='step', native_enum=False, length=20), nullable=False),
    sa.Column('level', sa.Enum('yellow', 'red', name='cardlevel', native_enum=False, length=20), nullable=False),
    sa.Column('fired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['hall_applications.id'], name=op.f('fk_hall_cards_application_id_hall_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_cards')),
    sa.UniqueConstraint('application_id', 'step_no', 'level', name=op.f('uq_hall_cards_application_id'))
    )
    with op.batch_alter_table('hall_cards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_cards_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hall_cards_closed_at'), ['closed_at'], unique=False)

    op.create_table('hall_events',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.Enum('submitted', 'materials', 'handling', 'reviewing', 'approving', 'completed', 'rejected', 'withdrawn', name='status', native_enum=False, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('submitted', 'materials', 'handling', 'reviewing', 'approving', 'completed', 'rejected', 'withdrawn', name='status', native_enum=False, length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_hall_events_actor_id_users')),
    sa.ForeignKeyConstraint(['application_id'], ['hall_applications.id'], name=op.f('fk_hall_events_application_id_hall_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_events'))
    )
    with op.batch_alter_table('hall_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_events_application_id'), ['application_id'], unique=False)

    op.create_table('hall_materials',
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['hall_applications.id'], name=op.f('fk_hall_materials_application_id_hall_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_hall_materials_uploaded_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hall_materials'))
    )
    with op.batch_alter_table('hall_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hall_materials_application_id'), ['application_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hall_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_materials_application_id'))

    op.drop_table('hall_materials')
    with op.batch_alter_table('hall_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_events_application_id'))

    op.drop_table('hall_events')
    with op.batch_alter_table('hall_cards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_cards_closed_at'))
        batch_op.drop_index(batch_op.f('ix_hall_cards_application_id'))

    op.drop_table('hall_cards')
    with op.batch_alter_table('hall_applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_applications_yellow_at'))
        batch_op.drop_index(batch_op.f('ix_hall_applications_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_hall_applications_status'))
        batch_op.drop_index(batch_op.f('ix_hall_applications_red_at'))
        batch_op.drop_index(batch_op.f('ix_hall_applications_item_id'))
        batch_op.drop_index(batch_op.f('ix_hall_applications_department_id'))
        batch_op.drop_index(batch_op.f('ix_hall_applications_completed_at'))
        batch_op.drop_index(batch_op.f('ix_hall_applications_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_hall_applications_applicant_id'))

    op.drop_table('hall_applications')
    with op.batch_alter_table('hall_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_staff_user_id'))
        batch_op.drop_index(batch_op.f('ix_hall_staff_department_id'))

    op.drop_table('hall_staff')
    with op.batch_alter_table('hall_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hall_items_department_id'))

    op.drop_table('hall_items')
    op.drop_table('hall_departments')
    op.drop_table('hall_counters')
