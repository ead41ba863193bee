"""the ground of a notice of stopping the processing of a dossier (Circular 03/2025, form 05)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05

A notice of kind `stop` keeps the code of the ground it was made on (workflows/stopping.py); the
grounds themselves and who may stop a dossier are an administrator's data (app_setting `stopping`).
"""
from alembic import op
import sqlalchemy as sa

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('dossier_notice', sa.Column('ground', sa.String(length=50), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('dossier_notice') as batch:
        batch.drop_column('ground')
