"""The agency's own details, printed on the forms and written in notifications."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import StrictSchema


class AgencySchema(StrictSchema):
    province = fields.String(validate=validate.Length(min=1, max=255))
    department = fields.String(validate=validate.Length(min=1, max=255))
    center = fields.String(validate=validate.Length(min=1, max=255))
    desk = fields.String(validate=validate.Length(min=1, max=255))
    return_place = fields.String(validate=validate.Length(min=1, max=500))
    contact = fields.String(validate=validate.Length(min=1, max=500))
    public_url = fields.String(validate=validate.Length(min=1, max=500), metadata={
        "description": "the address applicants open (links in notifications)"})
