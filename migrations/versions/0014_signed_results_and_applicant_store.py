"""signed results and the per-applicant store

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

A procedure's result is issued as a signed PDF (issued_result: its bytes are in attachment_blob);
the papers digitised at intake and the results are kept per applicant, keyed by the ID number
(applicant_document), and a later dossier that reuses one records it (document_reuse).
"""
from alembic import op
import sqlalchemy as sa

import engine.db
from engine.db import JSONType

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('issued_result',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('signer_subject', sa.Text(), nullable=False),
    sa.Column('signed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('timestamp_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('validation', JSONType, nullable=False),
    sa.Column('valid_until', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('issued_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_issued_result_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['sha256'], ['attachment_blob.sha256'], name=op.f('fk_issued_result_sha256_attachment_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_issued_result')),
    sa.UniqueConstraint('public_id', name=op.f('uq_issued_result_public_id'))
    )
    with op.batch_alter_table('issued_result', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_issued_result_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('applicant_document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('id_number', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('document_name', sa.String(length=500), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=True),
    sa.Column('result_id', sa.Integer(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('signer_subject', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['attachment_id'], ['dossier_attachment.id'], name=op.f('fk_applicant_document_attachment_id_dossier_attachment'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_applicant_document_dossier_id_dossier')),
    sa.ForeignKeyConstraint(['result_id'], ['issued_result.id'], name=op.f('fk_applicant_document_result_id_issued_result')),
    sa.ForeignKeyConstraint(['sha256'], ['attachment_blob.sha256'], name=op.f('fk_applicant_document_sha256_attachment_blob')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applicant_document'))
    )
    with op.batch_alter_table('applicant_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_document_id_number'), ['id_number'], unique=False)

    op.create_table('document_reuse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('applicant_document_id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('document_name', sa.String(length=500), nullable=False),
    sa.Column('reused_by', sa.String(length=100), nullable=False),
    sa.Column('reused_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['applicant_document_id'], ['applicant_document.id'], name=op.f('fk_document_reuse_applicant_document_id_applicant_document')),
    sa.ForeignKeyConstraint(['attachment_id'], ['dossier_attachment.id'], name=op.f('fk_document_reuse_attachment_id_dossier_attachment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_document_reuse_dossier_id_dossier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_reuse'))
    )
    with op.batch_alter_table('document_reuse', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_reuse_dossier_id'), ['dossier_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('document_reuse', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_reuse_dossier_id'))

    op.drop_table('document_reuse')
    with op.batch_alter_table('applicant_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_document_id_number'))

    op.drop_table('applicant_document')
    with op.batch_alter_table('issued_result', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_issued_result_dossier_id'))

    op.drop_table('issued_result')
