"""Logging in and out, who the caller is, changing one's own password."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import LocalDateTime, StrictSchema


class LoginSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class TokenSchema(StrictSchema):
    access_token = fields.String()
    token_type = fields.String()
    expires_at = LocalDateTime()


class MeSchema(StrictSchema):
    username = fields.String()
    full_name = fields.String()
    roles = fields.List(fields.String())
    unit_code = fields.String(allow_none=True)


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
