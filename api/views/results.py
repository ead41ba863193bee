"""Signed results of a dossier, the applicants' stored documents (for the desk), and the public
verification of a result (no account)."""

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.db import session_factory, transaction
from api.downloads import file_response
from api.schemas.dossiers import AttachmentSchema
from api.schemas.results import (
    PublicResultSchema,
    ResultSchema,
    ResultUploadSchema,
    ReuseSchema,
    StoredDocumentQuerySchema,
    StoredDocumentSchema,
    VerificationSchema,
)
from api.security import current_principal, requires
from workflows import applicant_store, result_verification, results
from workflows.roles import DESK_OFFICER, LEADER, SPECIALIST

HANDLERS = (DESK_OFFICER, SPECIALIST, LEADER)  # and, per dossier, only those who handle it

blp = Blueprint("results", __name__, url_prefix="/api/v1",
                description="Results issued as signed PDFs, and the applicants' stored documents")
public_blp = Blueprint("public_results", __name__, url_prefix="/api/v1/public/results",
                       description="For anyone holding a result: who issued it and whether a file is that result")


@blp.route("/dossiers/<string:code>/results")
class DossierResults(MethodView):
    @requires(*HANDLERS)
    @blp.response(200, ResultSchema(many=True))
    def get(self, code):
        """The dossier's results issued electronically (signed PDFs)"""
        with transaction() as session:
            return results.results_of(session, current_principal(), code)


@blp.route("/dossiers/<string:code>/results/<string:result_id>")
class DossierResult(MethodView):
    @requires(*HANDLERS)
    @blp.response(200, content_type="application/pdf")
    def get(self, code, result_id):
        """Download one signed result, as issued"""
        with transaction() as session:
            download = results.download(session, current_principal(), code, result_id)
        return file_response(download.content, download.content_type, download.filename, etag=download.sha256)


@blp.route("/dossiers/<string:code>/reused-documents")
class ReusedDocuments(MethodView):
    @requires(DESK_OFFICER)
    @blp.arguments(ReuseSchema)
    @blp.response(201, AttachmentSchema)
    def post(self, body, code):
        """Attach a document of the applicant's store to the dossier for one of its checklist items,
        without a new upload (recorded as a reuse)"""
        with transaction() as session:
            return applicant_store.reuse_for_dossier(session, current_principal(), code, body["document_id"],
                                                     body["document_name"])


@blp.route("/applicants/<string:id_number>/documents")
class ApplicantDocuments(MethodView):
    @requires(DESK_OFFICER)
    @blp.arguments(StoredDocumentQuerySchema, location="query")
    @blp.response(200, StoredDocumentSchema(many=True))
    def get(self, query, id_number):
        """The applicant's valid digitised documents and results on file (desk officers; each look-up
        is in the audit trail)"""
        with transaction() as session:
            return applicant_store.documents_on_file(session, current_principal(), id_number,
                                                     procedure_code=query["procedure_code"])


@public_blp.route("/<string:result_id>")
class PublicResult(MethodView):
    @public_blp.doc(security=[])  # anyone holding the result
    @public_blp.response(200, PublicResultSchema)
    def get(self, result_id):
        """Who issued the result, for which dossier and procedure, when it was signed and by whom, and
        whether its signature is valid"""
        with transaction() as session:
            return result_verification.public_result(session, result_id)


@public_blp.route("/<string:result_id>/verification")
class PublicVerification(MethodView):
    @public_blp.doc(security=[])  # anyone holding the result
    @public_blp.arguments(ResultUploadSchema, location="files")
    @public_blp.response(200, VerificationSchema)
    def post(self, files, result_id):
        """Whether the file presented is this result as issued (same bytes) with a valid signature;
        a changed copy fails, saying how"""
        result_verification.count_verification(session_factory(), request.remote_addr or "unknown")
        content = files["file"].read(current_app.config["MOTCUA"].max_upload_bytes + 1)
        with transaction() as session:
            return result_verification.verify_file(session, result_id, content,
                                                   max_bytes=current_app.config["MOTCUA"].max_upload_bytes)
