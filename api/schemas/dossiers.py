"""Dossiers at the desk: receiving, listing, one dossier, its steps, diagram, history, notices,
printable forms, attachments and postal delivery."""

from __future__ import annotations

import re
from datetime import date, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.i18n import WORDS, form_reason, in_words, language
from api.schemas.common import DAY_RANGE, INSTANT_RANGE, MAX_PAGE, LocalDateTime, StrictSchema, local_iso
from api.schemas.public import OnlineDossierSchema
from workflows import attachments, statuses
from workflows.dossiers import DESK_CHANNELS, INTAKE_RESULTS
from workflows.people import as_dict as person_dict
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
    received_by = fields.String(metadata={"description": "the login of the officer who received it"})
    received_by_person = fields.Function(lambda v: person_dict(v.people.get(v.dossier.received_by)), metadata={
        "description": "who received it: {username, full_name, unit}; null in lists and for an online dossier"})
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
    suspension = fields.Function(lambda v: _suspension(v.dossier, v.people), metadata={
        "description": "null, or {at, by, by_person, reason} while an administrator has suspended the dossier"})
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


def _suspension(dossier, people: dict) -> dict | None:
    instance = dossier.instance
    if instance is None or instance.suspended_at is None:
        return None
    return {"at": local_iso(instance.suspended_at), "by": instance.suspended_by,
            "by_person": person_dict(people.get(instance.suspended_by)), "reason": instance.suspend_reason}


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
        exclude = ("suspension", "incident_id", "incident", "received_by_person", "receiving_unit")  # per dossier

    applicant = fields.Function(lambda v: v.applicant, metadata={
        "description": "ID and phone numbers masked in lists"})


class DossierPageSchema(StrictSchema):
    items = fields.List(fields.Nested(DossierListItemSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


PERSON = {"description": "{username, full_name, unit} of a staff account; null when none"}
ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


def field_text(field: dict) -> str:
    """A value a step was completed with, in words in the reader's language: the title of the choice,
    yes or no, a date as dd/mm/yyyy, the rows of a group one after the other."""
    kind, value = field["kind"], field["value"]
    if kind == "boolean":
        return in_words(WORDS, "yes" if value else "no")
    if kind == "choice":
        return field["choice"]
    if kind == "group":
        return "; ".join(" — ".join(field_text(part) for part in row) for row in field["items"] or [])
    if kind == "list":
        return ", ".join(str(item) for item in value)
    if kind == "date" and isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if kind == "date-time" and isinstance(value, str):
        return _local_text(value)
    return str(value)


def _local_text(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return datetime.fromisoformat(local_iso(moment)).strftime("%H:%M %d/%m/%Y")


class OpinionFieldSchema(StrictSchema):
    """One field a step was completed with, in the words of the step's form."""

    key = fields.String(metadata={"description": "the form's key, for programs"})
    label = fields.String(metadata={"description": "the field's label on the form"})
    kind = fields.String(metadata={"description": "text | choice | boolean | number | date | date-time | list | group"})
    value = fields.Raw(metadata={"description": "the value as the form sent it"})
    text = fields.Function(field_text, metadata={
        "description": "the value in words in the reader's language: the choice's title, yes/no, a local date"})
    items = fields.Function(lambda f: [OpinionFieldSchema(many=True).dump(row) for row in f["items"]]
                            if f["items"] is not None else None,
                            metadata={"description": "a group's rows, each a list of fields of this shape"})


class DossierStepSchema(StrictSchema):
    """One row of the process-control slip (form 05): a step, when it came and when it was handed on,
    who held and handed it over, and what it decided and wrote."""

    id = fields.Function(lambda step: step["task"].id, metadata={"description": "the task's id"})
    bpmn_id = fields.Function(lambda step: step["task"].bpmn_id)
    name = fields.Function(lambda step: step["task"].name)
    lane = fields.Function(lambda step: step["task"].lane)
    role = fields.Function(lambda step: step["task"].role)
    state = fields.Function(lambda step: step["task"].state)
    received_at = fields.Function(lambda step: local_iso(step["task"].created_at))
    due_at = fields.Function(lambda step: local_iso(step["task"].due_at))
    handed_over_at = fields.Function(lambda step: local_iso(step["task"].completed_at))
    handed_over_by = fields.Function(lambda step: step["task"].completed_by)
    handed_over_by_person = fields.Function(lambda step: person_dict(step.get("handed_over_by")), metadata=PERSON)
    assignee = fields.Function(lambda step: step["task"].assignee, metadata={
        "description": "the login of whoever holds the open step"})
    assignee_person = fields.Function(lambda step: person_dict(step.get("assignee")), metadata=PERSON)
    verdict = fields.Function(lambda step: step["verdict"], metadata={
        "description": "early | on_time | late against the step's allotted time; null without one"})
    opinion = fields.Function(
        lambda step: OpinionFieldSchema(many=True).dump(step["opinion"]) if step.get("opinion") is not None else None,
        metadata={"description": "what a completed step decided and wrote (its proposal, opinion, decision, "
                                 "note), in the words of its form; null for an open step and for those who do "
                                 "not handle the dossier"})


class DossierDiagramSchema(StrictSchema):
    process_id = fields.String()
    version = fields.Integer(metadata={
        "description": "the version the dossier runs on, kept when a newer one is deployed"})
    bpmn_xml = fields.String()
    completed = fields.List(fields.String(), metadata={
        "description": "ids of the BPMN elements completed at least once"})
    active = fields.List(fields.String(), metadata={"description": "ids of the elements the dossier is at now"})
    taken = fields.List(fields.List(fields.String()), metadata={
        "description": "[from, to] pairs of element ids the dossier went between: the sequence flows of its path"})


class HistoryEventSchema(StrictSchema):
    id = fields.Integer()
    occurred_at = LocalDateTime()
    actor = fields.String()
    action = fields.String()
    subject = fields.String(allow_none=True)
    data = fields.Dict()


def _local_times(value):
    """Times in an event's data as the service's time zone shows them (they are recorded in UTC)."""
    if isinstance(value, dict):
        return {key: _local_times(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_local_times(item) for item in value]
    if isinstance(value, str) and ISO_INSTANT.match(value):
        try:
            return local_iso(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return value


class DossierHistoryEventSchema(HistoryEventSchema):
    """Dumps an entry of `workflows.history.history_entries`: the event, who did it, what a completed
    task was completed with in the words of its form."""

    def get_attribute(self, obj, attr, default):
        if attr in ("actor_person", "opinion"):
            return obj[{"actor_person": "actor", "opinion": "fields"}[attr]]
        return super().get_attribute(obj["event"], attr, default)

    data = fields.Function(lambda entry: _local_times(entry["event"].data or {}), metadata={
        "description": "the event's details as recorded, times in the service's time zone"})
    actor_person = fields.Function(lambda entry: person_dict(entry["actor"]), metadata={
        "description": "{username, full_name, unit} of the staff member who did it; null for the applicant "
                       "online, the scheduler or the system (see `actor`)"})
    opinion = fields.Function(
        lambda entry: OpinionFieldSchema(many=True).dump(entry["fields"]) if entry["fields"] is not None else None,
        metadata={"description": "for a completed task: what it was completed with, in the words of its form"})


class FormAvailabilitySchema(StrictSchema):
    form = fields.String(metadata={"description": "receipt | supplement-request | refusal | apology | process-control"})
    available = fields.Boolean()
    reason = fields.Function(lambda f: form_reason(f["reason"]), metadata={
        "description": "why the form does not apply to the dossier, in the reader's language; null when it does"})
    reason_code = fields.Function(lambda f: f["reason"], metadata={
        "description": "not_received | refused_at_intake | no_supplement_request | no_refusal | no_apology | "
                       "no_steps; null when the form applies"})


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
