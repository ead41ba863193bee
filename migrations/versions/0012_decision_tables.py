"""decision tables

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

DMN decisions are deployed in versions (decision_version, like process_version), and a process
version records the decision versions bound into its spec (process_version.decisions).
"""
from alembic import op
import sqlalchemy as sa
import engine.db
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('decision_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.String(length=255), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('filename', sa.String(length=500), nullable=False),
    sa.Column('checksum', sa.String(length=64), nullable=False),
    sa.Column('dmn_xml', sa.Text(), nullable=False),
    sa.Column('hit_policy', sa.String(length=20), nullable=False),
    sa.Column('aggregation', sa.String(length=10), nullable=True),
    sa.Column('inputs', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('outputs', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=False),
    sa.Column('rule_count', sa.Integer(), nullable=False),
    sa.Column('deployed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deployed_by', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_version')),
    sa.UniqueConstraint('decision_id', 'version', name='uq_decision_version_decision_id_version')
    )
    with op.batch_alter_table('decision_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_version_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decision_version_checksum'), ['checksum'], unique=False)

    # In place, not in batch mode: on SQLite a batch would recreate process_version, which the instances
    # refer to (a plain string default lets SQLite add the column in place).
    op.add_column('process_version', sa.Column('decisions', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                                               nullable=False, server_default='[]'))


def downgrade() -> None:
    op.drop_column('process_version', 'decisions')  # in place too (SQLite 3.35 and later)

    with op.batch_alter_table('decision_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_version_checksum'))
        batch_op.drop_index(batch_op.f('ix_decision_version_decision_id'))

    op.drop_table('decision_version')
