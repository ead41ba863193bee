"""instance called versions

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05

`process_instance.called_versions`: the version of each process a call activity of the instance
called, pinned when its call started ({process id: process_version id}; engine/calls.py). Existing
instances pinned nothing: their models could call processes of their own file only.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('process_instance',
                  sa.Column('called_versions', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'),
                            nullable=False, server_default=sa.text("'{}'")))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN on both databases (SQLite 3.35+): a batch copy of the table would
    # trip the foreign keys that point at it
    op.execute("ALTER TABLE process_instance DROP COLUMN called_versions")
