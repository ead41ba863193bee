from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from api.db import transaction
from api.schemas.process_models import (
    DeploymentSchema,
    ModelValidationSchema,
    ProcessModelSchema,
    ProcessVersionDetailSchema,
    ProcessVersionListItemSchema,
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
    @blp.response(201, DeploymentSchema)
    @blp.alt_response(200, schema=DeploymentSchema, description="Identical content was already deployed")
    def post(self, files):
        """Deploy a .bpmn file (designer): a new version, or the existing one if nothing changed; with
        the model's warnings. A model with errors is a 422 listing every problem (errors.problems)"""
        content, filename = _read_upload(files)
        with transaction() as session:
            deployment = process_models.deploy_model(session, content, filename, actor=current_principal().username)
        return deployment, 201 if deployment.created else 200


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
        deployed and its warnings, or a 422 listing every problem (errors.problems: errors then
        warnings, each with its element, line and a hint), the first error's file, line and element
        beside them"""
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
