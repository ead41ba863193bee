"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import engine.db

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dossier_counter',
    sa.Column('day', sa.String(length=8), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_dossier_counter'))
    )
    op.create_table('process_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=255), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('spec_json', sa.Text(), nullable=False),
    sa.Column('lanes', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('user_tasks', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('deployed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deployed_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_version')),
    sa.UniqueConstraint('process_id', 'version', name='uq_process_version_process_id_version')
    )
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_version_process_id'), ['process_id'], unique=False)

    op.create_table('unit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_unit')),
    sa.UniqueConstraint('code', name=op.f('uq_unit_code'))
    )
    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['unit.id'], name=op.f('fk_app_user_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    op.create_table('procedure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('field', sa.String(length=255), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('required_documents', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('fee_vnd', sa.Integer(), nullable=False),
    sa.Column('fee_note', sa.String(length=500), nullable=False),
    sa.Column('processing_time_value', sa.Float(), nullable=False),
    sa.Column('processing_time_unit', sa.String(length=20), nullable=False),
    sa.Column('deciding_unit_id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=255), nullable=False),
    sa.Column('lane_roles', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deciding_unit_id'], ['unit.id'], name=op.f('fk_procedure_deciding_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure')),
    sa.UniqueConstraint('code', name=op.f('uq_procedure_code'))
    )
    op.create_table('process_instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('business_key', sa.String(length=100), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.Column('lane_roles', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('started_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_version.id'], name=op.f('fk_process_instance_process_version_id_process_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_instance'))
    )
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_instance_business_key'), ['business_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_process_version_id'), ['process_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_status'), ['status'], unique=False)

    op.create_table('access_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_access_token_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_token')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_access_token_token_hash'))
    )
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_token_user_id'), ['user_id'], unique=False)

    op.create_table('audit_event',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('occurred_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=100), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=255), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_audit_event_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_event_instance_id'), ['instance_id'], unique=False)

    op.create_table('dossier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('procedure_id', sa.Integer(), nullable=False),
    sa.Column('applicant_name', sa.String(length=255), nullable=False),
    sa.Column('applicant_id_number', sa.String(length=20), nullable=False),
    sa.Column('applicant_phone', sa.String(length=20), nullable=False),
    sa.Column('applicant_email', sa.String(length=255), nullable=False),
    sa.Column('applicant_address', sa.String(length=500), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('received_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Integer(), nullable=False),
    sa.Column('status_changed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_by', sa.String(length=100), nullable=False),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_dossier_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedure.id'], name=op.f('fk_dossier_procedure_id_procedure')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier')),
    sa.UniqueConstraint('code', name=op.f('uq_dossier_code')),
    sa.UniqueConstraint('instance_id', name=op.f('uq_dossier_instance_id'))
    )
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_procedure_received', ['procedure_id', 'received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossier_status'), ['status'], unique=False)

    op.create_table('human_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('bpmn_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('lane', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=50), nullable=True),
    sa.Column('assignee', sa.String(length=100), nullable=True),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by', sa.String(length=100), nullable=True),
    sa.Column('data', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_human_task_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_task'))
    )
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_assignee_state', ['assignee', 'state'], unique=False)
        batch_op.create_index('ix_human_task_instance_state', ['instance_id', 'state'], unique=False)
        batch_op.create_index('ix_human_task_role_state', ['role', 'state'], unique=False)

    op.create_table('user_role',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_user_role_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'role', name=op.f('pk_user_role'))
    )
    op.create_table('waiting_timer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('bpmn_id', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=True),
    sa.Column('due_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_waiting_timer_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waiting_timer')),
    sa.UniqueConstraint('task_id', name=op.f('uq_waiting_timer_task_id'))
    )
    with op.batch_alter_table('waiting_timer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_waiting_timer_due_at'), ['due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_waiting_timer_instance_id'), ['instance_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('waiting_timer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_waiting_timer_instance_id'))
        batch_op.drop_index(batch_op.f('ix_waiting_timer_due_at'))

    op.drop_table('waiting_timer')
    op.drop_table('user_role')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_role_state')
        batch_op.drop_index('ix_human_task_instance_state')
        batch_op.drop_index('ix_human_task_assignee_state')

    op.drop_table('human_task')
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_status'))
        batch_op.drop_index(batch_op.f('ix_dossier_received_at'))
        batch_op.drop_index('ix_dossier_procedure_received')

    op.drop_table('dossier')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_instance_id'))

    op.drop_table('audit_event')
    with op.batch_alter_table('access_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_token_user_id'))

    op.drop_table('access_token')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_instance_status'))
        batch_op.drop_index(batch_op.f('ix_process_instance_process_version_id'))
        batch_op.drop_index(batch_op.f('ix_process_instance_business_key'))

    op.drop_table('process_instance')
    op.drop_table('procedure')
    op.drop_table('app_user')
    op.drop_table('unit')
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_version_process_id'))

    op.drop_table('process_version')
    op.drop_table('dossier_counter')
