from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import transaction
from api.downloads import file_response
from api.schemas.common import WithdrawalSchema
from api.schemas.dossiers import (
    AttachmentFormSchema,
    AttachmentSchema,
    AttachmentUploadSchema,
    DossierCreateSchema,
    DossierDiagramSchema,
    DossierHistoryEventSchema,
    DossierMessageSchema,
    DossierPageSchema,
    DossierQuerySchema,
    DossierSchema,
    DossierStepSchema,
    FormAvailabilitySchema,
    FormQuerySchema,
    NoticeSchema,
    PostalDeliverySchema,
    ReturnSchema,
)
from api.security import current_principal, requires
from workflows import attachments, dossiers, history, messages, opinions, printouts
from workflows.roles import ADMIN, CLERK, DESK_OFFICER, LEADER, SPECIALIST

STAFF = (DESK_OFFICER, SPECIALIST, LEADER, CLERK)
HANDLERS = (DESK_OFFICER, SPECIALIST, LEADER)  # and, per dossier, only those who handle it

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1/dossiers",
                description="Dossiers received at the one-stop desk")


@blp.route("")
class Dossiers(MethodView):
    @requires(*STAFF, ADMIN, scope="dossiers:read")
    @blp.arguments(DossierQuerySchema, location="query")
    @blp.response(200, DossierPageSchema)
    def get(self, query):
        """Dossiers, newest first, filtered and paginated (ID and phone numbers masked)"""
        page, per_page = query.pop("page"), query.pop("per_page")
        with transaction() as session:
            items, total = dossiers.list_dossiers(session, dossiers.DossierFilters(**query), page=page,
                                                  per_page=per_page, principal=current_principal())
        return {"items": items, "page": page, "per_page": per_page, "total": total}

    @requires(DESK_OFFICER)
    @blp.arguments(DossierCreateSchema())  # an instance: not built per request
    @blp.response(201, DossierSchema)
    def post(self, body):
        """Receive a dossier at the desk, in person or by post (desk officer): starts its procedure's process

        A dossier that came by post counts from `received_at`, the time the desk records."""
        settings = current_app.config["MOTCUA"]
        with transaction() as session:
            return dossiers.receive_dossier(
                session, current_principal(), procedure_code=body["procedure_code"], channel=body["channel"],
                applicant=dossiers.Applicant(**body["applicant"]), data=body["data"],
                code_prefix=settings.dossier_prefix, received_at=body["received_at"],
                intake=_intake(body["intake"]),
            )


@blp.route("/<string:code>")
class DossierByCode(MethodView):
    @requires(*STAFF, ADMIN, scope="dossiers:read")
    @blp.response(200, DossierSchema)
    def get(self, code):
        """One dossier; the applicant's personal data in full only for those who handle it"""
        with transaction() as session:
            return dossiers.dossier_for(session, current_principal(), code)


@blp.route("/<string:code>/history")
class DossierHistory(MethodView):
    @requires(*HANDLERS, scope="dossiers:read")
    @blp.response(200, DossierHistoryEventSchema(many=True))
    def get(self, code):
        """Everything that happened to the dossier, oldest first: who did it (by name and unit), what a
        completed step was completed with in the words of its form, times in the service's time zone"""
        with transaction() as session:
            return history.dossier_history(session, current_principal(), code)


@blp.route("/<string:code>/steps")
class DossierSteps(MethodView):
    @requires(*STAFF, ADMIN, scope="dossiers:read")
    @blp.response(200, DossierStepSchema(many=True))
    def get(self, code):
        """The steps of the dossier with their verdicts (the process-control slip, form 05), who holds
        or handed over each (by name and unit) and, for those who handle the dossier, what each
        completed step decided and wrote (`opinion`)"""
        with transaction() as session:
            return opinions.steps_for(session, current_principal(), code)


@blp.route("/<string:code>/opinions")
class DossierOpinions(MethodView):
    @requires(*HANDLERS, scope="dossiers:read")
    @blp.response(200, DossierStepSchema(many=True))
    def get(self, code):
        """What each completed step decided and wrote, oldest first: the specialist's proposal and
        review opinion, the leader's decision... in the words of the step's form (its labels and the
        titles of its choices), values in the reader's language, and who wrote them"""
        with transaction() as session:
            return opinions.opinions_for(session, current_principal(), code)


@blp.route("/<string:code>/diagram")
class DossierDiagram(MethodView):
    @requires(*STAFF, ADMIN, scope="dossiers:read")
    @blp.response(200, DossierDiagramSchema)
    def get(self, code):
        """The BPMN diagram of the dossier's own model version, with the elements it completed and
        those it is at now (for drawing it)"""
        with transaction() as session:
            return dossiers.dossier_diagram(session, code)


@blp.route("/<string:code>/withdrawal")
class DossierWithdrawal(MethodView):
    @requires(DESK_OFFICER)
    @blp.arguments(WithdrawalSchema)
    @blp.response(200, DossierSchema)
    def post(self, body, code):
        """Record the applicant's request to withdraw the dossier (status 7); the desk then returns it"""
        with transaction() as session:
            return dossiers.record_withdrawal_request(session, current_principal(), code, reason=body["reason"])


@blp.route("/<string:code>/messages")
class DossierMessages(MethodView):
    @requires(*STAFF)
    @blp.arguments(DossierMessageSchema)
    @blp.response(200, DossierSchema)
    def post(self, body, code):
        """Send a BPMN message to the dossier's process, to the event its model waits for it with

        Allowed to the roles the catching event names (`message_roles`) among those who handle the
        dossier (403 otherwise); 409 when the process does not wait for that message now."""
        with transaction() as session:
            return messages.send_to_dossier(session, current_principal(), code, name=body["name"], data=body["data"])


@blp.route("/<string:code>/return")
class DossierReturn(MethodView):
    @requires(DESK_OFFICER)
    @blp.arguments(ReturnSchema)
    @blp.response(200, DossierSchema)
    def post(self, body, code):
        """Return the result of a processed dossier whose process has ended (status 9 → 10); a dossier
        whose process is still running is returned by the task its model gives the desk (409 here)"""
        with transaction() as session:
            return dossiers.return_result(session, current_principal(), code, **body)


@blp.route("/<string:code>/notices")
class DossierNotices(MethodView):
    @requires(*HANDLERS)
    @blp.response(200, NoticeSchema(many=True))
    def get(self, code):
        """The dossier's written notices: supplement requests, refusal, apology, withdrawal"""
        with transaction() as session:
            return dossiers.notices_for(session, current_principal(), code)


@blp.route("/<string:code>/forms")
class DossierForms(MethodView):
    @requires(*HANDLERS)
    @blp.response(200, FormAvailabilitySchema(many=True))
    def get(self, code):
        """The printable forms of the dossier, each with whether it applies now and, when it does not,
        why (in the reader's language); asking for one that does not apply answers 409"""
        with transaction() as session:
            return printouts.forms_for(session, current_principal(), code)


@blp.route("/<string:code>/forms/<string:form>")
class DossierForm(MethodView):
    @requires(*HANDLERS)
    @blp.arguments(FormQuerySchema, location="query")
    @blp.response(200, content_type="application/pdf")
    @blp.alt_response(200, content_type="text/html", description="with format=html")
    def get(self, query, code, form):
        """A printable form of Circular 03/2025 filled from the dossier, by name or number: receipt (01),
        supplement-request (02), refusal (03), apology-extension (04; `apology` still works), stop-notice (05),
        process-control (06), as PDF or HTML; 409 `form_unavailable` with the reason for one that does not
        apply to the dossier (a refusal for a dossier not refused...)"""
        with transaction() as session:
            printout = printouts.dossier_form(session, current_principal(), code, form, query["format"])
        return file_response(printout.content, printout.media_type, printout.filename,
                             inline=True)


@blp.route("/<string:code>/attachments")
class DossierAttachments(MethodView):
    @requires(*HANDLERS)
    @blp.response(200, AttachmentSchema(many=True))
    def get(self, code):
        """The files attached to the dossier"""
        with transaction() as session:
            return attachments.list_attachments(session, current_principal(), code)

    @requires(DESK_OFFICER, SPECIALIST, LEADER)
    @blp.arguments(AttachmentUploadSchema, location="files")
    @blp.arguments(AttachmentFormSchema, location="form")
    @blp.response(201, AttachmentSchema)
    def post(self, files, form, code):
        """Attach a file (PDF, JPEG, PNG or .docx): a required document, the result, or another paper"""
        upload = files["file"]
        settings = current_app.config["MOTCUA"]
        content = upload.read(settings.max_attachment_bytes + 1)
        with transaction() as session:
            return attachments.attach(
                session, current_principal(), code, filename=upload.filename or "", content=content,
                category=form["category"], document_name=form["document_name"],
                max_bytes=settings.max_attachment_bytes)


@blp.route("/<string:code>/attachments/<int(max=2147483647):attachment_id>")
class DossierAttachment(MethodView):
    @requires(*HANDLERS)
    @blp.response(200, content_type="application/octet-stream")
    def get(self, code, attachment_id):
        """Download one attached file"""
        with transaction() as session:
            download = attachments.download(session, current_principal(), code, attachment_id)
        return file_response(download.content, download.content_type, download.filename,
                             etag=download.sha256)


@blp.route("/<string:code>/postal-delivery")
class PostalDelivery(MethodView):
    @requires(DESK_OFFICER, scope="postal:write")
    @blp.arguments(PostalDeliverySchema)
    @blp.response(200, DossierSchema)
    def post(self, body, code):
        """The postal service (an API token with postal:write) or the desk records what became of a
        result sent by post: delivered to the applicant, or returned to the sender"""
        with transaction() as session:
            return dossiers.record_postal_delivery(session, current_principal(), code, **body)


def _intake(given: dict | None) -> dossiers.Intake | None:
    if given is None:
        return None
    return dossiers.Intake(result=given["result"], reason=given["reason"].strip(), missing_documents=tuple(
        {"name": item["name"].strip(), **({"reason": item["reason"].strip()} if item["reason"].strip() else {})}
        for item in given["missing_documents"]))
