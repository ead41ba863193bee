"""Fee payments: the payment platform's notifications (IPN), a dossier's payments, the desk's payment."""

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import session_factory, transaction
from api.schemas.payments import (
    DeskPaymentSchema,
    IpnAnswerSchema,
    NotificationPageSchema,
    NotificationQuerySchema,
    PaymentSchema,
)
from api.security import current_principal, requires
from workflows import payment_notifications, payment_protocol, payments
from workflows.roles import ADMIN, CLERK, DESK_OFFICER, LEADER, SPECIALIST

STAFF = (DESK_OFFICER, SPECIALIST, LEADER, CLERK)

callbacks_blp = Blueprint("payment_callbacks", __name__, url_prefix="/api/v1/payments",
                          description="What the payment platform calls: its signed notifications (IPN)")
blp = Blueprint("payments", __name__, url_prefix="/api/v1",
                description="Fees: what a dossier was asked to pay, its receipts and refunds; payment at the desk")


@callbacks_blp.route("/ipn")
class PaymentNotification(MethodView):
    @callbacks_blp.doc(security=[])  # the platform signs each notification with the merchant's secret instead
    @callbacks_blp.response(200, IpnAnswerSchema)
    def get(self):
        """The platform's notification of a payment (vnp_* fields, signed with vnp_SecureHash): always 200,
        the answer in RspCode (docs/integrations.md)"""
        config = current_app.config["MOTCUA"].payment
        if config is None:
            code, message = payment_protocol.ORDER_NOT_FOUND
        else:
            code, message = payment_notifications.handle(session_factory(), request.args.to_dict(), config,
                                                         address=request.remote_addr or "")
        return {"RspCode": code, "Message": message}


@blp.route("/dossiers/<string:code>/payments")
class DossierPayments(MethodView):
    @requires(*STAFF, ADMIN, scope="dossiers:read")
    @blp.response(200, PaymentSchema(many=True))
    def get(self, code):
        """The fees the dossier was asked to pay, oldest first, each with its receipts (payments, refunds)"""
        with transaction() as session:
            return payments.payments_for(session, current_principal(), code)

    @requires(DESK_OFFICER)
    @blp.arguments(DeskPaymentSchema)
    @blp.response(201, PaymentSchema)
    def post(self, body, code):
        """Record the fee of the dossier's open order as paid at the desk; its process goes on"""
        with transaction() as session:
            return payments.record_desk_payment(session, current_principal(), code, note=body["note"])


@blp.route("/payments/notifications")
class PaymentNotifications(MethodView):
    @requires(ADMIN)
    @blp.arguments(NotificationQuerySchema, location="query")
    @blp.response(200, NotificationPageSchema)
    def get(self, query):
        """The platform's notifications, newest first, with our answer to each (refused ones included)"""
        with transaction() as session:
            items, total = payment_notifications.list_notifications(
                session, order_ref=query.get("order_ref"), page=query["page"], per_page=query["per_page"])
        return {"items": items, "total": total, "page": query["page"], "per_page": query["per_page"]}
