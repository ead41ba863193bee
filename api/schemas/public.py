"""What applicants send and see without an account: procedures, online registration, lookup, rating."""

from __future__ import annotations

from marshmallow import fields, validate

from api.i18n import language
from api.schemas.common import LocalDateTime, RequiredDocumentSchema, StrictSchema
from workflows import public, statuses


class PublicProcedureSchema(StrictSchema):
    code = fields.String()
    name = fields.String()
    field = fields.String()
    legal_basis = fields.String()
    required_documents = fields.List(fields.Nested(RequiredDocumentSchema))
    fee_vnd = fields.Integer()
    fee_note = fields.String()
    processing_time_value = fields.Float()
    processing_time_unit = fields.String()
    deciding_unit_name = fields.Function(lambda p: p.deciding_unit.name)


class ApplicantSchema(StrictSchema):
    full_name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    id_number = fields.String(required=True, validate=validate.Regexp(r"^[0-9A-Za-z]{6,20}$", error=(
        "An ID number has 6-20 letters or digits.")))
    phone = fields.String(load_default="", validate=validate.Regexp(r"^$|^\+?[0-9 .-]{8,20}$", error=(
        "A phone number has 8-20 digits.")))
    email = fields.String(load_default="", validate=validate.Regexp(r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$", error=(
        "Not a valid email address.")))
    address = fields.String(load_default="", validate=validate.Length(max=500))


class OnlineDossierSchema(StrictSchema):
    procedure_code = fields.String(required=True, validate=validate.Length(min=1, max=50))
    applicant = fields.Nested(ApplicantSchema, required=True)
    data = fields.Dict(keys=fields.String(validate=validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", error=(
        "Data keys are identifiers: letters, digits and underscores."))), load_default=dict)


class CheckQuerySchema(StrictSchema):
    check = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{4}$", error=(
        "The check is the last 4 digits of the applicant's phone or ID number.")))


class PublicStatusSchema(StrictSchema):
    code = fields.String()
    procedure_name = fields.String()
    status = fields.Integer()
    status_label = fields.Function(lambda s: statuses.label(s.status, language()))
    received_at = LocalDateTime(allow_none=True)
    due_at = LocalDateTime(allow_none=True)
    appointment_at = LocalDateTime(allow_none=True)
    returned_at = LocalDateTime(allow_none=True)
    rated = fields.Boolean()


class RatingInputSchema(StrictSchema):
    level = fields.String(required=True, validate=validate.OneOf(public.LEVELS))
    comment = fields.String(load_default="", validate=validate.Length(max=2000))


class RatingSchema(StrictSchema):
    level = fields.String()
    comment = fields.String()
    rated_at = LocalDateTime()


class SubmittedSchema(StrictSchema):
    code = fields.String()
    status = fields.Integer()
    status_label = fields.Function(lambda d: statuses.label(d.status, language()))
    submitted_at = LocalDateTime()
