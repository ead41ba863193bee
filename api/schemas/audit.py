"""The administration's change log."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import MAX_PAGE, StrictSchema
from api.schemas.dossiers import HistoryEventSchema


class AuditQuerySchema(StrictSchema):
    action_prefix = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "actions starting with this, e.g. procedure. (administration families only)"})
    action = fields.List(fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=20),
                         metadata={"description": "exact actions (repeat the parameter), e.g. user.updated"})
    subject = fields.String(validate=validate.Length(min=1, max=255), metadata={
        "description": "what was changed: a procedure code, a date, a username, kind/channel of a template"})
    actor = fields.String(validate=validate.Length(min=1, max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class AuditEventSchema(HistoryEventSchema):
    data = fields.Dict(metadata={"description": "what changed, e.g. {changes: {field: {old, new}}}"})


class AuditPageSchema(StrictSchema):
    items = fields.List(fields.Nested(AuditEventSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean(metadata={"description": "a next page has events"})
