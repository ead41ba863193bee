from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from api.db import transaction
from api.schemas.process_models import (
    ModelValidationSchema,
    ProcessModelSchema,
    ProcessVersionDetailSchema,
    ProcessVersionListItemSchema,
    ProcessVersionSchema,
    UploadSchema,
)
from api.security import current_principal, requires, signed_in
from workflows import process_models
from workflows.errors import InvalidInput
from workflows.roles import DESIGNER

blp = Blueprint("process_models", __name__, url_prefix="/api/v1/process-models",
                description="Deployed BPMN models and their versions")


def _read_upload(files) -> tuple[bytes, str]:
    """The uploaded .bpmn file's content and name, refused if it is not one or is too large."""
    upload = files["file"]
    filename = upload.filename or "upload.bpmn"
    if not filename.lower().endswith(".bpmn"):
        raise InvalidInput("Upload a .bpmn file.", file=filename)
    limit = current_app.config["MOTCUA"].max_upload_bytes
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise RequestEntityTooLarge(f"A model file may have at most {limit} bytes.")
    return content, filename


@blp.route("")
class ProcessModels(MethodView):
    @signed_in
    @blp.response(200, ProcessModelSchema(many=True))
    def get(self):
        """Each deployed process with its latest version"""
        with transaction() as session:
            return process_models.list_models(session)

    @requires(DESIGNER)
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, ProcessVersionSchema)
    @blp.alt_response(200, schema=ProcessVersionSchema, description="Identical content was already deployed")
    def post(self, files):
        """Deploy a .bpmn file (designer): a new version, or the existing one if nothing changed"""
        content, filename = _read_upload(files)
        with transaction() as session:
            version, created = process_models.deploy_model(session, content, filename,
                                                           actor=current_principal().username)
        return version, 201 if created else 200


@blp.route("/<string:process_id>/versions/<int(max=2147483647):number>")
class ProcessVersionByNumber(MethodView):
    @signed_in
    @blp.response(200, ProcessVersionDetailSchema)
    def get(self, process_id, number):
        """One version's metadata and BPMN XML"""
        with transaction() as session:
            return process_models.get_version(session, process_id, number)


@blp.route("/validation")
class ModelValidation(MethodView):
    @requires(DESIGNER)
    @blp.arguments(UploadSchema, location="files")
    @blp.response(200, ModelValidationSchema)
    def post(self, files):
        """Check a .bpmn file as deploying it would (designer), without deploying it: what would be
        deployed, or the usual 422 naming the file, line and element at fault"""
        content, filename = _read_upload(files)
        with transaction() as session:
            return process_models.validate_model(session, content, filename)


@blp.route("/<string:process_id>/versions")
class ProcessVersions(MethodView):
    @signed_in
    @blp.response(200, ProcessVersionListItemSchema(many=True))
    def get(self, process_id):
        """A process's versions, newest first, with how many dossiers still run on each"""
        with transaction() as session:
            return process_models.list_versions(session, process_id)
