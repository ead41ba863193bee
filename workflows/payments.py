"""Fees a dossier's model asks for, what was paid, and what is owed back.

An element with the property `payment_request` asks the applicant to pay (its model moves the
dossier to status 6 with `dossier_status`): its value names the data that holds the amount (e.g.
`le_phi`, which a decision table computed), or is `procedure_fee` for the procedure's published fee.
The request is a `PaymentOrder` with a fixed reference, written in the step's transaction; with
online payment configured, workflows/payment_orders.py creates it at the payment platform (an
outbox: retried, idempotent by its reference) and the applicant pays from the public pages; without
it, the desk records the payment (`record_desk_payment`).

Once an order is paid (the platform's signed notification, workflows/payment_notifications.py, or
the desk) the receipt is kept and the model hears it: the message `payment_message` (default
`fee_paid`) is sent to the dossier's process with the payment's details under `payment`, and the
model goes on as it says. A message that could not be delivered at once (the process busy or
suspended) is delivered again by the scheduler (`deliver_paid`).

A dossier refused (status 3) after it paid gets a refund recorded for each paid order; an order still
open when its dossier is refused or stopped is cancelled (paying it later records a refund at once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine import audit, instances
from engine import errors as engine_errors
from engine.calendar_store import load_calendar
from engine.clock import utcnow
from engine.instances import CompletedElement
from workflows import statuses
from workflows.auth import Principal
from workflows.dossiers import get_dossier, handled_dossier
from workflows.errors import Conflict, InvalidInput
from workflows.models import Dossier
from workflows.payment_models import PaymentOrder, PaymentReceipt

log = logging.getLogger(__name__)

REQUEST_PROPERTY = "payment_request"
MESSAGE_PROPERTY = "payment_message"
PROCEDURE_FEE = "procedure_fee"
DEFAULT_MESSAGE = "fee_paid"
PLATFORM_ACTOR = "payment-platform"
OPEN, PAID, REFUNDED, CANCELLED = "open", "paid", "refunded", "cancelled"
ONLINE, DESK = "online", "desk"
PAYMENT, REFUND = "payment", "refund"
REFUNDED_WHEN = frozenset({statuses.NOT_RECEIVED})
CANCELLED_WHEN = frozenset({statuses.NOT_RECEIVED, statuses.PROCESSING_STOPPED})


@dataclass(frozen=True)
class Payment:
    """A dossier's payment, as officers see it: the order and its receipts."""

    order: PaymentOrder
    receipts: list[PaymentReceipt]


# --- what the model's elements ask ---------------------------------------------------------

def apply_element(session: Session, dossier: Dossier, element: CompletedElement, *, actor: str) -> None:
    """An element completed (lifecycle.apply_model_effects): a payment it asks for; a refund or a
    cancellation when it moved the dossier to an end."""
    source = (element.properties.get(REQUEST_PROPERTY) or "").strip()
    if source:
        message = (element.properties.get(MESSAGE_PROPERTY) or "").strip() or DEFAULT_MESSAGE
        request_payment(session, dossier, amount_vnd=_amount(dossier, source, element), message=message,
                        element=element.bpmn_id, actor=actor)
    if dossier.status in CANCELLED_WHEN:
        _settle_at_end(session, dossier, actor=actor)


def request_payment(session: Session, dossier: Dossier, *, amount_vnd: int, message: str, element: str = "",
                    actor: str) -> PaymentOrder:
    """Ask the dossier to pay `amount_vnd`: a new open order, to be created at the platform."""
    if open_order(session, dossier) is not None:
        raise Conflict(f"Dossier '{dossier.code}' already waits for a payment.", dossier_code=dossier.code)
    now = utcnow()
    number = session.scalar(select(func.count()).select_from(PaymentOrder)
                            .where(PaymentOrder.dossier_id == dossier.id)) + 1
    order = PaymentOrder(dossier_id=dossier.id, order_ref=f"{dossier.code}-{number}", amount_vnd=amount_vnd,
                         description=f"Le phi ho so {dossier.code}", message_name=message, element=element,
                         status=OPEN, gateway_status="pending", attempts=0, next_attempt_at=now, last_error="",
                         pay_url="", created_by=actor, created_at=now)
    session.add(order)
    session.flush()
    audit.record(session, actor=actor, action="dossier.payment_requested", instance_id=dossier.instance_id,
                 subject=dossier.code, at=now,
                 data={"order_ref": order.order_ref, "amount_vnd": amount_vnd, "element": element})
    return order


def _amount(dossier: Dossier, source: str, element: CompletedElement) -> int:
    raw = dossier.procedure.fee_vnd if source == PROCEDURE_FEE else element.data.get(source)
    amount = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        amount = raw
    elif isinstance(raw, float | Decimal) and raw == int(raw):
        amount = int(raw)
    elif isinstance(raw, str) and raw.strip().isdigit():
        amount = int(raw)
    if amount is None or amount <= 0:
        raise InvalidInput(f"'{element.bpmn_id}' asks for a payment of '{source}', which is {raw!r}: a fee must be "
                           "a whole, positive number of đồng.", field=REQUEST_PROPERTY, element=element.bpmn_id,
                           value=str(raw))
    return amount


def _settle_at_end(session: Session, dossier: Dossier, *, actor: str) -> None:
    for order in orders_of(session, dossier):
        if order.status == OPEN:
            order.status = CANCELLED
            audit.record(session, actor=actor, action="dossier.payment_cancelled", instance_id=dossier.instance_id,
                         subject=dossier.code, data={"order_ref": order.order_ref})
        elif order.status == PAID and dossier.status in REFUNDED_WHEN:
            record_refund(session, dossier, order, actor=actor, reason="Hồ sơ bị từ chối giải quyết sau khi đã nộp "
                                                                      "lệ phí")


def record_refund(session: Session, dossier: Dossier, order: PaymentOrder, *, actor: str,
                  reason: str) -> PaymentReceipt:
    """Record that the paid amount of `order` is owed back to the applicant (returned by the finance office)."""
    paid = session.scalar(select(func.coalesce(func.sum(PaymentReceipt.amount_vnd), 0)).where(
        PaymentReceipt.order_id == order.id, PaymentReceipt.kind == PAYMENT))
    now = utcnow()
    refund = PaymentReceipt(order_id=order.id, dossier_id=dossier.id, kind=REFUND, method=_method_of(session, order),
                            amount_vnd=int(paid), transaction_no=None, bank_code="", reason=reason, recorded_by=actor,
                            recorded_at=now)
    session.add(refund)
    order.status = REFUNDED
    session.flush()
    audit.record(session, actor=actor, action="dossier.payment_refunded", instance_id=dossier.instance_id,
                 subject=dossier.code, at=now,
                 data={"order_ref": order.order_ref, "amount_vnd": refund.amount_vnd, "reason": reason})
    return refund


def _method_of(session: Session, order: PaymentOrder) -> str:
    receipt = session.scalars(select(PaymentReceipt).where(PaymentReceipt.order_id == order.id,
                                                           PaymentReceipt.kind == PAYMENT)).first()
    return receipt.method if receipt is not None else ONLINE


# --- paying ------------------------------------------------------------------------------

def record_payment(session: Session, order: PaymentOrder, *, method: str, amount_vnd: int, actor: str,
                   transaction_no: str | None = None, bank_code: str = "", paid_at: datetime | None = None,
                   reason: str = "") -> PaymentReceipt:
    """Keep the receipt of a payment of `order` and mark it paid (the caller checked the amount). An order
    no longer open (its dossier refused or stopped) is refunded at once."""
    dossier = session.get(Dossier, order.dossier_id)
    now = utcnow()
    receipt = PaymentReceipt(order_id=order.id, dossier_id=order.dossier_id, kind=PAYMENT, method=method,
                             amount_vnd=amount_vnd, transaction_no=transaction_no, bank_code=bank_code[:20],
                             paid_at=paid_at or now, reason=reason, recorded_by=actor, recorded_at=now)
    session.add(receipt)
    was_open = order.status == OPEN
    order.status, order.paid_at = PAID, now
    session.flush()
    audit.record(session, actor=actor, action="dossier.payment_received", instance_id=dossier.instance_id,
                 subject=dossier.code, at=now,
                 data={"order_ref": order.order_ref, "amount_vnd": amount_vnd, "method": method,
                       "transaction_no": transaction_no})
    if not was_open:
        order.delivered_at = now  # nothing waits for it any more
        record_refund(session, dossier, order, actor=actor, reason="Lệ phí nộp sau khi hồ sơ đã dừng hoặc bị từ chối")
    return receipt


def record_desk_payment(session: Session, principal: Principal, code: str, *, note: str = "") -> Payment:
    """The desk took the fee of the dossier's open order in cash or by card at the counter; the model
    hears it at once."""
    dossier = handled_dossier(session, principal, code)
    order = open_order(session, dossier)
    if order is None:
        raise Conflict(f"Dossier '{code}' waits for no payment.", dossier_code=code)
    record_payment(session, order, method=DESK, amount_vnd=order.amount_vnd, actor=principal.username, reason=note)
    deliver(session, order, actor=principal.username)
    return Payment(order, receipts_of_order(session, order))


def deliver(session: Session, order: PaymentOrder, *, actor: str) -> None:
    """Tell the dossier's process that `order` is paid: its message, with the payment under `payment`."""
    from workflows import lifecycle  # imported here: lifecycle calls this module from the model's steps

    dossier = session.get(Dossier, order.dossier_id)
    receipt = receipts_of_order(session, order)[0]
    payload = {"payment": {"order_ref": order.order_ref, "amount_vnd": receipt.amount_vnd, "method": receipt.method,
                           "transaction_no": receipt.transaction_no or "",
                           "paid_at": (receipt.paid_at or receipt.recorded_at).isoformat()}}
    instances.send_message(session, dossier.instance_id, order.message_name, actor=actor, payload=payload,
                           effects=lifecycle.effects_on(session, dossier, actor=actor))
    order.delivered_at = utcnow()


def deliver_paid(session_factory: sessionmaker, *, limit: int = 50) -> int:
    """Deliver the messages of paid orders whose process did not hear of them yet; how many were delivered."""
    with session_factory() as session:
        ids = list(session.scalars(select(PaymentOrder.id).where(PaymentOrder.status == PAID,
                                                                 PaymentOrder.delivered_at.is_(None))
                                   .order_by(PaymentOrder.id).limit(limit)))
    delivered = 0
    for order_id in ids:
        try:
            with session_factory() as session, session.begin():
                order = session.get(PaymentOrder, order_id)
                if order.delivered_at is None:
                    deliver(session, order, actor=PLATFORM_ACTOR)
                    delivered += 1
        except (engine_errors.EngineError, Conflict) as exc:
            log.warning("the payment %s could not reach its dossier's process yet: %s", order_id, exc)
    return delivered


# --- what is shown and counted -----------------------------------------------------------

def orders_of(session: Session, dossier: Dossier) -> list[PaymentOrder]:
    return list(session.scalars(select(PaymentOrder).where(PaymentOrder.dossier_id == dossier.id)
                                .order_by(PaymentOrder.id)))


def open_order(session: Session, dossier: Dossier) -> PaymentOrder | None:
    return session.scalars(select(PaymentOrder).where(PaymentOrder.dossier_id == dossier.id,
                                                      PaymentOrder.status == OPEN)).first()


def find_order(session: Session, order_ref: str) -> PaymentOrder | None:
    return session.scalars(select(PaymentOrder).where(PaymentOrder.order_ref == order_ref)).first()


def receipts_of_order(session: Session, order: PaymentOrder) -> list[PaymentReceipt]:
    return list(session.scalars(select(PaymentReceipt).where(PaymentReceipt.order_id == order.id)
                                .order_by(PaymentReceipt.id)))


def payments_for(session: Session, principal: Principal, code: str) -> list[Payment]:
    """The dossier's orders and their receipts, oldest first, for an officer who may see the dossier."""
    from workflows.dossiers import dossier_for

    dossier_for(session, principal, code)  # the dossier's access rule
    dossier = get_dossier(session, code)
    return [Payment(order, receipts_of_order(session, order)) for order in orders_of(session, dossier)]


def dossiers_paid_online(session: Session, start: date, end: date) -> int:
    """How many dossiers paid a fee online between `start` and `end` (inclusive, local days): the count the
    Decision 766 online-payment indicator divides by the dossiers that had a fee to pay."""
    zone = load_calendar(session).zone
    since = datetime.combine(start, time.min, zone)
    until = datetime.combine(end + timedelta(days=1), time.min, zone)
    return session.scalar(select(func.count(func.distinct(PaymentReceipt.dossier_id))).where(
        PaymentReceipt.kind == PAYMENT, PaymentReceipt.method == ONLINE,
        PaymentReceipt.recorded_at >= since, PaymentReceipt.recorded_at < until)) or 0


def dossiers_paid_online_in_quarter(session: Session, year: int, quarter: int) -> int:
    """`dossiers_paid_online` for the quarter (1-4) of `year`."""
    if quarter not in (1, 2, 3, 4):
        raise InvalidInput("quarter must be 1, 2, 3 or 4.", field="quarter")
    first = date(year, 3 * quarter - 2, 1)
    last = (date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)) - timedelta(days=1)
    return dossiers_paid_online(session, first, last)
