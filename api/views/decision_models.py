from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import RequestEntityTooLarge

from api.db import transaction
from api.schemas.decision_models import (
    DecisionModelSchema,
    DecisionValidationSchema,
    DecisionVersionDetailSchema,
    DecisionVersionListItemSchema,
    DecisionVersionSchema,
)
from api.schemas.process_models import UploadSchema
from api.security import current_principal, requires, signed_in
from workflows import decision_models
from workflows.errors import InvalidInput
from workflows.roles import DESIGNER

blp = Blueprint("decision_models", __name__, url_prefix="/api/v1/decision-models",
                description="Deployed DMN decision tables and their versions")


def _read_upload(files) -> tuple[bytes, str]:
    """The uploaded .dmn file's content and name, refused if it is not one or is too large."""
    upload = files["file"]
    filename = upload.filename or "upload.dmn"
    if not filename.lower().endswith(".dmn"):
        raise InvalidInput("Upload a .dmn file.", file=filename)
    limit = current_app.config["MOTCUA"].max_upload_bytes
    content = upload.read(limit + 1)
    if len(content) > limit:
        raise RequestEntityTooLarge(f"A decision file may have at most {limit} bytes.")
    return content, filename


@blp.route("")
class DecisionModels(MethodView):
    @signed_in
    @blp.response(200, DecisionModelSchema(many=True))
    def get(self):
        """Each deployed decision with its latest version"""
        with transaction() as session:
            return decision_models.list_decisions(session)

    @requires(DESIGNER)
    @blp.arguments(UploadSchema, location="files")
    @blp.response(201, DecisionVersionSchema)
    @blp.alt_response(200, schema=DecisionVersionSchema, description="Identical content was already deployed")
    def post(self, files):
        """Deploy a .dmn file (designer): a new version, or the existing one if nothing changed. Models
        deployed afterwards bind this version; running dossiers keep the table they started with."""
        content, filename = _read_upload(files)
        with transaction() as session:
            version, created = decision_models.deploy_decision(session, content, filename,
                                                               actor=current_principal().username)
        return version, 201 if created else 200


@blp.route("/validation")
class DecisionValidation(MethodView):
    @requires(DESIGNER)
    @blp.arguments(UploadSchema, location="files")
    @blp.response(200, DecisionValidationSchema)
    def post(self, files):
        """Check a .dmn file as deploying it would (designer), without deploying it: the table read and
        its cells translated, or the usual 422 listing every problem (rule, column, cell id)"""
        content, filename = _read_upload(files)
        with transaction() as session:
            return decision_models.validate_decision(session, content, filename)


@blp.route("/<string:decision_id>/versions")
class DecisionVersions(MethodView):
    @signed_in
    @blp.response(200, DecisionVersionListItemSchema(many=True))
    def get(self, decision_id):
        """A decision's versions, newest first, with the process versions that run each"""
        with transaction() as session:
            return decision_models.list_versions(session, decision_id)


@blp.route("/<string:decision_id>/versions/<int(max=2147483647):number>")
class DecisionVersionByNumber(MethodView):
    @signed_in
    @blp.response(200, DecisionVersionDetailSchema)
    def get(self, decision_id, number):
        """One version's metadata and DMN XML"""
        with transaction() as session:
            return decision_models.get_version(session, decision_id, number)
