"""synchronisation with the national public service portal

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Each procedure carries its codes in the national catalogue (`national_code`, mã TTHC; `field_code`,
mã lĩnh vực), which an administrator edits; `portal_event` is the outbox of the portal's calls, one
row per change of a dossier, written in the change's transaction (workflows/portal/).
"""
from alembic import op
import sqlalchemy as sa

from engine.db import JSONType, UTCDateTime

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('procedure', sa.Column('national_code', sa.String(length=50), server_default='', nullable=False))
    op.add_column('procedure', sa.Column('field_code', sa.String(length=50), server_default='', nullable=False))
    op.create_table('portal_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('audit_event_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('trigger', sa.String(length=255), nullable=False),
    sa.Column('service', sa.String(length=50), nullable=False),
    sa.Column('body', JSONType, nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('portal_error_code', sa.String(length=20), nullable=False),
    sa.Column('portal_message', sa.Text(), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['audit_event_id'], ['audit_event.id'],
                            name=op.f('fk_portal_event_audit_event_id_audit_event')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_portal_event_dossier_id_dossier'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_portal_event')),
    sa.UniqueConstraint('audit_event_id', 'dossier_id', 'service', name='uq_portal_event_audit_event_id')
    )
    op.create_index('ix_portal_event_dossier_id', 'portal_event', ['dossier_id', 'id'], unique=False)
    op.create_index('ix_portal_event_status_next', 'portal_event', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_portal_event_status_next', table_name='portal_event')
    op.drop_index('ix_portal_event_dossier_id', table_name='portal_event')
    op.drop_table('portal_event')
    op.drop_column('procedure', 'field_code')
    op.drop_column('procedure', 'national_code')
