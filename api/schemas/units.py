"""The organisational units."""

from __future__ import annotations

from marshmallow import fields

from api.schemas.common import StrictSchema


class UnitSchema(StrictSchema):
    code = fields.String()
    name = fields.String()
    kind = fields.String(metadata={"description": "internal, or service_centre: another service centre of the "
                                                  "province that receives the department's dossiers"})
