"""Stopping a dossier's processing (form 05) and the rules of it an administrator edits."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import StrictSchema
from workflows.roles import ROLES


class StopSchema(StrictSchema):
    ground = fields.String(required=True, validate=validate.Length(min=1, max=50),
                           metadata={"description": "the code of one of the grounds (GET /api/v1/stopping-rules)"})
    details = fields.String(load_default="", validate=validate.Length(max=2000),
                            metadata={"description": "what the notice says beside the ground (which request, which "
                                                     "provision); required by grounds marked details_required"})


class StopGroundSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=50))
    vi = fields.String(required=True, validate=validate.Length(min=1, max=500))
    en = fields.String(required=True, validate=validate.Length(min=1, max=500))
    details_required = fields.Boolean(load_default=False)


class StoppingRulesSchema(StrictSchema):
    roles = fields.List(fields.String(validate=validate.OneOf(list(ROLES))), validate=validate.Length(min=1),
                        metadata={"description": "the roles whose users may stop a dossier's processing"})
    grounds = fields.List(fields.Nested(StopGroundSchema), validate=validate.Length(min=1),
                          metadata={"description": "the grounds a stop is made on, as the notice (form 05) names them"})
