"""incidents, suspension and migration of running instances

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05

A step the scheduler runs that fails is recorded as an incident (engine/incidents.py) instead of
being retried for ever; an administrator may suspend an instance (its columns on process_instance)
and migrate running instances to another version of their process (instance_migration keeps what
each was before, for a revert).
"""
from alembic import op
import sqlalchemy as sa

from engine.db import JSONType, UTCDateTime

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ adds and drops such columns in place): a batch operation would
    # recreate process_instance, which the rows of other tables refer to.
    op.add_column('process_instance', sa.Column('suspended_at', UTCDateTime(timezone=True), nullable=True))
    op.add_column('process_instance', sa.Column('suspended_by', sa.String(length=100), nullable=True))
    op.add_column('process_instance', sa.Column('suspend_reason', sa.Text(), nullable=True))
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=20), nullable=False),
    sa.Column('bpmn_id', sa.String(length=255), nullable=True),
    sa.Column('element_name', sa.String(length=500), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('line', sa.Integer(), nullable=True),
    sa.Column('task_data', JSONType, nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('next_retry_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_failed_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('resolution', sa.String(length=20), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                            name=op.f('fk_incident_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    op.create_index(op.f('ix_incident_instance_id'), 'incident', ['instance_id'], unique=False)
    op.create_index('ix_incident_state_instance', 'incident', ['state', 'instance_id'], unique=False)
    op.add_column('process_instance', sa.Column('incident_id', sa.Integer(), nullable=True))
    op.create_table('instance_migration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('from_version_id', sa.Integer(), nullable=False),
    sa.Column('to_version_id', sa.Integer(), nullable=False),
    sa.Column('mapping', JSONType, nullable=False),
    sa.Column('revision_after', sa.Integer(), nullable=False),
    sa.Column('before', JSONType, nullable=False),
    sa.Column('migrated_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('migrated_by', sa.String(length=100), nullable=False),
    sa.Column('reverted_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('reverted_by', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                            name=op.f('fk_instance_migration_instance_id_process_instance')),
    sa.ForeignKeyConstraint(['from_version_id'], ['process_version.id'],
                            name=op.f('fk_instance_migration_from_version_id_process_version')),
    sa.ForeignKeyConstraint(['to_version_id'], ['process_version.id'],
                            name=op.f('fk_instance_migration_to_version_id_process_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instance_migration'))
    )
    op.create_index(op.f('ix_instance_migration_instance_id'), 'instance_migration', ['instance_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_instance_migration_instance_id'), table_name='instance_migration')
    op.drop_table('instance_migration')
    op.drop_column('process_instance', 'incident_id')
    op.drop_index('ix_incident_state_instance', table_name='incident')
    op.drop_index(op.f('ix_incident_instance_id'), table_name='incident')
    op.drop_table('incident')
    for column in ('suspend_reason', 'suspended_by', 'suspended_at'):
        op.drop_column('process_instance', column)
