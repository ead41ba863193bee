"""intake regardless of administrative boundary (Decree 118/2025)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05

A unit may be another service centre of the province (`kind` = `service_centre`); a dossier records
the unit that received it when that is not the department's own desk (`receiving_unit_id`), and the
transfer of its paper documents to the department (`paper_transfer`).
"""
from alembic import op
import sqlalchemy as sa

from engine.db import UTCDateTime

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('unit', sa.Column('kind', sa.String(length=30), server_default='internal', nullable=False))
    with op.batch_alter_table('dossier') as batch:
        batch.add_column(sa.Column('receiving_unit_id', sa.Integer(), nullable=True))
        batch.create_index('ix_dossier_receiving_unit_id', ['receiving_unit_id'])
        batch.create_foreign_key('fk_dossier_receiving_unit_id_unit', 'unit', ['receiving_unit_id'], ['id'])
    op.create_table('paper_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('from_unit_id', sa.Integer(), nullable=False),
    sa.Column('method', sa.String(length=20), nullable=False),
    sa.Column('tracking_number', sa.String(length=100), server_default='', nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('sent_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_by', sa.String(length=100), nullable=False),
    sa.Column('arrived_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_by', sa.String(length=100), server_default='', nullable=False),
    sa.Column('arrival_note', sa.Text(), server_default='', nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_paper_transfer_dossier_id_dossier'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['from_unit_id'], ['unit.id'], name=op.f('fk_paper_transfer_from_unit_id_unit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_paper_transfer')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_paper_transfer_dossier_id'))
    )


def downgrade() -> None:
    op.drop_table('paper_transfer')
    with op.batch_alter_table('dossier') as batch:
        batch.drop_constraint('fk_dossier_receiving_unit_id_unit', type_='foreignkey')
        batch.drop_index('ix_dossier_receiving_unit_id')
        batch.drop_column('receiving_unit_id')
    with op.batch_alter_table('unit') as batch:
        batch.drop_column('kind')
