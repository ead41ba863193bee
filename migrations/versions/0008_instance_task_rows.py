"""instance tasks in rows

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29

An instance's workflow state is stored task by task (engine/state_store.py): `process_instance.state`
keeps the workflow's JSON without the tasks of the process and of its subprocesses (the envelope,
marked with `motcua_task_rows`), and `instance_task` one row per task, in their order. Upgrading
moves the tasks of every stored state into rows; downgrading puts them back. The conversion is
plain JSON, written out here rather than imported, so that this migration keeps doing what it did.
"""
import json
import uuid

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ROWS_KEY = "motcua_task_rows"
BATCH = 500

instances = sa.table("process_instance", sa.column("id", sa.Integer), sa.column("state", sa.Text))
tasks = sa.table("instance_task", sa.column("instance_id", sa.Integer), sa.column("id", sa.String),
                 sa.column("subprocess", sa.String), sa.column("position", sa.Integer), sa.column("state", sa.Text))


def upgrade() -> None:
    op.create_table('instance_task',
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('subprocess', sa.String(length=36), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('state', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'],
                            name=op.f('fk_instance_task_instance_id_process_instance')),
    sa.PrimaryKeyConstraint('instance_id', 'id', name=op.f('pk_instance_task'))
    )
    for instance_id, state in _stored_states():
        dct = json.loads(state)
        if "tasks" not in dct or ROWS_KEY in dct:
            continue
        rows = []
        for holder, workflow in ((None, dct), *dct.get("subprocesses", {}).items()):
            for task_id, task in workflow.pop("tasks").items():
                rows.append({"instance_id": instance_id, "id": task_id, "subprocess": holder,
                             "position": len(rows), "state": json.dumps(task)})
        dct[ROWS_KEY] = {"next_position": len(rows), "checkpoint": uuid.uuid4().hex}
        if rows:
            op.get_bind().execute(tasks.insert(), rows)
        _write(instance_id, dct)


def downgrade() -> None:
    bind = op.get_bind()
    for instance_id, state in _stored_states():
        dct = json.loads(state)
        if ROWS_KEY not in dct:
            continue
        del dct[ROWS_KEY]
        dct["tasks"] = {}
        for header in dct.get("subprocesses", {}).values():
            header["tasks"] = {}
        for task_id, holder, task in bind.execute(
                sa.select(tasks.c.id, tasks.c.subprocess, tasks.c.state)
                .where(tasks.c.instance_id == instance_id).order_by(tasks.c.position)):
            (dct if holder is None else dct["subprocesses"][holder])["tasks"][task_id] = json.loads(task)
        _write(instance_id, dct)
    op.drop_table('instance_task')


def _stored_states():
    """(id, state) of every instance, read a batch at a time."""
    bind, last = op.get_bind(), 0
    while True:
        batch = bind.execute(sa.select(instances.c.id, instances.c.state).where(instances.c.id > last)
                             .order_by(instances.c.id).limit(BATCH)).all()
        if not batch:
            return
        yield from batch
        last = batch[-1][0]


def _write(instance_id: int, dct: dict) -> None:
    op.get_bind().execute(instances.update().where(instances.c.id == instance_id).values(state=json.dumps(dct)))
