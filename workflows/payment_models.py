"""The tables of online fee payment (workflows/payments.py): the orders a dossier is asked to pay, the
receipts of what was paid or refunded, and every notification the payment platform sent."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, JSONType, UTCDateTime


class PaymentOrder(Base):
    """A fee a dossier's model asked for (status 6): one order per request, its reference (`order_ref`,
    the platform's vnp_TxnRef) fixed when it is made, so that creating it again at the platform is the
    same order. `status`: open (to pay) → paid → refunded; or cancelled. `gateway_status`: where the
    create-order call stands (pending, created, failed), retried with `attempts` and `next_attempt_at`.
    A paid order's message reaches the dossier's process once (`delivered_at`), retried if it could not."""

    __tablename__ = "payment_order"
    __table_args__ = (sa.Index("ix_payment_order_gateway", "gateway_status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    order_ref: Mapped[str] = mapped_column(sa.String(60), unique=True)
    amount_vnd: Mapped[int]
    description: Mapped[str] = mapped_column(sa.String(255))
    message_name: Mapped[str] = mapped_column(sa.String(100))  # what the model waits for once it is paid
    element: Mapped[str] = mapped_column(sa.String(255), default="")
    status: Mapped[str] = mapped_column(sa.String(12), index=True)
    gateway_status: Mapped[str] = mapped_column(sa.String(12))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    pay_url: Mapped[str] = mapped_column(sa.String(2000), default="")
    created_by: Mapped[str] = mapped_column(sa.String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the model heard it was paid


class PaymentReceipt(Base):
    """Money received for an order (`kind` payment: online, with the platform's transaction number, or at
    the desk) or owed back to the applicant (`kind` refund, recorded when a paid dossier is refused)."""

    __tablename__ = "payment_receipt"
    __table_args__ = (sa.UniqueConstraint("kind", "transaction_no", name="uq_payment_receipt_transaction"),
                      sa.Index("ix_payment_receipt_kind_method_at", "kind", "method", "recorded_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("payment_order.id", ondelete="CASCADE"), index=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))  # payment | refund
    method: Mapped[str] = mapped_column(sa.String(10))  # online | desk
    amount_vnd: Mapped[int]
    transaction_no: Mapped[str | None] = mapped_column(sa.String(60))  # the platform's (vnp_TransactionNo)
    bank_code: Mapped[str] = mapped_column(sa.String(20), default="")
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the platform's time of payment
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by: Mapped[str] = mapped_column(sa.String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PaymentNotification(Base):
    """A notification (IPN) the payment platform sent, accepted or refused, with our answer: the trace
    an operator reads when an applicant says they paid."""

    __tablename__ = "payment_notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    order_ref: Mapped[str] = mapped_column(sa.String(100), default="")
    transaction_no: Mapped[str] = mapped_column(sa.String(100), default="")
    fields: Mapped[dict] = mapped_column(JSONType, default=dict)
    answer_code: Mapped[str] = mapped_column(sa.String(4))
    answer: Mapped[str] = mapped_column(sa.String(255))
    address: Mapped[str] = mapped_column(sa.String(64), default="")
