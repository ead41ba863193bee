"""applicant sessions

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05

Applicants who sign in through OpenID Connect (VNeID) get a session (applicant_session: only the
SHA-256 of the cookie's token is kept) and see their own dossiers, found by their ID number.
"""
from alembic import op
import sqlalchemy as sa

import engine.db

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('applicant_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('id_number', sa.String(length=20), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('created_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', engine.db.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applicant_session')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_applicant_session_token_hash'))
    )
    with op.batch_alter_table('applicant_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applicant_session_id_number'), ['id_number'], unique=False)
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.create_index('ix_dossier_applicant_id_number', ['applicant_id_number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_index('ix_dossier_applicant_id_number')
    with op.batch_alter_table('applicant_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applicant_session_id_number'))
    op.drop_table('applicant_session')
