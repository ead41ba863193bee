"""task candidates and default role

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01

Roles and users from other modellers' assignment attributes (engine/assignment.py): a procedure's
`default_role` for tasks that name no role, kept by each instance at its start like `lane_roles`,
and `human_task_candidate`, the users a task is offered to when its model names them.
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('human_task_candidate',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_human_task_candidate_task_id_human_task')),
    sa.PrimaryKeyConstraint('task_id', 'username', name=op.f('pk_human_task_candidate'))
    )
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_role', sa.String(length=50), nullable=True))
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('default_role', sa.String(length=50), nullable=True))


def downgrade() -> None:
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+): recreating the tables would drop them under the rows
    # that refer to them (instances, dossiers), which SQLite's foreign keys refuse.
    with op.batch_alter_table('process_instance', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('default_role')
    with op.batch_alter_table('procedure', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('default_role')
    op.drop_table('human_task_candidate')
