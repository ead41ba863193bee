"""dossier lifecycle

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import engine.db
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('app_setting',
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_app_setting'))
    )
    op.create_table('attachment_blob',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_attachment_blob'))
    )
    op.create_table('notification_template',
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('audience', sa.String(length=20), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', 'channel', name=op.f('pk_notification_template'))
    )
    op.create_table('rate_limit_hit',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('window_start', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_hit'))
    )
    op.create_table('dossier_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('document_name', sa.String(length=500), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_dossier_attachment_dossier_id_dossier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['attachment_blob.sha256'], name=op.f('fk_dossier_attachment_sha256_attachment_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_attachment'))
    )
    with op.batch_alter_table('dossier_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_attachment_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('dossier_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('documents', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('new_due_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('element', sa.String(length=255), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_dossier_notice_dossier_id_dossier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_notice'))
    )
    with op.batch_alter_table('dossier_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_notice_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('outbox_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('provider_id', sa.String(length=255), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_outbox_message_dossier_id_dossier'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_message'))
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_message_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index('ix_outbox_message_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table('rating',
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('rated_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_rating_dossier_id_dossier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_rating'))
    )
    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_rated_at'), ['rated_at'], unique=False)

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), server_default='', nullable=False))

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submitted_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('appointment_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('returned_at', engine.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('return_method', sa.String(length=20), server_default='', nullable=False))
        batch_op.add_column(sa.Column('receiver_name', sa.String(length=255), server_default='', nullable=False))
        batch_op.add_column(sa.Column('postal_tracking_number', sa.String(length=100), server_default='', nullable=False))
        batch_op.add_column(sa.Column('supplement_requests', sa.Integer(), server_default='0', nullable=False))
        batch_op.alter_column('received_at',
               existing_type=engine.db.UTCDateTime(timezone=True),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_dossier_submitted_at'), ['submitted_at'], unique=False)

    # Every dossier so far was received at the desk: it was submitted when it was received.
    op.execute("UPDATE dossier SET submitted_at = received_at")
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.alter_column('submitted_at', existing_type=engine.db.UTCDateTime(timezone=True), nullable=False)

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_supplement_requests', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('apology_lead_days', sa.Integer(), server_default='1', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_column('apology_lead_days')
        batch_op.drop_column('max_supplement_requests')

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_submitted_at'))
        batch_op.alter_column('received_at',
               existing_type=engine.db.UTCDateTime(timezone=True),
               nullable=False)
        batch_op.drop_column('supplement_requests')
        batch_op.drop_column('postal_tracking_number')
        batch_op.drop_column('receiver_name')
        batch_op.drop_column('return_method')
        batch_op.drop_column('returned_at')
        batch_op.drop_column('appointment_at')
        batch_op.drop_column('submitted_at')

    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_column('phone')
        batch_op.drop_column('email')

    with op.batch_alter_table('rating', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rating_rated_at'))

    op.drop_table('rating')
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_message_status_next')
        batch_op.drop_index(batch_op.f('ix_outbox_message_dossier_id'))

    op.drop_table('outbox_message')
    with op.batch_alter_table('dossier_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_notice_dossier_id'))

    op.drop_table('dossier_notice')
    with op.batch_alter_table('dossier_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_attachment_dossier_id'))

    op.drop_table('dossier_attachment')
    op.drop_table('rate_limit_hit')
    op.drop_table('notification_template')
    op.drop_table('attachment_blob')
    op.drop_table('app_setting')
