"""Dossiers received at another service centre: the papers' transfer, and the transit allowance."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import LocalDateTime, StrictSchema
from workflows import boundary


class PapersSentSchema(StrictSchema):
    method = fields.String(required=True, validate=validate.OneOf(boundary.METHODS),
                           metadata={"description": "post | courier | in_person"})
    tracking_number = fields.String(load_default="", validate=validate.Length(max=100),
                                    metadata={"description": "required by post or courier"})
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class PapersArrivedSchema(StrictSchema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class PaperTransferSchema(StrictSchema):
    dossier_code = fields.String()
    from_unit = fields.Dict(metadata={"description": "{code, name} of the centre that sent them"})
    method = fields.String()
    tracking_number = fields.String()
    note = fields.String()
    sent_at = LocalDateTime()
    sent_by = fields.String()
    arrived_at = LocalDateTime(allow_none=True)
    received_by = fields.String()
    arrival_note = fields.String()


class BoundaryRulesSchema(StrictSchema):
    transit_working_days = fields.Integer(validate=validate.Range(min=0, max=boundary.MAX_TRANSIT_DAYS), metadata={
        "description": "working days added to the due date of a dossier received at another centre"})
