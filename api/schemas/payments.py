"""Fee payments: a dossier's orders and receipts, the desk's payment, the platform's notifications."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import MAX_PAGE, LocalDateTime, StrictSchema, local_iso


class ReceiptSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "payment (money received) or refund (owed back to the applicant)"})
    method = fields.String(metadata={"description": "online (the payment platform) or desk (paid at the counter)"})
    amount_vnd = fields.Integer()
    transaction_no = fields.String(allow_none=True, metadata={"description": "the platform's transaction number"})
    bank_code = fields.String()
    paid_at = LocalDateTime(allow_none=True)
    reason = fields.String()
    recorded_by = fields.String()
    recorded_at = LocalDateTime()


class PaymentSchema(StrictSchema):
    order_ref = fields.Function(lambda p: p.order.order_ref, metadata={
        "description": "the order's reference at the payment platform (vnp_TxnRef)"})
    amount_vnd = fields.Function(lambda p: p.order.amount_vnd)
    status = fields.Function(lambda p: p.order.status, metadata={"description": "open, paid, refunded or cancelled"})
    gateway_status = fields.Function(lambda p: p.order.gateway_status, metadata={
        "description": "the create-order call: pending, created or failed"})
    last_error = fields.Function(lambda p: p.order.last_error)
    element = fields.Function(lambda p: p.order.element)
    requested_at = fields.Function(lambda p: local_iso(p.order.created_at))
    paid_at = fields.Function(lambda p: local_iso(p.order.paid_at) if p.order.paid_at else None)
    receipts = fields.Function(lambda p: ReceiptSchema(many=True).dump(p.receipts))


class DeskPaymentSchema(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=500), metadata={
        "description": "e.g. the number of the receipt handed to the applicant"})


class NotificationQuerySchema(StrictSchema):
    order_ref = fields.String(validate=validate.Length(min=1, max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class NotificationSchema(StrictSchema):
    id = fields.Integer()
    received_at = LocalDateTime()
    order_ref = fields.String()
    transaction_no = fields.String()
    answer_code = fields.String(metadata={"description": "our RspCode: 00 confirmed, 01 order not found, "
                                                         "02 already confirmed, 04 invalid amount, "
                                                         "97 invalid checksum, 99 unknown error"})
    answer = fields.String()
    address = fields.String()
    fields_ = fields.Dict(data_key="fields", attribute="fields")


class NotificationPageSchema(StrictSchema):
    items = fields.List(fields.Nested(NotificationSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class IpnAnswerSchema(StrictSchema):
    RspCode = fields.String()
    Message = fields.String()
