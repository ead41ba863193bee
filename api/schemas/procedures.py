"""The catalogue of procedures as officers and administrators see and edit it."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import LocalDateTime, RequiredDocumentSchema, StrictSchema
from api.schemas.public import PublicProcedureSchema
from engine.working_calendar import UNITS
from workflows.procedures import TIME_UNITS
from workflows.roles import ROLES


class PeriodSchema(StrictSchema):
    value = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=365))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))


NATIONAL_CODE = validate.Regexp(r"^[0-9A-Za-z.\-]{0,50}$", error="Letters, digits, dots and dashes, at most 50.")


class ProcedureFieldsSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=500))
    field = fields.String(validate=validate.Length(min=1, max=255))
    national_code = fields.String(validate=NATIONAL_CODE, metadata={
        "description": "The procedure's code in the national catalogue (mã TTHC, e.g. 1.005092); the portal sync "
                       "sends it as MaTTHC"})
    field_code = fields.String(validate=NATIONAL_CODE, metadata={
        "description": "Its field's code in the national catalogue (mã lĩnh vực, e.g. G03-GD10): MaLinhVuc"})
    legal_basis = fields.String(validate=validate.Length(max=5000))
    required_documents = fields.List(fields.Nested(RequiredDocumentSchema))
    fee_vnd = fields.Integer(validate=validate.Range(min=0))
    fee_note = fields.String(validate=validate.Length(max=500))
    processing_time_value = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=365))
    processing_time_unit = fields.String(validate=validate.OneOf(TIME_UNITS))
    deciding_unit_code = fields.String(validate=validate.Length(min=1, max=50))
    process_id = fields.String(validate=validate.Length(min=1, max=255))
    lane_roles = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(list(ROLES))),
                             metadata={"description": "Lane or candidate group name -> role code, for those not named "
                                                      "after a role"})
    default_role = fields.String(allow_none=True, validate=validate.OneOf(list(ROLES)), metadata={
        "description": "The role of a user task whose candidate groups and lane name none (null: no default)"})
    step_allocations = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")),
        values=fields.Nested(PeriodSchema),
        metadata={"description": "Step key (as in deadline(\"key\") in the model) -> time allotted to the step"})
    clock_on_wait = fields.String(validate=validate.OneOf(("pause", "restart")), metadata={
        "description": "While the applicant owes a supplement or a payment: pause the clock or restart it"})
    clock_while_paying = fields.String(validate=validate.OneOf(("pause", "run")), metadata={
        "description": "While a fee is being paid (status 6): the clock pauses (default) or keeps running"})
    max_supplement_requests = fields.Integer(validate=validate.Range(min=0, max=30), metadata={
        "description": "How many times a dossier may be asked for a supplement (default 1)"})
    apology_lead_days = fields.Integer(validate=validate.Range(min=0, max=30), metadata={
        "description": "Working days before the due date when a dossier not yet processed gets an apology"})
    active = fields.Boolean()


class ProcedureCreateSchema(ProcedureFieldsSchema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[A-Z0-9_]{2,50}$", error=(
        "Use 2-50 capital letters, digits or underscores.")))
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    field = fields.String(required=True, validate=validate.Length(min=1, max=255))
    processing_time_value = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=365))
    processing_time_unit = fields.String(required=True, validate=validate.OneOf(TIME_UNITS))
    deciding_unit_code = fields.String(required=True, validate=validate.Length(min=1, max=50))
    process_id = fields.String(required=True, validate=validate.Length(min=1, max=255))


class ProcedureSchema(PublicProcedureSchema):
    """A procedure as officers and administrators see it: also how its model runs."""

    deciding_unit_code = fields.Function(lambda p: p.deciding_unit.code)
    national_code = fields.String()
    field_code = fields.String()
    process_id = fields.String()
    lane_roles = fields.Dict()
    default_role = fields.String(allow_none=True)
    step_allocations = fields.Dict()
    clock_on_wait = fields.String()
    clock_while_paying = fields.String()
    max_supplement_requests = fields.Integer()
    apology_lead_days = fields.Integer()
    active = fields.Boolean()
    updated_at = LocalDateTime()


class ProcedureStepSchema(StrictSchema):
    key = fields.String(metadata={"description": "the step's key, as the model writes it in deadline(\"key\")"})
    name = fields.String(metadata={"description": "the step's name in the model (the task's, else the timer's); "
                                                 "empty when the model names none"})
    in_model = fields.Boolean(metadata={"description": "false: an allocation the current model no longer uses"})
    period = fields.Nested(PeriodSchema, allow_none=True, metadata={"description": "the time allotted; null: none yet"})


class RetimeResultSchema(StrictSchema):
    dossiers = fields.Integer(metadata={"description": "running dossiers of the procedure"})
    timers_moved = fields.Integer()


class ProcedureQuerySchema(StrictSchema):
    include_inactive = fields.Boolean(load_default=False, metadata={
        "description": "also the procedures taken out of service (administrators)"})


class IntakeFormSchema(StrictSchema):
    form_schema = fields.Dict(allow_none=True, metadata={
        "description": "the JSON Schema of the fields asked at receipt (the model's start event form), or null"})
