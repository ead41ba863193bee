"""Human tasks: the inbox, one task with its form, completing it."""

from __future__ import annotations

from marshmallow import fields, validate

from api.i18n import language
from api.schemas.common import MAX_PAGE, DossierStatusSchema, StrictSchema, local_iso
from workflows import statuses
from workflows.search_keys import MAX_QUERY
from workflows.tasks import SCOPES, SORTS, STATES


class TaskSchema(StrictSchema):
    id = fields.Function(lambda v: v.task.id)
    dossier_code = fields.Function(lambda v: v.dossier.code)
    dossier_status = fields.Function(lambda v: v.dossier.status)
    dossier_status_label = fields.Function(lambda v: statuses.label(v.dossier.status, language()))
    applicant_name = fields.Function(lambda v: v.dossier.applicant_name)
    procedure_code = fields.Function(lambda v: v.dossier.procedure.code)
    procedure_name = fields.Function(lambda v: v.dossier.procedure.name)
    bpmn_id = fields.Function(lambda v: v.task.bpmn_id)
    name = fields.Function(lambda v: v.task.name)
    lane = fields.Function(lambda v: v.task.lane)
    role = fields.Function(lambda v: v.task.role)
    assignee = fields.Function(lambda v: v.task.assignee)
    state = fields.Function(lambda v: v.task.state)
    created_at = fields.Function(lambda v: local_iso(v.task.created_at))
    due_at = fields.Function(lambda v: local_iso(v.task.due_at))
    dossier_due_at = fields.Function(lambda v: local_iso(v.dossier.due_at))
    completed_at = fields.Function(lambda v: local_iso(v.task.completed_at))
    completed_by = fields.Function(lambda v: v.task.completed_by)


class TaskDetailSchema(TaskSchema):
    form_schema = fields.Dict(allow_none=True)
    data = fields.Function(lambda v: v.task.data)


class TaskQuerySchema(StrictSchema):
    dossier_code = fields.String()
    scope = fields.String(validate=validate.OneOf(SCOPES))
    state = fields.String(validate=validate.OneOf(STATES))
    procedure_code = fields.String()
    dossier_status = fields.Integer(validate=validate.OneOf(list(statuses.LABELS)))
    q = fields.String(validate=validate.Length(max=MAX_QUERY), metadata={
        "description": "words found in the dossier code, the applicant's name (case and diacritics ignored) "
                       "or ID number; every word must match"})
    sort = fields.String(load_default="created", validate=validate.OneOf(SORTS), metadata={
        "description": "created: oldest first; due: the most urgent first (the step's deadline, else the dossier's)"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class CompleteTaskSchema(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class CompletionSchema(StrictSchema):
    dossier = fields.Nested(DossierStatusSchema)
    next_tasks = fields.List(fields.Nested(TaskSchema))
