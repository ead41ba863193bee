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
    dossier_code_prefix = fields.String(validate=validate.Length(max=30), metadata={
        "description": "the first part of new dossiers' codes (<prefix>-YYMMDD-NNNN), e.g. the agency's code in "
                       "the national list; empty: the server's MOTCUA_DOSSIER_PREFIX"})
    public_url = fields.String(validate=validate.Length(min=1, max=500), metadata={
        "description": "the address applicants open (links in notifications)"})
