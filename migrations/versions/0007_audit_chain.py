"""audit chain

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29

Chain columns on audit_event, the chain head, and triggers that make the audit trail append-only
in the database itself: no DELETE (nor TRUNCATE), no UPDATE except the sealer setting chain_seq
and chain_hash, once, from NULL; the head only moves forward and cannot be deleted.

On SQLite, a batch migration that recreates audit_event or audit_chain_head drops their
triggers: such a migration must create them again (see _create_sqlite_triggers).
"""
from alembic import op
import sqlalchemy as sa
import engine.db


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

PG_FUNCTIONS = """
CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        IF OLD.chain_seq IS NULL AND OLD.chain_hash IS NULL
           AND NEW.chain_seq IS NOT NULL AND NEW.chain_hash IS NOT NULL
           AND to_jsonb(NEW) - 'chain_seq' - 'chain_hash' = to_jsonb(OLD) - 'chain_seq' - 'chain_hash' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_event is append-only, UPDATE of event % refused', OLD.id
            USING HINT = 'Only the sealer sets chain_seq and chain_hash, once.';
    ELSIF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit_event is append-only, DELETE of event % refused', OLD.id;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only, % refused', TG_OP;
END
$$;

CREATE FUNCTION audit_chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.last_seq > OLD.last_seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_chain_head only moves forward, % refused', TG_OP;
END
$$;
"""

PG_TRIGGERS = (
    "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event"
    " FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only()",
    "CREATE TRIGGER audit_chain_head_forward_only BEFORE UPDATE OR DELETE ON audit_chain_head"
    " FOR EACH ROW EXECUTE FUNCTION audit_chain_head_forward_only()",
    "CREATE TRIGGER audit_chain_head_no_truncate BEFORE TRUNCATE ON audit_chain_head"
    " FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_head_forward_only()",
)

SQLITE_TRIGGERS = (
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
WHEN OLD.chain_seq IS NOT NULL OR OLD.chain_hash IS NOT NULL
  OR NEW.chain_seq IS NULL OR NEW.chain_hash IS NULL
  OR NEW.id IS NOT OLD.id OR NEW.occurred_at IS NOT OLD.occurred_at
  OR NEW.actor IS NOT OLD.actor OR NEW.action IS NOT OLD.action
  OR NEW.instance_id IS NOT OLD.instance_id OR NEW.subject IS NOT OLD.subject
  OR NEW.data IS NOT OLD.data
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only, UPDATE refused (only the sealer sets chain_seq and chain_hash, once)');
END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
BEGIN
    SELECT RAISE(ABORT, 'audit_event is append-only, DELETE refused');
END""",
    """CREATE TRIGGER audit_chain_head_no_update BEFORE UPDATE ON audit_chain_head
WHEN NEW.id IS NOT OLD.id OR NEW.last_seq IS NULL OR NEW.last_seq <= OLD.last_seq
BEGIN
    SELECT RAISE(ABORT, 'audit_chain_head only moves forward, UPDATE refused');
END""",
    """CREATE TRIGGER audit_chain_head_no_delete BEFORE DELETE ON audit_chain_head
BEGIN
    SELECT RAISE(ABORT, 'audit_chain_head only moves forward, DELETE refused');
END""",
)


def _create_sqlite_triggers() -> None:
    for statement in SQLITE_TRIGGERS:
        op.execute(statement)


def upgrade() -> None:
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=False),
    sa.Column('sealed_at', engine.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_audit_chain_head_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_chain_seq'), ['chain_seq'])

    if op.get_context().dialect.name == 'postgresql':
        op.execute(PG_FUNCTIONS)
        for statement in PG_TRIGGERS:
            op.execute(statement)
    else:
        _create_sqlite_triggers()


def downgrade() -> None:
    if op.get_context().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_chain_head_no_truncate ON audit_chain_head")
        op.execute("DROP TRIGGER audit_chain_head_forward_only ON audit_chain_head")
        op.execute("DROP TRIGGER audit_event_no_truncate ON audit_event")
        op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION audit_chain_head_forward_only()")
        op.execute("DROP FUNCTION audit_event_append_only()")
    else:
        for name in ('audit_chain_head_no_delete', 'audit_chain_head_no_update',
                     'audit_event_no_delete', 'audit_event_no_update'):
            op.execute(f"DROP TRIGGER {name}")

    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_chain_seq'), type_='unique')
        batch_op.drop_column('chain_hash')
        batch_op.drop_column('chain_seq')

    op.drop_table('audit_chain_head')
