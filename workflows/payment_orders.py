"""Creating the orders at the payment platform, and the applicant's way to pay them.

An order is written (workflows/payments.py) in the transaction of the step that asked for it, with
`gateway_status` pending: that row is the outbox. `create_pending` (the scheduler's `deliver-payments`
job) sends each one's create-order call outside any transaction and records the answer: its payment
page (created), a retry later with a growing delay while the platform or the network is down, or
failed when the platform refuses it (its answer kept in `last_error`). The order's reference is fixed,
so the call is idempotent: sent twice (two schedulers, a lost answer, an applicant who clicked
before the scheduler ran) it is still one order at the platform, with one payment page.

The applicant pays from the public pages (`/thanh-toan/<code>`, linked from the tracking page and the
notice): with the dossier's check digits, `pay_online` creates the order now if it was not yet and
gives its payment page to redirect to. `read_return` reads what the platform's page sends the browser
back with, for showing only: a payment is recorded from the platform's notification, never from it.
"""

from __future__ import annotations

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from http.client import HTTPException
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import utcnow
from workflows import payment_protocol as protocol
from workflows import payments, public
from workflows.agency import get_agency
from workflows.errors import Conflict, RecordedFailure
from workflows.models import Dossier
from workflows.outbox import retry_delay
from workflows.payment_models import PaymentOrder
from workflows.setting_parsers import url_for_messages
from workflows.settings import PaymentConfig

log = logging.getLogger(__name__)
MAX_ANSWER_BYTES = 64 * 1024
ORDER_LIFETIME = timedelta(days=7)
RETURN_PATH = "/thanh-toan/ket-qua"
PAY_PATH = "/thanh-toan/"
_RETRYABLE_HTTP = frozenset({408, 429})


class GatewayError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class PaymentUnavailable(Conflict):
    """The platform could not create the order the applicant wants to pay now."""

    code = "payment_unavailable"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # the signed call goes where it was configured, nowhere else
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class DeliveryReport:
    created: int = 0
    retrying: int = 0
    failed: int = 0


@dataclass(frozen=True)
class ReturnedPayment:
    """What the platform's page sent the applicant back with (checked, not trusted to change anything)."""

    genuine: bool
    paid: bool
    order_ref: str
    dossier_code: str
    amount_vnd: int | None


# --- the create-order call ---------------------------------------------------------------

def create_order(config: PaymentConfig, *, order_ref: str, amount_vnd: int, description: str, return_url: str) -> str:
    """Create (or find again) the order at the platform; its payment page. `GatewayError` otherwise."""
    now = utcnow()
    fields = protocol.sign(protocol.order_fields(
        merchant_code=config.merchant_code, order_ref=order_ref, amount_vnd=amount_vnd, description=description,
        return_url=return_url, created_at=now, expires_at=now + ORDER_LIFETIME), config.secret)
    request = urllib.request.Request(config.url, data=urlencode(fields).encode("ascii"), method="POST",
                                     headers={"Content-Type": "application/x-www-form-urlencoded",
                                              "Accept": "application/json"})
    where = url_for_messages(config.url)
    try:
        with _opener.open(request, timeout=config.timeout) as response:
            raw = response.read(MAX_ANSWER_BYTES)
    except urllib.error.HTTPError as exc:
        retryable = exc.code >= 500 or exc.code in _RETRYABLE_HTTP or 300 <= exc.code < 400
        raise GatewayError(f"the payment platform at {where} answered HTTP {exc.code}", retryable=retryable) from None
    except (urllib.error.URLError, TimeoutError, OSError, HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        raise GatewayError(f"the payment platform at {where} could not be reached: {reason}", retryable=True) from None
    try:
        answer = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise GatewayError(f"the payment platform at {where} answered something that is not JSON",
                           retryable=True) from None
    code, message = str(answer.get("RspCode", "")), str(answer.get("Message", ""))[:500]
    if code != protocol.SUCCESS:
        raise GatewayError(f"the payment platform refused the order: {code} {message}".strip(), retryable=False)
    pay_url = str(answer.get("paymentUrl") or "")
    if not pay_url.startswith(("https://", "http://")):
        raise GatewayError("the payment platform accepted the order but gave no payment page", retryable=False)
    return pay_url


def _return_url(session: Session) -> str:
    return get_agency(session)["public_url"].rstrip("/") + RETURN_PATH


def create_pending(session_factory: sessionmaker, config: PaymentConfig, *, limit: int = 20) -> DeliveryReport:
    """Send the create-order call of each order that waits for it (the outbox); what became of them."""
    now = utcnow()
    with session_factory() as session:
        due = [(order.id, order.order_ref, order.amount_vnd, order.description, order.attempts)
               for order in session.scalars(
                   select(PaymentOrder).where(PaymentOrder.status == payments.OPEN,
                                              PaymentOrder.gateway_status == "pending",
                                              PaymentOrder.next_attempt_at <= now)
                   .order_by(PaymentOrder.next_attempt_at, PaymentOrder.id).limit(limit))]
        return_url = _return_url(session)
    created = retrying = failed = 0
    for order_id, order_ref, amount, description, attempts in due:
        try:
            pay_url = create_order(config, order_ref=order_ref, amount_vnd=amount, description=description,
                                   return_url=return_url)
        except GatewayError as exc:
            _record(session_factory, order_id, error=exc, attempts=attempts + 1)
            retrying, failed = retrying + exc.retryable, failed + (not exc.retryable)
            log.warning("payment order %s not created (%s): %s", order_ref,
                        "will retry" if exc.retryable else "failed", exc.message)
        else:
            _record(session_factory, order_id, pay_url=pay_url, attempts=attempts + 1)
            created += 1
    return DeliveryReport(created, retrying, failed)


def _record(session_factory: sessionmaker, order_id: int, *, attempts: int, pay_url: str = "",
            error: GatewayError | None = None) -> None:
    with session_factory() as session, session.begin():
        order = session.get(PaymentOrder, order_id)
        _apply(order, attempts=attempts, pay_url=pay_url, error=error)


def _apply(order: PaymentOrder, *, attempts: int, pay_url: str = "", error: GatewayError | None = None) -> None:
    order.attempts = attempts
    if error is None:
        order.gateway_status, order.pay_url, order.last_error = "created", pay_url, ""
        return
    order.last_error = error.message
    if error.retryable:
        order.next_attempt_at = utcnow() + retry_delay(attempts)
    else:
        order.gateway_status = "failed"


# --- the applicant --------------------------------------------------------------------------

def payable_order(session: Session, code: str, check: str) -> PaymentOrder | None:
    """The open order of the dossier whose check digits these are (`NotFound` as for a lookup)."""
    return payments.open_order(session, public.verified_dossier(session, code, check))


def pay_online(session: Session, code: str, check: str, config: PaymentConfig | None) -> str:
    """The payment page of the dossier's open order, created at the platform now if it was not yet."""
    order = payable_order(session, code, check)
    if order is None:
        raise Conflict(f"Dossier '{code}' waits for no payment.", dossier_code=code)
    if config is None:
        raise Conflict("Online payment is not available: the fee is paid at the one-stop desk.", dossier_code=code)
    if order.gateway_status == "created" and order.pay_url:
        return order.pay_url
    try:
        pay_url = create_order(config, order_ref=order.order_ref, amount_vnd=order.amount_vnd,
                               description=order.description, return_url=_return_url(session))
    except GatewayError as exc:
        _apply(order, attempts=order.attempts + 1, error=exc)
        unavailable = PaymentUnavailable(f"The payment platform cannot take the payment now ({exc.message}); "
                                         "please try again later.", dossier_code=code)
        raise RecordedFailure(unavailable) from None
    _apply(order, attempts=order.attempts + 1, pay_url=pay_url)
    return pay_url


def read_return(session: Session, fields: dict, config: PaymentConfig | None) -> ReturnedPayment:
    """What the browser came back with: genuine (our checksum), paid, for which order and dossier."""
    fields = {k: str(v) for k, v in fields.items() if k.startswith("vnp_")}
    genuine = config is not None and protocol.verify(fields, config.secret)
    order = payments.find_order(session, fields.get("vnp_TxnRef", "")) if genuine else None
    dossier = session.get(Dossier, order.dossier_id) if order is not None else None
    return ReturnedPayment(genuine=genuine and order is not None, paid=genuine and protocol.paid(fields),
                           order_ref=order.order_ref if order else "", dossier_code=dossier.code if dossier else "",
                           amount_vnd=protocol.from_amount(fields.get("vnp_Amount", "")) if genuine else None)
