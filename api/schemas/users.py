"""Users, their passwords, and the integrations' API tokens (administrators)."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import LocalDateTime, StrictSchema
from workflows import auth
from workflows.roles import ROLES


class UserSchema(StrictSchema):
    username = fields.String()
    full_name = fields.String()
    roles = fields.List(fields.String())
    unit_code = fields.Function(lambda u: u.unit.code if u.unit else None)
    email = fields.String()
    phone = fields.String()
    active = fields.Boolean()
    demo = fields.Boolean(metadata={"description": "made by the demo seed (weak password): refused in production"})
    created_at = LocalDateTime()


class UserCreateSchema(StrictSchema):
    username = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_.-]{3,100}$", error=(
        "3-100 lower-case letters, digits, dots, dashes or underscores.")))
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    roles = fields.List(fields.String(validate=validate.OneOf(list(ROLES))), required=True,
                        validate=validate.Length(min=1))
    unit_code = fields.String(load_default=None, validate=validate.Length(min=1, max=50))
    email = fields.String(load_default="", validate=validate.Regexp(r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"))
    phone = fields.String(load_default="", validate=validate.Regexp(r"^$|^\+?[0-9 .-]{8,20}$"))


class UserUpdateSchema(StrictSchema):
    full_name = fields.String(validate=validate.Length(min=1, max=255))
    roles = fields.List(fields.String(validate=validate.OneOf(list(ROLES))), validate=validate.Length(min=1))
    unit_code = fields.String(allow_none=True, validate=validate.Length(min=1, max=50))
    email = fields.String(validate=validate.Regexp(r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$"))
    phone = fields.String(validate=validate.Regexp(r"^$|^\+?[0-9 .-]{8,20}$"))
    active = fields.Boolean(metadata={"description": "false disables the account and revokes its tokens"})


class PasswordSetSchema(StrictSchema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class ApiTokenCreateSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_.-]{3,100}$"))
    scopes = fields.List(fields.String(validate=validate.OneOf(list(auth.SCOPES))), required=True,
                         validate=validate.Length(min=1))
    expires_in_days = fields.Integer(load_default=365, allow_none=True, validate=validate.Range(min=1, max=3650))


class ApiTokenSchema(StrictSchema):
    name = fields.String()
    scopes = fields.List(fields.String())
    created_by = fields.String()
    created_at = LocalDateTime()
    expires_at = LocalDateTime(allow_none=True)
    revoked_at = LocalDateTime(allow_none=True)
    last_used_at = LocalDateTime(allow_none=True)


class ApiTokenCreatedSchema(ApiTokenSchema):
    token = fields.String(metadata={"description": "shown this once; only its hash is kept"})
