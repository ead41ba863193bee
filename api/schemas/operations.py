"""An administrator's operations on running dossiers: incidents, suspension, moves, migrations."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.common import LocalDateTime, StrictSchema
from workflows import incidents

REASON = validate.Length(min=1, max=2000)
ELEMENT_ID = validate.Length(min=1, max=255)


class IncidentQuerySchema(StrictSchema):
    procedure_code = fields.String(validate=validate.Length(min=1, max=50))
    state = fields.String(validate=validate.OneOf(incidents.STATES), metadata={
        "description": "open (still unresolved: retrying or waiting for an administrator) or resolved"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class IncidentSchema(StrictSchema):
    """Dumps a `workflows.incidents.IncidentView`: the incident's fields and its dossier's code."""

    def get_attribute(self, obj, attr, default):
        return super().get_attribute(obj.incident, attr, default)

    id = fields.Integer()
    dossier_code = fields.Function(lambda v: v.dossier.code if v.dossier else None)
    procedure_code = fields.Function(lambda v: v.dossier.procedure.code if v.dossier else None)
    bpmn_id = fields.String(metadata={"description": "the failing element"})
    element_name = fields.String()
    message = fields.String()
    created_at = LocalDateTime()
    attempts = fields.Integer(metadata={
        "description": "how many times the step was tried (the scheduler's tries and the administrators')"})
    state = fields.String(metadata={
        "description": "retrying (the scheduler tries again at next_retry_at), open (waits for an administrator), "
                       "resolved"})
    next_retry_at = LocalDateTime(allow_none=True)
    resolution = fields.String(allow_none=True, metadata={
        "description": "retried, skipped, moved, migrated or obsolete (a person's step took the failing timer away)"})
    resolved_at = LocalDateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)


class IncidentDetailSchema(IncidentSchema):
    line = fields.Integer(allow_none=True, metadata={"description": "the line of the failing script"})
    task_data = fields.Dict(metadata={"description": "the failing element's data when it failed"})


class RetrySchema(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=None, metadata={
        "description": "corrected values, put into the failing element's data before it runs again"})
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class SkipSchema(StrictSchema):
    reason = fields.String(required=True, validate=REASON)
    data = fields.Dict(keys=fields.String(), load_default=None, metadata={
        "description": "values the skipped element would have set"})
    flow_to = fields.String(load_default=None, validate=ELEMENT_ID, metadata={
        "description": "for a gateway: the element it goes to"})


class SuspensionSchema(StrictSchema):
    reason = fields.String(required=True, validate=REASON)


class ResumeSchema(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class MoveSchema(StrictSchema):
    from_ = fields.String(required=True, data_key="from", validate=ELEMENT_ID, metadata={
        "description": "the active element to cancel (BPMN id)"})
    to = fields.String(required=True, validate=ELEMENT_ID, metadata={"description": "the element to make active"})
    reason = fields.String(required=True, validate=REASON)
    data = fields.Dict(keys=fields.String(), load_default=None)


class MigrationRequestSchema(StrictSchema):
    from_version = fields.Integer(required=True, validate=validate.Range(min=1))
    to_version = fields.Integer(required=True, validate=validate.Range(min=1))
    dossier_codes = fields.List(fields.String(validate=validate.Length(min=1, max=100)), load_default=None,
                                validate=validate.Length(min=1, max=5000), metadata={
                                    "description": "only these dossiers (default: every one running on from_version)"})
    dry_run = fields.Boolean(load_default=True, metadata={
        "description": "true (the default): say what would happen and change nothing"})
    mapping = fields.Dict(keys=fields.String(validate=ELEMENT_ID), values=fields.String(validate=ELEMENT_ID),
                          load_default=None, metadata={
                              "description": "old element id -> new element id, for active elements renamed"})
    data = fields.Dict(keys=fields.String(), load_default=None, metadata={
        "description": "values added to the active elements' data (what a new earlier step would have set)"})
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class MigrationRefusalSchema(StrictSchema):
    code = fields.String()
    reason = fields.String()


class MigrationReportSchema(StrictSchema):
    process_id = fields.String()
    from_version = fields.Integer()
    to_version = fields.Integer()
    dry_run = fields.Boolean()
    migrated = fields.List(fields.String(), metadata={"description": "dossiers migrated (or that would be)"})
    refused = fields.List(fields.Nested(MigrationRefusalSchema), metadata={
        "description": "dossiers left on their version, with the reason"})
