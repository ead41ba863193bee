"""Marshmallow schemas of the API: what requests may carry and what responses hold."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import g
from marshmallow import Schema, fields, pre_dump, validate

from api.db import display_timezone
from api.i18n import language
from engine.working_calendar import DAY_OFF, UNITS, WORKING_DAY
from workflows import access, attachments, auth, outbox, public, statuses
from workflows.dossiers import DESK_CHANNELS
from workflows.printouts import BOOK_FORMATS, FORMATS
from workflows.procedures import TIME_UNITS
from workflows.roles import ROLES
from workflows.tasks import SCOPES, SORTS, STATES


def _handles(dossier) -> bool:
    principal = g.get("principal")
    return principal is not None and access.can_handle(principal, dossier)


def local_iso(value):
    """An aware UTC datetime shown in the service's time zone (Asia/Ho_Chi_Minh), with offset."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(display_timezone())).isoformat()


class LocalDateTime(fields.DateTime):
    """Stored in UTC, shown in the service's time zone with its offset."""

    def _serialize(self, value, attr, obj, **kwargs):
        return local_iso(value)


MAX_PAGE = 100_000
# Dates the service can count with: an earlier or later one is refused as input, not failed on.
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2100, 12, 31)
DAY_RANGE = validate.Range(min=FIRST_DAY, max=LAST_DAY, error="Dates from 1990-01-01 to 2100-12-31.")
INSTANT_RANGE = validate.Range(min=datetime(1990, 1, 1, tzinfo=timezone.utc),
                               max=datetime(2100, 12, 31, tzinfo=timezone.utc),
                               error="Times from 1990 to 2100.")


class StrictSchema(Schema):
    class Meta:
        ordered = True


# --- auth -----------------------------------------------------------------------------------

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


# --- procedures ------------------------------------------------------------------------------

class RequiredDocumentSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=500))
    form = fields.String(required=True, validate=validate.OneOf(("original", "copy")),
                         metadata={"description": "original (bản chính) or copy (bản sao)"})
    quantity = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100))


class PeriodSchema(StrictSchema):
    value = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=365))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))


class ProcedureFieldsSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=500))
    field = fields.String(validate=validate.Length(min=1, max=255))
    legal_basis = fields.String(validate=validate.Length(max=5000))
    required_documents = fields.List(fields.Nested(RequiredDocumentSchema))
    fee_vnd = fields.Integer(validate=validate.Range(min=0))
    fee_note = fields.String(validate=validate.Length(max=500))
    processing_time_value = fields.Float(validate=validate.Range(min=0, min_inclusive=False, max=365))
    processing_time_unit = fields.String(validate=validate.OneOf(TIME_UNITS))
    deciding_unit_code = fields.String(validate=validate.Length(min=1, max=50))
    process_id = fields.String(validate=validate.Length(min=1, max=255))
    lane_roles = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.OneOf(list(ROLES))),
                             metadata={"description": "Lane name -> role code, for lanes not named after a role"})
    step_allocations = fields.Dict(
        keys=fields.String(validate=validate.Regexp(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")),
        values=fields.Nested(PeriodSchema),
        metadata={"description": "Step key (as in deadline(\"key\") in the model) -> time allotted to the step"})
    clock_on_wait = fields.String(validate=validate.OneOf(("pause", "restart")), metadata={
        "description": "While the applicant owes a supplement or a payment: pause the clock or restart it"})
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


class ProcedureSchema(PublicProcedureSchema):
    """A procedure as officers and administrators see it: also how its model runs."""

    deciding_unit_code = fields.Function(lambda p: p.deciding_unit.code)
    process_id = fields.String()
    lane_roles = fields.Dict()
    step_allocations = fields.Dict()
    clock_on_wait = fields.String()
    max_supplement_requests = fields.Integer()
    apology_lead_days = fields.Integer()
    active = fields.Boolean()
    updated_at = LocalDateTime()


class RetimeResultSchema(StrictSchema):
    dossiers = fields.Integer(metadata={"description": "running dossiers of the procedure"})
    timers_moved = fields.Integer()


# --- process models --------------------------------------------------------------------------

class UploadSchema(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class ProcessVersionSchema(StrictSchema):
    process_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    filename = fields.String()
    checksum = fields.String()
    lanes = fields.List(fields.String())
    user_tasks = fields.List(fields.Dict())
    deployed_at = LocalDateTime()
    deployed_by = fields.String()


class _VersionWithCountSchema(ProcessVersionSchema):
    """A version dumped from a (version, count) row: the count goes in the field `COUNT`."""

    COUNT = ""

    @pre_dump
    def _flatten(self, row, **_kwargs):
        version, count = row
        return {**{name: getattr(version, name) for name in ProcessVersionSchema._declared_fields},
                self.COUNT: count}


class ProcessModelSchema(_VersionWithCountSchema):
    """A deployed process: its latest version and how many versions it has."""

    COUNT = "version_count"
    version_count = fields.Integer()


class ProcessVersionDetailSchema(ProcessVersionSchema):
    bpmn_xml = fields.String()


# --- dossiers --------------------------------------------------------------------------------

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


class DossierCreateSchema(OnlineDossierSchema):
    channel = fields.String(load_default="in_person", validate=validate.OneOf(DESK_CHANNELS))
    received_at = fields.AwareDateTime(load_default=None, validate=INSTANT_RANGE, metadata={
        "description": "for a dossier that came by post: when the desk received it (ISO 8601 with offset)"})


class DossierSchema(StrictSchema):
    code = fields.String()
    procedure_code = fields.Function(lambda d: d.procedure.code)
    procedure_name = fields.Function(lambda d: d.procedure.name)
    status = fields.Integer()
    status_label = fields.Function(lambda d: statuses.label(d.status, language()))
    channel = fields.String()
    applicant = fields.Function(lambda d: access.applicant(d, masked=not _handles(d)), metadata={
        "description": "ID and phone numbers, email and address in full only for those who handle the dossier"})
    submitted_at = LocalDateTime()
    received_at = LocalDateTime(allow_none=True)
    received_by = fields.String()
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


class DossierQuerySchema(StrictSchema):
    status = fields.Integer(validate=validate.OneOf(list(statuses.LABELS)))
    procedure_code = fields.String()
    received_from = fields.Date(validate=DAY_RANGE, metadata={"description": "first day, local date (YYYY-MM-DD)"})
    received_to = fields.Date(validate=DAY_RANGE,
                              metadata={"description": "last day, local date (YYYY-MM-DD), inclusive"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class DossierListItemSchema(DossierSchema):
    applicant = fields.Function(lambda d: access.applicant(d, masked=True), metadata={
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


# --- tasks -----------------------------------------------------------------------------------

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
    sort = fields.String(load_default="created", validate=validate.OneOf(SORTS), metadata={
        "description": "created: oldest first; due: the most urgent first (the step's deadline, else the dossier's)"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class CompleteTaskSchema(StrictSchema):
    data = fields.Dict(keys=fields.String(), load_default=dict)


class DossierStatusSchema(StrictSchema):
    code = fields.String()
    status = fields.Integer()
    status_label = fields.Function(lambda d: statuses.label(d.status, language()))


class CompletionSchema(StrictSchema):
    dossier = fields.Nested(DossierStatusSchema)
    next_tasks = fields.List(fields.Nested(TaskSchema))


class HealthSchema(StrictSchema):
    status = fields.String()
    database = fields.String()


# --- working calendar ------------------------------------------------------------------------

class DueDateQuerySchema(StrictSchema):
    received_at = fields.AwareDateTime(required=True, validate=INSTANT_RANGE,
                                       metadata={"description": "ISO 8601 with offset"})
    value = fields.Float(required=True, validate=validate.Range(min=0, min_inclusive=False, max=3650))
    unit = fields.String(required=True, validate=validate.OneOf(UNITS))


class DueDateSchema(StrictSchema):
    received_at = LocalDateTime()
    due_at = LocalDateTime()


class CalendarExceptionSchema(StrictSchema):
    date = fields.Date(required=True, attribute="day")
    kind = fields.String(required=True, validate=validate.OneOf((DAY_OFF, WORKING_DAY)))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    created_by = fields.String(dump_only=True)
    created_at = LocalDateTime(dump_only=True)


class CalendarExceptionQuerySchema(StrictSchema):
    year = fields.Integer(validate=validate.Range(min=1990, max=2100))


class OfficeHoursField(fields.List):
    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$")),
                         validate=validate.Length(equal=2), **kwargs)


class CalendarSettingsSchema(StrictSchema):
    timezone = fields.String(metadata={"description": "IANA zone, e.g. Asia/Ho_Chi_Minh"})
    working_weekdays = fields.List(fields.Integer(validate=validate.Range(min=0, max=6)),
                                   validate=validate.Length(min=1, max=7),
                                   metadata={"description": "0 = Monday ... 6 = Sunday"})
    sessions = fields.List(OfficeHoursField(), validate=validate.Length(min=1, max=4),
                           metadata={"description": "office sessions as [start, end], HH:MM, in order"})
    same_day_cutoff = fields.String(validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$"))
    holiday_country = fields.String(allow_none=True, metadata={"description": "public holidays of (VN), or null"})


# --- reports ---------------------------------------------------------------------------------

class StatisticsQuerySchema(StrictSchema):
    first_day = fields.Date(data_key="from", validate=DAY_RANGE, metadata={"description": "first day (YYYY-MM-DD)"})
    last_day = fields.Date(data_key="to", validate=DAY_RANGE, metadata={"description": "last day, inclusive"})
    quarter = fields.String(metadata={"description": "instead of from/to: a quarter, e.g. 2019-Q1"})
    month = fields.String(metadata={"description": "instead of from/to: a month, e.g. 2019-03"})
    procedure_code = fields.String()
    unit = fields.String(metadata={"description": "code of the deciding unit"})


class SatisfactionSchema(StrictSchema):
    ratings = fields.Integer()
    not_satisfied = fields.Integer()
    satisfied = fields.Integer()
    very_satisfied = fields.Integer()
    satisfied_percent = fields.Float(metadata={"description": "satisfied or very satisfied, % of ratings"})


class StatisticsSchema(StrictSchema):
    first_day = fields.String(data_key="from")
    last_day = fields.String(data_key="to")
    timezone = fields.String()
    procedure_code = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    totals = fields.Dict(metadata={"description": "received, resolved, early, on_time, late, in_progress "
                                                  "(within / overdue), the percentages and Decision 766 figures"})
    by_procedure = fields.List(fields.Dict())
    by_unit = fields.List(fields.Dict(), metadata={"description": "the same figures per deciding unit"})
    satisfaction = fields.Nested(SatisfactionSchema, metadata={"description": "ratings given in the period"})


class TrackingBookQuerySchema(StrictSchema):
    first_day = fields.Date(data_key="from", required=True, validate=DAY_RANGE,
                            metadata={"description": "first day (YYYY-MM-DD)"})
    last_day = fields.Date(data_key="to", required=True, validate=DAY_RANGE,
                           metadata={"description": "last day, inclusive"})
    format = fields.String(load_default="pdf", validate=validate.OneOf(BOOK_FORMATS))


# --- lifecycle, forms, attachments ------------------------------------------------------------

class FormQuerySchema(StrictSchema):
    format = fields.String(load_default="pdf", validate=validate.OneOf(FORMATS))


class WithdrawalSchema(StrictSchema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class NoticeSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "supplement_request | refusal | apology | withdrawal"})
    reason = fields.String()
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


# --- public (applicants, no account) ----------------------------------------------------------

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


# --- notifications and agency (administrators) ------------------------------------------------

class TemplateSchema(StrictSchema):
    kind = fields.String()
    channel = fields.String()
    audience = fields.String()
    subject = fields.String()
    body = fields.String()
    customized = fields.Boolean()
    updated_by = fields.String(allow_none=True)
    updated_at = LocalDateTime(allow_none=True)


class TemplateInputSchema(StrictSchema):
    audience = fields.String(load_default="applicant", validate=validate.OneOf(("applicant", "officers")))
    subject = fields.String(load_default="", validate=validate.Length(max=500))
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class OutboxQuerySchema(StrictSchema):
    status = fields.String(validate=validate.OneOf(outbox.STATUSES))
    dossier_code = fields.String(validate=validate.Length(min=1, max=50))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class OutboxMessageSchema(StrictSchema):
    id = fields.Integer()
    kind = fields.String()
    channel = fields.String()
    recipient = fields.Function(lambda m: access.mask_email(m.recipient) if m.channel == "email"
                                else access.mask_digits(m.recipient), metadata={"description": "masked"})
    subject = fields.String()
    body = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    next_attempt_at = LocalDateTime()
    last_error = fields.String()
    created_at = LocalDateTime()
    sent_at = LocalDateTime(allow_none=True)


class OutboxPageSchema(StrictSchema):
    items = fields.List(fields.Nested(OutboxMessageSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class AgencySchema(StrictSchema):
    province = fields.String(validate=validate.Length(min=1, max=255))
    department = fields.String(validate=validate.Length(min=1, max=255))
    center = fields.String(validate=validate.Length(min=1, max=255))
    desk = fields.String(validate=validate.Length(min=1, max=255))
    return_place = fields.String(validate=validate.Length(min=1, max=500))
    contact = fields.String(validate=validate.Length(min=1, max=500))
    public_url = fields.String(validate=validate.Length(min=1, max=500), metadata={
        "description": "the address applicants open (links in notifications)"})


# --- users, passwords, API tokens (administrators) ---------------------------------------------

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


class PasswordChangeSchema(StrictSchema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


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


class PostalDeliverySchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("delivered", "returned_to_sender")))
    at = fields.AwareDateTime(required=True, validate=INSTANT_RANGE,
                              metadata={"description": "when, ISO 8601 with offset"})
    note = fields.String(load_default="", validate=validate.Length(max=500))


# --- process designer: versions and validation -------------------------------------------------

class ProcessVersionListItemSchema(_VersionWithCountSchema):
    """One version of a process with how many dossiers still run on it."""

    COUNT = "running_instances"
    running_instances = fields.Integer(metadata={"description": "instances (dossiers) still running on this version"})


class ModelValidationSchema(StrictSchema):
    """What deploying the file would deploy; nothing is saved."""

    process_id = fields.Function(lambda p: p.parsed.process_id)
    name = fields.Function(lambda p: p.parsed.name)
    checksum = fields.String()
    lanes = fields.Function(lambda p: p.parsed.lanes)
    user_tasks = fields.Function(lambda p: p.parsed.user_tasks)
    latest_version = fields.Function(lambda p: p.latest.version if p.latest else None, metadata={
        "description": "the process's latest deployed version; null for a process never deployed"})
    differs_from_latest = fields.Function(lambda p: not p.identical, metadata={
        "description": "false: the content is the latest version's, deploying it would create nothing"})
    version = fields.Integer(metadata={"description": "the version deploying it would give (or the existing one)"})


# --- administration: the change log, units, the calendar's year (the administrator's page) ------

class AuditQuerySchema(StrictSchema):
    action_prefix = fields.String(validate=validate.Length(min=1, max=100), metadata={
        "description": "actions starting with this, e.g. procedure. (administration families only)"})
    action = fields.List(fields.String(validate=validate.Length(min=1, max=100)), validate=validate.Length(max=20),
                         metadata={"description": "exact actions (repeat the parameter), e.g. user.updated"})
    subject = fields.String(validate=validate.Length(min=1, max=255), metadata={
        "description": "what was changed: a procedure code, a date, a username, kind/channel of a template"})
    actor = fields.String(validate=validate.Length(min=1, max=100))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=200))


class AuditEventSchema(HistoryEventSchema):
    data = fields.Dict(metadata={"description": "what changed, e.g. {changes: {field: {old, new}}}"})


class AuditPageSchema(StrictSchema):
    items = fields.List(fields.Nested(AuditEventSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    has_more = fields.Boolean(metadata={"description": "a next page has events"})


class UnitSchema(StrictSchema):
    code = fields.String()
    name = fields.String()


class CalendarYearQuerySchema(StrictSchema):
    year = fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))


class CalendarDaySchema(StrictSchema):
    date = fields.Date()
    weekday = fields.Integer(metadata={"description": "0 = Monday ... 6 = Sunday"})
    working = fields.Boolean(metadata={"description": "whether the calendar counts the day as a working day"})
    kind = fields.String(metadata={"description": "holiday (public), or the exception's kind: day_off, working_day"})
    name = fields.String(metadata={"description": "the holiday's name, or the exception's reason"})
    holiday = fields.String(allow_none=True, metadata={"description": "the public holiday on that day, if any"})
    created_by = fields.String(allow_none=True, metadata={"description": "who entered the exception"})


class CalendarYearSchema(StrictSchema):
    year = fields.Integer()
    holiday_country = fields.String(allow_none=True)
    working_days = fields.Integer(metadata={"description": "working days in the year"})
    days = fields.List(fields.Nested(CalendarDaySchema), metadata={
        "description": "public holidays and exceptions, by date (plain weekends are left out)"})


class ProcedureQuerySchema(StrictSchema):
    include_inactive = fields.Boolean(load_default=False, metadata={
        "description": "also the procedures taken out of service (administrators)"})
