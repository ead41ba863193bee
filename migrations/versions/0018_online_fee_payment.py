"""online fee payment

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05

A model may ask a dossier to pay a fee (status 6): payment_order is the order and the outbox of its
create-order call to the payment platform, payment_receipt what was paid (online or at the desk) or
is owed back (a refund), payment_notification every notification the platform sent and our answer
(workflows/payments.py). A procedure says whether its clock runs while a fee is paid.
"""
from alembic import op
import sqlalchemy as sa

from engine.db import JSONType, UTCDateTime

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('payment_notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('received_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('order_ref', sa.String(length=100), nullable=False),
    sa.Column('transaction_no', sa.String(length=100), nullable=False),
    sa.Column('fields', JSONType, nullable=False),
    sa.Column('answer_code', sa.String(length=4), nullable=False),
    sa.Column('answer', sa.String(length=255), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_notification'))
    )
    with op.batch_alter_table('payment_notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_notification_received_at'), ['received_at'], unique=False)

    op.create_table('payment_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('order_ref', sa.String(length=60), nullable=False),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('message_name', sa.String(length=100), nullable=False),
    sa.Column('element', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('gateway_status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('pay_url', sa.String(length=2000), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
    sa.Column('paid_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_payment_order_dossier_id_dossier'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_order')),
    sa.UniqueConstraint('order_ref', name=op.f('uq_payment_order_order_ref'))
    )
    with op.batch_alter_table('payment_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_order_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index('ix_payment_order_gateway', ['gateway_status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_order_status'), ['status'], unique=False)

    op.create_table('payment_receipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('method', sa.String(length=10), nullable=False),
    sa.Column('amount_vnd', sa.Integer(), nullable=False),
    sa.Column('transaction_no', sa.String(length=60), nullable=True),
    sa.Column('bank_code', sa.String(length=20), nullable=False),
    sa.Column('paid_at', UTCDateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], name=op.f('fk_payment_receipt_dossier_id_dossier'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['payment_order.id'], name=op.f('fk_payment_receipt_order_id_payment_order'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_receipt')),
    sa.UniqueConstraint('kind', 'transaction_no', name='uq_payment_receipt_transaction')
    )
    with op.batch_alter_table('payment_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_receipt_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index('ix_payment_receipt_kind_method_at', ['kind', 'method', 'recorded_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_payment_receipt_order_id'), ['order_id'], unique=False)

    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('clock_while_paying', sa.String(length=10), server_default='pause', nullable=False))



def downgrade() -> None:
    with op.batch_alter_table('procedure', schema=None) as batch_op:
        batch_op.drop_column('clock_while_paying')

    with op.batch_alter_table('payment_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_receipt_order_id'))
        batch_op.drop_index('ix_payment_receipt_kind_method_at')
        batch_op.drop_index(batch_op.f('ix_payment_receipt_dossier_id'))

    op.drop_table('payment_receipt')
    with op.batch_alter_table('payment_order', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_order_status'))
        batch_op.drop_index('ix_payment_order_gateway')
        batch_op.drop_index(batch_op.f('ix_payment_order_dossier_id'))

    op.drop_table('payment_order')
    with op.batch_alter_table('payment_notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_notification_received_at'))

    op.drop_table('payment_notification')
