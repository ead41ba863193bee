"""the inbox read in its order

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05

The inbox lists a role's ready tasks oldest first, 50 at a time: the index on (role, state) becomes
one on (role, state, created_at, id), so that the first page is read in order from the index
instead of every ready task of the role being sorted (issue #16: flat with the number of open
dossiers). The old index is its prefix, and goes.
"""
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_role_state_created', ['role', 'state', 'created_at', 'id'], unique=False)
        batch_op.drop_index('ix_human_task_role_state')


def downgrade() -> None:
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_role_state', ['role', 'state'], unique=False)
        batch_op.drop_index('ix_human_task_role_state_created')
