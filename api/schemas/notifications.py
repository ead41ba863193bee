"""Notification templates and the outbox (administrators)."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import MAX_PAGE, LocalDateTime, StrictSchema
from workflows import access, outbox


class TemplateSchema(StrictSchema):
    kind = fields.String()
    channel = fields.String()
    audience = fields.String()
    subject = fields.String()
    body = fields.String()
    customized = fields.Boolean()
    updated_by = fields.String(allow_none=True)
    updated_at = LocalDateTime(allow_none=True)


class TemplateInputSchema(StrictSchema):
    audience = fields.String(load_default="applicant", validate=validate.OneOf(("applicant", "officers")))
    subject = fields.String(load_default="", validate=validate.Length(max=500))
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class OutboxQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(outbox.STATUSES))
    dossier_code = fields.String(validate=validate.Length(min=1, max=50))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class OutboxMessageSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    channel = fields.String()
    recipient = fields.Function(lambda m: access.mask_email(m.recipient) if m.channel == "email"
                                else access.mask_digits(m.recipient), metadata={"description": "masked"})
    subject = fields.String()
    body = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = LocalDateTime()
    last_error = fields.String()
    created_at = LocalDateTime()
    sent_at = LocalDateTime(allow_none=True)


class OutboxPageSchema(StrictSchema):
    items = fields.List(fields.Nested(OutboxMessageSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
