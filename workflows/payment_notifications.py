"""The payment platform's notifications (IPN): checked, recorded, answered.

A notification is believed only when its checksum is right under our secret (workflows/payment_protocol.py)
and it names our merchant code, an order of ours, and that order's amount. A transaction the platform
already notified (its `vnp_TransactionNo`), or an order already paid, is answered "already confirmed"
and changes nothing: a replayed notification cannot pay twice nor move a dossier again. A payment that
failed at the bank is acknowledged and leaves the order open. Every notification, believed or not, is
kept (`PaymentNotification`) with our answer.

A payment is recorded in the notification's transaction (the receipt's transaction number is unique:
two deliveries of one notification at once record it once); the model hears of it in a second
transaction, so that a process that cannot take it now (busy, suspended) does not make the platform
send the notification again: the scheduler delivers it later (payments.deliver_paid).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine import audit
from engine import errors as engine_errors
from engine.clock import utcnow
from workflows import payment_protocol as protocol
from workflows import payments
from workflows.models import Dossier
from workflows.payment_models import PaymentNotification, PaymentOrder, PaymentReceipt
from workflows.settings import PaymentConfig

log = logging.getLogger(__name__)
MAX_FIELDS = 40
MAX_VALUE = 512


def handle(session_factory: sessionmaker, raw_fields: Mapping[str, str], config: PaymentConfig, *,
           address: str = "") -> tuple[str, str]:
    """Check and record one notification; the answer (RspCode, Message) the platform reads."""
    fields = {str(k)[:64]: str(v)[:MAX_VALUE] for k, v in list(raw_fields.items())[:MAX_FIELDS]
              if str(k).startswith("vnp_")}
    try:
        with session_factory() as session, session.begin():
            answer, order_id = _judge(session, fields, config)
            _keep(session, fields, answer, address)
    except IntegrityError:  # the same transaction recorded by a notification delivered at the same time
        answer, order_id = protocol.ALREADY_CONFIRMED, None
        with session_factory() as session, session.begin():
            _keep(session, fields, answer, address)
    if answer != protocol.CONFIRMED:
        log.warning("payment notification refused (%s %s): order %r, transaction %r, from %s", *answer,
                    fields.get("vnp_TxnRef"), fields.get("vnp_TransactionNo"), address)
    if order_id is not None:
        _deliver(session_factory, order_id)
    return answer


def _judge(session: Session, fields: dict, config: PaymentConfig) -> tuple[tuple[str, str], int | None]:
    """Our answer, and the order whose payment was recorded (to tell its model), if one was."""
    if not protocol.verify(fields, config.secret):
        return protocol.INVALID_CHECKSUM, None
    if any(not fields.get(name) for name in protocol.NOTIFICATION_FIELDS):
        return protocol.UNKNOWN_ERROR, None
    if fields["vnp_TmnCode"] != config.merchant_code:
        return protocol.ORDER_NOT_FOUND, None
    order = session.scalars(select(PaymentOrder).where(PaymentOrder.order_ref == fields["vnp_TxnRef"])
                            .with_for_update()).first()
    if order is None:
        return protocol.ORDER_NOT_FOUND, None
    if protocol.from_amount(fields["vnp_Amount"]) != order.amount_vnd:
        return protocol.INVALID_AMOUNT, None
    transaction_no = fields["vnp_TransactionNo"]
    seen = session.scalars(select(PaymentReceipt.id).where(PaymentReceipt.kind == payments.PAYMENT,
                                                           PaymentReceipt.transaction_no == transaction_no)).first()
    if seen is not None or order.status in (payments.PAID, payments.REFUNDED):
        return protocol.ALREADY_CONFIRMED, None
    dossier = session.get(Dossier, order.dossier_id)
    if not protocol.paid(fields):
        audit.record(session, actor=payments.PLATFORM_ACTOR, action="dossier.payment_failed",
                     instance_id=dossier.instance_id, subject=dossier.code,
                     data={"order_ref": order.order_ref, "response_code": fields["vnp_ResponseCode"],
                           "transaction_status": fields["vnp_TransactionStatus"], "transaction_no": transaction_no})
        return protocol.CONFIRMED, None
    payments.record_payment(session, order, method=payments.ONLINE, amount_vnd=order.amount_vnd,
                            actor=payments.PLATFORM_ACTOR, transaction_no=transaction_no,
                            bank_code=fields.get("vnp_BankCode", ""), paid_at=protocol.from_time(fields["vnp_PayDate"]))
    return protocol.CONFIRMED, order.id if order.delivered_at is None else None


def _keep(session: Session, fields: dict, answer: tuple[str, str], address: str) -> None:
    session.add(PaymentNotification(received_at=utcnow(), order_ref=fields.get("vnp_TxnRef", "")[:100],
                                    transaction_no=fields.get("vnp_TransactionNo", "")[:100], fields=fields,
                                    answer_code=answer[0], answer=answer[1], address=address[:64]))


def _deliver(session_factory: sessionmaker, order_id: int) -> None:
    try:
        with session_factory() as session, session.begin():
            order = session.get(PaymentOrder, order_id)
            if order.delivered_at is None:
                payments.deliver(session, order, actor=payments.PLATFORM_ACTOR)
    except engine_errors.EngineError as exc:
        log.warning("the payment of order %s is recorded; its dossier's process will hear of it later: %s",
                    order_id, exc)


def list_notifications(session: Session, *, order_ref: str | None = None, page: int = 1,
                       per_page: int = 50) -> tuple[list[PaymentNotification], int]:
    """The notifications received, newest first (of one order, if given)."""
    query = select(PaymentNotification)
    if order_ref:
        query = query.where(PaymentNotification.order_ref == order_ref)
    total = session.scalar(select(func.count()).select_from(query.subquery()))
    items = session.scalars(query.order_by(PaymentNotification.id.desc()).offset((page - 1) * per_page)
                            .limit(per_page))
    return list(items), total
