"""deadline policy

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import engine.db
from sqlalchemy.dialects import postgresql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deadline_policy', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('clock_paused_at', engine.db.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step_allocations', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False, server_default=sa.text("'{}'")))
        batch_op.add_column(sa.Column('clock_on_wait', sa.String(length=10), nullable=False, server_default='pause'))


def downgrade() -> None:
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_column('clock_on_wait')
        batch_op.drop_column('step_allocations')

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('clock_paused_at')
        batch_op.drop_column('deadline_policy')

