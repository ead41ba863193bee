"""Dossiers at the desk: receiving, listing, one dossier, its steps, diagram, history, notices,
printable forms, attachments and postal delivery."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.i18n import language
from api.schemas.common import DAY_RANGE, INSTANT_RANGE, MAX_PAGE, LocalDateTime, StrictSchema, local_iso
from api.schemas.public import OnlineDossierSchema
from workflows import attachments, statuses
from workflows.dossiers import DESK_CHANNELS, INTAKE_RESULTS
from workflows.printouts import FORMATS


class MissingDocumentSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    reason = fields.String(load_default="", validate=validate.Length(max=1000))


class IntakeSchema(StrictSchema):
    """The completeness check done at the desk in front of the applicant."""

    result = fields.String(required=True, validate=validate.OneOf(INTAKE_RESULTS), metadata={
        "description": "complete: received (form 01); incomplete: supplement requested (form 02); "
                       "refuse: refused (form 03)"})
    missing_documents = fields.List(fields.Nested(MissingDocumentSchema), load_default=list,
                                    validate=validate.Length(max=100))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def needs_what_its_form_says(self, data, **kwargs):
        reason = data.get("reason", "").strip()
        if data.get("result") == "incomplete" and not data.get("missing_documents") and not reason:
            raise ValidationError("List the missing documents or give the reason.", field_name="missing_documents")
        if data.get("result") == "refuse" and not reason:
            raise ValidationError("Give the reason for refusing.", field_name="reason")


class DossierCreateSchema(OnlineDossierSchema):
    channel = fields.String(load_default="in_person", validate=validate.OneOf(DESK_CHANNELS))
    received_at = fields.AwareDateTime(load_default=None, validate=INSTANT_RANGE, metadata={
        "description": "for a dossier that came by post: when the desk received it (ISO 8601 with offset)"})
    intake = fields.Nested(IntakeSchema, load_default=None, metadata={
        "description": "for a dossier handed in at the desk: the check done in front of the applicant; its "
                       "process starts from this outcome (no check task). Without it, a check task follows."})


class DossierSchema(StrictSchema):
    """Dumps a `workflows.access.DossierView`: the dossier's own fields, and the applicant's data as
    the service decided the caller may see it."""

    def get_attribute(self, obj, attr, default):
        return super().get_attribute(obj.dossier, attr, default)

    code = fields.String()
    procedure_code = fields.Function(lambda v: v.dossier.procedure.code)
    procedure_name = fields.Function(lambda v: v.dossier.procedure.name)
    status = fields.Integer()
    status_label = fields.Function(lambda v: statuses.label(v.dossier.status, language()))
    channel = fields.String()
    applicant = fields.Function(lambda v: v.applicant, metadata={
        "description": "ID and phone numbers, email and address in full only for those who handle the dossier"})
    submitted_at = LocalDateTime()
    received_at = LocalDateTime(allow_none=True)
    received_by = fields.String()
    receiving_unit = fields.Function(
        lambda v: {"code": v.dossier.receiving_unit.code, "name": v.dossier.receiving_unit.name}
        if v.dossier.receiving_unit else None,
        metadata={"description": "null at the department's own desk, or the service centre {code, name} that "
                                 "received the dossier (Decree 118/2025: regardless of administrative boundary)"})
    deciding_unit = fields.Function(lambda v: {"code": v.dossier.procedure.deciding_unit.code,
                                               "name": v.dossier.procedure.deciding_unit.name})
    due_at = LocalDateTime(allow_none=True)
    appointment_at = LocalDateTime(allow_none=True, metadata={"description": "new return date after an apology"})
    clock_paused_at = LocalDateTime(allow_none=True)
    status_changed_at = LocalDateTime()
    handed_over_at = LocalDateTime(allow_none=True)
    resolved_at = LocalDateTime(allow_none=True)
    outcome = fields.String(allow_none=True, metadata={"description": "early | on_time | late"})
    returned_at = LocalDateTime(allow_none=True)
    return_method = fields.String()
    receiver_name = fields.String()
    postal_tracking_number = fields.String()
    supplement_requests = fields.Integer()
    data = fields.Dict()
    suspension = fields.Function(lambda v: _suspension(v.dossier), metadata={
        "description": "null, or {at, by, reason} while an administrator has suspended the dossier"})
    incident_id = fields.Function(lambda v: v.dossier.instance.incident_id if v.dossier.instance else None,
                                  metadata={"description": "the unresolved incident of the dossier's process, if any"})
    incident = fields.Function(lambda v: _incident(v.incident), metadata={
        "description": "null, or the unresolved incident in brief, for everyone who opens the dossier: "
                       "{id, bpmn_id, element_name, message, state, attempts, next_retry_at, created_at}"})


def _incident(incident) -> dict | None:
    if incident is None:
        return None
    return {"id": incident.id, "bpmn_id": incident.bpmn_id, "element_name": incident.element_name,
            "message": incident.message, "state": incident.state, "attempts": incident.attempts,
            "next_retry_at": local_iso(incident.next_retry_at), "created_at": local_iso(incident.created_at)}


def _suspension(dossier) -> dict | None:
    instance = dossier.instance
    if instance is None or instance.suspended_at is None:
        return None
    return {"at": local_iso(instance.suspended_at), "by": instance.suspended_by, "reason": instance.suspend_reason}


class DossierQuerySchema(StrictSchema):
    status = fields.Integer(validate=validate.OneOf(list(statuses.LABELS)))
    procedure_code = fields.String()
    received_from = fields.Date(validate=DAY_RANGE, metadata={"description": "first day, local date (YYYY-MM-DD)"})
    received_to = fields.Date(validate=DAY_RANGE,
                              metadata={"description": "last day, local date (YYYY-MM-DD), inclusive"})
    receiving_unit_code = fields.String(metadata={
        "description": "received at this service centre; a centre's own desk officers always see only theirs"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class DossierListItemSchema(DossierSchema):
    class Meta(StrictSchema.Meta):
        exclude = ("suspension", "incident_id", "incident", "receiving_unit")  # per dossier; lists stay one query

    applicant = fields.Function(lambda v: v.applicant, metadata={
        "description": "ID and phone numbers masked in lists"})


class DossierPageSchema(StrictSchema):
    items = fields.List(fields.Nested(DossierListItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class DossierStepSchema(StrictSchema):
    """One row of the process-control slip (form 05): a step, when it came and when it was handed on."""

    bpmn_id = fields.Function(lambda step: step["task"].bpmn_id)
    name = fields.Function(lambda step: step["task"].name)
    lane = fields.Function(lambda step: step["task"].lane)
    role = fields.Function(lambda step: step["task"].role)
    state = fields.Function(lambda step: step["task"].state)
    received_at = fields.Function(lambda step: local_iso(step["task"].created_at))
    due_at = fields.Function(lambda step: local_iso(step["task"].due_at))
    handed_over_at = fields.Function(lambda step: local_iso(step["task"].completed_at))
    handed_over_by = fields.Function(lambda step: step["task"].completed_by)
    verdict = fields.Function(lambda step: step["verdict"], metadata={
        "description": "early | on_time | late against the step's allotted time; null without one"})


class DossierDiagramSchema(StrictSchema):
    process_id = fields.String()
    version = fields.Integer(metadata={
        "description": "the version the dossier runs on, kept when a newer one is deployed"})
    bpmn_xml = fields.String()
    completed = fields.List(fields.String(), metadata={
        "description": "ids of the BPMN elements completed at least once"})
    active = fields.List(fields.String(), metadata={"description": "ids of the elements the dossier is at now"})


class HistoryEventSchema(StrictSchema):
    id = fields.Integer()
    occurred_at = LocalDateTime()
    actor = fields.String()
    action = fields.String()
    subject = fields.String(allow_none=True)
    data = fields.Dict()


class FormQuerySchema(StrictSchema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(FORMATS))


class NoticeSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "supplement_request | refusal | apology | withdrawal | stop"})
    reason = fields.String()
    ground = fields.String(metadata={"description": "a stop's ground (its code; GET /api/v1/stopping-rules)"})
    documents = fields.List(fields.Dict(), metadata={"description": "[{name, reason}] for a supplement request"})
    new_due_at = LocalDateTime(allow_none=True)
    element = fields.String()
    created_by = fields.String()
    created_at = LocalDateTime()


class AttachmentUploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class AttachmentFormSchema(Schema):
    category = fields.String(load_default="document", validate=validate.OneOf(attachments.CATEGORIES))
    document_name = fields.String(load_default="", validate=validate.Length(max=500))


class AttachmentSchema(StrictSchema):
    id = fields.Integer()
    category = fields.String()
    document_name = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    uploaded_by = fields.String()
    uploaded_at = LocalDateTime()


class DossierMessageSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=255), metadata={
        "description": "the BPMN message's name, as the model's bpmn:message names it"})
    data = fields.Dict(keys=fields.String(), load_default=dict, metadata={
        "description": "the message's content: under the catching event's messageVariable if it names one, "
                       "else its keys join the process data"})


class ReturnSchema(StrictSchema):
    return_method = fields.String(required=True, validate=validate.OneOf(("in_person", "post")))
    receiver_name = fields.String(load_default="", validate=validate.Length(max=255))
    postal_tracking_number = fields.String(load_default="", validate=validate.Length(max=255), metadata={
        "description": "required when the result is sent by post"})


class PostalDeliverySchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("delivered", "returned_to_sender")))
    at = fields.AwareDateTime(required=True, validate=INSTANT_RANGE,
                              metadata={"description": "when, ISO 8601 with offset"})
    note = fields.String(load_default="", validate=validate.Length(max=500))
